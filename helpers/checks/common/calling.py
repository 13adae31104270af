"""Calling a learner's function: by name where its parameters have the exercise's names,
else by position; stopped after :data:`TIME_LIMIT` seconds; what went wrong put into words."""

from __future__ import annotations

import contextlib
import inspect
import signal
import threading
import warnings
from typing import Any, Callable

import numpy as np

from helpers.checks.common.messages import ExerciseFailed, Hint, describe, hint_text, kind_of
from helpers.checks.common.stand_ins import ExerciseNotDone, stand_in, stub_message


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
