"""Notebook 03: the sigmoid neuron, its widget, and the exercise checks."""

import math

import numpy as np
import pytest

from helpers.lessons import sigmoid_neurons as sn
from helpers.activations import sigmoid, sigmoid_prime
from helpers.checks import ExerciseFailed
from helpers.checks import sigmoid_neurons as check
from helpers.widgets.sigmoid_neurons import sigmoid_vs_step_widget
from tests.test_figure import assert_picture_follows


def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --- the neuron ------------------------------------------------------------------------


def test_neuron_output_is_sigmoid_of_weighted_input_for_one_input_and_for_rows():
    x, w, b = np.array([1.0, 0.0, 1.0]), np.array([0.6, -0.4, -0.5]), 0.0
    assert sn.sigmoid_neuron_output(x, w, b) == pytest.approx(1 / (1 + math.exp(-0.1)))
    X = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(sn.sigmoid_neuron_output(X, w, b), [sigmoid(0.1), 0.5, sigmoid(-0.4)])


def test_step_is_the_perceptron_with_zero_counted_as_no():
    np.testing.assert_array_equal(sn.step_function(np.array([-2.0, 0.0, 1e-9, 3.0])), [0, 0, 1, 1])


# --- from sigmoid neuron to perceptron -------------------------------------------------


def test_scaling_weights_and_bias_by_c_scales_z():
    x, w, b = np.array([0.3, 0.7]), np.array([1.5, -2.0]), 0.2
    for c in (0.5, 3.0, 40.0):
        assert sn.sigmoid_neuron_output(x, c * w, c * b) == pytest.approx(sn.scaled_output(sn.weighted_input(x, w, b), c))


@pytest.mark.parametrize("z", [0.5, -0.2, 0.01, -3.0])
def test_scaled_sigmoid_tends_to_the_step_for_every_z_but_zero(z):
    gaps = [abs(sn.scaled_output(z, c) - sn.step_function(z)) for c in (1, 10, 100, 1000, 10_000)]
    assert all(later < earlier for earlier, later in zip(gaps, gaps[1:]) if earlier > 0)
    assert gaps[-1] < 1e-6


def test_at_the_threshold_the_sigmoid_says_one_half_for_every_scale():
    for c in (1, 10, 1e6):
        assert sn.scaled_output(0.0, c) == 0.5


def test_sigmoid_vs_step_gap_shrinks_and_is_bounded_by_sigmoid_at_the_margin():
    gaps = []
    for c in (1, 3, 10, 30, 100):
        result = sn.sigmoid_vs_step(w=1.0, b=-1.0, c=c)
        assert result.threshold == pytest.approx(1.0)
        assert result.largest_gap <= sigmoid(-c * result.margin) + 1e-12
        gaps.append(result.largest_gap)
    assert gaps == sorted(gaps, reverse=True) and gaps[-1] < 1e-4
    np.testing.assert_array_equal(result.step, (result.x - 1.0 > 0).astype(int))


def test_sigmoid_vs_step_edge_cases():
    flat = sn.sigmoid_vs_step(w=0.0, b=0.05, c=10.0)  # z = 0.05 everywhere: never decided
    assert flat.threshold is None and flat.largest_gap == 0.0
    off = sn.sigmoid_vs_step(w=0.0, b=-2.0, c=10.0)  # always "no"
    assert off.threshold is None and off.largest_gap == pytest.approx(sigmoid(-20.0))


# --- small changes in, small changes out -----------------------------------------------


def test_output_gradients_match_finite_differences():
    x, w, b, h = np.array([0.2, 0.9, 0.5]), np.array([1.0, -0.5, 2.0]), -0.3, 1e-6
    da_dw, da_db = sn.output_gradients(x, w, b)
    for j in range(3):
        e = np.zeros(3)
        e[j] = h
        numeric = (sn.sigmoid_neuron_output(x, w + e, b) - sn.sigmoid_neuron_output(x, w - e, b)) / (2 * h)
        assert da_dw[j] == pytest.approx(numeric, rel=1e-6)
    numeric_b = (sn.sigmoid_neuron_output(x, w, b + h) - sn.sigmoid_neuron_output(x, w, b - h)) / (2 * h)
    assert da_db == pytest.approx(numeric_b, rel=1e-6)
    assert da_db == pytest.approx(sigmoid_prime(x @ w + b))


