"""Training: Nielsen's update rule exactly, repeatability, history, schedules, Adam,
augmentation, divergence, and a short real run on MNIST."""

import numpy as np
import pytest

from helpers.images import random_shift
from helpers.cli.bench import NaiveNetwork, as_column_pairs
from helpers.network import Network
from helpers.optimizers import HalveOnPlateau, make_schedule
from helpers.callbacks import Callback
from helpers.progress import ProgressBar, ProgressDisplay
from helpers.training import TrainingDiverged, train, update_mini_batch
from tests.conftest import real_data


def blobs(n=300, seed=0):
    """Three well-separated clusters in 4-D: an easy problem any working SGD learns."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]], dtype=np.float32)
    X = (centres[y] + 0.1 * rng.standard_normal((n, 4))).astype(np.float32)
    return X, y


def test_one_step_is_nielsens_update_rule():
    X, y = blobs(4)
    net = Network([4, 3, 3], dtype=np.float64, seed=0)
    w_before = [w.copy() for w in net.weights]
    b_before = [b.copy() for b in net.biases]
    nabla_w, nabla_b = net.backprop(X, np.eye(3)[y])
    eta, lmbda, n = 0.5, 2.0, 4
    net.SGD((X, y), 1, 4, eta, lmbda=lmbda)  # one mini-batch holds all 4
    for w0, nw, w in zip(w_before, nabla_w, net.weights):
        np.testing.assert_allclose(w, (1 - eta * lmbda / n) * w0 - eta * nw, rtol=1e-12)
    for b0, nb, b in zip(b_before, nabla_b, net.biases):
        np.testing.assert_allclose(b, b0 - eta * nb, rtol=1e-12)


def test_backprop_is_the_mean_of_per_example_gradients():
    X, y = blobs(5)
    Y = np.eye(3)[y]
    net = Network([4, 3, 3], dtype=np.float64, seed=0)
    nabla_w, nabla_b = net.backprop(X, Y)
    singles = [net.backprop(X[i : i + 1], Y[i : i + 1]) for i in range(5)]
    for l in range(2):
        np.testing.assert_allclose(nabla_w[l], np.mean([s[0][l] for s in singles], axis=0), rtol=1e-12)
        np.testing.assert_allclose(nabla_b[l], np.mean([s[1][l] for s in singles], axis=0), rtol=1e-12)


def test_learns_an_easy_problem_and_returns_a_history():
    X, y = blobs()
    net = Network([4, 8, 3], init="scaled", seed=0)
    assert net.accuracy(X, y) < 0.7
    calls = []
    history = net.SGD((X, y), 5, 10, 3.0, validation_data=(X, y), test_data=blobs(100, 1),
                      callbacks=[lambda epoch, h: calls.append(epoch)])
    assert calls == [0, 1, 2, 3, 4]
    assert set(history) == {"epoch", "eta", "training_cost", "validation_accuracy", "test_accuracy", "seconds"}
    assert all(len(v) == 5 for v in history.values())
    assert history["training_cost"][-1] < history["training_cost"][0]
    assert history["validation_accuracy"][-1] > 0.95 and history["test_accuracy"][-1] > 0.95
    assert all(s > 0 for s in history["seconds"])


def test_same_seed_same_training():
    X, y = blobs()
    results = []
    for _ in range(2):
        net = Network([4, 8, 3], seed=1)
        net.SGD((X, y), 2, 7, 1.0, augment=None)
        results.append(net.weights[0])
    assert np.array_equal(*results)
    other = Network([4, 8, 3], seed=1)
    other.SGD((X, y), 2, 7, 1.0, seed=99)  # a different shuffle
    assert not np.array_equal(results[0], other.weights[0])


def test_callback_can_stop_training():
    X, y = blobs()
    history = Network([4, 8, 3], seed=0).SGD((X, y), 10, 10, 1.0, callbacks=[lambda e, h: e < 2])
    assert history["epoch"] == [0, 1, 2]

    class StopAfterTwo(Callback):
        def on_epoch_end(self, run):
            if run.epoch == 1:
                run.stop()

    history = Network([4, 8, 3], seed=0).SGD((X, y), 10, 10, 1.0, callbacks=StopAfterTwo())
    assert history["epoch"] == [0, 1]
    with pytest.raises(ValueError, match="each callback must be a helpers.callbacks.Callback"):
        Network([4, 8, 3], seed=0).SGD((X, y), 1, 10, 1.0, callbacks=["print"])


def test_callbacks_are_told_each_moment_in_order():
    X, y = blobs(50)
    seen = []

    class Watch(Callback):
        def on_train_begin(self, run):
            seen.append(("begin", run.epochs, run.batches_per_epoch))

        def on_batch_end(self, run):
            seen.append(("batch", run.epoch, run.batch))

        def on_epoch_end(self, run):
            seen.append(("epoch", run.epoch, len(run.history["epoch"])))

        def on_train_end(self, run):
            seen.append(("end",))

    Network([4, 3, 3], seed=0).SGD((X, y), 2, 20, 1.0, callbacks=[Watch()])
    assert seen == [("begin", 2, 3), ("batch", 0, 1), ("batch", 0, 2), ("batch", 0, 3), ("epoch", 0, 1),
                    ("batch", 1, 1), ("batch", 1, 2), ("batch", 1, 3), ("epoch", 1, 2), ("end",)]


def test_schedule_function_and_halve_on_plateau():
    X, y = blobs()
    history = Network([4, 8, 3], seed=0).SGD((X, y), 3, 10, 1.0, schedule=lambda epoch: 1.0 / (epoch + 1))
    assert history["eta"] == [1.0, 0.5, 1 / 3]
    plateau = HalveOnPlateau(2.0, patience=2)
    for accuracy in [0.5, 0.6, 0.6, 0.55, 0.7, 0.7]:
        plateau.observe(accuracy)
    assert plateau(6) == 1.0  # halved once: after two epochs without improvement
    history = Network([4, 8, 3], seed=0).SGD((X, y), 8, 10, 1.0, schedule="halve_on_plateau", validation_data=(X, y))
    # the easy problem is solved at once, so accuracy plateaus and eta is halved
    assert history["eta"][0] == 1.0 and history["eta"][-1] < 1.0


def test_adam_relu_softmax_learns():
    X, y = blobs()
    net = Network([4, 16, 3], activation="relu", output="linear", cost="cross_entropy", init="scaled", seed=0)
    history = net.SGD((X, y), 10, 10, 0.01, optimizer="adam", validation_data=(X, y))
    assert history["validation_accuracy"][-1] > 0.95


def test_augment_is_applied_to_training_images():
    X = np.random.default_rng(0).random((40, 784)).astype(np.float32)
    y = np.arange(40) % 10
    seen = []
    def spy(batch, rng):
        seen.append(len(batch))
        return random_shift(batch, rng)
    Network([784, 10, 10], seed=0).SGD((X, y), 2, 10, 0.1, augment=spy)
    assert sum(seen) == 80


def test_divergence_stops_training_with_advice():
    X, y = blobs()
    net = Network([4, 8, 3], output="linear", seed=0)
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch 0: the cost became (nan|inf) with eta = 1e\+06.*try a smaller learning rate, e.g. eta = 100000"):
        net.SGD((X, y), 3, 10, 1e6)


class RecordingProgress(ProgressDisplay):
    """A progress display that writes down what it is told, to test the protocol."""

    def __init__(self):
        self.calls = []

    def start(self, total):
        self.calls.append(("start", total))

    def update(self, n=1, status=None):
        self.calls.append(("update", n, status))

    def close(self):
        self.calls.append(("close",))


def test_progress_display_is_told_every_mini_batch_and_closed(capsys):
    X, y = blobs(50)
    progress = RecordingProgress()
    Network([4, 3, 3], seed=0).SGD((X, y), 2, 10, 1.0, callbacks=[progress])
    assert progress.calls[0] == ("start", 2 * 5)  # 2 epochs of 50 / 10 mini-batches
    assert sum(c[1] for c in progress.calls if c[0] == "update") == 10
    assert ("update", 5, "epoch 2/2") in progress.calls
    assert progress.calls[-1] == ("close",)
    assert capsys.readouterr() == ("", "")  # no display given: nothing printed
    # closed even when training fails
    failing = RecordingProgress()
    with pytest.raises(TrainingDiverged):
        Network([4, 8, 3], output="linear", seed=0).SGD((X, y), 3, 10, 1e6, callbacks=[failing])
    assert failing.calls[-1] == ("close",)


def test_terminal_bar_and_verbose_lines(capsys, monkeypatch):
    import sys

    X, y = blobs(50)
    Network([4, 3, 3], seed=0).SGD((X, y), 2, 10, 1.0, callbacks=[ProgressBar()])
    assert capsys.readouterr() == ("", "")  # stderr is not a terminal here: no bar to redraw
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # now pretend it is one
    Network([4, 3, 3], seed=0).SGD((X, y), 2, 10, 1.0, verbose=True, callbacks=[ProgressBar()])
    out, err = capsys.readouterr()
    assert "Training [" in err and "10/10" in err
    assert out.count("Epoch ") == 2 and "training cost" in out


def test_the_loop_trains_any_model_with_the_small_protocol():
    """train() needs only the model protocol (helpers.training's docstring): a hand-written
    softmax regression (its own gradient, no Network, no layers) learns the blobs, and the
    loop, not the model, takes the steps."""

    class Softmax:
        input_shape, n_out, dtype = (4,), 3, np.float64
        regularised = (True,)

        def __init__(self):
            self.w, self.asked = np.zeros((3, 4)), 0

        @property
        def params(self):
            return [self.w]

        def probabilities(self, X):
            e = np.exp(X @ self.w.T)
            return e / e.sum(axis=1, keepdims=True)

        def grads(self, X, Y):
            self.asked += 1
            return [(self.probabilities(X) - Y).T @ X / len(X)]

        def cost(self, X, Y, lmbda=0.0, n=None):
            l2 = 0.5 * lmbda / (n or len(X)) * np.sum(self.w**2)
            return float(-np.mean(np.sum(Y * np.log(self.probabilities(X)), axis=1))) + l2

        def predict(self, X):
            return self.probabilities(X).argmax(axis=1)

    X, y = blobs()
    model = Softmax()
    history = train(model, (X, y), 3, 10, 1.0, validation_data=(X, y), rng=np.random.default_rng(0))
    assert model.asked == 3 * 30
    assert history["training_cost"][-1] < history["training_cost"][0] < np.log(3) + 1e-9
    assert history["validation_accuracy"][-1] > 0.95
    # the update rule is the loop's: one step by hand is p -> p - eta * grad
    start, (g,) = model.w.copy(), model.grads(X[:10], np.eye(3)[y[:10]])
    update_mini_batch(model, X[:10], np.eye(3)[y[:10]], 0.5)
    np.testing.assert_allclose(model.w, start - 0.5 * g)
    history = train(model, (X, y), 2, 10, 0.01, optimizer="adam", lmbda=2.0, rng=np.random.default_rng(0))
    assert len(history["epoch"]) == 2


def test_schedules_by_name():
    assert [make_schedule("halve_every:2", 3.0)(epoch) for epoch in range(5)] == [3.0, 3.0, 1.5, 1.5, 0.75]
    assert make_schedule("constant", 3.0)(7) == make_schedule(None, 3.0)(7) == 3.0
    assert isinstance(make_schedule("halve_on_plateau", 3.0), HalveOnPlateau)
    assert [make_schedule("decay:0.5", 0.004)(epoch) for epoch in range(3)] == [0.004, 0.002, 0.001]
    assert make_schedule("decay:1", 0.1)(9) == 0.1
    for bad in ("halve_every:0", "halve_every:x", "sometimes", "decay:0", "decay:1.5", "decay:nan", "decay:x"):
        with pytest.raises(ValueError, match="unknown schedule"):
            make_schedule(bad, 3.0)


@real_data
def test_short_real_run_reaches_a_sensible_accuracy(mnist):
    train, validation, test = mnist
    net = Network([784, 30, 10], init="scaled", cost="cross_entropy", seed=0)
    history = net.SGD((train.X[:5000], train.y[:5000]), 3, 10, 1.0, test_data=(test.X[:2000], test.y[:2000]))
    assert history["test_accuracy"][-1] > 0.85  # 88.5 % here; chance is 10 %


def test_naive_reference_computes_the_same_gradient():
    X, y = blobs(6)
    naive = NaiveNetwork([4, 3, 3], seed=0)
    net = Network([4, 3, 3], dtype=np.float64, seed=0)
    net.weights = [w.copy() for w in naive.weights]
    net.biases = [b[:, 0].copy() for b in naive.biases]
    naive.update_mini_batch(as_column_pairs(X, y, 3), 0.5)
    update_mini_batch(net, X.astype(np.float64), np.eye(3)[y], 0.5)
    for w_naive, w in zip(naive.weights, net.weights):
        np.testing.assert_allclose(w, w_naive, rtol=1e-10)
    for b_naive, b in zip(naive.biases, net.biases):
        np.testing.assert_allclose(b, b_naive[:, 0], rtol=1e-10)


@pytest.mark.parametrize("returns, match", [
    (lambda X, rng: None, r"it returned None"),
    (lambda X, rng: X[:, :2], r"it returned an array of shape \(20, 2\) and dtype float32"),
    (lambda X, rng: X[:-1], r"it returned an array of shape \(19, 4\)"),
    (lambda X, rng: X.tolist(), r"it returned \[\["),
])
def test_an_augmentation_that_returns_the_wrong_thing_gets_a_message(returns, match):
    """N9: before, a raw NumPy error from inside the loop (or AttributeError for None)."""
    X, y = blobs(20)
    with pytest.raises(ValueError, match=r"augment=<lambda> must return the images it is given, changed: an array of "
                                         r"numbers of shape \(20, 4\) \(one image per row\); " + match):
        Network([4, 3, 3], seed=0).SGD((X, y), 1, 5, 0.1, augment=returns)


def test_an_augmentation_that_returns_nan_gets_a_message():
    X, y = blobs(20)
    with pytest.raises(ValueError, match=r"the images augment=<lambda> returned has NaN or infinite values in 20 of 20 rows"):
        Network([4, 3, 3], seed=0).SGD((X, y), 1, 5, 0.1, augment=lambda X, rng: X * np.nan)


def test_callbacks_given_wrongly_are_refused_before_training():
    """Found by a review: a class instead of an instance was a silent no-op (ProgressBar)
    or failed after a whole epoch; a function of the wrong arity, after an epoch."""
    X, y = blobs(20)
    net = Network([4, 3, 3], seed=0)
    for wrong, words in [([ProgressBar], "got the class ProgressBar as a callback: pass an instance, ProgressBar"),
                         (ProgressBar, "got the class ProgressBar"),
                         ([lambda run: None], "each callback must be"),
                         ("progress", "got 'progress'")]:
        with pytest.raises(ValueError, match=words):
            net.SGD((X, y), 1, 10, 1.0, callbacks=wrong)
    # numpy's False stops too
    history = net.SGD((X, y), 4, 10, 1.0, callbacks=[lambda e, h: np.float64(h["training_cost"][-1]) > 100])
    assert history["epoch"] == [0]


def test_every_callback_ends_and_the_first_error_is_the_one_seen():
    X, y = blobs(20)
    ended = []

    class Ends(Callback):
        def on_train_end(self, run):
            ended.append(self)

    class Breaks(Callback):
        def on_train_end(self, run):
            raise RuntimeError("the callback's own error")

    first, last = Ends(), Ends()
    with pytest.raises(TrainingDiverged):  # not the callback's RuntimeError
        Network([4, 8, 3], output="linear", seed=0).SGD((X, y), 3, 10, 1e6, callbacks=[first, Breaks(), last])
    assert ended == [first, last]
    with pytest.raises(RuntimeError, match="the callback's own error"):  # training went well: its error shows
        Network([4, 3, 3], seed=0).SGD((X, y), 1, 10, 1.0, callbacks=[Breaks()])


def test_halve_on_plateau_needs_validation_halves_once_and_starts_afresh():
    X, y = blobs(60)
    plateau = HalveOnPlateau(1.0, patience=1)
    with pytest.raises(ValueError, match="needs validation_data"):
        Network([4, 3, 3], seed=0).SGD((X, y), 2, 10, 1.0, callbacks=[plateau])
    flat = (X[:10], y[:10])
    runs = []
    for _ in range(2):
        net = Network([4, 3, 3], seed=0)
        runs.append(net.SGD((X, y), 4, 10, 1.0, schedule=plateau, callbacks=[plateau], validation_data=flat)["eta"])
    assert runs[0] == runs[1]  # the second run starts at 1.0 again
    assert all(b in (a, a / 2) for a, b in zip(runs[0], runs[0][1:]))  # at most one halving an epoch


def test_a_progress_display_says_how_long_is_left(monkeypatch):
    """Issue 20: long cells must show progress with a time estimate."""
    import helpers.progress as progress

    clock = iter(float(t) for t in range(1000))
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))  # one second a call
    X, y = blobs(40)
    display = RecordingProgress()
    Network([4, 3, 3], seed=0).SGD((X, y), 2, 10, 1.0, callbacks=[display])
    statuses = [c[2] for c in display.calls if c[0] == "update"]
    assert statuses[0].startswith("epoch 1/2, about ") and statuses[0].endswith(" s left")
    # after 1 of 8 mini-batches, 1 s on the clock: 7 s to come
    assert statuses[0] == "epoch 1/2, about 7 s left" and statuses[-1] == "epoch 2/2"
