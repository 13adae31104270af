"""Exercise self-checks: run a learner's function against the reference and answer kindly.

Each lesson has its own module of named checks (``helpers.checks.meet_the_digits`` for notebook
01, ...), built on :func:`check_function`. A check either prints one line of praise or
stops the notebook with a message that says which input was tried, what was expected,
what came back, and a hint. The message is shown without a Python traceback, because
the traceback would point into this file, not at the learner's mistake.
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


def call_learner(learner: Callable, arguments: dict):
    """Call a learner's function by name where the names match the exercise's, else by
    position, so a learner who renamed a parameter is not punished for it."""
    return learner(**arguments) if takes_names(learner, arguments) else learner(*arguments.values())


def raised_by_the_call(err: BaseException) -> bool:
    """True if ``err`` came from calling the function itself (wrong number of parameters),
    not from inside the learner's code."""
    tb = err.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code is call_learner.__code__


def check_function(
    learner: Callable,
    reference: Callable,
    cases: Iterable[dict[str, Any]],
    *,
    name: str | None = None,
    hint: str = "",
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> None:
    """Call ``learner`` and ``reference`` with each case's arguments and compare the results.

    Prints a short success line, or raises :class:`ExerciseFailed` naming the input,
    the expected and the actual result, and ``hint``.
    """
    name = name or getattr(learner, "__name__", "your function")
    if not callable(learner):
        raise ExerciseFailed(f"`{name}` should be a function, but it is {describe(learner)}.")
    cases = list(cases)
    for case in cases:
        shown = ", ".join(f"{k}={describe(v)}" for k, v in case.items())
        # Copies, so a function that changes its inputs cannot spoil the reference's run.
        copy = {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in case.items()}
        expected = reference(**case)
        try:
            got = call_learner(learner, copy)
        except NotImplementedError:
            raise ExerciseFailed(f"`{name}` is not written yet: replace the `raise NotImplementedError` line.") from None
        except TypeError as err:
            if "positional argument" in str(err) and raised_by_the_call(err):
                raise ExerciseFailed(
                    f"`{name}` should take {len(case)} input(s), ({', '.join(case)}), "
                    f"but calling it that way failed: {err}. Keep the `def` line as the exercise gives it."
                ) from None
            raise ExerciseFailed(
                f"Calling `{name}({shown})` raised TypeError: {err}" + (f"\nHint: {hint}" if hint else "")
            ) from None
        except Exception as err:  # the learner's bug: report it in words
            raise ExerciseFailed(
                f"Calling `{name}({shown})` raised {type(err).__name__}: {err}"
                + (f"\nHint: {hint}" if hint else "")
            ) from None
        if got is None and expected is not None:
            raise ExerciseFailed(f"`{name}({shown})` returned None: did you forget `return`?")
        if (why := same(got, expected, atol, rtol)) is not None:
            raise ExerciseFailed(f"`{name}({shown})`: {why}." + (f"\nHint: {hint}" if hint else ""))
    print(f"✅ `{name}` is correct on all {len(cases)} test cases.")


def check_value(got: Any, expected: Any, *, what: str, hint: str = "", atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """Check a single answer (a number, an array) rather than a function."""
    if (why := same(got, expected, atol, rtol)) is not None:
        raise ExerciseFailed(f"{what}: {why}." + (f"\nHint: {hint}" if hint else ""))
    print(f"✅ {what}: correct.")
