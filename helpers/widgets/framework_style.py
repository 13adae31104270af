"""Notebook 10's widget: plain gradient descent and Adam side by side in a narrow valley.

The paths are computed by ``helpers.lessons.framework_style.optimizer_path`` with the
course's own update rules (``GradientStep`` and ``Adam``); this module only wires two
sliders to it and draws with ``FigureView``.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from helpers.lessons.framework_style import STEEP, draw_paths, optimizer_path, path_verdict, race_eta
from helpers.widgets.figure import FigureView

# Plain gradient descent on the valley is stable for eta < 2 / STEEP = 0.08: the choices
# crowd around that edge. Adam's step is about eta in each direction, whatever the slope.
ETA_CHOICES = (0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.07, 0.079, 0.081, 0.09, 0.1, 0.2, 0.3, 0.5)
RULES = {"plain gradient descent (sgd)": "sgd", "Adam": "adam"}


def race_summary(paths: dict, steps: int) -> str:
    """One line per rule: where it ended after ``steps`` steps."""
    parts = []
    for name, path in paths.items():
        v1, v2 = path[-1]
        where = f"at ({v1:.3g}, {v2:.3g})" if abs(v1) < 1e4 and abs(v2) < 1e4 else "far outside the picture"
        parts.append(f"{name}: {path_verdict(path, steps)}, {where}")
    return ";  ".join(parts)


def valley_race(eta: float = 0.05, steps: int = 100) -> widgets.VBox:
    """Sliders for the learning rate eta and the number of steps, and a box to type any eta
    into; both rules start at the star.

    ``box.paths`` holds the latest paths by rule name and ``box.eta_raced`` their eta,
    ``box.picture`` the Image widget, ``box.eta``, ``box.steps`` the sliders and ``box.typed``
    the text box, so the widget can be driven from code.
    """
    style, layout = {"description_width": "110px"}, widgets.Layout(width="420px")
    eta = race_eta(eta)
    choices = sorted(set(ETA_CHOICES) | {eta})
    # No readout: a SelectionSlider's readout can be typed into, but ipywidgets 8 never applies
    # what is typed there (issue 20). The text box beside it does. The slider's choices never
    # change (new options make the browser's slider jump back to its first choice): a typed
    # value between them moves the slider to the nearest, and the race runs with the typed one.
    eta_slider = widgets.SelectionSlider(options=choices, value=eta, description="learning rate η",
                                         readout=False, continuous_update=False, style=style, layout=layout)
    typed = widgets.Text(value=f"{eta:g}", description="η =", continuous_update=False,
                         style={"description_width": "24px"}, layout=widgets.Layout(width="140px"))
    typed_note = widgets.Label("(type a value and press Enter)")
    steps_slider = widgets.IntSlider(value=steps, min=1, max=300, description="steps",
                                     continuous_update=False, style=style, layout=layout)
    summary = widgets.Label()
    state = {"eta": eta, "quiet": False}  # the eta raced with; quiet: the slider moved by the box

    def draw_race(fig, paths, eta):
        ax = fig.subplots()
        draw_paths(ax, paths, title=f"η = {eta:g}: the valley is {STEEP:g} times steeper across than along")

    picture = FigureView(draw_race, figsize=(7.5, 4.2))

    def draw(*_):
        paths = {name: optimizer_path(rule, state["eta"], steps_slider.value) for name, rule in RULES.items()}
        box.paths, box.eta_raced = paths, state["eta"]
        typed.value = f"{state['eta']:g}"
        typed_note.value = "(type a value and press Enter)"
        summary.value = race_summary(paths, steps_slider.value)
        picture.redraw(paths=paths, eta=state["eta"])

    def slider_moved(change):
        if not state["quiet"]:
            state["eta"] = change["new"]
            draw()

    def apply_typed(change):
        try:
            value = race_eta(change["new"])
        except ValueError as error:
            typed_note.value = f"{error}: still η = {state['eta']:g}"
            return
        if value == state["eta"]:  # the box written by draw, or the same value again
            typed.value = f"{value:g}"
            return
        state["eta"] = value
        nearest = min(choices, key=lambda c: abs(np.log(c / value)))
        state["quiet"] = True
        try:
            eta_slider.value = nearest
        finally:
            state["quiet"] = False
        draw()

    box = widgets.VBox([widgets.HBox([eta_slider, typed, typed_note]), steps_slider, summary, picture.image])
    box.eta, box.steps, box.typed, box.picture, box.summary = eta_slider, steps_slider, typed, picture.image, summary
    eta_slider.observe(slider_moved, names="value")
    steps_slider.observe(draw, names="value")
    typed.observe(apply_typed, names="value")
    draw()
    return box
