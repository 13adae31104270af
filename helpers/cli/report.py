"""A teacher's progress report: which exercises each student has done, got wrong, or not begun.

    python -m helpers report FOLDER [--timeout 30] [--jobs 2] [--json]

FOLDER holds the notebooks collected from the students (the student edition, filled in):
either one folder per student (``FOLDER/alice/02_perceptrons.ipynb``), or the notebooks
side by side, named after the student (``FOLDER/alice_02_perceptrons.ipynb``). Each
notebook runs in a fresh kernel, on a copy in a temporary folder (the students' files are
only read, never changed), from the top down to its last exercise. An exercise is a
``### Exercise N — ...`` heading and the code cell after it that calls its check; its
result is

- **done**: the check passed;
- **not done**: the stub is untouched (it still raises NotImplementedError, or an answer
  is still ``...``): the check says "Not done yet"; "started" in the reasons when the
  learner wrote code above a ``raise NotImplementedError`` line left in place;
- **wrong**: the check failed (with the check's one-line reason), the cell raised an error,
  or it ran longer than ``--timeout`` seconds (a loop that never ends?);
- **not checked**: the check cell is missing, or the notebook never got that far.

An exercise cell gets ``--timeout`` seconds (the checks also stop a learner's function
after 20 s); the lesson's other cells, which may train a network, get ``--setup-timeout``.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from helpers.checks import NOT_DONE  # how a check begins when the exercise is not begun
from helpers.source import raises_not_implemented

EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+)\b\s*[—–-]*\s*(.*)$", re.M)
LESSON = re.compile(r"(\d\d)_[A-Za-z0-9_]+")
MARK = "application/x-digits-report+json"  # what the kernel tells us about an error
STUB = re.compile(r"^[ \t]*raise NotImplementedError\b", re.M)  # the stub's line, still there
ANSI = re.compile(r"\x1b\[[0-9;]*m")
STATUSES = ("done", "not done", "wrong", "not checked")

# Run first in every kernel: an error from a check (or a stub) also says whether a
# NotImplementedError is behind it, which is how an untouched stub shows, whatever the
# check's words. The error is shown as usual.
PREAMBLE = r'''
def _digits_report_error(shell, etype, value, tb, tb_offset=None):
    from IPython.display import publish_display_data
    seen, error, not_done = set(), value, False
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        not_done = not_done or isinstance(error, NotImplementedError)
        error = error.__cause__ or error.__context__
    publish_display_data({"%s": {"not_done": not_done}})
    if hasattr(value, "_render_traceback_"):
        stb = value._render_traceback_()
    else:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    shell._showtraceback(etype, value, stb)  # IPython leaves showing the error to the handler

try:
    from helpers.checks import ExerciseFailed as _ExerciseFailed
    get_ipython().set_custom_exc((_ExerciseFailed, NotImplementedError), _digits_report_error)
except ImportError:
    get_ipython().set_custom_exc((NotImplementedError,), _digits_report_error)
''' % MARK


@dataclass
class Exercise:
    key: str  # "02.3": lesson 02, exercise 3
    title: str  # "a half adder from NANDs"
    cell: int | None  # the index of its check cell in the notebook, if there is one


@dataclass
class Result:
    status: str  # one of STATUSES
    reason: str = ""


def exercises(notebook: dict, lesson: str) -> list[Exercise]:
    """The exercises of a notebook (as JSON), in order, each with the code cell that checks it."""
    found, cells = [], notebook.get("cells", [])
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        for match in EXERCISE.finditer(source(cell)):
            check_cell = None
            for later in range(index + 1, len(cells)):
                other = cells[later]
                if other.get("cell_type") == "markdown" and EXERCISE.search(source(other)):
                    break
                if other.get("cell_type") == "code" and re.search(r"\bcheck\.\w+\(", source(other)):
                    check_cell = later
                    break
            title = match.group(2).strip().strip("`") or f"Exercise {match.group(1)}"
            found.append(Exercise(f"{lesson}.{match.group(1)}", title, check_cell))
    return found


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def first_line(text: str) -> str:
    lines = [line.strip() for line in ANSI.sub("", text).splitlines() if line.strip()]
    return lines[0] if lines else ""


def started(code: str) -> bool:
    """True if a stub function in ``code`` has lines of the learner's own besides its
    ``raise NotImplementedError`` (and its docstring): begun, but not finished."""
    try:
        tree = ast.parse("\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        raises = [s for s in body if raises_not_implemented(s)]
        if raises and len(body) > len(raises):
            return True
    return False


def not_done_result(cell: dict) -> Result:
    if started(source(cell)):
        return Result("not done", "started: code written, but its `raise NotImplementedError` line is still there")
    return Result("not done")


def judge(cell: dict, seconds: float, timeout: float) -> Result:
    """The result of an exercise from its check cell's outputs after the run."""
    outputs = cell.get("outputs", [])
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if errors:
        error = errors[0]
        marked = any(MARK in o.get("data", {}) for o in outputs if o.get("output_type") == "display_data")
        not_done = error.get("ename") == "NotImplementedError" or any(
            o.get("data", {}).get(MARK, {}).get("not_done") for o in outputs if o.get("output_type") == "display_data")
        if seconds >= timeout:
            return Result("wrong", f"stopped after {timeout:g} s: a loop that never ends?")
        # An untouched stub, or one the check read (rather than ran) and found wanting.
        if not_done or STUB.search(source(cell)):
            return not_done_result(cell)
        if error.get("ename") == "ExerciseFailed" or marked:
            return Result("wrong", first_line(error.get("evalue", "")) or "the check failed")
        why = first_line(error.get("evalue", ""))
        return Result("wrong", f"{error.get('ename', 'Error')}: {why}" if why else error.get("ename", "an error"))
    text = "".join(source({"source": o.get("text", "")}) for o in outputs if o.get("output_type") == "stream")
    if "✓" in text:
        return Result("done")
    if NOT_DONE in text:  # the check said so kindly (and let the course's version stand in)
        return not_done_result(cell)
    if seconds >= timeout:
        return Result("wrong", f"stopped after {timeout:g} s: a loop that never ends?")
    return Result("not checked", "the check printed no result")


