"""Self-checks for the exercises of notebook 07, "Training the 784-100-10 network"."""

from __future__ import annotations

import numpy as np

from helpers.activations import sigmoid, sigmoid_prime
from helpers.checks import check_function
from helpers.lessons import training_the_network as lesson
from helpers.network import Network


class _Net(Network):
    """A Network that describes itself by its sizes in feedback messages."""

    def __repr__(self) -> str:
        return f"a {'-'.join(map(str, self.sizes))} network"


def _backprop_cases() -> list[dict]:
    """Random float64 networks and mini-batches: one, two and three hidden layers."""
    rng = np.random.default_rng(7)
    cases = []
    for sizes, m in (([3, 4, 2], 5), ([6, 5, 4, 3], 4), ([784, 30, 10], 3), ([5, 4, 4, 3, 2], 2)):
        net = _Net(sizes, dtype=np.float64, rng=rng)
        X = rng.random((m, sizes[0]))
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
        cases.append({"net": net, "X": X, "Y": Y})
    return cases


def _course_backprop(net, X, Y):
    return net.backprop(X, Y)


def _forward(net, X):
    Z, A = [None], [X]
    for w, b in zip(net.weights, net.biases):
        Z.append(A[-1] @ w.T + b)
        A.append(sigmoid(Z[-1]))
    return Z, A


def _summed(net, X, Y):
    """The slip of forgetting to divide by m: sums over the batch instead of means."""
    nabla_w, nabla_b = net.backprop(X, Y)
    return [g * len(X) for g in nabla_w], [g * len(X) for g in nabla_b]


def _no_slope_in_bp2(net, X, Y):
    """The slip of forgetting sigma'(Z) in BP2."""
    Z, A = _forward(net, X)
    L = len(net.weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    E = (A[L] - Y) * sigmoid_prime(Z[L])
    for l in range(L, 0, -1):
        nabla_w[l - 1], nabla_b[l - 1] = E.T @ A[l - 1] / len(X), E.mean(axis=0)
        if l > 1:
            E = E @ net.weights[l - 1]
    return nabla_w, nabla_b


def my_backprop(learner) -> None:
    """Exercise 1: ``my_backprop(net, X, Y)`` returns ``(nabla_w, nabla_b)``, equal to
    ``net.backprop(X, Y)`` on networks with one, two and three hidden layers."""
    check_function(
        learner,
        _course_backprop,
        _backprop_cases(),
        name="my_backprop",
        parts=("nabla_w", "nabla_b"),
        slips=[
            (lambda net, X, Y: net.backprop(X, Y)[::-1],
             "the right numbers, but as (nabla_b, nabla_w): the course returns nabla_w first (Nielsen's code "
             "does it the other way round)."),
            (_summed, "every gradient is m times too large: the gradients are means over the mini-batch, so "
             "divide by m = len(X) (in layer_gradients: `E.T @ A_prev / m` and `E.mean(axis=0)`)."),
            (_no_slope_in_bp2, "the output layer's gradients are right, the earlier layers' are not: BP2 "
             "multiplies by σ'(Z^(l-1)) after `E @ w`, i.e. `(E @ net.weights[l - 1]) * sigmoid_prime(Z[l - 1])`."),
        ],
        hint="forward pass keeping Z[l] and A[l] (Z[0] unused, A[0] = X); E = (A[L] - Y) * "
        "sigmoid_prime(Z[L]); then for l = L, ..., 1: nabla_w[l - 1] = E.T @ A[l - 1] / m, "
        "nabla_b[l - 1] = E.mean(axis=0), and, while l > 1, E = (E @ net.weights[l - 1]) "
        "* sigmoid_prime(Z[l - 1]).",
        atol=1e-10,
        rtol=1e-7,
    )


def _confusion_cases() -> list[dict]:
    rng = np.random.default_rng(3)
    cases = [{"C": np.array([[8, 2], [1, 9]])}, {"C": np.array([[5, 0, 0], [3, 1, 0], [0, 6, 4]])}]
    C = rng.integers(0, 30, (10, 10))
    C[np.arange(10), np.arange(10)] += rng.integers(800, 1100, 10)
    cases.append({"C": C})
    return cases


def per_digit_accuracy(learner) -> None:
    """Exercise 2: ``per_digit_accuracy(C)``: for each true digit i, C[i, i] / (the sum of row i)."""
    check_function(
        learner,
        lesson.per_digit_accuracy,
        _confusion_cases(),
        name="per_digit_accuracy",
        slips=[
            (lambda C: C.diagonal() / C.sum(axis=0),
             "you divided by the column sums. A column holds every image the network *called* i; the "
             "question is about the images that *are* i, which is row i: divide by `C.sum(axis=1)`."),
            (lambda C: C.diagonal(), "these are the counts of right answers; divide each by how many "
             "images of that digit there are (the sum of its row)."),
            (lambda C: np.trace(C) / C.sum(), "that is the overall accuracy, one number; the exercise "
             "asks for ten, one per digit."),
        ],
        hint="the right answers for digit i are on the diagonal, C[i, i] (`C.diagonal()`), and "
        "all the images of digit i are in row i (`C.sum(axis=1)`).",
    )


def _mistake_cases() -> list[dict]:
    rng = np.random.default_rng(5)
    outputs = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.3, 0.8], [0.6, 0.3, 0.2], [0.1, 0.95, 0.2]])
    cases = [{"outputs": outputs, "labels": np.array([0, 0, 1, 2, 2]), "k": 2},
             {"outputs": outputs, "labels": np.array([0, 0, 1, 2, 2]), "k": 10}]
    big = rng.random((200, 10))
    cases.append({"outputs": big, "labels": rng.integers(0, 10, 200), "k": 12})
    return cases


def confident_mistakes(learner) -> None:
    """Exercise 3: ``confident_mistakes(outputs, labels, k)``: the indices of the k wrong
    answers with the largest winning output, surest first."""
    check_function(
        learner,
        lesson.confident_mistakes,
        _mistake_cases(),
        name="confident_mistakes",
        slips=[
            (lambda outputs, labels, k: _order(outputs, labels, k, surest_first=False),
             "the right mistakes, but the least sure first: sort by minus the confidence "
             "(or reverse the sorted order) so that the surest comes first."),
            (lambda outputs, labels, k: np.argsort(-outputs.max(axis=1), kind="stable")[:k],
             "these are the surest answers, right or wrong: keep only the examples where "
             "`outputs.argmax(axis=1) != labels` before sorting."),
        ],
        hint="answers = outputs.argmax(axis=1); wrong = np.flatnonzero(answers != labels); the confidence of "
        "each is outputs[wrong, answers[wrong]]; sort the wrong ones by minus that and keep the first k.",
    )


def _order(outputs, labels, k, surest_first):
    answers = outputs.argmax(axis=1)
    wrong = np.flatnonzero(answers != labels)
    confidence = outputs[wrong, answers[wrong]]
    order = np.argsort(-confidence if surest_first else confidence, kind="stable")
    return wrong[order[:k]]
