"""Activations and costs: values, stability at extreme z, and dtypes kept."""

import warnings

import numpy as np
import pytest

from helpers.activations import ReLU, log_softmax, relu, sigmoid, sigmoid_prime, softmax, Softmax
from helpers.costs import CrossEntropyCost, QuadraticCost
from helpers.activations import Linear, Sigmoid


def test_sigmoid_values_and_derivative():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(sigmoid_prime(z), np.exp(-z) / (1 + np.exp(-z)) ** 2, rtol=1e-14)
    h = 1e-6
    np.testing.assert_allclose(sigmoid_prime(z), (sigmoid(z + h) - sigmoid(z - h)) / (2 * h), rtol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_at_plus_minus_1000(dtype):
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow warning fails the test
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            s, ds = sigmoid(z), sigmoid_prime(z)
    assert s.dtype == dtype and ds.dtype == dtype
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert np.all(np.isfinite(ds)) and ds[0] == 0.0 and ds[-1] == 0.0


def test_sigmoid_prime_stays_positive_where_sigma_rounds_to_one():
    z = np.array([-30.0, -20.0, 20.0, 30.0], dtype=np.float32)
    assert np.all(sigmoid(z[2:]) == 1.0)  # float32 cannot tell sigma(20) from 1 ...
    exact = np.exp(-np.abs(z.astype(np.float64))) / (1 + np.exp(-np.abs(z.astype(np.float64)))) ** 2
    np.testing.assert_allclose(sigmoid_prime(z), exact, rtol=1e-6)  # ... but sigma'(20) is still right
    assert sigmoid_prime(z).dtype == np.float32


def test_the_naive_formula_would_warn():
    # the reason for the stable version: this is what notebook 03 contrasts it with
    with pytest.warns(RuntimeWarning, match="overflow"):
        1 / (1 + np.exp(-np.array([-1000.0])))


def test_relu_and_its_derivative():
    z = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
    assert relu(z).tolist() == [0.0, 0.0, 3.0] and relu(z).dtype == np.float32
    assert ReLU.backward(z, relu(z), np.ones(3, np.float32)).tolist() == [0.0, 0.0, 1.0]  # slope 0, then 1 (0 at the kink)


def test_softmax_is_stable_and_sums_to_one():
    z = np.array([[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = softmax(z)
        lp = log_softmax(z)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p[1], e / e.sum())
    np.testing.assert_allclose(lp[1], np.log(e / e.sum()))
    assert np.isfinite(lp).all()


def test_softmax_backward_matches_jacobian():
    rng = np.random.default_rng(0)
    z, g = rng.standard_normal((1, 4)), rng.standard_normal((1, 4))
    a = softmax(z)
    jacobian = np.diag(a[0]) - np.outer(a[0], a[0])  # da_i/dz_k = a_i (delta_ik - a_k)
    np.testing.assert_allclose(Softmax.backward(z, a, g)[0], jacobian.T @ g[0])


def test_cross_entropy_is_finite_for_saturated_sigmoid_outputs():
    z = np.array([[1000.0, -1000.0]])
    y = np.array([[0.0, 1.0]])  # completely wrong and completely sure
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        c = CrossEntropyCost.fn(z, sigmoid(z), y, Sigmoid)
    np.testing.assert_allclose(c, [2000.0])
    right = CrossEntropyCost.fn(z, sigmoid(z), np.array([[1.0, 0.0]]), Sigmoid)
    assert right[0] == 0.0


def test_cost_values_and_deltas():
    z = np.array([[0.0, 2.0]])
    y = np.array([[1.0, 0.0]])
    a = sigmoid(z)
    np.testing.assert_allclose(QuadraticCost.fn(z, a, y, Sigmoid), 0.5 * ((a - y) ** 2).sum())
    np.testing.assert_allclose(QuadraticCost.delta(z, a, y, Sigmoid), (a - y) * sigmoid_prime(z))
    np.testing.assert_allclose(CrossEntropyCost.delta(z, a, y, Sigmoid), a - y)
    # softmax cross-entropy from logits: -ln softmax(z)_label; linear outputs mean logits
    expected = -np.log(np.exp(0.0) / (np.exp(0.0) + np.exp(2.0)))
    np.testing.assert_allclose(CrossEntropyCost.fn(z, z, y, Linear), [expected])
    np.testing.assert_allclose(CrossEntropyCost.delta(z, z, y, Linear), softmax(z) - y)
