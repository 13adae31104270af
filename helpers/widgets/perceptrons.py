"""Widgets for notebook 02: a perceptron's decision boundary, and a half adder made of NANDs.

The numbers come from plain functions in :mod:`helpers.lessons.perceptrons`
(``boundary_report`` and ``half_adder_wires``); this module only draws them and wires
them to sliders and buttons. The two ``draw_*`` functions are also called directly in
the notebook, so the pictures show on a static page where widgets do not.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import FancyBboxPatch, Patch

from helpers.lessons.perceptrons import NAND_BIAS, NAND_WEIGHTS, boundary_report, half_adder_wires, weighted_input
from helpers.plots import PALETTE, style
from helpers.widgets.figure import FigureView

# Light versions of the two class colours, for the shaded half-planes.
REGION_COLOURS = ["#CCE3F0", "#FAE5B8"]  # pale blue (output 0), pale orange (output 1)


# --- the decision boundary -------------------------------------------------------------


def draw_decision_boundary(ax, X, y, w, b, lim: float = 3.3, title: str | None = None):
    """Draw labelled points, the two half-planes of a perceptron and its boundary line on
    ``ax`` (5.2 x 6.2 inches leaves room for the legend below).

    Label-1 points are orange triangles, label-0 points blue circles; a black ring marks
    every point the perceptron gets wrong. The arrow is the weight vector ``w``: it
    points from the boundary into the side where the output is 1. The picture shows the
    square [-lim, lim]^2, a little larger than the toy points' [-3, 3]^2. Returns ``ax``;
    the numbers drawn are ``boundary_report(X, y, w[0], w[1], b, lim)``.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    w = np.asarray(w, dtype=float)
    report = boundary_report(X, y, w[0], w[1], b, lim)

    grid = np.linspace(-lim, lim, 241)
    g1, g2 = np.meshgrid(grid, grid)
    outputs = (weighted_input(np.column_stack([g1.ravel(), g2.ravel()]), w, b) > 0).reshape(g1.shape)
    ax.pcolormesh(g1, g2, outputs, cmap=ListedColormap(REGION_COLOURS), vmin=0, vmax=1, shading="auto")

    if report.segment is not None:
        (p1, p2), (q1, q2) = report.segment
        ax.plot([p1, q1], [p2, q2], color=PALETTE["black"], lw=2, label="boundary  w·x + b = 0")
        mid = np.array([(p1 + q1) / 2, (p2 + q2) / 2])
        arrow = 0.8 * w / np.linalg.norm(w)
        ax.annotate("", xy=mid + arrow, xytext=mid, arrowprops=dict(arrowstyle="-|>", color=PALETTE["black"], lw=1.5))
        ax.text(*(mid + 1.15 * arrow), "w", ha="center", va="center", fontsize=12, fontweight="bold")

    for label, colour, marker, name in ((0, "blue", "o", "label 0"), (1, "orange", "^", "label 1")):
        mine = y == label
        ax.scatter(X[mine, 0], X[mine, 1], c=PALETTE[colour], marker=marker, s=55, edgecolors="black",
                   linewidths=0.6, label=name, zorder=3)
    if report.n_wrong:
        ax.scatter(X[report.wrong, 0], X[report.wrong, 1], s=260, facecolors="none", edgecolors="black",
                   linewidths=1.8, label="misclassified", zorder=4)

    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    if title is None:
        title = f"w = ({w[0]:.1f}, {w[1]:.1f}), b = {b:.1f}: {report.n_wrong} of {len(X)} points wrong"
    handles, _ = ax.get_legend_handles_labels()
    handles += [Patch(facecolor=REGION_COLOURS[1], edgecolor="grey", label="region where output = 1"),
                Patch(facecolor=REGION_COLOURS[0], edgecolor="grey", label="region where output = 0")]
    return style(ax, title, "input $x_1$ (no unit)", "input $x_2$ (no unit)", title_size=11, grid=False,
                 legend=dict(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=8,
                             frameon=False))


