"""The exercise self-checks: kind words for right answers, precise ones for wrong answers."""

from pathlib import Path

import numpy as np
import pytest

from helpers.checks import ExerciseFailed, ExerciseNotDone, call_learner, check_function, check_value, explain_slip
from helpers.checks import meet_the_digits as digits


def square(x):
    return x * x


def test_a_correct_function_is_praised(capsys):
    check_function(lambda x: x**2, square, [{"x": 3}, {"x": np.arange(3)}], name="f")
    assert capsys.readouterr().out == "\x1b[1;32m✓\x1b[0m `f` is correct on all 2 test cases.\n"


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

    with pytest.raises(ExerciseNotDone, match="`not_yet` still has its `raise NotImplementedError` line"):
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
    assert err.value._render_traceback_() == ["\x1b[1;31m✗ Not yet:\x1b[0m the answer: expected 0.5, got 0.4.",
                                              "Hint: count again"]


def test_notebook_01_checks_accept_references_and_reject_typical_mistakes(capsys):
    from helpers.lessons.meet_the_digits import predict_nearest_mean
    from helpers.metrics import accuracy
    from helpers.data import scale_pixels

    digits.scale_pixels(scale_pixels)
    digits.accuracy(accuracy)
    digits.predict_nearest_mean(predict_nearest_mean)
    assert capsys.readouterr().out.count("✓") == 3

    with pytest.raises(ExerciseFailed, match="uint8 arithmetic"):  # forgot to flatten... or divided wrongly
        digits.scale_pixels(lambda images: images.reshape(len(images), -1) / 256)
    with pytest.raises(ExerciseFailed, match="expected 1, got 4"):  # counted instead of taking the fraction
        digits.accuracy(lambda predictions, labels: int((predictions == labels).sum()))
    with pytest.raises(ExerciseFailed, match="the \\*position\\* of the smallest distance"):  # the farthest
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
    with pytest.raises(ExerciseFailed, match=r"the shape \(3, 784\) is right, but 1 of the 2,352 values differ, the first at index \[1, 152\]: "
                       r"expected 0, got 0.5"):
        check_value(got, expected, what="pixels")


# --- the shared machinery: call_learner, slips, parts, unchanged inputs -------------------


def test_call_learner_calls_by_name_when_the_names_match_else_by_position():
    assert call_learner(lambda p, x: x**p, {"x": 2, "p": 3}) == 8  # by name: the order does not matter
    assert call_learner(lambda base, power: base**power, {"x": 2, "p": 3}) == 8  # renamed: by position


def test_call_learner_reports_an_error_inside_by_its_name_with_the_hint():
    with pytest.raises(ExerciseFailed) as err:
        call_learner(lambda x: [][x], {"x": 1}, name="f", hint="count from 0")
    assert str(err.value) == "Calling `f(x=1)` raised IndexError: list index out of range\nHint: count from 0"
    with pytest.raises(ExerciseFailed) as err:  # a hint for one kind of error replaces the general one
        call_learner(lambda x: [][x], {"x": 1}, name="f", hint="general", error_hints={LookupError: "indices"})
    assert str(err.value).endswith("\nHint: indices")
    with pytest.raises(ExerciseFailed) as err:
        call_learner(lambda x: {}[x], {"x": 1}, name="f", error_hints={ValueError: "not this one"})
    assert str(err.value) == "Calling `f(x=1)` raised KeyError: 1"


def test_call_learner_tells_a_wrong_number_of_parameters_from_a_type_error_inside():
    with pytest.raises(ExerciseFailed, match=r"`f` should take 1 input\(s\), \(x\)"):
        call_learner(lambda x, y: x, {"x": 1}, name="f")

    def calls_square_wrongly(x):
        return square(x, x)  # the same "positional argument" error, but raised inside

    with pytest.raises(ExerciseFailed) as err:
        call_learner(calls_square_wrongly, {"x": 2}, name="f")
    assert str(err.value).startswith("Calling `f(x=2)` raised TypeError: square() takes 1 positional argument")


