"""Notebook 04's widget: browse the hidden neurons of one or more networks.

A dropdown picks the network (e.g. "untrained" or "trained for one epoch"), a slider
picks hidden neuron (hidden unit) j of layer 1, and the picture shows j's 784 incoming
weights (row j of w^1, ``net.weights[0]``) as a 28 x 28 image, how strongly each digit
makes it fire, and the images that excite it most. The work is done by
``helpers.lessons.the_network.hidden_unit_view``.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from helpers.lessons.the_network import draw_hidden_unit, hidden_activations, hidden_unit_view
from helpers.widgets.figure import FigureView


def hidden_unit_browser(networks: dict, X: np.ndarray, y: np.ndarray, k: int = 8, unit: int = 0) -> widgets.VBox:
    """A dropdown over ``networks`` (name -> network) and a slider over hidden neurons.

    ``X``, ``y`` are the examples used to find what excites each neuron (a few thousand
    is plenty). The box's ``view`` attribute holds the last ``HiddenUnitView`` drawn,
    ``picture`` is the Image widget showing it, and ``draw()`` redraws, so it can be used
    and tested without a browser.
    """
    if not networks:
        raise ValueError("give at least one network to browse, as a dict name -> network")
    names = list(networks)
    n_hidden = networks[names[0]].weights[0].shape[0]
    # Hidden activations for every example, once per network: moving the slider is then instant.
    activations = {name: hidden_activations(net, X) for name, net in networks.items()}

    choice = widgets.Dropdown(options=names, value=names[0], description="Network")
    slider = widgets.IntSlider(value=unit, min=0, max=n_hidden - 1, description="Hidden unit",
                               continuous_update=False)
    # draw_hidden_unit's constrained layout already fits the figure to what is drawn: no need to crop (tight).
    picture = FigureView(lambda fig, view, name: draw_hidden_unit(fig, view, X, name=name), figsize=(10, 5.2),
                         tight=False)
    box = widgets.VBox([widgets.HBox([choice, slider]), picture.image])
    box.picture = picture.image

    def draw(*_):
        net = networks[choice.value]
        view = hidden_unit_view(net, X, y, slider.value, k=k, activations=activations[choice.value])
        box.view = view
        picture.redraw(view=view, name=choice.value)

    def switch(change):
        # networks may differ in size: keep the slider within this one's hidden layer
        slider.max = networks[change["new"]].weights[0].shape[0] - 1
        draw()

    choice.observe(switch, names="value")
    slider.observe(draw, names="value")
    box.draw = draw
    draw()
    return box
