"""Self-checks for the exercises of notebook 06, "Backpropagation".

Every expected answer comes from the course's own network: the error E^l of each
example is the bias gradient ``Network.backprop`` returns for a mini-batch of that one
example (BP3: dC/db^l = delta^l), and the weight gradients are ``Network.backprop`` on
the whole mini-batch; finite differences come from ``helpers.gradcheck``. Where a
mistake is common (a sign, a missing sigma', a sum instead of a mean, a transpose, a
weight not put back), the check recognises it and says so in words.

Layers are numbered from 0 (the input); w^l, the weights into layer l, is
``net.weights[l - 1]``.
"""

from __future__ import annotations

import numpy as np

from helpers.activations import sigmoid, sigmoid_prime
from helpers.lessons.backpropagation import backprop_steps, sup
from helpers.checks import (ExerciseFailed, Hint, call_learner, check_function, describe, explain_slip, kindly_all,
                            praise, same, wrong_kind)
from helpers.checks import recipe, solution  # noqa: F401  (`check.recipe("output_error")` in the notebook)
from helpers.gradcheck import numerical_derivative
from helpers.network import Network
from helpers.source import code_names

# Layer sizes all different, so that a product with the wrong transpose fails loudly.
SIZES = ([3, 5, 4], [6, 4, 7, 2], [2, 3, 2])