def test_call_learner_explains_none_not_a_function_and_not_written_yet():
    with pytest.raises(ExerciseFailed, match=r"^`f\(x=2\)` returned None: did you forget `return`\?$"):
        call_learner(lambda x: None, {"x": 2}, name="f")
    assert call_learner(lambda x: None, {"x": 2}, name="f", none_ok=True) is None
    with pytest.raises(ExerciseFailed, match=r"^`f` should be a function, but it is a number, 3\.$"):
        call_learner(3, {"x": 2}, name="f")

    def not_yet(x):
        raise NotImplementedError

    with pytest.raises(ExerciseNotDone, match="`not_yet` still has its `raise NotImplementedError` line"):
        call_learner(not_yet, {"x": 2})


def test_a_known_slip_is_recognised_and_its_message_shown():
    slips = [(lambda x: x + 1, "you added one"), (lambda x: 2 * x, "you doubled it")]
    with pytest.raises(ExerciseFailed) as err:
        check_function(lambda x: x + x, square, [{"x": 3}], name="f", hint="multiply", slips=slips)
    assert str(err.value) == "`f(x=3)` returned 6: you doubled it"
    with pytest.raises(ExerciseFailed) as err:  # a value works as well as a function
        check_function(lambda x: 7, square, [{"x": 3}], name="f", slips=[(7, "seven is lucky, not right")])
    assert str(err.value) == "`f(x=3)` returned 7: seven is lucky, not right"
    with pytest.raises(ExerciseFailed) as err:  # no slip fits: the usual message and hint
        check_function(lambda x: x - 1, square, [{"x": 3}], name="f", hint="multiply", slips=slips)
    assert str(err.value) == "`f(x=3)`: expected 9, got 2.\nHint: multiply"


def test_a_slip_that_gives_the_right_answer_on_a_case_is_not_reported(capsys):
    # at x = 2, doubling is right (2 + 2 == 2 * 2): the slip only names a wrong answer
    check_function(lambda x: x + x, square, [{"x": 2}], name="f", slips=[(lambda x: 2 * x, "doubled")])
    assert "✓" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="doubled"):
        check_function(lambda x: x + x, square, [{"x": 2}, {"x": 5}], name="f", slips=[(lambda x: 2 * x, "doubled")])


def test_a_slip_message_is_filled_in_with_the_call_the_answer_and_the_arguments():
    with pytest.raises(ExerciseFailed) as err:
        check_function(lambda n: n * 1000, lambda n: n * 1001, [{"n": 12}], name="f", hint="add n",
                       slips=[(lambda n: n * 1000, "short by {n}, expected {expected:,}. {hint}")],
                       said="`{name}` said {got:,} for [{call}]: ")
    assert str(err.value) == "`f` said 12,000 for [f(n=12)]: short by 12, expected 12,012. add n"


def test_explain_slip_names_the_first_slip_that_fits_and_none_otherwise():
    slips = [(4.0, "four"), (lambda x: x / 2, "halved"), (1.0, "one")]
    assert explain_slip(1.0, slips, {"x": 2.0}, name="f", said="") == "halved"  # x / 2 == 1.0 comes first
    assert explain_slip(3.0, slips, {"x": 2.0}, name="f") is None


def test_an_answer_in_named_parts_names_the_wrong_part(capsys):
    def sum_and_product(a, b):
        return a + b, a * b

    check_function(sum_and_product, sum_and_product, [{"a": 2, "b": 3}], name="f", parts=("sum", "product"))
    assert "✓" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed) as err:
        check_function(lambda a, b: (a + b, a * b + 1), sum_and_product, [{"a": 2, "b": 3}], name="f",
                       parts=("sum", "product"), hint="multiply")
    assert str(err.value) == "`f(a=2, b=3)`: product: expected 6, got 7.\nHint: multiply"
    with pytest.raises(ExerciseFailed, match=r"^`f\(a=2, b=3\)`: expected a pair \(sum, product\), got 5\."):
        check_function(lambda a, b: a + b, sum_and_product, [{"a": 2, "b": 3}], name="f", parts=("sum", "product"))
    with pytest.raises(ExerciseFailed, match=r"expected 3 values \(sum, product, quotient\), got \(5, 6\)"):
        check_function(sum_and_product, lambda a, b: (a + b, a * b, a / b), [{"a": 2, "b": 3}], name="f",
                       parts=("sum", "product", "quotient"))


