"""Cost functions: how wrong the network's output a is, for the wanted output y.

Each cost gives, for a mini-batch (one example per row):

* ``fn(z, a, y, output)``: the cost of each example (a vector, one number per row);
* ``delta(z, a, y, output)``: the output error delta^L = dC/dz^L (Nielsen's equation BP1).

``z`` is the output layer's weighted input, ``a = output.fn(z)`` its activation. Costs
that involve logarithms are computed from ``z``, never from ``a``: a sigmoid output can
round to exactly 0 or 1, and log(0) is -infinity.
"""

from __future__ import annotations

import numpy as np

from helpers.activations import Sigmoid, log_softmax, lookup, softmax


class QuadraticCost:
    """C = 1/2 ||a - y||^2 per example (Nielsen, chapter 1)."""

    name = "quadratic"

    @staticmethod
    def fn(z, a, y, output):
        return 0.5 * ((a - y) ** 2).sum(axis=1)

    @staticmethod
    def delta(z, a, y, output):
        # dC/da = a - y, then through the output activation: (a - y) * sigma'(z) for sigmoid
        return output.backward(z, a, a - y)


class CrossEntropyCost:
    """The cross-entropy cost (Nielsen, chapter 3).

    * sigmoid outputs: C = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)];
    * softmax outputs: C = -sum_j y_j ln a_j, the log-likelihood of the right digit;
    * linear outputs ("logits", as in Keras' ``from_logits=True``): the same softmax
      cross-entropy, with the softmax applied inside the cost.

    In every case delta^L = a - y (with a = softmax(z) for linear outputs): the sigma'(z)
    that slows learning with the quadratic cost cancels out.
    """

    name = "cross_entropy"

    @staticmethod
    def fn(z, a, y, output):
        if output is Sigmoid:
            # -ln a = ln(1 + e^(-z)) and -ln(1 - a) = ln(1 + e^z); logaddexp(0, t) is
            # ln(e^0 + e^t) computed without overflow, even for z = +-1000.
            return (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)).sum(axis=1)
        return -(y * log_softmax(z)).sum(axis=1)

    @staticmethod
    def delta(z, a, y, output):
        if output.name == "linear":
            return softmax(z) - y
        return a - y


COSTS = {"quadratic": QuadraticCost, "cross_entropy": CrossEntropyCost}


def get_cost(name: str):
    """The cost class called ``name`` ("quadratic" or "cross_entropy")."""
    return lookup("cost", name, COSTS)
