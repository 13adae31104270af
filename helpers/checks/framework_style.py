"""Self-checks for the exercises of notebook 10, "The same job in a framework's style"."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

from helpers.activations import ReLU, relu
from helpers.activations import softmax as course_softmax
from helpers.checks import (ExerciseFailed, Hint, call_learner, check_function, describe, kindly_all,  # noqa: F401
                            recipe, solution, warnings_as_errors)



@contextlib.contextmanager
def _quiet():
    """For computing a slip's wrong answer: its overflow is expected, not the learner's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


# ----------------------------------------------------------------- Exercise 2: softmax

SOFTMAX_HINT = Hint(
    "my_softmax",
    "work row by row (one example per row): subtract the row's largest z, take np.exp, and divide by the "
    "row's sum. keepdims=True keeps a row's max or sum as a column, so that it lines up with the rows.",
    "e = np.exp(z - z.max(axis=1, keepdims=True)), then e / e.sum(axis=1, keepdims=True). Every row "
    "is one example: its own largest z is subtracted, and its own sum divides it (keepdims=True "
    "keeps the result a column, so it lines up with the rows).",
    step="the equation, row by row: softmax(z)_j = e^(z_j - c) / sum_k e^(z_k - c), with c the row's largest "
         'z, z.max(axis=1, keepdims=True).',
)
OVERFLOW = (
    "np.exp(1000) overflows: it is larger than any float (the limit is about e^709), so the "
    "answer becomes inf / inf = NaN. Subtract each row's largest z first: softmax(z - c) = "
    "softmax(z) for any number c, and with c = the row's max every exponent is <= 0."
)
GLOBAL_MAX = (
    "z = [[1000, 999], [0, 1]] needs each row's own max subtracted, z.max(axis=1, keepdims=True). Any "
    "other max goes wrong here: the largest z of the whole array, or of each column (axis=0), is 1000 or "
    "999 for the second row too, which leaves it at e^(-1000) = 0 for both entries, and 0/0 is NaN; "
    "z.max(axis=1) without keepdims=True is subtracted column by column instead of row by row."
)


def _softmax_cases() -> list[dict]:
    rng = np.random.default_rng(10)
    return [
        {"z": np.array([[1.0, 2.0, 3.0]])},
        {"z": np.array([[0.0, 0.0], [1.0, -1.0], [3.0, 3.0]])},
        {"z": np.array([[1000.0, 0.0, -5.0], [-1000.0, -999.0, -1001.0]])},
        {"z": rng.normal(0, 3, (5, 10))},
    ]


def _columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


SOFTMAX_SLIPS = [
    (lambda z: _with(_quiet, _columns, z),
     "each *column* adds up to 1, not each row. Here a row is one example (ten logits of one "
     "digit), so take the max and the sum along axis=1."),
    (lambda z: _with(_quiet, lambda z: (lambda e: e / e.sum(axis=0, keepdims=True))(
        np.exp(z - z.max(axis=1, keepdims=True))), z),
     "the max is subtracted row by row, as it should be, but the sum runs down the columns "
     "(axis=0): each row must be divided by its own sum, e.sum(axis=1, keepdims=True)."),
    (lambda z: _with(_quiet, lambda z: np.exp(z - z.max(axis=1, keepdims=True)), z),
     "the exponentials are right, but they do not add up to 1: divide each row by its sum."),
    (lambda z: _with(_quiet, lambda z: (lambda e: e / e.sum())(np.exp(z - z.max(axis=1, keepdims=True))), z),
     "the whole array adds up to 1, not each row: divide by each row's own sum, "
     "e.sum(axis=1, keepdims=True)."),
]


def _known_softmax_slip(learner) -> str | None:
    """A slip recognised on small logits, where nothing can overflow: so that a sum down the
    columns is not told about overflow when the huge case's 0/0 is where it first shows."""
    z = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
    try:
        with _quiet():
            got = np.asarray(learner(z.copy()), dtype=float)
    except Exception:  # noqa: BLE001 -- the check's own message follows
        return None
    for slip, message in SOFTMAX_SLIPS:
        expected = slip(z.copy())
        if got.shape == expected.shape and np.allclose(got, expected, atol=1e-9):
            return message
    return None


