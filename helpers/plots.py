"""Plots shared by the notebooks: digits as pictures, a colour-blind-safe palette, and
:func:`style`, the title, labels, grid and legend most plots set.

Every drawing function of the course is ``draw_*(ax_or_fig, ...)``: it draws into the
matplotlib Axes (or, for a picture of several panels, the Figure) it is given and returns
it. The notebook makes the figure (``fig, ax = plt.subplots(...)``); a widget makes a plain
``matplotlib.figure.Figure`` (see ``helpers.widgets.figure``); no helper uses pyplot.

Every figure gets a title and, where there are axes with meaning, labelled axes
with units. Colours come from the Okabe-Ito palette, which stays distinguishable
for the common kinds of colour blindness; and nothing important is shown by colour
alone (line styles and markers differ too).
"""

from __future__ import annotations

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


def style(ax, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None, *,
          grid: bool = True, legend: dict | bool | None = None, title_size: float | None = None):
    """What most of the course's plots set: a title (in points ``title_size``, else the
    default), labelled axes, a light grid and a legend (``legend=True``, or a dict of
    ``ax.legend`` options such as ``dict(fontsize=8)``). Returns ``ax``."""
    if title is not None:
        ax.set_title(title, **({} if title_size is None else {"fontsize": title_size}))
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if grid:
        ax.grid(alpha=0.3)
    if legend:
        ax.legend(**(legend if isinstance(legend, dict) else {}))
    return ax


def draw_digit(ax, pixels: np.ndarray, title: str = ""):
    """Draw one digit in grey-scale on ``ax`` (ink dark on white paper, as a person would
    write it). Returns ``ax``."""
    ax.imshow(as_image(pixels), cmap="gray_r")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def draw_digits(fig, images: np.ndarray, labels=None, ncols: int = 10, title: str = ""):
    """Draw a grid of digits on ``fig``, each captioned with its label when ``labels`` is
    given. A digit takes ``width / ncols`` of the figure: about 1 inch wide and 1.15 inches
    high per row reads well. Returns ``fig``."""
    images = np.asarray(images)
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    axes = fig.subplots(nrows, ncols, squeeze=False)
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
