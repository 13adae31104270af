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


ENGINE = ("activations", "costs", "data", "gradcheck", "images", "layers", "metrics", "network", "optimizers",
          "training")


def course_code() -> dict:
    """{code object: name} of every function and method of the course's loaded modules, of its
    engine and of the lessons whose checks are loaded: taken when this module is imported, before
    a learner's cell runs, so that a cell that rebinds a module's attribute (functools.partial)
    hides nothing."""
    import importlib
    wanted = [f"helpers.{name}" for name in ENGINE]
    wanted += [f"helpers.lessons.{name.rsplit('.', 1)[1]}" for name in list(sys.modules)
               if name.startswith("helpers.checks.") and name.count(".") == 2 and name != "helpers.checks.common"]
    for name in wanted:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    codes = {}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("helpers.") or not isinstance(module, types.ModuleType):
            continue
        for value in list(vars(module).values()):
            members = [value] + (list(vars(value).values()) if isinstance(value, type)
                                 and str(getattr(value, "__module__", "")).startswith("helpers.") else [])
            for member in members:
                member = getattr(member, "__func__", member)
                if isinstance(member, types.FunctionType):
                    codes[member.__code__] = member.__name__
    return codes


COURSE = course_code()


def course_functions(name: str) -> set:
    """The code objects of every function or method of the course called ``name`` (or, for
    ``my_softmax``, ``softmax``): those taken at import, and those of modules loaded since."""
    names = {name, name[3:] if name.startswith("my_") else name}
    found = {code for code, n in COURSE.items() if n in names}
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("helpers.") and isinstance(module, types.ModuleType):
            for n in names:
                value = vars(module).get(n)
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


CHECKING = (str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2] / "cli"))


def learner_called(frame, is_learners: Callable[[types.CodeType], bool]) -> bool:
    """True if the call in ``frame`` comes from the learner's code, directly or through other
    code (NumPy's apply_along_axis, the course's own Network.SGD): the frames above it are
    walked up to the learner's or to the check's (helpers/checks, helpers/cli), whichever is
    first. The check calling the course's reference is not the learner's doing."""
    caller = frame.f_back
    while caller is not None:
        if is_learners(caller.f_code):
            return True
        if caller.f_code.co_filename.startswith(CHECKING):
            return False
        caller = caller.f_back
    return False


def call_check(check: Callable, args: tuple, kwargs: dict, is_learners: Callable[[types.CodeType], bool]) -> list[str]:
    """Call ``check`` (undecorated: "not done" raises ExerciseNotDone) on the learner's answer,
    watching calls from the learner's code into the course's functions of the same names; the
    names of those it called (then the work is the course's, whatever the check said)."""
    names = [a.__name__ for a in (*args, *kwargs.values()) if isinstance(a, types.FunctionType)]
    names.append(getattr(check, "__name__", ""))  # check.softmax(my_softmax): the course's softmax
    forbidden = set().union(set(), *(course_functions(n) for n in names))
    called: list[str] = []

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in forbidden and learner_called(frame, is_learners):
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
