"""Self-checks for the exercises of notebook 02, "Perceptrons".

Use in the notebook as ``from helpers.checks import perceptrons as check`` and then
``check.perceptron_output(perceptron_output)`` and so on. Each check compares the
learner's answer with the reference in :mod:`helpers.perceptron`.
"""

from __future__ import annotations

import numpy as np

from helpers import perceptron as ref
from helpers.checks import ExerciseFailed, check_function, check_value

GATES = {
    "AND": lambda x1, x2: x1 & x2,
    "OR": lambda x1, x2: x1 | x2,
    "NAND": lambda x1, x2: 1 - (x1 & x2),
    "NOR": lambda x1, x2: 1 - (x1 | x2),
}
INPUT_PAIRS = [(0, 0), (0, 1), (1, 0), (1, 1)]


def perceptron_output(learner) -> None:
    """Exercise 1: ``perceptron_output(x, w, b)`` returns 1 if w·x + b > 0, else 0."""
    cases = [
        dict(x=np.array([1.0, 0.0, 1.0]), w=np.array([6.0, 2.0, 2.0]), b=-5.0),  # z = 3
        dict(x=np.array([0.0, 1.0, 1.0]), w=np.array([6.0, 2.0, 2.0]), b=-5.0),  # z = -1
        dict(x=np.array([1.0, 1.0]), w=np.array([-2.0, -2.0]), b=3.0),  # z = -1
        dict(x=np.array([0.0, 0.0]), w=np.array([-2.0, -2.0]), b=3.0),  # z = 3: the bias alone
        dict(x=np.array([0.5, -1.5]), w=np.array([2.0, 1.0]), b=0.5),  # z = 0 exactly
        dict(x=np.array([0.25, 0.5, 2.0]), w=np.array([4.0, -2.0, 0.5]), b=-1.0),  # z = 0 exactly
        dict(x=np.array([0.2, 0.3]), w=np.array([1.0, 1.0]), b=-0.45),  # z = 0.05: just above
    ]
    check_function(
        learner,
        ref.perceptron_output,
        cases,
        name="perceptron_output",
        hint="compute z = np.dot(w, x) + b and return 1 only if z is *strictly* greater than 0 "
        "(z = 0 gives 0).",
    )


def gate_weights(w, b, gate: str = "AND") -> None:
    """Exercise 2: weights ``w`` (two numbers) and bias ``b`` for a perceptron computing ``gate``.

    Any weights that give the right truth table are accepted.
    """
    gate = gate.upper()
    if gate not in GATES:
        raise ValueError(f"gate must be one of {', '.join(GATES)}, got {gate!r}")
    try:
        w = np.asarray(w, dtype=float)
        b = float(b)
    except (TypeError, ValueError):
        raise ExerciseFailed(
            f"w should be two numbers and b one number, got w={w!r} and b={b!r}."
        ) from None
    if w.shape != (2,):
        raise ExerciseFailed(f"w should hold two weights, one per input, but it has shape {w.shape}.")
    got = [ref.perceptron_output(pair, w, b) for pair in INPUT_PAIRS]
    expected = [GATES[gate](*pair) for pair in INPUT_PAIRS]
    zs = [float(np.dot(w, pair) + b) for pair in INPUT_PAIRS]
    table = ", ".join(f"{pair} -> z = {z:g}" for pair, z in zip(INPUT_PAIRS, zs))
    check_value(
        got,
        expected,
        what=f"{gate} truth table for the inputs (0,0), (0,1), (1,0), (1,1)",
        hint=f"with your w and b: {table}. The output is 1 only where z > 0. "
        + {
            "AND": "For AND only (1,1) may have z > 0: try equal positive weights and a bias "
            "more negative than one weight but less negative than their sum.",
            "OR": "For OR only (0,0) may have z <= 0: positive weights and a small negative bias.",
            "NAND": "NAND is AND with every sign flipped.",
            "NOR": "NOR is OR with every sign flipped.",
        }[gate],
    )


def learning_step(learner) -> None:
    """Exercise 3: ``learning_step(w, b, x, y, eta)`` returns the updated ``(w, b)``."""
    cases = [
        # said 0, should be 1: w and b go up
        dict(w=np.array([0.0, 0.0]), b=0.0, x=np.array([1.0, 2.0]), y=1, eta=1.0),
        # said 1, should be 0: w and b go down, scaled by eta
        dict(w=np.array([1.0, -1.0]), b=0.5, x=np.array([2.0, 1.0]), y=0, eta=0.5),
        # right answer (z = 0.5 > 0, label 1): nothing changes
        dict(w=np.array([1.0, -1.0]), b=0.5, x=np.array([0.0, 0.0]), y=1, eta=1.0),
        # right answer (z = -1, label 0): nothing changes
        dict(w=np.array([1.0, 1.0, 1.0]), b=-1.0, x=np.array([0.0, 0.0, 0.0]), y=0, eta=0.1),
        # z = 0 exactly gives output 0; the label is 1, so this is a mistake
        dict(w=np.array([2.0, -1.0, 0.5]), b=-1.0, x=np.array([1.0, 2.0, 2.0]), y=1, eta=0.25),
    ]
    check_function(
        learner,
        ref.perceptron_update,
        cases,
        name="learning_step",
        hint="first compute the output a (0 or 1) for x, then the error y - a (+1, 0 or -1); "
        "return (w + eta * (y - a) * x, b + eta * (y - a)). When the answer was right, "
        "return w and b unchanged.",
    )


def half_adder(learner) -> None:
    """Exercise 4: ``half_adder(x1, x2)`` returns ``(sum, carry)`` for all four input pairs."""
    cases = [dict(x1=x1, x2=x2) for x1, x2 in INPUT_PAIRS]
    check_function(
        learner,
        ref.half_adder,
        cases,
        name="half_adder",
        hint="return a pair (sum, carry): sum is 1 when exactly one input is 1 (x1 XOR x2), "
        "carry is 1 when both are (x1 AND x2). XOR needs four NANDs: n1 = nand(x1, x2), "
        "then nand(x1, n1) and nand(x2, n1), then a NAND of those two. AND is NOT NAND, "
        "and NOT y is nand(y, y).",
    )