def test_a_right_answer_that_changed_the_callers_array_is_caught_only_where_asked(capsys):
    def doubles_in_place(x):
        x *= 2
        return x

    cases = [{"x": np.array([1.0, 2.0])}]
    check_function(doubles_in_place, lambda x: 2 * x, cases, name="f")  # not asked: fine
    assert "✓" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed) as err:
        check_function(doubles_in_place, lambda x: 2 * x, cases, name="f", unchanged=("x",),
                       changed_hint="Make a new array.")
    assert str(err.value) == (
        "`f(x=[1., 2.])` returns the right values, but it also changed the array `x` that was passed in: "
        "afterwards it held [2., 4.]. Make a new array."
    )
    assert np.array_equal(cases[0]["x"], [1.0, 2.0])  # the case itself is untouched
    check_function(lambda x: 2 * x, lambda x: 2 * x, cases, name="f", unchanged=("x",))
    assert "✓" in capsys.readouterr().out


# --- marks a default font draws, hints in stages, wrapped messages (issue 9) ---------------

from helpers import checks as machinery  # noqa: E402
from helpers.checks.common import calling  # noqa: E402
from helpers.checks import FAILED, PASSED, Hint, praise, recipe, reset_hints, solution  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_hints():
    reset_hints()
    yield
    reset_hints()


