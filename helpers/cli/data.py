"""Fetch MNIST, verify it and cache it, ready for class (and optionally export a copy).

    python -m helpers data                       (also: python -m helpers data, make data)
    python -m helpers data --export /media/usb/mnist

See helpers/mnist_files.py for where the files come from and how they are checked.
"""

from __future__ import annotations

import argparse
import sys

from helpers.mnist_files import MnistError, export_mnist, fetch_mnist


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers data",
        description="Fetch MNIST, verify it and cache it, ready for class (and optionally export a copy).",
    )
    parser.add_argument("--export", metavar="FOLDER", help="also copy the verified files to FOLDER for offline hand-out")
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    args = parser.parse_args(argv)
    try:
        paths = fetch_mnist(quiet=args.quiet)
        if args.export:
            copied = export_mnist(args.export)
    except MnistError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # not foreseen above: still a message, not a traceback
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        for key, path in paths.items():
            print(f"OK  {key:<13} {path}")
        if args.export:
            print(f"Exported {len(copied)} files and SHA256SUMS to {args.export}.")
            print(f"On a machine without internet: MNIST_MIRROR={args.export} make lab")
    return 0


if __name__ == "__main__":
    sys.exit(main())
