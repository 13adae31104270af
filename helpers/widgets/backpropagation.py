"""Notebook 06's widget: step through backpropagation on a tiny network.

The work is done by ``helpers.lessons.backpropagation`` (the record of every step, tested against
``Network.backprop``); this module only shows one step of that record at a time, with
Prev / Next buttons and a slider, and a choice of which example to draw.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from helpers.lessons.backpropagation import backprop_steps, draw_step, format_step
from helpers.widgets.figure import FigureView


def backprop_stepper(net, X, Y, start: int = 1) -> widgets.VBox:
    """A widget that reveals the forward pass layer by layer, then the backward pass
    (E^L, E^(L-1), ...) and the gradients, with the equation used at each step.

    ``box.steps`` is the whole record, ``box.shown`` the step on show and ``box.picture``
    the Image widget drawing it; ``box.slider``, ``box.prev``, ``box.next`` and
    ``box.example`` are the controls.
    """
    steps = backprop_steps(net, X, Y)
    n_examples = len(steps[0].values["A⁰"])
    slider = widgets.IntSlider(value=start, min=1, max=len(steps), description="step", continuous_update=False)
    prev = widgets.Button(description="◀ Prev", tooltip="the step before", layout=widgets.Layout(width="90px"))
    next_ = widgets.Button(description="Next ▶", tooltip="the next step", layout=widgets.Layout(width="90px"))
    example = widgets.Dropdown(
        options=[(f"example {i}", i) for i in range(n_examples)], value=0, description="draw",  # from 0
        layout=widgets.Layout(width="200px"),
    )
    caption = widgets.HTMLMath()
    numbers = widgets.HTML()
    # draw_step sizes the figure to the network
    picture = FigureView(lambda fig, upto, example: draw_step(fig, steps, upto, example))

    def show(*_):
        step = steps[slider.value - 1]
        box.shown = step
        prev.disabled = slider.value == slider.min
        next_.disabled = slider.value == slider.max
        caption.value = f"<b>Step {step.number} of {step.total}: {html.escape(step.title)}</b>$$ {step.equation} $$"
        numbers.value = f"<pre style='line-height:1.25'>{html.escape(format_step(step))}</pre>"
        picture.redraw(upto=slider.value, example=example.value)

    def go(delta):
        slider.value = min(max(slider.value + delta, slider.min), slider.max)

    prev.on_click(lambda _: go(-1))
    next_.on_click(lambda _: go(+1))
    box = widgets.VBox([widgets.HBox([prev, next_, slider, example]), caption, picture.image, numbers])
    box.steps, box.slider, box.prev, box.next, box.example = steps, slider, prev, next_, example
    box.picture = picture.image
    slider.observe(show, names="value")
    example.observe(show, names="value")
    show()
    return box
