"""Ask a saved network which digit is in each image, and hear "no" when there is none.

    python -m helpers predict model.npz photo.jpg [more.png ...]
    python -m helpers predict --json model.npz photo.jpg     (one JSON object a line)

Any picture of one digit will do: a phone photo or a scan of a digit written on paper
(any size, colour or grey, PNG, JPEG, TIFF, ...), a drawing with a transparent
background, or a 28x28 MNIST-style image. Each is prepared the way MNIST's digits were
(``helpers.images``: grey-scale, ink, crop, fit in 20x20, centre of mass in 28x28) and read
honestly (``helpers.reading``): a digit, or "not sure", "no digit" or "several digits",
each with the reason. A file that is not an image, or one too large to open safely, gets
an error on standard error. The exit status is 0 when every file was read as a digit, 1
when any was not (or could not be read), 2 when the network itself cannot be used.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from helpers.image_files import read_image
from helpers.reading import Reading, read_pixels
from helpers.saving import load


def read_file(net, path) -> Reading:
    """The reading of one picture file; verdict "error" when it cannot be read as a picture."""
    try:
        pixels = read_image(path)
        return read_pixels(net, pixels)[0]
    except ValueError as err:
        return Reading("error", None, None, str(err))


def load_model(path: str):
    """(the model saved at ``path``, None), or (None, what is wrong) for a command's
    "error: ..." line: predict and export say the same about a file they cannot use."""
    try:
        return load(path), None
    except FileNotFoundError:
        return None, f"{path}: there is no such file (the saved network)"
    except (ValueError, OSError) as err:
        return None, str(err)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers predict",
        description="Read the digit in each image: photos or scans of a digit on paper, drawings, or 28x28 "
        "MNIST-style images. Each is cropped, scaled and centred like MNIST first; a picture that holds no "
        "digit, several digits, or one the network cannot single out is answered as such, not guessed. "
        "Exit status: 0 when every file was read as a digit, 1 otherwise, 2 when the network cannot be used.")
    parser.add_argument("--json", action="store_true", help="one JSON object a line for each file: file, verdict "
                        "(digit, not sure, no digit, several digits or error), digit (or null), outputs (the ten, "
                        "or null), message")
    parser.add_argument("model", help="a network or a model of layers saved with helpers.saving.save (.npz)")
    parser.add_argument("images", nargs="+", help="image files (PNG, JPEG, TIFF, ...), one digit each")
    args = parser.parse_args(argv)
    net, problem = load_model(args.model)
    if problem is None and math.prod(net.input_shape) != 784:
        problem = f"{args.model}: the network takes {math.prod(net.input_shape)} inputs, expected 784 (28x28 images)"
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    status = 0
    for path in args.images:
        r = read_file(net, path)
        if r.verdict != "digit":
            status = 1
        if args.json:
            print(json.dumps({"file": path, "verdict": r.verdict, "digit": r.digit,
                              "outputs": None if r.outputs is None else [round(v, 6) for v in r.outputs],
                              "message": r.message}), flush=True)
        elif r.verdict == "error":
            print(f"error: {path}: {r.message}", file=sys.stderr)
        elif r.verdict == "digit":
            print(f"{path}: {r.digit} (confidence {r.outputs[r.digit]:.2f})")
        else:
            print(f"{path}: {r.message}")
    return status


if __name__ == "__main__":
    sys.exit(main())
