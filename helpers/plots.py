"""Plots shared by the notebooks: digits as pictures, and a colour-blind-safe palette.

Every figure gets a title and, where there are axes with meaning, labelled axes
with units. Colours come from the Okabe-Ito palette, which stays distinguishable
for the common kinds of colour blindness; and nothing important is shown by colour
alone (line styles and markers differ too).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

# Okabe & Ito (2008), "Color Universal Design": safe for deuteranopia and protanopia.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", ":", "-."]


def as_image(pixels: np.ndarray) -> np.ndarray:
    """Reshape one digit (784 values, or already 28 x 28) to a 28 x 28 picture."""
    pixels = np.asarray(pixels)
    if pixels.size != 784:
        raise ValueError(f"a digit has 784 pixels (28 x 28), got an array of shape {pixels.shape}")
    return pixels.reshape(28, 28)


def show_digit(pixels: np.ndarray, title: str = "", ax=None):
    """Draw one digit in grey-scale (ink dark on white paper, as a person would write it)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5, 2.5))
    ax.imshow(as_image(pixels), cmap="gray_r")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def show_digits(images: np.ndarray, labels=None, ncols: int = 10, title: str = "", size: float = 1.0):
    """Draw a grid of digits, each captioned with its label when ``labels`` is given."""
    images = np.asarray(images)
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.15), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(as_image(images[i]), cmap="gray_r")
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=9, pad=2)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
