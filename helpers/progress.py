"""A progress bar for the terminal: one line on stderr, redrawn in place.

The training loop (``helpers.training.train``) does not draw anything itself: it is
given a *progress display*, any object with three methods,

    start(total)            # the number of steps to come
    update(n, status)       # n more steps done; status: a short text such as "epoch 3/30"
    close()                 # the end (also after an error)
    epoch_done(epoch, history)   # optional: an epoch is over, here is the history so far

This module has the terminal one, ``ProgressBar``; the notebook one, an ipywidgets
bar, is ``helpers.widgets.progress.ProgressWidget``. So the engine never imports a
user interface, and a script or a test simply passes none.
"""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """``description [#####-----] 120/300 status`` on stderr, redrawn at most ten times a second.

    Shows nothing when stderr goes to a file or a pipe (no line to redraw there).
    """

    def __init__(self, description: str = "Training", width: int = 30):
        self.description, self.width = description, width
        self.total = self.count = 0
        self.status = ""
        self._last_draw = 0.0
        self.active = False

    def start(self, total: int) -> None:
        self.total, self.count = max(int(total), 1), 0
        self.active = sys.stderr.isatty()
        self._draw(force=True)

    def update(self, n: int = 1, status: str | None = None) -> None:
        self.count = min(self.count + n, self.total)
        if status is not None:
            self.status = status
        self._draw(force=self.count == self.total)

    def close(self) -> None:
        if self.active:
            self._draw(force=True)
            sys.stderr.write("\n")
            sys.stderr.flush()
        self.active = False

    def clear_line(self) -> None:
        """Wipe the bar's line, so that a line printed now is not mixed into it (it is redrawn at the next update)."""
        if self.active:
            sys.stderr.write("\r\033[K")

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.active or (not force and now - self._last_draw < 0.1):  # redrawing costs more than the work
            return
        self._last_draw = now
        filled = int(self.width * self.count / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        # \r goes back to the start of the line, ESC[K clears what a longer line left there
        sys.stderr.write(f"\r\033[K{self.description} [{bar}] {self.count}/{self.total} {self.status}")
        sys.stderr.flush()
