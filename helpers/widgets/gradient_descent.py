"""Notebook 05's widget: gradient descent on the 2-D bowl, with a learning-rate slider.

The work is done by ``helpers.lessons.gradient_descent.gradient_descent`` and ``describe_run``; this
module only wires sliders to them and draws the result. Also here: ``LiveCurve``, the
training callback that draws the cost and accuracy curves while the one-layer model trains.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from IPython.display import Image, display
from matplotlib.figure import Figure  # not pyplot's: nothing to close, nothing shown twice

from helpers.callbacks import Callback
from helpers.plots import PALETTE
from helpers.training import score
from helpers.widgets.figure import png_bytes
from helpers.lessons.gradient_descent import BOWL_START, bowl_gradient, describe_run, draw_bowl, draw_costs, gradient_descent
from helpers.widgets.figure import FigureView

# The learning rates the slider offers: roughly doubling from 0.001 to 0.1, then close
# together around the two interesting values of the bowl, 0.125 (v2 reaches the valley
# floor in one step; above it the path zigzags) and 0.25 (above it, it diverges).
ETA_CHOICES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.11, 0.12, 0.125, 0.13, 0.15, 0.175, 0.2,
               0.22, 0.24, 0.245, 0.25, 0.251, 0.255, 0.26, 0.28, 0.3)


def run_summary(run: dict, eta: float) -> str:
    """One line saying where a run ended and what happened, e.g. for the widget's label."""
    v1, v2 = run["final"]
    steps = f"{run['steps']} step" + ("" if run["steps"] == 1 else "s")
    text = (f"η = {eta:.3g}, after {steps}: v = ({v1:.3g}, {v2:.3g}), "
            f"C = {run['final_cost']:.3g} → {run['verdict']}")
    if run["zigzag"]:
        text += " (zigzagging across the valley)"
    return text


def bowl_descent(eta: float = 0.1, steps: int = 30, start=BOWL_START) -> widgets.VBox:
    """Sliders for the learning rate η (the values in ``ETA_CHOICES``), the number of
    steps and the start point.

    Each change reruns gradient descent and redraws the path over the contour lines and
    the cost at each step. The latest run is kept in ``box.run`` (what
    ``describe_run`` returned), the picture is ``box.picture`` and the sliders are
    ``box.eta``, ``box.steps``, ``box.v1``, ``box.v2``, so the widget can be driven
    from code.
    """
    style = {"description_width": "110px"}
    layout = widgets.Layout(width="420px")
    choices = sorted(set(ETA_CHOICES) | {float(eta)})  # a learner's own eta is offered too
    eta_slider = widgets.SelectionSlider(options=choices, value=float(eta), description="learning rate η",
                                         continuous_update=False, style=style, layout=layout)
    steps_slider = widgets.IntSlider(value=steps, min=1, max=100, description="steps",
                                     continuous_update=False, style=style, layout=layout)
    v1_slider = widgets.FloatSlider(value=start[0], min=-4.5, max=4.5, step=0.5, description="start v1",
                                    continuous_update=False, style=style, layout=layout)
    v2_slider = widgets.FloatSlider(value=start[1], min=-2.5, max=2.5, step=0.5, description="start v2",
                                    continuous_update=False, style=style, layout=layout)
    summary = widgets.Label()

    def draw_run(fig, path, eta, verdict):
        left, right = fig.subplots(1, 2)
        label = f"η = {eta:.3g}"
        draw_bowl(left, [(label, path)], title=f"Path of gradient descent: {verdict}")
        draw_costs(right, [(label, path)], title="Cost after each step (log scale)")
        # Fixed margins: what tight_layout chooses over every slider setting, with the widest gap
        # the log-scale labels need. Twice as fast as tight_layout, and the plots never jump.
        fig.subplots_adjust(left=0.054, right=0.987, bottom=0.138, top=0.914, wspace=0.29)

    picture = FigureView(draw_run, figsize=(12, 4.2), dpi=80, tight=False)  # 960 x 336 pixels, as before

    def draw(*_):
        path = gradient_descent(bowl_gradient, (v1_slider.value, v2_slider.value), eta_slider.value, steps_slider.value)
        run = describe_run(path)
        box.run = run
        summary.value = run_summary(run, eta_slider.value)
        picture.redraw(path=path, eta=eta_slider.value, verdict=run["verdict"])

    box = widgets.VBox([widgets.HBox([widgets.VBox([eta_slider, steps_slider]), widgets.VBox([v1_slider, v2_slider])]),
                        summary, picture.image])
    box.eta, box.steps, box.v1, box.v2 = eta_slider, steps_slider, v1_slider, v2_slider
    box.picture = picture.image
    for slider in (eta_slider, steps_slider, v1_slider, v2_slider):
        slider.observe(draw, names="value")
    draw()
    return box


