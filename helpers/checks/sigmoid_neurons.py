"""Self-checks for the exercises of notebook 03, "Sigmoid neurons"."""

from __future__ import annotations

import contextlib
import io

import numpy as np

from helpers import activations
from helpers.lessons import sigmoid_neurons as sigmoid_neuron
from helpers.checks import (ExerciseFailed, Hint, call_learner, check_function, describe, kindly_all, praise,
                            warnings_as_errors)
from helpers.checks import recipe, solution  # noqa: F401  (`check.recipe("stable_sigmoid")` in the notebook)
from helpers.source import names_used


NEURON_OUTPUT_HINT = Hint(
    "neuron_output",
    "the same weighted input z as a perceptron's, then the smooth σ instead of the step. The answer is "
    "one number between 0 and 1.",
    "z = np.dot(w, x) + b (don't forget the bias); return sigmoid(z).",
    step="z = np.dot(w, x) + b, exactly as in the perceptron; only the last step changes: the "
         "course's sigmoid of z instead of 0 or 1.",
)
SIGMOID_PRIME_HINT = Hint(
    "sigmoid_prime",
    "σ'(z) = σ(z) (1 − σ(z)): compute σ(z) once with the course's sigmoid (which never overflows) and "
    "build the slope from it. At z = 0 the answer is 1/2 · 1/2 = 0.25.",
    "s = sigmoid(z); return s * (1 - s). np.exp(-z) / (1 + np.exp(-z))**2 is right on paper but "
    "overflows at z = -1000; with np.abs(z) in place of z (the course's form) it never does.",
    step="s = sigmoid(z) with the course's sigmoid; the slope is built from s alone, with the "
         "formula σ'(z) = σ(z) (1 − σ(z)).",
)


def neuron_output(learner) -> None:
    """Exercise 1: the output σ(w·x + b) of a sigmoid neuron."""
    check_function(
        learner,
        sigmoid_neuron.sigmoid_neuron_output,
        [
            {"x": np.array([1.0, 0.0, 1.0]), "w": np.array([0.6, -0.4, -0.5]), "b": 0.0},
            {"x": np.array([0.2, 0.9]), "w": np.array([2.0, -1.0]), "b": 0.5},
            {"x": np.array([0.0, 0.0]), "w": np.array([3.0, 3.0]), "b": -1.5},
            {"x": np.array([0.5, 0.25, 1.0, 0.75]), "w": np.array([1.0, -2.0, 0.5, 4.0]), "b": -2.0},
        ],
        name="neuron_output",
        hint=NEURON_OUTPUT_HINT,
    )


def sigmoid_prime(learner) -> None:
    """Exercise 2: σ'(z) = σ(z) (1 − σ(z)), for numbers and arrays, also far from 0.

    The reference is the course's ``activations.sigmoid_prime``, which computes the same
    value as e^(-|z|) / (1 + e^(-|z|))^2. The test inputs are float64, where the learner's
    σ(z) (1 − σ(z)) agrees with it to about 1e-16, far inside the tolerance 1e-9. (In
    float32 at z = 20 it would not: σ rounds to 1 and σ (1 − σ) to 0, while the slope is
    2e-9; notebook 03 shows that case.)
    """
    with warnings_as_errors():
        check_function(
            learner,
            activations.sigmoid_prime,
            [
                {"z": 0.0},
                {"z": 2.0},
                {"z": -3.0},
                {"z": np.array([-4.0, -0.5, 0.0, 0.5, 4.0])},
                {"z": np.array([-1000.0, 1000.0])},
            ],
            name="sigmoid_prime",
            hint=SIGMOID_PRIME_HINT,
            atol=1e-9,
        )


PREDICTED_CHANGE_HINT = Hint(
    "predicted_change",
    "the prediction is the slope σ'(z) times the change Δz = Σ_j x_j Δw_j + Δb of the weighted input: "
    "both the inputs x_j and the slope belong in the answer.",
    "z = np.dot(w, x) + b; the slope is s = sigmoid_prime(z). Then ∂a/∂w_j = s * x_j and "
    "∂a/∂b = s, so Δa ≈ s * np.dot(x, dw) + s * db.",
    step="two pieces: the slope s = sigmoid_prime(z) at z = np.dot(w, x) + b, and the change of z, "
         "np.dot(x, dw) + db. The prediction multiplies them.",
)