def decision_boundary_widget(X, y, w1: float = 1.0, w2: float = -1.0, b: float = 0.0, lim: float = 3.3):
    """Sliders for ``w1``, ``w2`` and ``b`` that redraw the decision boundary over ``(X, y)``.

    Returns a VBox with extra attributes for tests and curious learners: ``sliders``
    (a dict of the three FloatSliders), ``summary`` (the HTML line with the count of
    misclassified points), ``report`` (the latest ``BoundaryReport``) and ``picture``
    (the Image widget).
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    style = {"description_width": "2.5em"}
    layout = widgets.Layout(width="420px")

    def slider(name, value):
        return widgets.FloatSlider(value=value, min=-5.0, max=5.0, step=0.1, description=name, readout_format=".1f",
                                   continuous_update=False, style=style, layout=layout)

    sliders = {"w1": slider("w₁", w1), "w2": slider("w₂", w2), "b": slider("b", b)}
    summary = widgets.HTML()
    picture = FigureView(lambda fig, w, bias: draw_decision_boundary(fig.subplots(), X, y, w, bias, lim=lim),
                      figsize=(5.2, 6.2))
    box = widgets.VBox([*sliders.values(), summary, picture.image])
    box.sliders, box.summary, box.picture = sliders, summary, picture.image

    def redraw(_change=None):
        w = np.array([sliders["w1"].value, sliders["w2"].value])
        bias = sliders["b"].value
        box.report = boundary_report(X, y, w[0], w[1], bias, lim)
        n_wrong = box.report.n_wrong
        verdict = "all points on the right side!" if n_wrong == 0 else "move the sliders to fix them"
        summary.value = (f"<b>{n_wrong} of {len(X)} points misclassified</b> — {verdict}<br>"
                         f"z = {w[0]:.1f}·x₁ + ({w[1]:.1f})·x₂ + ({bias:.1f})")
        picture.redraw(w=w, bias=bias)

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    return box


# --- the half adder --------------------------------------------------------------------

# Where each gate sits in the diagram (centre x, y). The wires run horizontally and
# vertically, as in a circuit drawing; a dot marks a place where a wire splits.
GATE_POSITIONS = {"n1": (2.2, 2.0), "n2": (4.6, 3.3), "n3": (4.6, 0.7), "sum": (6.9, 2.0), "carry": (4.6, -0.9)}
# The signals on each gate's (upper, lower) input pin. NAND does not care about the order.
GATE_INPUTS = {"n1": ("x1", "x2"), "n2": ("x1", "n1"), "n3": ("n1", "x2"), "sum": ("n2", "n3"), "carry": ("n1", "n1")}
_HALF_W, _HALF_H, _PIN = 0.55, 0.42, 0.17  # half the size of a gate box; pins sit _PIN above/below its centre


def _pin(gate: str, which: int) -> tuple[float, float]:
    """The upper (``which=0``) or lower (``which=1``) input pin of ``gate``."""
    gx, gy = GATE_POSITIONS[gate]
    return gx - _HALF_W, gy + (_PIN if which == 0 else -_PIN)


def _out(gate: str) -> tuple[float, float]:
    gx, gy = GATE_POSITIONS[gate]
    return gx + _HALF_W, gy


def half_adder_paths() -> dict[str, dict[str, list]]:
    """The wires of the half-adder drawing: for each signal, its polylines and split points.

    Returns ``{signal: {"lines": [[(x, y), ...], ...], "dots": [(x, y), ...]}}``. Each
    signal is drawn as one wire that splits at the dots: ``x1`` feeds n1 and n2, ``x2``
    feeds n1 and n3, and ``n1`` feeds n2, n3 and both inputs of the carry gate. The one
    crossing, where n1's wire passes over x2's on its way down to the carry gate, has a
    small hop so that it does not look like a connection.
    """
    x_in = 0.25  # where the input wires start, right of their labels
    (n2u, n2l), (n3u, n3l) = (_pin("n2", 0), _pin("n2", 1)), (_pin("n3", 0), _pin("n3", 1))
    (n1u, n1l), (cu, cl) = (_pin("n1", 0), _pin("n1", 1)), (_pin("carry", 0), _pin("carry", 1))
    (su, sl) = (_pin("sum", 0), _pin("sum", 1))
    x1_y, x2_y = n2u[1], n3l[1]  # the inputs run straight into n2 and n3
    x1_split, x2_split, n1_split, carry_split, out_split = 0.9, 1.3, 3.3, 3.75, 5.75
    n1_out, hop = _out("n1"), 0.13
    # n1's wire going down to the carry gate hops over x2's wire.
    arc = [(n1_split + hop * np.cos(t), x2_y + hop * np.sin(t)) for t in np.linspace(np.pi / 2, -np.pi / 2, 13)]
    return {
        "x1": {"lines": [[(x_in, x1_y), n2u], [(x1_split, x1_y), (x1_split, n1u[1]), n1u]],
               "dots": [(x1_split, x1_y)]},
        "x2": {"lines": [[(x_in, x2_y), n3l], [(x2_split, x2_y), (x2_split, n1l[1]), n1l]],
               "dots": [(x2_split, x2_y)]},
        "n1": {"lines": [[n1_out, (n1_split, n1_out[1]), (n1_split, n2l[1]), n2l],
                         [(n1_split, n1_out[1]), (n1_split, n3u[1]), n3u],
                         [(n1_split, n3u[1]), (n1_split, x2_y + hop), *arc, (n1_split, x2_y - hop),
                          (n1_split, GATE_POSITIONS["carry"][1]), (carry_split, GATE_POSITIONS["carry"][1])],
                         [(carry_split, cu[1]), (carry_split, cl[1])],  # the split into both carry inputs
                         [(carry_split, cu[1]), cu], [(carry_split, cl[1]), cl]],
               "dots": [(n1_split, n1_out[1]), (n1_split, n3u[1]), (carry_split, GATE_POSITIONS["carry"][1])]},
        "n2": {"lines": [[_out("n2"), (out_split, _out("n2")[1]), (out_split, su[1]), su]], "dots": []},
        "n3": {"lines": [[_out("n3"), (out_split, _out("n3")[1]), (out_split, sl[1]), sl]], "dots": []},
        "sum": {"lines": [[_out("sum"), (8.5, _out("sum")[1])]], "dots": []},
        "carry": {"lines": [[_out("carry"), (8.5, _out("carry")[1])]], "dots": []},
    }


def _wire_style(value: int) -> dict:
    """A wire carrying 1 is thick, solid and orange; one carrying 0 thin, dashed and blue."""
    if value:
        return dict(color=PALETTE["orange"], lw=3, ls="-")
    return dict(color=PALETTE["blue"], lw=1.4, ls=(0, (4, 2)))


def draw_half_adder(ax, x1: int, x2: int):
    """Draw the five-NAND half adder on ``ax`` (8 x 4.2 inches fits) with the value on every
    wire for inputs ``x1, x2``, the values of ``half_adder_wires(x1, x2)``.

    A wire carrying 1 is a thick solid orange line, a wire carrying 0 a thin dashed
    blue one; a dot marks where a wire splits. Returns ``ax``.
    """
    wires = half_adder_wires(x1, x2)

    for signal, path in half_adder_paths().items():
        style = _wire_style(wires[signal])
        for line in path["lines"]:
            xs, ys = zip(*line)
            ax.plot(xs, ys, zorder=1, solid_joinstyle="miter", **style)
        for x, y in path["dots"]:
            ax.plot(x, y, "o", ms=7 if wires[signal] else 5.5, color=style["color"], zorder=1.5)
    ax.text(3.72, GATE_POSITIONS["carry"][1] - 0.32, "both inputs = n1", ha="right", va="top", fontsize=8, style="italic")
    for name in ("sum", "carry"):  # the two outputs leave on the right
        ax.text(8.6, GATE_POSITIONS[name][1], f"{name} = {wires[name]}", va="center", fontsize=12, fontweight="bold")

    for name, (gx, gy) in GATE_POSITIONS.items():
        ax.add_patch(FancyBboxPatch((gx - _HALF_W, gy - _HALF_H), 2 * _HALF_W, 2 * _HALF_H, boxstyle="round,pad=0.05",
                                    facecolor="white", edgecolor=PALETTE["black"], lw=1.5, zorder=2))
        label = name if name in ("n1", "n2", "n3") else "out"
        ax.text(gx, gy + 0.13, "NAND", ha="center", va="center", fontsize=10, fontweight="bold", zorder=3)
        ax.text(gx, gy - 0.18, f"{label} = {wires[name]}", ha="center", va="center", fontsize=10, zorder=3)
    paths = half_adder_paths()
    for name in ("x1", "x2"):
        y = paths[name]["lines"][0][0][1]
        ax.text(0.15, y, f"{name} = {wires[name]}", ha="right", va="center", fontsize=12, fontweight="bold")

    ax.set_xlim(-1.3, 10.1)
    ax.set_ylim(-1.7, 4.0)
    ax.axis("off")
    ax.set_title(f"Half adder from five NANDs: {x1} + {x2} = binary {wires['carry']}{wires['sum']}"
                 "\n(thick solid orange wire = 1, thin dashed blue wire = 0; a dot is where a wire splits)",
                 fontsize=11)
    return ax


def describe_half_adder(x1: int, x2: int) -> str:
    """One line of text for the widget: the first NAND's arithmetic and the addition."""
    wires = half_adder_wires(x1, x2)
    z = float(weighted_input([x1, x2], NAND_WEIGHTS, NAND_BIAS))
    return (f"n1 = NAND({x1}, {x2}): z = −2·{x1} − 2·{x2} + 3 = {z:g}, so n1 = {wires['n1']}.  "
            f"{x1} + {x2} = {x1 + x2} = binary {wires['carry']}{wires['sum']}: "
            f"sum = {wires['sum']}, carry = {wires['carry']}.")


