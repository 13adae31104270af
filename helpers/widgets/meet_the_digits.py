"""Notebook 01's widget: browse MNIST digits, all of them or one digit at a time."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from helpers.lessons.meet_the_digits import digits_with_label
from helpers.plots import draw_digit
from helpers.widgets.figure import FigureView


ANY = -1  # the dropdown's value for "any digit"


def digit_browser(images: np.ndarray, labels: np.ndarray, count: int = 10) -> widgets.VBox:
    """A dropdown (which digit) and a slider (where to start) over a strip of ``count`` digits.

    ``box.indices`` are the digits on show and ``box.picture`` the Image widget showing them.
    """
    # "any" has a value of its own: a Dropdown whose value is None shows an empty box.
    digit = widgets.Dropdown(options=[("any", ANY)] + [(str(d), d) for d in range(10)], value=ANY, description="Digit")
    start = widgets.IntSlider(value=0, min=0, max=5_400, step=count, description="Start at", continuous_update=False)

    def draw_strip(fig, indices):
        for ax, i in zip(np.atleast_1d(fig.subplots(1, count)), list(indices) + [None] * count):
            if i is None:
                ax.axis("off")
                continue
            draw_digit(ax, images[i], title=f"#{i}: {labels[i]}")
        fig.suptitle("Training images (index: label)", y=1.05)

    picture = FigureView(draw_strip, figsize=(count * 1.1, 1.5))

    def draw(*_):
        indices = digits_with_label(labels, None if digit.value == ANY else digit.value, start.value, count)
        box.indices = indices  # what is on show, for tests and the curious
        picture.redraw(indices=indices)

    box = widgets.VBox([widgets.HBox([digit, start]), picture.image])
    box.picture, box.digit = picture.image, digit
    digit.observe(draw, names="value")
    start.observe(draw, names="value")
    draw()
    return box
