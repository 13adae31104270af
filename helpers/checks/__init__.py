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

Also, for every check: the marks are a green ✓ and a red "✗ Not yet:" (symbols DejaVu
Sans draws, so no emoji font is needed, and a word as well as a colour); a :class:`Hint`
comes in two stages (a pointer first, the full recipe after a second failure or with
``recipe(name)``); an answer of the wrong kind (text for a number, a list, a set, a dict
or a generator for an array) is named as such (:func:`wrong_kind`); and a learner's
function that runs longer than :data:`TIME_LIMIT` seconds is stopped with a hint.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import inspect
import re
import signal
import textwrap
import threading
import warnings
from collections import Counter
from typing import Any, Callable, Iterable

import numpy as np

from helpers.source import function_source


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


def _wrapped(line: str) -> list[str]:
    return textwrap.wrap(line, WIDTH, break_long_words=False, break_on_hyphens=False) or [""]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def marked(mark: str, text: str) -> list[str]:
    """``text`` wrapped at WIDTH, its first line after ``mark`` (whose width counts too)."""
    lines = text.splitlines() or [""]
    first = textwrap.wrap(lines[0], WIDTH, initial_indent=" " * (len(_ANSI.sub("", mark)) + 1),
                          break_long_words=False, break_on_hyphens=False) or [""]
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
    """A hint in two stages: a pointer to the idea the first time a check fails, the full
    recipe from the second failure on (or at once, with ``recipe(exercise)``).

    Pass one as ``hint=`` to :func:`check_function` or :func:`call_learner`; a plain string
    hint is shown whole every time."""

    def __init__(self, exercise: str, pointer: str, recipe: str) -> None:
        self.exercise, self.pointer, self.recipe = exercise, pointer, recipe
        HINTS[exercise] = self

    def text(self) -> str:
        """The hint to show now; showing it counts as one failure, unless the answer is the
        same as at the last failure (the same cell run again, or Run All twice)."""
        attempt = _attempt.get(None)
        if attempt is None or _last_attempt.get(self.exercise) != attempt:
            _shown_hints[self.exercise] += 1
            _last_attempt[self.exercise] = attempt
        if _shown_hints[self.exercise] == 1:
            return (f"{self.pointer}\n(Stuck? Change your code and run the check again: a second "
                    f"failure shows the full recipe. Or see it now: `check.recipe(\"{self.exercise}\")`.)")
        return self.recipe

    def __str__(self) -> str:
        return self.text()


def hint_text(hint: "str | Hint") -> str:
    """The text of ``hint`` as it should be shown now (a plain string as it is)."""
    return hint.text() if isinstance(hint, Hint) else hint


def recipe(exercise: str) -> None:
    """Print the full recipe of an exercise's hint, e.g. ``recipe("half_adder")``."""
    if exercise not in HINTS:
        names = ", ".join(f'"{name}"' for name in HINTS) or "none yet"
        raise ExerciseFailed(f"No exercise is called {exercise!r}. The exercises with a recipe: {names}.")
    _shown_hints[exercise] = max(_shown_hints[exercise], 1)
    print(f"Recipe for `{exercise}`: {HINTS[exercise].recipe}")


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
        return np.array2string(value, precision=4, separator=", ", suppress_small=True)
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


def same(got: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-5) -> str | None:
    """None if ``got`` matches ``expected``; otherwise what is different, in words."""
    if isinstance(expected, tuple | list) and not isinstance(expected, np.ndarray):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            return f"expected {len(expected)} values, got {describe(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            if (why := same(g, e, atol, rtol)) is not None:
                return f"item {i}: {why}"
        return None
    if (why := wrong_kind(got, expected)) is not None:
        return why
    try:
        got_array, expected_array = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        try:
            equal = bool(got == expected)
        except Exception:  # e.g. an array compared with an object: "truth value is ambiguous"
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
    close = np.isclose(got_array, expected_array, atol=atol, rtol=rtol)
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


@contextlib.contextmanager
def warnings_as_errors():
    """Any warning raised inside (NumPy's overflow, 0/0...) becomes an error, which the check
    reports: "raised RuntimeWarning: overflow encountered in exp" names the problem exactly,
    where the value alone may even look right (1/(1+inf) = 0). Underflow to 0 is fine."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # NumPy's defaults, in case a global np.seterr turned them off
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            yield


def takes_names(function: Callable, arguments: dict) -> bool:
    """True if ``function`` has a parameter for every name in ``arguments`` (so it can be called by name)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # some built-ins have no signature
        return False
    return set(arguments) <= set(parameters)


# A learner's function that has not answered after this many seconds is stopped (where the
# platform allows: a timer signal, on Linux and macOS); elsewhere a note says how to stop it.
TIME_LIMIT = 10.0


