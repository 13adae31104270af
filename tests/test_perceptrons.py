"""Tests for helpers.lessons.perceptrons and the self-checks of notebook 02 (helpers.checks.perceptrons)."""

import numpy as np
import pytest

from helpers.lessons import perceptrons as p
from helpers.metrics import accuracy
from helpers.checks import ExerciseFailed
from helpers.checks import perceptrons as check
from helpers.lessons.perceptrons import nand
import matplotlib.pyplot as plt
from helpers.widgets import perceptrons as wp
from tests.test_figure import assert_picture_follows

PAIRS = [(0, 0), (0, 1), (1, 0), (1, 1)]


# --- the perceptron ---------------------------------------------------------------------


def test_output_is_one_only_strictly_above_zero():
    w, b = np.array([2.0, 1.0]), 0.5
    assert p.perceptron_output([1.0, 0.0], w, b) == 1  # z = 2.5
    assert p.perceptron_output([0.5, -1.5], w, b) == 0  # z = 0 exactly
    assert p.perceptron_output([-1.0, 0.0], w, b) == 0  # z = -1.5
    assert isinstance(p.perceptron_output([1.0, 0.0], w, b), int)


def test_predict_agrees_with_perceptron_output_row_by_row():
    rng = np.random.default_rng(0)
    X, w, b = rng.normal(size=(50, 3)), rng.normal(size=3), 0.3
    assert p.predict(X, w, b).tolist() == [p.perceptron_output(x, w, b) for x in X]
    assert p.step_function(np.array([-1.0, 0.0, 1e-9])).tolist() == [0, 0, 1]


def test_cheese_festival_example_from_nielsen():
    # weather, partner, transport with weights 6, 2, 2 and threshold 5: the weather decides.
    w, b = np.array([6.0, 2.0, 2.0]), -5.0
    decisions = {x: p.perceptron_output(x, w, b) for x, _ in p.truth_table(lambda *x: None, 3)}
    assert all(decisions[x] == x[0] for x in decisions)


# --- logic -------------------------------------------------------------------------------


def test_nand_perceptron_and_the_gates_built_from_it():
    for x1, x2 in PAIRS:
        assert p.nand(x1, x2) == 1 - (x1 and x2)
        assert p.and_(x1, x2) == (x1 and x2)
        assert p.or_(x1, x2) == (x1 or x2)
        assert p.xor(x1, x2) == x1 ^ x2
        assert p.not_(x1) == 1 - x1


def test_half_adder_adds_two_bits_on_all_four_pairs():
    for x1, x2 in PAIRS:
        total, carry = p.half_adder(x1, x2)
        assert (total, carry) == (x1 ^ x2, x1 & x2)
        assert 2 * carry + total == x1 + x2
        wires = p.half_adder_wires(x1, x2)
        assert wires["n1"] == p.nand(x1, x2) and wires["carry"] == 1 - wires["n1"]


def test_truth_table_lists_inputs_in_binary_order():
    assert p.truth_table(p.nand) == [((0, 0), 1), ((0, 1), 1), ((1, 0), 1), ((1, 1), 0)]
    assert [inputs for inputs, _ in p.truth_table(lambda *x: 0, 3)][:3] == [(0, 0, 0), (0, 0, 1), (0, 1, 0)]


# --- the learning rule -------------------------------------------------------------------


def test_learning_step_moves_w_and_b_towards_the_label_and_only_on_mistakes():
    w, b, x = np.array([0.0, 0.0]), 0.0, np.array([1.0, 2.0])
    new_w, new_b = p.learning_step(x, 1, w, b, eta=0.5)  # said 0, should be 1
    assert new_w.tolist() == [0.5, 1.0] and new_b == 0.5
    assert w.tolist() == [0.0, 0.0]  # not changed in place
    back_w, back_b = p.learning_step(x, 0, new_w, new_b, eta=0.5)  # said 1, should be 0
    assert back_w.tolist() == [0.0, 0.0] and back_b == 0.0
    same_w, same_b = p.learning_step(x, 1, new_w, new_b)  # right: no change
    assert same_w.tolist() == new_w.tolist() and same_b == new_b


