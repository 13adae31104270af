"""The one way our widgets show a matplotlib figure: as a PNG in an ``ipywidgets.Image``.

Why not an ``Output`` widget and ``plt.show()``? Where output captured by an Output
widget ends up is decided by the front end, and JupyterLab, Notebook 7 and VS Code do
not all agree (figures that pile up, or appear below the widget); with no front end at
all (nbval, nbconvert) the picture escapes into the cell's outputs. An Image widget's
PNG is part of the widget's own state, so every front end shows the same bytes and
nothing reaches the cell's outputs.

The figure is a plain :class:`matplotlib.figure.Figure`, not one made by pyplot: pyplot
never hears of it, so the inline backend does not show it a second time at the end of
the cell, and there is nothing to close.
"""

from __future__ import annotations

import io
from typing import Callable

import ipywidgets as widgets
from matplotlib.figure import Figure

DPI = 100  # the inline backend shows figures at figure.dpi, 100: a picture keeps its size


def png_bytes(fig: Figure, dpi: float = DPI, tight: bool = True) -> bytes:
    """Render ``fig`` as PNG bytes. The same drawing gives the same bytes, every time.

    ``tight=True`` crops to what is drawn (titles and legends outside the axes
    included), as the inline backend does. The PNG carries no "Software" stamp, so the
    bytes do not change with the matplotlib version either.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight" if tight else None,
                metadata={"Software": None})
    return buffer.getvalue()


class FigureView:
    """A picture in a widget, redrawn from scratch on each call of :meth:`redraw`.

    ``draw(fig, **state)`` draws on the fresh, empty ``fig`` it is given (a
    ``matplotlib.figure.Figure`` of size ``figsize`` in inches), as the course's
    ``draw_*(ax_or_fig, ...)`` functions do; one that sizes its picture itself
    (``draw_step``) may resize it. ``image`` is the ``ipywidgets.Image`` to put in the
    widget's box.
    """

    def __init__(self, draw: Callable[..., object], figsize: tuple[float, float] | None = None,
                 dpi: float = DPI, tight: bool = True):
        self.draw, self.figsize, self.dpi, self.tight = draw, figsize, dpi, tight
        # At its own size (1 pixel per pixel, like an inline figure), but never wider than the cell.
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))

    def redraw(self, **state) -> bytes:
        """Draw the figure for ``state`` and show it; return the PNG bytes shown."""
        fig = Figure(figsize=self.figsize, dpi=self.dpi)
        self.draw(fig, **state)
        png = png_bytes(fig, self.dpi, self.tight)
        self.image.value = png
        return png
