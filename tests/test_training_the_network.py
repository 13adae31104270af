"""Notebook 07's code: the learner's backprop inside the network, saturation, mistakes,
the confusion-matrix pictures, the exercise checks and the training monitor."""

import struct

import numpy as np
import pytest

from helpers.activations import sigmoid, sigmoid_prime
from helpers.checks import ExerciseFailed
from helpers.checks import training_the_network as check
from helpers.lessons import training_the_network as lesson
from helpers.metrics import confusion_matrix
from helpers.network import Network
from helpers.validation import BackpropAnswerError
from helpers.widgets.training_the_network import TrainingMonitor, draw_monitor, epoch_line


def reference_backprop(net, X, Y, slope_in_bp2=True):
    """Notebook 06's my_backprop, written out here as the independent reference (and,
    with ``slope_in_bp2=False``, the slip of forgetting sigma'(Z) in BP2)."""
    Z, A = [None], [X]
    for w, b in zip(net.weights, net.biases):
        Z.append(A[-1] @ w.T + b)
        A.append(sigmoid(Z[-1]))
    L = len(net.weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    E = (A[L] - Y) * sigmoid_prime(Z[L])
    for l in range(L, 0, -1):
        nabla_w[l - 1], nabla_b[l - 1] = E.T @ A[l - 1] / len(X), E.mean(axis=0)
        if l > 1:
            E = (E @ net.weights[l - 1]) * (sigmoid_prime(Z[l - 1]) if slope_in_bp2 else 1)
    return nabla_w, nabla_b


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = (np.eye(3, 4)[y] + 0.1 * rng.standard_normal((n, 4))).astype(np.float32)
    return X, y


# ----------------------------------------------------------------- the learner's backprop


def test_a_network_with_the_learners_backprop_trains_like_the_course_network():
    X, y = blobs()
    start = Network([4, 6, 3], init="scaled", seed=0)
    course, mine = start.copy(), lesson.with_backprop(start, reference_backprop)
    h1 = course.SGD((X, y), 3, 10, 1.0, test_data=(X, y), seed=1)
    h2 = mine.SGD((X, y), 3, 10, 1.0, test_data=(X, y), seed=1)
    for a, b in zip(course.weights + course.biases, mine.weights + mine.biases):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert h1["test_accuracy"] == pytest.approx(h2["test_accuracy"], abs=0.01)
    assert all(np.array_equal(a, b) for a, b in zip(start.weights, Network([4, 6, 3], init="scaled", seed=0).weights))


def test_a_wrong_backprop_answer_is_named_not_a_numpy_error():
    X, y = blobs(20)
    net = Network([4, 6, 3], seed=0)
    swapped = lesson.with_backprop(net, lambda n, X, Y: reference_backprop(n, X, Y)[::-1])
    with pytest.raises(BackpropAnswerError, match=r"nabla_w\[0\] \(layer 1\) has shape \(6,\), expected \(6, 4\).*wrong way round"):
        swapped.SGD((X, y), 1, 10, 1.0)
    nothing = lesson.with_backprop(net, lambda n, X, Y: None)
    with pytest.raises(BackpropAnswerError, match="returned NoneType, expected a pair"):
        nothing.SGD((X, y), 1, 10, 1.0)
    # Nielsen's habits and other slips, each in words (found by a review: numpy errors before)
    def columns(n, X, Y):
        nabla_w, nabla_b = reference_backprop(n, X, Y)
        return nabla_w, [b[:, None] for b in nabla_b]

    def leading_none(n, X, Y):
        nabla_w, nabla_b = reference_backprop(n, X, Y)
        return [None] + nabla_w, [None] + nabla_b

    def nans(n, X, Y):
        nabla_w, nabla_b = reference_backprop(n, X, Y)
        return [w * np.nan for w in nabla_w], nabla_b

    for wrong, words in [(columns, r"nabla_b\[0\] \(layer 1\) has shape \(6, 1\), expected \(6,\) \(a column"),
                         (leading_none, "is there a None for the input layer"),
                         (lambda n, X, Y: (1, 2, 3), "returned 3 values"),
                         (nans, "NaN or infinite values in your backprop's first answer")]:
        with pytest.raises(BackpropAnswerError, match=words):
            Network([4, 6, 3], seed=0, backprop=wrong).SGD((X, y), 1, 10, 1.0)
    with pytest.raises(ValueError, match="backprop must be a function"):
        Network([4, 6, 3], backprop=Network)


# ----------------------------------------------------------------- saturation, speed, mistakes


def test_saturation_is_measured_on_the_hidden_z():
    net = Network([2, 3, 2], seed=0)
    net.weights[0] = np.array([[10.0, 0.0], [0.0, 1.0], [-5.0, 0.0]], dtype=np.float32)
    net.biases[0] = np.zeros(3, dtype=np.float32)
    X = np.array([[1.0, 1.0], [0.1, 1.0]], dtype=np.float32)
    # z = [10, 1, -5] and [1, 1, -0.5]: 2 of 6 beyond 4; unit 0 saturated on half the examples only
    assert lesson.saturated_fraction(net, X) == pytest.approx(2 / 6)
    assert lesson.stuck_units(net, X) == 0
    assert lesson.stuck_units(net, X[:1]) == 2


def test_speed_is_the_median_epoch():
    assert lesson.speed({"seconds": [1.0, 0.5, 0.25]}, 1000) == {"seconds_per_epoch": 0.5, "examples_per_second": 2000}


def test_per_digit_accuracy_and_confident_mistakes_against_plain_loops():
    rng = np.random.default_rng(0)
    outputs, labels = rng.random((50, 10)), rng.integers(0, 10, 50)
    C = confusion_matrix(outputs.argmax(axis=1), labels)
    expected = [C[i, i] / max(sum(C[i]), 1) for i in range(10)]
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(np.nan_to_num(lesson.per_digit_accuracy(C)), expected)
    wrong = [(outputs[i].max(), i) for i in range(50) if outputs[i].argmax() != labels[i]]
    surest = [i for _, i in sorted(wrong, key=lambda t: -t[0])[:5]]
    assert lesson.confident_mistakes(outputs, labels, 5).tolist() == surest


def test_pictures_have_titles_and_labels():
    from matplotlib.figure import Figure

    C = np.diag([980, 1130]) + 3
    ax = lesson.draw_confusion(Figure().subplots(), C)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert "980" in [t.get_text() for t in ax.texts] or "983" in [t.get_text() for t in ax.texts]
    ax = lesson.draw_accuracy_curves(Figure().subplots(), {"a": {"test_accuracy": [0.9, 0.95]}, "b": {"test_accuracy": [0.5, 0.6]}})
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert ax.get_lines()[0].get_linestyle() != ax.get_lines()[1].get_linestyle()  # not by colour alone
    fig = lesson.draw_mistakes(Figure(), np.zeros((3, 784)), [4, 7, 1], [9, 1, 7], [0.99, 0.9, 0.8], ncols=2)
    assert "label 4, said 9" in fig.axes[0].get_title()


# ----------------------------------------------------------------- the exercise checks


def test_my_backprop_check_accepts_the_reference_and_names_the_slips(capsys):
    check.my_backprop(reference_backprop)
    assert "correct on all 4 test cases" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match=r"as \(nabla_b, nabla_w\)"):
        check.my_backprop(lambda net, X, Y: reference_backprop(net, X, Y)[::-1])

    def summed(net, X, Y):
        nw, nb = reference_backprop(net, X, Y)
        return [g * len(X) for g in nw], [g * len(X) for g in nb]

    with pytest.raises(ExerciseFailed, match="m times too large"):
        check.my_backprop(summed)

    with pytest.raises(ExerciseFailed, match="BP2 multiplies by σ'"):
        check.my_backprop(lambda net, X, Y: reference_backprop(net, X, Y, slope_in_bp2=False))
    # An untouched stub is 'not done yet', said kindly, not a failure (helpers.checks.kindly)
    assert check.my_backprop(lambda net, X, Y: (_ for _ in ()).throw(NotImplementedError())) is None
    assert "still has its `raise NotImplementedError` line" in capsys.readouterr().out


