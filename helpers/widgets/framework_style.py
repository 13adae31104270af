"""Notebook 10's widget: plain gradient descent and Adam side by side in a narrow valley.

The paths are computed by ``helpers.lessons.framework_style.optimizer_path`` with the
course's own update rules (``GradientStep`` and ``Adam``); this module only wires two
sliders to it and draws with ``FigureView``.
"""

from __future__ import annotations

import ipywidgets as widgets

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

    ``box.paths`` holds the latest paths by rule name, ``box.picture`` the Image widget,
    ``box.eta``, ``box.steps`` the sliders and ``box.typed`` the text box, so the widget can
    be driven from code.
    """
    style, layout = {"description_width": "110px"}, widgets.Layout(width="420px")
    eta = race_eta(eta)
    choices = sorted(set(ETA_CHOICES) | {eta})
    # No readout: a SelectionSlider's readout can be typed into, but ipywidgets 8 never applies
    # what is typed there (issue 20). The text box beside it does.
    eta_slider = widgets.SelectionSlider(options=choices, value=eta, description="learning rate η",
                                         readout=False, continuous_update=False, style=style, layout=layout)
    typed = widgets.Text(value=f"{eta:g}", description="η =", continuous_update=False,
                         style={"description_width": "24px"}, layout=widgets.Layout(width="140px"))
    typed_note = widgets.Label("(type a value and press Enter)")
    steps_slider = widgets.IntSlider(value=steps, min=1, max=300, description="steps",
                                     continuous_update=False, style=style, layout=layout)
    summary = widgets.Label()

    def draw_race(fig, paths, eta):
        ax = fig.subplots()
        draw_paths(ax, paths, title=f"η = {eta:g}: the valley is {STEEP:g} times steeper across than along")

    picture = FigureView(draw_race, figsize=(7.5, 4.2))

    def draw(*_):
        paths = {name: optimizer_path(rule, eta_slider.value, steps_slider.value) for name, rule in RULES.items()}
        box.paths = paths
        typed.value = f"{eta_slider.value:g}"
        typed_note.value = "(type a value and press Enter)"
        summary.value = race_summary(paths, steps_slider.value)
        picture.redraw(paths=paths, eta=eta_slider.value)

    def apply_typed(change):
        try:
            value = race_eta(change["new"])
        except ValueError as error:
            typed_note.value = f"{error}: still η = {eta_slider.value:g}"
            return
        if value == eta_slider.value:
            typed.value = f"{value:g}"
            return
        if value not in eta_slider.options:  # a value between the choices becomes one of them
            current = eta_slider.value
            with eta_slider.hold_trait_notifications():
                eta_slider.unobserve(draw, names="value")
                eta_slider.options = sorted(set(eta_slider.options) | {value})
                eta_slider.value = current
                eta_slider.observe(draw, names="value")
        eta_slider.value = value  # draws

    box = widgets.VBox([widgets.HBox([eta_slider, typed, typed_note]), steps_slider, summary, picture.image])
    box.eta, box.steps, box.typed, box.picture, box.summary = eta_slider, steps_slider, typed, picture.image, summary
    for slider in (eta_slider, steps_slider):
        slider.observe(draw, names="value")
    typed.observe(apply_typed, names="value")
    draw()
    return box
