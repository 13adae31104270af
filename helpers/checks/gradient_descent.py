"""Self-checks for the exercises of notebook 05, "Learning by gradient descent".

Where a mistake is common (a missing 1/2, a step uphill), the check recognises it and
says so in words, instead of only showing two different numbers.
"""

from __future__ import annotations

import numpy as np

from helpers.lessons import gradient_descent as descent
from helpers.checks import (ExerciseFailed, Hint, call_learner, check_function, describe, hint_text, kind_of, kindly_all,
                            praise)
from helpers.checks import recipe, solution  # noqa: F401  (`check.recipe("descent_step")` in the notebook)

QUADRATIC_COST_HINT = Hint(
    "quadratic_cost",
    "three steps: for each example (row) the squared length of y − a, then the average of those over "
    "the n rows, then half of it.",
    "0.5 * ((Y - A) ** 2).sum(axis=1).mean(): ((Y - A)**2).sum(axis=1) is the squared length of each "
    "row, .mean() averages over the rows, and 0.5 halves it.",
    step="(Y - A) ** 2 squares every entry; .sum(axis=1) adds along each row, giving the squared "
         "length of each row's y − a. Then the mean over the rows, and half of it.",
)
BOWL_GRADIENT_HINT = Hint(
    "bowl_gradient",
    "treat v2 as a constant to get ∂C/∂v1, and v1 as a constant to get ∂C/∂v2; the gradient is the "
    "array of the two.",
    "∂C/∂v1 = 2 v1 and ∂C/∂v2 = 8 v2 (the derivative of 4 v2² is 4 · 2 v2): "
    "return np.array([2 * v[0], 8 * v[1]]).",
    step="C = v1² + 4 v2². The derivative of v1² is 2 v1; of 4 v2², 4 times the derivative of v2². "
         "Return both as one NumPy array, ∂C/∂v1 first.",
)
DESCENT_STEP_HINT = Hint(
    "descent_step",
    "the new point is the old one moved against the gradient, by a step η times as long.",
    "one line: return v - eta * gradient (NumPy does it for every entry at once, and makes a new array).",
    step="the gradient points uphill, so subtract: the new v is v minus eta times the gradient. "
         "Return a new array; leave v as it was.",
)
MINIBATCH_HINT = Hint(
    "minibatch_indices",
    "shuffle the numbers 0..n−1 once, with the generator you are given, then cut the shuffled order into "
    "pieces of mini_batch_size (the last piece holds what is left over).",
    "order = rng.permutation(n); return [order[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)].",
    step="rng.permutation(n) is the shuffled order, drawn once; then slices of it: "
         "order[0:mini_batch_size], order[mini_batch_size:2 * mini_batch_size], and so on up to n.",
)


def quadratic_cost(learner) -> None:
    """Exercise 1: C = 1/(2n) sum_x ||y(x) - a||^2 over n examples (one per row of A, Y)."""
    # Four examples with three outputs each: every common slip gives a different number.
    A = np.array([[0.9, 0.2, 0.1], [0.4, 0.7, 0.2], [0.1, 0.1, 0.6], [0.3, 0.3, 0.3]])
    Y = np.eye(3)[[0, 1, 0, 2]]
    check_function(
        learner,
        descent.quadratic_cost,
        [
            {"A": A, "Y": Y},
            {"A": np.array([[0.5, 0.5, 0.5]]), "Y": np.array([[0.0, 1.0, 0.0]])},
            {"A": np.full((4, 10), 0.1), "Y": np.eye(10)[[3, 1, 4, 1]]},
            {"A": np.eye(10)[[2, 7]], "Y": np.eye(10)[[2, 7]]},
        ],
        name="quadratic_cost",
        hint=QUADRATIC_COST_HINT,
        slips=[
            (lambda A, Y: ((Y - A) ** 2).sum(axis=1).mean(),
             "your answer is twice too big: did you forget the 1/2 in front of the sum?"),
            (lambda A, Y: 0.5 * ((Y - A) ** 2).sum(),
             "your answer is n times too big: sum over the examples, then divide by n "
             "(the number of rows) to get the average."),
            (lambda A, Y: 0.5 * np.mean((Y - A) ** 2),
             "you divided by the number of all the numbers (n × outputs), as np.mean(...) "
             "over the whole array does. Sum the squares along each row first "
             "(axis=1), then average over the n rows."),
            (lambda A, Y: np.mean((Y - A) ** 2),
             "this is np.mean((Y - A)**2), what libraries call the mean squared error: it averages "
             "over every single number and has no 1/2. The course's quadratic cost C sums the squares "
             "along each row, averages over the rows, and halves."),
            (lambda A, Y: 0.5 * ((Y - A) ** 2).sum(axis=1),
             "one cost per example. C is one number: the average of these over the n rows (.mean())."),
            (lambda A, Y: 0.5 * np.linalg.norm(Y - A, axis=1).mean(),
             "||y - a||² is the *squared* length: sum the squares of the "
             "differences and do not take the square root."),
        ],
        said="`quadratic_cost(A, Y)` gave {got} instead of {expected}: ",
    )


