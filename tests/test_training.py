"""Training: Nielsen's update rule exactly, repeatability, history, schedules, Adam,
augmentation, divergence, and a short real run on MNIST."""

import numpy as np
import pytest

from helpers.images import random_shift
from helpers.network import Network, TrainingDiverged
from helpers.optimizers import HalveOnPlateau
from tests.test_data import real_data


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
    net.SGD((X, y), 1, 4, eta, lmbda=lmbda, quiet=True)  # one mini-batch holds all 4
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
                      callback=lambda epoch, h: calls.append(epoch), quiet=True)
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
        net.SGD((X, y), 2, 7, 1.0, quiet=True, augment=None)
        results.append(net.weights[0])
    assert np.array_equal(*results)
    other = Network([4, 8, 3], seed=1)
    other.SGD((X, y), 2, 7, 1.0, quiet=True, seed=99)  # a different shuffle
    assert not np.array_equal(results[0], other.weights[0])


def test_callback_can_stop_training():
    X, y = blobs()
    history = Network([4, 8, 3], seed=0).SGD((X, y), 10, 10, 1.0, callback=lambda e, h: e < 2, quiet=True)
    assert history["epoch"] == [0, 1, 2]


def test_schedule_function_and_halve_on_plateau():
    X, y = blobs()
    history = Network([4, 8, 3], seed=0).SGD((X, y), 3, 10, 1.0, schedule=lambda epoch: 1.0 / (epoch + 1), quiet=True)
    assert history["eta"] == [1.0, 0.5, 1 / 3]
    plateau = HalveOnPlateau(2.0, patience=2)
    for accuracy in [0.5, 0.6, 0.6, 0.55, 0.7, 0.7]:
        plateau.observe(accuracy)
    assert plateau(6) == 1.0  # halved once: after two epochs without improvement
    history = Network([4, 8, 3], seed=0).SGD((X, y), 8, 10, 1.0, schedule="halve_on_plateau", validation_data=(X, y), quiet=True)
    # the easy problem is solved at once, so accuracy plateaus and eta is halved
    assert history["eta"][0] == 1.0 and history["eta"][-1] < 1.0


def test_adam_relu_softmax_learns():
    X, y = blobs()
    net = Network([4, 16, 3], activation="relu", output="linear", cost="cross_entropy", init="scaled", seed=0)
    history = net.SGD((X, y), 10, 10, 0.01, optimizer="adam", validation_data=(X, y), quiet=True)
    assert history["validation_accuracy"][-1] > 0.95


def test_augment_is_applied_to_training_images():
    X = np.random.default_rng(0).random((40, 784)).astype(np.float32)
    y = np.arange(40) % 10
    seen = []
    def spy(batch, rng):
        seen.append(len(batch))
        return random_shift(batch, rng)
    Network([784, 10, 10], seed=0).SGD((X, y), 2, 10, 0.1, augment=spy, quiet=True)
    assert sum(seen) == 80


def test_divergence_stops_training_with_advice():
    X, y = blobs()
    net = Network([4, 8, 3], output="linear", seed=0)
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch 0: the cost became (nan|inf) with eta = 1e\+06.*try a smaller learning rate, e.g. eta = 100000"):
        net.SGD((X, y), 3, 10, 1e6, quiet=True)


def test_progress_bar_shows_unless_quiet(capsys, monkeypatch):
    import sys

    X, y = blobs(50)
    Network([4, 3, 3], seed=0).SGD((X, y), 2, 10, 1.0)
    assert capsys.readouterr() == ("", "")  # stderr is not a terminal here: no bar to redraw
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # now pretend it is one
    Network([4, 3, 3], seed=0).SGD((X, y), 2, 10, 1.0, verbose=True)
    out, err = capsys.readouterr()
    assert "Training [" in err and "10/10" in err
    assert out.count("Epoch ") == 2 and "training cost" in out
    Network([4, 3, 3], seed=0).SGD((X, y), 2, 10, 1.0, quiet=True)
    assert capsys.readouterr() == ("", "")


@pytest.fixture(scope="module")
def mnist():
    from helpers.data import load_datasets

    return load_datasets()


@real_data
def test_short_real_run_reaches_a_sensible_accuracy(mnist):
    train, validation, test = mnist
    net = Network([784, 30, 10], init="scaled", cost="cross_entropy", seed=0)
    history = net.SGD((train.X[:5000], train.y[:5000]), 3, 10, 1.0, test_data=(test.X[:2000], test.y[:2000]), quiet=True)
    assert history["test_accuracy"][-1] > 0.85  # 88.5 % here; chance is 10 %


def test_naive_reference_computes_the_same_gradient():
    from helpers.naive import NaiveNetwork, as_column_pairs

    X, y = blobs(6)
    naive = NaiveNetwork([4, 3, 3], seed=0)
    net = Network([4, 3, 3], dtype=np.float64, seed=0)
    net.weights = [w.copy() for w in naive.weights]
    net.biases = [b[:, 0].copy() for b in naive.biases]
    naive.update_mini_batch(as_column_pairs(X, y, 3), 0.5)
    net.update_mini_batch(X.astype(np.float64), np.eye(3)[y], 0.5)
    for w_naive, w in zip(naive.weights, net.weights):
        np.testing.assert_allclose(w, w_naive, rtol=1e-10)
    for b_naive, b in zip(naive.biases, net.biases):
        np.testing.assert_allclose(b, b_naive[:, 0], rtol=1e-10)