def predicted_change(learner) -> None:
    """Exercise 3: the linear prediction Δa ≈ Σ_j σ'(z) x_j Δw_j + σ'(z) Δb.

    A natural mistake is to return the real change σ(new z) − σ(old z) instead of the
    prediction: it is close (that is the point of the exercise) but not the same, so it
    gets a message of its own.
    """
    cases = [
        {"x": np.array([1.0, 0.5]), "w": np.array([1.0, 2.0]), "b": -1.9,
         "dw": np.array([0.01, 0.0]), "db": 0.0},
        {"x": np.array([1.0, 0.5]), "w": np.array([1.0, 2.0]), "b": -1.9,
         "dw": np.array([0.0, 0.0]), "db": -0.02},
        {"x": np.array([0.0, 0.8, 0.3]), "w": np.array([0.5, -1.0, 2.0]), "b": 0.4,
         "dw": np.array([0.05, 0.01, -0.02]), "db": 0.01},
        {"x": np.array([0.9, 0.1, 0.4]), "w": np.array([3.0, 1.0, -2.0]), "b": 1.0,
         "dw": np.array([-0.01, 0.02, 0.03]), "db": 0.005},
    ]
    check_function(
        learner, sigmoid_neuron.predicted_change, cases, name="predicted_change",
        hint=PREDICTED_CHANGE_HINT, atol=1e-9,
        slips=[(sigmoid_neuron.actual_change,
                "that is the real change σ(new z) − σ(old z), worked out exactly. The exercise wants "
                "the straight-line prediction σ'(z)·(Σ_j x_j Δw_j + Δb) = {expected:.8f}, which is "
                "close to it but not the same (comparing the two is what comes next).\nHint: {hint}")],
        said="`{call}` returned {got:.8f}: ",
    )


STABLE_SIGMOID_HINT = Hint(
    "stable_sigmoid",
    "np.exp(t) overflows when t is above about 709 (88 in float32), so never take the exponential of a "
    "large positive number: e^(−|z|) is at most 1. For z >= 0, σ(z) = 1/(1 + e^(−z)); for z < 0, "
    "multiply top and bottom by e^z. The function must work on whole arrays too (np.where, not `if`).",
    "σ(z) = 1/(1 + e^(−z)) is near 1 for large positive z and near 0 for large negative z. "
    "Compute e = np.exp(-np.abs(z)), which is at "
    "most 1, and return 1/(1+e) where z >= 0 and e/(1+e) where z < 0. Careful: np.where(z >= 0, "
    "1/(1+np.exp(-z)), ...) still computes np.exp(-z) for every z, so it still overflows. "
    "The function must work on whole arrays too: use NumPy (np.exp, np.abs, np.where), "
    "not math.exp or `if z >= 0:`.",
    step="e = np.exp(-np.abs(z)) is at most 1, so it never overflows. From e alone: where z >= 0, "
         "σ(z) = 1/(1 + e); where z < 0, σ(z) = e/(1 + e). np.where picks between the two, but "
         "it computes both for every z: np.where(z >= 0, 1/(1+np.exp(-z)), ...) still computes "
         "np.exp(-z) everywhere, and overflows.",
)


def stable_sigmoid(learner) -> None:
    """Exercise 4: σ(z) with e^(−|z|), right everywhere, never warning (even at z = ±1000),
    keeping the input's dtype, and without tanh (the trick the course's sigmoid already uses)."""
    if (used := {"tanh", "sigmoid"} & set(names_used(learner) or ())):
        what = "np.tanh" if "tanh" in used else "the course's `sigmoid`"
        raise ExerciseFailed(
            f"`stable_sigmoid` uses {what}: a fine trick, and the one the course's `sigmoid` "
            "already uses. This exercise asks for the other one, without tanh (and without "
            "calling `sigmoid`).\nHint: compute e = np.exp(-np.abs(z)), which is "
            "at most 1, and choose 1/(1+e) where z >= 0 and e/(1+e) where z < 0 with np.where."
        )
    cases = [
        {"z": 0.0},
        {"z": 2.0},
        {"z": -3.0},
        {"z": -1000.0},
        {"z": np.array([-5.0, -1.0, 0.0, 1.0, 5.0])},
        {"z": np.array([-1000.0, -100.0, 100.0, 1000.0])},
        {"z": np.array([-1000.0, -5.0, -2.0, 0.0, 2.0, 5.0, 1000.0], dtype=np.float32)},
    ]
    # check_function prints its line of praise at the end; hold it back until the dtypes are checked too.
    with warnings_as_errors(), contextlib.redirect_stdout(io.StringIO()) as praise:
        check_function(learner, activations.sigmoid, cases, name="stable_sigmoid",
                       hint=STABLE_SIGMOID_HINT, atol=1e-9)
    for case in cases:
        z = case["z"]
        if not isinstance(z, np.ndarray):
            continue
        with warnings_as_errors():
            got = call_learner(learner, {"z": z.copy()}, name="stable_sigmoid")
        if np.asarray(got).dtype != z.dtype:
            raise ExerciseFailed(
                f"`stable_sigmoid(z={describe(z)})`: the values are right, but a {z.dtype} array "
                f"came back as {np.asarray(got).dtype}. A network computing in {z.dtype} should "
                f"get {z.dtype} back.\nHint: keep the input's dtype: write np.asarray(z), not "
                "np.asarray(z, dtype=float) or float(z); np.exp, np.abs and np.where keep float32 "
                "as float32."
            )
    print(praise.getvalue(), end="")



# An exercise not begun gets a kind "not done yet" and the course's answer stands in for it.
kindly_all(globals())

__all__ = ["neuron_output", "sigmoid_prime", "predicted_change", "stable_sigmoid", "ExerciseFailed"]
