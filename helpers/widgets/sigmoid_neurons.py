"""Notebook 03's widget: a sigmoid neuron turning into a perceptron as its scale c grows.

A one-input neuron with weight ``w`` and bias ``b``. The perceptron answers
``step(w x + b)``; the sigmoid neuron with everything scaled by ``c`` answers
``σ(c (w x + b))``. Three sliders (c, w, b) redraw both against the input ``x``; the
numbers come from :func:`helpers.lessons.sigmoid_neurons.sigmoid_vs_step`.
"""

from __future__ import annotations

import ipywidgets as widgets
from helpers.plots import PALETTE, style
from helpers.lessons.sigmoid_neurons import SigmoidVsStep, sigmoid_vs_step
from helpers.widgets.figure import FigureView


def draw_sigmoid_vs_step(ax, result: SigmoidVsStep, c: float, legend: bool = True):
    """Draw the scaled sigmoid neuron and the perceptron of ``result`` on ``ax``; returns ``ax``."""
    ax.plot(result.x, result.step, color=PALETTE["black"], linestyle="--", linewidth=2,
            label="perceptron: step(w x + b)")
    ax.plot(result.x, result.sigmoid, color=PALETTE["blue"], linestyle="-", linewidth=2.5,
            label=f"sigmoid neuron: σ(c (w x + b)), c = {c:g}")
    if result.threshold is not None and result.x[0] <= result.threshold <= result.x[-1]:
        ax.axvline(result.threshold, color=PALETTE["vermillion"], linestyle=":", linewidth=1.5,
                   label=f"threshold w x + b = 0 (x = {result.threshold:.2f})")
    ax.set_ylim(-0.08, 1.08)
    ax.set_xlim(result.x[0], result.x[-1])
    # the legend beside the plot, off the curves
    return style(ax, f"c = {c:g}\nlargest gap where |w x + b| ≥ {result.margin:g}: {result.largest_gap:.3f}",
                 "input x (no unit)", "output a (between 0 and 1)",
                 legend=dict(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8) if legend else None)


def describe(result: SigmoidVsStep, w: float, b: float, c: float) -> str:
    """One sentence for the readout under the plot."""
    return (
        f"Sigmoid neuron with weight c·w = {c * w:.3g} and bias c·b = {c * b:.3g}. "
        f"Wherever the perceptron is clearly decided (|w x + b| ≥ {result.margin:g}), "
        f"the two outputs differ by at most <b>{result.largest_gap:.3f}</b>."
    )


def sigmoid_vs_step_widget(c: float = 1.0, w: float = 1.0, b: float = 0.0) -> widgets.VBox:
    """Sliders for the scale ``c`` (logarithmic, 0.1 to 1000), the weight ``w`` and the bias ``b``.

    The box keeps what it shows in ``box.result`` (a :class:`SigmoidVsStep`), so tests
    and curious learners can read the numbers behind the picture (``box.picture``).
    """
    style = {"description_width": "110px"}
    layout = widgets.Layout(width="460px")
    c_slider = widgets.FloatLogSlider(value=c, base=10, min=-1, max=3, step=0.05, description="scale c",
                                      readout_format=".3g", continuous_update=False, style=style, layout=layout)
    w_slider = widgets.FloatSlider(value=w, min=-3, max=3, step=0.1, description="weight w",
                                   continuous_update=False, style=style, layout=layout)
    b_slider = widgets.FloatSlider(value=b, min=-3, max=3, step=0.1, description="bias b",
                                   continuous_update=False, style=style, layout=layout)
    readout = widgets.HTML()

    def draw_plot(fig, result, c):
        draw_sigmoid_vs_step(fig.subplots(), result, c)
        fig.tight_layout()

    picture = FigureView(draw_plot, figsize=(10, 3.8))

    def draw(*_):
        result = sigmoid_vs_step(w_slider.value, b_slider.value, c_slider.value)
        box.result = result
        readout.value = describe(result, w_slider.value, b_slider.value, c_slider.value)
        picture.redraw(result=result, c=c_slider.value)

    box = widgets.VBox([c_slider, w_slider, b_slider, readout, picture.image])
    box.sliders, box.picture = {"c": c_slider, "w": w_slider, "b": b_slider}, picture.image
    for slider in (c_slider, w_slider, b_slider):
        slider.observe(draw, names="value")
    draw()
    return box
