"""The engine's layers and models of layers: each layer's backward pass against finite
differences (float64), shapes of any rank, saving without pickle, and a new model -- a
network with two hidden layers -- trained, checked, saved, loaded and timed with no
change to the engine."""

import zipfile

import numpy as np
import pytest

from helpers.callbacks import Callback
from helpers.gradcheck import gradient_check, numerical_gradients, relative_error
from helpers.layers import Activation, Dense, Flatten, Sequential
from helpers.network import Network
from helpers.saving import load, save
from helpers.training import train


def problem(shape, n_out=3, m=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((m, *shape)), np.eye(n_out)[rng.integers(0, n_out, m)]


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "linear"])
def test_every_layer_backward_matches_finite_differences(activation):
    model = Sequential([Flatten(), Dense(12, 5, activation, rng=10), Activation("sigmoid"), Dense(5, 4, rng=11),
                        Activation(activation), Dense(4, 3, rng=12)], input_shape=(1, 3, 4), dtype=np.float64)
    X, Y = problem((1, 3, 4))
    # No ReLU's z within 1e-2 of its kink at 0, where a difference quotient of width 2e-5 would straddle it
    model.forward(X)
    assert all(np.abs(layer.Z).min() > 1e-2 for layer in model.layers if getattr(layer, "activation", None)
               and layer.activation.name == "relu")
    assert gradient_check(model, X, Y) < 1e-7
    assert gradient_check(model, X, Y, lmbda=0.8) < 1e-7
    # the whole numerical gradient, array by array, like params
    for numeric, analytic, p in zip(numerical_gradients(model, X, Y), model.copy(np.float64).grads(X, Y), model.params):
        assert numeric.shape == p.shape
        assert np.max(relative_error(numeric, analytic)) < 1e-7


def test_a_wrong_backward_pass_is_caught():
    class Doubled(Activation):
        def backward(self, G):
            return 2 * super().backward(G)

    X, Y = problem((5,))
    model = Sequential([Dense(5, 4, rng=0), Doubled("sigmoid"), Dense(4, 3, rng=1)], dtype=np.float64)
    assert gradient_check(model, X, Y) > 1e-2


def test_dense_layers_give_the_course_networks_gradients():
    """Dense layers holding a network's weights give its backprop's gradients and cost
    (both with linear outputs and the softmax cross-entropy of the logits)."""
    net = Network([6, 5, 3], init="scaled", dtype=np.float64, seed=0, output="linear", cost="cross_entropy")
    model = Sequential([Dense(6, 5, "sigmoid"), Dense(5, 3)], dtype=np.float64)
    for layer, w, b in zip(model.layers, net.weights, net.biases):
        layer.w[...], layer.b[...] = w, b
    X, Y = problem((6,))
    nabla_w, nabla_b = net.backprop(X, Y)
    grads = model.grads(X, Y)
    np.testing.assert_allclose(grads[0], nabla_w[0], atol=1e-12)
    np.testing.assert_allclose(grads[1], nabla_b[0], atol=1e-12)
    np.testing.assert_allclose(grads[2], nabla_w[1], atol=1e-12)
    np.testing.assert_allclose(grads[3], nabla_b[1], atol=1e-12)
    np.testing.assert_allclose(model.cost(X, Y), net.cost(X, Y), rtol=1e-12)


def test_shapes_are_checked_when_the_model_is_built():
    with pytest.raises(ValueError, match=r"Dense\(10, 3.*takes 10 numbers per example, but gets examples of shape "
                                         r"\(1, 28, 28\): put a Flatten\(\) before it"):
        Sequential([Dense(10, 3)], input_shape=(1, 28, 28))
    with pytest.raises(ValueError, match="give input_shape"):
        Sequential([Flatten(), Dense(784, 10)])
    with pytest.raises(ValueError, match="list of layers"):
        Sequential(["Dense(3, 2)"])
    model = Sequential([Flatten(), Dense(784, 10)], input_shape=(1, 28, 28))
    assert (model.input_shape, model.n_out, model.n_params) == ((1, 28, 28), 10, 7850)
    with pytest.raises(ValueError, match=r"X must hold one example of shape \(1, 28, 28\) per entry of its first "
                                         r"axis, shape \(n, 1, 28, 28\); got shape \(5, 784\)"):
        model.predict(np.zeros((5, 784)))
    with pytest.raises(ValueError, match="unknown activation 'tanh'"):
        Dense(3, 2, "tanh")
    with pytest.raises(ValueError, match="n_out must be a whole number >= 1, got 0"):
        Dense(3, 0)


