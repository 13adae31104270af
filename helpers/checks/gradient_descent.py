"""Self-checks for the exercises of notebook 05, "Learning by gradient descent".

Where a mistake is common (a missing 1/2, a step uphill), the check recognises it and
says so in words, instead of only showing two different numbers.
"""

from __future__ import annotations

import numpy as np

from helpers.lessons import gradient_descent as descent
from helpers.checks import ExerciseFailed, call_learner, check_function, describe, raised_by_the_call


def _call(learner, name: str, **kwargs):
    """Call the learner's function, turning its errors into a message for the learner.

    The same rule as ``check_function``: by name when the learner's parameters have the
    exercise's names, else by position, so a learner who renamed a parameter is not
    punished for it; a wrong number of parameters is explained.
    """
    if not callable(learner):
        raise ExerciseFailed(f"`{name}` should be a function, but it is {describe(learner)}.")
    shown = ", ".join(f"{k}={describe(v)}" for k, v in kwargs.items())
    try:
        got = call_learner(learner, kwargs)
    except NotImplementedError:
        raise ExerciseFailed(f"`{name}` is not written yet: replace the `raise NotImplementedError` line.") from None
    except TypeError as err:
        if "positional argument" in str(err) and raised_by_the_call(err):  # the call itself failed
            raise ExerciseFailed(
                f"`{name}` should take {len(kwargs)} input(s), ({', '.join(kwargs)}), but calling it that way "
                f"failed: {err}. Keep the `def` line as the exercise gives it."
            ) from None
        raise ExerciseFailed(f"Calling `{name}({shown})` raised TypeError: {err}") from None
    except Exception as err:
        raise ExerciseFailed(f"Calling `{name}({shown})` raised {type(err).__name__}: {err}") from None
    if got is None:
        raise ExerciseFailed(f"`{name}({shown})` returned None: did you forget `return`?")
    return got


def _matches(got, value) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(value) and np.allclose(got, value, rtol=1e-6, atol=1e-9)


def quadratic_cost(learner) -> None:
    """Exercise 1: C = 1/(2n) sum_x ||y(x) - a||^2 over n examples (one per row of A, Y)."""
    # Four examples with three outputs each: every common slip gives a different number.
    A = np.array([[0.9, 0.2, 0.1], [0.4, 0.7, 0.2], [0.1, 0.1, 0.6], [0.3, 0.3, 0.3]])
    Y = np.eye(3)[[0, 1, 0, 2]]
    n, outputs = A.shape
    right = descent.quadratic_cost(A, Y)
    got = _call(learner, "quadratic_cost", A=A.copy(), Y=Y.copy())
    squared = ((Y - A) ** 2).sum(axis=1)
    slips = [
        (2 * right, "your answer is twice too big: did you forget the 1/2 in front of the sum?"),
        (n * right, "your answer is n times too big: sum over the examples, then divide by n "
                    "(the number of rows) to get the average."),
        (right / outputs, "you divided by the number of all the numbers (n × outputs), as np.mean(...) "
                          "over the whole array does. Sum the squares along each row first "
                          "(axis=1), then average over the n rows."),
        (2 * right / outputs, "this is np.mean((Y - A)**2): it averages over every number and has no 1/2. "
                              "Sum the squares along each row, average over rows, and halve."),
        (np.sqrt(squared).sum() / (2 * n), "||y - a||² is the *squared* length: sum the squares of the "
                                           "differences and do not take the square root."),
    ]
    if not _matches(got, right):
        for value, message in slips:
            if _matches(got, value):
                raise ExerciseFailed(f"`quadratic_cost(A, Y)` gave {describe(float(got))} instead of "
                                     f"{describe(right)}: {message}")
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
    )


