"""Learning by gradient descent (notebook 05): each piece small, plain and tested.

* the quadratic cost C = 1/(2n) sum_x ||y(x) - a||^2, and why counting correct answers
  is no use as a cost (``sweep_weight``);
* gradient descent v -> v - eta * grad C on a 2-D bowl (``bowl_cost``, ``gradient_descent``,
  ``describe_run``, ``draw_bowl``);
* stochastic gradient descent: shuffled mini-batches (``mini_batches``), epochs (the
  course's one training loop, ``helpers.training.train``);
* a one-layer model, 784 inputs -> 10 sigmoid outputs, trained with SGD as a warm-up
  (``OneLayer``); its live cost curve, ``LiveCurve``, is a training callback in
  ``helpers.widgets.gradient_descent``.

The full network with hidden layers, and backpropagation, live in ``helpers.network``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from helpers.activations import sigmoid, sigmoid_prime
from helpers.costs import QuadraticCost
from helpers.layers import l2_term
from helpers.plots import LINESTYLES, MARKERS, PALETTE

# ---------------------------------------------------------------------------------------
# The quadratic cost, and why "number correct" is no use as a cost
# ---------------------------------------------------------------------------------------


def quadratic_cost(A, Y) -> float:
    """C = 1/(2n) sum_x ||y(x) - a||^2 for outputs ``A`` and wanted outputs ``Y``.

    One example per row (capital letters: a whole batch of rows): ``A`` and ``Y`` have
    shape (n, number of outputs). Each row adds half its squared distance from the
    wanted output; the sum is divided by n, the number of examples, so C is an average
    over examples.
    """
    A, Y = np.asarray(A, dtype=float), np.asarray(Y, dtype=float)
    # QuadraticCost.fn gives 1/2 ||a - y||^2 for each row (the z and output arguments
    # are only needed by other costs).
    return float(QuadraticCost.fn(None, A, Y, None).mean())


def overlapping_points(rng: np.random.Generator, n: int = 20):
    """``n`` points in the plane in two overlapping clouds: X (n, 2) and labels 0/1 (n,).

    Label 1 is centred on (1, 1), label 0 on (-1, -1), with spread 1, so a straight line
    separates most but not all of them: a tiny problem for a single sigmoid neuron.
    """
    labels = np.arange(n) % 2
    centres = np.where(labels[:, None] == 1, 1.0, -1.0)
    return centres + rng.standard_normal((n, 2)), labels


def draw_toy_points(ax, X, labels, w=None, b: float = 0.0, title: str = "The 20 points, and our neuron's dividing line"):
    """Scatter the toy points: label 1 as blue circles, label 0 as vermillion triangles.

    With ``w`` (two weights) and ``b``, also draws the neuron's dividing line, where
    w1 x1 + w2 x2 + b = 0, that is a = 0.5, and rings the points on its wrong side.
    """
    X, labels = np.asarray(X, dtype=float), np.asarray(labels)
    for label, colour, marker in [(1, PALETTE["blue"], "o"), (0, PALETTE["vermillion"], "^")]:
        mine = labels == label
        ax.scatter(X[mine, 0], X[mine, 1], color=colour, marker=marker, s=45, edgecolors="black",
                   linewidths=0.5, label=f"label {label}", zorder=3)
    if w is not None:
        w = np.asarray(w, dtype=float)
        x1 = np.array([X[:, 0].min() - 0.5, X[:, 0].max() + 0.5])
        ax.plot(x1, -(w[0] * x1 + b) / w[1], color="black", linestyle="--", linewidth=1.2,
                label="dividing line: a = 0.5")
        wrong = (sigmoid(X @ w + b) > 0.5) != (labels == 1)
        if wrong.any():
            ax.scatter(X[wrong, 0], X[wrong, 1], s=220, facecolors="none", edgecolors="black", linewidths=1.2,
                       label="on the wrong side", zorder=4)
    margin = 0.5
    ax.set_xlim(X[:, 0].min() - margin, X[:, 0].max() + margin)
    ax.set_ylim(X[:, 1].min() - margin, X[:, 1].max() + margin)
    ax.set_aspect("equal")
    ax.set_xlabel("x1 (first input, no unit)")
    ax.set_ylabel("x2 (second input, no unit)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))  # beside the plot, hiding no point
    return ax


def sweep_weight(X, labels, w, b: float, index: int, values):
    """Change weight ``w[index]`` of one sigmoid neuron through ``values``, keeping the rest.

    For each value returns the number of points classified correctly (output a > 0.5
    means "label 1") and the quadratic cost. The count moves in jumps and is flat in
    between; the cost changes smoothly.
    """
    X, labels = np.asarray(X, dtype=float), np.asarray(labels)
    counts, costs = [], []
    for value in values:
        w_now = np.array(w, dtype=float)
        w_now[index] = value
        a = sigmoid(X @ w_now + b)
        counts.append(int(((a > 0.5) == (labels == 1)).sum()))
        costs.append(quadratic_cost(a[:, None], labels[:, None]))
    return np.array(counts), np.array(costs)


# ---------------------------------------------------------------------------------------
# Gradient descent on a 2-D bowl
# ---------------------------------------------------------------------------------------

BOWL_STEEPNESS = (1.0, 4.0)  # C(v1, v2) = 1 v1^2 + 4 v2^2: four times steeper along v2
BOWL_START = (-4.0, 1.5)


def bowl_cost(v1, v2):
    """The elongated bowl C(v1, v2) = v1^2 + 4 v2^2 (works on grids of points too)."""
    k1, k2 = BOWL_STEEPNESS
    return k1 * np.asarray(v1) ** 2 + k2 * np.asarray(v2) ** 2


def bowl_gradient(v):
    """The gradient of the bowl at v = (v1, v2): (dC/dv1, dC/dv2) = (2 v1, 8 v2)."""
    k1, k2 = BOWL_STEEPNESS
    v = np.asarray(v, dtype=float)
    return np.array([2 * k1 * v[0], 2 * k2 * v[1]])


def descent_step(v, gradient, eta: float):
    """One step of gradient descent: v' = v - eta * gradient (a step downhill)."""
    return np.asarray(v, dtype=float) - eta * np.asarray(gradient, dtype=float)


