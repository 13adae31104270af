"""Gradient checking: is backpropagation right? Compare it with finite differences.

Nudge one parameter p up and down by a tiny eps and watch the cost change:

    dC/dp  ~  (C(p + eps) - C(p - eps)) / (2 eps)        (central difference)

This needs two evaluations of the cost *per parameter*, 159,020 for the 784-100-10
network, where backprop gets all 79,510 derivatives in one backward pass. So we use
finite differences only to *check* backprop, often on a random subset of parameters.

The check runs on a float64 copy of the network (float32 has only about 7 significant
digits, too few for a difference of two nearly equal costs). In float64 the maximal
relative error between the two gradients should be below 1e-7 (typically 1e-9 or less);
errors near 1e-2 or larger mean a bug in the backward pass. The check is only as
precise as the cost is small: a cost in the thousands (e.g. a large L2 term on N(0, 1)
weights, 0.5 (lmbda/n) sum w^2 with 79,510 weights and n = 3) loses digits in
C(p + eps) - C(p - eps), and the error grows in proportion.

    >>> gradient_check(net, X, Y)          # doctest: +SKIP
    3.1e-10
"""

from __future__ import annotations

import numpy as np

from helpers.validation import check_X, check_Y

# Central differences with eps = 1e-5 are good to about 1e-10 in absolute terms in
# float64 (rounding in C(p + eps) - C(p - eps), and the eps^2 term of the Taylor series).
# So derivatives smaller than FLOOR are judged by their absolute error / FLOOR.
FLOOR = 1e-2


def relative_error(a, b, floor: float = FLOOR) -> np.ndarray:
    """|a - b| / max(|a|, |b|, floor), element by element.

    The floor matters for derivatives that are (almost) 0: finite differences cannot
    resolve them to many digits (the two costs agree in nearly all their digits), so for
    those we ask for an absolute error below ``floor`` times the tolerance (1e-9 for a
    tolerance of 1e-7). A real bug still stands out: it makes errors as large as the
    derivatives themselves.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


def numerical_derivative(model, X, Y, array: np.ndarray, index, eps: float = 1e-5, lmbda=None) -> float:
    """dC/dp for the single entry ``array[index]`` of one of ``model``'s parameter arrays."""
    old = array[index]
    array[index] = old + eps
    c_plus = _cost(model, X, Y, lmbda)
    array[index] = old - eps
    c_minus = _cost(model, X, Y, lmbda)
    array[index] = old  # put it back exactly as it was
    return (c_plus - c_minus) / (2 * eps)


def numerical_gradients(model, X, Y, eps: float = 1e-5, lmbda=None) -> list[np.ndarray]:
    """The gradient of ``model.cost(X, Y, lmbda)`` by central differences, for *every*
    parameter: a list shaped like ``model.params`` (for a ``Network``: every dC/dw,
    then every dC/db).

    Computed in float64 on a copy of ``model``. Slow for big networks (two cost
    evaluations per parameter): use ``gradient_check(..., n_checks=...)`` there.
    """
    model64, X = _float64(model, X)
    grads = []
    for array in model64.params:
        g = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            g[index] = numerical_derivative(model64, X, Y, array, index, eps, lmbda)
        grads.append(g)
    return grads


def analytic_gradients(model, X, Y, lmbda=None) -> list[np.ndarray]:
    """The model's own gradient of ``cost(X, Y, lmbda)`` (backprop, for a ``Network``), shaped
    like ``params``: ``grads`` plus the L2 term's (lmbda / n) w for the regularised arrays."""
    X = check_X(X, model.input_shape, model.dtype, needs_rows="the gradient of no examples is not defined")
    Y = check_Y(Y, len(X), model.n_out, model.dtype)
    lmbda = getattr(model, "lmbda", 0.0) if lmbda is None else lmbda
    grads = model.grads(X, Y)
    if len(grads) != len(model.params) or any(np.shape(g) != p.shape for g, p in zip(grads, model.params)):
        raise ValueError(f"the model's gradients have shapes {[np.shape(g) for g in grads]}, but its parameters "
                         f"{[p.shape for p in model.params]}: each gradient must be shaped like its parameter")
    return [g + (lmbda / len(X)) * p if r and lmbda else g for g, p, r in zip(grads, model.params, model.regularised)]


def gradient_check(
    model,
    X,
    Y,
    eps: float = 1e-5,
    n_checks: int | None = None,
    rng: np.random.Generator | None = None,
    lmbda=None,
) -> float:
    """The maximal relative error between the model's gradient (backprop) and finite
    differences, over all parameters or over ``n_checks`` of them picked at random
    (with ``rng``; every parameter is equally likely). Any model of the training loop's
    protocol (``helpers.training``) can be checked. Expect < 1e-7. Prints nothing.
    """
    if not (isinstance(eps, (int, float)) and 0 < eps < 1):
        raise ValueError(f"eps must be a small number > 0 such as 1e-5, got {eps!r}")
    if n_checks is not None and (isinstance(n_checks, bool) or not isinstance(n_checks, (int, np.integer)) or n_checks < 1):
        raise ValueError(f"n_checks must be a whole number >= 1 (or None for every parameter), got {n_checks!r}")
    model64, X = _float64(model, X)
    analytic = analytic_gradients(model64, X, Y, lmbda)
    params = model64.params
    # Every parameter as (which array, flat index); pick a random subset if asked.
    sizes = np.array([array.size for array in params])
    flat = np.arange(sizes.sum())
    if n_checks is not None and n_checks < len(flat):
        rng = rng if rng is not None else np.random.default_rng(0)
        flat = np.sort(rng.choice(len(flat), size=n_checks, replace=False))
    starts = np.concatenate([[0], np.cumsum(sizes)])
    errors = []
    for i in flat:
        p = int(np.searchsorted(starts, i, side="right")) - 1
        index = np.unravel_index(i - starts[p], params[p].shape)
        numeric = numerical_derivative(model64, X, Y, params[p], index, eps, lmbda)
        errors.append(float(relative_error(numeric, analytic[p][index])))
    return float(np.max(errors))  # NaN if any comparison was NaN: never a perfect-looking 0


def _float64(model, X):
    """A float64 copy of the model, and X in float64: the check's precision needs both."""
    return model.copy(np.float64), np.asarray(X, dtype=np.float64)


def _cost(model, X, Y, lmbda) -> float:
    """The cost with the L2 term of ``lmbda`` (the model's own L2 setting if None)."""
    return model.cost(X, Y) if lmbda is None else model.cost(X, Y, lmbda)
