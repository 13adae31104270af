"""The first attempt: one example at a time, as in Nielsen's original ``network.py``.

Each example is a column vector (784, 1); backprop runs once per example and the
gradients are summed in a Python loop. It gives the same result as ``helpers.network``
(up to rounding) but is many times slower: each example costs several small NumPy calls,
and small calls are dominated by Python's overhead, not by arithmetic. It is kept only
as the reference point for the benchmark (``python -m helpers.bench``).
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))  # Nielsen's formula (it overflows for z < -709)


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class NaiveNetwork:
    """Nielsen's chapter-1 network: sigmoid neurons, quadratic cost, plain SGD."""

    def __init__(self, sizes, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]
        self.weights = [rng.standard_normal((y, x)) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        """Return the output of the network if ``a`` is input (a column vector)."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, rng=None):
        """``training_data`` is a list of (x, y) column-vector pairs."""
        rng = rng if rng is not None else np.random.default_rng(0)
        training_data = list(training_data)
        n = len(training_data)
        for _ in range(epochs):
            rng.shuffle(training_data)
            for k in range(0, n, mini_batch_size):
                self.update_mini_batch(training_data[k : k + mini_batch_size], eta)

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:  # the loop over examples that vectorising removes
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sigmoid_prime(z)
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)


def as_column_pairs(X: np.ndarray, y: np.ndarray, n_out: int = 10) -> list[tuple[np.ndarray, np.ndarray]]:
    """Turn rows X (n, 784) and labels y into Nielsen's list of (x, y) column vectors."""
    pairs = []
    for row, label in zip(X, y):
        target = np.zeros((n_out, 1))
        target[label] = 1.0
        pairs.append((row.reshape(-1, 1).astype(np.float64), target))
    return pairs