class LiveCurve(Callback):
    """A training callback: record the cost, and redraw the curve as it grows.

    ``train(model, ..., callbacks=[LiveCurve(model, X, Y, X_val, y_val)])``. After every
    ``every`` mini-batches (and at the end of each epoch) it records the cost of ``model``
    on (X, Y), a fixed set of training examples; at the end of each epoch it also records
    the accuracy on (X_val, y_val) and, when ``show``, redraws the figure in the notebook,
    so the learner watches the cost fall while the model trains.

    The picture is drawn the widgets' way (a plain ``Figure``, no pyplot, rendered by
    ``helpers.widgets.figure.png_bytes``) but shown as an ordinary PNG output that each
    redraw updates in place: the last curve then stays in the saved notebook and on a
    static page, and nothing else in the cell's output is cleared.
    """

    def __init__(self, model, X, Y, X_val, y_val, title: str = "Training", show: bool = True,
                 epochs: int | None = None, every: int = 200):
        self.model, self.X, self.Y, self.X_val, self.y_val = model, X, Y, X_val, y_val
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a whole number of mini-batches >= 1, got {every!r}")
        self.title, self.show, self.epochs, self.every = title, show, epochs, every
        self.progress, self.costs = [], []
        self.epoch_ends, self.accuracies = [], []
        self.shown = None  # the display handle of the picture, once there is one

    def on_train_begin(self, run) -> None:
        """Record the starting point (the x axis ends at the run's last epoch)."""
        self.epochs = self.epochs or run.epochs
        self.record(0.0)

    def on_batch_end(self, run) -> None:
        if run.batch % self.every == 0 or run.batch == run.batches_per_epoch:
            self.record(run.epoch + run.batch / run.batches_per_epoch)

    def record(self, progress: float) -> None:
        """Measure the cost after ``progress`` epochs (and, at an epoch's end, the accuracy)."""
        self.progress.append(progress)
        self.costs.append(self.model.cost(self.X, self.Y))
        if abs(progress - round(progress)) < 1e-9:  # the end of an epoch (or the start)
            self.epoch_ends.append(float(round(progress)))
            self.accuracies.append(score(self.model, self.X_val, self.y_val))
            if self.show and progress > 0:  # at the start there is only one point to show
                self.redraw()

    def figure(self):
        """A new figure with the two curves so far: cost (left) and accuracy (right)."""
        fig = Figure(figsize=(10, 3.6))
        left, right = fig.subplots(1, 2)
        right_edge = self.epochs if self.epochs else max(self.progress[-1], 1)
        left.plot(self.progress, self.costs, color=PALETTE["blue"], marker="o", markersize=3, linestyle="-")
        left.set_xlim(0, right_edge)
        left.set_yscale("log")  # the first steps lower C ten-fold; later progress is small but real
        left.set_xlabel("epochs of training")
        left.set_ylabel("quadratic cost C (log scale)")
        left.set_title(f"Cost on {len(self.X):,} training images")
        left.grid(alpha=0.45, which="major")  # the labelled lines: each a cost ten times smaller
        left.grid(alpha=0.12, which="minor")
        right.plot(self.epoch_ends, 100 * np.array(self.accuracies), color=PALETTE["vermillion"],
                   marker="s", linestyle="--")
        right.set_xlim(0, right_edge)
        right.set_ylim(0, 100)
        right.set_xlabel("epochs of training")
        right.set_ylabel("accuracy (%)")
        right.set_title("Accuracy on the validation images")
        right.grid(alpha=0.3)
        if self.accuracies:
            right.annotate(f"{100 * self.accuracies[-1]:.1f} %", (self.epoch_ends[-1], 100 * self.accuracies[-1]),
                           textcoords="offset points", xytext=(-10, -18), ha="right")
        fig.suptitle(self.title)
        fig.tight_layout()
        return fig

    def redraw(self) -> None:
        picture = Image(png_bytes(self.figure()), format="png")
        if self.shown is None:
            self.shown = display(picture, display_id=True)  # None where there is no notebook
        else:
            self.shown.update(picture)