def test_learning_step_takes_the_data_first_like_perceptron_output():
    import inspect

    assert list(inspect.signature(p.learning_step).parameters) == ["x", "y", "w", "b", "eta"]
    assert list(inspect.signature(p.perceptron_output).parameters) == ["x", "w", "b"]


def test_training_on_separable_points_converges_within_the_mistake_bound():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        X, y = p.separable_points(rng, n=40, margin=0.2)
        result = p.train_perceptron(X, y, rng, max_passes=100)
        assert result.mistakes_per_pass[-1] == 0
        assert accuracy(p.predict(X, result.w, result.b), y) == 1.0
        assert sum(result.mistakes_per_pass) <= p.mistake_bound(X, y, p.TOY_WEIGHTS, p.TOY_BIAS)


def test_training_matches_repeated_updates():
    # train_perceptron inlines learning_step for speed: both must give the same weights.
    X, y = p.separable_points(np.random.default_rng(3), n=20)
    result = p.train_perceptron(X, y, np.random.default_rng(7), max_passes=3, eta=0.5)
    w, b, order_rng = np.zeros(2), 0.0, np.random.default_rng(7)
    for _ in range(len(result.mistakes_per_pass)):
        for i in order_rng.permutation(len(X)):
            w, b = p.learning_step(X[i], y[i], w, b, eta=0.5)
    np.testing.assert_allclose(result.w, w)
    assert result.b == pytest.approx(b)


def test_training_leaves_the_starting_weights_alone():
    X, y = p.separable_points(np.random.default_rng(4), n=20)
    w0 = np.array([0.5, -0.5])
    result = p.train_perceptron(X, y, np.random.default_rng(0), max_passes=2, w=w0)
    assert w0.tolist() == [0.5, -0.5] and result.w is not w0


def test_training_stops_after_max_passes_on_data_it_cannot_separate():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])  # XOR: no line separates it
    result = p.train_perceptron(X, y, np.random.default_rng(0), max_passes=7)
    assert len(result.mistakes_per_pass) == 7 and min(result.mistakes_per_pass) > 0
    with pytest.raises(ValueError, match="does not separate"):
        p.mistake_bound(X, y, np.array([1.0, 1.0]), -0.5)


def test_toy_points_keep_their_distance_from_the_line():
    X, y = p.separable_points(np.random.default_rng(1), n=25, margin=0.4)
    distance = np.abs(X @ p.TOY_WEIGHTS + p.TOY_BIAS) / np.linalg.norm(p.TOY_WEIGHTS)
    assert X.shape == (25, 2) and distance.min() >= 0.4 and set(y.tolist()) == {0, 1}
    assert np.abs(X).max() <= 3.0


def test_zeros_and_ones_keeps_only_those_digits():
    X = np.arange(12).reshape(6, 2)
    X01, y01 = p.zeros_and_ones(X, np.array([0, 3, 1, 1, 9, 0]))
    assert y01.tolist() == [0, 1, 1, 0] and X01[:, 0].tolist() == [0, 4, 6, 10]


def test_smallest_flip_brings_z_to_zero_and_a_bit_more_flips_the_output():
    x, w, b = np.array([0.5, 1.0, 0.0]), np.array([1.0, -2.0, 3.0]), 1.2  # z = -0.3
    delta = p.smallest_flip(x, w, b, 0)
    assert delta == pytest.approx(0.6)
    nudged = w.copy()
    nudged[0] += delta + 1e-6
    assert p.perceptron_output(x, w, b) == 0 and p.perceptron_output(x, nudged, b) == 1
    with pytest.raises(ValueError, match="input 2 is 0"):
        p.smallest_flip(x, w, b, 2)


# --- the decision boundary ---------------------------------------------------------------


