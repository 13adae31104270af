"""The exercise self-checks: kind words for right answers, precise ones for wrong answers."""

import numpy as np
import pytest

from helpers.checks import ExerciseFailed, check_function, check_value
from helpers.checks import meet_the_digits as digits


def square(x):
    return x * x


def test_a_correct_function_is_praised(capsys):
    check_function(lambda x: x**2, square, [{"x": 3}, {"x": np.arange(3)}], name="f")
    assert capsys.readouterr().out == "✅ `f` is correct on all 2 test cases.\n"


def test_a_wrong_answer_names_input_expected_got_and_hint():
    with pytest.raises(ExerciseFailed) as err:
        check_function(lambda x: x + x, square, [{"x": 2}, {"x": 3}], name="f", hint="multiply")
    assert str(err.value) == "`f(x=3)`: expected 9, got 6.\nHint: multiply"


def test_errors_missing_return_wrong_shape_and_not_written():
    with pytest.raises(ExerciseFailed, match=r"raised ZeroDivisionError: division by zero"):
        check_function(lambda x: 1 / 0, square, [{"x": 2}], name="f")
    with pytest.raises(ExerciseFailed, match="returned None: did you forget `return`"):
        check_function(lambda x: None, square, [{"x": 2}], name="f")
    with pytest.raises(ExerciseFailed, match=r"expected shape \(3,\), got shape \(1, 3\)"):
        check_function(lambda x: (x * x)[None, :], square, [{"x": np.arange(3)}], name="f")

    def not_yet(x):
        raise NotImplementedError("Exercise 1: your code here")

    with pytest.raises(ExerciseFailed, match="not written yet"):
        check_function(not_yet, square, [{"x": 2}])


def test_the_learner_cannot_spoil_the_reference_by_changing_inputs(capsys):
    def sneaky(x):
        x[:] = 0  # changes its argument...
        return square(np.arange(3))  # ...and gives the right answer

    check_function(sneaky, square, [{"x": np.arange(3)}], name="sneaky")
    assert "correct" in capsys.readouterr().out


def test_check_value_and_traceback_free_rendering():
    check_value(0.5, 0.5, what="the answer")
    with pytest.raises(ExerciseFailed) as err:
        check_value(0.4, 0.5, what="the answer", hint="count again")
    assert err.value._render_traceback_() == ["❌ the answer: expected 0.5, got 0.4.", "Hint: count again"]


def test_notebook_01_checks_accept_references_and_reject_typical_mistakes(capsys):
    from helpers.lessons.meet_the_digits import predict_nearest_mean
    from helpers.metrics import accuracy
    from helpers.data import scale_pixels

    digits.scale_pixels(scale_pixels)
    digits.accuracy(accuracy)
    digits.predict_nearest_mean(predict_nearest_mean)
    assert capsys.readouterr().out.count("✅") == 3

    with pytest.raises(ExerciseFailed, match="uint8 arithmetic"):  # forgot to flatten... or divided wrongly
        digits.scale_pixels(lambda images: images.reshape(len(images), -1) / 256)
    with pytest.raises(ExerciseFailed, match="expected 1, got 4"):  # counted instead of taking the fraction
        digits.accuracy(lambda predictions, labels: int((predictions == labels).sum()))
    with pytest.raises(ExerciseFailed, match="np.argmin"):  # picked the farthest template
        digits.predict_nearest_mean(
            lambda means, X: np.array([np.argmax(np.linalg.norm(means - x, axis=1)) for x in X])
        )


def test_renamed_parameters_still_work_and_wrong_arity_is_explained(capsys):
    check_function(lambda value: value * value, square, [{"x": 3}], name="f")
    assert "correct" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match=r"`f` should take 1 input\(s\), \(x\).*Keep the `def` line"):
        check_function(lambda x, y: x * y, square, [{"x": 3}], name="f")


def test_large_arrays_point_at_the_first_wrong_value():
    expected = np.zeros((3, 784))
    got = expected.copy()
    got[1, 152] = 0.5
    with pytest.raises(ExerciseFailed, match=r"1 value\(s\) differ, the first at index \[1, 152\]: expected 0, got 0.5"):
        check_value(got, expected, what="pixels")