def bowl_gradient(learner) -> None:
    """Exercise 2: the gradient (2 v1, 8 v2) of the bowl C(v1, v2) = v1^2 + 4 v2^2."""
    v = np.array([1.0, 1.0])
    got = _call(learner, "bowl_gradient", v=v.copy())
    slips = [
        ([1.0, 4.0], "that is half the right answer in both directions: the derivative of v² is 2v, "
                     "so don't forget the 2."),
        ([2.0, 2.0], "the first number is right, the second is not: C has 4 v2², and the derivative "
                     "of 4 v2² is 4 · 2 v2 = 8 v2."),
        ([8.0, 2.0], "the two numbers are swapped: the first is dC/dv1 = 2 v1, the second dC/dv2 = 8 v2."),
        ([1.0, 8.0], "the first number should be dC/dv1 = 2 v1 (the derivative of v1² is 2 v1)."),
    ]
    if not _matches(got, [2.0, 8.0]):
        if np.ndim(got) == 0:
            raise ExerciseFailed(f"`bowl_gradient(v=[1, 1])` returned one number, {describe(got)}. The gradient "
                                 "has one entry per variable: return np.array([dC/dv1, dC/dv2]).")
        for value, message in slips:
            if _matches(got, value):
                raise ExerciseFailed(f"`bowl_gradient(v=[1, 1])` returned {describe(np.asarray(got))}: {message}")
    check_function(
        learner,
        descent.bowl_gradient,
        [{"v": np.array([1.0, 1.0])}, {"v": np.array([-4.0, 1.5])}, {"v": np.array([0.0, 0.0])},
         {"v": np.array([0.5, -2.0])}],
        name="bowl_gradient",
        hint="treat v2 as a constant to get dC/dv1, and v1 as a constant to get dC/dv2; "
        "return np.array([dC/dv1, dC/dv2]).",
    )


def descent_step(learner) -> None:
    """Exercise 3: one step of gradient descent, v' = v - eta * gradient."""
    v, gradient, eta = np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.1
    got = _call(learner, "descent_step", v=v.copy(), gradient=gradient.copy(), eta=eta)
    slips = [
        (v + eta * gradient, "you stepped *uphill*: the gradient points the way C increases fastest, "
                             "so subtract it (v - eta * gradient)."),
        (v - gradient, "the step has the full length of the gradient: multiply it by the learning rate eta."),
        (-eta * gradient, "that is the change Δv, not the new point: add it to v."),
        (eta * gradient, "that is η times the gradient, not the new point: the new point is v - eta * gradient."),
    ]
    if not _matches(got, v - eta * gradient):
        for value, message in slips:
            if _matches(got, value):
                raise ExerciseFailed(f"`descent_step(v={describe(v)}, gradient={describe(gradient)}, eta={eta})` "
                                     f"returned {describe(np.asarray(got))}: {message}")
    check_function(
        learner,
        descent.descent_step,
        [
            {"v": v, "gradient": gradient, "eta": eta},
            {"v": np.array([-4.0, 1.5]), "gradient": np.array([-8.0, 12.0]), "eta": 0.01},
            {"v": np.array([3.0]), "gradient": np.array([6.0]), "eta": 0.5},
            {"v": np.zeros(5), "gradient": np.arange(5.0), "eta": 2.0},
        ],
        name="descent_step",
        hint="one line: return v - eta * gradient (NumPy does it for every entry at once).",
    )


def minibatch_indices(learner) -> None:
    """Exercise 4: shuffle 0..n-1 with the given rng and cut into mini-batches."""
    name = "minibatch_indices"
    for n, size in [(10, 3), (50, 10), (7, 7), (100, 8)]:
        shown = f"`{name}(n={n}, mini_batch_size={size}, rng)`"
        got = _call(learner, name, n=n, mini_batch_size=size, rng=np.random.default_rng(5))
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
    again = [np.asarray(b) for b in _call(learner, name, n=100, mini_batch_size=8, rng=np.random.default_rng(5))]
    other = [np.asarray(b) for b in _call(learner, name, n=100, mini_batch_size=8, rng=np.random.default_rng(6))]
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