def half_adder_widget(x1: int = 1, x2: int = 1):
    """Two buttons for the input bits that redraw the half adder with every wire's value.

    Returns a VBox with ``buttons`` (dict of the two ToggleButtons), ``summary`` (HTML),
    ``wires`` (the latest dict of wire values) and ``picture`` (the Image widget) as
    extra attributes.
    """
    # One row per input, each with its name in front ("input x1 = [0][1]"), so the four
    # buttons do not read as one row "0 1 0 1".
    buttons = {name: widgets.ToggleButtons(options=[("0", 0), ("1", 1)], value=value, description=f"input {name} =",
                                           tooltips=[f"{name} = 0", f"{name} = 1"],
                                           style={"button_width": "3em", "description_width": "6em"})
               for name, value in (("x1", x1), ("x2", x2))}
    summary = widgets.HTML()
    picture = FigureView(lambda fig, a, b: draw_half_adder(fig.subplots(), a, b), figsize=(8, 4.2))
    box = widgets.VBox([widgets.VBox(list(buttons.values())), summary, picture.image])
    box.buttons, box.summary, box.picture = buttons, summary, picture.image

    def redraw(_change=None):
        a, b = buttons["x1"].value, buttons["x2"].value
        box.wires = half_adder_wires(a, b)
        summary.value = describe_half_adder(a, b)
        picture.redraw(a=a, b=b)

    for button in buttons.values():
        button.observe(redraw, names="value")
    redraw()
    return box
