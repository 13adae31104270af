"""Notebook 08's code: the one-neuron learning slowdown, the spread of z, L2 steps,
overfitting records, early stopping, the pictures, the exercise checks and the widget.
Each is compared with an independent reference: formulas written out here, finite
differences, hand-computed updates, plain loops."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers.checks import ExerciseFailed
from helpers.checks import training_it_better as check
from helpers.data import one_hot
from helpers.lessons import training_it_better as lesson
from helpers.network import Network
from helpers.training import update_mini_batch
from helpers.optimizers import halve_every
from helpers.widgets.training_it_better import TARGET_OUTPUT, slowdown_explorer, slowdown_summary


def sigma(z):
    return 1 / (1 + math.exp(-z))


def cost_by_hand(w, b, x, y, cost):
    a = sigma(w * x + b)
    if cost == "quadratic":
        return 0.5 * (a - y) ** 2
    return -(y * math.log(a) + (1 - y) * math.log(1 - a))


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = (np.eye(3, 4)[y] + 0.1 * rng.standard_normal((n, 4))).astype(np.float32)
    return X, y


# ----------------------------------------------------------------- one neuron, two costs

STARTS = [(0.6, 0.9, 1.0, 0.0), (2.0, 2.0, 1.0, 0.0), (-1.5, 0.3, 0.7, 1.0), (3.0, -5.0, 2.0, 0.25)]


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
@pytest.mark.parametrize("w, b, x, y", STARTS)
def test_the_neuron_cost_and_its_slope_match_the_formulas_and_finite_differences(w, b, x, y, cost):
    assert lesson.neuron_cost(w, b, x, y, cost) == pytest.approx(cost_by_hand(w, b, x, y, cost), rel=1e-12)
    dw, db = lesson.neuron_gradient(w, b, x, y, cost)
    h = 1e-6
    assert dw == pytest.approx((cost_by_hand(w + h, b, x, y, cost) - cost_by_hand(w - h, b, x, y, cost)) / (2 * h), rel=1e-6, abs=1e-10)
    assert db == pytest.approx((cost_by_hand(w, b + h, x, y, cost) - cost_by_hand(w, b - h, x, y, cost)) / (2 * h), rel=1e-6, abs=1e-10)
    # the learning-slowdown formulas of the lesson: sigma'(z) appears only with the quadratic cost
    a, z = sigma(w * x + b), w * x + b
    slope = sigma(z) * (1 - sigma(z))
    expected = (a - y) * slope * x if cost == "quadratic" else (a - y) * x
    assert dw == pytest.approx(expected, rel=1e-9)


def test_a_saturated_neuron_learns_slowly_with_the_quadratic_cost_only():
    slow = lesson.train_neuron(2.0, 2.0, cost="quadratic")
    fast = lesson.train_neuron(2.0, 2.0, cost="cross_entropy")
    assert len(slow["a"]) == 301 and slow["a"][0] == pytest.approx(sigma(4.0))
    slow_epochs = lesson.epochs_to_reach(slow, 0.2)
    assert lesson.epochs_to_reach(fast, 0.2) < 50 and (slow_epochs is None or slow_epochs > 250)
    assert abs(slow["dC_dw"][0]) < 0.02 < 0.9 < abs(fast["dC_dw"][0])


def test_train_neuron_takes_plain_gradient_steps():
    run = lesson.train_neuron(0.6, 0.9, x=1.0, y=0.0, eta=0.15, epochs=2, cost="quadratic")
    w, b = 0.6, 0.9
    for step in range(3):
        assert run["w"][step] == pytest.approx(w) and run["b"][step] == pytest.approx(b)
        a = sigma(w + b)
        delta = a * a * (1 - a)  # (a - 0) * sigma'(z)
        w, b = w - 0.15 * delta, b - 0.15 * delta
    assert lesson.epochs_to_reach(run, 0.0) is None


# ----------------------------------------------------------------- the spread of z


@pytest.mark.parametrize("weight_sd", [1.0, 1 / 28])
def test_z_spread_matches_sampled_neurons(weight_sd):
    rng = np.random.default_rng(0)
    X = rng.random((3, 784)) * (rng.random((3, 784)) < 0.2)  # ~150 inked pixels each
    w = rng.standard_normal((20_000, 784)) * weight_sd
    b = rng.standard_normal(20_000)
    sampled = (X @ w.T + b).std(axis=1)
    np.testing.assert_allclose(lesson.z_spread(X, weight_sd), sampled, rtol=0.03)


def test_z_spread_of_the_course_networks_starts():
    rng = np.random.default_rng(1)
    X = rng.random((2, 784)) * (rng.random((2, 784)) < 0.2)
    zs = {init: np.concatenate([X @ Network([784, 100, 10], init=init, seed=s).weights[0].T.astype(np.float64)
                                + Network([784, 100, 10], init=init, seed=s).biases[0] for s in range(40)], axis=1)
          for init in ("normal", "scaled")}
    np.testing.assert_allclose(zs["normal"].std(axis=1), lesson.z_spread(X, 1.0), rtol=0.1)
    np.testing.assert_allclose(zs["scaled"].std(axis=1), lesson.z_spread(X, 1 / 28), rtol=0.1)


# ----------------------------------------------------------------- L2


def test_decayed_step_by_hand():
    w = np.array([[1.0, -2.0]])
    got = lesson.decayed_step(w, np.array([[0.5, 0.5]]), eta=0.5, lmbda=5.0, n=50)
    np.testing.assert_allclose(got, [[(1 - 0.05) * 1.0 - 0.25, (1 - 0.05) * -2.0 - 0.25]])
    assert w.tolist() == [[1.0, -2.0]]  # the input is left alone


def test_the_networks_step_with_decay_is_the_hand_computed_update():
    X, y = blobs(10)
    Y = one_hot(y, 3)
    net = Network([4, 5, 3], cost="cross_entropy", init="scaled", dtype=np.float64, seed=0)
    nabla_w, nabla_b = net.backprop(X, Y)
    eta, lmbda, n = 0.5, 5.0, 50
    expected_w = [(1 - eta * lmbda / n) * w - eta * g for w, g in zip(net.weights, nabla_w)]
    expected_b = [b - eta * g for b, g in zip(net.biases, nabla_b)]
    assert all(np.allclose(lesson.decayed_step(w, g, eta, lmbda, n), e) for w, g, e in zip(net.weights, nabla_w, expected_w))
    update_mini_batch(net, X.astype(np.float64), Y.astype(np.float64), eta, decays=[lmbda / n, lmbda / n, 0, 0])
    for got, e in zip(net.weights + net.biases, expected_w + expected_b):
        np.testing.assert_allclose(got, e, rtol=1e-12)


def test_squared_weights_is_the_l2_term_of_the_cost():
    X, y = blobs(30)
    net = Network([4, 5, 3], cost="cross_entropy", init="scaled", dtype=np.float64, seed=0)
    by_hand = sum(float((w**2).sum()) for w in net.weights)
    assert lesson.squared_weights(net) == pytest.approx(by_hand)
    Y = one_hot(y, 3)
    assert net.cost(X, Y, lmbda=2.0, n=30) - net.cost(X, Y, lmbda=0.0) == pytest.approx(2.0 / (2 * 30) * by_hand)


def test_the_recorder_measures_every_epoch_beside_another_callback():
    X, y = blobs()
    net = Network([4, 6, 3], cost="cross_entropy", init="scaled", seed=0)
    stops = []
    recorder = lesson.EpochRecorder(net, {"training": (X, y), "check": (X[:50], y[:50])})
    stop_at_two = lambda epoch, history: stops.append(epoch) or (False if epoch == 2 else None)  # noqa: E731
    history = net.SGD((X, y), 5, 10, 0.5, lmbda=1.0, callbacks=[recorder, stop_at_two], seed=0)
    assert len(history["epoch"]) == 3 and stops == [0, 1, 2]  # stopped after the third epoch
    assert len(recorder.cost["training"]) == len(recorder.accuracy["check"]) == 3
    assert recorder.accuracy["training"][-1] == net.accuracy(X, y)
    assert recorder.cost["training"][-1] == pytest.approx(net.cost(X, one_hot(y, 3), lmbda=0.0))
    # the history's training cost includes the L2 term; the recorder's does not
    assert history["training_cost"][-1] > recorder.cost["training"][-1]


# ----------------------------------------------------------------- early stopping


@pytest.mark.parametrize("accuracies, patience, expected", [
    ([0.90, 0.92, 0.91, 0.93, 0.93, 0.92, 0.91, 0.90], 3, (4, 7)),
    ([0.5, 0.6, 0.7, 0.8], 2, (4, 4)),
    ([0.80, 0.85, 0.84, 0.86, 0.85, 0.85], 1, (2, 3)),
    ([0.97, 0.975, 0.975, 0.975, 0.97, 0.98], 3, (2, 5)),
    ([0.5], 1, (1, 1)),
])
def test_stopping_point_by_hand(accuracies, patience, expected):
    assert lesson.stopping_point(accuracies, patience) == expected


def test_early_stopping_stops_and_restores_the_best_epoch():
    X, y = blobs(300)
    noisy = y.copy()
    noisy[:120] = np.random.default_rng(1).integers(0, 3, 120)  # labels to memorise: validation stops improving
    net = Network([4, 30, 3], cost="cross_entropy", init="scaled", seed=0)
    stopper = lesson.EarlyStopping(net, patience=3)
    validation = (X[200:], y[200:])
    snapshots = []

    def keep(epoch, history):
        snapshots.append([w.copy() for w in net.weights])

    history = net.SGD((X[:200], noisy[:200]), 200, 10, 2.0, validation_data=validation,
                      callbacks=[keep, stopper], seed=0)
    epochs_run = len(history["epoch"])
    best, stop = lesson.stopping_point(history["validation_accuracy"], 3)
    assert stopper.stopped_early and epochs_run == stop < 200
    assert stopper.best_epoch == best and stopper.stop_epoch == stop
    assert stopper.best_accuracy == max(history["validation_accuracy"])
    stopper.restore()
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, snapshots[best - 1]))
    assert net.accuracy(*validation) == pytest.approx(stopper.best_accuracy)


def test_early_stopping_needs_validation_data_and_a_run_to_restore():
    net = Network([4, 6, 3], seed=0)
    stopper = lesson.EarlyStopping(net, patience=2)
    with pytest.raises(ValueError, match="nothing to restore"):
        stopper.restore()
    with pytest.raises(ValueError, match="validation_data"):
        net.SGD(blobs(20), 2, 10, 1.0, callbacks=[stopper])


# ----------------------------------------------------------------- shifts, tables, pictures


def test_shifted_copies_move_the_ink_one_pixel():
    image = np.zeros((28, 28))
    image[10:14, 12:15] = 1.0
    copies, moves = lesson.shifted_copies(image.ravel(), 1)
    assert len(copies) == 9 and moves[4] == (0, 0) and np.array_equal(copies[4], image.ravel())
    for copy, (dy, dx) in zip(copies, moves):
        rows, cols = np.nonzero(copy.reshape(28, 28))
        assert (rows.min(), cols.min()) == (10 + dy, 12 + dx) and copy.sum() == image.sum()


def test_the_improvement_table_by_hand():
    rows = [{"change": "start", "validation": 0.9, "test": 0.9012, "seconds": 12.3},
            {"change": "better", "validation": None, "test": 0.9537, "seconds": 40}]
    lines = lesson.improvement_table(rows).splitlines()
    assert lines[0].startswith("what changed") and "gain (test)" in lines[0]
    assert lines[2].split() == ["start", "90.00", "%", "90.12", "%", "12", "s"]
    assert lines[3].split() == ["better", "—", "95.37", "%", "+5.25", "40", "s"]


def test_pictures_have_titles_labels_and_styles():
    runs = {cost: lesson.train_neuron(2.0, 2.0, epochs=20, cost=cost) for cost in ("quadratic", "cross_entropy")}
    fig = lesson.draw_neuron_runs(Figure(), runs)
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    lines = fig.axes[0].get_lines()
    assert lines[0].get_linestyle() != lines[1].get_linestyle() and lines[0].get_marker() != lines[1].get_marker()
    ax = lesson.draw_schedules(Figure().subplots(), {"halve every 10": halve_every(0.5, 10), "run": {"eta": [0.5] * 30}}, 30)
    assert ax.get_title() and ax.get_lines()[0].get_ydata()[-1] == pytest.approx(0.125)
    assert ax.get_lines()[0].get_linestyle() != ax.get_lines()[1].get_linestyle()
    X, y = blobs()
    net = Network([4, 6, 3], cost="cross_entropy", init="scaled", seed=0)
    recorder = lesson.EpochRecorder(net, {"training": (X, y), "validation": (X, y)})
    net.SGD((X, y), 2, 10, 0.5, callbacks=[recorder])
    fig = lesson.draw_overfitting(Figure(), {"λ = 0": recorder})
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    assert [line.get_label() for line in fig.axes[1].get_lines()] == ["λ = 0: training images", "λ = 0: validation images"]
    fig = lesson.draw_shifts(Figure(), np.zeros(784))
    assert len(fig.axes) == 9 and fig.axes[4].get_title() == "original"
    rows = [{"change": "a", "test": 0.97, "seconds": 1}, {"change": "b", "test": 0.985, "seconds": 2}]
    ax = lesson.draw_improvements(Figure().subplots(), rows, target=0.985)
    assert ax.get_xlabel() and ax.get_title() and "98.50 %" in [t.get_text() for t in ax.texts] and "the goal, 98.5 %" in [t.get_text() for t in ax.texts]


# ----------------------------------------------------------------- the exercise checks


def reference_cross_entropy(a, y):
    return -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=1)


def test_cross_entropy_check(capsys):
    check.cross_entropy(reference_cross_entropy)
    assert "correct on all 3 test cases" in capsys.readouterr().out
    for wrong, message in [
        (lambda a, y: -(y * np.log(a)).sum(axis=1), r"\(1 - y\) ln\(1 - a\)"),
        (lambda a, y: -reference_cross_entropy(a, y), "minus sign"),
        (lambda a, y: -(y * np.log10(a) + (1 - y) * np.log10(1 - a)).sum(axis=1), "natural logarithm"),
        (lambda a, y: reference_cross_entropy(a, y) / a.shape[1], "mean over the output neurons"),
        (lambda a, y: reference_cross_entropy(a, y).sum(), "one cost per row"),
    ]:
        with pytest.raises(ExerciseFailed, match=message):
            check.cross_entropy(wrong)


def test_l2_step_check(capsys):
    check.l2_step(lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda / n) * w - eta * nabla_w)
    assert "correct" in capsys.readouterr().out
    for wrong, message in [
        (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda) * w - eta * nabla_w, "divided by n"),
        (lambda w, nabla_w, eta, lmbda, n: (1 - lmbda / n) * w - eta * nabla_w, "misses eta"),
        (lambda w, nabla_w, eta, lmbda, n: (1 + eta * lmbda / n) * w - eta * nabla_w, "grow instead"),
        (lambda w, nabla_w, eta, lmbda, n: w - eta * nabla_w, "without the L2 part"),
        (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda / n) * (w - eta * nabla_w), "gradient step was shrunk"),
    ]:
        with pytest.raises(ExerciseFailed, match=message):
            check.l2_step(wrong)

    def in_place(w, nabla_w, eta, lmbda, n):
        w *= 1 - eta * lmbda / n
        w -= eta * nabla_w
        return w

    with pytest.raises(ExerciseFailed, match="changed the array `w`"):
        check.l2_step(in_place)


def test_early_stopping_check(capsys):
    check.early_stopping(lesson.stopping_point)
    assert "correct on all 7 test cases" in capsys.readouterr().out

    def from_zero(accuracies, patience):
        best, stop = lesson.stopping_point(accuracies, patience)
        return best - 1, stop - 1

    def ties(accuracies, patience):
        best, best_epoch = -1.0, 0
        for epoch, accuracy in enumerate(accuracies, start=1):
            if accuracy >= best:
                best, best_epoch = accuracy, epoch
            elif epoch - best_epoch >= patience:
                return best_epoch, epoch
        return best_epoch, len(accuracies)

    for wrong, message in [
        (from_zero, "count the epochs from 1"),
        (ties, "has to beat it"),
        (lambda accuracies, patience: (int(np.argmax(accuracies)) + 1, len(accuracies)), "does not see the future"),
        (lambda accuracies, patience: lesson.stopping_point(accuracies, 1), "wait for `patience`"),
    ]:
        with pytest.raises(ExerciseFailed, match=message):
            check.early_stopping(wrong)
    # An untouched stub is 'not done yet', said kindly, not a failure (helpers.checks.kindly)
    assert check.early_stopping(lambda accuracies, patience: (_ for _ in ()).throw(NotImplementedError())) is None
    assert "still has its `raise NotImplementedError` line" in capsys.readouterr().out


# ----------------------------------------------------------------- the widget


def test_slowdown_summary_in_words():
    runs = {cost: lesson.train_neuron(2.0, 2.0, epochs=100, cost=cost) for cost in ("quadratic", "cross_entropy")}
    text = slowdown_summary(runs, 2.0, 2.0)
    reached = lesson.epochs_to_reach(runs["cross_entropy"], TARGET_OUTPUT)
    assert text.startswith("start: z = 4.00, a = σ(z) = 0.982.")
    assert f"cross-entropy cost: below {TARGET_OUTPUT} after {reached} epochs." in text
    assert "quadratic cost: still at 0.9" in text and "after 100 epochs" in text


def test_the_explorer_follows_its_sliders_and_repeats_itself():
    box = slowdown_explorer(epochs=100)
    first = box.picture.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and len(box.runs["quadratic"]["a"]) == 101
    box.w.value = 0.6
    box.b.value = 0.9
    assert box.picture.value != first and box.runs["quadratic"]["w"][0] == pytest.approx(0.6)
    assert "z = 1.50" in box.children[1].value
    box.w.value, box.b.value = 2.0, 2.0
    assert box.picture.value == first  # the same state draws the same bytes
    box.epochs.value = 200
    assert len(box.runs["cross_entropy"]["a"]) == 201


# ----------------------------------------------------------------- measuring a run


def test_measured_run_keeps_the_best_validation_epoch_and_scores_the_test_set_once():
    X, y = blobs(300)
    validation, test = (X[200:250], y[200:250]), (X[250:], y[250:])
    net = Network([4, 6, 3], cost="cross_entropy", init="scaled", seed=0)
    row = lesson.measured_run("blobs", net, (X[:200], y[:200]), 6, 10, 0.5, validation, test, seed=0)
    accuracies = row["history"]["validation_accuracy"]
    assert row["epochs"] == 6 and row["best_epoch"] == int(np.argmax(accuracies)) + 1
    assert row["validation"] == max(accuracies) == net.accuracy(*validation)
    assert row["test"] == net.accuracy(*test) and row["history"]["test_accuracy"] == []
    assert row["seconds"] > 0 and lesson.describe_row(row).startswith("blobs: validation ")
    final = lesson.measured_run("all", Network([4, 6, 3], cost="cross_entropy", init="scaled", seed=0),
                                (X[:250], y[:250]), 3, 10, 0.5, None, test, watch_test=True, seed=0)
    assert final["validation"] is None and final["best_epoch"] == final["epochs"] == 3
    assert len(final["history"]["test_accuracy"]) == 3 and final["history"]["test_accuracy"][-1] == final["test"]
    assert "validation" not in lesson.describe_row(final)


def test_the_checks_name_the_new_slips_and_stage_their_hints():
    from helpers.checks import reset_hints

    for wrong, message in [
        (lambda a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a)), "one number per output neuron: the cost"),
        (lambda a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=0), "add up each \\*row\\*"),
    ]:
        with pytest.raises(ExerciseFailed, match=message):
            check.cross_entropy(wrong)
    for wrong, message in [
        (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda // n) * w - eta * nabla_w, "without the L2 part.*`//`"),
        (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda / (2 * n)) * w - eta * nabla_w, "half what it should be"),
        (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda / n) * w + eta * nabla_w, "step \\*up\\* the gradient"),
        (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda / n) * w - nabla_w, "missing its eta"),
    ]:
        with pytest.raises(ExerciseFailed, match=message):
            check.l2_step(wrong)

    def walk(accuracies, patience, late=False, reset=True, last=0, give="epoch"):
        best, best_epoch, waited = -1.0, 0, 0
        for epoch, accuracy in enumerate(accuracies, start=1):
            if accuracy > best:
                best, best_epoch, waited = accuracy, epoch, 0 if reset else waited
            else:
                waited += 1
                if (waited > patience) if late else (waited >= patience):
                    return (best_epoch if give == "epoch" else best), epoch
        return (best_epoch if give == "epoch" else best), len(accuracies) - last

    for options, message in [({"late": True}, "one epoch too late"), ({"reset": False}, "never starts again"),
                             ({"last": 1}, "not len\\(accuracies\\) - 1"), ({"give": "accuracy"}, "best \\*accuracy\\*")]:
        with pytest.raises(ExerciseFailed, match=message):
            check.early_stopping(lambda accuracies, patience: walk(accuracies, patience, **options))
    check.early_stopping(walk)  # the walk itself, with none of the slips, is right

    reset_hints()
    wrong = lambda w, nabla_w, eta, lmbda, n: w * 0  # noqa: E731  (no known slip: the hint is shown)
    with pytest.raises(ExerciseFailed, match="(?s)Only the old weights are shrunk.*Stuck\\?") as first:
        check.l2_step(wrong)
    with pytest.raises(ExerciseFailed, match="Stuck\\?"):  # the same answer again: still the pointer
        check.l2_step(wrong)
    still_wrong = lambda w, nabla_w, eta, lmbda, n: w * 0.0  # noqa: E731  (changed, still wrong)
    with pytest.raises(ExerciseFailed, match=r"Hint: the equation of the section in words") as second:
        check.l2_step(still_wrong)  # the next step, not the solution (issue 20)
    assert "Stuck?" not in str(second.value) and str(first.value) != str(second.value)
    assert "* w - eta * nabla_w" not in str(second.value) and 'check.solution("l2_step")' in str(second.value)



def test_early_stopping_check_tries_accuracies_of_zero_and_l2_names_the_changed_array():
    """Issue 20: a best that starts at 0 passed (no case began at 0.0); `nabla_w *= eta` was
    told not to change `w`."""
    with pytest.raises(ExerciseFailed, match="your best starts at 0"):
        check.early_stopping(check._best_from_zero)  # the slip as the check knows it

    def scales_the_gradient(w, nabla_w, eta, lmbda, n):
        nabla_w *= eta
        return (1 - eta * lmbda / n) * w - nabla_w

    with pytest.raises(ExerciseFailed, match=r"changed the array `nabla_w`.*`nabla_w \*= eta`"):
        check.l2_step(scales_the_gradient)
