"""The teacher's progress report (helpers.cli.report) on a class the test makes itself: student
editions of notebooks 01 and 02 (made with helpers.cli.student_edition), filled in right,
wrong, not at all, with a loop that never ends and with code that raises."""

import asyncio
import hashlib
import json
import re
from pathlib import Path

import pytest

from helpers.cli import report
from helpers.cli.student_edition import student_notebook
from tests.conftest import real_data

ROOT = Path(__file__).resolve().parent.parent
RIGHT = object()  # "fill in the worked solution"
STUB = re.compile(r"^([ \t]*)raise NotImplementedError\(.*\)[ \t]*$"  # in a function
                  r"|^()(?:\w+ = \.\.\.  # Exercise \d+: your answer here\n?)+", re.M)  # top-level answers
SOLUTION_MARKER = re.compile(r"^[ \t]*# (BEGIN|END) SOLUTION.*\n?", re.M)


def filled_in(slug: str, answers: dict) -> dict:
    """The student edition of ``notebooks/<slug>.ipynb`` with exercise N's stub replaced by
    ``answers[N]``: RIGHT (the worked solution) or lines of code of our own."""
    complete = json.loads((ROOT / "notebooks" / f"{slug}.ipynb").read_text(encoding="utf-8"))
    notebook = student_notebook(complete)
    for exercise in report.exercises(notebook, slug[:2]):
        number = int(exercise.key.split(".")[1])
        if number not in answers:
            continue
        cell = notebook["cells"][exercise.cell]
        if answers[number] is RIGHT:
            cell["source"] = SOLUTION_MARKER.sub("", report.source(complete["cells"][exercise.cell]))
        else:
            code = report.source(cell)
            assert STUB.search(code), f"no stub in exercise {number} of {slug}"
            cell["source"] = STUB.sub(lambda m: "\n".join((m.group(1) or "") + line
                                                         for line in answers[number].splitlines()) + "\n",
                                      code, count=1)
    return notebook


def write(path: Path, notebook: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    all_right = {1: RIGHT, 2: RIGHT, 3: RIGHT, 4: RIGHT}
    write(folder / "alice" / "01_meet_the_digits.ipynb", filled_in("01_meet_the_digits", {1: RIGHT, 2: RIGHT, 3: RIGHT}))
    write(folder / "alice" / "02_perceptrons.ipynb", filled_in("02_perceptrons", all_right))
    write(folder / "bob" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {
        1: "return int(np.dot(w, x) + b < 0)",  # the two outputs swapped
        2: RIGHT,
        # 3: untouched
        4: "return w, b",  # forgot to learn
    }))
    write(folder / "carol" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {}))  # nothing done
    write(folder / "dave" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {
        1: "while True:\n    pass",  # a loop that never ends
        2: RIGHT, 3: RIGHT, 4: RIGHT,
    }))
    # Side by side rather than in a folder of her own: the student is named by the file.
    write(folder / "erin_02_perceptrons.ipynb", filled_in("02_perceptrons", {
        1: "return 1 / 0",  # raises inside the learner's function
        2: "w_and = [1, 1]\nb_and = bias_for_and",  # raises in the cell itself (a NameError)
    }))
    return folder


