"""Show the real source of a helper in a notebook, so the lesson and the package agree."""

from __future__ import annotations

import inspect
from pathlib import Path

import helpers

PACKAGE_ROOT = Path(helpers.__file__).resolve().parent.parent


def source_of(obj) -> str:
    """The source code of a function or class, headed by the file it lives in."""
    path = Path(inspect.getsourcefile(obj)).resolve()
    try:
        where = path.relative_to(PACKAGE_ROOT).as_posix()
    except ValueError:  # installed elsewhere: the file name still tells the reader where
        where = path.name
    # No line number: it would change (and fail the notebook's nbval test) whenever
    # anything above the function is edited.
    return f"# from {where}\n" + inspect.getsource(obj)


def show_source(obj) -> None:
    """Print the source of ``obj`` (a function, class or method from ``helpers``)."""
    print(source_of(obj))