@pytest.mark.parametrize(
    "w, b, expected",
    [
        ((1.0, 0.0), 0.0, ((0.0, -3.0), (0.0, 3.0))),  # vertical line x1 = 0
        ((0.0, 2.0), -2.0, ((-3.0, 1.0), (3.0, 1.0))),  # horizontal line x2 = 1
        ((1.0, -1.0), 0.0, ((-3.0, -3.0), (3.0, 3.0))),  # the diagonal, through two corners
        ((1.0, 2.0), -1.0, ((-3.0, 2.0), (3.0, -1.0))),
    ],
)
def test_boundary_segment_is_the_visible_part_of_the_line(w, b, expected):
    segment = p.boundary_segment(np.array(w), b, lim=3.0)
    assert sorted(segment) == sorted(expected)
    for x1, x2 in segment:  # both ends lie on the line
        assert w[0] * x1 + w[1] * x2 + b == pytest.approx(0.0)


def test_boundary_segment_is_none_without_a_visible_line():
    assert p.boundary_segment(np.array([0.0, 0.0]), 1.0) is None  # no line at all
    assert p.boundary_segment(np.array([1.0, 0.0]), -5.0, lim=3.0) is None  # x1 = 5: off the picture


def test_boundary_report_counts_the_misclassified_points():
    X = np.array([[1.0, 1.0], [-1.0, -1.0], [2.0, -1.0]])
    y = np.array([1, 0, 0])
    report = p.boundary_report(X, y, 1.0, 1.0, 0.0)  # z = 2, -2, 1
    assert report.outputs.tolist() == [1, 0, 1] and report.wrong.tolist() == [False, False, True]
    assert report.n_wrong == 1 and report.segment is not None
    assert p.misclassified(X, y, np.array([1.0, 1.0]), 0.0).tolist() == [False, False, True]


# --- the exercise checks: accept the reference, reject a typical mistake kindly -----------


def test_check_perceptron_output(capsys):
    check.perceptron_output(p.perceptron_output)
    assert "✓" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="strictly") as err:
        check.perceptron_output(lambda x, w, b: int(np.dot(w, x) + b >= 0))  # >= instead of >
    assert "expected 0, got 1" in str(err.value)
    with pytest.raises(ExerciseFailed, match="forget `return`"):
        check.perceptron_output(lambda x, w, b: None)


def test_check_gate_weights_accepts_any_correct_weights(capsys):
    check.gate_weights([1.0, 1.0], -1.5, gate="AND")
    check.gate_weights(np.array([2.0, 2.0]), -3.0, gate="AND")
    check.gate_weights([1.0, 1.0], -0.5, gate="OR")
    check.gate_weights(p.NAND_WEIGHTS, p.NAND_BIAS, gate="NAND")
    assert capsys.readouterr().out.count("✓") == 4


def test_check_gate_weights_explains_a_wrong_bias():
    with pytest.raises(ExerciseFailed) as err:
        check.gate_weights([1.0, 1.0], -0.5, gate="AND")  # that is OR
    message = str(err.value)
    assert "AND truth table, input (0, 1): expected 0, got 1 (z = 0.5)" in message
    assert "(1, 1) -> z = 1.5" in message and "Hint" in message and "item" not in message
    with pytest.raises(ExerciseFailed, match="two weights"):
        check.gate_weights([1.0, 1.0, 1.0], -1.5)
    with pytest.raises(ValueError, match="gate must be one of"):
        check.gate_weights([1.0, 1.0], -1.5, gate="XOR")


def test_check_learning_step(capsys):
    check.learning_step(p.learning_step)

    def renamed(inputs, label, weights, bias, rate):  # other names: called by position
        return p.learning_step(inputs, label, weights, bias, rate)

    check.learning_step(renamed)
    assert capsys.readouterr().out.count("✓") == 2

    def sign_flipped(x, y, w, b, eta):
        a = p.perceptron_output(x, w, b)
        return w - eta * (y - a) * x, b - eta * (y - a)

    with pytest.raises(ExerciseFailed, match="y - a") as err:
        check.learning_step(sign_flipped)
    assert "w: expected [1., 2.], got [-1., -2.]" in str(err.value) and "item" not in str(err.value)

    def bias_forgotten(x, y, w, b, eta):
        a = p.perceptron_output(x, w, b)
        return w + eta * (y - a) * x, b

    with pytest.raises(ExerciseFailed, match="b: expected 1, got 0"):
        check.learning_step(bias_forgotten)

    def always_updates(x, y, w, b, eta):  # forgets that a right answer changes nothing
        return w + eta * x * (1 if y == 1 else -1), b + eta * (1 if y == 1 else -1)

    with pytest.raises(ExerciseFailed, match="unchanged"):
        check.learning_step(always_updates)

    with pytest.raises(ExerciseFailed, match=r"expected a pair \(w, b\)"):
        check.learning_step(lambda x, y, w, b, eta: p.learning_step(x, y, w, b, eta)[0])


