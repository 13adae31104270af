"""The perceptron: a weighted vote with a threshold, and the rule that learns its weights.

A perceptron takes inputs ``x = (x_1, ..., x_n)``, weighs each one by ``w_j`` and adds a
bias ``b``. If the total ``z = w·x + b`` is above zero it answers 1, otherwise 0.
Notebook 02 uses this module to build

* logic gates, starting with NAND (``nand``), and a half adder made only of NANDs;
* Rosenblatt's learning rule (``learning_step``, ``train_perceptron``), first on
  toy points in the plane and then on the 0s and 1s of MNIST;
* the numbers behind the decision-boundary widget (``boundary_segment``,
  ``misclassified``).

Labels are 0 and 1 throughout, as in Nielsen's book: the perceptron's output *is* its
prediction of the label. Arguments come in one order everywhere: the data first (an
input ``x`` or a matrix ``X`` of inputs, then its label ``y`` or labels), then the
perceptron's weights ``w`` and bias ``b``, as in ``perceptron_output(x, w, b)``. To
score predictions, use ``helpers.lessons.meet_the_digits.accuracy(predictions, labels)`` from notebook
01 with ``predict(X, w, b)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


# --- the perceptron itself -------------------------------------------------------------


def step_function(z):
    """1 where ``z > 0``, else 0: the perceptron's all-or-nothing answer (ints)."""
    return (np.asarray(z) > 0).astype(np.int64)


def weighted_input(X, w, b):
    """``z = w·x + b`` for one input ``x`` (a vector) or for every row of ``X``."""
    return np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + float(b)


def perceptron_output(x, w, b) -> int:
    """Return 1 if ``w·x + b > 0``, else 0, for one input vector ``x``."""
    return int(np.dot(np.asarray(w, dtype=float), np.asarray(x, dtype=float)) + b > 0)


def predict(X, w, b) -> np.ndarray:
    """The perceptron's output (0 or 1) for every row of ``X``, as an int array."""
    return step_function(weighted_input(X, w, b))


# --- logic gates from one perceptron ---------------------------------------------------

# Nielsen's NAND perceptron: two inputs, each with weight -2, and bias 3.
# z = -2*x1 - 2*x2 + 3 is 3, 1, 1, -1 for (0,0), (0,1), (1,0), (1,1): only (1,1) gives 0.
NAND_WEIGHTS = np.array([-2.0, -2.0])
NAND_BIAS = 3.0


def nand(x1: int, x2: int) -> int:
    """NOT (x1 AND x2), computed by one perceptron with weights (-2, -2) and bias 3."""
    return perceptron_output([x1, x2], NAND_WEIGHTS, NAND_BIAS)


def not_(x: int) -> int:
    """NOT x, from one NAND: both inputs wired to x."""
    return nand(x, x)


def and_(x1: int, x2: int) -> int:
    """x1 AND x2, from two NANDs: a NAND followed by a NOT."""
    return not_(nand(x1, x2))


def or_(x1: int, x2: int) -> int:
    """x1 OR x2, from three NANDs: NAND of the two negated inputs (De Morgan)."""
    return nand(not_(x1), not_(x2))


def half_adder_wires(x1: int, x2: int) -> dict[str, int]:
    """Every wire of the five-NAND half adder, named as in the notebook's circuit diagram.

    ``n1`` is NAND(x1, x2); ``n2`` and ``n3`` combine it with each input; ``sum`` is
    NAND(n2, n3) = x1 XOR x2; ``carry`` is NAND(n1, n1) = NOT n1 = x1 AND x2.
    """
    n1 = nand(x1, x2)
    n2 = nand(x1, n1)
    n3 = nand(x2, n1)
    total = nand(n2, n3)  # the sum bit: 1 when exactly one input is 1
    carry = nand(n1, n1)  # the carry bit: 1 when both inputs are 1
    return {"x1": x1, "x2": x2, "n1": n1, "n2": n2, "n3": n3, "sum": total, "carry": carry}


def half_adder(x1: int, x2: int) -> tuple[int, int]:
    """Add two bits using only NAND perceptrons; return ``(sum, carry)``.

    In binary, 1 + 1 = 10: the sum bit is 0 and the carry bit is 1.
    """
    wires = half_adder_wires(x1, x2)
    return wires["sum"], wires["carry"]


def xor(x1: int, x2: int) -> int:
    """x1 XOR x2, from four NANDs (the sum bit of the half adder)."""
    return half_adder_wires(x1, x2)["sum"]


