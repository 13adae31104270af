"""Backpropagation against finite differences, for every kind of network we build."""

import itertools

import numpy as np
import pytest

from helpers.activations import Sigmoid
from helpers.gradcheck import gradient_check, numerical_gradients, relative_error
from helpers.network import Network
from tests.conftest import real_data

COMBINATIONS = list(itertools.product(["sigmoid", "relu"], ["sigmoid", "softmax", "linear"], ["quadratic", "cross_entropy"]))


def toy_problem(seed=0, n=5, n_in=6, n_out=4):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), np.eye(n_out)[rng.integers(0, n_out, n)]


@pytest.mark.parametrize("activation, output, cost", COMBINATIONS)
@pytest.mark.parametrize("init, lmbda", [("normal", 0.0), ("scaled", 0.7)])
def test_backprop_matches_finite_differences(activation, output, cost, init, lmbda):
    X, Y = toy_problem()
    net = Network([6, 5, 3, 4], activation=activation, output=output, cost=cost, init=init, dtype=np.float64, seed=3, lmbda=lmbda)
    error = gradient_check(net, X, Y)
    assert error < 1e-7
    # and the full numerical gradient has the shapes of the weights and biases
    numeric = numerical_gradients(net, X, Y)  # shaped like params: every dC/dw, then every dC/db
    dC_dw, dC_db = net.gradients(X, Y)
    assert [g.shape for g in numeric] == [p.shape for p in net.weights + net.biases]
    for a, b in zip(numeric, dC_dw + dC_db):
        assert np.max(relative_error(a, b)) < 1e-7


def test_a_float32_network_is_checked_in_float64_and_left_unchanged():
    X, Y = toy_problem(1)
    net = Network([6, 5, 4], seed=0)  # float32
    before = [w.copy() for w in net.weights]
    assert gradient_check(net, X, Y) < 1e-7
    assert all(np.array_equal(a, b) and b.dtype == np.float32 for a, b in zip(before, net.weights))


def test_the_check_catches_a_wrong_backward_pass(monkeypatch):
    X, Y = toy_problem(2)
    net = Network([6, 5, 4], dtype=np.float64, seed=0)
    assert gradient_check(net, X, Y) < 1e-7
    # forget sigma'(z) in the hidden layer: a classic mistake
    monkeypatch.setattr(Sigmoid, "backward", staticmethod(lambda z, a, g: g))
    assert gradient_check(net, X, Y) > 1e-2


def test_gradients_include_the_l2_term_and_backprop_does_not():
    X, Y = toy_problem(3)
    net = Network([6, 5, 4], dtype=np.float64, seed=0, lmbda=2.0)
    nabla_w, _ = net.backprop(X, Y)
    dC_dw, _ = net.gradients(X, Y)
    for nw, g, w in zip(nabla_w, dC_dw, net.weights):
        np.testing.assert_allclose(g, nw + (2.0 / len(X)) * w)


def test_random_subset_uses_the_rng():
    X, Y = toy_problem(4)
    net = Network([6, 5, 4], dtype=np.float64, seed=0)
    a = gradient_check(net, X, Y, n_checks=10, rng=np.random.default_rng(5))
    b = gradient_check(net, X, Y, n_checks=10, rng=np.random.default_rng(5))
    assert a == b and a < 1e-7


@real_data
@pytest.mark.parametrize("init, cost, lmbda", [("normal", "quadratic", 0.0), ("scaled", "cross_entropy", 0.1)])
def test_784_100_10_on_real_digits(init, cost, lmbda):
    from helpers.data import load_datasets

    train, _, _ = load_datasets()
    net = Network([784, 100, 10], init=init, cost=cost, lmbda=lmbda, seed=0)
    error = gradient_check(net, train.X[:3], np.eye(10)[train.y[:3]], n_checks=300, rng=np.random.default_rng(0))
    assert error < 1e-7


@pytest.mark.parametrize("sizes", [[6, 4], [6, 5, 5, 5, 4]])
def test_no_hidden_layer_and_many_hidden_layers(sizes):
    X, Y = toy_problem(5)
    for cost in ("quadratic", "cross_entropy"):
        net = Network(sizes, cost=cost, init="scaled", dtype=np.float64, seed=0)
        assert gradient_check(net, X, Y) < 1e-7
