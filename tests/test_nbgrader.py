"""The nbgrader edition (``python -m helpers student_edition --nbgrader``), graded by real nbgrader:
``generate_assignment``, then ``autograde`` of a small class of notebook 02: right answers get
full marks; an untouched notebook (whose checks put the course's stand-ins in place), the
course's function imported under the exercise's name and a wrong answer get 0 for the exercise.
Autograde runs each notebook top to bottom (Run All) to its last exercise, so a student's
notebook that stopped on the way would show here too."""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli.student_edition import cell_text, nbgrader_notebook, read_notebook
from tests.conftest import real_data

ROOT = Path(__file__).resolve().parent.parent
LESSON = "02_perceptrons"
SOLUTION = re.compile(r"^[ \t]*# (BEGIN|END) SOLUTION[ \t]*\n?", re.M)
STUB = "# YOUR CODE HERE\n{indent}raise NotImplementedError()"
nbgrader = shutil.which("nbgrader", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(nbgrader is None, reason="nbgrader is not installed (requirements-dev.txt)")


def answered(release: dict, source: dict, answers: dict) -> dict:
    """The released notebook with exercise N's answer cell given ``answers[N]``: "right" (the
    source's solution) or lines of code in place of nbgrader's stub."""
    notebook = json.loads(json.dumps(release))
    by_id = {c["metadata"]["nbgrader"]["grade_id"]: c for c in source["cells"] if "nbgrader" in c.get("metadata", {})}
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        number = re.fullmatch(r"ex\d\d_(\d+)_answer", grade_id)
        if not number or int(number.group(1)) not in answers:
            continue
        answer = answers[int(number.group(1))]
        if answer == "right":
            cell["source"] = SOLUTION.sub("", cell_text(by_id[grade_id]))
        else:
            text = cell_text(cell)
            stub = re.search(r"^([ \t]*)# YOUR CODE HERE\n[ \t]*raise NotImplementedError\(\)", text, re.M)
            indent = stub.group(1)
            cell["source"] = text[:stub.start()] + "\n".join(indent + line for line in answer.splitlines()) \
                + text[stub.end():]
    return notebook


def test_the_nbgrader_edition_marks_each_exercise_and_keeps_the_student_edition():
    complete = read_notebook(ROOT / "notebooks" / f"{LESSON}.ipynb")
    edition = nbgrader_notebook(complete, "02")
    marked = [c["metadata"]["nbgrader"] for c in edition["cells"] if "nbgrader" in c.get("metadata", {})]
    assert [m["grade_id"] for m in marked] == [f"ex02_{n}_{kind}" for n in (1, 2, 3, 4) for kind in ("answer", "test")]
    assert all(m["points"] == 1 and m["locked"] and not m["solution"] for m in marked if m["grade"])
    tests = [cell_text(c) for c in edition["cells"] if "graded(" in cell_text(c)]
    assert tests[1].splitlines()[-2] == "graded(check.gate_weights, w_and, b_and, gate='AND')"
    assert all(t.startswith("### BEGIN HIDDEN TESTS") and t.endswith("### END HIDDEN TESTS") for t in tests)


@real_data
def test_nbgrader_autograde_gives_full_marks_only_for_the_students_own_right_answers(tmp_path):
    course = tmp_path / "course"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-m", "helpers", "student_edition", str(course), "--nbgrader", "--quiet"],
                   check=True, env=env)
    for other in (course / "source").iterdir():  # one lesson is enough here
        if other.name != LESSON:
            shutil.rmtree(other)
    # ... and its cells up to the last exercise's test: the rest (a perceptron trained on MNIST) is
    # the complete edition's, which nbval runs; this keeps the test's three Run Alls short.
    path = course / "source" / LESSON / f"{LESSON}.ipynb"
    source = json.loads(path.read_text(encoding="utf-8"))
    last = max(i for i, c in enumerate(source["cells"]) if "graded(" in cell_text(c))
    source["cells"] = source["cells"][:last + 1]
    path.write_text(json.dumps(source), encoding="utf-8")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = %r\nc.ExecutePreprocessor.timeout = 300\n" % str(course))

    def run(*args):
        done = subprocess.run([nbgrader, *args, "--config", str(course / "nbgrader_config.py")], cwd=course,
                              env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]

    run("generate_assignment", LESSON, "--force")
    release = json.loads((course / "release" / LESSON / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    source = json.loads((course / "source" / LESSON / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    students = {
        "right": {1: "right", 2: "right", 3: "right", 4: "right"},
        "untouched": {},  # the checks put the course's stand-ins in place of the stubs
        "mixed": {1: "from helpers.lessons.perceptrons import perceptron_output as p\nreturn p(x, w, b)",
                  2: "right", 3: "right", 4: "return w, b"},  # the course's own; right; right; wrong
    }
    for student, answers in students.items():
        path = course / "submitted" / student / LESSON / f"{LESSON}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(answered(release, source, answers)), encoding="utf-8")
    run("autograde", LESSON, "--force")
    run("export", "--to", str(tmp_path / "grades.csv"))
    scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader((tmp_path / "grades.csv").open())}
    assert scores == {"right": 4.0, "untouched": 0.0, "mixed": 2.0}
