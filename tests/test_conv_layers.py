"""The engine's convolutional layers (issue 18): Conv2D against a plain loop and both
layers' backward passes against finite differences (float64), max pooling's gradient by
hand, dropout only while training, a CNN saved and loaded, and architectures too large
refused before anything is built."""

import json
import resource

import numpy as np
import pytest

from helpers.gradcheck import gradient_check
from helpers.layers import (EVAL_NUMBERS, Activation, Conv2D, Dense, Dropout, Flatten, MaxPool2D, Sequential,
                            _rows_at_once)
from helpers.saving import load, save


def conv_by_loops(A, w, b):
    """The definition, one number at a time: Z[n, o, i, j] = b[o] + sum w[o, c, p, q] A[n, c, i + p, j + q]."""
    m, c_in, H, W = A.shape
    c_out, _, k, _ = w.shape
    Z = np.zeros((m, c_out, H - k + 1, W - k + 1))
    for n in range(m):
        for o in range(c_out):
            for i in range(H - k + 1):
                for j in range(W - k + 1):
                    Z[n, o, i, j] = b[o] + sum(w[o, c, p, q] * A[n, c, i + p, j + q]
                                               for c in range(c_in) for p in range(k) for q in range(k))
    return Z


def test_conv2d_forward_is_the_cross_correlation_of_the_definition():
    rng = np.random.default_rng(0)
    layer = Conv2D(2, 3, 3, dtype=np.float64, rng=1)
    layer.b[...] = rng.standard_normal(3)
    A = rng.standard_normal((2, 2, 5, 6))  # not square: rows and columns are not swapped
    Z = layer.forward(A)
    assert Z.shape == (2, 3, 3, 4) == (2, *layer.output_shape((2, 5, 6)))
    np.testing.assert_allclose(Z, conv_by_loops(A, layer.w, layer.b), rtol=1e-12, atol=1e-12)


def test_conv2d_starts_with_he_or_glorot_weights_in_its_dtype():
    layer = Conv2D(4, 50, 5, rng=0)
    assert layer.w.shape == (50, 4, 5, 5) and layer.b.shape == (50,) and layer.w.dtype == np.float32
    assert layer.w.std() == pytest.approx(np.sqrt(2 / 100), rel=0.05) and not layer.b.any()
    glorot = Conv2D(4, 50, 5, init="glorot", dtype=np.float64, rng=0)
    assert glorot.w.dtype == np.float64 and np.abs(glorot.w).max() <= np.sqrt(6 / (100 + 1250))
    assert np.array_equal(Conv2D(4, 50, 5, rng=0).w, layer.w)  # the same rng, the same weights
    assert layer.regularised == (True, False) and len(layer.params) == 2
    X = np.random.default_rng(1).random((3, 4, 8, 8), dtype=np.float32)
    assert layer.forward(X).dtype == np.float32 and layer.backward(np.ones((3, 50, 4, 4), np.float32)).dtype == np.float32


