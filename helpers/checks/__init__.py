"""Exercise self-checks: run a learner's function against the reference and answer kindly.

Each lesson has its own module of named checks (``helpers.checks.meet_the_digits`` for notebook
01, ...), built on :func:`check_function`. A check either prints one line of praise or
stops the notebook with a message that says which input was tried, what was expected,
what came back, and a hint. The message is shown without a Python traceback, because
the traceback would point into this file, not at the learner's mistake.

The pieces, one of each: :func:`call_learner` calls a learner's function (by name, else
by position) and puts what went wrong into words; :func:`check_function` runs it on a
list of cases against the reference, recognising known slips (:func:`explain_slip`),
answers in named parts such as ``(sum, carry)`` and inputs changed in place. So a
lesson's module of checks reads as a list of exercises: cases, reference, slips, hint.
Reading the learner's code (which names it uses) is in :mod:`helpers.source`.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterable

import numpy as np


class ExerciseFailed(AssertionError):
    """Raised by a check that failed; its message is written for the learner."""

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return ["❌ " + line if i == 0 else line for i, line in enumerate(str(self).splitlines())]


def describe(value: Any) -> str:
    """A short, readable description of a value for a feedback message."""
    if isinstance(value, np.ndarray):
        if value.size > 12:
            return f"an array of shape {value.shape} and dtype {value.dtype}"
        return np.array2string(value, precision=4, separator=", ", suppress_small=True)
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    if callable(value):
        return getattr(value, "__name__", "a function")
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def same(got: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-5) -> str | None:
    """None if ``got`` matches ``expected``; otherwise what is different, in words."""
    if isinstance(expected, tuple | list) and not isinstance(expected, np.ndarray):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            return f"expected {len(expected)} values, got {describe(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            if (why := same(g, e, atol, rtol)) is not None:
                return f"item {i}: {why}"
        return None
    try:
        got_array, expected_array = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return None if got == expected else f"expected {describe(expected)}, got {describe(got)}"
    if got_array.shape != expected_array.shape:
        return f"expected shape {expected_array.shape}, got shape {got_array.shape} ({describe(got)})"
    if not np.all(np.isfinite(got_array)) and np.all(np.isfinite(expected_array)):
        return f"got NaN or infinity: {describe(got)}"
    close = np.isclose(got_array, expected_array, atol=atol, rtol=rtol)
    if not np.all(close):
        why = f"expected {describe(expected)}, got {describe(got)}"
        if expected_array.size > 12:  # the summary above shows no values: point at one
            where = tuple(int(i) for i in np.argwhere(~close)[0])
            why += (
                f"; {int((~close).sum())} value(s) differ, the first at index {list(where)}: "
                f"expected {expected_array[where]:.6g}, got {got_array[where]:.6g}"
            )
        return why
    return None


def takes_names(function: Callable, arguments: dict) -> bool:
    """True if ``function`` has a parameter for every name in ``arguments`` (so it can be called by name)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # some built-ins have no signature
        return False
    return set(arguments) <= set(parameters)


def _invoke(learner: Callable, arguments: dict):
    # By name where the names match the exercise's, else by position, so a learner who
    # renamed a parameter is not punished for it.
    return learner(**arguments) if takes_names(learner, arguments) else learner(*arguments.values())


def _raised_by_the_call(err: BaseException) -> bool:
    """True if ``err`` came from calling the function itself (wrong number of parameters),
    not from inside the learner's code."""
    tb = err.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code is _invoke.__code__


def _shown(arguments: dict) -> str:
    """The arguments as a call would show them: ``x=3, w=[1., 2.]``."""
    return ", ".join(f"{k}={describe(v)}" for k, v in arguments.items())


def _fresh(arguments: dict) -> dict:
    """Copies of the arrays, so that a function that changes its inputs spoils nothing."""
    return {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in arguments.items()}


def call_learner(
    learner: Callable,
    arguments: dict,
    *,
    name: str | None = None,
    shown: str | None = None,
    hint: str = "",
    error_hints: dict[type[BaseException], str] | None = None,
    none_ok: bool = False,
) -> Any:
    """Call a learner's function with ``arguments`` and return its answer; stop with
    :class:`ExerciseFailed` in words if the call goes wrong.

    The call is by name where the function's parameters have the exercise's names, else
    by position. "In words" means: not a function, not written yet, a wrong number of
    parameters, an error inside (named with its exception, then ``hint``, or the hint
    that ``error_hints`` gives for that kind of error), or None returned (unless
    ``none_ok``). ``shown`` is how the call's inputs are written in a message
    (``x=3, w=[1., 2.]`` by default).
    """
    name = name or getattr(learner, "__name__", "your function")
    if not callable(learner):
        raise ExerciseFailed(f"`{name}` should be a function, but it is {describe(learner)}.")
    shown = _shown(arguments) if shown is None else shown
    try:
        got = _invoke(learner, arguments)
    except NotImplementedError:
        raise ExerciseFailed(f"`{name}` is not written yet: replace the `raise NotImplementedError` line.") from None
    except Exception as err:  # the learner's bug: report it in words
        if isinstance(err, TypeError) and "positional argument" in str(err) and _raised_by_the_call(err):
            raise ExerciseFailed(
                f"`{name}` should take {len(arguments)} input(s), ({', '.join(arguments)}), "
                f"but calling it that way failed: {err}. Keep the `def` line as the exercise gives it."
            ) from None
        why = next((h for kind, h in (error_hints or {}).items() if isinstance(err, kind)), hint)
        raise ExerciseFailed(
            f"Calling `{name}({shown})` raised {type(err).__name__}: {err}" + (f"\nHint: {why}" if why else "")
        ) from None
    if got is None and not none_ok:
        raise ExerciseFailed(f"`{name}({shown})` returned None: did you forget `return`?")
    return got


