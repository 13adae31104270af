"""The notebook 02 widgets, driven from Python: setting a slider gives the expected result."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import perceptron as p  # noqa: E402
from helpers.widgets import perceptron as wp  # noqa: E402


@pytest.fixture
def points():
    return p.toy_points(np.random.default_rng(2), n=30)


def test_decision_boundary_widget_counts_mistakes_as_the_sliders_move(points):
    X, y = points
    box = wp.decision_boundary_widget(X, y, w1=1.0, w2=-1.0, b=0.0)
    assert set(box.sliders) == {"w1", "w2", "b"}
    expected = p.boundary_report(X, y, 1.0, -1.0, 0.0).n_wrong
    assert box.report.n_wrong == expected > 0
    assert f"{expected} of 30 points misclassified" in box.summary.value

    # The rule that made the labels classifies every point correctly.
    box.sliders["w1"].value, box.sliders["w2"].value, box.sliders["b"].value = 1.0, 2.0, -1.0
    assert box.report.n_wrong == 0
    assert "0 of 30 points misclassified" in box.summary.value

    # Flipping every sign swaps the two sides, so every point is wrong.
    box.sliders["w1"].value, box.sliders["w2"].value, box.sliders["b"].value = -1.0, -2.0, 1.0
    assert box.report.n_wrong == 30
    plt.close("all")


def test_half_adder_widget_shows_the_sum_and_carry_of_the_buttons():
    box = wp.half_adder_widget(x1=0, x2=0)
    for x1, x2 in [(0, 1), (1, 1), (1, 0), (0, 0)]:
        box.buttons["x1"].value, box.buttons["x2"].value = x1, x2
        assert (box.wires["sum"], box.wires["carry"]) == p.half_adder(x1, x2)
        assert f"sum = {x1 ^ x2}, carry = {x1 & x2}" in box.summary.value
    plt.close("all")


def test_plots_return_what_they_drew(points):
    X, y = points
    fig, ax = plt.subplots()
    report = wp.plot_decision_boundary(X, y, p.TOY_WEIGHTS, p.TOY_BIAS, ax=ax)
    assert report.n_wrong == 0 and "0 of 30 points wrong" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    fig, ax = plt.subplots()
    assert wp.plot_half_adder(1, 1, ax=ax)["carry"] == 1
    assert "1 + 1 = binary 10" in ax.get_title()
    plt.close("all")


def test_describe_half_adder_shows_the_nand_arithmetic():
    assert "z = −2·1 − 2·1 + 3 = -1, so n1 = 0" in wp.describe_half_adder(1, 1)


def test_half_adder_drawing_wires_every_gate_input_to_the_right_signal():
    paths = wp.half_adder_paths()
    ends = {signal: {line[-1] for line in path["lines"]} for signal, path in paths.items()}
    for gate, (upper, lower) in wp.GATE_INPUTS.items():
        assert wp._pin(gate, 0) in ends[upper] and wp._pin(gate, 1) in ends[lower], gate
    # n1 reaches the carry gate as one wire that splits at a dot just before both inputs.
    carry_x, carry_y = wp.GATE_POSITIONS["carry"]
    split = [d for d in paths["n1"]["dots"] if d[1] == carry_y]
    assert len(split) == 1 and carry_x - wp._HALF_W - 0.5 < split[0][0] < carry_x - wp._HALF_W
    # Every line is made of horizontal and vertical pieces, except the little hop.
    for signal, path in paths.items():
        for line in path["lines"]:
            for (xa, ya), (xb, yb) in zip(line, line[1:]):
                assert xa == xb or ya == yb or signal == "n1", (signal, line)