def kinks_and_ties(model, X, gap=1e-3):
    """The smallest |z| before a ReLU and the smallest gap between a pooling window's two
    largest inputs: a finite difference across a kink or a tie would not be a derivative."""
    model.forward(X)
    nearest = np.inf
    for before, layer in zip(model.layers, model.layers[1:]):
        if isinstance(layer, Activation) and layer.activation.name == "relu":
            nearest = min(nearest, np.abs(layer.Z).min())
        if isinstance(layer, MaxPool2D):
            A = before.A  # the activation before the pooling
            m, c, H, W = A.shape
            s = layer.size
            windows = A[:, :, : H // s * s, : W // s * s].reshape(m, c, H // s, s, W // s, s)
            top2 = np.sort(windows.transpose(0, 1, 2, 4, 3, 5).reshape(m, c, H // s, W // s, s * s), axis=-1)[..., -2:]
            live = top2[..., 1] != 0  # a window of ReLU's zeros (z < 0, checked above) stays 0 when nudged
            nearest = min(nearest, np.min((top2[..., 1] - top2[..., 0])[live]))
    return nearest


@pytest.mark.parametrize("layers, shape", [
    # the model: one convolution, ReLU, pooling, a dense layer
    (lambda: [Conv2D(1, 3, 3, rng=1), Activation("relu"), MaxPool2D(2), Flatten(), Dense(12, 3, rng=2)], (1, 6, 6)),
    # two convolutions, so that Conv2D's gradient for its input (col2im) is checked too, on
    # two channels in; pooling that drops a row and a column (5 x 5 -> 2 x 2)
    (lambda: [Conv2D(2, 3, 3, rng=3), Activation("relu"), Conv2D(3, 2, 2, rng=4), Activation("sigmoid"),
              MaxPool2D(2), Flatten(), Dense(8, 3, rng=5)], (2, 7, 7)),
])
def test_conv_and_pool_backward_match_finite_differences(layers, shape):
    rng = np.random.default_rng(0)
    model = Sequential(layers(), input_shape=shape, dtype=np.float64)
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            layer.b[...] = 0.1 * rng.standard_normal(layer.b.shape)
    X, Y = rng.random((3, *shape)), np.eye(3)[[0, 2, 1]]
    assert kinks_and_ties(model, X) > 1e-3  # nudges of eps = 1e-5 cross no kink and break no tie
    assert gradient_check(model, X, Y) < 1e-7
    assert gradient_check(model, X, Y, lmbda=0.5) < 1e-7


def test_max_pooling_by_hand():
    pool = MaxPool2D(2)
    A = np.array([[1., 5., 2., 2.],
                  [3., 4., 2., 0.],
                  [0., 0., 7., 1.],
                  [0., 0., 1., 8.]]).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(pool.forward(A), [[[[5., 2.], [0., 8.]]]])
    G = np.array([[10., 20.], [30., 40.]]).reshape(1, 1, 2, 2)
    # each window's gradient goes to its largest input; on a tie (2, 2, 2 and 0, 0, 0, 0)
    # to the first in reading order
    np.testing.assert_array_equal(pool.backward(G), np.array([[0., 10., 20., 0.],
                                                              [0., 0., 0., 0.],
                                                              [30., 0., 0., 0.],
                                                              [0., 0., 0., 40.]]).reshape(1, 1, 4, 4))
    odd = MaxPool2D(2)  # a 3 x 3 image: the last row and column are in no window, their gradient is 0
    B = np.arange(9.0).reshape(1, 1, 3, 3)
    assert odd.forward(B).tolist() == [[[[4.0]]]] and odd.output_shape((1, 3, 3)) == (1, 1, 1)
    np.testing.assert_array_equal(odd.backward(np.ones((1, 1, 1, 1))), [[[[0, 0, 0], [0, 1, 0], [0, 0, 0]]]])


def test_dropout_drops_only_while_training_and_passes_the_gradient_through_its_mask():
    rng = np.random.default_rng(0)
    model = Sequential([Flatten(), Dropout(0.25, rng=1), Dense(400, 3, rng=2)], input_shape=(1, 20, 20))
    drop = model.layers[1]
    X, Y = rng.random((50, 1, 20, 20), dtype=np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, 50)]
    A = X.reshape(50, -1)
    with model.evaluating():
        assert drop.forward(A) is A and not drop.training  # scoring: the identity
    assert drop.training
    model.grads(X, Y)
    assert drop.mask.dtype == np.float32
    assert set(np.unique(drop.mask)) == {0.0, np.float32(1 / 0.75)}
    assert abs((drop.mask == 0).mean() - 0.25) < 0.01  # 20,000 numbers: a quarter dropped
    # the Dense layer saw A * mask, and the gradient went back through the same mask
    np.testing.assert_array_equal(model.layers[2].A_in, A * drop.mask)
    G = rng.random((50, 400), dtype=np.float32)
    np.testing.assert_array_equal(drop.backward(G), G * drop.mask)
    # with its mask held fixed, Dropout's backward gives the finite differences' gradient
    frozen_mask = (rng.random((4, 5)) > 0.5) * 2.0

    class Frozen(Dropout):
        def forward(self, A_in):
            self.mask = frozen_mask
            return A_in * self.mask

    model64 = Sequential([Dense(6, 5, "sigmoid", rng=3), Frozen(0.5), Dense(5, 3, rng=5)], dtype=np.float64)
    assert gradient_check(model64, rng.random((4, 6)), np.eye(3)[[0, 1, 2, 0]]) < 1e-7
    with pytest.raises(ValueError, match="0 <= p < 1"):
        Dropout(1.0)
    np.testing.assert_array_equal(model.logits(X), model.layers[2].forward(A))  # predict never drops
    assert drop.training


def small_cnn(dtype=np.float32):
    rng = np.random.default_rng(0)
    return Sequential([Conv2D(1, 4, 5, rng=rng), Activation("relu"), MaxPool2D(2), Conv2D(4, 8, 3, rng=rng),
                       Activation("relu"), MaxPool2D(2), Flatten(), Dense(200, 10, rng=rng)],
                      input_shape=(1, 28, 28), dtype=dtype)


def test_a_cnn_saves_and_loads_exactly(tmp_path):
    model = small_cnn()
    save(model, tmp_path / "cnn.npz")
    back = load(tmp_path / "cnn.npz")
    assert repr(back) == repr(model) and back.n_params == model.n_params == 104 + 296 + 2010
    assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(back.params, model.params))
    X = np.random.default_rng(1).random((5, 1, 28, 28))
    np.testing.assert_array_equal(back.logits(X), model.logits(X))
    dropping = Sequential([*model.layers[:-1], Dropout(0.3), model.layers[-1]], input_shape=(1, 28, 28))
    save(dropping, tmp_path / "dropout.npz")
    assert repr(load(tmp_path / "dropout.npz")) == repr(dropping) and "Dropout(p=0.3)" in repr(dropping)


def test_evaluation_chunks_count_the_im2col_matrix():
    """A 5 x 5 convolution of a 28 x 28 image makes a 576 x 25 matrix, more numbers than its
    4 x 24 x 24 output: evaluation must count those when it cuts the examples into chunks."""
    model = small_cnn()
    assert model.layers[0].numbers_held((1, 28, 28)) == 4 * 24 * 24 + 24 * 24 * 25
    assert _rows_at_once(model) * (4 * 24 * 24 + 24 * 24 * 25) <= EVAL_NUMBERS


def test_conv_layers_check_their_shapes_and_sizes():
    with pytest.raises(ValueError, match=r"Conv2D\(c_in=1, c_out=4, k=5\) takes images of shape \(1, H, W\) with "
                                         r"H, W >= 5, but gets examples of shape \(3, 28, 28\)"):
        Sequential([Conv2D(1, 4, 5), Flatten(), Dense(2304, 10)], input_shape=(3, 28, 28))
    with pytest.raises(ValueError, match=r"takes images .* gets examples of shape \(784,\)"):
        Sequential([Conv2D(1, 4, 5), Flatten(), Dense(2304, 10)], input_shape=(784,))
    with pytest.raises(ValueError, match=r"MaxPool2D\(size=2\) takes images"):
        Sequential([MaxPool2D(2), Flatten(), Dense(1, 2)], input_shape=(1, 1, 5))
    with pytest.raises(ValueError, match=r"Conv2D\(1, 10000000, 1\) would hold 20,000,000 weights and biases"):
        Conv2D(1, 10_000_000, 1)
    with pytest.raises(ValueError, match="would hold"):
        Conv2D(1, 1, 10**50)
    for bad in (0, -3, 2.5, True, "5"):
        with pytest.raises(ValueError, match="k must be a whole number >= 1"):
            Conv2D(1, 1, bad)
    with pytest.raises(ValueError, match="size must be a whole number >= 1"):
        MaxPool2D(0)
    with pytest.raises(ValueError, match="unknown init 'uniform'"):
        Conv2D(1, 1, 3, init="uniform")
    # few parameters, huge arrays: 64 channels of a 1000 x 1000 picture per example
    with pytest.raises(ValueError, match="one example would make a layer hold 65,000,000 numbers at once"):
        Sequential([Conv2D(1, 64, 1), MaxPool2D(1000), Flatten(), Dense(64, 10)], input_shape=(1, 1000, 1000))


def test_a_hostile_cnn_architecture_is_refused_before_any_array_is_made(tmp_path):
    save(small_cnn(), tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as f:
        entries = {k: f[k] for k in f.files}

    def arch(*layers, input_shape=(1, 28, 28)):
        return json.dumps({"input_shape": list(input_shape), "layers": [list(layer) for layer in layers]})

    pool = ("MaxPool2D", {"size": 1000})
    for text, words in [
        (arch(("Conv2D", {"c_in": 1, "c_out": 4, "k": 100_000})), "parameters"),  # a huge kernel
        (arch(("Conv2D", {"c_in": 10**6, "c_out": 10**6, "k": 1})), "parameters"),  # huge channels
        (arch(("Conv2D", {"c_in": 1, "c_out": 4, "k": 10**40})), "parameters"),
        # a negative size cannot cancel a huge one: each is checked before they are added up
        (arch(("Conv2D", {"c_in": 1, "c_out": 2 * 10**7, "k": 1}), ("Conv2D", {"c_in": -1, "c_out": 2 * 10**7, "k": 1})),
         "c_in must be a whole number >= 1, got -1"),
        (arch(("Conv2D", {"c_in": 1, "c_out": 4, "k": "5"})), "k must be a whole number"),
        (arch(("Conv2D", {"c_in": 1, "c_out": 4, "k": 5, "padding": 2})), "architecture"),
        (arch(("Conv2D", {"c_in": 1, "c_out": 64, "k": 1}), pool, ("Flatten", {}), ("Dense", {"n_in": 64, "n_out": 10}),
              input_shape=(1, 1000, 1000)), "numbers at once"),
    ]:
        path = tmp_path / "bad.npz"
        np.savez(path, **{**entries, "architecture": np.array(text)})
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with pytest.raises(ValueError, match=words):
            load(path)
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # kB
