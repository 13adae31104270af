"""Activation functions: what a neuron does with its weighted input z.

Hidden layers use ``sigmoid`` (the course's neuron) or ``relu``; the output layer uses
``sigmoid``, ``softmax`` (ten outputs that add up to 1) or ``linear`` (the raw z, the
"logits"). Each activation knows its value ``fn(z)`` and how to pass a gradient back
through itself, ``backward(z, a, g)``: given g = dC/da it returns dC/dz.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """The sigmoid function 1 / (1 + e^(-z)), computed without overflow."""
    # e^(-z) overflows for z = -1000 (a NumPy warning, then 0 from 1/inf). The same curve
    # written with tanh, 1/2 + 1/2 tanh(z/2), never overflows: tanh stays in [-1, 1].
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def sigmoid_prime(z):
    """Derivative of the sigmoid function: sigma'(z) = sigma(z) (1 - sigma(z))."""
    # The same value, written as e^(-|z|) / (1 + e^(-|z|))^2: it never overflows, and it
    # stays above 0 for large |z|, where sigma(z) rounds to exactly 1 (in float32 from
    # about z = 17.4 on) and sigma(z) (1 - sigma(z)) would say 0: a neuron that can never learn.
    e = np.exp(-np.abs(z))
    return e / (1 + e) ** 2


def relu(z):
    """The rectified linear unit: max(0, z)."""
    return np.maximum(z, 0)


def softmax(z):
    """Softmax over each row of z: e^(z_j) / sum_k e^(z_k), computed without overflow."""
    # Subtracting the row's largest z changes nothing mathematically (it cancels in the
    # fraction) but keeps every exponent <= 0, so e^(...) never overflows.
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z):
    """log(softmax(z)) for each row, computed stably (no log of 0)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class Sigmoid:
    name = "sigmoid"

    @staticmethod
    def fn(z):
        return sigmoid(z)

    @staticmethod
    def backward(z, a, g):
        return g * sigmoid_prime(z)


class ReLU:
    name = "relu"

    @staticmethod
    def fn(z):
        return relu(z)

    @staticmethod
    def backward(z, a, g):
        return g * (z > 0)


class Linear:
    name = "linear"

    @staticmethod
    def fn(z):
        return z

    @staticmethod
    def backward(z, a, g):
        return g


class Softmax:
    name = "softmax"

    @staticmethod
    def fn(z):
        return softmax(z)

    @staticmethod
    def backward(z, a, g):
        # Each output depends on every z in its row: da_i/dz_k = a_i (delta_ik - a_k).
        # Multiplying g by that Jacobian gives a * (g - sum_i g_i a_i).
        return a * (g - (g * a).sum(axis=1, keepdims=True))


HIDDEN = {"sigmoid": Sigmoid, "relu": ReLU}
OUTPUT = {"sigmoid": Sigmoid, "softmax": Softmax, "linear": Linear}


def lookup(kind: str, name: str, table: dict):
    """Return ``table[name]``, or a ValueError listing the valid names."""
    if not isinstance(name, str) or name not in table:
        raise ValueError(f"unknown {kind} {name!r}: expected one of {', '.join(map(repr, table))}")
    return table[name]
