"""Notebook 05's widget: gradient descent on the 2-D bowl, with a learning-rate slider.

The work is done by ``helpers.lessons.gradient_descent.gradient_descent`` and ``describe_run``; this
module only wires sliders to them and draws the result.
"""

from __future__ import annotations

import ipywidgets as widgets

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
