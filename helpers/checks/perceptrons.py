"""Self-checks for the exercises of notebook 02, "Perceptrons".

Use in the notebook as ``from helpers.checks import perceptrons as check`` and then
``check.perceptron_output(perceptron_output)`` and so on. Each check compares the
learner's answer with the reference in :mod:`helpers.lessons.perceptrons`. Answers that are a
pair, such as ``(sum, carry)`` or ``(w, b)``, are reported part by part, by name.
"""

from __future__ import annotations

import ast
import inspect
from typing import Callable, NamedTuple

import numpy as np

from helpers.lessons import perceptrons as ref
from helpers.checks import ExerciseFailed, ExerciseNotDone, Hint, check_function, hint_text, kind_of, praise, kindly_all
from helpers.checks import recipe, solution  # noqa: F401  (`check.recipe("half_adder")` in the notebook)
from helpers.source import function_source, function_tree, is_stub

GATES = {
    "AND": lambda x1, x2: x1 & x2,
    "OR": lambda x1, x2: x1 | x2,
    "NAND": lambda x1, x2: 1 - (x1 & x2),
    "NOR": lambda x1, x2: 1 - (x1 | x2),
}
INPUT_PAIRS = [(0, 0), (0, 1), (1, 0), (1, 1)]


# --- a look at the learner's code ------------------------------------------------------


# Python operators that would compute a gate directly, in the learner's own words.
_OPERATOR_NAMES = {
    ast.BitXor: "`^`", ast.BitAnd: "`&`", ast.BitOr: "`|`", ast.Add: "`+`", ast.Sub: "`-`",
    ast.Mult: "`*`", ast.Div: "`/`", ast.FloorDiv: "`//`", ast.Mod: "`%`", ast.Pow: "`**`",
    ast.LShift: "`<<`", ast.RShift: "`>>`", ast.MatMult: "`@`",
    ast.And: "`and`", ast.Or: "`or`", ast.Not: "`not`", ast.Invert: "`~`", ast.USub: "a minus sign",
    ast.Eq: "`==`", ast.NotEq: "`!=`", ast.Lt: "`<`", ast.LtE: "`<=`", ast.Gt: "`>`", ast.GtE: "`>=`",
    ast.Is: "`is`", ast.IsNot: "`is not`", ast.In: "`in`", ast.NotIn: "`not in`",
}


# Built-ins that convert or show a bit but compute nothing with it.
_HARMLESS = {"int", "bool", "float", "tuple", "print"}


class _Finding(NamedTuple):
    """One thing in the learner's code that is not a call of an allowed function."""

    what: str  # e.g. "`^`" or "the function `max`"
    line: str  # the line of code it is on
    function: str  # the name of the function whose code it is in
    position: tuple[int, int]  # (line, column) in that function's source, for sorting


def _constant_table(node: ast.AST) -> bool:
    """True for a literal made only of constants, with at least four of them: a truth table
    such as ``{(0, 0): (0, 0), ...}`` or ``[[0, 1], [1, 0]]``, not ``(total, carry)``."""
    leaves = [n for n in ast.walk(node) if not isinstance(n, ast.Dict | ast.List | ast.Tuple | ast.Set)]
    return all(isinstance(n, ast.Constant | ast.Load) for n in leaves) and sum(
        isinstance(n, ast.Constant) for n in leaves) >= 4


def _looks_up(node: ast.Subscript, params: set[str], local: set[str]) -> bool:
    """True if ``node`` looks the answer up: ``table[x1][x2]``, ``TABLE[(x1, x2)]``, a
    subscript of a literal or of a global table. Reading a wire by name from a local
    dict of the learner's own (``wires["sum"]``) is not a lookup of the answer."""
    inner = node
    while isinstance(inner, ast.Subscript):
        inner = inner.value
    by_input = any(isinstance(n, ast.Name) and n.id in params for n in ast.walk(node.slice))
    literal = isinstance(inner, ast.Dict | ast.List | ast.Tuple | ast.Set)
    a_global = isinstance(inner, ast.Name) and inner.id not in local and inner.id not in params
    return by_input or literal or a_global