# Test points where every slip below gives a different answer (at v = (1, 1) the cost terms
# (v1², 4 v2²) and the half gradient (v1, 4 v2) would both be (1, 4)).
BOWL_POINTS = [np.array([3.0, -2.0]), np.array([-4.0, 1.5]), np.array([0.5, 0.25]), np.array([0.0, 0.0])]


def bowl_gradient(learner) -> None:
    """Exercise 2: the gradient (2 v1, 8 v2) of the bowl C(v1, v2) = v1^2 + 4 v2^2."""
    first = {"v": BOWL_POINTS[0].copy()}
    got = call_learner(learner, first, name="bowl_gradient", hint=BOWL_GRADIENT_HINT, reference=descent.bowl_gradient)
    if not isinstance(got, str | bytes) and np.ndim(got) == 0:
        raise ExerciseFailed(f"`bowl_gradient(v=[3., -2.])` returned one number, {describe(got)}. The gradient "
                             "has one entry per variable: return np.array([∂C/∂v1, ∂C/∂v2]).")
    check_function(
        learner,
        descent.bowl_gradient,
        [{"v": v} for v in BOWL_POINTS],
        name="bowl_gradient",
        hint=BOWL_GRADIENT_HINT,
        slips=[
            (lambda v: np.array([v[0] ** 2, 4 * v[1] ** 2]),
             "those are the two terms of the cost itself, v1² and 4 v2², not their slopes. The gradient "
             "holds the derivatives: the derivative of v1² is 2 v1."),
            (lambda v: np.array([v[0], 4 * v[1]]),
             "that is half the right answer in both directions: the derivative of v² is 2v, "
             "so don't forget the 2."),
            (lambda v: np.array([2 * v[0], 2 * v[1]]),
             "the first number is right, the second is not: C has 4 v2², and the derivative "
             "of 4 v2² is 4 · 2 v2 = 8 v2."),
            (lambda v: np.array([2 * v[0], 4 * v[1]]),
             "the first number is right, the second is half of it: the derivative of 4 v2² is "
             "4 · 2 v2 = 8 v2."),
            (lambda v: np.array([8 * v[1], 2 * v[0]]),
             "the two numbers are swapped: the first is ∂C/∂v1 = 2 v1, the second ∂C/∂v2 = 8 v2."),
            (lambda v: np.array([v[0], 8 * v[1]]),
             "the first number should be ∂C/∂v1 = 2 v1 (the derivative of v1² is 2 v1)."),
            (lambda v: np.array([-2 * v[0], -8 * v[1]]),
             "the signs are flipped: the gradient points uphill, the way C grows. (Going downhill, "
             "against it, is the next exercise.)"),
        ],
    )


def descent_step(learner) -> None:
    """Exercise 3: one step of gradient descent, v' = v - eta * gradient, as a new array."""
    check_function(
        learner,
        descent.descent_step,
        [
            {"v": np.array([1.0, 2.0]), "gradient": np.array([0.5, -1.0]), "eta": 0.1},
            {"v": np.array([-4.0, 1.5]), "gradient": np.array([-8.0, 12.0]), "eta": 0.01},
            {"v": np.array([3.0]), "gradient": np.array([6.0]), "eta": 0.5},
            {"v": np.zeros(5), "gradient": np.arange(5.0), "eta": 2.0},
        ],
        name="descent_step",
        hint=DESCENT_STEP_HINT,
        slips=[
            (lambda v, gradient, eta: v + eta * gradient,
             "you stepped *uphill*: the gradient points the way C increases fastest, "
             "so subtract it (v - eta * gradient)."),
            (lambda v, gradient, eta: v - gradient,
             "the step has the full length of the gradient: multiply it by the learning rate eta."),
            (lambda v, gradient, eta: -eta * gradient, "that is the change Δv, not the new point: add it to v."),
            (lambda v, gradient, eta: eta * gradient,
             "that is η times the gradient, not the new point: the new point is v - eta * gradient."),
        ],
        unchanged=("v", "gradient"),
        changed_hint="That is what `v -= ...` (or `v[...] = ...`) does: it writes into the caller's array, "
        "the lesson of `learning_step` in notebook 02. Here `gradient_descent` (shown after the exercise) "
        "keeps every point of the path with `path.append(v)` to draw it, and each point would silently "
        "turn into the newest one.\nHint: "
        "`return v - eta * gradient`: `-` makes a new array.",
    )


