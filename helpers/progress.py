"""Progress displays, and the terminal's: one line on stderr, redrawn in place.

A *progress display* has three methods,

    start(total)            # the number of steps to come
    update(n, status)       # n more steps done; status: a short text such as "epoch 3/30"
    close()                 # the end (also after an error)

and is used for downloads (``helpers.data``) and, as a ``ProgressDisplay``, for training:
a training callback (``helpers.callbacks``) that counts the mini-batches, says which
epoch is running and, with validation data, the last validation accuracy. This module
has the terminal one, ``ProgressBar``; the notebook one, an ipywidgets bar, is
``helpers.widgets.progress.ProgressWidget``. So the engine never imports a user
interface, and a script or a test simply passes none.
"""

from __future__ import annotations

import sys
import time

from helpers.callbacks import Callback

REDRAW_SECONDS = 0.1  # a display is told of finished mini-batches at most this often (drawing costs more than a step)


class ProgressDisplay(Callback):
    """A progress display as a training callback: ``start`` with the number of mini-batches
    of the whole run, ``update`` as they are done (a few times a second, and at the end of
    each epoch) with the epoch and an estimate of the time left, ``close`` at the end.
    Subclasses write ``start``, ``update`` and ``close``."""

    def on_train_begin(self, run) -> None:
        self._pending, self._began = 0, time.monotonic()
        self._told = self._began
        self.start(run.epochs * run.batches_per_epoch)

    def on_batch_end(self, run) -> None:
        self._pending += 1
        now = time.monotonic()
        if run.batch == run.batches_per_epoch or now - self._told >= REDRAW_SECONDS:
            self.update(self._pending, status=f"epoch {run.epoch + 1}/{run.epochs}{self.time_left(run, now)}")
            self._pending, self._told = 0, now

    def on_epoch_end(self, run) -> None:
        if run.history["validation_accuracy"]:
            self.update(0, status=f"epoch {run.epoch + 1}/{run.epochs}, "
                                  f"validation {run.history['validation_accuracy'][-1]:.2%}"
                                  f"{self.time_left(run, time.monotonic())}")

    def on_train_end(self, run) -> None:
        self.close()

    def time_left(self, run, now: float) -> str:
        """", about 40 s left": the time so far, scaled to the mini-batches still to come."""
        done = run.epoch * run.batches_per_epoch + run.batch
        to_come = run.epochs * run.batches_per_epoch - done
        if done == 0 or to_come <= 0:
            return ""
        left = (now - self._began) * to_come / done
        return f", about {left:.0f} s left" if left < 90 else f", about {left / 60:.0f} min left"


class ProgressBar(ProgressDisplay):
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
