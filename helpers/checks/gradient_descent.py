"""Self-checks for the exercises of notebook 05, "Learning by gradient descent".

Where a mistake is common (a missing 1/2, a step uphill), the check recognises it and
says so in words, instead of only showing two different numbers.
"""

from __future__ import annotations

import numpy as np

from helpers.lessons import gradient_descent as descent
from helpers.checks import ExerciseFailed, call_learner, check_function, describe


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
        hint="for each row compute the squared length ((Y - A)**2).sum(axis=1), then take the "
        "mean over the rows and halve it.",
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
             "this is np.mean((Y - A)**2): it averages over every number and has no 1/2. "
             "Sum the squares along each row, average over rows, and halve."),
            (lambda A, Y: 0.5 * np.linalg.norm(Y - A, axis=1).mean(),
             "||y - a||² is the *squared* length: sum the squares of the "
             "differences and do not take the square root."),
        ],
        said="`quadratic_cost(A, Y)` gave {got} instead of {expected}: ",
    )


def bowl_gradient(learner) -> None:
    """Exercise 2: the gradient (2 v1, 8 v2) of the bowl C(v1, v2) = v1^2 + 4 v2^2."""
    got = call_learner(learner, {"v": np.array([1.0, 1.0])}, name="bowl_gradient")
    if np.ndim(got) == 0:
        raise ExerciseFailed(f"`bowl_gradient(v=[1, 1])` returned one number, {describe(got)}. The gradient "
                             "has one entry per variable: return np.array([dC/dv1, dC/dv2]).")
    check_function(
        learner,
        descent.bowl_gradient,
        [{"v": np.array([1.0, 1.0])}, {"v": np.array([-4.0, 1.5])}, {"v": np.array([0.0, 0.0])},
         {"v": np.array([0.5, -2.0])}],
        name="bowl_gradient",
        hint="treat v2 as a constant to get dC/dv1, and v1 as a constant to get dC/dv2; "
        "return np.array([dC/dv1, dC/dv2]).",
        slips=[
            (lambda v: np.array([v[0], 4 * v[1]]),
             "that is half the right answer in both directions: the derivative of v² is 2v, "
             "so don't forget the 2."),
            (lambda v: np.array([2 * v[0], 2 * v[1]]),
             "the first number is right, the second is not: C has 4 v2², and the derivative "
             "of 4 v2² is 4 · 2 v2 = 8 v2."),
            (lambda v: np.array([8 * v[1], 2 * v[0]]),
             "the two numbers are swapped: the first is dC/dv1 = 2 v1, the second dC/dv2 = 8 v2."),
            (lambda v: np.array([v[0], 8 * v[1]]),
             "the first number should be dC/dv1 = 2 v1 (the derivative of v1² is 2 v1)."),
        ],
    )


def descent_step(learner) -> None:
    """Exercise 3: one step of gradient descent, v' = v - eta * gradient."""
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
        hint="one line: return v - eta * gradient (NumPy does it for every entry at once).",
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
    )


def _batches(n: int, mini_batch_size: int, seed: int) -> dict:
    return {"n": n, "mini_batch_size": mini_batch_size, "rng": np.random.default_rng(seed)}


def minibatch_indices(learner) -> None:
    """Exercise 4: shuffle 0..n-1 with the given rng and cut into mini-batches."""
    name = "minibatch_indices"
    for n, size in [(10, 3), (50, 10), (7, 7), (100, 8)]:
        shown = f"`{name}(n={n}, mini_batch_size={size}, rng)`"
        got = call_learner(learner, _batches(n, size, seed=5), name=name)
        try:
            batches = [np.asarray(batch) for batch in got]
        except TypeError:
            raise ExerciseFailed(f"{shown} returned {describe(got)}: return a list of index arrays, "
                                 "one per mini-batch.") from None
        expected_sizes = [size] * (n // size) + ([n % size] if n % size else [])
        sizes = [batch.size for batch in batches]
        if sizes != expected_sizes:
            raise ExerciseFailed(
                f"{shown} returned mini-batches of sizes {sizes}; expected {expected_sizes}.\n"
                "Hint: cut the shuffled indices with order[k:k + mini_batch_size] for k in "
                "range(0, n, mini_batch_size); the last mini-batch holds what is left over."
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
    again = [np.asarray(b) for b in call_learner(learner, _batches(100, 8, seed=5), name=name)]
    other = [np.asarray(b) for b in call_learner(learner, _batches(100, 8, seed=6), name=name)]
    first = [np.asarray(b) for b in got]
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
    print(f"✅ `{name}` is correct: every index exactly once, shuffled with the given rng, "
          "in mini-batches of the right sizes.")