def test_check_learning_step_catches_a_change_in_place():
    def in_place(x, y, w, b, eta):  # right values, but the caller's w changes too
        a = p.perceptron_output(x, w, b)
        w += eta * (y - a) * x
        return w, b + eta * (y - a)

    with pytest.raises(ExerciseFailed, match="changed the array `w`") as err:
        check.learning_step(in_place)
    assert "w +=" in str(err.value) and "new array" in str(err.value)


def test_check_half_adder(capsys):
    check.half_adder(p.half_adder)

    def from_nands(x1, x2):  # the notebook's solution
        n1 = nand(x1, x2)
        n2 = nand(x1, n1)
        n3 = nand(x2, n1)
        total = nand(n2, n3)
        carry = nand(n1, n1)
        return total, carry

    check.half_adder(from_nands)
    check.half_adder(with_own_not)
    assert capsys.readouterr().out.count("✓") == 3

    def swapped(x1, x2):  # (carry, sum) instead of (sum, carry)
        n1 = nand(x1, x2)
        return nand(n1, n1), nand(nand(x1, n1), nand(x2, n1))

    with pytest.raises(ExerciseFailed, match=r"\(sum, carry\)") as err:
        check.half_adder(swapped)
    assert "half_adder(x1=0, x2=1)` returned (0, 1): the two bits are the right ones but swapped" in str(err.value)

    def carry_wrong(x1, x2):
        n1 = nand(x1, x2)
        return nand(nand(x1, n1), nand(x2, n1)), n1

    with pytest.raises(ExerciseFailed, match="carry: expected 0, got 1"):
        check.half_adder(carry_wrong)

    def unwritten(x1, x2):
        raise NotImplementedError("Exercise 3: your code here")

    # Not "uses the function NotImplementedError": an untouched stub is not done, not wrong.
    assert check.half_adder(unwritten) is None
    assert "Not done yet: `half_adder` still has its `raise NotImplementedError`" in capsys.readouterr().out


def not_from_nand(y):
    return nand(y, y)


def with_own_not(x1, x2):  # a helper of the learner's own, itself made of nand: fine
    n1 = nand(x1, x2)
    return nand(nand(x1, n1), nand(x2, n1)), not_from_nand(n1)


def not_by_arithmetic(y):
    return 1 - y


def cheat_with_operators(x1, x2):
    return x1 ^ x2, x1 & x2


def cheat_in_a_helper(x1, x2):
    n1 = nand(x1, x2)
    return nand(nand(x1, n1), nand(x2, n1)), not_by_arithmetic(n1)


def cheat_with_if(x1, x2):
    if x1 == x2:
        return 0, min(x1, x2)
    return 1, 0


def cheat_with_the_answer(x1, x2):
    return p.half_adder(x1, x2)


@pytest.mark.parametrize(
    "cheat, said",
    [
        (cheat_with_operators, "uses `^` and `&` (first in `return x1 ^ x2, x1 & x2`)"),
        (cheat_in_a_helper, "uses `-` (first in your function `not_by_arithmetic`: `return 1 - y`)"),
        (cheat_with_if, "uses an `if`, `==` and the function `min`"),
        (cheat_with_the_answer, "uses the function `p.half_adder`"),
    ],
)
def test_check_half_adder_sees_answers_computed_without_nand(cheat, said):
    assert cheat(1, 1) == (0, 1)  # the answers are right...
    with pytest.raises(ExerciseFailed) as err:
        check.half_adder(cheat)  # ...but not made of NANDs
    message = str(err.value)
    assert said in message and "`nand` alone" in message and "Hint" in message