def truth_table(gate, n_inputs: int = 2) -> list[tuple[tuple[int, ...], object]]:
    """``[(inputs, gate(*inputs)), ...]`` for every combination of 0/1 inputs, in order."""
    rows = []
    for k in range(2**n_inputs):
        inputs = tuple((k >> (n_inputs - 1 - i)) & 1 for i in range(n_inputs))
        rows.append((inputs, gate(*inputs)))
    return rows


# --- Rosenblatt's learning rule --------------------------------------------------------


def learning_step(x, y, w, b, eta: float = 1.0):
    """One step of the perceptron learning rule on one example ``x`` with label ``y``.

    Returns the new ``(w, b)``. This is the function learners write in Exercise 4 of
    notebook 02, under the same name and with the same arguments.

    The perceptron answers ``a`` (0 or 1) for input ``x`` whose label is ``y``:

    * right (``y - a = 0``): nothing changes;
    * said 0 but should be 1 (``y - a = +1``): add ``eta * x`` to ``w`` and ``eta`` to ``b``,
      which raises ``z`` for this ``x``;
    * said 1 but should be 0 (``y - a = -1``): subtract them, which lowers ``z``.

    A new array is returned; the caller's ``w`` is not changed in place, so it still
    holds the weights from before the step.
    """
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    a = perceptron_output(x, w, b)
    error = y - a  # +1, 0 or -1
    return w + eta * error * x, float(b + eta * error)


class TrainingResult(NamedTuple):
    """What ``train_perceptron`` learned, and how many mistakes it made on each pass."""

    w: np.ndarray
    b: float
    mistakes_per_pass: list[int]