def _not_only(function: Callable, allowed: set[str], seen: set | None = None) -> list[_Finding] | None:
    """What in ``function``'s code computes with something other than the ``allowed`` calls.

    Returns the findings in the order they appear in the code (an empty list if the code
    only calls the allowed functions, and functions of the learner's own that do the
    same), or None if the source cannot be read: then nothing can be said.
    """
    seen = set() if seen is None else seen
    seen.add(function)
    node = function_tree(function)
    if node is None:
        return None
    lines = function_source(function).splitlines()
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        roots = node.body  # not the decorators or default values
    elif isinstance(node, ast.Lambda):
        roots = [node.body]
    else:
        roots = [node]
    params = {a.arg for a in node.args.args + node.args.kwonlyargs} if isinstance(
        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) else set()
    local = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    local |= {n.name for n in ast.walk(node) if isinstance(n, ast.FunctionDef) and n is not node}
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        local |= {a.arg for a in node.args.args + node.args.kwonlyargs}
    findings = []

    def found(what: str, where: ast.AST) -> None:
        row = getattr(where, "lineno", 0)
        line = lines[row - 1].strip() if 0 < row <= len(lines) else ""
        findings.append(_Finding(what, line, function.__name__, (row, getattr(where, "col_offset", 0))))

    for n in (n for root in roots for n in ast.walk(root)):
        if isinstance(n, ast.BinOp | ast.AugAssign | ast.UnaryOp | ast.BoolOp) and type(n.op) in _OPERATOR_NAMES:
            found(_OPERATOR_NAMES[type(n.op)], n)
        elif isinstance(n, ast.Compare):
            found(_OPERATOR_NAMES.get(type(n.ops[0]), "a comparison"), n)
        elif isinstance(n, ast.If | ast.IfExp):
            found("an `if`", n)
        elif isinstance(n, ast.Subscript) and _looks_up(n, params, local):
            found("a lookup in a table (`...[...]`)", n)
        elif isinstance(n, ast.Dict | ast.List | ast.Tuple | ast.Set) and _constant_table(n):
            found("a table of answers", n)
        elif isinstance(n, ast.Match):
            found("a `match`", n)
        elif isinstance(n, ast.Call):
            callee = n.func
            if isinstance(callee, ast.Attribute):
                if callee.attr not in allowed:
                    found(f"the function `{ast.unparse(callee)}`", n)
            elif isinstance(callee, ast.Name):
                if callee.id in allowed or callee.id in local or callee.id in _HARMLESS:
                    continue
                helper = getattr(function, "__globals__", {}).get(callee.id)
                if inspect.isfunction(helper):
                    # A function of the learner's own, e.g. a `not_` written with nand: look inside.
                    inner = [] if helper in seen else _not_only(helper, allowed, seen)
                    # Report what is inside it where it is called, so the order stays readable.
                    findings.extend(f._replace(position=(n.lineno, n.col_offset)) for f in inner or [])
                    continue
                found(f"the function `{callee.id}`", n)
            else:
                found("a call", n)
    return sorted(findings, key=lambda f: f.position)


def _only_nand(learner: Callable, name: str) -> None:
    """Stop with a friendly message if ``learner``'s code uses anything but ``nand``."""
    if not callable(learner) or is_stub(learner):  # a stub: the call says "not done yet"
        return
    findings = _not_only(learner, {"nand"})
    if not findings:  # None (source not available) or [] (only nand): nothing to say
        return
    whats = list(dict.fromkeys(f.what for f in findings))  # distinct, in the order they appear
    listed = whats[0] if len(whats) == 1 else ", ".join(whats[:-1]) + " and " + whats[-1]
    first = findings[0]
    where = (f"your function `{first.function}`: " if first.function != learner.__name__ else "") + f"`{first.line}`"
    raise ExerciseFailed(
        f"`{name}` uses {listed} (first in {where}). Those compute or look up the answer directly; "
        "the exercise is to build it from `nand` alone — that is the point: if NAND perceptrons can add, "
        "then perceptrons can compute any function of bits.\nHint: every gate is one line "
        "`something = nand(..., ...)`; five such lines are enough."
    )


