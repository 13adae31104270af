"""Self-checks for the exercises of notebook 04, "The network"."""

from __future__ import annotations

import numpy as np

from helpers.lessons import the_network as network_views
from helpers.checks import Hint, check_function, kindly_all, recipe, solution  # noqa: F401  (`check.recipe("feedforward")`)
from helpers.data import one_hot as _one_hot
from helpers.network import Network


FEEDFORWARD_HINT = Hint(
    "feedforward",
    "start with A = X and go through the layers one after the other: each turns the activations A of "
    "the layer before into its own, with its own w and b. Every layer, including the last, applies the sigmoid.",
    "A = X; for w, b in zip(weights, biases): A = sigmoid(A @ w.T + b); return A, the last layer's "
    "activations A^L, one row per example.",
    step="one layer is sigmoid(A @ w.T + b): A has one row per example and w one row per neuron, "
         "so A @ w.T has one column per neuron. Repeat it for each (w, b) in zip(weights, biases).",
)
ONE_HOT_HINT = Hint(
    "one_hot_rows",
    "start from a table of zeros with one row per label and n_classes columns; then put a single 1 in "
    "each row, in the column its label names.",
    "out = np.zeros((len(labels), n_classes)); then out[i, labels[i]] = 1 for every row i (a loop works; "
    "so does out[np.arange(len(labels)), labels] = 1); return out.",
    step="out = np.zeros((len(labels), n_classes)) is the table; row i needs its 1 in column "
         "labels[i].",
)
PREDICTED_DIGITS_HINT = Hint(
    "predicted_digits",
    "for each row, the *position* of its largest value is the digit; NumPy has a function for that "
    "position, which can work along each row.",
    "np.argmax(outputs, axis=1) gives, for each row, the position of its largest value. Without axis=1, "
    "argmax looks at the whole array at once and returns a single number.",
    step="np.argmax gives the position of the largest value; its `axis` argument makes it work "
         "along each row, one answer per row.",
)
COUNT_PARAMETERS_HINT = Hint(
    "count_parameters",
    "go through the pairs of neighbouring layers: between a layer of n_in neurons and the next of n_out "
    "there is one weight for every pair of neurons, and the next layer has one bias per neuron.",
    "sum(n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])): each pair of neighbouring "
    "layers has an n_out x n_in weight matrix w^l and n_out biases b^l.",
    step="between a layer of n_in neurons and the next of n_out: n_out x n_in weights and n_out "
         "biases (784 and 100: 78,400 + 100). zip(sizes[:-1], sizes[1:]) gives the pairs (n_in, n_out).",
)


class _Layers(list):
    """A list of weight or bias arrays that describes itself by shapes in feedback messages."""

    def __repr__(self) -> str:
        return "[" + ", ".join(f"array of shape {a.shape}" for a in self) + "]"


def _network_with(weights, biases) -> Network:
    """A ``helpers.network.Network`` holding exactly these weights and biases."""
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    net = Network(sizes, dtype=np.float64, seed=0)
    net.weights = [np.array(w, dtype=np.float64) for w in weights]
    net.biases = [np.array(b, dtype=np.float64) for b in biases]
    return net


def _reference_feedforward(X, weights, biases):
    return _network_with(weights, biases).feedforward(X)


def feedforward_cases() -> list[dict]:
    """Small networks with known weights, fed one example (one row) or a mini-batch."""
    rng = np.random.default_rng(4)
    cases = [
        {  # 2-3-1, numbers small enough to follow by hand
            "X": np.array([[1.0, 0.0]]),
            "weights": _Layers([np.array([[1.0, -1.0], [0.5, 0.5], [-2.0, 0.0]]), np.array([[1.0, 1.0, 1.0]])]),
            "biases": _Layers([np.array([0.0, -0.5, 1.0]), np.array([-1.0])]),
        }
    ]
    for sizes, batch in (([4, 5, 3], 6), ([784, 100, 10], 3), ([3, 4, 4, 2], 5)):
        cases.append(
            {
                "X": rng.random((batch, sizes[0])),
                "weights": _Layers([rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]),
                "biases": _Layers([rng.standard_normal(n_out) for n_out in sizes[1:]]),
            }
        )
    return cases


def feedforward(learner) -> None:
    """Exercise 1: a mini-batch X = A^0 (one example per row) through every layer l = 1, ..., L:
    A^l = sigma(A^(l-1) (w^l)^T + b^l), with w^l = weights[l - 1] and b^l = biases[l - 1]."""
    check_function(
        learner,
        _reference_feedforward,
        feedforward_cases(),
        name="feedforward",
        hint=FEEDFORWARD_HINT,
    )


def one_hot(learner) -> None:
    """Exercise 2: labels -> rows with a single 1 in the column of the label.

    The notebook calls the learner's function ``one_hot_rows``, so that it does not hide
    ``helpers.data.one_hot``, which it is checked against."""
    check_function(
        learner,
        _one_hot,
        [
            {"labels": np.array([0, 1, 2]), "n_classes": 3},
            {"labels": np.array([2, 2, 0, 1]), "n_classes": 3},
            {"labels": np.array([5, 0, 4, 1, 9, 2]), "n_classes": 10},
            {"labels": np.array([7]), "n_classes": 10},
        ],
        name="one_hot_rows",
        hint=ONE_HOT_HINT,
    )


def _reference_predicted_digits(outputs):
    return np.argmax(outputs, axis=1)


def predicted_digits(learner) -> None:
    """Exercise 3: the winning output neuron of each row."""
    rng = np.random.default_rng(5)
    check_function(
        learner,
        _reference_predicted_digits,
        [
            {"outputs": np.array([[0.9, 0.2, 0.1]])},
            {"outputs": np.array([[0.1, 0.7, 0.3], [0.2, 0.1, 0.6], [0.8, 0.1, 0.1]])},
            {"outputs": rng.random((5, 10))},
        ],
        name="predicted_digits",
        hint=PREDICTED_DIGITS_HINT,
        slips=[(lambda outputs: np.argmax(outputs),
                "one number for the whole array. Without axis=1, np.argmax looks at all the numbers at once "
                "(as if in one long row); with axis=1 it answers once per row, one digit per example.")],
    )


def count_parameters(learner) -> None:
    """Exercise 4: weights and biases of a network with the given layer sizes."""
    sizes_784 = [784, 100, 10]  # first, so that its slips are recognised
    weights_only = sum(layer.weights for layer in network_views.layer_counts(sizes_784))
    check_function(
        learner,
        network_views.count_parameters,
        [{"sizes": s} for s in (sizes_784, [2, 3, 1], [784, 10], [784, 30, 10], [4, 5, 6, 3])],
        name="count_parameters",
        hint=COUNT_PARAMETERS_HINT,
        slips=[
            (weights_only, "that is the weights only.\nHint: every neuron of layers 1 to L (all but the "
             "input layer 0) also has a bias; add sum(sizes[1:]) to the total."),
            (network_views.count_parameters(sizes_784) + sizes_784[0],
             "that counts 784 biases too many.\nHint: the input layer (layer 0) only holds the pixels; "
             "it has no biases (and no weights into it)."),
        ],
        said="`count_parameters({sizes})` returned {got:,}: ",
    )


# An exercise not begun gets a kind "not done yet" and the course's answer stands in for it.
kindly_all(globals())