async def check_notebook(path: Path, lesson: str, timeout: float, setup_timeout: float,
                         kernel_name: str = "python3") -> dict[str, tuple[Exercise, Result]]:
    """Run one student's notebook (a copy of it) in a fresh kernel; the result of each exercise."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    notebook = nbformat.read(path, as_version=4)
    found = exercises(notebook, lesson)
    results = {e.key: (e, Result("not checked", "no check cell after the exercise")) for e in found}
    checked = [e for e in found if e.cell is not None]
    if not checked:
        return results
    last = max(e.cell for e in checked)
    by_cell = {e.cell: e for e in checked}
    with tempfile.TemporaryDirectory(prefix="digits-report-") as tmp:
        shutil.copy(path, Path(tmp) / path.name)  # the kernel works beside a copy, never the original
        client = NotebookClient(notebook, kernel_name=kernel_name, allow_errors=True, interrupt_on_timeout=True,
                                timeout_func=lambda cell: timeout if cell.get("metadata", {}).get("_exercise")
                                else setup_timeout,
                                startup_timeout=120, resources={"metadata": {"path": tmp}})
        for index in by_cell:
            notebook.cells[index].metadata["_exercise"] = True
        async with client.async_setup_kernel(stderr=subprocess.DEVNULL):  # no kernel log lines
            await client.kc.execute_interactive(PREAMBLE, store_history=False, silent=True, timeout=60)
            for index, cell in enumerate(notebook.cells[: last + 1]):
                if cell.cell_type != "code":
                    continue
                limit = timeout if index in by_cell else setup_timeout
                started = time.monotonic()
                try:
                    # nbclient interrupts a cell that runs too long; a kernel that ignores the
                    # interrupt is stopped here, a little later.
                    await asyncio.wait_for(client.async_execute_cell(cell, index), limit + 15)
                except (asyncio.TimeoutError, DeadKernelError) as err:
                    why = ("it did not stop when interrupted" if isinstance(err, asyncio.TimeoutError)
                           else "the kernel died (out of memory, or the code ended Python)")
                    for e in checked:
                        if e.cell == index:
                            results[e.key] = (e, Result("wrong", f"cell {index}: {why}"))
                        elif e.cell > index:
                            results[e.key] = (e, Result("not checked", f"not reached: at cell {index}, {why}"))
                    return results
                if index in by_cell:
                    e = by_cell[index]
                    results[e.key] = (e, judge(cell, time.monotonic() - started, limit))
    return results


def student_notebooks(folder: Path) -> dict[str, dict[str, Path]]:
    """{student: {lesson number: notebook}}: one folder per student, or notebooks named after them."""
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):  # .ipynb_checkpoints and the like
            continue
        match = LESSON.search(path.stem)
        lesson = match.group(1) if match else path.stem
        if len(relative.parts) > 1:
            student = relative.parts[0]
        else:
            student = (path.stem[: match.start()] + path.stem[match.end():]).strip(" _-.") if match else path.stem
            student = student or path.stem
        found.setdefault(student, {})[lesson] = path
    return found


async def report(folder: Path, timeout: float = 30, setup_timeout: float = 600, jobs: int = 2) -> dict:
    """{student: {exercise key: (Exercise, Result)}} for every notebook in ``folder``."""
    students = student_notebooks(folder)
    limit = asyncio.Semaphore(max(1, jobs))

    async def one(student, lesson, path):
        async with limit:
            try:
                return student, await check_notebook(path, lesson, timeout, setup_timeout)
            except Exception as err:  # an unreadable notebook, a kernel that will not start
                problem = Exercise(f"{lesson}.?", path.name, None)
                return student, {problem.key: (problem, Result("not checked", f"{type(err).__name__}: {err}"))}

    results: dict[str, dict] = {student: {} for student in students}
    done = await asyncio.gather(*(one(s, lesson, p) for s, notebooks in students.items()
                                  for lesson, p in notebooks.items()))
    for student, found in done:
        results[student].update(found)
    return results


def _key(key: str):
    lesson, _, number = key.partition(".")
    return lesson, int(number) if number.isdigit() else 0


def table(results: dict) -> str:
    """The report as text: student x exercise, then what each exercise is, then the reasons."""
    keys = sorted({key for found in results.values() for key in found}, key=_key)
    titles = {key: exercise.title for found in results.values() for key, (exercise, _) in found.items()}
    width = max([len("student")] + [len(s) for s in results])
    column = max([len("not checked")] + [len(k) for k in keys])
    lines = ["student".ljust(width) + "  " + "  ".join(k.ljust(column) for k in keys)]
    for student in sorted(results):
        row = [results[student][k][1].status if k in results[student] else "-" for k in keys]
        lines.append(student.ljust(width) + "  " + "  ".join(r.ljust(column) for r in row))
    lines.append("")
    lines += [f"  {key}  {titles[key]}" for key in keys]
    reasons = [(s, k, r.reason) for s in sorted(results) for k, (_, r) in sorted(results[s].items(), key=lambda x: _key(x[0]))
               if r.status in ("wrong", "not checked", "not done") and r.reason]
    if reasons:
        lines += ["", "Why:"]
        lines += [f"  {student.ljust(width)}  {key.ljust(column)}  {reason}" for student, key, reason in reasons]
    counts = {status: sum(r.status == status for found in results.values() for _, r in found.values())
              for status in STATUSES}
    lines += ["", ", ".join(f"{n} {status}" for status, n in counts.items())]
    return "\n".join(line.rstrip() for line in lines)


def as_json(results: dict) -> dict:
    return {student: {key: {"title": e.title, **asdict(r)} for key, (e, r) in sorted(found.items(), key=lambda x: _key(x[0]))}
            for student, found in sorted(results.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers report", description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="the students' notebooks: a folder per student, or files named after them")
    parser.add_argument("--timeout", type=float, default=30, help="seconds for each exercise's cell (default 30)")
    parser.add_argument("--setup-timeout", type=float, default=600,
                        help="seconds for each of the lesson's other cells (default 600)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2: one per core)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    if not student_notebooks(folder):
        print(f"error: no notebooks (.ipynb) in {folder}", file=sys.stderr)
        return 2
    results = asyncio.run(report(folder, args.timeout, args.setup_timeout, args.jobs))
    print(json.dumps(as_json(results), indent=1, ensure_ascii=False) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