def train_perceptron(X, y, rng: np.random.Generator, max_passes: int = 20, eta: float = 1.0, w=None, b: float = 0.0):
    """Rosenblatt's rule: sweep the examples in a random order, updating on every mistake.

    Starts from ``w`` (zeros by default) and ``b``. A *pass* visits every example once,
    in an order drawn from ``rng``; training stops after a pass with no mistakes (the
    data are then separated perfectly) or after ``max_passes``. Mistakes are counted
    while sweeping, so they are the examples that caused an update.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    w = np.zeros(X.shape[1]) if w is None else np.array(w, dtype=float)  # a copy: yours stays as it was
    b = float(b)
    mistakes_per_pass = []
    for _ in range(max_passes):
        mistakes = 0
        for i in rng.permutation(len(X)):
            # The rule you wrote in Exercise 4 (`learning_step`), written out here so that
            # it can change w in place (w is this function's own copy) instead of making
            # a new array for each of the ~10,000 MNIST examples per pass.
            a = 1 if X[i] @ w + b > 0 else 0
            if a != y[i]:
                error = y[i] - a
                w += eta * error * X[i]
                b += eta * error
                mistakes += 1
        mistakes_per_pass.append(mistakes)
        if mistakes == 0:
            break
    return TrainingResult(w, b, mistakes_per_pass)


def misclassified(X, y, w, b) -> np.ndarray:
    """Boolean mask: True for the points the perceptron gets wrong."""
    return predict(X, w, b) != np.asarray(y)


def margin(X, y, w_true, b_true, *, with_extra_1: bool = True) -> float:
    """The smallest signed distance of any example from the boundary of ``(w_true, b_true)``.

    With ``with_extra_1`` (the theorem's gamma), the distance of ``(x, 1)`` from the plane
    ``w_true·x + b_true·1 = 0`` through the origin: ``|w·x + b| / ||(w, b)||``. Without,
    the distance of ``x`` from the line drawn in the plane, ``|w·x + b| / ||w||``, which is
    larger: the extra 1 adds ``b**2`` under the square root.
    """
    u = np.append(np.asarray(w_true, dtype=float), float(b_true)) if with_extra_1 else np.asarray(w_true, dtype=float)
    signs = 2 * np.asarray(y) - 1  # labels 0/1 -> -1/+1
    z = np.asarray(X, dtype=float) @ np.asarray(w_true, dtype=float) + float(b_true)
    return float((signs * z / np.linalg.norm(u)).min())


def mistake_bound(X, y, w_true, b_true) -> float:
    """Novikoff's bound (R / gamma)^2 on the total number of mistakes of the learning rule.

    For data that a perceptron with weights ``w_true`` and bias ``b_true`` separates,
    Rosenblatt's rule (started from zero, any ``eta``) makes at most this many updates
    in total, however the examples are ordered. Append a 1 to every input, so that the
    bias becomes an ordinary weight: R is the length of the longest ``(x, 1)``, and
    gamma, the *margin*, is the smallest distance of any ``(x, 1)`` from the separating
    plane ``w_true·x + b_true·1 = 0`` (a plane through the origin, with normal vector
    ``(w_true, b_true)``).
    """
    X1 = np.column_stack([np.asarray(X, dtype=float), np.ones(len(X))])
    gamma = margin(X, y, w_true, b_true)
    if gamma <= 0:
        raise ValueError("(w_true, b_true) does not separate the data, so there is no bound")
    radius = np.linalg.norm(X1, axis=1).max()
    return float((radius / gamma) ** 2)


# --- toy data and MNIST ----------------------------------------------------------------

# The rule that labels the toy points: 1 where x1 + 2*x2 - 1 > 0.
TOY_WEIGHTS = np.array([1.0, 2.0])
TOY_BIAS = -1.0


def separable_points(rng: np.random.Generator, n: int = 30, margin: float = 0.3, lim: float = 3.0):
    """``n`` points in the square [-lim, lim]^2 labelled by the line x1 + 2*x2 - 1 = 0.

    Points closer to the line than ``margin`` are redrawn, so the two classes are
    separated by a gap and a perceptron can classify them all correctly. Returns
    ``(X, y)`` with X of shape (n, 2) rounded to 2 decimals and y of 0s and 1s.
    """
    points = []
    norm = np.linalg.norm(TOY_WEIGHTS)
    while len(points) < n:
        x = np.round(rng.uniform(-lim, lim, size=2), 2)
        if abs(x @ TOY_WEIGHTS + TOY_BIAS) / norm >= margin:
            points.append(x)
    X = np.array(points)
    return X, predict(X, TOY_WEIGHTS, TOY_BIAS)


def zeros_and_ones(X, y):
    """Keep only the images of the digits 0 and 1; the labels stay 0 and 1."""
    y = np.asarray(y)
    keep = (y == 0) | (y == 1)
    return np.asarray(X)[keep], y[keep]


def smallest_flip(x, w, b, j: int) -> float:
    """The change of weight ``w[j]`` that brings ``z = w·x + b`` for input ``x`` exactly to 0.

    Any change a little larger (in the same direction) flips the perceptron's output.
    Needs ``x[j] != 0``: a weight on a blank input cannot change anything.
    """
    x = np.asarray(x, dtype=float)
    if x[j] == 0:
        raise ValueError(f"input {j} is 0, so changing w[{j}] does not change z")
    return float(-weighted_input(x, w, b) / x[j])


# --- the decision boundary in the plane (for the widget) -------------------------------


def boundary_segment(w, b, lim: float = 3.0):
    """The part of the line ``w1*x1 + w2*x2 + b = 0`` inside the square [-lim, lim]^2.

    Returns two points ``((x1, x2), (x1, x2))``, or None when the line misses the
    square or is not a line at all (w1 = w2 = 0: then the output is the same everywhere).
    """
    w1, w2 = float(w[0]), float(w[1])
    if w1 == 0 and w2 == 0:
        return None
    points = []
    for edge in (-lim, lim):
        if w2 != 0:  # the line meets x1 = edge at x2 = -(w1*edge + b)/w2
            x2 = -(w1 * edge + b) / w2
            if -lim <= x2 <= lim:
                points.append((edge, x2))
        if w1 != 0:  # and x2 = edge at x1 = -(w2*edge + b)/w1
            x1 = -(w2 * edge + b) / w1
            if -lim <= x1 <= lim:
                points.append((x1, edge))
    # A line through a corner meets two edges there: keep distinct points only.
    unique = []
    for p in points:
        if all(np.hypot(p[0] - q[0], p[1] - q[1]) > 1e-12 for q in unique):
            unique.append(p)
    if len(unique) < 2:
        return None
    # The two points farthest apart are the ends of the segment.
    pairs = [(p, q) for i, p in enumerate(unique) for q in unique[i + 1 :]]
    p, q = max(pairs, key=lambda pq: np.hypot(pq[0][0] - pq[1][0], pq[0][1] - pq[1][1]))
    return (float(p[0]), float(p[1])), (float(q[0]), float(q[1]))


class BoundaryReport(NamedTuple):
    """What the decision-boundary widget shows for one setting of the sliders."""

    outputs: np.ndarray  # the perceptron's answer for each point
    wrong: np.ndarray  # True where the answer differs from the label
    n_wrong: int
    segment: tuple | None  # the visible part of the boundary line, or None


def boundary_report(X, y, w1: float, w2: float, b: float, lim: float = 3.0) -> BoundaryReport:
    """Classify the labelled points with weights ``(w1, w2)`` and bias ``b``; count mistakes."""
    w = np.array([w1, w2], dtype=float)
    outputs = predict(X, w, b)
    wrong = outputs != np.asarray(y)
    return BoundaryReport(outputs, wrong, int(wrong.sum()), boundary_segment(w, b, lim))