def softmax(learner) -> None:
    """Exercise 2: ``my_softmax(z)``, the softmax of each row of z, without overflow at z = 1000."""
    for case, message in (({"z": np.array([[1000.0, 0.0, -5.0]])}, OVERFLOW),
                          ({"z": np.array([[1000.0, 999.0], [0.0, 1.0]])}, GLOBAL_MAX)):
        try:
            with warnings_as_errors():
                got = call_learner(learner, case, name="my_softmax", error_hints={RuntimeWarning: message},
                                   hint=SOFTMAX_HINT, reference=course_softmax)
            if not np.all(np.isfinite(np.asarray(got, dtype=float))):
                raise ExerciseFailed(f"`my_softmax(z={describe(case['z'])})` returned {describe(got)}: {message}")
        except ExerciseFailed:
            if (slip := _known_softmax_slip(learner)) is not None:
                raise ExerciseFailed(f"`my_softmax`: {slip}") from None
            raise

    with warnings_as_errors():
        check_function(
            learner, course_softmax, _softmax_cases(), name="my_softmax", hint=SOFTMAX_HINT,
            slips=SOFTMAX_SLIPS,
            unchanged=("z",),
            changed_hint="`z -= z.max(...)` changes the caller's logits (the layer keeps them for the "
            "backward pass): write `z - z.max(axis=1, keepdims=True)`, which makes a new array.",
            atol=1e-9,
        )


def _with(context, function, *args):
    with context():
        return function(*args)


# ----------------------------------------------------------------- Exercise 1: ReLU backward

RELU_BACKWARD_HINT = Hint(
    "relu_backward",
    "the chain rule: dC/dz = dC/da times the slope of ReLU at z. Where is that slope 1, and where 0? A "
    "comparison such as `z > 0` is an array of True/False, which NumPy multiplies as 1/0.",
    "ReLU(z) = max(0, z) has slope 1 where z > 0 and slope 0 where z < 0, so dC/dz = g where "
    "z > 0 and 0 elsewhere: g * (z > 0).",
    step="ReLU's slope is 1 where z > 0 and 0 elsewhere; the chain rule multiplies g by that slope.",
)

def _relu_backward(z, g):
    return ReLU.backward(z, relu(z), g)


def _relu_cases() -> list[dict]:
    rng = np.random.default_rng(11)
    return [
        {"z": np.array([[-2.0, -0.5, 0.5, 2.0]]), "g": np.array([[1.0, 2.0, 0.5, -1.0]])},
        {"z": np.array([[3.0, -1.0], [-4.0, 0.25]]), "g": np.array([[0.5, -2.0], [7.0, -3.0]])},
        {"z": np.array([[0.0, 1.0, -1.0]]), "g": np.array([[5.0, 5.0, 5.0]])},
        {"z": rng.normal(0, 1, (4, 6)), "g": rng.normal(0, 1, (4, 6))},
    ]


def relu_backward(learner) -> None:
    """Exercise 1: ``relu_backward(z, g)``: dC/dz = g * ReLU'(z), with ReLU'(z) = 1 for z > 0, else 0."""
    check_function(
        learner, _relu_backward, _relu_cases(), name="relu_backward", hint=RELU_BACKWARD_HINT,
        unchanged=("z", "g"),
        changed_hint="A backward pass must leave the arrays it is given as they were (the layer keeps Z "
        "for later, and g belongs to the layer after it): return a new array, e.g. `g * (z > 0)`, instead "
        "of writing into g with `g[...] = 0`.",
        slips=[
            (lambda z, g: g * (z < 0),
             "the gradient passes where z < 0 and stops where z > 0: the wrong side. ReLU is flat (slope 0) "
             "for negative z and has slope 1 for positive z, so keep g where z > 0: g * (z > 0)."),
            (lambda z, g: (z > 0) * 1.0,
             "that is ReLU's slope, 1 or 0, but not yet the gradient: multiply by g = dC/da (the chain "
             "rule), g * (z > 0)."),
            (lambda z, g: g * np.maximum(z, 0),
             "you multiplied g by ReLU(z) itself; the chain rule wants its slope, which is 1 (not z) "
             "for z > 0: g * (z > 0)."),
            (lambda z, g: g * (z >= 0),
             "right everywhere except at z = 0 exactly, where you let the gradient through. ReLU has a "
             "corner there; the course (like PyTorch and TensorFlow) takes the slope 0 at z = 0: use z > 0."),
            (lambda z, g: np.maximum(g, 0),
             "you applied ReLU to g. Whether the gradient passes depends on the layer's weighted input z "
             "(slope 1 where z > 0), not on the sign of g: g * (z > 0)."),
            (lambda z, g: z * (g > 0),
             "z and g swapped places: the mask comes from z (where the neuron was active, z > 0) and it "
             "lets g through: g * (z > 0)."),
            (lambda z, g: g * z,
             "you multiplied g by z. ReLU's slope is 1 where z > 0 (not z) and 0 elsewhere: g * (z > 0)."),
        ],
        atol=1e-12,
    )


