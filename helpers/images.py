"""Data augmentation: new training images made from old ones by small random shifts.

A "7" moved one pixel to the left is still a "7". Showing the network slightly moved
copies of the training digits teaches it that position does not matter much, and makes
it generalise better. ``SGD(..., augment=random_shift)`` applies a fresh random shift to
each image every time it is used.
"""

from __future__ import annotations

import numpy as np


def random_shift(X: np.ndarray, rng: np.random.Generator, max_shift: int = 2) -> np.ndarray:
    """Shift each 28x28 image (a row of ``X``) by up to ``max_shift`` pixels in x and y.

    The shifts are random integers in [-max_shift, max_shift], chosen per image; pixels
    moved in from outside the picture are 0 (black background). Returns a new array.
    """
    n, size = X.shape
    side = int(round(size**0.5))
    if side * side != size:
        raise ValueError(f"expected rows of square images (e.g. 784 = 28x28 pixels), got {size} columns")
    s = max_shift
    images = X.reshape(n, side, side)
    padded = np.zeros((n, side + 2 * s, side + 2 * s), dtype=X.dtype)
    padded[:, s : s + side, s : s + side] = images
    dy, dx = rng.integers(-s, s + 1, size=(2, n))
    # The shifted image starts at (s - dy, s - dx) in the padded one: fancy indexing picks
    # a different 28x28 window for each image, all in one go.
    rows = (s - dy)[:, None, None] + np.arange(side)[None, :, None]
    cols = (s - dx)[:, None, None] + np.arange(side)[None, None, :]
    return padded[np.arange(n)[:, None, None], rows, cols].reshape(n, size)


def shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """One 28x28 image moved ``dy`` pixels down and ``dx`` pixels right (0 fills the gap)."""
    out = np.zeros_like(image)
    h, w = image.shape
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out