def gradient_descent(gradient_fn, start, eta: float, steps: int, blow_up: float = 1e6):
    """Take ``steps`` steps of gradient descent from ``start``; return the path.

    The path is an array of shape (steps + 1, 2): the start, then the point after each
    step. If the point runs away beyond ``blow_up`` (eta far too large) the walk stops
    early, so the path is shorter: further steps would only overflow.
    """
    v = np.asarray(start, dtype=float)
    path = [v]
    for _ in range(steps):
        v = descent_step(v, gradient_fn(v), eta)
        path.append(v)
        if not np.all(np.abs(v) < blow_up):
            break
    return np.array(path)


VERDICTS = ("converged", "still on its way", "stuck (bouncing for ever)", "diverging (slowly)", "diverged")


def describe_run(path, cost_fn=None, tol: float = 1e-3, window: int = 5) -> dict:
    """What happened on a gradient-descent path: its costs and a verdict in words.

    * ``"diverged"``: the final cost is above the starting cost (each step overshoots
      further than the last);
    * ``"converged"``: the final cost is at most ``tol`` times the starting cost;
    * ``"diverging (slowly)"``: lower than at the start, but the cost *grew* over the
      last ``window`` steps. On the bowl the cost is a sum of terms that each shrink or
      grow by a fixed factor per step, so once it grows it grows for ever: it will
      diverge, only later (eta just above 0.25);
    * ``"stuck (bouncing for ever)"``: the cost fell by less than a thousandth of itself
      over the last ``window`` steps, far from the bottom (eta = 0.25 exactly: v2 jumps
      between +1.5 and -1.5 for ever);
    * ``"still on its way"``: lower than at the start and still falling, but not yet at
      the bottom.

    ``zigzag`` says whether some coordinate changed sign more than once (the steps
    overshoot the valley floor and bounce from side to side).
    """
    cost_fn = cost_fn or (lambda v: bowl_cost(v[..., 0], v[..., 1]))
    path = np.asarray(path, dtype=float)
    costs = np.asarray(cost_fn(path), dtype=float)
    recent = costs[-1 - min(window, len(costs) - 1)]  # the cost `window` steps before the end
    if costs[-1] > costs[0]:
        verdict = "diverged"
    elif costs[-1] <= tol * costs[0]:
        verdict = "converged"
    elif costs[-1] > recent:
        verdict = "diverging (slowly)"
    elif costs[-1] > (1 - 1e-3) * recent:
        verdict = "stuck (bouncing for ever)"
    else:
        verdict = "still on its way"
    sign_changes = (np.diff(np.sign(path), axis=0) != 0).sum(axis=0)
    return {
        "verdict": verdict,
        "steps": len(path) - 1,
        "final": path[-1],
        "costs": costs,
        "final_cost": float(costs[-1]),
        "zigzag": bool(np.any(sign_changes > 1)),
    }