# --- the exercises ---------------------------------------------------------------------

PERCEPTRON_OUTPUT_HINT = Hint(
    "perceptron_output",
    "first the weighted input z = w·x + b, then the step: 1 only if z is *strictly* greater than 0.",
    "z = np.dot(w, x) + b; return 1 if z > 0 else 0 (z = 0 exactly gives 0).",
    step="np.dot(w, x) + b is z; then compare z with 0 using `>`, not `>=`, and return the integer "
         "1 or 0.",
)
HALF_ADDER_HINT = Hint(
    "half_adder",
    "return a pair (sum, carry): sum is 1 when exactly one input is 1 (x1 XOR x2), carry is 1 when "
    "both are (x1 AND x2). Follow the five gates listed above the exercise, one line each.",
    "n1 = nand(x1, x2); n2 = nand(x1, n1); n3 = nand(x2, n1); total = nand(n2, n3); "
    "carry = nand(n1, n1); return total, carry. (XOR takes four NANDs; AND is NOT NAND, "
    "and NOT y is nand(y, y).)",
    step="one line per gate: n1 = nand(x1, x2) first; the next two gates each take one input and "
         "n1; the sum is the NAND of those two. The carry is NOT n1, and NOT y is nand(y, y).",
)
LEARNING_STEP_HINT = Hint(
    "learning_step",
    "first the perceptron's answer a (0 or 1) for x, then the error y - a (+1, 0 or -1); the formula "
    "above the exercise turns the error into the new w and b.",
    "a = lesson.perceptron_output(x, w, b); return (w + eta * (y - a) * x, b + eta * (y - a)). "
    "When the answer was right, y - a is 0 and w and b come back unchanged.",
    step="the error is y - a with a = lesson.perceptron_output(x, w, b). The weights move by "
         "eta * error * x (one number per weight), the bias by eta * error: when the answer was "
         "right, the error is 0 and w and b come back unchanged.",
)


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
        hint=PERCEPTRON_OUTPUT_HINT,
    )


def gate_weights(w, b, gate: str = "AND") -> None:
    """Exercise 2: weights ``w`` (two numbers) and bias ``b`` for a perceptron computing ``gate``.

    Any weights that give the right truth table are accepted.
    """
    gate = gate.upper()
    if gate not in GATES:
        raise ValueError(f"gate must be one of {', '.join(GATES)}, got {gate!r}")
    w_open = w is Ellipsis or (isinstance(w, list | tuple) and any(v is Ellipsis for v in w))
    if w_open or b is Ellipsis:
        which = ("the weights and the bias are" if w_open and b is Ellipsis
                 else "the weights are" if w_open else "the bias is")
        raise ExerciseNotDone(f"{which} still `...`: write your numbers in place of each `...`, "
                              "as w_and = [w1, w2] and b_and = b.")
    for value, what in ((w, "w (two numbers)"), (b, "b (one number)")):
        if isinstance(value, str | bytes) or (isinstance(value, list | tuple) and any(isinstance(v, str) for v in value)):
            raise ExerciseFailed(f"{what} should hold numbers, but it is {kind_of(value)}. Write the numbers "
                                 "themselves, without quotes: w_and = [1.0, 1.0], not ['1', '1'].")
    try:
        w = np.asarray(w, dtype=float)
        b = float(b)
    except (TypeError, ValueError):
        raise ExerciseFailed(
            f"w should be two numbers and b one number, got w={w!r} and b={b!r}."
        ) from None
    if w.shape != (2,):
        raise ExerciseFailed(f"w should hold two weights, one per input, but it has shape {w.shape}.")
    zs = [float(np.dot(w, pair) + b) for pair in INPUT_PAIRS]
    for pair, z in zip(INPUT_PAIRS, zs):
        got, expected = ref.perceptron_output(pair, w, b), GATES[gate](*pair)
        if got != expected:
            table = ", ".join(f"{p} -> z = {zp:g}" for p, zp in zip(INPUT_PAIRS, zs))
            raise ExerciseFailed(
                f"{gate} truth table, input {pair}: expected {expected}, got {got} (z = {z:g}).\n"
                f"Hint: with your w and b: {table}. The output is 1 only where z > 0. "
                + {
                    "AND": "For AND only (1, 1) may have z > 0: try equal positive weights and a bias "
                    "more negative than one weight but less negative than their sum.",
                    "OR": "For OR only (0, 0) may have z <= 0: positive weights and a small negative bias.",
                    "NAND": "NAND is AND with every sign flipped.",
                    "NOR": "NOR is OR with every sign flipped.",
                }[gate]
            )
    praise(f"{gate} truth table for the inputs (0, 0), (0, 1), (1, 0), (1, 1): correct.")


