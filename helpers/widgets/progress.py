"""A progress bar for notebooks: an ipywidgets bar with a line of text beside it.

It is a *progress display* (``start``, ``update``, ``close``; see ``helpers.progress``),
for downloads and, as a training callback, for training:
``net.SGD(..., callbacks=[ProgressWidget()])``.
Where widgets cannot be drawn (a static page, a plain-text front end) the text line
still says how far training got.
"""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display

from helpers.progress import ProgressDisplay


class ProgressWidget(ProgressDisplay):
    """An ``IntProgress`` bar and a ``Label``; shown when training starts."""

    def __init__(self, description: str = "Training"):
        self.bar = widgets.IntProgress(value=0, min=0, max=1, description=description)
        self.label = widgets.Label(value="")
        self.box = widgets.HBox([self.bar, self.label])
        self.shown = False

    def start(self, total: int) -> None:
        self.bar.max, self.bar.value, self.bar.bar_style = max(int(total), 1), 0, ""
        if not self.shown:
            display(self.box)
            self.shown = True

    def update(self, n: int = 1, status: str | None = None) -> None:
        self.bar.value = min(self.bar.value + n, self.bar.max)
        if status is not None:
            self.label.value = status

    def close(self) -> None:
        self.bar.bar_style = "success" if self.bar.value >= self.bar.max else "warning"