def _setup(sizes, m: int, seed: int):
    """A float64 network, a mini-batch (X, Y), the forward record and the true errors.

    ``errors[l]`` is E^l with one row per example, taken from ``Network.backprop``
    run on one example at a time (its bias gradient for one example is that example's
    delta^l)."""
    rng = np.random.default_rng(seed)
    net = Network(sizes, dtype=np.float64, rng=rng)
    X = rng.random((m, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(sizes[-1], size=m)]
    values = {}
    for step in backprop_steps(net, X, Y):
        if step.phase in ("input", "forward"):
            values.update(step.values)
    L = len(sizes) - 1
    per_example = [net.backprop(X[i : i + 1], Y[i : i + 1])[1] for i in range(m)]
    errors = {l: np.array([nabla_b[l - 1] for nabla_b in per_example]) for l in range(1, L + 1)}
    Z = {l: values[f"Z{sup(l)}"] for l in range(1, L + 1)}
    A = {l: values[f"A{sup(l)}"] for l in range(0, L + 1)}
    return net, X, Y, Z, A, errors


def _answers(expected: list, course_version):
    """A reference for ``check_function`` that hands out precomputed answers (taken from
    ``Network.backprop``, independently of the formulas); ``course_version``, the formula,
    is what stands in for the learner's function while it is not written."""
    answers = iter(expected)
    reference = lambda **_: next(answers)  # noqa: E731
    reference.stand_in = course_version
    return reference


def _bp1(A_L, Y, Z_L):
    return (A_L - Y) * sigmoid_prime(Z_L)


def _bp2(E_next, w_next, Z):
    return (E_next @ w_next) * sigmoid_prime(Z)


def _bp3_bp4(E, A_prev):
    return E.T @ A_prev / len(E), E.mean(axis=0)


# The answers are computed in float64 by the same few operations, so they agree to ~1e-15;
# tight tolerances make sure that a wrong answer made of small numbers is not let through.
ATOL, RTOL = 1e-10, 1e-7


OUTPUT_ERROR_HINT = Hint(
    "output_error",
    "BP1 multiplies two things element by element: how the cost changes with each output (for the "
    "quadratic cost, A^L − Y) and the slope of each output neuron at its weighted input.",
    "E^L = (A^L − Y) ⊙ σ'(Z^L): in NumPy `(A_L - Y) * sigmoid_prime(Z_L)`, where `*` multiplies "
    "element by element.",
    step="BP1 is E^L = ∇_a C ⊙ σ'(Z^L): for the quadratic cost ∇_a C is A_L − Y, and ⊙, element by "
         "element, is NumPy's `*` (`@` would be the matrix product).",
)
BACKPROPAGATE_ERROR_HINT = Hint(
    "backpropagate_error",
    "send the next layer's errors back along the weights that connect the two layers (mind the shapes: "
    "the result needs one row per example and one column per neuron of this layer), then weigh each by "
    "the slope of this layer's neurons.",
    "(E_next @ w_next) * sigmoid_prime(Z): E_next has shape (m, n_next) and w_next has shape (n_next, n), "
    "so `E_next @ w_next` has shape (m, n), one row per example; then multiply element by element "
    "by sigmoid_prime(Z).",
    step="E_next has shape (m, n_next) and w_next (n_next, n): `E_next @ w_next` has one row per "
         "example and one column per neuron of this layer. Then weigh it by this layer's slope, "
         "sigmoid_prime(Z).",
)
LAYER_GRADIENTS_HINT = Hint(
    "layer_gradients",
    "return the pair (dC_dw, dC_db), both *means* over the m examples: dC_dw has the shape of w^l "
    "(one row per neuron of this layer, one column per neuron of the layer before), dC_db one number per neuron.",
    "m = len(E); dC_dw = E.T @ A_prev / m; dC_db = E.mean(axis=0); return dC_dw, dC_db.",
    step="E.T @ A_prev has the shape of w (neurons of this layer x neurons of the layer before) "
         "and adds up the m examples; divide it by m for the mean. dC_db is the mean of E over the "
         "rows.",
)
NUMERICAL_PARTIAL_RECIPE = (
    "w = net.weights[l - 1] (no copy); old = w[j, k]; w[j, k] = old + eps; c_plus = net.cost(X, Y); "
    "w[j, k] = old - eps; c_minus = net.cost(X, Y); w[j, k] = old; return (c_plus - c_minus) / (2 * eps)."
)
NUMERICAL_PARTIAL_HINT = Hint(
    "numerical_partial",
    "nudge the one weight net.weights[l - 1][j, k] up by eps and compute the cost, nudge it down by "
    "eps and compute it again, put the weight back, and divide the difference of the costs by 2 * eps.",
    NUMERICAL_PARTIAL_RECIPE,
    step="the formula is (C(w + eps) − C(w − eps)) / (2 eps), with net.cost(X, Y) as C. Change "
         "net.weights[l - 1][j, k] itself (no copy), compute the two costs, then put the old value "
         "back.",
)


# A recognised slip is announced without the (long) inputs: the message says what went wrong.
SAID = "`{name}` is not right yet: "


# ---------------------------------------------------------------------------------------
# Exercise 1: BP1


def output_error_cases():
    cases, expected = [], []
    for seed, (sizes, m) in enumerate(zip(SIZES, (4, 3, 2))):
        _, _, Y, Z, A, errors = _setup(sizes, m, seed)
        L = len(sizes) - 1
        cases.append({"A_L": A[L], "Y": Y, "Z_L": Z[L]})
        expected.append(errors[L])
    return cases, expected


def output_error(learner) -> None:
    """Exercise 1: E^L = (A^L - Y) * sigma'(Z^L), one row per example (BP1)."""
    cases, expected = output_error_cases()

    check_function(
        learner, _answers(expected, _bp1), cases, name="output_error",
        hint=OUTPUT_ERROR_HINT,
        slips=[
            (lambda A_L, Y, Z_L: (Y - A_L) * sigmoid_prime(Z_L),
             "the sign is flipped. For C = ½(a − y)² the derivative is "
             "∂C/∂a = a − y, so use A_L - Y, not Y - A_L."),
            (lambda A_L, Y, Z_L: A_L - Y,
             "you returned A_L - Y, which is ∂C/∂a. BP1 multiplies it, element by element, by "
             "σ'(Z_L): the slope of the output neurons (sigmoid_prime(Z_L))."),
            (lambda A_L, Y, Z_L: (A_L - Y) * sigmoid_prime(A_L),
             "σ' is taken at the weighted input Z_L, not at the activation "
             "A_L: use sigmoid_prime(Z_L) (or A_L * (1 - A_L))."),
            (lambda A_L, Y, Z_L: (A_L - Y) * sigmoid(Z_L),
             "you multiplied by σ(Z_L) itself; BP1 needs its derivative σ'(Z_L), "
             "sigmoid_prime(Z_L)."),
            (lambda A_L, Y, Z_L: ((A_L - Y) * sigmoid_prime(Z_L)).mean(axis=0),
             "you averaged over the examples. E^L keeps one row of errors per example; the averaging comes "
             "later, in the gradients (Exercise 3)."),
            (lambda A_L, Y, Z_L: (A_L - Y) * sigmoid_prime(Z_L) / len(A_L),
             "you divided by the batch size m. E^L holds one error "
             "per example, with no 1/m: the averaging comes later, "
             "in the gradients (Exercise 3)."),
        ],
        said=SAID, atol=ATOL, rtol=RTOL,
    )


# ---------------------------------------------------------------------------------------
# Exercise 2: BP2


def backpropagate_error_cases():
    cases, expected = [], []
    for seed, (sizes, m) in enumerate(zip(SIZES, (4, 3, 2))):
        net, _, _, Z, _, errors = _setup(sizes, m, seed + 10)
        for l in range(len(sizes) - 2, 0, -1):
            cases.append({"E_next": errors[l + 1], "w_next": net.weights[l], "Z": Z[l]})
            expected.append(errors[l])
    return cases, expected


def backpropagate_error(learner) -> None:
    """Exercise 2: E^l = (E^(l+1) w^(l+1)) * sigma'(Z^l) (BP2)."""
    cases, expected = backpropagate_error_cases()

    check_function(
        learner, _answers(expected, _bp2), cases, name="backpropagate_error",
        hint=BACKPROPAGATE_ERROR_HINT,
        slips=[
            (lambda E_next, w_next, Z: E_next @ w_next,
             "you sent the error back along the weights (E_next @ w_next) but forgot to "
             "multiply by σ'(Z), the slope of this layer's neurons: `* sigmoid_prime(Z)`."),
            (lambda E_next, w_next, Z: (E_next @ w_next) * sigmoid(Z),
             "you multiplied by σ(Z); BP2 needs the derivative σ'(Z), sigmoid_prime(Z)."),
            (lambda E_next, w_next, Z: (E_next @ w_next) * sigmoid_prime(sigmoid(Z)),
             "σ' is taken at the weighted input Z itself: "
             "sigmoid_prime(Z), not sigmoid_prime(sigmoid(Z))."),
        ],
        said=SAID, atol=ATOL, rtol=RTOL,
    )


# ---------------------------------------------------------------------------------------
# Exercise 3: BP3 and BP4 over a mini-batch


def layer_gradients_cases():
    cases, expected = [], []
    for seed, (sizes, m) in enumerate(zip(SIZES, (4, 3, 5))):
        net, X, Y, _, A, errors = _setup(sizes, m, seed + 20)
        nabla_w, nabla_b = net.backprop(X, Y)
        for l in range(1, len(sizes)):
            cases.append({"E": errors[l], "A_prev": A[l - 1]})
            expected.append((nabla_w[l - 1], nabla_b[l - 1]))
    return cases, expected


def layer_gradients(learner) -> None:
    """Exercise 3: (dC/dw^l, dC/db^l) = ((E^l)^T A^(l-1) / m, mean of the rows of E^l)."""
    cases, expected = layer_gradients_cases()

    check_function(
        learner, _answers(expected, _bp3_bp4), cases, name="layer_gradients",
        hint=LAYER_GRADIENTS_HINT, parts=("dC_dw", "dC_db"),
        slips=[
            (lambda E, A_prev: (E.T @ A_prev, E.sum(axis=0)),
             "you returned the sums over the mini-batch. The cost is the "
             "*mean* over the m examples, so divide both by m = len(E) "
             "(or use .mean(axis=0) for the biases)."),
            (lambda E, A_prev: (E.T @ A_prev / len(E), E.sum(axis=0)),
             "∂C/∂w is right, but ∂C/∂b is the sum of the rows of E: "
             "take their mean, E.mean(axis=0)."),
            (lambda E, A_prev: (E.T @ A_prev, E.mean(axis=0)),
             "∂C/∂b is right, but ∂C/∂w is summed over the mini-batch: divide "
             "(E.T @ A_prev) by m = len(E)."),
            (lambda E, A_prev: (A_prev.T @ E / len(E), E.mean(axis=0)),
             "your ∂C/∂w is transposed. It must have the shape of w^l, "
             "(n_l, n_(l-1)): one row per neuron of layer l, so "
             "E.T @ A_prev."),
            (lambda E, A_prev: (E.T @ A_prev / len(E), E.mean(axis=1)),
             "∂C/∂b must have one number per neuron: average E over "
             "the examples, which are its rows: E.mean(axis=0)."),
        ],
        said=SAID, atol=ATOL, rtol=RTOL,
    )


# ---------------------------------------------------------------------------------------
# Exercise 4: one partial derivative by finite differences


def numerical_partial_cases():
    """(network, arguments) pairs; each network is fresh, so a changed weight is noticed."""
    cases = []
    for seed, (sizes, m, l, j, k, eps) in enumerate(
        [([3, 5, 4], 4, 1, 2, 1, 1e-5), ([3, 5, 4], 4, 2, 3, 4, 1e-4), ([6, 4, 7, 2], 3, 2, 6, 0, 1e-5),
         ([784, 100, 10], 2, 1, 37, 300, 1e-4)]
    ):
        rng = np.random.default_rng(seed + 30)
        net = Network(sizes, dtype=np.float64, rng=rng)
        X = rng.random((m, sizes[0]))
        Y = np.eye(sizes[-1])[rng.integers(sizes[-1], size=m)]
        cases.append((net, {"X": X, "Y": Y, "l": l, "j": j, "k": k, "eps": eps}))
    return cases


# Names whose use means the slope is not measured but asked of backprop.
GRADIENT_NAMES = ("backprop", "grads", "gradients", "gradient_check", "numerical_gradients", "analytic_gradients")
WEIGHTS_INTO = (
    "w^l holds the weights *into* layer l, and the input layer 0 has none, so the list net.weights "
    "starts with w^1: w^l is net.weights[l - 1]"
)


def _gradient_names_used(learner) -> list[str]:
    """The names from GRADIENT_NAMES that the learner's code uses, in order of first use
    (comments and strings do not count; without source, the compiled code's names)."""
    return [name for name in code_names(learner) if name in GRADIENT_NAMES]


def _only_rounding(before: np.ndarray, after: np.ndarray) -> bool:
    """True if ``after`` differs from ``before`` only in the last digits (rounding)."""
    return bool(np.all(np.abs(after - before) <= 1e-12 * np.maximum(np.abs(before), 1e-3)))


def _numerical_partial(net, X, Y, l, j, k, eps=1e-5):
    return numerical_derivative(net, X, Y, net.weights[l - 1], (j, k), eps)


def numerical_partial(learner) -> None:
    """Exercise 4: dC/dw^l_jk ~ (C(w + eps) - C(w - eps)) / (2 eps), weight put back after."""
    name = "numerical_partial"
    if used := _gradient_names_used(learner):
        raise ExerciseFailed(
            f"`{name}` uses `{used[0]}`, which computes gradients by backprop. This exercise *measures* "
            "the slope without backprop, so that it can check backprop's answer (asking backprop would "
            "always agree with backprop, bugs included).\nHint: use only the cost: nudge "
            "net.weights[l - 1][j, k] up by eps and compute net.cost(X, Y), nudge it down by eps and "
            "compute it again, put the weight back, and divide the difference by 2 * eps."
        )
    cases = numerical_partial_cases()
    for net, args in cases:
        l, j, k, eps = args["l"], args["j"], args["k"], args["eps"]
        shown = f"net (sizes {net.sizes}), X, Y, l={l}, j={j}, k={k}, eps={eps:g}"
        reference = net.copy()
        right = numerical_derivative(reference, args["X"], args["Y"], reference.weights[l - 1], (j, k), eps)
        before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
        got = call_learner(learner, {"net": net, **args}, name=name, shown=shown, reference=_numerical_partial, error_hints={
            IndexError: f"{WEIGHTS_INTO}, and w^l_jk is net.weights[l - 1][j, k]."})
        if same(got, right, atol=1e-10, rtol=1e-6) is not None:
            _explain_wrong_value(name, shown, got, right, reference, args)
        after = [w for w in net.weights] + [b for b in net.biases]
        changed = [i for i, (x, y) in enumerate(zip(before, after)) if not np.array_equal(x, y)]
        if changed:
            w_before, w_after = before[l - 1], after[l - 1]
            moved = np.argwhere(w_before != w_after) if w_before.shape == w_after.shape else None
            if (changed == [l - 1] and moved is not None and [tuple(i) for i in moved] == [(j, k)]
                    and _only_rounding(w_before, w_after)):
                raise ExerciseFailed(
                    f"`{name}({shown})` gives the right slope, but it left the weight "
                    f"net.weights[{l - 1}][{j}, {k}] changed in its last digits: it was "
                    f"{float(w_before[j, k])!r}, now it is {float(w_after[j, k])!r}. A computer rounds every "
                    "result to about 16 significant digits, so undoing the nudge by arithmetic "
                    "(w + ε − 2ε + ε) need not give back exactly w.\nHint: save the old value before "
                    "the nudge, `old = w[j, k]`, and put it back with `w[j, k] = old`."
                )
            raise ExerciseFailed(
                f"`{name}({shown})` left the network changed. Put the weight back to its old value "
                "after the two costs are computed, or every later use of the network (training, the "
                "next derivative) would start from a nudged weight.\nHint: `old = w[j, k]` before the "
                "nudge, `w[j, k] = old` after it."
            )
    praise(f"`{name}` is correct on all {len(cases)} test cases.")


def _explain_wrong_value(name, shown, got, right, reference, args) -> None:
    """Raise ExerciseFailed for a wrong slope, naming the mistake where it is a known one."""
    X, Y, l, j, k, eps = args["X"], args["Y"], args["l"], args["j"], args["k"], args["eps"]
    if (kind := wrong_kind(got, right)) is not None:  # text, a list...: say that first
        raise ExerciseFailed(f"`{name}({shown})`: {kind}.")
    try:
        value = float(np.asarray(got, dtype=float).reshape(-1)[0]) if np.size(got) == 1 else None
    except (TypeError, ValueError):
        value = None
    if value == 0.0:
        raise ExerciseFailed(
            f"`{name}({shown})`: expected {describe(float(right))}, got 0. The two costs came out equal, "
            "so the nudge never reached the network: net.cost(X, Y) uses the network's own weight arrays. "
            "A copy (net.weights[l - 1].copy(), np.array(...)) is a separate array that net.cost never "
            "looks at.\nHint: change the network's own array in place: `w = net.weights[l - 1]` (no "
            "copy), then `w[j, k] = old + eps`."
        )
    c0 = reference.cost(X, Y)
    w = reference.weights[l - 1]
    old = w[j, k]
    w[j, k] = old + eps
    c_plus = reference.cost(X, Y)
    w[j, k] = old
    half = ("your answer is about half the slope: the two costs must be computed at w + ε and at "
            "w − ε, 2ε apart. It looks as if the second cost was computed at w itself: after "
            "`w[j, k] += eps` and then `w[j, k] -= eps` the weight is back at w, not at w − ε.\nHint: save "
            "`old = w[j, k]`, set `w[j, k] = old + eps` for the first cost and `w[j, k] = old - eps` for "
            "the second, then `w[j, k] = old`.")
    slips = [
        (2 * right, "your answer is twice too big: the two costs are 2·eps apart, so divide "
                    "their difference by 2 * eps."),
        ((c_plus - c0) / eps, "this is the one-sided difference (C(w + eps) − C(w)) / eps. The "
                              "central difference (C(w + eps) − C(w − eps)) / (2 eps) is far more "
                              "accurate: its error shrinks like eps², not like eps."),
        ((c_plus - c0) / (2 * eps), half),
        (-right, "the sign is flipped: subtract C(w − eps) from C(w + eps), not the other way."),
    ]
    if l < len(reference.weights) and j < reference.weights[l].shape[0] and k < reference.weights[l].shape[1]:
        other = numerical_derivative(reference, X, Y, reference.weights[l], (j, k), eps)
        slips.append((other, f"you nudged a weight of net.weights[{l}], the layer after. {WEIGHTS_INTO}."))
    if (slip := explain_slip(got, slips, args, name=name, shown=shown, said="`{call}`: ", atol=1e-10, rtol=1e-6)):
        raise ExerciseFailed(slip)
    if value is not None and right != 0 and abs(value / right - 0.5) < 0.05:
        raise ExerciseFailed(f"`{name}({shown})`: {half}")
    why = same(got, right, atol=1e-10, rtol=1e-6) or f"expected {describe(float(right))}, got {describe(got)}"
    raise ExerciseFailed(f"`{name}({shown})`: {why}.\nHint: {NUMERICAL_PARTIAL_HINT.text()}")


# An exercise not begun gets a kind "not done yet" and the course's answer stands in for it.
kindly_all(globals())
