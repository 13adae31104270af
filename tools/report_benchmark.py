"""Time the teacher's progress report (python -m helpers report) on a whole class.

    .venv/bin/python tools/report_benchmark.py --students 30 --jobs 2

Builds a class in a temporary folder: every student has every lesson's notebook (the student
edition made from notebooks/), a third with every exercise right (the worked solutions), a
third untouched, a third with the first exercise right and the rest untouched. Then grades
it as ``python -m helpers report`` does (in bubblewrap), checks every verdict is the one
expected, and prints the wall-clock time, the CPU seconds the sandboxes used (in all, and
per notebook) and the slowest lesson, as Markdown for INSTRUCTORS.md. Run it with
OPENBLAS_NUM_THREADS=1 on an otherwise idle machine for a fair figure.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.cli import report  # noqa: E402
from helpers.cli.grading import sandbox  # noqa: E402
from helpers.cli.grading.lessons import cell_source, exercise_spans, lessons  # noqa: E402
from helpers.cli.student_edition import student_notebook  # noqa: E402

MARKER = re.compile(r"^[ \t]*# (BEGIN|END) SOLUTION.*\n?", re.M)


def notebook(path: Path, right: set[int]) -> dict:
    """The student edition of ``path`` with the exercises in ``right`` answered by the worked solution."""
    complete = json.loads(path.read_text(encoding="utf-8"))
    student = student_notebook(complete)
    for number, (_, _, code, _) in exercise_spans(student["cells"]).items():
        if number in right:
            for i in code:
                student["cells"][i]["source"] = MARKER.sub("", cell_source(complete["cells"][i]))
    return student


def build(folder: Path, students: int) -> dict:
    """Write the class; {student: {exercise key: the status expected}}."""
    expected = {}
    for lesson in lessons(ROOT / "notebooks").values():
        every = {e.number for e in lesson.exercises}
        for kind, right in (("right", every), ("untouched", set()), ("first", {min(every)})):
            text = json.dumps(notebook(lesson.path, right))
            for s in range(students):
                if ("right", "untouched", "first")[s % 3] != kind:
                    continue
                name = f"student {s + 1}"
                (folder / name).mkdir(parents=True, exist_ok=True)
                (folder / name / lesson.path.name).write_text(text, encoding="utf-8")
                for n in every:
                    expected.setdefault(name, {})[f"{lesson.number}.{n}"] = "done" if n in right else "not done"
    return expected


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digits-report-bench-") as tmp:
        expected = build(Path(tmp), args.students)
        cpu, started = [], time.monotonic()
        results, _, problems = report.report(Path(tmp), ROOT / "notebooks", sandbox.Limits(), args.jobs,
                                             stats=cpu)
        wall = time.monotonic() - started
    wrong = [(s, k, results[s].get(k), want) for s, keys in expected.items() for k, want in keys.items()
             if results[s].get(k, ("",))[0] != want]
    print(f"| students | notebooks | jobs | wall-clock | CPU in the sandboxes | CPU per notebook (mean, max) |\n"
          f"|---|---|---|---|---|---|\n"
          f"| {args.students} | {len(cpu)} | {args.jobs} | {wall:.0f} s | {sum(cpu):.0f} s | "
          f"{statistics.mean(cpu):.2f} s, {max(cpu):.2f} s |")
    print(f"verdicts as expected: {sum(map(len, expected.values())) - len(wrong)} of {sum(map(len, expected.values()))}")
    for item in wrong[:10]:
        print("  unexpected:", item)
    return 1 if wrong or problems else 0


if __name__ == "__main__":
    sys.exit(main())
