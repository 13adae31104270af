"""Take a saved network out of the course: a web page that reads digits, or an ONNX file.

    python -m helpers export model.npz --html digits.html
    python -m helpers export model.npz --onnx model.onnx
    python -m helpers export model.npz --html digits.html --onnx model.onnx

The page is one file that opens in any browser, offline (send it to a friend): draw a
digit or choose a photo, and the network reads it there, prepared exactly as ``predict``
prepares a picture. The ONNX file runs in ONNX Runtime and most frameworks: its input
"pixels" is the 784 pixels of a 28x28 MNIST-style digit in [0, 1] (shape (N, 784), or (N,
1, 28, 28) for a model of layers that takes images), its outputs "output" (the model's
own) and "confidences" (what ``predict`` shows). Writing ONNX needs the ``onnx`` package
(``pip install onnx``). See helpers/exporting.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.exporting import MissingPackage, check_page_model, onnx_model, save_page
from helpers.files import CannotWrite, check_writable, writing
from helpers.cli.predict import load_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers export",
        description="Write a saved network as a web page that reads digits offline (--html) or as an ONNX "
        "model (--onnx).")
    parser.add_argument("model", help="a network or a model of layers saved with helpers.saving.save (.npz)")
    parser.add_argument("--html", metavar="PAGE", help="write a self-contained web page here (e.g. digits.html)")
    parser.add_argument("--onnx", metavar="FILE", help="write an ONNX model here (e.g. model.onnx; needs `pip install onnx`)")
    args = parser.parse_args(argv)
    if not args.html and not args.onnx:
        parser.error("say what to write: --html PAGE, --onnx FILE, or both")
    # A slip that would replace the network itself, or write both files to one place.
    places = [Path(p).resolve() for p in (args.model, args.html, args.onnx) if p]
    if len(set(places)) < len(places):
        print(f"error: {args.model}, {args.html or args.onnx}{f' and {args.onnx}' if args.html and args.onnx else ''}: "
              f"the saved network, the page and the ONNX file each need a name of their own "
              f"(e.g. digits.html, model.onnx); nothing was written", file=sys.stderr)
        return 2
    model, problem = load_model(args.model)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        # Everything is checked and built before anything is written, so one bad request
        # writes neither file.
        if args.html:
            check_page_model(model)
            check_writable(args.html, "write to", "digits.html")
        onnx_bytes = None
        if args.onnx:
            check_writable(args.onnx, "write to", "model.onnx")
            onnx_bytes = onnx_model(model).SerializeToString()
        if args.html:
            size = save_page(model, args.html)
            print(f"wrote {args.html} ({size / 1e6:.2f} MB): open it in a browser, draw a digit or choose a photo")
        if onnx_bytes is not None:
            with writing(args.onnx, "write to", "model.onnx") as f:
                f.write(onnx_bytes)
            print(f"wrote {args.onnx} ({len(onnx_bytes) / 1e6:.2f} MB): input 'pixels', outputs 'output' and "
                  f"'confidences'")
    except (MissingPackage, CannotWrite) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ValueError as err:
        print(f"error: {args.model}: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
