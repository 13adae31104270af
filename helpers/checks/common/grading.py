"""A check as an autograder's test: :func:`graded` passes only for the learner's own, finished work.

The checks in a notebook are kind: an exercise not begun prints "Not done yet" and lets the
course's version stand in, so Run All goes on. An autograder (nbgrader's hidden test cells, in
the edition ``python -m helpers student_edition --nbgrader`` writes) must not be kind: it fails
for an untouched stub, for the course's stand-in, for the course's own function imported under
the exercise's name or called from the learner's, and for a wrong answer (the check's message).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any, Callable

from helpers.checks.common.messages import ExerciseFailed
from helpers.checks.common.stand_ins import ExerciseNotDone, is_stand_in

PACKAGE = str(Path(__file__).resolve().parents[2])  # the helpers package: the course's own code


def course_functions(name: str) -> set:
    """The code objects of every function of the course (loaded modules of ``helpers``) called ``name``."""
    found = set()
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("helpers.") and isinstance(module, types.ModuleType):
            value = vars(module).get(name)
            if isinstance(value, types.FunctionType):
                found.add(value.__code__)
    return found


def not_own(value: Any, name: str, is_learners: Callable[[types.CodeType], bool]) -> str | None:
    """Why ``value`` (given to a check as ``name``) is not the learner's own work; None if it is."""
    if value is Ellipsis:
        return f"`{name}` is still `...`"
    if not callable(value):
        return None
    if is_stand_in(value):
        return f"`{name}` is the course's stand-in, not your own"
    if not isinstance(value, types.FunctionType) or not is_learners(value.__code__):
        return f"`{name}` is not a function written in the exercise's cell (the course's own, or one imported)"
    return None


def call_check(check: Callable, args: tuple, kwargs: dict, is_learners: Callable[[types.CodeType], bool]) -> list[str]:
    """Call ``check`` (undecorated: "not done" raises ExerciseNotDone) on the learner's answer,
    watching calls from the learner's code into the course's functions of the same names; the
    names of those it called (then the work is the course's, whatever the check said)."""
    names = [a.__name__ for a in (*args, *kwargs.values()) if isinstance(a, types.FunctionType)]
    forbidden = set().union(set(), *(course_functions(n) for n in names))
    called: list[str] = []

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in forbidden:
            caller = frame.f_back
            if caller is not None and is_learners(caller.f_code):
                called.append(frame.f_code.co_name)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        getattr(check, "__wrapped__", check)(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return called


def in_notebook(code: types.CodeType) -> bool:
    """Code from a notebook's cell: not from a file of the course, nor of Python or a library."""
    filename = code.co_filename
    return not filename.startswith((PACKAGE, sys.prefix, sys.base_prefix)) and not filename.startswith("<frozen")


def graded(check: Callable, *args: Any, **kwargs: Any) -> None:
    """An autograder's test of one exercise: None if the learner's own answer passes the check;
    an AssertionError (not done, the course's work) or the check's ExerciseFailed (wrong) if not."""
    for position, value in enumerate((*args, *kwargs.values())):
        why = not_own(value, getattr(value, "__name__", f"answer {position + 1}"), in_notebook)
        if why:
            raise AssertionError(f"Not done: {why}.")
    try:
        called = call_check(check, args, kwargs, in_notebook)
    except ExerciseNotDone as err:
        raise AssertionError(f"Not done: {err}") from None
    except ExerciseFailed:
        raise
    if called:
        raise AssertionError(f"Not done: it calls the course's own `{called[0]}` rather than doing the work itself.")
