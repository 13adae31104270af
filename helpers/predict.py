"""Ask a saved network which digit is in each image.

    python -m helpers.predict model.npz digit.png [more.png ...]

Each image must be a 28x28 picture of one digit, like MNIST: a light digit on a dark
background. A dark digit on a light background (mean brightness above one half, as when
you draw with a black pen on white) is inverted first. For photos of handwriting, which
need cropping and centring first, see notebook 09.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from PIL import Image, UnidentifiedImageError

from helpers.activations import softmax
from helpers.network import Network


def load_image(path) -> np.ndarray:
    """Read a 28x28 image as a row of 784 pixels in [0, 1], white digit on black."""
    try:
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("L"), dtype=np.float32) / 255
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{path}: cannot read it as an image ({err})") from None
    if pixels.shape != (28, 28):
        height, width = pixels.shape
        raise ValueError(f"{path}: the image is {width}x{height} pixels, expected 28x28 (like MNIST)")
    if pixels.mean() > 0.5:  # a light background: make it white-on-black like MNIST
        pixels = 1 - pixels
    return pixels.reshape(1, 784)


def confidences(net: Network, X: np.ndarray) -> np.ndarray:
    """The network's outputs as confidences: softmax probabilities for softmax and linear
    outputs; for sigmoid outputs, each output neuron's activation (between 0 and 1)."""
    a = net.feedforward(X)
    return softmax(a) if net.output.name == "linear" else a


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.predict", description="Predict the digit in 28x28 images.")
    parser.add_argument("model", help="a network saved with Network.save (.npz)")
    parser.add_argument("images", nargs="+", help="28x28 grey-scale images (PNG)")
    args = parser.parse_args(argv)
    try:
        net = Network.load(args.model)
        if net.sizes[0] != 784:
            raise ValueError(f"{args.model}: the network takes {net.sizes[0]} inputs, expected 784 (28x28 images)")
        status = 0
        for path in args.images:
            try:
                a = confidences(net, load_image(path))[0]
            except ValueError as err:
                print(f"error: {err}", file=sys.stderr)
                status = 2
                continue
            digit = int(np.argmax(a))
            print(f"{path}: {digit} (confidence {a[digit]:.2f})")
        return status
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
