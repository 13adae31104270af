"""The words of every check: the marks, praise, the failure a learner sees (without a
traceback), hints in stages, and values and their kinds described in words."""

from __future__ import annotations

import contextvars
import inspect
import re
import textwrap
from collections import Counter
from typing import Any

import numpy as np

# The marks: symbols that DejaVu Sans draws (no emoji font needed), with a word and a colour
# as well, so that neither the symbol nor the colour alone has to carry the meaning.
GREEN, RED, RESET = "\x1b[1;32m", "\x1b[1;31m", "\x1b[0m"
PASSED = f"{GREEN}✓{RESET}"
FAILED = f"{RED}✗ Not yet:{RESET}"

# Long messages are wrapped at spaces, so that the browser never breaks a word in two.
WIDTH = 100


def praise(text: str) -> None:
    """Print the one line of praise of a passed check: a green tick, then ``text``."""
    print(f"{PASSED} {text}")


# A short array, list or bracketed piece of code in a message, "[[ 0.  ,  0.25, -2.  ]]" or
# "(1 - beta2)", is kept on one line: broken at one of its spaces, the next line would start
# with ", 2." or "- beta2" (issue 20, seen in the browser). Longer groups may break, but the
# short groups inside them still hold together.
_GLUE, _KEEP_TOGETHER = "\x00", 60
_OPEN, _CLOSE = "[(", {"]": "[", ")": "("}


def _glued(line: str) -> str:
    """``line`` with the spaces inside each bracketed group of up to _KEEP_TOGETHER characters
    replaced by a character that textwrap does not break at."""
    out, stack, start = [], [], 0
    for i, char in enumerate(line):
        if char in _OPEN:
            if not stack:
                out.append(line[start:i])
                start = i
            stack.append(char)
        elif char in _CLOSE and stack and stack[-1] == _CLOSE[char]:
            stack.pop()
            if not stack:
                group = line[start:i + 1]
                short = len(group) <= _KEEP_TOGETHER
                out.append(group.replace(" ", _GLUE) if short else group[0] + _glued(group[1:-1]) + group[-1])
                start = i + 1
    out.append(line[start:] if not stack else line[start]  + _glued(line[start + 1:]))
    return "".join(out)


def _wrap(line: str, **indent) -> list[str]:
    lines = textwrap.wrap(_glued(line), WIDTH, break_long_words=False, break_on_hyphens=False, **indent)
    return [piece.replace(_GLUE, " ") for piece in lines]


def _wrapped(line: str) -> list[str]:
    return _wrap(line) or [""]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def marked(mark: str, text: str) -> list[str]:
    """``text`` wrapped at WIDTH, its first line after ``mark`` (whose width counts too)."""
    lines = text.splitlines() or [""]
    first = _wrap(lines[0], initial_indent=" " * (len(_ANSI.sub("", mark)) + 1)) or [""]
    first[0] = f"{mark} {first[0].lstrip()}"
    return first + [wrapped for line in lines[1:] for wrapped in _wrapped(line)]


class ExerciseFailed(AssertionError):
    """Raised by a check that failed; its message is written for the learner."""

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return marked(FAILED, str(self))


# --- hints in two stages -----------------------------------------------------------------

HINTS: dict[str, "Hint"] = {}  # every staged hint by its exercise's name, for recipe()
_shown_hints: Counter = Counter()  # how often each exercise's hint has been shown
_last_attempt: dict[str, str] = {}  # the answer each hint was last shown for (see fingerprint)
_attempt: contextvars.ContextVar = contextvars.ContextVar("attempt")  # the answer being checked now


class Hint:
    """A hint in stages, as course platforms that keep solutions folded away do: a pointer
    to the idea the first time a check fails; from the second failure on, the next step (the
    equation or the part of the answer to look at); the whole solution only when the learner
    asks, ``solution(exercise)``. Every exercise of the course has all three; a hint without a
    ``step`` has two stages: the pointer, then the recipe from the second failure on.

    Pass one as ``hint=`` to :func:`check_function` or :func:`call_learner`; a plain string
    hint is shown whole every time."""

    def __init__(self, exercise: str, pointer: str, recipe: str, step: str | None = None) -> None:
        self.exercise, self.pointer, self.recipe, self.step = exercise, pointer, recipe, step
        HINTS[exercise] = self

    def text(self) -> str:
        """The hint to show now; showing it counts as one failure, unless the answer is the
        same as at the last failure (the same cell run again, or Run All twice)."""
        attempt = _attempt.get(None)
        if attempt is None or _last_attempt.get(self.exercise) != attempt:
            _shown_hints[self.exercise] += 1
            _last_attempt[self.exercise] = attempt
        if self.step is None:
            if _shown_hints[self.exercise] == 1:
                return (f"{self.pointer}\n(Stuck? Change your code and run the check again: a second "
                        f"failure shows the full recipe. Or see it now: `check.recipe(\"{self.exercise}\")`.)")
            return self.recipe
        ask = f"`check.solution(\"{self.exercise}\")`"
        if _shown_hints[self.exercise] == 1:
            return (f"{self.pointer}\n(Stuck? Change your code and run the check again: a second failure shows "
                    f"the next step. The whole solution, only if you want it: {ask}.)")
        return f"{self.step}\n(The whole solution, only if you want it: {ask}.)"

    def __str__(self) -> str:
        return self.text()


