"""Self-checks for the exercises of notebook 10, "The same job in a framework's style"."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

from helpers.activations import ReLU, relu
from helpers.activations import softmax as course_softmax
from helpers.checks import ExerciseFailed, call_learner, check_function, describe
from helpers.optimizers import Adam


@contextlib.contextmanager
def _warnings_as_errors():
    """Any NumPy warning inside (overflow, 0/0) becomes an error that the check reports."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            yield


@contextlib.contextmanager
def _quiet():
    """For computing a slip's wrong answer: its overflow is expected, not the learner's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


# ----------------------------------------------------------------- Exercise 1: softmax

SOFTMAX_HINT = (
    "e = np.exp(z - z.max(axis=1, keepdims=True)), then e / e.sum(axis=1, keepdims=True). Every row "
    "is one example: its own largest z is subtracted, and its own sum divides it (keepdims=True "
    "keeps the result a column, so it lines up with the rows)."
)
OVERFLOW = (
    "np.exp(1000) overflows: it is larger than any float (the limit is about e^709), so the "
    "answer becomes inf / inf = NaN. Subtract each row's largest z first: softmax(z - c) = "
    "softmax(z) for any number c, and with c = the row's max every exponent is <= 0."
)
GLOBAL_MAX = (
    "z = [[1000, 999], [0, 1]] needs each row's own max subtracted, z.max(axis=1, keepdims=True). "
    "The largest z of the *whole* array (1000) leaves the second row at e^(-1000) = 0 for both "
    "entries, and 0/0 is NaN; z.max(axis=1) without keepdims=True is subtracted column by column "
    "instead of row by row, and e^998 overflows."
)


def _softmax_cases() -> list[dict]:
    rng = np.random.default_rng(10)
    return [
        {"z": np.array([[1.0, 2.0, 3.0]])},
        {"z": np.array([[0.0, 0.0], [1.0, -1.0], [3.0, 3.0]])},
        {"z": np.array([[1000.0, 0.0, -5.0], [-1000.0, -999.0, -1001.0]])},
        {"z": rng.normal(0, 3, (5, 10))},
    ]


def softmax(learner) -> None:
    """Exercise 2: ``softmax(z)`` for each row of z, without overflow at z = 1000."""
    for case, message in (({"z": np.array([[1000.0, 0.0, -5.0]])}, OVERFLOW),
                          ({"z": np.array([[1000.0, 999.0], [0.0, 1.0]])}, GLOBAL_MAX)):
        with _warnings_as_errors():
            got = call_learner(learner, case, name="softmax", error_hints={RuntimeWarning: message}, hint=SOFTMAX_HINT)
        if not np.all(np.isfinite(np.asarray(got, dtype=float))):
            raise ExerciseFailed(f"`softmax(z={describe(case['z'])})` returned {describe(got)}: {message}")

    def columns(z):
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    with _warnings_as_errors():
        check_function(
            learner, course_softmax, _softmax_cases(), name="softmax", hint=SOFTMAX_HINT,
            slips=[
                (lambda z: _with(_quiet, columns, z),
                 "each *column* adds up to 1, not each row. Here a row is one example (ten logits of one "
                 "digit), so take the max and the sum along axis=1."),
                (lambda z: _with(_quiet, lambda z: np.exp(z - z.max(axis=1, keepdims=True)), z),
                 "the exponentials are right, but they do not add up to 1: divide each row by its sum."),
            ],
            atol=1e-9,
        )


def _with(context, function, *args):
    with context():
        return function(*args)


# ----------------------------------------------------------------- Exercise 2: ReLU backward

def _relu_backward(z, g):
    return ReLU.backward(z, relu(z), g)


def _relu_cases() -> list[dict]:
    rng = np.random.default_rng(11)
    return [
        {"z": np.array([[-2.0, -0.5, 0.5, 2.0]]), "g": np.array([[1.0, 1.0, 1.0, 1.0]])},
        {"z": np.array([[3.0, -1.0], [-4.0, 0.25]]), "g": np.array([[0.5, -2.0], [7.0, -3.0]])},
        {"z": np.array([[0.0, 1.0, -1.0]]), "g": np.array([[5.0, 5.0, 5.0]])},
        {"z": rng.normal(0, 1, (4, 6)), "g": rng.normal(0, 1, (4, 6))},
    ]


def relu_backward(learner) -> None:
    """Exercise 1: ``relu_backward(z, g)``: dC/dz = g * ReLU'(z), with ReLU'(z) = 1 for z > 0, else 0."""
    check_function(
        learner, _relu_backward, _relu_cases(), name="relu_backward",
        hint="ReLU(z) = max(0, z) has slope 1 where z > 0 and slope 0 where z < 0, so dC/dz = g where "
        "z > 0 and 0 elsewhere: g * (z > 0).",
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
        ],
        atol=1e-12,
    )


# ----------------------------------------------------------------- Exercise 3: one Adam step

def _course_adam(p, g, m, v, t, eta, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """The course's Adam, started from the state (m, v) after t - 1 steps, taking step t."""
    adam = Adam(beta1, beta2, epsilon)
    p, m, v = np.array(p, dtype=float), np.array(m, dtype=float), np.array(v, dtype=float)
    adam.m, adam.v, adam.t = [m], [v], t - 1
    adam.update([p], [np.array(g, dtype=float)], [0.0], eta)
    return p, m, v


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
    ]


def adam_update(learner) -> None:
    """Exercise 3: ``adam_update(p, g, m, v, t, eta)``: one Adam step, returning the new (p, m, v)."""
    check_function(
        learner, _course_adam, _adam_cases(), name="adam_update", parts=("p", "m", "v"),
        hint="m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) * g**2; m_hat = m / (1 - beta1**t); "
        "v_hat = v / (1 - beta2**t); p = p - eta * m_hat / (np.sqrt(v_hat) + epsilon); return p, m, v.",
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
        ],
        atol=1e-9,
        rtol=1e-6,
    )


__all__ = ["softmax", "relu_backward", "adam_update", "ExerciseFailed"]