class _TimeUp(BaseException):
    """Raised inside a learner's function that ran out of time (a BaseException, so that
    the learner's own `except Exception:` cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None, name: str):
    can_stop = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not seconds or not can_stop:
        # Without a timer signal, say after a while how to stop a function that never ends.
        note = threading.Timer(seconds or TIME_LIMIT, print, [
            f"`{name}` is still running after {seconds or TIME_LIMIT:g} seconds: a loop that never ends? "
            "Stop it with the stop button (or Kernel > Interrupt), then look at your loops."])
        note.daemon = True
        note.start()
        try:
            yield
        finally:
            note.cancel()
        return

    def time_up(signum, frame):
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, time_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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


def _hint_for_error(err: Exception) -> str | None:
    """A hint for the errors whose own words do not say what to do; None for the others."""
    if isinstance(err, NameError) and getattr(err, "name", None):
        return (f"`{err.name}` is not defined where your function runs. Is it spelled the same everywhere? "
                f"If it comes from an import or an earlier cell (like `from ... import {err.name}` at the top "
                "of the exercise cell), run that line first.")
    if isinstance(err, ValueError) and "truth value of an array" in str(err):
        return ("an `if`, `and`, `or` or `while` was given a whole array: NumPy cannot say whether an array is "
                "true. For a choice per entry use np.where(condition, value_if_true, value_if_false).")
    return None


# --- exercises not begun ------------------------------------------------------------------

# The mark of an exercise not begun: not a failure, so no red; DejaVu Sans draws the circle.
NOT_DONE = "○ Not done yet:"
STAND_IN = "_digits_stand_in"  # set on the course's version while it stands in for a stub


class ExerciseNotDone(ExerciseFailed):
    """The exercise is not begun: the learner's function is still the stub (it raises
    NotImplementedError) or an answer is still ``...``.

    ``stand_ins`` maps names in the learner's notebook to the course's answers; the check
    puts them in place of the stubs (see :func:`kindly`), so the rest of the notebook runs."""

    def __init__(self, message: str, stand_ins: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.stand_ins = dict(stand_ins or {})


def stub_message(name: str) -> str:
    return f"`{name}` still has its `raise NotImplementedError` line: write your code in its place."


def stand_in(learner: Callable, reference: Callable) -> Callable:
    """The course's ``reference``, callable like the learner's function (same name and
    parameters), marked so that a check never takes it for the learner's own work."""
    try:
        signature = inspect.signature(learner)
    except (TypeError, ValueError):
        signature = None
    try:
        taken = inspect.signature(reference).parameters
    except (TypeError, ValueError):
        taken = {}
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in taken.values())

    def course_version(*args, **kwargs):
        if signature is None:
            return reference(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = {k: v for k, v in bound.arguments.items() if takes_any or k in taken}
        if len(arguments) < len(taken) - sum(p.default is not inspect.Parameter.empty for p in taken.values()):
            return reference(*bound.arguments.values())  # the reference names its parameters otherwise
        return reference(**arguments)

    course_version.__name__ = course_version.__qualname__ = getattr(learner, "__name__", "course_version")
    course_version.__doc__ = f"The course's own version, standing in until you write yours.\n\n{learner.__doc__ or ''}"
    if signature is not None:
        course_version.__signature__ = signature
    setattr(course_version, STAND_IN, True)
    return course_version


def is_stand_in(value: Any) -> bool:
    return bool(getattr(value, STAND_IN, False))


def _put_in_place(stand_ins: dict[str, Any], namespace: dict, stubs: tuple) -> list[str]:
    """Bind each stand-in in the learner's ``namespace`` where that name still holds one of
    the ``stubs`` given to the check (or ``...``); the names bound."""
    placed = []
    for name, value in stand_ins.items():
        now = namespace.get(name, None)
        if name in namespace and (now is Ellipsis or is_stand_in(now) or any(now is s for s in stubs)):
            namespace[name] = value
            placed.append(name)
    return placed


def fingerprint(values: tuple) -> str:
    """What identifies a learner's answer: a function's source (or compiled code), else the
    value's description. The same answer checked again gives the same fingerprint."""
    parts = []
    for value in values:
        if inspect.isfunction(value):
            code = value.__code__
            parts.append(function_source(value) or repr((code.co_code, code.co_consts, code.co_names)))
        elif isinstance(value, np.ndarray):  # by its numbers: a large one's description is only its shape
            parts.append(f"{value.shape}{value.dtype}" + hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest())
        else:
            parts.append(describe(value) if not isinstance(value, str) else value)
    return "\x00".join(parts)


def kindly(check: Callable) -> Callable:
    """``check``, but an exercise not begun is no failure: it says so kindly and lets the
    course's answer stand in for the stub, so that a learner who skips an exercise can run
    the rest of the notebook (and Run All does not stop). A stand-in given to the check
    again is still "not done", never praised."""

    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        given = args + tuple(kwargs.values())
        caller = inspect.currentframe().f_back
        namespace = caller.f_globals if caller is not None else {}
        token = _attempt.set(fingerprint(given))
        try:
            if any(is_stand_in(v) for v in given):
                name = next(v.__name__ for v in given if is_stand_in(v))
                raise ExerciseNotDone(stub_message(name))
            return check(*args, **kwargs)
        except ExerciseNotDone as err:
            placed = _put_in_place(err.stand_ins, namespace, given)
            text = str(err)
            if placed:
                names = " and ".join(f"`{n}`" for n in placed)
                text += (f" Until then the course's own {names} stand{'s' if len(placed) == 1 else ''} in for "
                         "yours, so the rest of the notebook runs. When yours is written, run its cell and this "
                         "check again.")
            elif any(is_stand_in(v) for v in given):
                text += " (The course's version is standing in for it meanwhile, so the rest of the notebook runs.)"
            else:
                text += " The rest of the notebook runs without it; come back to it when you like."
            print("\n".join(marked(NOT_DONE, text)))
            return None
        finally:
            _attempt.reset(token)
            del caller

    return wrapper


def whose(what: str, *functions: Callable) -> str:
    """"your backprop", or, where the course's version stands in for some of ``functions``
    (exercises skipped), "backprop (with the course's `f` standing in for yours)": for the
    notebook's words about the learner's work to stay true."""
    standing = [f"`{f.__name__}`" for f in functions if is_stand_in(f)]
    if not standing:
        return f"your {what}"
    names = standing[0] if len(standing) == 1 else ", ".join(standing[:-1]) + " and " + standing[-1]
    return f"{what} (with the course's {names} standing in for yours)"


def kindly_all(namespace: dict) -> None:
    """Wrap every check of a lesson's module with :func:`kindly`: call it at the end of the
    module as ``kindly_all(globals())``. A check is a public function defined there."""
    for name, value in list(namespace.items()):
        if (inspect.isfunction(value) and not name.startswith("_") and value.__module__ == namespace["__name__"]
                and not name.endswith("_cases")):
            namespace[name] = kindly(value)


def call_learner(
    learner: Callable,
    arguments: dict,
    *,
    name: str | None = None,
    shown: str | None = None,
    hint: "str | Hint" = "",
    error_hints: dict[type[BaseException], str] | None = None,
    none_ok: bool = False,
    time_limit: float | None = None,
    reference: Callable | None = None,
) -> Any:
    """Call a learner's function with ``arguments`` and return its answer; stop with
    :class:`ExerciseFailed` in words if the call goes wrong.

    The call is by name where the function's parameters have the exercise's names, else
    by position. "In words" means: not a function, not written yet, a wrong number of
    parameters, an error inside (named with its exception, then ``hint``, or the hint
    that ``error_hints`` gives for that kind of error), no answer within ``time_limit``
    seconds (:data:`TIME_LIMIT` by default) or interrupted, or None returned (unless
    ``none_ok``). ``shown`` is how the call's inputs are written in a message
    (``x=3, w=[1., 2.]`` by default).
    """
    name = name or getattr(learner, "__name__", "your function")
    if not callable(learner):
        raise ExerciseFailed(f"`{name}` should be a function, but it is {kind_of(learner)}.")
    shown = _shown(arguments) if shown is None else shown
    limit = TIME_LIMIT if time_limit is None else time_limit
    endless = ("A loop that never ends? Look at each `while` loop: does its condition ever become false? "
               "Does every pass of the loop change what the condition tests?")
    try:
        with _time_limit(limit, name):
            got = _invoke(learner, arguments)
    except NotImplementedError:
        raise ExerciseNotDone(stub_message(name), {name: stand_in(learner, reference)} if reference else {}) from None
    except _TimeUp:
        raise ExerciseFailed(f"`{name}({shown})` did not finish within {limit:g} seconds, so the check stopped "
                             f"it. {endless}") from None
    except KeyboardInterrupt:
        raise ExerciseFailed(f"`{name}({shown})` was interrupted before it finished. If it seemed to run "
                             f"forever: {endless}") from None
    except Exception as err:  # the learner's bug: report it in words
        if isinstance(err, TypeError) and "positional argument" in str(err) and _raised_by_the_call(err):
            raise ExerciseFailed(
                f"`{name}` should take {len(arguments)} input(s), ({', '.join(arguments)}), "
                f"but calling it that way failed: {err}. Keep the `def` line as the exercise gives it."
            ) from None
        why = next((h for kind, h in (error_hints or {}).items() if isinstance(err, kind)), None)
        why = _hint_for_error(err) if why is None else why
        why = hint_text(hint) if why is None else why
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
            wrong = wrong(**_fresh(arguments))
        if same(got, wrong, atol, rtol) is None:
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