def half_adder(learner) -> None:
    """Exercise 3: ``half_adder(x1, x2)`` returns ``(sum, carry)`` for all four input pairs.

    The learner's code is also read: it must compute with ``nand`` alone, without
    ``^``, ``&``, ``+``, ``and``, comparisons, ``if`` or other functions. (When its
    source cannot be read, only the answers are checked.)
    """
    _only_nand(learner, "half_adder")
    cases = [dict(x1=x1, x2=x2) for x1, x2 in INPUT_PAIRS]
    check_function(
        learner,
        ref.half_adder,
        cases,
        parts=("sum", "carry"),
        name="half_adder",
        hint=HALF_ADDER_HINT,
        slips=[(lambda x1, x2: tuple(reversed(ref.half_adder(x1, x2))),
                "the two bits are the right ones but swapped: return (sum, carry), the sum bit first.")],
    )


def learning_step(learner) -> None:
    """Exercise 4: ``learning_step(x, y, w, b, eta)`` returns the updated ``(w, b)``.

    Besides the values, the check makes sure the learner's function leaves the caller's
    ``w`` (and ``x``) as they were, instead of changing them in place with ``w += ...``.
    """
    cases = [
        # said 0, should be 1: w and b go up
        dict(x=np.array([1.0, 2.0]), y=1, w=np.array([0.0, 0.0]), b=0.0, eta=1.0),
        # said 1, should be 0: w and b go down, scaled by eta
        dict(x=np.array([2.0, 1.0]), y=0, w=np.array([1.0, -1.0]), b=0.5, eta=0.5),
        # right answer (z = 0.5 > 0, label 1): nothing changes
        dict(x=np.array([0.0, 0.0]), y=1, w=np.array([1.0, -1.0]), b=0.5, eta=1.0),
        # right answer (z = -1, label 0): nothing changes
        dict(x=np.array([0.0, 0.0, 0.0]), y=0, w=np.array([1.0, 1.0, 1.0]), b=-1.0, eta=0.1),
        # z = 0 exactly gives output 0; the label is 1, so this is a mistake
        dict(x=np.array([1.0, 2.0, 2.0]), y=1, w=np.array([2.0, -1.0, 0.5]), b=-1.0, eta=0.25),
    ]
    check_function(
        learner,
        ref.learning_step,
        cases,
        parts=("w", "b"),
        name="learning_step",
        hint=LEARNING_STEP_HINT,
        unchanged=("w", "x"),
        changed_hint="That is what `w += ...` (or `w[...] = ...`) does: it writes into the caller's "
        "array instead of making a new one. Here the caller keeps the old weights — to compare "
        "before and after, or to keep a snapshot after every pass — and they would silently "
        "turn into the new ones.\nHint: write `w_new = w + eta * (y - a) * x` and return `w_new`; "
        "`+` makes a new array.",
    )


# An exercise not begun gets a kind "not done yet" and the course's answer stands in for it.
kindly_all(globals())
