"""A teacher's progress report: each student's exercises, graded by the course's own checks in a sandbox.

    python -m helpers report FOLDER [--lesson NN] [--csv FILE] [--html FILE] [--json] [--jobs 2]

FOLDER holds the notebooks collected from the students (the student edition, filled in): a
folder per student (``FOLDER/alice/02_perceptrons.ipynb``) or notebooks named after the
student (``FOLDER/alice_02_perceptrons.ipynb``). For each student and lesson, a fresh
Python process, confined by bubblewrap, runs the course's own setup (the statements of the
complete edition that the exercise needs: imports, never a training run) and then only the
student's exercise cells (between the ``### Exercise N`` heading and its check call), and
calls the course's check with a recorder in place of the student's function: it only
records, as plain data, what the function gave back for each of the check's inputs. The
verdict is made by a second, fresh process that never runs student code: it calls the real
check again, with the recorded answers played back call by call (helpers/cli/grading/judge.py),
so nothing the student's code does in the sandbox can make an exercise "done". Each
exercise is

- **done**: the check passed, on a function the student wrote in the exercise's cell;
- **not done**: the stub is untouched (``raise NotImplementedError`` or ``...``), or the
  answer is the course's own function (imported, or called from the student's);
- **wrong**: the check failed (its one-line reason is given), the cell raised an error, or
  it ran out of time;
- **not checked**: the exercise is missing from the notebook, its cell does something the
  grader refuses to run (reaching into Python or the grader: look at it by hand), its record
  does not match the check's calls (code that meddled with the sandbox), or the run stopped
  before it.

Nothing a cell prints counts. The students' files are only read (regular files, no link
leaving a student's folder); their code never gets them, nor the teacher's files, nor the
network (see helpers/cli/grading/sandbox.py). Names and reasons are printed with their
control characters as "?".
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.cli.grading import judge, output, sandbox
from helpers.cli.grading.collect import collect
from helpers.cli.grading.lessons import Lesson, check_calls, exercise_spans, cell_source, lessons, names_of, \
    needed_setup, without_magics
from helpers.cli.grading.screen import refused
from helpers.cli.student_edition import strip_solutions
from helpers.files import write_bytes

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<student"  # the file name of every student's cell begins so
MAX_NOTEBOOK_MB = 20


def without_check_calls(code: str) -> str:
    """``code`` with its top-level ``check.NAME(...)`` statements taken out: the grader calls the check."""
    lines = code.split("\n")
    for statement, _ in reversed(check_calls(code)):
        lines[statement.lineno - 1: statement.end_lineno] = [""] * (statement.end_lineno - statement.lineno + 1)
    return "\n".join(lines)


def read_student(path: Path) -> list[dict]:
    """The cells of a student's notebook. Read without following a last link, from a regular
    file only (a named pipe would block, /dev/zero never end), at most MAX_NOTEBOOK_MB."""
    import stat
    fd = os.open(os.path.realpath(path), os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("it is not a regular file (a named pipe, a device?)")
        data = file.read((MAX_NOTEBOOK_MB << 20) + 1)
    if len(data) > MAX_NOTEBOOK_MB << 20:
        raise ValueError(f"it is larger than {MAX_NOTEBOOK_MB} MB")
    notebook = json.loads(data.decode("utf-8"))
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise ValueError("it is not a notebook (no list of cells)")
    return cells


@functools.lru_cache(maxsize=32)
def complete_cells(path: Path) -> list[dict]:
    """The cells of a complete-edition notebook, read once for the whole class."""
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def plan_for(lesson: Lesson, cells: list[dict]) -> tuple[dict, dict[str, tuple[str, str]]]:
    """The child's plan for one student's notebook of ``lesson``, and the verdicts decided
    without running anything (exercise missing)."""
    complete = complete_cells(lesson.path)
    spans = exercise_spans(cells)
    exercises, decided = [], {}
    for exercise in lesson.exercises:
        key = f"{lesson.number}.{exercise.number}"
        stub = "\n".join(without_check_calls(strip_solutions(without_magics(cell_source(complete[i])),
                                                            f"Exercise {exercise.number}"))
                         for i in exercise.cells)
        item = {"key": key, "check": {"name": exercise.check.name, "args": exercise.check.args,
                                      "constants": exercise.check.constants, "named": exercise.check.named},
                "stub": stub, "cells": []}
        if exercise.check.unsupported:  # a fault of the course's notebook, said plainly
            item["refused"] = (f"the course's check call `{exercise.check.unsupported}` passes something other "
                               "than names and constants, which the report cannot make")
        if exercise.number not in spans:
            decided[key] = ("not checked", f"the notebook has no `### Exercise {exercise.number}` heading")
            item["refused"] = decided[key][1]
            code = ""
        else:
            sources = [(i, without_magics(cell_source(cells[i]))) for i in spans[exercise.number][2]]
            code = "\n".join(c for _, c in sources)
            why = refused(code)
            if why:
                item["refused"] = f"not run, {why}: look at it by hand"
            item["cells"] = [(i + 1, without_check_calls(c)) for i, c in sources]
        # The setup is chosen by the complete edition's names (the stub's and the check's): a name
        # the student's code reads brings in only an import, never a training run (A9).
        binds, reads = names_of(stub)
        wanted = (reads - binds - {"check"}) | set(exercise.check.args) | set(exercise.check.named.values())
        chosen = set(needed_setup(lesson.setup, exercise.cells[0], wanted))
        student_binds, student_reads = names_of(without_check_calls(code))
        chosen |= set(needed_setup(lesson.setup, exercise.cells[0], student_reads - student_binds - wanted,
                                   imports_only=True))
        item["setup"] = [(p, lesson.setup[p][1]) for p in sorted(chosen)]
        exercises.append(item)
    return {"slug": lesson.slug, "marker": MARKER, "exercises": exercises}, decided


def grade(student: str, lesson: Lesson, path: Path, limits: sandbox.Limits, sandboxed: bool,
          mpl_cache: Path | None, stats: list | None = None) -> dict[str, tuple[str, str]]:
    """{exercise key: (status, reason)} for one student's notebook of one lesson; the run's CPU
    seconds are appended to ``stats``."""
    keys = [f"{lesson.number}.{e.number}" for e in lesson.exercises]
    try:
        cells = read_student(path)
    except (OSError, ValueError, RecursionError) as err:
        return {k: ("not checked", f"the notebook cannot be read: {err}") for k in keys}
    plan, decided = plan_for(lesson, cells)
    outcome = sandbox.run(plan, limits, sandboxed, mpl_cache)
    if stats is not None:
        stats.append(outcome.cpu_seconds)
    judged, judge_failed = judge.decide(plan, outcome.records, limits.memory_mb, max(60.0, limits.lesson_seconds))
    results = {}
    for k in keys:
        if k in judged and judged[k][0] in output.STATUSES:
            results[k] = judged[k]  # the check's own verdict, made where no student code ran
        elif k in outcome.records:
            results[k] = ("not checked", f"the record could not be judged: {judge_failed or 'no verdict'}")
        elif k in outcome.verdicts and outcome.verdicts[k][0] in output.STATUSES and outcome.verdicts[k][0] != "done":
            results[k] = outcome.verdicts[k]
        elif k in decided:
            results[k] = decided[k]
        elif not outcome.ready:
            results[k] = ("not checked", f"the grader could not start: {outcome.why or 'no reason given'}")
        elif k == next((x for x in keys if x not in outcome.verdicts and x not in outcome.records), None):
            # the exercise the run was in when it stopped (they run in order); the rest were not reached
            results[k] = ("wrong" if outcome.why else "not checked", outcome.why or "the grader gave no verdict")
        else:
            results[k] = ("not checked", f"not reached: {outcome.why or 'the run stopped'}")
    return {k: (status, output.printable(reason)) for k, (status, reason) in results.items()}


class Progress:
    """A bar on stderr (a terminal), or a line now and then (a log)."""

    def __init__(self, total: int, stream=sys.stderr) -> None:
        self.total, self.done, self.stream, self.start = total, 0, stream, time.monotonic()
        self.tty, self.lock, self.last = stream.isatty(), threading.Lock(), 0.0

    def step(self, what: str) -> None:
        with self.lock:
            self.done += 1
            now = time.monotonic()
            if not self.tty and now - self.last < 10 and self.done < self.total:
                return
            self.last = now
            filled = int(30 * self.done / self.total)
            left = (now - self.start) / self.done * (self.total - self.done)
            line = (f"[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} notebooks, "
                    f"about {left:.0f} s left  {output.printable(what)[:30]}")
            self.stream.write(("\r" + line.ljust(99) if self.tty else line + "\n"))
            if self.done == self.total and self.tty:
                self.stream.write("\n")
            self.stream.flush()


def report(folder: Path, notebooks: Path, limits: sandbox.Limits, jobs: int = 2, sandboxed: bool = True,
           progress: bool = True, stats: list | None = None, only: str | None = None) -> tuple[dict, dict, list[str]]:
    """(results, titles, problems) for every student's notebook in ``folder`` (of lesson
    ``only``, e.g. "02", if given); each run's CPU seconds are appended to ``stats`` if given."""
    every = lessons(notebooks)
    known = {n: lesson for n, lesson in every.items() if only is None or n == only}
    titles = {f"{n}.{e.number}": e.title for n, lesson in known.items() for e in lesson.exercises}
    found = collect(folder, [lesson.name for lesson in every.values()])
    if only is not None:  # the other lessons' notebooks are neither graded nor problems
        found.notebooks = {s: {n: p for n, p in mine.items() if n == only} for s, mine in found.notebooks.items()}
        found.duplicates = {k: v for k, v in found.duplicates.items() if k[1] == only}
        found.notebooks = {s: mine for s, mine in found.notebooks.items()
                           if mine or any(k[0] == s for k in found.duplicates)}
    problems = [f"{student}: lesson {lesson} was collected {len(paths)} times ({', '.join(map(str, paths))}); "
                f"not graded: keep one copy" for (student, lesson), paths in sorted(found.duplicates.items())]
    problems += [f"{path}: not read: {why}" for path, why in found.ignored]
    results = {student: {} for student in found.notebooks}
    for (student, lesson), paths in found.duplicates.items():
        for e in known[lesson].exercises:
            results[student][f"{lesson}.{e.number}"] = ("not checked", f"{len(paths)} copies of the notebook")
    jobs_list = [(s, known[n], p) for s, mine in found.notebooks.items() for n, p in sorted(mine.items())]
    bar = Progress(len(jobs_list)) if progress and jobs_list else None
    with tempfile.TemporaryDirectory(prefix="digits-report-") as tmp:
        mpl_cache = sandbox.font_cache(Path(tmp) / "mpl") if jobs_list else None

        def one(job):
            student, lesson, path = job
            try:
                verdicts = grade(student, lesson, path, limits, sandboxed, mpl_cache, stats)
            except Exception as err:  # a fault of the grader's: said, never a crash of the whole report
                verdicts = {f"{lesson.number}.{e.number}": ("not checked", f"the grader failed: {err!r}"[:200])
                            for e in lesson.exercises}
            if bar:
                bar.step(f"{student} {lesson.number}")
            return student, verdicts

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for student, verdicts in pool.map(one, jobs_list):
                results[student].update(verdicts)
    return results, titles, problems


