"""Comparing a learner's answer with the reference's: :func:`same` says what differs in
words, :func:`wrong_kind` names an answer of the wrong kind, :func:`explain_slip` recognises
known slips, and :func:`check_function` / :func:`check_value` put them together."""

from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable, Iterable

import numpy as np

from helpers.checks.common.calling import _fresh, _shown, call_learner
from helpers.checks.common.messages import ExerciseFailed, Hint, describe, hint_text, kind_of, praise


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number | np.bool_) or (isinstance(value, np.ndarray) and value.ndim == 0)


def wrong_kind(got: Any, expected: Any) -> str | None:
    """If ``got`` is not the kind of thing ``expected`` is (text for a number, a list for
    an array, a set, a dict, a generator...), what came back and what was expected, in
    words; None if the kind is right (its values may still be wrong)."""
    if isinstance(expected, str | bytes):
        return None if isinstance(got, str | bytes) else f"expected text, got {kind_of(got)}"
    wanted = "one number" if _is_number(expected) else kind_of(expected)
    if isinstance(got, str | bytes):
        return (f"expected {wanted}, got {kind_of(got)}. Return the value itself, not text "
                "(no quotes, no str(...), no f-string)")
    if isinstance(got, dict | set | frozenset | range | map | filter | zip) or inspect.isgenerator(got):
        if not isinstance(expected, type(got)):
            return f"expected {wanted}, got {kind_of(got)}"
    if isinstance(expected, np.ndarray) and expected.ndim > 0 and isinstance(got, list | tuple):
        try:
            values_right = same(np.asarray(got, dtype=float), expected) is None
        except (TypeError, ValueError):
            values_right = False
        why = f"expected {wanted}, got {kind_of(got)}"
        if values_right:
            return (why + ". The values are right, but the code that uses your answer needs an array "
                    "(it does arithmetic and asks for .shape): return np.array(...) of it")
        return why
    return None


def same(got: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-5, equal_nan: bool = False) -> str | None:
    """None if ``got`` matches ``expected``; otherwise what is different, in words.
    ``equal_nan``: NaN matches NaN (a known slip whose answer has NaN in it)."""
    if isinstance(expected, tuple | list) and not isinstance(expected, np.ndarray):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            return f"expected {len(expected)} values, got {describe(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            if (why := same(g, e, atol, rtol, equal_nan)) is not None:
                return f"item {i}: {why}"
        return None
    if (why := wrong_kind(got, expected)) is not None:
        return why
    if (isinstance(got, np.ndarray) and got.dtype.kind in "USO"
            and np.asarray(expected).dtype.kind in "fiub"):  # np.asarray(.., float) would read '0.5' as 0.5
        return (f"expected numbers, got an array of {'text' if got.dtype.kind in 'US' else 'Python objects'} "
                f"(dtype {got.dtype}): {describe(got)}")
    try:
        got_array, expected_array = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        # Compared only when both are plain values: an object's own __eq__ is never asked (one
        # that says True to anything would pass every check).
        plain = (str, bytes, bool, int, float, complex, type(None))
        try:
            equal = type(got) in plain and type(expected) in plain and bool(got == expected)
        except Exception:
            equal = False
        return None if equal else f"expected {describe(expected)}, got {describe(got)}"
    # The dtype is named only where its kind differs (a whole number for a float, say):
    # float32 against float64 is allowed, and naming it would send the learner the wrong way.
    kinds_differ = np.asarray(got).dtype.kind != np.asarray(expected).dtype.kind
    shown_got, shown_expected = describe(got, dtype=kinds_differ), describe(expected, dtype=kinds_differ)
    if got_array.shape != expected_array.shape:
        if got_array.ndim == 0 and expected_array.ndim > 0:
            return f"expected an array of shape {expected_array.shape}, got one number, {shown_got}"
        if expected_array.ndim == 0:
            return f"expected one number, got an array of shape {got_array.shape}" + (
                f": {shown_got}" if got_array.size <= 12 else "")
        values = f" ({shown_got})" if got_array.size <= 12 else ""  # a big array's summary would repeat the shape
        return f"expected shape {expected_array.shape}, got shape {got_array.shape}{values}"
    if not np.all(np.isfinite(got_array)) and np.all(np.isfinite(expected_array)):
        return f"got NaN or infinity: {shown_got}"
    close = np.isclose(got_array, expected_array, atol=atol, rtol=rtol, equal_nan=equal_nan)
    if not np.all(close):
        if expected_array.size <= 12:
            return f"expected {shown_expected}, got {shown_got}"
        # A summary would only repeat the shape, which is right: point at a value instead.
        where = tuple(int(i) for i in np.argwhere(~close)[0])
        kinds = (f" (and your array has dtype {np.asarray(got).dtype}, where {np.asarray(expected).dtype} "
                 "was expected)") if kinds_differ else ""
        return (f"the shape {expected_array.shape} is right, but {int((~close).sum()):,} of the "
                f"{expected_array.size:,} values differ, the first at index {list(where)}: "
                f"expected {expected_array[where]:.6g}, got {got_array[where]:.6g}{kinds}")
    return None


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
    hint: "str | Hint" = "",
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
            # The slip's own NaN (Adam's v from g, not g**2: the root of a negative number) is
            # the learner's too: it matches, and computing it here warns nobody.
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                wrong = wrong(**_fresh(arguments))
        if same(got, wrong, atol, rtol, equal_nan=True) is None:
            shown = _shown(arguments) if shown is None else shown
            fields = {k: _Field(v) for k, v in arguments.items()}
            fields |= {"call": f"{name}({shown})", "name": name, "got": _Field(got),
                       "expected": _Field(expected)}
            if "{hint}" in said + message:  # a staged hint counts as shown only when it is
                fields["hint"] = hint_text(hint)
            return (said + message).format(**fields)
    return None


def check_function(
    learner: Callable,
    reference: Callable,
    cases: Iterable[dict[str, Any]],
    *,
    name: str | None = None,
    hint: "str | Hint" = "",
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
    array as it was (``changed_hint`` says why that matters). While the learner's function
    is an untouched stub, the reference stands in for it (or ``reference.stand_in``, for a
    reference that only hands out precomputed answers).
    """
    name = name or getattr(learner, "__name__", "your function")
    cases, slips = list(cases), list(slips)
    for case in cases:
        shown = _shown(case)
        expected = reference(**_fresh(case))
        given = _fresh(case)  # the reference's inputs and the case stay as they were
        got = call_learner(learner, given, name=name, shown=shown, hint=hint, none_ok=expected is None,
                           reference=getattr(reference, "stand_in", reference))
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
            if slip is None:
                slip = f"`{name}({shown})`: {why}." + (f"\nHint: {hint_text(hint)}" if hint else "")
            raise ExerciseFailed(slip)
        for arg in unchanged:
            if not np.array_equal(np.asarray(given[arg]), np.asarray(case[arg])):
                raise ExerciseFailed(
                    f"`{name}({shown})` returns the right values, but it also changed the array `{arg}` "
                    f"that was passed in: afterwards it held {describe(given[arg])}. {changed_hint}"
                )
    praise(f"`{name}` is correct on all {len(cases)} test cases.")


def check_value(got: Any, expected: Any, *, what: str, hint: "str | Hint" = "", atol: float = 1e-6,
                rtol: float = 1e-5) -> None:
    """Check a single answer (a number, an array) rather than a function."""
    if (why := same(got, expected, atol, rtol)) is not None:
        raise ExerciseFailed(f"{what}: {why}." + (f"\nHint: {hint_text(hint)}" if hint else ""))
    praise(f"{what}: correct.")
