"""A progress bar that works in a notebook and in a terminal, with no extra package.

In JupyterLab it is an ipywidgets bar with a line of text beside it; in a terminal it
is one line on stderr redrawn in place. Both show the same ``description`` and
``status`` text, so a learner sees the same thing wherever they run the code.
"""

from __future__ import annotations

import sys
import time


def in_notebook() -> bool:
    """True when running inside a Jupyter kernel (where widgets can be shown)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


class ProgressBar:
    """Show progress from 0 to ``total``; use ``update(n)`` and ``close()``, or ``with``.

    ``quiet=True`` shows nothing (for tests and scripts that print their own summary); so
    does a terminal bar whose stderr goes to a file or a pipe.
    """

    def __init__(self, total: int, description: str = "", quiet: bool = False, unit: str = ""):
        self.total = max(int(total), 1)
        self.description = description
        self.unit = unit
        self.count = 0
        self.quiet = quiet
        self._status = ""
        self._last_draw = 0.0
        self._widget = None
        if quiet:
            return
        if not in_notebook() and not sys.stderr.isatty():
            self.quiet = True  # output sent to a file or a pipe: no bar to redraw there
            return
        if in_notebook():
            import ipywidgets as widgets
            from IPython.display import display

            self._bar = widgets.IntProgress(value=0, min=0, max=self.total, description=description)
            self._label = widgets.Label(value="")
            self._widget = widgets.HBox([self._bar, self._label])
            display(self._widget)
        else:
            self._draw(force=True)

    def update(self, n: int = 1, status: str | None = None) -> None:
        """Advance by ``n`` steps; ``status`` replaces the text shown beside the bar."""
        self.count = min(self.count + n, self.total)
        if status is not None:
            self._status = status
        self._draw(force=self.count == self.total)

    def _draw(self, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:  # redrawing costs more than the work
            return
        self._last_draw = now
        if self._widget is not None:
            self._bar.value = self.count
            self._label.value = self._status
            return
        width = 30
        filled = int(width * self.count / self.total)
        bar = "#" * filled + "-" * (width - filled)
        # \r goes back to the start of the line, ESC[K clears what a longer line left there
        line = f"\r\033[K{self.description} [{bar}] {self.count}/{self.total}{self.unit} {self._status}"
        sys.stderr.write(line)
        sys.stderr.flush()

    def close(self) -> None:
        """Finish the bar (the terminal version moves to a new line)."""
        if self.quiet:
            return
        self._draw(force=True)
        if self._widget is None:
            sys.stderr.write("\n")
            sys.stderr.flush()
        else:
            self._bar.bar_style = "success" if self.count >= self.total else ""

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
