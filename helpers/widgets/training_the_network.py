"""The training monitor of notebook 07: a progress bar and an accuracy curve that grow
while the network trains, and a plain line of text per epoch for where widgets do not show.

It is a training callback, a progress display (``helpers.progress``) that also draws:

    monitor = TrainingMonitor(epochs=30, title="784-100-10, eta = 3.0")
    history = net.SGD(train, 30, 10, 3.0, test_data=test, callbacks=[monitor])

The drawing is a plain function, ``draw_monitor``, tested on its own.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from IPython.display import display
from matplotlib.ticker import MaxNLocator

from helpers.plots import PALETTE
from helpers.progress import ProgressDisplay
from helpers.widgets.figure import FigureView


def epoch_line(epoch: int, epochs: int, history: dict) -> str:
    """One line of text for an epoch: "epoch 3/30: test accuracy 96.80 %, 0.41 s"."""
    parts = [f"epoch {epoch + 1}/{epochs}:"]
    for name in ("validation", "test"):
        if history.get(f"{name}_accuracy"):
            parts.append(f"{name} accuracy {100 * history[f'{name}_accuracy'][-1]:.2f} %,")
    parts.append(f"{history['seconds'][-1]:.2f} s")
    return " ".join(parts)


def draw_monitor(fig, history: dict, epochs: int, title: str = "Training"):
    """The accuracy after each epoch so far (test, and validation if measured), on an
    axis that already spans all ``epochs``, so the curve grows from left to right."""
    ax = fig.subplots()
    done = len(history.get("epoch", []))
    styles = {"test": (PALETTE["blue"], "-", "o"), "validation": (PALETTE["vermillion"], "--", "s")}
    shown = []
    for name, (colour, line, marker) in styles.items():
        values = 100 * np.asarray(history.get(f"{name}_accuracy", []), dtype=float)
        if len(values):
            ax.plot(np.arange(1, len(values) + 1), values, color=colour, linestyle=line, marker=marker,
                    markersize=4, label=f"{name} images")
            shown.append(values)
    ax.set_xlim(0.5, max(epochs, 1) + 0.5)
    # Epochs are whole numbers: never a tick at 0.5 or 1.5, however few epochs the run has.
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10], integer=True, min_n_ticks=1))
    low = min((v.min() for v in shown), default=90.0)
    ax.set_ylim(min(90.0, np.floor(low) - 1), 100)
    ax.set_xlabel("epochs of training")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"{title}: epoch {done}/{epochs}" if done else f"{title}: starting")
    ax.grid(alpha=0.3)
    if shown:
        ax.legend(loc="lower right")
        last = shown[0][-1]
        ax.annotate(f"{last:.2f} %", (len(shown[0]), last), textcoords="offset points", xytext=(0, 8), ha="center")
    return fig


class TrainingMonitor(ProgressDisplay):
    """A progress bar, a growing accuracy curve and a line of text per epoch.

    ``print_lines=True`` also prints each epoch's line in the cell's output, which a static
    page or a front end without widgets still shows.
    """

    def __init__(self, epochs: int, title: str = "Training", print_lines: bool = True):
        self.epochs, self.title, self.print_lines = epochs, title, print_lines
        self.bar = widgets.IntProgress(value=0, min=0, max=1, description="Training")
        self.label = widgets.Label(value="")
        self.picture = FigureView(lambda fig, history: draw_monitor(fig, history, self.epochs, title), figsize=(7, 3.4))
        self.box = widgets.VBox([widgets.HBox([self.bar, self.label]), self.picture.image])
        self.lines: list[str] = []

    def on_train_begin(self, run) -> None:
        self.epochs = run.epochs  # the run's, whatever the monitor was told
        super().on_train_begin(run)

    def start(self, total: int) -> None:
        self.bar.max, self.bar.value = max(int(total), 1), 0
        self.picture.redraw(history={})
        display(self.box)

    def update(self, n: int = 1, status: str | None = None) -> None:
        self.bar.value = min(self.bar.value + n, self.bar.max)
        if status is not None:
            self.label.value = status

    def on_epoch_end(self, run) -> None:
        super().on_epoch_end(run)
        history = run.history
        line = epoch_line(run.epoch, self.epochs, history)
        self.lines.append(line)
        self.label.value = line
        self.picture.redraw(history=history)
        if self.print_lines:
            print(line, flush=True)

    def close(self) -> None:
        self.bar.bar_style = "success" if self.bar.value >= self.bar.max else "warning"