# ----------------------------------------------------------------- Exercise 3: one Adam step

ADAM_HINT = Hint(
    "adam_update",
    "the four lines of the section in their order: first the new running averages m and v (from this g), "
    "then their corrected copies m_hat and v_hat, then the step of p. Return the new p and the "
    "uncorrected m and v, which the next step continues from.",
    "m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) * g**2; m_hat = m / (1 - beta1**t); "
    "v_hat = v / (1 - beta2**t); p = p - eta * m_hat / (np.sqrt(v_hat) + epsilon); return p, m, v.",
    step='the equations in order: m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g**2; then m_hat and '
         'v_hat, each divided by (1 - beta**t); the step of p comes last, with epsilon after the square root.',
)


def _adam_from(averages_first=True, return_hats=False, square=True, sign=-1, swap_betas=False, root_of_abs=True):
    """Slips of one Adam step: m and v updated after the step, m_hat and v_hat returned, g not
    squared (then v can be negative: ``root_of_abs=False`` takes its root as the learner
    would, NaN where it is), a step up the gradient, the betas on the wrong terms."""
    def step(p, g, m, v, t, eta, beta1=0.9, beta2=0.999, epsilon=1e-8):
        def averages(m, v):
            if swap_betas:
                return (1 - beta1) * m + beta1 * g, (1 - beta2) * v + beta2 * (g**2 if square else g)
            return beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * (g**2 if square else g)
        if averages_first:
            m, v = averages(m, v)
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        p = p + sign * eta * m_hat / (np.sqrt(np.abs(v_hat) if root_of_abs else v_hat) + epsilon)
        if not averages_first:
            m, v = averages(m, v)
        return (p, m_hat, v_hat) if return_hats else (p, m, v)
    return step

