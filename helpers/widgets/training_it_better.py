"""Notebook 08's widget: one sigmoid neuron learning with the quadratic and the
cross-entropy cost, side by side, from a start the learner chooses.

The work is done by ``helpers.lessons.training_it_better.train_neuron`` and
``draw_neuron_runs``; this module only wires sliders to them and says in words what
happened (``slowdown_summary``, tested on its own).
"""

from __future__ import annotations

import ipywidgets as widgets

from helpers.activations import sigmoid
from helpers.lessons.training_it_better import COST_NAMES, draw_neuron_runs, epochs_to_reach, train_neuron
from helpers.widgets.figure import FigureView

TARGET_OUTPUT = 0.2  # "has learned": the output has come down from near 1 to below this


def slowdown_summary(runs: dict, w: float, b: float, x: float = 1.0) -> str:
    """One line for the widget: where the neuron started, and after how many epochs each
    cost brought its output below ``TARGET_OUTPUT`` (or that it had not yet)."""
    parts = [f"start: z = {w * x + b:.2f}, a = σ(z) = {float(sigmoid(w * x + b)):.3f}."]
    for cost, run in runs.items():
        reached = epochs_to_reach(run, TARGET_OUTPUT)
        when = f"below {TARGET_OUTPUT} after {reached} epochs" if reached is not None else \
            f"still at {run['a'][-1]:.2f} after {len(run['a']) - 1} epochs"
        parts.append(f"{COST_NAMES[cost]}: {when}.")
    return " ".join(parts)


def slowdown_explorer(w: float = 2.0, b: float = 2.0, eta: float = 0.15, epochs: int = 300,
                      x: float = 1.0, y: float = 0.0) -> widgets.VBox:
    """Sliders for the neuron's starting weight and bias, the learning rate and the number
    of epochs; each change retrains the neuron with both costs and redraws both curves.

    The runs are kept in ``box.runs`` and the sliders are ``box.w``, ``box.b``,
    ``box.eta``, ``box.epochs``, so the widget can be driven from code.
    """
    style = {"description_width": "120px"}
    layout = widgets.Layout(width="400px")
    w_slider = widgets.FloatSlider(value=w, min=-1.0, max=5.0, step=0.1, description="starting weight w",
                                   continuous_update=False, style=style, layout=layout)
    b_slider = widgets.FloatSlider(value=b, min=-1.0, max=5.0, step=0.1, description="starting bias b",
                                   continuous_update=False, style=style, layout=layout)
    eta_slider = widgets.FloatLogSlider(value=eta, base=10, min=-2, max=0.5, step=0.05, description="learning rate η",
                                        continuous_update=False, style=style, layout=layout)
    epochs_slider = widgets.IntSlider(value=epochs, min=10, max=600, step=10, description="epochs",
                                      continuous_update=False, style=style, layout=layout)
    summary = widgets.Label()
    picture = FigureView(lambda fig, runs: draw_neuron_runs(fig, runs, y=y, title=f"One neuron, input x = {x:g}, "
                                                            f"learning to output y = {y:g}"),
                         figsize=(10, 3.6))

    def draw(*_):
        runs = {cost: train_neuron(w_slider.value, b_slider.value, x, y, eta_slider.value, epochs_slider.value, cost)
                for cost in ("quadratic", "cross_entropy")}
        box.runs = runs
        summary.value = slowdown_summary(runs, w_slider.value, b_slider.value, x)
        picture.redraw(runs=runs)

    box = widgets.VBox([widgets.HBox([widgets.VBox([w_slider, b_slider]), widgets.VBox([eta_slider, epochs_slider])]),
                        summary, picture.image])
    box.w, box.b, box.eta, box.epochs, box.picture = w_slider, b_slider, eta_slider, epochs_slider, picture.image
    for slider in (w_slider, b_slider, eta_slider, epochs_slider):
        slider.observe(draw, names="value")
    draw()
    return box