def fingerprint(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def results(class_folder):
    before = fingerprint(class_folder)
    found = asyncio.run(report.report(class_folder, timeout=4, setup_timeout=120, jobs=2))
    assert fingerprint(class_folder) == before, "the report changed or added files in the students' folder"
    return found


def statuses(results, student):
    return {key: result.status for key, (_, result) in results[student].items()}


def reason(results, student, key):
    return results[student][key][1].reason


@real_data  # notebooks 01 and 02 read MNIST
def test_the_students_are_found_by_folder_or_by_file_name(results):
    assert sorted(results) == ["alice", "bob", "carol", "dave", "erin"]


@real_data
def test_a_right_answer_is_done_and_an_untouched_stub_is_not_done(results):
    assert statuses(results, "alice") == {"01.1": "done", "01.2": "done", "01.3": "done",
                                          "02.1": "done", "02.2": "done", "02.3": "done", "02.4": "done"}
    assert set(statuses(results, "carol").values()) == {"not done"}
    assert statuses(results, "bob")["02.3"] == "not done"


@real_data
def test_a_wrong_answer_is_wrong_with_the_checks_one_line_reason(results):
    assert statuses(results, "bob") == {"02.1": "wrong", "02.2": "done", "02.3": "not done", "02.4": "wrong"}
    why = reason(results, "bob", "02.1")
    assert "perceptron_output" in why and "\n" not in why and "\x1b" not in why


@real_data
def test_a_loop_that_never_ends_is_stopped_and_the_rest_still_checked(results):
    assert statuses(results, "dave") == {"02.1": "wrong", "02.2": "done", "02.3": "done", "02.4": "done"}
    assert "loop that never ends" in reason(results, "dave", "02.1")


@real_data
def test_code_that_raises_is_wrong_with_its_error(results):
    assert statuses(results, "erin") == {"02.1": "wrong", "02.2": "wrong", "02.3": "not done", "02.4": "not done"}
    assert "ZeroDivisionError" in reason(results, "erin", "02.1")
    assert "NameError" in reason(results, "erin", "02.2") and "bias_for_and" in reason(results, "erin", "02.2")


@real_data
def test_the_table_has_a_row_per_student_and_a_column_per_exercise(results):
    text = report.table(results)
    print(text)  # shown with pytest -s: what a teacher sees
    header, *rows = text.splitlines()
    assert header.split() == ["student", "01.1", "01.2", "01.3", "02.1", "02.2", "02.3", "02.4"]
    carol = next(line for line in rows if line.startswith("carol"))
    assert carol.split()[:4] == ["carol", "-", "-", "-"] and carol.count("not done") == 4
    assert "  02.3  a half adder from NANDs" in text
    assert re.search(r"^  bob\s+02\.1\s+`perceptron_output", text, re.M)
    assert json.loads(json.dumps(report.as_json(results)))["dave"]["02.2"] == {
        "title": "weights for AND", "status": "done", "reason": ""}


def test_exercises_are_the_headings_with_the_cell_that_checks_them():
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "## A section\n\n### Exercise 1 — add two numbers\nWrite it."},
        {"cell_type": "code", "source": "x = 1"},
        {"cell_type": "code", "source": "def add(a, b):\n    return a + b\n\ncheck.add(add)"},
        {"cell_type": "markdown", "source": "### Exercise 2 — `times(a, b)`"},
        {"cell_type": "markdown", "source": "No check here."},
        {"cell_type": "markdown", "source": "### Exercise 3 — nothing to check"},
    ]}
    found = report.exercises(notebook, "07")
    assert [(e.key, e.title, e.cell) for e in found] == [
        ("07.1", "add two numbers", 2), ("07.2", "times(a, b)", None), ("07.3", "nothing to check", None)]


def test_students_by_folder_and_by_file_name(tmp_path):
    for name in ("ann/03_sigmoid_neurons.ipynb", "ann/.ipynb_checkpoints/03_sigmoid_neurons-checkpoint.ipynb",
                 "ben_03_sigmoid_neurons.ipynb", "03_sigmoid_neurons-cleo.ipynb", "dan.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = report.student_notebooks(tmp_path)
    assert {s: sorted(n) for s, n in found.items()} == {"ann": ["03"], "ben": ["03"], "cleo": ["03"], "dan": ["dan"]}


def test_the_command_says_what_is_wrong_with_its_folder(tmp_path, capsys):
    assert report.main([str(tmp_path / "missing")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert report.main([str(tmp_path)]) == 2
    assert "no notebooks" in capsys.readouterr().err


def test_a_stub_begun_but_left_raising_is_not_done_and_started():
    begun = {"cell_type": "code", "source": "def f(x):\n    z = 2 * x\n    raise NotImplementedError('Exercise 1')\n\n"
             "check.f(f)", "outputs": [{"output_type": "stream", "name": "stdout",
                                        "text": "○ Not done yet: `f` still has its `raise NotImplementedError` line"}]}
    result = report.judge(begun, 0.1, 30)
    assert result.status == "not done" and result.reason.startswith("started")
    untouched = dict(begun, source="def f(x):\n    raise NotImplementedError('Exercise 1')\n\ncheck.f(f)")
    assert report.judge(untouched, 0.1, 30) == report.Result("not done")
    table = report.table({"ann": {"02.1": (report.Exercise("02.1", "f", 1), result)}})
    assert "started: code written" in table  # the reason is in the table's "Why"