def _batches(n: int, mini_batch_size: int, seed: int) -> dict:
    return {"n": n, "mini_batch_size": mini_batch_size, "rng": np.random.default_rng(seed)}


def _as_batches(got, shown: str) -> list[np.ndarray]:
    """The learner's mini-batches as a list of arrays (a generator is read once, here), or
    ExerciseFailed saying what came back instead."""
    if isinstance(got, str | bytes | dict | set | frozenset):
        raise ExerciseFailed(f"{shown} returned {kind_of(got)}: return a list of index arrays, one per "
                             "mini-batch (for example [array([3, 0, 7]), array([5, 1, 9]), ...]).")
    try:
        batches = [np.asarray(batch) for batch in got]
    except TypeError:
        raise ExerciseFailed(f"{shown} returned {kind_of(got)}: return a list of index arrays, one per "
                             "mini-batch.") from None
    if any(batch.ndim != 1 for batch in batches):
        raise ExerciseFailed(f"{shown} returned {kind_of(got)}: each mini-batch should be a flat array of "
                             "indices, like order[0:3].")
    return batches


def minibatch_indices(learner) -> None:
    """Exercise 4: shuffle 0..n-1 with the given rng and cut into mini-batches.

    A generator of mini-batches (``yield order[k:k + size]``) is fine too: every answer is
    read once, into a list, before it is looked at."""
    name = "minibatch_indices"

    def batches_for(n, size, seed, shown):
        got = call_learner(learner, _batches(n, size, seed=seed), name=name,
                           shown=f"n={n}, mini_batch_size={size}, rng", hint=MINIBATCH_HINT,
                           reference=descent.mini_batches)
        return _as_batches(got, shown)

    for n, size in [(10, 3), (50, 10), (7, 7), (100, 8)]:
        shown = f"`{name}(n={n}, mini_batch_size={size}, rng)`"
        batches = batches_for(n, size, 5, shown)
        expected_sizes = [size] * (n // size) + ([n % size] if n % size else [])
        sizes = [batch.size for batch in batches]
        if sizes != expected_sizes:
            raise ExerciseFailed(
                f"{shown} returned mini-batches of sizes {sizes}; expected {expected_sizes}.\n"
                f"Hint: {hint_text(MINIBATCH_HINT)}"
            )
        flat = np.concatenate(batches) if batches else np.array([])
        if not np.issubdtype(flat.dtype, np.integer):
            raise ExerciseFailed(f"{shown}: the mini-batches should hold whole-number indices, got dtype {flat.dtype}.")
        if sorted(flat.tolist()) != list(range(n)):
            raise ExerciseFailed(
                f"{shown}: every index 0..{n - 1} must appear in exactly one mini-batch, but some are "
                "missing or repeated.\nHint: shuffle once with order = rng.permutation(n), then cut "
                "`order` into pieces (drawing each mini-batch at random separately repeats examples)."
            )
        if n >= 50 and flat.tolist() == list(range(n)):
            raise ExerciseFailed(
                f"{shown}: the indices come out in order 0, 1, 2, ...: shuffle them first with "
                "order = rng.permutation(n), so that each mini-batch is a random sample."
            )
    shown = f"`{name}(n=100, mini_batch_size=8, rng)`"
    first = batches
    again = batches_for(100, 8, 5, shown)
    other = batches_for(100, 8, 6, shown)
    if any(not np.array_equal(x, y) for x, y in zip(first, again)):
        raise ExerciseFailed(
            f"`{name}` gave different mini-batches for two generators made with the same seed: it must draw "
            "its random numbers from the `rng` it is given (rng.permutation(n)), not from np.random."
        )
    if all(np.array_equal(x, y) for x, y in zip(first, other)):
        raise ExerciseFailed(
            f"`{name}` gave the same mini-batches for generators with different seeds: shuffle with the "
            "`rng` it is given (rng.permutation(n)) rather than a generator of your own."
        )
    praise(f"`{name}` is correct: every index exactly once, shuffled with the given rng, "
           "in mini-batches of the right sizes.")


# An exercise not begun gets a kind "not done yet" and the course's answer stands in for it.
kindly_all(globals())