def test_per_digit_accuracy_check(capsys):
    check.per_digit_accuracy(lambda C: C.diagonal() / C.sum(axis=1))
    assert "correct" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="column sums"):
        check.per_digit_accuracy(lambda C: C.diagonal() / C.sum(axis=0))
    with pytest.raises(ExerciseFailed, match="overall accuracy"):
        check.per_digit_accuracy(lambda C: np.trace(C) / C.sum())
    with pytest.raises(ExerciseFailed, match="counts of right answers"):
        check.per_digit_accuracy(lambda C: C.diagonal())


def test_confident_mistakes_check(capsys):
    check.confident_mistakes(lesson.confident_mistakes)
    assert "correct" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="right or wrong"):
        check.confident_mistakes(lambda outputs, labels, k: np.argsort(-outputs.max(axis=1), kind="stable")[:k])

    def least_sure(outputs, labels, k):
        answers = outputs.argmax(axis=1)
        wrong = np.flatnonzero(answers != labels)
        return wrong[np.argsort(outputs[wrong, answers[wrong]], kind="stable")[:k]]

    with pytest.raises(ExerciseFailed, match="least sure"):
        check.confident_mistakes(least_sure)


# ----------------------------------------------------------------- the training monitor


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_monitor_shows_each_epoch_in_the_bar_the_picture_and_a_line(capsys):
    X, y = blobs()
    monitor = TrainingMonitor(epochs=3, title="blobs")
    Network([4, 6, 3], init="scaled", seed=0).SGD((X, y), 3, 10, 1.0, test_data=(X, y), callbacks=[monitor])
    assert monitor.bar.value == monitor.bar.max == 3 * 20 and monitor.bar.bar_style == "success"
    assert len(monitor.lines) == 3 and monitor.lines[-1].startswith("epoch 3/3: test accuracy")
    assert monitor.label.value == monitor.lines[-1]
    out = capsys.readouterr().out
    assert out.count("epoch ") == 3 and "epoch 1/3" in out
    assert png_size(monitor.picture.image.value)[0] > 300