def hint_text(hint: "str | Hint") -> str:
    """The text of ``hint`` as it should be shown now (a plain string as it is)."""
    return hint.text() if isinstance(hint, Hint) else hint


def solution(exercise: str) -> None:
    """Print the whole solution of an exercise (its hint's recipe), e.g. ``solution("half_adder")``."""
    if exercise not in HINTS:
        names = ", ".join(f'"{name}"' for name in HINTS) or "none yet"
        raise ExerciseFailed(f"No exercise is called {exercise!r}. The exercises with a recipe: {names}.")
    _shown_hints[exercise] = max(_shown_hints[exercise], 1)
    print(f"Solution of `{exercise}`: {HINTS[exercise].recipe}")


recipe = solution  # its name in notebooks written before the solution was folded away


def reset_hints(shown: int = 0) -> None:
    """Forget which hints were shown: every check starts again with its pointer (or, with
    ``shown=1``, as if each had failed once: the next failure shows the recipe)."""
    _shown_hints.clear()
    _last_attempt.clear()
    for exercise in HINTS if shown else ():
        _shown_hints[exercise] = shown


def describe(value: Any, *, dtype: bool = True) -> str:
    """A short, readable description of a value for a feedback message (``dtype=False``:
    a large array without its dtype)."""
    if isinstance(value, np.ndarray):
        if value.size > 12:
            return f"an array of shape {value.shape}" + (f" and dtype {value.dtype}" if dtype else "")
        if value.size == 0:  # "[]" says neither that it is empty nor its shape
            return f"an empty array of shape {value.shape}"
        text = np.array2string(value, precision=4, separator=", ", suppress_small=True)
        return " ".join(row.strip() for row in text.splitlines())  # [[8, 2], [1, 9]]: on one line, in a sentence
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    if isinstance(value, np.bool_ | bool):
        return repr(bool(value))
    if isinstance(value, np.integer | int):
        return f"{int(value):,}"  # 79,510, as the course writes big numbers
    if inspect.isgenerator(value):
        return "a generator"
    if isinstance(value, list | tuple) and value and all(isinstance(v, np.generic) for v in value):
        value = type(value)(v.item() for v in value)  # [6.0, -16.0], not [np.float64(6.0), ...]
    if isinstance(value, list | tuple) and value and all(isinstance(v, float) for v in value):
        inner = ", ".join(_short_float(v) for v in value)  # (0.0571429, 0.333333), not 17 digits each
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    if callable(value):
        return getattr(value, "__name__", "a function")
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _short_float(v: float) -> str:
    """A float in 6 significant digits that still reads as a float: 2.0, not 2."""
    text = f"{v:.6g}"
    return text if any(c in text for c in ".en") else text + ".0"


def kind_of(value: Any) -> str:
    """What kind of thing ``value`` is, in words: "a string, '0.75'", "a NumPy array of shape (3,)"."""
    if isinstance(value, np.ndarray):
        return "one number (a 0-d array)" if value.ndim == 0 else f"a NumPy array of shape {value.shape}"
    if isinstance(value, bool | np.bool_):
        return f"True/False ({value})"
    if isinstance(value, int | float | np.number):
        return f"a number, {describe(value)}"
    if isinstance(value, str | bytes):
        return f"a string, {describe(value)}"
    if inspect.isgenerator(value):
        return "a generator (a function with `yield`, or `(... for ...)` in round brackets)"
    for kinds, words in ((dict, "a dict"), (set | frozenset, "a set"), (list, "a Python list"), (tuple, "a tuple")):
        if isinstance(value, kinds):
            return f"{words}, {describe(value)}"
    if isinstance(value, range | map | filter | zip):
        return f"a lazy `{type(value).__name__}` object"
    return f"a {type(value).__name__} object"