def _course_adam(p, g, m, v, t, eta, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """One Adam step as the notebook writes it (epsilon after the square root of v_hat),
    from the state (m, v) after t - 1 steps. (The engine's ``Adam`` adds epsilon before
    the bias correction, as Keras does; the two differ only where v_hat is tiny.)"""
    m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * np.asarray(g, dtype=float)
    v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * np.asarray(g, dtype=float) ** 2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return np.asarray(p, dtype=float) - eta * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _adam_slip(correct_m: bool, correct_v: bool, root: bool = True):
    def step(p, g, m, v, t, eta, beta1=0.9, beta2=0.999, epsilon=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t) if correct_m else m
        v_hat = v / (1 - beta2**t) if correct_v else v
        return p - eta * m_hat / ((np.sqrt(v_hat) if root else v_hat) + epsilon), m, v
    return step


def _adam_cases() -> list[dict]:
    rng = np.random.default_rng(12)
    zeros = np.zeros(3)
    return [
        {"p": np.array([1.0, -2.0, 0.5]), "g": np.array([0.5, -1.0, 0.2]), "m": zeros, "v": zeros,
         "t": 1, "eta": 0.01},
        {"p": np.array([1.0, -2.0, 0.5]), "g": np.array([0.3, 0.8, -0.4]), "m": np.array([0.05, -0.1, 0.02]),
         "v": np.array([2.5e-4, 1e-3, 4e-5]), "t": 2, "eta": 0.01},
        {"p": rng.normal(0, 1, (2, 3)), "g": rng.normal(0, 1, (2, 3)), "m": rng.normal(0, 0.1, (2, 3)),
         "v": rng.uniform(0.01, 0.1, (2, 3)), "t": 5, "eta": 0.1},
        {"p": rng.normal(0, 1, 4), "g": rng.normal(0, 1, 4), "m": rng.normal(0, 0.3, 4),
         "v": rng.uniform(0.1, 1, 4), "t": 100, "eta": 0.001},
        # A gradient of 1e-8 (a weight that hardly matters): here epsilon's place shows.
        {"p": np.array([0.5, -0.5]), "g": np.array([1e-8, 0.2]), "m": np.zeros(2), "v": np.zeros(2), "t": 1,
         "eta": 0.01},
    ]


def adam_update(learner) -> None:
    """Exercise 3: ``adam_update(p, g, m, v, t, eta)``: one Adam step, returning the new (p, m, v)."""
    check_function(
        learner, _course_adam, _adam_cases(), name="adam_update", parts=("p", "m", "v"), hint=ADAM_HINT,
        said="`{call}`: ",  # three arrays in a row would be cut off mid-number: the message says what is wrong
        slips=[
            (_adam_slip(False, False),
             "m and v are right, but p moved by the wrong amount: the bias correction is missing. m and v "
             "start at 0, so after t steps they are too small by the factors (1 - beta1**t) and "
             "(1 - beta2**t); divide by them: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t)."),
            (_adam_slip(True, False),
             "m is corrected for its start at 0, but v is not: v_hat = v / (1 - beta2**t) too. (Without it "
             "the first step is sqrt(1 / (1 - 0.999)), about 30 times too long.)"),
            (_adam_slip(False, True),
             "v is corrected for its start at 0, but m is not: m_hat = m / (1 - beta1**t) too. (Without it "
             "the first step is 10 times too short.)"),
            (_adam_slip(True, True, root=False),
             "divide m_hat by the *square root* of v_hat: v is a mean of g**2, and its square root is the "
             "size of a typical g, so the step is about eta whatever the size of the gradient."),
            (_adam_from(averages_first=False),
             "p moved with the old m and v: update m and v with this step's g first, then correct them "
             "and move p (at t = 1, m and v start at 0, so p did not move at all)."),
            (_adam_from(return_hats=True),
             "p is right, but the m and v you returned are the corrected m_hat and v_hat. Return the "
             "running averages themselves: the correction is for this step only, and the next step "
             "continues from the uncorrected m and v."),
            (_adam_from(square=False),
             "v is a running average of g**2, the squared gradient, not of g: v = beta2 * v + (1 - beta2) * g**2."),
            (_adam_from(square=False, root_of_abs=False),  # as written: NaN where g < 0
             "v is a running average of g**2, the squared gradient, not of g: v = beta2 * v + (1 - beta2) * g**2. "
             "(Of g itself, v turns negative where g is, and the square root of a negative number is NaN.)"),
            (_adam_from(sign=+1), "p moved *up* the gradient: subtract the step, p - eta * m_hat / (...)."),
            (_adam_epsilon_inside,
             "epsilon went inside the square root: the step is eta * m_hat / (np.sqrt(v_hat) + epsilon), "
             "epsilon added after the root, as the section writes it. Inside, a tiny gradient (1e-8 here) "
             "takes a step thousands of times too short."),
            (_adam_from(swap_betas=True),
             "beta1 and beta2 weigh the wrong terms: the old average keeps the large share, "
             "m = beta1 * m + (1 - beta1) * g (beta1 = 0.9 of the old m, 0.1 of the new g), and likewise v."),
        ],
        unchanged=("p", "g", "m", "v"),
        changed_hint="Return new arrays instead of changing the ones you were given (`m *= beta1`, "
        "`p -= ...`): the course's own `Adam.update` works in place on purpose, for speed, but this "
        "exercise's function hands back the new p, m and v and leaves the old ones alone.",
        atol=1e-9,
        rtol=1e-6,
    )


def _adam_epsilon_inside(p, g, m, v, t, eta, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return p - eta * m_hat / np.sqrt(v_hat + epsilon), m, v


__all__ = ["softmax", "relu_backward", "adam_update", "ExerciseFailed"]


kindly_all(globals())