def test_a_model_of_layers_saves_and_loads_exactly(tmp_path):
    model = Sequential([Flatten(), Dense(12, 5, "relu", rng=0), Dense(5, 3, rng=1)], input_shape=(1, 3, 4))
    save(model, tmp_path / "m.npz")
    back = load(tmp_path / "m.npz")
    assert isinstance(back, Sequential) and repr(back) == repr(model) and back.input_shape == (1, 3, 4)
    assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(back.params, model.params))
    X, _ = problem((1, 3, 4))
    np.testing.assert_array_equal(back.logits(X), model.logits(X))
    with np.load(tmp_path / "m.npz", allow_pickle=False) as f:
        assert str(f["kind"]) == "sequential"


def test_a_hostile_architecture_is_refused_before_any_array_is_made(tmp_path):
    model = Sequential([Dense(4, 3, rng=0)])
    save(model, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as f:
        entries = {k: f[k] for k in f.files}
    for text, words in [('{"input_shape": [4], "layers": [["Dense", {"n_in": 100000, "n_out": 100000}]]}', "parameters"),
                        ("[" * 50_000 + "]" * 50_000, "architecture"),
                        ('{"input_shape": [4], "layers": [["Os", {}]]}', "unknown layer 'Os'"),
                        ('{"input_shape": [4], "layers": [["Dense", {"n_in": 4, "n_out": 3, "rng": 1}]]}', "architecture"),
                        ("not json", "architecture")]:
        path = tmp_path / "bad.npz"
        np.savez(path, **{**entries, "architecture": np.array(text)})
        with pytest.raises(ValueError, match=words):
            load(path)
    np.savez(tmp_path / "kind.npz", **{**entries, "kind": np.array("pickle")})
    with pytest.raises(ValueError, match="kind 'pickle', expected one of 'network', 'sequential'"):
        load(tmp_path / "kind.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as archive:
        assert "architecture.npy" in archive.namelist()


def test_a_new_model_trains_checks_saves_loads_and_benchmarks_with_no_engine_change(tmp_path):
    """The issue's test of the engine's shape: a network with two hidden layers."""
    from helpers.cli.bench import time_training

    rng = np.random.default_rng(0)
    X = rng.random((300, 1, 4, 4))
    y = (X.reshape(300, -1).sum(axis=1) > 8).astype(int) + (X[:, 0, 0, 0] > 0.5)  # three classes
    model = Sequential([Flatten(), Dense(16, 12, "relu", rng=rng), Dense(12, 8, "sigmoid", rng=rng),
                        Dense(8, 3, rng=rng)], input_shape=(1, 4, 4))
    seen = []

    class Count(Callback):
        def on_epoch_end(self, run):
            seen.append(run.epoch)

    before = model.accuracy(X, y)
    history = train(model, (X, y), 8, 10, 0.01, optimizer="adam", lmbda=0.1, test_data=(X, y), callbacks=[Count()],
                    rng=np.random.default_rng(1))
    assert seen == list(range(8)) and history["test_accuracy"][-1] > before + 0.2
    assert gradient_check(model, X[:5], np.eye(3)[y[:5]], lmbda=0.1) < 1e-7
    save(model, tmp_path / "deep.npz")
    assert np.array_equal(load(tmp_path / "deep.npz").predict(X), model.predict(X))
    seconds = time_training(lambda: load(tmp_path / "deep.npz"), X, y, m=10, repeats=2)
    assert seconds > 0


# ----------------------------------------------------------------- found by a review of hostile inputs


def test_a_tiny_file_cannot_make_loading_build_a_huge_layer(tmp_path):
    """A negative size used to cancel a huge one in the sum: 446 MB for a 1.7 KB file at
    N = 6,000, a MemoryError at N = 20,000. Every size is checked before any is added up."""
    import json
    import resource

    from helpers.saving import FORMAT

    n = 20_000
    arch = {"input_shape": [n], "layers": [["Dense", {"n_in": n, "n_out": n}],
                                            ["Dense", {"n_in": -2, "n_out": (n + 1) * n}]]}
    path = tmp_path / "bomb.npz"
    np.savez(path, format=np.array(FORMAT), kind=np.array("sequential"), dtype=np.array("float32"),
             architecture=np.array(json.dumps(arch)))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValueError, match="n_in must be a whole number >= 1, got -2"):
        load(path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # kB


def test_layers_and_models_keep_the_engine_limits():
    with pytest.raises(ValueError, match=r"Dense\(19600, 1000\) would hold 19,601,000 weights and biases, more than"):
        Dense(19600, 1000)
    with pytest.raises(ValueError, match="the model would hold"):
        Sequential([Dense(4000, 1000), Dense(1000, 1000), Dense(1000, 10)])
    for shape in [(1.5, 784), (-1, -784), (True, 784), "abc", [[1, 2]], (), (16, 2**60 + 49)]:
        with pytest.raises(ValueError, match="input_shape"):
            Sequential([Flatten(), Dense(784, 10)], input_shape=shape)
    with pytest.raises(ValueError, match="leave the last layer linear"):
        Sequential([Dense(784, 100, "relu"), Dense(100, 10, "softmax")])
    with pytest.raises(ValueError, match="unknown activation"):
        Dense(3, 2, ["relu"])
    with pytest.raises(ValueError, match="unknown dtype"):
        Dense(3, 2, dtype=int)
    model = Sequential([Dense(4, 3)], dtype=np.float64)
    X, Y = problem((4,))
    with pytest.raises(ValueError, match="lmbda"):
        model.cost(X, Y, lmbda=-1.0)
    with pytest.raises(ValueError, match="the cost of no examples is not defined"):
        model.cost(X[:0], Y[:0])


def test_saving_refuses_what_loading_would_refuse(tmp_path):
    class Custom(Activation):
        pass

    with pytest.raises(ValueError, match=r"cannot save the network .*layers that loading would not know how to "
                                         r"rebuild \(Custom\)"):
        save(Sequential([Dense(4, 3), Custom("relu"), Dense(3, 2)]), tmp_path / "c.npz")
    model = Sequential([Dense(4, 3, rng=0)])
    model.layers[0].w = np.zeros((5, 4), np.float32)
    with pytest.raises(ValueError, match=r"parameter array 0 is float32 of shape \(5, 4\), but its layers need .* \(3, 4\)"):
        save(model, tmp_path / "s.npz")
    assert not list(tmp_path.iterdir())  # nothing written, not even half a file
    with pytest.raises(ValueError, match="is a folder, not a saved network"):
        load(tmp_path)


def test_gradient_check_never_calls_a_nan_perfect_and_checks_its_settings():
    X, Y = problem((5,))
    model = Sequential([Dense(5, 4, "sigmoid", rng=0), Dense(4, 3, rng=1)], dtype=np.float64)
    for bad in (0, float("nan"), -1e-5):
        with pytest.raises(ValueError, match="eps must be a small number > 0"):
            gradient_check(model, X, Y, eps=bad)
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="n_checks must be a whole number >= 1"):
            gradient_check(model, X, Y, n_checks=bad)

    class Broken(Dense):
        def backward(self, G):
            out = super().backward(G)
            self.nabla_w = self.nabla_w * np.nan
            return out

    broken = Sequential([Broken(5, 4, "sigmoid", rng=0), Dense(4, 3, rng=1)], dtype=np.float64)
    assert np.isnan(gradient_check(broken, X, Y))  # not 0.0, which would look perfect