def _visible(text: str) -> str:
    """``text`` without its ANSI colour codes."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_marks_are_symbols_dejavu_draws_with_a_word_and_a_colour(capsys):
    praise("all good")
    out = capsys.readouterr().out
    assert _visible(out) == "✓ all good\n" and out.startswith("\x1b[1;32m")  # green
    assert _visible(FAILED) == "✗ Not yet:" and FAILED.startswith("\x1b[1;31m")  # red, and a word
    marks = set(_visible(PASSED + FAILED)) - set(" Notyet:")
    assert all(ord(c) < 0x2700 or 0x2700 <= ord(c) <= 0x27BF and c in "✓✗" for c in marks)
    assert not any(ord(c) >= 0x1F000 or c in "✅❌" for c in _visible(PASSED + FAILED))  # no emoji
    fonttools = pytest.importorskip("fontTools.ttLib")
    from pathlib import Path

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip("DejaVu Sans is not installed here")
    cmap = fonttools.TTFont(font).getBestCmap()
    assert all(ord(c) in cmap for c in marks)  # every mark is drawn by the common default font


def test_long_messages_are_wrapped_at_spaces_never_inside_a_word():
    words = ["supercalifragilistic", "np.linalg.norm(means - x, axis=1)", "wrapping"] * 20
    err = ExerciseFailed(" ".join(words) + "\nHint: " + " ".join(reversed(words)))
    lines = [_visible(line) for line in err._render_traceback_()]
    assert all(len(line) <= machinery.WIDTH + len("✗ Not yet: ") for line in lines) and len(lines) > 4
    assert " ".join(line.removeprefix("✗ Not yet: ") for line in lines).split() == (
        " ".join(words) + " Hint: " + " ".join(reversed(words))).split()  # no word cut in two


def test_hints_come_in_stages_and_the_solution_only_on_request(capsys):
    """Issue 20: the second failure printed the whole solution. Now: pointer, then the next
    step (or the pointer again), and the solution only with solution(name)."""
    hint = Hint("squares", "think of multiplying x by itself", "return x * x", step="x squared is x * x")
    with pytest.raises(ExerciseFailed) as first:
        check_function(lambda x: x + x, square, [{"x": 3}], name="squares", hint=hint)
    assert "Hint: think of multiplying x by itself" in str(first.value)
    assert "return x * x" not in str(first.value) and 'check.solution("squares")' in str(first.value)
    for wrong in (lambda x: x + 1, lambda x: x - 1):  # the second failure, and the third
        with pytest.raises(ExerciseFailed) as later:
            check_function(wrong, square, [{"x": 3}], name="squares", hint=hint)
        assert "Hint: x squared is x * x" in str(later.value) and "return x * x" not in str(later.value)
    reset_hints()
    solution("squares")  # on request, at any time
    assert capsys.readouterr().out == "Solution of `squares`: return x * x\n"
    recipe("squares")  # the older name in the notebooks' text
    assert capsys.readouterr().out == "Solution of `squares`: return x * x\n"
    with pytest.raises(ExerciseFailed, match=r'No exercise is called "cubes"|No exercise is called \'cubes\''):
        solution("cubes")
    plain = Hint("cubes", "three factors of x", "return x * x * x")  # no step (01-06): the recipe second
    with pytest.raises(ExerciseFailed) as err:
        check_function(lambda x: x, lambda x: x**3, [{"x": 3}], name="cubes", hint=plain)
    assert "Hint: three factors of x" in str(err.value) and 'check.recipe("cubes")' in str(err.value)
    with pytest.raises(ExerciseFailed) as err:
        check_function(lambda x: x + 2, lambda x: x**3, [{"x": 3}], name="cubes", hint=plain)
    assert str(err.value).endswith("Hint: return x * x * x")


def test_every_exercise_of_notebooks_07_to_10_has_a_next_step_that_is_neither_pointer_nor_solution():
    from helpers.checks import framework_style, training_it_better, training_the_network  # noqa: F401
    from helpers.checks import your_own_handwriting  # noqa: F401

    expected = {"my_backprop", "per_digit_accuracy", "confident_mistakes", "cross_entropy", "l2_step",
                "early_stopping", "crop_to_ink", "centre_of_mass", "thicken", "my_softmax", "relu_backward",
                "adam_update"}
    assert expected <= set(machinery.HINTS)
    for name in expected:
        hint = machinery.HINTS[name]
        assert hint.step and hint.step not in (hint.pointer, hint.recipe), name
        assert hint.recipe not in hint.step, name


def test_every_exercise_of_notebooks_01_to_06_has_a_hint_in_three_stages():
    """Issue 20: pointer, then a middle step (never the whole recipe), the recipe only on request."""
    from helpers.checks import backpropagation, gradient_descent, meet_the_digits, perceptrons  # noqa: F401
    from helpers.checks import sigmoid_neurons, the_network  # noqa: F401

    expected = {"scale_pixels", "accuracy", "predict_nearest_mean", "perceptron_output", "half_adder",
                "learning_step", "neuron_output", "sigmoid_prime", "predicted_change", "stable_sigmoid",
                "feedforward", "one_hot_rows", "predicted_digits", "count_parameters", "quadratic_cost",
                "bowl_gradient", "descent_step", "minibatch_indices", "output_error", "backpropagate_error",
                "layer_gradients", "numerical_partial"}
    assert expected <= set(machinery.HINTS)
    for name in expected:
        hint = machinery.HINTS[name]
        assert hint.pointer != hint.recipe and hint.recipe not in hint.pointer
        code = [piece for piece in hint.recipe.split() if "(" in piece and ")" in piece]
        assert not any(piece in hint.pointer for piece in code if len(piece) > 12), name
        assert hint.step and hint.step not in (hint.pointer, hint.recipe) and hint.recipe not in hint.step, name
        assert len(hint.step) <= 3 * machinery.WIDTH, name  # a step, no longer than three lines


def test_a_first_failure_in_a_notebook_check_shows_the_pointer_only():
    from helpers.checks import meet_the_digits as digits_check

    with pytest.raises(ExerciseFailed) as err:
        digits_check.scale_pixels(lambda images: images.reshape(len(images), -1) / 256)
    assert "astype(np.float32) / 255" not in str(err.value) and "one row of 784 numbers" in str(err.value)
    # The same answer checked again (the cell run twice, Run All twice) is not a new failure.
    with pytest.raises(ExerciseFailed) as err:
        digits_check.scale_pixels(lambda images: images.reshape(len(images), -1) / 256)
    assert "astype(np.float32) / 255" not in str(err.value) and "Stuck?" in str(err.value)
    with pytest.raises(ExerciseFailed) as err:  # changed, and still wrong: the next step, not the recipe
        digits_check.scale_pixels(lambda images: images.reshape(len(images), -1) / 256.0)
    assert "astype(np.float32) / 255" not in str(err.value) and "before any arithmetic" in str(err.value)
    assert 'check.solution("scale_pixels")' in str(err.value)


# --- odd return values (issue 10, item 6) ------------------------------------------------------


def test_a_string_dict_set_or_generator_for_an_array_gets_a_kind_message_not_a_numpy_error():
    cases = [({"x": 1}, "a dict"), ({1, 2}, "a set"), ((v for v in [1, 4]), "a generator"),
             ("[1 4]", "a string, '[1 4]'")]
    for value, words in cases:
        with pytest.raises(ExerciseFailed) as err:
            check_function(lambda x, value=value: value, square, [{"x": np.array([1.0, 2.0])}], name="f")
        message = str(err.value)
        assert f"expected a NumPy array of shape (2,), got {words}" in message, message
        assert "truth value" not in message and "ambiguous" not in message


def test_the_right_number_as_a_string_is_refused_with_its_own_message():
    with pytest.raises(ExerciseFailed) as err:
        check_function(lambda x: str(x * x), square, [{"x": 3}], name="f")
    assert str(err.value) == ("`f(x=3)`: expected one number, got a string, '9'. Return the value itself, not "
                              "text (no quotes, no str(...), no f-string).")
    with pytest.raises(ExerciseFailed, match="got a string, '0.5'"):
        check_value("0.5", 0.5, what="the answer")


def test_a_list_with_the_right_values_where_an_array_is_asked_for_is_told_so_kindly():
    with pytest.raises(ExerciseFailed) as err:
        check_function(lambda x: [float(v * v) for v in x], square, [{"x": np.array([1.0, 2.0])}], name="f")
    assert "expected a NumPy array of shape (2,), got a Python list, [1.0, 4.0]. The values are right" in str(err.value)
    assert "np.array(...)" in str(err.value)
    check_function(lambda x: (x * x, x), lambda x: (x * x, x), [{"x": np.array([1.0])}], name="pair")  # tuples stay fine


def test_float32_against_float64_is_not_named_as_the_problem():
    expected = np.zeros((3, 784), dtype=np.float32)
    got = np.full((3, 784), 0.5)
    with pytest.raises(ExerciseFailed) as err:
        check_value(got, expected, what="pixels")
    assert "dtype" not in str(err.value)
    with pytest.raises(ExerciseFailed, match="dtype int64"):  # a different kind of number is worth naming
        check_value(np.ones((3, 784), dtype=np.int64), expected, what="pixels")


def test_a_function_that_never_finishes_is_stopped_with_a_hint(monkeypatch):
    monkeypatch.setattr(calling, "TIME_LIMIT", 0.3)  # read where call_learner lives

    def forever(x):
        while x > 0:
            x = x  # the condition never changes
        return x

    with pytest.raises(ExerciseFailed) as err:
        check_function(forever, square, [{"x": 3}], name="f")
    assert "did not finish within 0.3 seconds" in str(err.value) and "while" in str(err.value)

    def swallows_everything(x):
        while True:
            try:
                pass
            except Exception:  # the time limit is not an Exception: it still stops the loop
                pass

    with pytest.raises(ExerciseFailed, match="did not finish"):
        call_learner(swallows_everything, {"x": 1}, name="g")
    assert call_learner(square, {"x": 4}) == 16  # the timer is off again


def test_an_interrupted_function_is_explained(monkeypatch):
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(ExerciseFailed, match=r"was interrupted before it finished.*never ends"):
        call_learner(interrupted, {"x": 1}, name="f")


def test_errors_whose_words_do_not_say_what_to_do_get_a_hint_of_their_own():
    def uses_an_import_never_run(x):
        return nand(x, x)  # noqa: F821

    with pytest.raises(ExerciseFailed, match=r"`nand` is not defined where your function runs.*import"):
        call_learner(uses_an_import_never_run, {"x": 1}, name="f", hint="the exercise's own hint")

    def if_on_an_array(z):
        return 1 if z > 0 else 0

    with pytest.raises(ExerciseFailed, match=r"given a whole array.*np.where"):
        call_learner(if_on_an_array, {"z": np.arange(3)}, name="f")


def test_shape_messages_say_one_number_and_do_not_repeat_a_big_arrays_shape():
    with pytest.raises(ExerciseFailed, match=r"expected one number, got an array of shape \(2,\): \[1, 4\]\."):
        check_function(lambda x: x * x, lambda x: float((x * x).sum()), [{"x": np.array([1, 2])}], name="f")
    with pytest.raises(ExerciseFailed) as err:
        check_value(np.zeros((1, 28, 28)), np.zeros((1, 784)), what="pixels")
    assert str(err.value) == "pixels: expected shape (1, 784), got shape (1, 28, 28)."
    with pytest.raises(ExerciseFailed, match=r"got a Python list, \[6.0, -16.0\]\."):
        check_value([np.float64(6.0), np.float64(-16.0)], np.array([6.0, -16.0]), what="gradient")


# --- an exercise not begun ------------------------------------------------------------------

from helpers.checks import NOT_DONE, is_stand_in, kindly, stand_in  # noqa: E402
from helpers.checks import the_network as network_checks  # noqa: E402


def test_an_untouched_stub_is_not_done_and_the_course_version_stands_in(capsys):
    # As in a notebook: the stub and the check's call live in the learner's namespace.
    namespace = {"check": network_checks}
    exec("def count_parameters(sizes):\n    raise NotImplementedError('Exercise 4: your code here')\n", namespace)
    stub = namespace["count_parameters"]
    exec("result = check.count_parameters(count_parameters)", namespace)
    out = capsys.readouterr().out
    assert namespace["result"] is None  # no exception: Run All goes on to the next cell
    assert out.startswith(f"{NOT_DONE} `count_parameters` still has its `raise NotImplementedError` line")
    assert "the course's own `count_parameters` stands in for yours" in " ".join(out.split())
    standing = namespace["count_parameters"]
    assert standing is not stub and is_stand_in(standing)
    assert standing([784, 100, 10]) == 79_510 and standing(sizes=[2, 3]) == 9  # by position and by name
    # The stand-in given to the check again is still not done: never praised as the learner's work.
    exec("check.count_parameters(count_parameters)", namespace)
    out = capsys.readouterr().out
    assert out.startswith(NOT_DONE) and "✓" not in out
    # The learner writes it: their function replaces the stand-in and is checked as usual.
    exec("def count_parameters(sizes):\n    return sum(n * (m + 1) for m, n in zip(sizes, sizes[1:]))\n"
         "check.count_parameters(count_parameters)", namespace)
    assert "✓" in capsys.readouterr().out and not is_stand_in(namespace["count_parameters"])


def test_a_stand_in_goes_only_where_the_stub_still_is(capsys):
    namespace = {"check": network_checks}
    exec("def count_parameters(sizes):\n    raise NotImplementedError\nstub = count_parameters\n"
         "def count_parameters(sizes):\n    return 1\n"  # the name now holds other work of the learner's
         "check.count_parameters(stub)", namespace)
    assert namespace["count_parameters"](None) == 1  # untouched
    assert "runs without it" in capsys.readouterr().out


def test_a_wrong_answer_still_fails_and_stops_run_all():
    with pytest.raises(ExerciseFailed):
        network_checks.count_parameters(lambda sizes: 0)


def test_stand_in_calls_the_reference_like_the_learners_function():
    def learner(a, b, eps=1e-5):
        raise NotImplementedError

    standing = stand_in(learner, lambda a, b, eps: (a, b, eps))
    assert standing(1, 2) == (1, 2, 1e-5) and standing(b=2, a=1, eps=3) == (1, 2, 3)
    assert standing.__name__ == "learner" and is_stand_in(standing)
    # A reference whose parameters have other names is called by position.
    assert stand_in(learner, lambda x, y, z: x + y + z)(1, 2, 3) == 6


def test_kindly_lets_other_errors_through():
    @kindly
    def check(learner):
        raise ExerciseFailed("wrong")

    with pytest.raises(ExerciseFailed, match="wrong"):
        check(lambda: 0)


def test_whose_says_when_the_course_stands_in():
    from helpers.checks import whose

    def mine(x):
        return x

    standing = stand_in(mine, lambda x: x)
    assert whose("backprop", mine) == "your backprop"
    assert whose("backprop", mine, standing) == "backprop (with the course's `mine` standing in for yours)"


def test_a_mark_counts_in_the_width_of_the_first_line():
    from helpers.checks import WIDTH, marked

    lines = marked(NOT_DONE, "word " * 60)
    assert lines[0].startswith(f"{NOT_DONE} word") and all(len(line) <= WIDTH for line in lines)


def test_a_changed_array_answer_is_a_new_attempt_even_when_its_shape_is_the_same():
    from helpers.checks import fingerprint

    a, b = np.zeros((5, 5)), np.zeros((5, 5))
    b[2, 3] = 1.0  # the description of both is "an array of shape (5, 5)": the numbers must count
    assert fingerprint((a,)) == fingerprint((a.copy(),)) and fingerprint((a,)) != fingerprint((b,))


def test_helpers_checks_offers_every_public_name_of_its_machinery():
    """The machinery is split by concern in helpers/checks/common/, but a lesson's checks and
    the notebooks import it from helpers.checks: every public name is there, the same object."""
    import ast
    import importlib

    for name in ("messages", "stand_ins", "calling", "compare"):
        module = importlib.import_module(f"helpers.checks.common.{name}")
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)}
        defined |= {target.id for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                    for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                    for target in (target.elts if isinstance(target, ast.Tuple) else [target])}
        for public in sorted(n for n in defined if not n.startswith("_")):
            assert public in machinery.__all__, f"helpers.checks does not offer {name}.{public}"
            assert getattr(machinery, public) is getattr(module, public)


def assert_hint_in_stages(check, first, second, name: str) -> None:
    """Two different wrong answers to the exercise ``name``: the first failure shows its hint's
    pointer, the second its middle step, neither the whole recipe (issue 20)."""
    reset_hints()
    hint = machinery.HINTS[name]
    with pytest.raises(ExerciseFailed) as err:
        check(first)
    message = str(err.value)
    assert hint.pointer in message and hint.step not in message and hint.recipe not in message, message
    with pytest.raises(ExerciseFailed) as err:
        check(second)
    message = str(err.value)
    assert hint.step in message and hint.recipe not in message, message
    assert f'check.solution("{name}")' in message, message
    reset_hints()


def test_a_short_array_in_a_message_stays_on_one_line():
    """Issue 20, seen in the browser: a message wrapped inside an array, so that a line began
    with ", 2. , 0.5"; a 2-D array broke the sentence over lines; an empty one read "[]"."""
    from helpers.checks.common.messages import describe, marked

    assert describe(np.array([[8, 2], [1, 9]])) == "[[8, 2], [1, 9]]"
    assert describe(np.zeros((0, 0))) == "an empty array of shape (0, 0)"
    z = np.array([[-2.0, -0.5, 0.5, 2.0]])
    text = (f"`relu_backward(z={describe(z)}, g={describe(-z)})` returned {describe(z * 0.125)}: you "
            "multiplied g by ReLU(z) itself; the chain rule wants its slope, which is 1 (not z) for z > 0.")
    lines = [_visible(line) for line in marked(FAILED, text)]
    for array in (describe(z), describe(-z), describe(z * 0.125)):
        assert any(array in line for line in lines), (array, lines)
    assert all(len(line) <= machinery.WIDTH + len("✗ Not yet: ") for line in lines)
    code = ("`my_backprop(net=a 3-4-2 network, X=an array of shape (5, 3), Y=one-hot rows of shape (5, 2))`: "
            "v averages g**2, not g: v = beta2 * v + (1 - beta2) * g**2.")
    lines = [_visible(line) for line in marked(FAILED, code)]  # a long group breaks, its short ones hold
    assert any("(5, 2)" in line for line in lines) and any("(1 - beta2)" in line for line in lines), lines
    long = describe(np.linspace(0, 1, 12))  # longer than _KEEP_TOGETHER: may break, at a space
    assert " ".join(_visible(line) for line in marked(FAILED, f"returned {long} {long}")).count("[") == 2