class _Field:
    """A value in a slip's message: ``{got}`` describes it, ``{got:.8f}`` formats it."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        try:
            return format(self.value, spec) if spec else describe(self.value)
        except (TypeError, ValueError):  # a format that does not fit the value (an array, say)
            return describe(self.value)


# How a recognised slip is announced, before its own message (see explain_slip).
SAID = "`{call}` returned {got}: "


def explain_slip(
    got: Any,
    slips: Iterable[tuple[Any, str]],
    arguments: dict,
    *,
    name: str,
    shown: str | None = None,
    expected: Any = None,
    said: str = SAID,
    hint: str = "",
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> str | None:
    """The message for the first known slip that ``got`` is; None if it is none of them.

    Each slip is ``(wrong, message)``: ``wrong`` is the answer that mistake gives, either
    a value or a function called with ``arguments`` by name (the wrong code itself, e.g.
    ``lambda v, gradient, eta: v + eta * gradient``). The message is ``said`` followed by
    ``message``, both filled in like ``str.format`` with ``call`` (``name(x=3)``),
    ``name``, ``got``, ``expected``, ``hint`` and the arguments by name; a value is
    described as in the other messages, unless a format is given (``{got:,}``).
    """
    for wrong, message in slips:
        if callable(wrong):
            wrong = wrong(**_fresh(arguments))
        if same(got, wrong, atol, rtol) is None:
            shown = _shown(arguments) if shown is None else shown
            fields = {k: _Field(v) for k, v in arguments.items()}
            fields |= {"call": f"{name}({shown})", "name": name, "got": _Field(got),
                       "expected": _Field(expected), "hint": hint}
            return (said + message).format(**fields)
    return None


def check_function(
    learner: Callable,
    reference: Callable,
    cases: Iterable[dict[str, Any]],
    *,
    name: str | None = None,
    hint: str = "",
    slips: Iterable[tuple[Any, str]] = (),
    said: str = SAID,
    parts: tuple[str, ...] = (),
    unchanged: tuple[str, ...] = (),
    changed_hint: str = "",
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> None:
    """Call ``learner`` and ``reference`` with each case's arguments and compare the results.

    Prints a short success line, or raises :class:`ExerciseFailed` naming the input,
    the expected and the actual result, and ``hint``. Where a wrong answer is one of the
    known ``slips``, their message says what went wrong instead (see :func:`explain_slip`).
    An answer made of named ``parts``, e.g. ``("sum", "carry")``, is reported part by part.
    For each argument named in ``unchanged``, a right answer must also leave the caller's
    array as it was (``changed_hint`` says why that matters).
    """
    name = name or getattr(learner, "__name__", "your function")
    cases, slips = list(cases), list(slips)
    then = f"\nHint: {hint}" if hint else ""
    for case in cases:
        shown = _shown(case)
        expected = reference(**_fresh(case))
        given = _fresh(case)  # the reference's inputs and the case stay as they were
        got = call_learner(learner, given, name=name, shown=shown, hint=hint, none_ok=expected is None)
        if parts and (not isinstance(got, tuple | list) or len(got) != len(parts)):
            how_many = "a pair" if len(parts) == 2 else f"{len(parts)} values"
            why = f"expected {how_many} ({', '.join(parts)}), got {describe(got)}"
        elif parts:
            why = next((f"{part}: {w}" for part, g, e in zip(parts, got, expected)
                        if (w := same(g, e, atol, rtol)) is not None), None)
        else:
            why = same(got, expected, atol, rtol)
        if why is not None:
            slip = explain_slip(got, slips, case, name=name, shown=shown, expected=expected, said=said,
                                hint=hint, atol=atol, rtol=rtol)
            raise ExerciseFailed(slip if slip is not None else f"`{name}({shown})`: {why}." + then)
        for arg in unchanged:
            if not np.array_equal(np.asarray(given[arg]), np.asarray(case[arg])):
                raise ExerciseFailed(
                    f"`{name}({shown})` returns the right values, but it also changed the array `{arg}` "
                    f"that was passed in: afterwards it held {describe(given[arg])}. {changed_hint}"
                )
    print(f"✅ `{name}` is correct on all {len(cases)} test cases.")


def check_value(got: Any, expected: Any, *, what: str, hint: str = "", atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """Check a single answer (a number, an array) rather than a function."""
    if (why := same(got, expected, atol, rtol)) is not None:
        raise ExerciseFailed(f"{what}: {why}." + (f"\nHint: {hint}" if hint else ""))
    print(f"✅ {what}: correct.")