def test_linear_prediction_agrees_with_the_real_change_and_its_error_shrinks_like_the_square():
    rng = np.random.default_rng(0)
    x, w, b = rng.random(4), rng.normal(size=4), 0.1
    direction, d_b = rng.normal(size=4), rng.normal()
    errors = []
    for eps in (1e-1, 1e-2, 1e-3):
        predicted = sn.predicted_change(x, w, b, eps * direction, eps * d_b)
        actual = sn.actual_change(x, w, b, eps * direction, eps * d_b)
        errors.append(abs(predicted - actual))
    assert abs(predicted - actual) < 1e-3 * abs(actual)
    assert errors[0] / errors[1] > 50 and errors[1] / errors[2] > 50  # about 100: second order


def test_the_same_small_nudge_flips_a_perceptron_near_its_threshold():
    x, w, b = np.array([1.0, 0.5]), np.array([1.0, 2.0]), -1.99  # z = 0.01
    dw = np.array([-0.02, 0.0])
    assert sn.actual_change(x, w, b, dw, 0.0, neuron=sn.perceptron_output) == -1.0
    assert abs(sn.actual_change(x, w, b, dw, 0.0)) < 0.01


# --- overflow --------------------------------------------------------------------------


def test_caught_warnings_reports_the_naive_overflow_without_paths():
    value, messages = sn.caught_warnings(naive_sigmoid, np.float64(-1000.0))
    assert value == 0.0 and messages == ["RuntimeWarning: overflow encountered in exp"]
    _, again = sn.caught_warnings(naive_sigmoid, np.float64(-1000.0))  # not swallowed the 2nd time
    assert again == messages


def test_course_sigmoid_is_silent_and_right_at_large_z():
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    values, messages = sn.caught_warnings(sigmoid, z)
    assert messages == []
    # Right to within 1e-15 of the exact values (an output is a number between 0 and 1).
    np.testing.assert_allclose(values, [0.0, math.exp(-50), 0.5, 1.0, 1.0], rtol=0, atol=1e-15)
    assert sn.caught_warnings(sigmoid_prime, z)[1] == []


# --- the widget ------------------------------------------------------------------------


def test_widget_sliders_drive_the_comparison():
    box = sigmoid_vs_step_widget()
    assert set(box.sliders) == {"c", "w", "b"}
    start = box.result.largest_gap
    assert start == pytest.approx(sn.sigmoid_vs_step(1.0, 0.0, 1.0).largest_gap)
    box.sliders["c"].value = 100.0
    assert box.result.largest_gap < 1e-4 < start
    box.sliders["b"].value = -1.0
    assert box.result.threshold == pytest.approx(1.0)
    expected = sn.sigmoid_vs_step(1.0, -1.0, 100.0)
    np.testing.assert_allclose(box.result.sigmoid, expected.sigmoid)
    box.sliders["w"].value = 0.0
    assert box.result.threshold is None
    assert "c·w = 0" in box.children[3].value


def test_widget_redraws_its_picture():
    box = sigmoid_vs_step_widget()
    for name, value in (("c", 100.0), ("w", -1.0), ("b", 0.5)):
        assert_picture_follows(box.picture, box.sliders[name], value)


# --- the exercise checks ---------------------------------------------------------------


def tanh_sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def branch_sigmoid(z):
    z = np.asarray(z)  # keeps float32 as float32
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def test_checks_accept_the_references_and_other_correct_answers(capsys):
    check.neuron_output(sn.sigmoid_neuron_output)
    check.neuron_output(lambda x, w, b: 1 / (1 + np.exp(-(np.dot(w, x) + b))))
    check.sigmoid_prime(sigmoid_prime)
    check.sigmoid_prime(lambda z: tanh_sigmoid(z) * (1 - tanh_sigmoid(z)))
    check.predicted_change(sn.predicted_change)
    check.stable_sigmoid(branch_sigmoid)
    check.stable_sigmoid(renamed_branch_sigmoid)
    assert capsys.readouterr().out.count("✓") == 7


def renamed_branch_sigmoid(t):  # another parameter name, a comment saying tanh: still fine
    """Not np.tanh: the other trick."""
    e = np.exp(-np.abs(t))  # no tanh here
    return np.where(t >= 0, 1 / (1 + e), e / (1 + e))


def test_sigmoid_prime_check_accepts_the_notebooks_answer_although_the_course_computes_it_differently(capsys):
    """The notebook's solution is σ(z)(1 − σ(z)); activations.sigmoid_prime uses e^(-|z|)."""
    def notebook_answer(z):
        s = sigmoid(z)
        return s * (1 - s)

    check.sigmoid_prime(notebook_answer)
    assert "✓" in capsys.readouterr().out
    # ... while in float32 at z = 20 the two forms really differ (the notebook shows this)
    z = np.float32(20.0)
    assert notebook_answer(z) == 0.0 and sigmoid_prime(z) == pytest.approx(2.06e-9, rel=1e-3)