def draw_bowl(ax, runs, limits=(5.0, 3.0), title: str = "Gradient descent on C(v1, v2) = v1² + 4 v2²"):
    """Contour lines of the bowl, and each run's path on top.

    ``runs`` is a list of (label, path). Each path gets its own colour, line style and
    marker, so the runs can be told apart without colour.
    """
    x_lim, y_lim = limits
    g1, g2 = np.meshgrid(np.linspace(-x_lim, x_lim, 201), np.linspace(-y_lim, y_lim, 121))
    levels = [0.25, 1, 2.5, 5, 10, 20, 35, 50]
    contours = ax.contour(g1, g2, bowl_cost(g1, g2), levels=levels, colors="0.6", linewidths=0.8)
    ax.clabel(contours, fontsize=7, fmt="C=%g")
    for i, (label, path) in enumerate(runs):
        path = np.asarray(path)
        colour = list(PALETTE.values())[i % len(PALETTE)]
        ax.plot(path[:, 0], path[:, 1], color=colour, linestyle=LINESTYLES[i % len(LINESTYLES)],
                marker=MARKERS[i % len(MARKERS)], markersize=4, linewidth=1.5, label=label)
    if runs:
        start = np.asarray(runs[0][1])[0]
        ax.plot(*start, marker="*", color="black", markersize=12, linestyle="none", label="start")
    ax.plot(0, 0, marker="+", color="black", markersize=12, mew=2, linestyle="none", label="minimum (0, 0)")
    ax.set_xlim(-x_lim, x_lim)
    ax.set_ylim(-y_lim, y_lim)
    ax.set_aspect("equal")
    ax.set_xlabel("v1 (first parameter, no unit)")
    ax.set_ylabel("v2 (second parameter, no unit)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return ax


def draw_costs(ax, runs, title: str = "Cost after each step"):
    """The cost C at each step of each run, on a log scale (one line per run)."""
    for i, (label, path) in enumerate(runs):
        costs = np.maximum(describe_run(path)["costs"], 1e-12)  # a log scale cannot show C = 0
        colour = list(PALETTE.values())[i % len(PALETTE)]
        ax.semilogy(np.arange(len(costs)), costs, color=colour, linestyle=LINESTYLES[i % len(LINESTYLES)],
                    marker=MARKERS[i % len(MARKERS)], markersize=4, label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers: no tick at 2.5
    ax.set_xlabel("step")
    ax.set_ylabel("cost C (log scale)")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def clip_limit(values, percentile: float = 99.5) -> float:
    """A colour limit for drawing weights: the ``percentile``-th percentile of |value|.

    The few largest weights then get the end colours (they are clipped), and the other
    99.5 % spread over the whole colour scale instead of all looking pale.
    """
    limit = float(np.percentile(np.abs(np.asarray(values, dtype=float)), percentile))
    return limit if limit > 0 else 1.0


# ---------------------------------------------------------------------------------------
# Stochastic gradient descent: mini-batches and epochs
# ---------------------------------------------------------------------------------------


def mini_batches(n: int, mini_batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffle the indices 0..n-1 and cut them into mini-batches of ``mini_batch_size``.

    Every index is in exactly one mini-batch; the last one is smaller when
    ``mini_batch_size`` does not divide n. Going through all of them once is one epoch.
    """
    order = rng.permutation(n)
    return [order[k : k + mini_batch_size] for k in range(0, n, mini_batch_size)]


class OneLayer:
    """The warm-up model: 784 inputs straight to 10 sigmoid outputs, A = sigma(X w^T + b).

    ``w`` has shape (10, 784): row j holds the 784 weights into output j (the same
    convention as ``helpers.network``), and ``b`` has shape (10,). With no hidden layer,
    the gradient of the quadratic cost takes three lines (``gradients``).
    """

    def __init__(self, n_in: int = 784, n_out: int = 10, rng: np.random.Generator | None = None, dtype=np.float32):
        # What the course's training loop asks of a model (helpers.training): its shapes and
        # dtype here; params, grads, cost and predict below.
        self.input_shape, self.n_out, self.dtype = (n_in,), n_out, dtype
        # Small random weights (spread 1/sqrt(n_in)) keep z near 0, where sigma is steep.
        rng = rng if rng is not None else np.random.default_rng(0)
        self.w = (rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(dtype)
        self.b = np.zeros(n_out, dtype=dtype)

    def feedforward(self, X):
        """The outputs A = sigma(Z), Z = X w^T + b (b added to each row), one row per example."""
        return sigmoid(X @ self.w.T + self.b)

    def cost(self, X, Y, lmbda: float = 0.0, n: int | None = None) -> float:
        """The quadratic cost over the examples X with wanted outputs Y (one-hot rows)
        (plus the L2 term (lmbda / 2n) sum w^2, when training asks for it)."""
        return quadratic_cost(self.feedforward(X), Y) + l2_term(self, lmbda, n or len(X))

    def gradients(self, X, Y):
        """The gradient of the quadratic cost over the mini-batch (X, Y): (nabla_w, nabla_b).

        nabla_w holds dC/dw (shape of w) and nabla_b holds dC/db (shape of b). For m
        examples: E = (A - Y) * sigma'(Z), the errors, one row delta per example, then
        nabla_w = E^T X / m and nabla_b = the mean of the rows of E.
        """
        Z = X @ self.w.T + self.b  # b is added to each row
        A = sigmoid(Z)
        E = (A - Y) * sigmoid_prime(Z)  # dC_x/dz for each example (row) and output (column)
        nabla_w = E.T @ X / len(X)
        nabla_b = E.mean(axis=0)
        return nabla_w, nabla_b

    @property
    def params(self) -> list:
        """The arrays training changes: [w, b]."""
        return [self.w, self.b]

    regularised = (True, False)  # L2, if asked for, shrinks w, not b

    def grads(self, X, Y) -> list:
        """What the training loop asks for: ``gradients`` as a list shaped like ``params``."""
        return list(self.gradients(X, Y))

    def copy(self, dtype=None) -> "OneLayer":
        twin = OneLayer(*self.w.shape[::-1], dtype=dtype or self.dtype)
        twin.w, twin.b = self.w.astype(twin.dtype), self.b.astype(twin.dtype)
        return twin

    def predict(self, X):
        """The digit of each row of X: the output with the largest activation."""
        return self.feedforward(X).argmax(axis=1)

    def accuracy(self, X, labels) -> float:
        """The fraction of the examples X whose predicted digit equals the label."""
        return float((self.predict(X) == np.asarray(labels)).mean())


def gradient_agreement(model, X, Y, batch_sizes, rng: np.random.Generator, repeats: int = 20) -> dict:
    """How well a mini-batch's gradient points along the gradient over all of (X, Y).

    For each mini-batch size m, draws ``repeats`` random mini-batches and returns the mean
    cosine between their gradient and the full one (1 = same direction, 0 = at right
    angles). Weights and biases are taken together as one long vector.
    """

    def flat(grads):
        return np.concatenate([g.ravel() for g in grads]).astype(float)

    # The full gradient is the average of the gradients of chunks of rows, weighted by
    # their size: the same numbers, but much faster with some BLAS libraries than one
    # product over all n rows at once.
    chunk = 1000
    full = sum(flat(model.gradients(X[k : k + chunk], Y[k : k + chunk])) * len(X[k : k + chunk])
               for k in range(0, len(X), chunk))
    full /= len(X)
    result = {}
    for m in batch_sizes:
        cosines = []
        for _ in range(repeats):
            batch = rng.choice(len(X), size=m, replace=False)
            g = flat(model.gradients(X[batch], Y[batch]))
            cosines.append(g @ full / (np.linalg.norm(g) * np.linalg.norm(full)))
        result[m] = float(np.mean(cosines))
    return result