ANSWERS = {(0, 0): (0, 0), (0, 1): (1, 0), (1, 0): (1, 0), (1, 1): (0, 1)}
NESTED = [[(0, 0), (1, 0)], [(1, 0), (0, 1)]]


def lookup_in_a_global_table(x1, x2):
    return ANSWERS[(x1, x2)]


def lookup_in_a_nested_list(x1, x2):
    return NESTED[x1][x2]


def lookup_in_a_table_of_its_own(x1, x2):
    table = {(0, 0): (0, 0), (0, 1): (1, 0), (1, 0): (1, 0), (1, 1): (0, 1)}
    return table[x1, x2]


def lookup_with_get(x1, x2):
    return ANSWERS.get((x1, x2))


def wires_in_a_dict(x1, x2):  # a dict of the learner's own wires, each made by nand: fine
    wire = {"n1": nand(x1, x2)}
    wire["n2"], wire["n3"] = nand(x1, wire["n1"]), nand(x2, wire["n1"])
    return nand(wire["n2"], wire["n3"]), nand(wire["n1"], wire["n1"])


@pytest.mark.parametrize(
    "cheat, said",
    [
        (lookup_in_a_global_table, "uses a lookup in a table (`...[...]`) (first in `return ANSWERS[(x1, x2)]`)"),
        (lookup_in_a_nested_list, "uses a lookup in a table"),
        (lookup_in_a_table_of_its_own, "uses a table of answers and a lookup in a table"),
        (lookup_with_get, "uses the function `ANSWERS.get`"),
    ],
)
def test_check_half_adder_refuses_a_truth_table_lookup(cheat, said, capsys):
    assert [cheat(*pair) for pair in ANSWERS] == list(ANSWERS.values())  # the answers are right...
    with pytest.raises(ExerciseFailed) as err:
        check.half_adder(cheat)  # ...but looked up, not built from nand
    assert said in str(err.value) and "`nand` alone" in str(err.value)
    check.half_adder(wires_in_a_dict)
    assert "correct" in capsys.readouterr().out


def test_checks_of_notebook_02_refuse_the_right_answer_as_text():
    with pytest.raises(ExerciseFailed, match=r"expected one number, got a string, '1'"):
        check.perceptron_output(lambda x, w, b: str(int(np.dot(w, x) + b > 0)))
    with pytest.raises(ExerciseFailed, match=r"b \(one number\) should hold numbers, but it is a string, '-1.5'"):
        check.gate_weights([1.0, 1.0], "-1.5", gate="AND")
    with pytest.raises(ExerciseFailed, match="should hold numbers"):
        check.gate_weights(["1", "1"], -1.5, gate="AND")


def test_the_margin_is_measured_in_the_space_with_the_extra_1():
    X, y = np.array([[0.0, 1.0], [0.0, -1.0]]), np.array([1, 0])
    w, b = np.array([0.0, 2.0]), 1.0  # the line x2 = -1/2: the points are 1.5 and 0.5 from it
    assert p.margin(X, y, w, b, with_extra_1=False) == pytest.approx(0.5)
    assert p.margin(X, y, w, b) == pytest.approx(1.0 / np.sqrt(5.0))  # |z| / ||(w, b)||: smaller
    R = np.linalg.norm(np.column_stack([X, np.ones(2)]), axis=1).max()
    assert p.mistake_bound(X, y, w, b) == pytest.approx((R / p.margin(X, y, w, b)) ** 2)
    import json
    from pathlib import Path

    (path,) = (Path(__file__).resolve().parent.parent / "notebooks").glob("02_*.ipynb")
    text = " ".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
    assert "closest point comes to the separating line" not in text  # the old, wrong description
    assert "measured in that space" in text and "with_extra_1=False" in text