def test_neuron_output_check_rejects_a_forgotten_bias():
    with pytest.raises(ExerciseFailed, match="weighted input z as a perceptron"):
        check.neuron_output(lambda x, w, b: sigmoid(np.dot(w, x)))


def test_sigmoid_prime_check_rejects_wrong_formula_and_overflow():
    with pytest.raises(ExerciseFailed, match=r"`sigmoid_prime\(z=0\)`: expected 0.25, got 0.5.\nHint: σ'\(z\) = σ\(z\) \(1 − σ\(z\)\)"):
        check.sigmoid_prime(lambda z: sigmoid(z) * (1 - z))
    with pytest.raises(ExerciseFailed, match="raised RuntimeWarning: overflow encountered in exp"):
        check.sigmoid_prime(lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2)


def test_predicted_change_check_rejects_forgetting_the_inputs():
    def no_x(x, w, b, dw, db):
        s = sigmoid_prime(np.dot(w, x) + b)
        return s * np.sum(dw) + s * db

    with pytest.raises(ExerciseFailed, match="both the inputs x_j and the slope"):
        check.predicted_change(no_x)


def test_predicted_change_check_explains_when_the_answer_is_the_real_change():
    def real_change(x, w, b, dw, db):
        return sigmoid(np.dot(w + dw, x) + b + db) - sigmoid(np.dot(w, x) + b)

    with pytest.raises(ExerciseFailed) as failed:
        check.predicted_change(real_change)
    message = str(failed.value)
    assert message.startswith("`predicted_change(x=[1. , 0.5], w=[1., 2.], b=-1.9, dw=[0.01, 0.  ], db=0)` returned 0.00249312")
    assert "that is the real change" in message and "straight-line prediction σ'(z)·(" in message
    assert "= 0.00249376" in message and "Hint: two pieces: the slope s = sigmoid_prime(z)" in message


def test_predicted_change_check_keeps_its_usual_message_for_other_mistakes():
    def wrong_sign(x, w, b, dw, db):
        return -sn.predicted_change(x, w, b, dw, db)

    with pytest.raises(ExerciseFailed) as failed:
        check.predicted_change(wrong_sign)
    assert "real change" not in str(failed.value) and "expected 0.00249376, got -0.00249376" in str(failed.value)


def test_stable_sigmoid_check_names_overflow_and_its_usual_causes():
    with pytest.raises(ExerciseFailed, match=r"raised RuntimeWarning: overflow encountered in exp\nHint: .*np.exp\(t\) overflows"):
        check.stable_sigmoid(naive_sigmoid)
    with pytest.raises(ExerciseFailed, match="still computes np.exp"):  # np.where evaluates both branches
        check.stable_sigmoid(lambda z: np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z))))
    with pytest.raises(ExerciseFailed, match="raised OverflowError: math range error"):
        check.stable_sigmoid(lambda z: 1 / (1 + math.exp(-z)))  # fails at z = -1000 ...
    with pytest.raises(ExerciseFailed, match=r"raised ValueError.*\nHint: an `if`, `and`, `or` or `while` was given a whole array.*np.where"):  # ... or on arrays
        check.stable_sigmoid(lambda z: 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z)))
    with pytest.raises(ExerciseFailed, match=r"`stable_sigmoid\(z=2\)`: expected 0.880797, got 0.119203.\nHint: e = np.exp\(-np.abs\(z\)\)"):
        check.stable_sigmoid(lambda z: tanh_sigmoid(-z))  # the sign of z flipped


def test_stable_sigmoid_check_rejects_tanh_and_the_courses_sigmoid_with_a_friendly_message():
    def with_tanh(z):
        return 0.5 + 0.5 * np.tanh(0.5 * z)

    for answer in (with_tanh, tanh_sigmoid, sigmoid):  # sigmoid: helpers' own, which uses np.tanh
        with pytest.raises(ExerciseFailed, match=r"uses np.tanh: a fine trick, and the one the course.s `sigmoid` already uses.*without tanh"):
            check.stable_sigmoid(answer)

    def calls_sigmoid(z):
        return sigmoid(z)

    with pytest.raises(ExerciseFailed, match="uses the course's `sigmoid`"):
        check.stable_sigmoid(calls_sigmoid)
    with pytest.raises(ExerciseFailed, match="uses np.tanh"):  # a lambda: its source is a whole line
        check.stable_sigmoid(lambda z: 0.5 + 0.5 * np.tanh(z / 2))