def positive(kind, what: str, most: float):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, not {text!r}") from None
        if not (isinstance(value, int) or math.isfinite(value)) or not 0 < value <= most:
            raise argparse.ArgumentTypeError(f"{what} must be more than 0 and at most {most:g}, not {text}")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers report", description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="the students' notebooks: a folder per student, or files named after them")
    parser.add_argument("--lesson", help="grade one lesson only (e.g. 02) and show its exercises, with the reasons")
    parser.add_argument("--csv", metavar="FILE", help="also write every result to FILE as CSV")
    parser.add_argument("--html", metavar="FILE", help="also write a colour grid to FILE (a web page)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--timeout", type=positive(float, "--timeout", 600), default=20,
                        help="CPU seconds for each exercise (default 20)")
    parser.add_argument("--lesson-timeout", type=positive(float, "--lesson-timeout", 3600), default=120,
                        help="CPU seconds for one student's lesson in all (default 120)")
    parser.add_argument("--memory", type=positive(int, "--memory", 65536), default=2048,
                        help="MB of memory for each run (default 2048)")
    parser.add_argument("--jobs", type=positive(int, "--jobs", 64), default=max(1, min(4, os.cpu_count() or 1)),
                        help="runs at once (default: one per core, at most 4)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run without bubblewrap (DANGEROUS: the students' code can then change any file you can)")
    parser.add_argument("--notebooks", default=str(ROOT / "notebooks"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if threading.current_thread() is threading.main_thread():  # killed: the scratch folders go too
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    if args.lesson is not None and not (args.lesson.isdigit() and len(args.lesson) <= 2):
        print(f"error: --lesson takes a lesson's number, such as 02, not {args.lesson!r}", file=sys.stderr)
        return 2
    sandboxed = not args.no_sandbox
    if sandboxed and (why := sandbox.available()):
        print(f"error: no sandbox: {why}.\nThe report runs each student's code; without a sandbox that code "
              "could read, change or delete any file you can (other students' notebooks, the course, your "
              "own files) and use the network. Install bubblewrap, or run with --no-sandbox only on code you "
              "trust.", file=sys.stderr)
        return 2
    if not sandboxed:
        print("warning: --no-sandbox: the students' code runs with your rights (time and memory are still "
              "limited, but files and the network are not protected)", file=sys.stderr)
    limits = sandbox.Limits(seconds=args.timeout, lesson_seconds=args.lesson_timeout, memory_mb=args.memory)
    started, cpu = time.monotonic(), []
    only = args.lesson.zfill(2) if args.lesson else None
    if only is not None and only not in lessons(Path(args.notebooks)):
        print(f"error: there is no lesson {only} with exercises in {args.notebooks}", file=sys.stderr)
        return 2
    results, titles, problems = report(folder, Path(args.notebooks), limits, args.jobs, sandboxed,
                                       progress=not args.json, stats=cpu, only=only)
    if cpu and not args.json:
        print(f"{len(cpu)} notebooks graded in {time.monotonic() - started:.0f} s ({sum(cpu):.0f} CPU seconds in "
              f"the sandboxes, {args.jobs} at a time)", file=sys.stderr)
    if not results and not problems:
        print(f"error: no lesson notebooks (such as alice/02_perceptrons.ipynb) in {folder}", file=sys.stderr)
        return 2
    try:
        if args.csv:
            write_bytes(Path(args.csv), output.as_csv(results, titles).encode("utf-8"))
        if args.html:
            page = output.as_html(results, titles, problems, f"Progress report: {folder.name}")
            write_bytes(Path(args.html), page.encode("utf-8"))
    except Exception as err:
        print(f"error: cannot write the report: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(output.as_json(results, titles, problems), indent=1, ensure_ascii=False))
        return 0
    if args.lesson:
        print(output.lesson_table(results, titles, args.lesson.zfill(2)))
    else:
        print(output.summary(results, titles))
    print("\n" + output.counts(results))
    if problems:
        print("\nProblems:")
        for p in problems:
            print(f"  {output.printable(p)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
