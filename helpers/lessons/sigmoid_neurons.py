"""The sigmoid neuron: a perceptron whose output changes smoothly instead of jumping.

A sigmoid neuron takes the same weighted input as a perceptron, ``z = w·x + b``, but
answers ``a = σ(z)``, a number between 0 and 1, instead of the perceptron's 0 or 1.
Notebook 03 uses this module for

* the neuron itself (``sigmoid_neuron_output``) beside the perceptron (``step_function``,
  ``perceptron_output``, reused from :mod:`helpers.lessons.perceptrons`);
* the neuron with its weights and bias scaled by ``c``, which becomes a perceptron as
  ``c`` grows (``scaled_output``, and ``sigmoid_vs_step`` for the widget);
* "small changes in, small changes out": the partial derivatives of the output
  (``output_gradients``) and the change they predict for a small nudge of the weights
  and bias (``predicted_change``), to compare with the real change (``actual_change``);
* ``caught_warnings``, which runs a function and reports the warnings it raised, in a
  short form that is the same on every computer (no file paths).

The sigmoid itself, computed without overflow, lives in :mod:`helpers.activations`.
"""

from __future__ import annotations

import warnings
from typing import Callable, NamedTuple

import numpy as np

from helpers.activations import sigmoid, sigmoid_prime
from helpers.lessons.perceptrons import perceptron_output, step_function, weighted_input

__all__ = [
    "step_function",
    "weighted_input",
    "perceptron_output",
    "sigmoid_neuron_output",
    "scaled_output",
    "SigmoidVsStep",
    "sigmoid_vs_step",
    "output_gradients",
    "predicted_change",
    "actual_change",
    "caught_warnings",
]


# --- the neuron ------------------------------------------------------------------------


def sigmoid_neuron_output(x, w, b):
    """The sigmoid neuron's output ``a = σ(w·x + b)`` for one input ``x`` (or each row of ``X``)."""
    return sigmoid(weighted_input(x, w, b))


# --- from sigmoid neuron to perceptron: scale w and b by c -----------------------------


def scaled_output(z, c: float):
    """``σ(c·z)``: the output of the neuron whose weights and bias were all multiplied by ``c``.

    Multiplying every weight and the bias by ``c`` multiplies ``z = w·x + b`` by ``c``,
    because (c w)·x + c b = c (w·x + b).
    """
    return sigmoid(c * np.asarray(z, dtype=float))


class SigmoidVsStep(NamedTuple):
    """What the sigmoid-versus-step widget draws for a one-input neuron and a scale ``c``."""

    x: np.ndarray  # the inputs on the horizontal axis
    sigmoid: np.ndarray  # σ(c (w x + b)): the scaled sigmoid neuron
    step: np.ndarray  # step_function(w x + b): the perceptron with the same w and b
    threshold: float | None  # the x where w x + b = 0 (None if w = 0: no threshold)
    largest_gap: float  # max |sigmoid - step| over the x with |w x + b| >= margin
    margin: float


def sigmoid_vs_step(w: float, b: float, c: float, x=None, margin: float = 0.1) -> SigmoidVsStep:
    """Compare the one-input sigmoid neuron ``σ(c (w x + b))`` with the perceptron ``step_function(w x + b)``.

    ``x`` defaults to 401 points in [-4, 4]. The largest gap is measured only where the
    perceptron is clearly decided, ``|w x + b| >= margin``: right at the threshold the
    sigmoid neuron says 1/2 for every ``c``, so no scale makes the two agree there.
    (0.0 if no point of ``x`` is that far from the threshold.)
    """
    x = np.linspace(-4.0, 4.0, 401) if x is None else np.asarray(x, dtype=float)
    z = w * x + b
    a_sigmoid = scaled_output(z, c)
    a_step = step_function(z)
    decided = np.abs(z) >= margin
    gap = float(np.max(np.abs(a_sigmoid - a_step)[decided])) if decided.any() else 0.0
    threshold = None if w == 0 else float(-b / w)
    return SigmoidVsStep(x, a_sigmoid, a_step, threshold, gap, margin)


# --- small changes in, small changes out -----------------------------------------------


def output_gradients(x, w, b):
    """How fast the output ``a = σ(w·x + b)`` changes with each weight and with the bias.

    Returns ``(da_dw, da_db)`` with ``da_dw[j] = σ'(z) x_j`` and ``da_db = σ'(z)``: by the
    chain rule, ``a`` changes σ'(z) times as fast as ``z``, and ``z`` changes ``x_j`` times
    as fast as ``w_j`` (and exactly as fast as ``b``).
    """
    x = np.asarray(x, dtype=float)
    slope = sigmoid_prime(weighted_input(x, w, b))  # σ'(z)
    return slope * x, float(slope)


def predicted_change(x, w, b, dw, db):
    """The linear prediction ``Δa ≈ Σ_j ∂a/∂w_j Δw_j + ∂a/∂b Δb`` for a nudge ``(dw, db)``."""
    da_dw, da_db = output_gradients(x, w, b)
    return float(da_dw @ np.asarray(dw, dtype=float) + da_db * db)


def actual_change(x, w, b, dw, db, neuron: Callable = sigmoid_neuron_output):
    """The real change of the neuron's output when ``w`` becomes ``w + dw`` and ``b`` becomes ``b + db``.

    ``neuron`` is ``sigmoid_neuron_output`` by default; pass ``perceptron_output`` to see
    the perceptron's answer to the same nudge.
    """
    w = np.asarray(w, dtype=float)
    before = neuron(x, w, b)
    after = neuron(x, w + np.asarray(dw, dtype=float), b + db)
    return float(after) - float(before)


# --- overflow, seen and reported --------------------------------------------------------


def caught_warnings(fn: Callable, *args, **kwargs):
    """Call ``fn(*args, **kwargs)``; return ``(result, messages)`` for the warnings it raised.

    Each message is ``"<Category>: <text>"``, e.g. ``"RuntimeWarning: overflow encountered
    in exp"``: no file name or line number, so a notebook prints the same on every computer.
    Every warning is recorded, even one that Python would normally show only once.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, [f"{w.category.__name__}: {w.message}" for w in caught]