def test_stable_sigmoid_check_falls_back_when_the_source_is_unavailable(capsys):
    code = compile("def f(z):\n    return 0.5 + 0.5 * np.tanh(0.5 * z)\n", "<console>", "exec")
    namespace = {"np": np}
    exec(code, namespace)  # no file behind it: inspect.getsource raises OSError
    check.stable_sigmoid(namespace["f"])  # cannot see the tanh, so it judges the values only
    assert "✓" in capsys.readouterr().out


def test_stable_sigmoid_check_rejects_an_answer_that_turns_float32_into_float64():
    def always_float64(z):
        z = np.asarray(z, dtype=float)
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))

    with pytest.raises(ExerciseFailed, match=r"the values are right, but a float32 array came back as float64.*\nHint: keep the input's dtype"):
        check.stable_sigmoid(always_float64)


def test_checks_say_when_the_exercise_is_not_written_yet(capsys):
    def not_yet(z):
        raise NotImplementedError("Exercise 4: your code here")

    assert check.stable_sigmoid(not_yet) is None
    assert "still has its `raise NotImplementedError` line" in capsys.readouterr().out


def test_checks_explain_a_wrong_number_of_parameters():
    def two_inputs(z, extra):
        return z

    for run in (check.sigmoid_prime, check.stable_sigmoid):
        with pytest.raises(ExerciseFailed, match=r"should take 1 input\(s\), \(z\).*Keep the `def` line"):
            run(two_inputs)


# --- issue 9: the primer on derivatives, the detours; issue 10: answers as text ---------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from helpers.checks import reset_hints  # noqa: E402


def _cells(prefix):
    (path,) = (Path(__file__).resolve().parent.parent / "notebooks").glob(f"{prefix}_*.ipynb")
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_primer_on_derivatives_comes_before_small_changes_with_a_runnable_check():
    cells = _cells("03")
    sources = ["".join(c["source"]) for c in cells]
    primer = next(i for i, s in enumerate(sources) if "### Optional primer: derivatives and the chain rule" in s)
    small = next(i for i, s in enumerate(sources) if s.startswith("## Small changes in, small changes out"))
    assert primer < small and "chain rule" in sources[primer] and "Skip this" in sources[primer]
    check_cell = cells[primer + 1]
    assert check_cell["cell_type"] == "code" and "assert" in sources[primer + 1]
    namespace = {"np": np}
    exec(sources[primer + 1], namespace)  # the primer's check runs on its own
    assert "Derivatives in five lines" not in " ".join(sources)  # not repeated later


def test_the_float32_thresholds_and_the_tanh_identity_are_optional_boxes():
    text = " ".join("".join(c["source"]) for c in _cells("03") if c["cell_type"] == "markdown")
    for summary in ("Optional: where float32 and float64 overflow", "Optional: why σ(z) = ½ + ½ tanh(z/2)"):
        start = text.index(summary)
        assert text.rfind("<details>", 0, start) > text.rfind("</details>", 0, start)  # inside an open box
    assert "88.7" in text[text.index("Optional: where float32"):text.index("Optional: where float32") + 600]


def test_checks_of_notebook_03_refuse_the_right_number_as_text():
    reset_hints()
    with pytest.raises(ExerciseFailed, match=r"expected one number, got a string"):
        check.neuron_output(lambda x, w, b: f"{float(sigmoid(np.dot(w, x) + b))}")
    with pytest.raises(ExerciseFailed, match=r"expected one number, got a string"):
        check.predicted_change(lambda x, w, b, dw, db: repr(float(sn.predicted_change(x, w, b, dw, db))))


def test_a_second_failure_shows_a_step_and_not_the_recipe():
    """Issue 20: hints in three stages in notebook 03 too."""
    from tests.test_checks import assert_hint_in_stages

    assert_hint_in_stages(check.neuron_output, lambda x, w, b: sigmoid(np.dot(w, x)),
                          lambda x, w, b: float(np.dot(w, x) + b > 0), "neuron_output")
    assert_hint_in_stages(check.sigmoid_prime, lambda z: sigmoid(z),
                          lambda z: sigmoid(z) * (1 + sigmoid(z)), "sigmoid_prime")
    assert_hint_in_stages(check.predicted_change, lambda x, w, b, dw, db: np.dot(x, dw) + db,
                          lambda x, w, b, dw, db: sigmoid(np.dot(w, x) + b) * (np.dot(x, dw) + db),
                          "predicted_change")
    assert_hint_in_stages(check.stable_sigmoid, lambda z: 1 / (1 + np.exp(z)),
                          lambda z: np.exp(-np.abs(z)), "stable_sigmoid")
