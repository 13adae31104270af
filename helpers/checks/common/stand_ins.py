"""Exercises not begun: a check of a stub says "Not done yet" (no failure) and puts the
course's own version in its place, so the rest of the notebook runs (:func:`kindly`)."""

from __future__ import annotations

import functools
import hashlib
import inspect
from typing import Any, Callable

import numpy as np

from helpers.checks.common.messages import ExerciseFailed, _attempt, describe, marked
from helpers.source import function_source


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
