"""Ask a saved network which digit is in each image.

    python -m helpers predict model.npz photo.jpg [more.png ...]

Any picture of one digit will do: a phone photo or a scan of a digit written on paper
(any size, colour or grey, PNG, JPEG, TIFF, ...), a drawing with a transparent
background, or a 28x28 MNIST-style image. Each is prepared the way MNIST's digits were
(``helpers.images.preprocess``: grey-scale, ink, crop, fit in 20x20, centre of mass in
28x28) before the network reads it. A picture with no digit in it (blank, one shade), a
file that is not an image, or one too large to open safely gets a message on standard
error instead of a guess, and the exit status is 2.
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

from helpers.activations import softmax
from helpers.image_files import load_image
from helpers.layers import Sequential
from helpers.network import Network
from helpers.saving import load


def confidences(net: Network | Sequential, X: np.ndarray) -> np.ndarray:
    """The network's outputs as confidences: softmax probabilities for softmax and linear
    outputs (and a model of layers); for sigmoid outputs, each output neuron's activation
    (between 0 and 1). ``X``: 28x28 pictures as rows of 784, shaped as the model takes them."""
    if isinstance(net, Sequential):
        return net.probabilities(X.reshape((len(X),) + net.input_shape))
    a = net.feedforward(X)
    return softmax(a) if net.output.name == "linear" else a


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers predict",
        description="Read the digit in each image: photos or scans of a digit on paper, drawings, or 28x28 "
        "MNIST-style images. Each is cropped, scaled and centred like MNIST first.")
    parser.add_argument("model", help="a network or a model of layers saved with helpers.saving.save (.npz)")
    parser.add_argument("images", nargs="+", help="image files (PNG, JPEG, TIFF, ...), one digit each")
    args = parser.parse_args(argv)
    try:
        net = load(args.model)
        if math.prod(net.input_shape) != 784:
            raise ValueError(f"{args.model}: the network takes {math.prod(net.input_shape)} inputs, "
                             f"expected 784 (28x28 images)")
    except FileNotFoundError:
        print(f"error: {args.model}: there is no such file (the saved network)", file=sys.stderr)
        return 2
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    status = 0
    for path in args.images:
        try:
            a = confidences(net, load_image(path))[0]
        except ValueError as err:
            print(f"error: {path}: {err}", file=sys.stderr)
            status = 2
            continue
        digit = int(np.argmax(a))
        print(f"{path}: {digit} (confidence {a[digit]:.2f})")
    return status


if __name__ == "__main__":
    sys.exit(main())