def test_monitor_picture_changes_with_the_history_and_is_repeatable():
    from matplotlib.figure import Figure

    history = {"epoch": [0, 1], "test_accuracy": [0.95, 0.97], "seconds": [0.4, 0.5]}
    fig = draw_monitor(Figure(), history, epochs=30, title="t")
    ax = fig.axes[0]
    assert ax.get_xlim() == (0.5, 30.5) and ax.get_title() == "t: epoch 2/30"
    assert ax.get_lines()[0].get_ydata().tolist() == [95.0, 97.0]
    monitor = TrainingMonitor(epochs=30, print_lines=False)
    one = monitor.picture.redraw(history=history)
    assert monitor.picture.redraw(history=history) == one
    assert monitor.picture.redraw(history={**history, "test_accuracy": [0.95, 0.98]}) != one
    assert epoch_line(1, 30, history) == "epoch 2/30: test accuracy 97.00 %, 0.50 s"


@pytest.mark.parametrize("epochs", [1, 2, 3, 7, 15, 30, 60])
def test_the_monitor_and_the_curves_tick_whole_epochs_only(epochs):
    from matplotlib.figure import Figure

    history = {"epoch": [0, 1][:epochs], "test_accuracy": [0.95, 0.96][:epochs], "seconds": [0.4, 0.5][:epochs]}
    monitor_axes = draw_monitor(Figure(figsize=(7, 3.4)), history, epochs=epochs).axes[0]
    curve_axes = Figure(figsize=(7, 3.4)).subplots()
    lesson.draw_accuracy_curves(curve_axes, {"run": {"test_accuracy": [0.9] * epochs}})
    for ax in (monitor_axes, curve_axes):
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
    if epochs <= 7:  # a short run: a tick at every epoch, 1, 2, ...
        assert [t for t in monitor_axes.get_xticks() if 0.5 <= t <= epochs + 0.5] == list(range(1, epochs + 1))


def test_my_backprop_check_points_at_the_equation_that_is_wrong():
    def variant(bp1_slope=True, slope_of="Z", bias="mean", bp4="E.T @ A", order="by index"):
        def backprop(net, X, Y):
            Z, A = [None], [X]
            for w, b in zip(net.weights, net.biases):
                Z.append(A[-1] @ w.T + b)
                A.append(sigmoid(Z[-1]))
            S = Z if slope_of == "Z" else A
            L, m = len(net.weights), len(X)
            nabla_w, nabla_b = [None] * L, [None] * L
            E = (A[L] - Y) * (sigmoid_prime(S[L]) if bp1_slope else 1)
            for l in range(L, 0, -1):
                nabla_w[l - 1] = E.T @ A[l - 1] / m if bp4 == "E.T @ A" else A[l - 1].T @ E / m
                nabla_b[l - 1] = E.mean(axis=0) if bias == "mean" else E.sum(axis=0)
                if l > 1:
                    E = (E @ net.weights[l - 1]) * sigmoid_prime(S[l - 1])
            return (nabla_w, nabla_b) if order == "by index" else (nabla_w[::-1], nabla_b[::-1])
        return backprop

    for wrong, message in [(variant(bp1_slope=False), "BP1 is missing its σ'"),
                           (variant(slope_of="A"), "given the activations A instead of the weighted inputs Z"),
                           (variant(bias="sum"), "the biases' are m times too large"),
                           (variant(order="reversed"), "in the wrong places"),
                           (variant(bp4="A.T @ E"), r"nabla_w\[1\] \(layer 2, the output layer\) has shape \(4, 2\), "
                            r"expected \(2, 4\) \(the transpose: BP4"),
                           (lambda net, X, Y: reference_backprop(net, X, Y)[0], "is one array of shape"),
                           (lambda net, X, Y: net.weights[5], "do not fit|index"),
                           ]:
        with pytest.raises(ExerciseFailed, match=message) as failure:
            check.my_backprop(wrong)
        assert "Y=one-hot rows of shape (5, 2)" in str(failure.value)  # shapes, not 10 numbers over 5 lines

    def wrong_transpose_in_bp2(net, X, Y):
        Z, A = [None], [X]
        for w, b in zip(net.weights, net.biases):
            Z.append(A[-1] @ w.T + b)
            A.append(sigmoid(Z[-1]))
        E = (A[2] - Y) * sigmoid_prime(Z[2])
        E = (E @ net.weights[1].T) * sigmoid_prime(Z[1])
        return [E, E], [E, E]

    with pytest.raises(ExerciseFailed, match=r"raised ValueError.*\nHint: two arrays whose shapes do not fit.*no \.T"):
        check.my_backprop(wrong_transpose_in_bp2)