def test_weights_are_drawn_in_one_colour_scheme_in_every_notebook():
    import json
    import re
    from pathlib import Path

    from helpers.lessons import the_network

    used = set()
    for path in sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("0[1-6]_*.ipynb")):
        code = " ".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
        used |= set(re.findall(r'cmap="(\w+)"', code)) - {"gray_r"}  # digits are ink on paper
        text = " ".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown")
        assert "purple pixel" not in text and "orange pixel" not in text, path.name
    assert used <= {the_network.WEIGHT_CMAP} and the_network.WEIGHT_CMAP == "RdBu_r"


def test_half_adder_widget_has_one_labelled_row_of_buttons_per_input():
    box = wp.half_adder_widget(x1=1, x2=0)
    rows = box.children[0]
    assert list(rows.children) == [box.buttons["x1"], box.buttons["x2"]]  # one above the other, not "0 1 0 1"
    assert [b.description for b in rows.children] == ["input x1 =", "input x2 ="]
    plt.close("all")


def test_check_half_adder_checks_only_the_answers_when_the_source_is_hidden(capsys):
    namespace = {}
    exec("def half_adder(x1, x2):\n    return x1 ^ x2, x1 & x2\n", namespace)  # no source file to read
    check.half_adder(namespace["half_adder"])
    assert "✓" in capsys.readouterr().out


# --- the widgets ---------------------------------------------------------------------


@pytest.fixture
def points():
    return p.separable_points(np.random.default_rng(2), n=30)


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


def test_widgets_redraw_their_pictures(points):
    X, y = points
    box = wp.decision_boundary_widget(X, y, w1=1.0, w2=-1.0, b=0.0)
    for name in ("w1", "w2", "b"):
        assert_picture_follows(box.picture, box.sliders[name], 2.0)
    box = wp.half_adder_widget(x1=0, x2=0)
    assert_picture_follows(box.picture, box.buttons["x1"], 1)
    assert_picture_follows(box.picture, box.buttons["x2"], 1)


def test_drawings_return_the_axes_they_drew_on(points):
    X, y = points
    fig, ax = plt.subplots()
    assert wp.draw_decision_boundary(ax, X, y, p.TOY_WEIGHTS, p.TOY_BIAS) is ax
    assert "0 of 30 points wrong" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    fig, ax = plt.subplots()
    assert wp.draw_half_adder(ax, 1, 1) is ax
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


def test_check_half_adder_names_a_swapped_pair():
    def swapped(x1, x2):
        n1 = nand(x1, x2)
        return nand(n1, n1), nand(nand(x1, n1), nand(x2, n1))

    with pytest.raises(ExerciseFailed, match=r"right ones but swapped: return \(sum, carry\)"):
        check.half_adder(swapped)


def test_gate_weights_says_which_answer_is_still_left_open(capsys):
    for w, b, words in (([1, 1], ..., "the bias is still"), (..., -1.5, "the weights are still"),
                        ([1, ...], -1.5, "the weights are still"), (..., ..., "the weights and the bias are")):
        assert check.gate_weights(w, b) is None
        out = capsys.readouterr().out
        assert "Not done yet" in out and words in out and "Ellipsis" not in out


def test_a_second_failure_shows_a_step_and_not_the_recipe():
    """Issue 20: hints in three stages in notebook 02 too."""
    from tests.test_checks import assert_hint_in_stages

    assert_hint_in_stages(check.perceptron_output, lambda x, w, b: int(np.dot(w, x) + b >= 0),
                          lambda x, w, b: int(np.dot(w, x) > b), "perceptron_output")
    from helpers.lessons.perceptrons import nand

    def nand_and_and(x1, x2):  # the first gate taken for the sum
        n1 = nand(x1, x2)
        return n1, nand(n1, n1)

    def or_and_and(x1, x2):
        n1 = nand(x1, x2)
        return nand(nand(x1, x1), nand(x2, x2)), nand(n1, n1)

    assert_hint_in_stages(check.half_adder, nand_and_and, or_and_and, "half_adder")
    assert_hint_in_stages(check.learning_step, lambda x, y, w, b, eta=1.0: (w + eta * x, b + eta),
                          lambda x, y, w, b, eta=1.0: (w + eta * y * x, b + eta * y), "learning_step")