def test_per_digit_and_confident_mistake_checks_name_the_new_slips():
    for wrong, message in [(lambda C: C.diagonal() // C.sum(axis=1), "whole-number division"),
                           (lambda C: 100 * C.diagonal() / C.sum(axis=1), "percentages"),
                           (lambda C: C.diagonal() / C.sum(), "number of \\*all\\* images")]:
        with pytest.raises(ExerciseFailed, match=message):
            check.per_digit_accuracy(wrong)

    def steps(outputs, labels):
        answers = outputs.argmax(axis=1)
        wrong = np.flatnonzero(answers != labels)
        return answers, wrong, outputs[wrong, answers[wrong]]

    def positions(outputs, labels, k):
        _, wrong, sure = steps(outputs, labels)
        return np.argsort(-sure, kind="stable")[:k]

    def by_label(outputs, labels, k):
        _, wrong, _ = steps(outputs, labels)
        return wrong[np.argsort(-outputs[wrong, labels[wrong]], kind="stable")[:k]]

    def sureness(outputs, labels, k):
        return np.sort(steps(outputs, labels)[2])[::-1][:k]

    def all_of_them(outputs, labels, k):
        _, wrong, sure = steps(outputs, labels)
        return wrong[np.argsort(-sure, kind="stable")]

    for wrong, message in [(positions, "positions in your list of mistakes"), (by_label, "the \\*true\\* digit"),
                           (sureness, "how sure the network was, not which images"),
                           (all_of_them, "keep only the first k")]:
        with pytest.raises(ExerciseFailed, match=message):
            check.confident_mistakes(wrong)


def test_my_backprop_that_asks_the_network_is_refused_in_words():
    with pytest.raises(ExerciseFailed, match="asks the network for its gradients .`net.backprop`."):
        check.my_backprop(lambda net, X, Y: net.backprop(X, Y))
    with pytest.raises(ExerciseFailed, match="asks the network for its gradients .`net.gradients`."):
        check.my_backprop(lambda net, X, Y: net.gradients(X, Y))
    # Plugged into a network all the same, it is the course's backprop: training runs, no recursion.
    net = lesson.with_backprop(Network([4, 3, 2], seed=0), lambda net, X, Y: net.backprop(X, Y))
    net.SGD((np.ones((2, 4)), np.array([0, 1])), 1, 2, 0.1)


def test_my_backprop_copied_from_06_without_its_pieces_is_told_where_they_are(tmp_path):
    import importlib.util

    (tmp_path / "copied.py").write_text("def my_backprop(net, X, Y):\n    E = output_error(X, Y, X)\n    return E\n")
    spec = importlib.util.spec_from_file_location("copied", tmp_path / "copied.py")
    copied = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copied)
    with pytest.raises(ExerciseFailed, match="calls `output_error` from notebook 06"):
        check.my_backprop(copied.my_backprop)



def test_a_backprop_written_for_two_layers_is_told_about_depth():
    """Issue 20: it was told 'two arrays whose shapes do not fit were multiplied'."""
    def two_layers_only(net, X, Y):
        w1, w2 = net.weights
        b1, b2 = net.biases
        Z1 = X @ w1.T + b1
        A1 = sigmoid(Z1)
        Z2 = A1 @ w2.T + b2
        A2 = sigmoid(Z2)
        E2 = (A2 - Y) * sigmoid_prime(Z2) / len(X)
        E1 = (E2 @ w2) * sigmoid_prime(Z1)
        return [E1.T @ X, E2.T @ A1], [E1.sum(axis=0), E2.sum(axis=0)]

    with pytest.raises(ExerciseFailed, match="right for a network with one hidden layer, but stops on a "
                                             "6-5-4-3 network: it must work for any number of layers"):
        check.my_backprop(two_layers_only)
