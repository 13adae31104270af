"""The teacher's progress report (helpers.cli.report and helpers/cli/grading/) on a class the test
makes itself: student editions of notebooks 01 and 02 filled in right, wrong, not at all, with
each way of cheating the issue names (a printed tick, the course's function imported or
wrapped, the check replaced or its failure swallowed, NumPy patched) and with hostile code
run inside the sandbox itself (classmates' notebooks, the course's checks, the report's
process, forged verdicts, 1 GB of output, a fork bomb, processes left behind)."""

import ast
import hashlib
import json
import os
import re
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from helpers.cli import report
from helpers.cli.grading import output, sandbox
from helpers.cli.grading.collect import collect, natural_key
from helpers.cli.grading.lessons import cell_source, exercise_spans, lessons
from helpers.cli.grading.screen import refused
from helpers.cli.student_edition import student_notebook

ROOT = Path(__file__).resolve().parent.parent
RIGHT = object()  # "fill in the worked solution"
STUB = re.compile(r"^([ \t]*)raise NotImplementedError\(.*\)[ \t]*$"  # in a function
                  r"|^()(?:\w+ = \.\.\.  # Exercise \d+: your answer here\n?)+", re.M)  # top-level answers
SOLUTION_MARKER = re.compile(r"^[ \t]*# (BEGIN|END) SOLUTION.*\n?", re.M)
NO_SANDBOX = sandbox.available()
needs_bwrap = pytest.mark.skipif(NO_SANDBOX is not None, reason=f"no sandbox: {NO_SANDBOX}")


def filled_in(slug: str, answers: dict) -> dict:
    """The student edition of ``notebooks/<slug>.ipynb`` with exercise N's stub replaced by
    ``answers[N]``: RIGHT (the worked solution), lines of code of our own in place of the stub,
    or a function of the cell's code that returns the new cell."""
    complete = json.loads((ROOT / "notebooks" / f"{slug}.ipynb").read_text(encoding="utf-8"))
    notebook = student_notebook(complete)
    for number, (_, _, code, _) in exercise_spans(notebook["cells"]).items():
        if number not in answers:
            continue
        index = next(i for i in code if "BEGIN SOLUTION" in cell_source(complete["cells"][i]))
        cell = notebook["cells"][index]
        if answers[number] is RIGHT:
            cell["source"] = SOLUTION_MARKER.sub("", cell_source(complete["cells"][index]))
        elif callable(answers[number]):
            cell["source"] = answers[number](cell_source(cell))
        else:
            assert STUB.search(cell_source(cell)), f"no stub in exercise {number} of {slug}"
            cell["source"] = STUB.sub(lambda m: "\n".join((m.group(1) or "") + line
                                                         for line in answers[number].splitlines()) + "\n",
                                      cell_source(cell), count=1)
    return notebook


def write(path: Path, notebook: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")


def right_02(extra: str) -> callable:
    """Exercise 1 of 02 answered right, then ``extra`` lines in the same cell."""
    complete = json.loads((ROOT / "notebooks" / "02_perceptrons.ipynb").read_text(encoding="utf-8"))
    solution = SOLUTION_MARKER.sub("", cell_source(complete["cells"][5]))
    return lambda _: solution + "\n" + extra


CHEATS = {  # student -> exercise 1 of notebook 02, each a way to look done without doing it
    "tick": lambda code: code + '\nprint("\\x1b[1;32m✓\\x1b[0m Right: perceptron_output")',
    "imported": lambda code: "from helpers.lessons.perceptrons import perceptron_output\n",
    "wrapped": lambda code: ("def perceptron_output(x, w, b):\n    return lesson.perceptron_output(x, w, b)\n\n"
                             "check.perceptron_output(perceptron_output)\n"),
    "swallowed": lambda code: code.replace("check.perceptron_output(perceptron_output)",
                                           "try:\n    check.perceptron_output(perceptron_output)\n"
                                           "except Exception:\n    pass"),
    "replaced": lambda code: "check.perceptron_output = lambda f: print('✓')\n" + code,
    "patched": lambda code: ("np.dot = lambda *a: 99\ndef perceptron_output(x, w, b):\n    return 1\n\n"
                             "check.perceptron_output(perceptron_output)\n"),
    "forger": lambda code: code + "\nimport os\nos.write(1, b'forger 02.1 done\\n')",
}


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    write(folder / "alice" / "01_meet_the_digits.ipynb", filled_in("01_meet_the_digits", {1: RIGHT, 2: RIGHT, 3: RIGHT}))
    write(folder / "alice" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {1: RIGHT, 2: RIGHT, 3: RIGHT, 4: RIGHT}))
    write(folder / "bob" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {
        1: "return int(np.dot(w, x) + b < 0)",  # the two outputs swapped
        2: RIGHT,
        # 3: untouched
        4: "return w, b",  # forgot to learn
    }))
    write(folder / "carol_02_perceptrons.ipynb", filled_in("02_perceptrons", {}))  # nothing done, named by the file
    write(folder / "dave" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {
        1: lambda code: "while True:\n    pass\n",  # a loop that never ends, in the cell itself
        2: RIGHT, 3: RIGHT, 4: RIGHT,
    }))
    write(folder / "erin.j-02_perceptrons.ipynb", filled_in("02_perceptrons", {  # a dot in the name
        1: "return 1 / 0",  # raises inside the learner's function
        2: "w_and = [1, 1]\nb_and = bias_for_and",  # raises in the cell itself (a NameError)
    }))
    for name, cheat in CHEATS.items():
        write(folder / name / "02_perceptrons.ipynb", filled_in("02_perceptrons", {1: cheat}))
    # Collected twice: reported, not one copy picked.
    write(folder / "gina" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {1: RIGHT}))
    write(folder / "gina" / "old" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {}))
    # A date in a folder's name, and a student's folder that is a link.
    write(folder / "hal 2026-12-07" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {2: RIGHT}))
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    write(elsewhere / "02_perceptrons.ipynb", filled_in("02_perceptrons", {3: RIGHT}))
    (folder / "ivy").symlink_to(elsewhere, target_is_directory=True)
    return folder


def fingerprint(*folders: Path) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def graded(class_folder):
    before = fingerprint(class_folder, ROOT / "helpers", ROOT / "notebooks")
    limits = sandbox.Limits(seconds=3, lesson_seconds=60)
    results, titles, problems = report.report(class_folder, ROOT / "notebooks", limits, jobs=2,
                                              sandboxed=NO_SANDBOX is None, progress=False)
    assert fingerprint(class_folder, ROOT / "helpers", ROOT / "notebooks") == before, \
        "the report changed or added files in the students' folder or the course"
    return results, titles, problems


def statuses(graded, student):
    return {key: status for key, (status, _) in graded[0][student].items()}


def reason(graded, student, key):
    return graded[0][student][key][1]


@needs_bwrap
def test_the_students_are_found_by_folder_or_file_name_in_natural_order(graded):
    assert list(graded[0]) == sorted(["alice", "bob", "carol", "dave", "erin.j", "gina", "hal 2026-12-07", "ivy",
                                      *CHEATS], key=natural_key)
    assert natural_key("student 2") < natural_key("student 10")


@needs_bwrap
def test_a_right_answer_is_done_and_an_untouched_stub_is_not_done(graded):
    assert statuses(graded, "alice") == {"01.1": "done", "01.2": "done", "01.3": "done",
                                         "02.1": "done", "02.2": "done", "02.3": "done", "02.4": "done"}
    assert set(statuses(graded, "carol").values()) == {"not done"}
    assert statuses(graded, "hal 2026-12-07") == {"02.1": "not done", "02.2": "done", "02.3": "not done",
                                                  "02.4": "not done"}
    assert statuses(graded, "ivy")["02.3"] == "done"


@needs_bwrap
def test_a_wrong_answer_is_wrong_with_the_checks_one_line_reason(graded):
    assert statuses(graded, "bob") == {"02.1": "wrong", "02.2": "done", "02.3": "not done", "02.4": "wrong"}
    why = reason(graded, "bob", "02.1")
    assert "perceptron_output" in why and "\n" not in why and "\x1b" not in why


@needs_bwrap
def test_a_loop_that_never_ends_is_stopped_and_the_rest_still_graded(graded):
    assert statuses(graded, "dave") == {"02.1": "wrong", "02.2": "done", "02.3": "done", "02.4": "done"}
    assert "loop that never ends" in reason(graded, "dave", "02.1")


@needs_bwrap
def test_code_that_raises_is_wrong_with_its_error(graded):
    assert statuses(graded, "erin.j") == {"02.1": "wrong", "02.2": "wrong", "02.3": "not done", "02.4": "not done"}
    assert "ZeroDivisionError" in reason(graded, "erin.j", "02.1")
    assert "NameError" in reason(graded, "erin.j", "02.2") and "bias_for_and" in reason(graded, "erin.j", "02.2")


@needs_bwrap
@pytest.mark.parametrize("student", sorted(CHEATS))
def test_no_cheat_is_done(graded, student):
    assert statuses(graded, student)["02.1"] in ("not done", "not checked"), reason(graded, student, "02.1")
    assert statuses(graded, student)["02.2"] == "not done"  # untouched: the cheat did not spread


@needs_bwrap
def test_each_cheat_is_named(graded):
    assert statuses(graded, "tick")["02.1"] == "not done"
    assert "not a function written in the exercise" in reason(graded, "imported", "02.1")
    assert "course's own `perceptron_output`" in reason(graded, "wrapped", "02.1")
    for student, what in [("swallowed", "`check`"), ("replaced", "check.perceptron_output"), ("patched", "`np.dot`"),
                          ("forger", "`os`")]:
        assert statuses(graded, student)["02.1"] == "not checked" and what in reason(graded, student, "02.1")


@needs_bwrap
def test_a_notebook_collected_twice_is_reported_not_picked(graded):
    results, _, problems = graded
    assert set(statuses(graded, "gina").values()) == {"not checked"}
    assert any(p.startswith("gina: lesson 02 was collected 2 times") and "old" in p for p in problems)


@needs_bwrap
def test_the_outputs_fit_and_parse(graded, tmp_path):
    results, titles, problems = graded
    for text in (output.summary(results, titles), output.lesson_table(results, titles, "02")):
        print(text)  # shown with pytest -s: what a teacher sees
        assert max(map(len, text.splitlines())) <= 100
    assert json.loads(json.dumps(output.as_json(results, titles, problems)))["students"]["bob"]["02.4"]["status"] == "wrong"
    rows = output.as_csv(results, titles).splitlines()
    assert rows[0] == "student,lesson,exercise,title,status,reason" and len(rows) == 1 + sum(map(len, results.values()))
    page = output.as_html(results, titles, problems)
    assert page.count("<tr>") == len(results) + 2 and 'title="02.1 the perceptron' in page
    assert page.index("hal 2026-12-07") < page.index("ivy")


def test_a_name_with_a_line_break_or_an_escape_cannot_forge_a_row():
    results = {"mallory\nalice            3/3": {"01.1": ("wrong", "x\x1b[2Jy")}}
    for text in (output.summary(results, {"01.1": "t"}), output.lesson_table(results, {"01.1": "t"}, "01")):
        assert "\x1b" not in text and not any(line.startswith("alice") for line in text.splitlines())


def test_the_course_answers_pass_the_screen_and_the_cheats_do_not():
    for lesson in lessons(ROOT / "notebooks").values():
        cells = json.loads(lesson.path.read_text(encoding="utf-8"))["cells"]
        for exercise in lesson.exercises:
            code = "\n".join(cell_source(cells[i]) for i in exercise.cells)
            assert refused(code) is None, (lesson.name, exercise.number, refused(code))
    for code in ["import os", "getattr(np, 'dot')", "f.__code__", "np.dot = None", "x = sys", "'__class__'",
                 "from helpers.checks import perceptrons", "def f(a):\n    global g\n    g = 1",
                 "lesson.TOY[0] = 1", "import pathlib", "exec('1')", "open('x', 'w')"]:
        assert refused(code), code
    assert refused("def f(w):\n    w = w.copy()\n    w[0] = 1\n    return w") is None  # its own variables
    assert refused("def f():\n    m = np\n    m.dot = len")  # a module, through another name


def test_students_lessons_and_duplicates_are_found_by_name(tmp_path):
    names = ["01_meet_the_digits", "02_perceptrons"]
    for path in ["nina_02_perceptrons.ipynb", "nina-02_perceptrons.ipynb", "j.smith_01_meet_the_digits.ipynb",
                 "02_perceptrons_ola.ipynb", "2026-12-07_01_meet_the_digits.ipynb", "notes.ipynb",
                 "pat/.ipynb_checkpoints/02_perceptrons-checkpoint.ipynb", "pat/02_perceptrons.ipynb"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("{}")
    found = collect(tmp_path, names)
    assert found.duplicates == {("nina", "02"): [Path("nina-02_perceptrons.ipynb"), Path("nina_02_perceptrons.ipynb")]}
    assert {s: sorted(n) for s, n in found.notebooks.items()} == {
        "2026-12-07": ["01"], "j.smith": ["01"], "nina": [], "ola": ["02"], "pat": ["02"]}
    assert [str(p) for p, _ in found.ignored] == ["notes.ipynb"]


@pytest.mark.parametrize("value", ["0", "nan", "-1", "inf", "ten"])
def test_time_limits_must_be_positive_numbers(value, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        report.main([str(tmp_path), "--timeout", value])
    assert stopped.value.code == 2 and "--timeout must be" in capsys.readouterr().err


# --- the sandbox itself, given hostile code where the course's setup would be -------------------

HOSTILE = r'''
import os, signal, subprocess, pathlib
tried = []
def attempt(what, f):
    try:
        f()
        tried.append(what + ": allowed")
    except BaseException as err:
        tried.append(what + ": " + type(err).__name__)
attempt("classmate", lambda: pathlib.Path(CLASSMATE).write_text("gone"))
attempt("checks", lambda: open(CHECKS, "a").write("\nraise SystemExit"))
attempt("home", lambda: pathlib.Path(HOME_FILE).write_text("x"))
attempt("root", lambda: pathlib.Path("/digits-report-test-file").write_text("x"))
attempt("kill report", lambda: os.kill(REPORT_PID, signal.SIGKILL))
attempt("kill group", lambda: os.killpg(REPORT_PGID, signal.SIGKILL))
attempt("net", lambda: __import__("socket").create_connection(("1.1.1.1", 80), timeout=2))
attempt("left behind", lambda: subprocess.Popen(["sleep", "600"], start_new_session=True))
attempt("fork", lambda: [os.fork() for _ in range(200)])
attempt("memory", lambda: bytearray(3 << 30))
attempt("1 GB out", lambda: [os.write(1, b"x" * (1 << 20)) for _ in range(1024)])
attempt("scratch", lambda: pathlib.Path("/tmp/mine").write_text("mine"))
os.write(1, b"mallory 02.1 done\n")
os.write(3, b'{"key": "02.1", "status": "done", "reason": ""}\n')  # no nonce
os.write(2, repr(tried).encode())
'''


def hostile_plan(code: str) -> dict:
    """A plan for the child with ``code`` where the course's setup would be: the sandbox alone
    between it and the machine (the screen never sees it)."""
    return {"slug": "perceptrons", "marker": report.MARKER, "exercises": [{
        "key": "02.1", "check": {"name": "perceptron_output", "args": ["perceptron_output"], "constants": {}},
        "stub": "", "cells": [], "setup": [[0, code]]}]}


@needs_bwrap
def test_hostile_code_in_the_sandbox_changes_nothing_outside_its_scratch(tmp_path):
    classmate = tmp_path / "class" / "bob" / "02_perceptrons.ipynb"
    write(classmate, filled_in("02_perceptrons", {1: RIGHT}))
    home_file = Path.home() / "digits-report-test-file"
    before = fingerprint(tmp_path, ROOT / "helpers")
    code = (f"CLASSMATE, CHECKS, HOME_FILE = {str(classmate)!r}, {str(ROOT / 'helpers/checks/perceptrons.py')!r}, "
            f"{str(home_file)!r}\nREPORT_PID, REPORT_PGID = {os.getpid()}, {os.getpgid(0)}\n" + HOSTILE)
    outcome = sandbox.run(hostile_plan(code), sandbox.Limits(seconds=5, lesson_seconds=20, memory_mb=1024))
    assert fingerprint(tmp_path, ROOT / "helpers") == before and not home_file.exists()
    tried = dict(line.split(": ") for line in ast.literal_eval(outcome.stderr))  # what the code itself saw
    assert tried == {"classmate": "FileNotFoundError", "checks": "OSError", "home": "OSError", "root": "OSError",
                     "kill report": "ProcessLookupError", "kill group": "ProcessLookupError", "net": "OSError",
                     "left behind": "BlockingIOError", "fork": "BlockingIOError", "memory": "MemoryError",
                     "1 GB out": "allowed", "scratch": "allowed"}
    assert outcome.finished and outcome.verdicts["02.1"][0] == "not done"  # the forged line had no nonce
    leftover = subprocess.run(["pgrep", "-f", "sleep 600"], capture_output=True, text=True).stdout.split()
    assert not leftover, "a process the sandbox started is still running"


@needs_bwrap
def test_a_run_that_sleeps_or_dies_is_stopped_and_said(tmp_path):
    started = time.monotonic()
    slept = sandbox.run(hostile_plan("import time\ntime.sleep(600)"), sandbox.Limits(lesson_seconds=1))
    assert time.monotonic() - started < 60 and not slept.finished and "wall-clock" in slept.why
    died = sandbox.run(hostile_plan("import os\nos._exit(0)"), sandbox.Limits())
    assert not died.finished and not died.verdicts and "ended" in died.why


def test_without_bubblewrap_the_report_says_so_and_runs_nothing(tmp_path, monkeypatch, capsys):
    write(tmp_path / "alice" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {}))
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    assert report.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "other students' notebooks" in err


@needs_bwrap
def test_a_lesson_without_its_module_of_checks_is_not_checked_and_said(tmp_path):
    """A new lesson is found by its notebook (no list of lessons to update); if its checks are
    missing, every exercise says so rather than counting as wrong."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    complete = json.loads((ROOT / "notebooks" / "02_perceptrons.ipynb").read_text(encoding="utf-8"))
    (notebooks / "99_no_checks.ipynb").write_text(json.dumps(complete), encoding="utf-8")
    write(tmp_path / "class" / "zoe" / "99_no_checks.ipynb", filled_in("02_perceptrons", {1: RIGHT}))
    results, titles, _ = report.report(tmp_path / "class", notebooks, sandbox.Limits(), progress=False)
    assert sorted(titles) == ["99.1", "99.2", "99.3", "99.4"]
    assert {s for s, _ in results["zoe"].values()} == {"not checked"}
    assert "could not start" in results["zoe"]["99.1"][1] and "no_checks" in results["zoe"]["99.1"][1]


# --- the red team's attacks (RED TEAM A1-A16): the sandbox computes, a clean process judges -----

A16 = r"""import typing
u = "_" * 2
code = ("setattr(" + u + "import" + u + "('helpers.checks.common.compare', fromlist=['same']), 'same', "
        "lambda *anything, **named: None)")
def carrier(x: code):
    return x
try:
    typing.get_type_hints(carrier)
except Exception:
    pass
def perceptron_output(x, w, b):
    return 0
check.perceptron_output(perceptron_output)
"""
A15 = r"""import functools
import typing
course = lesson.perceptron_output
code = "setattr(lesson, 'perceptron_output', functools.partial(course))"  # unseen by the screen
def carrier(x: code):
    return x
try:
    typing.get_type_hints(carrier)
except Exception:
    pass
def perceptron_output(x, w, b):
    return course(x, w, b)
check.perceptron_output(perceptron_output)
"""
ATTACKS_02 = {  # student -> exercise 1 of notebook 02: each made every verdict "done" when the child judged
    "a1": ("from helpers import cli\ndef perceptron_output(x, w, b):\n    return 0\n"
           "def forge(grader):\n    grader.judge = lambda *anything: ('done', '')\n"
           "forge(cli.grading.child)\ncheck.perceptron_output(perceptron_output)\n"),
    "a2": ("import operator\nfrom helpers import cli\nreach = operator.attrgetter\n"
           "def perceptron_output(x, w, b):\n    return 0\n"
           "frame = reach('_getframe')(reach('s' + 'ys')(cli.grading.child))(0)\n"
           "while frame is not None:\n    names = reach('f_locals')(frame)\n"
           "    if 'tell' in names and 'nonce' in names:\n"
           "        for key in ['02.1', '02.2', '02.3', '02.4']:\n"
           "            names['tell']({'key': key, 'verdict': ['done', '']})\n"
           "            names['tell']({'key': key, 'verdict': ['wrong', '\\x1b[2J forged']})\n"
           "        break\n    frame = reach('f_' + 'back')(frame)\n"
           "check.perceptron_output(perceptron_output)\n"),
    "a3": ("from helpers import checks\ndef perceptron_output(x, w, b):\n    return 0\n"
           "def agree(m):\n    m.same = lambda *anything, **named: None\n"
           "agree(checks.common.compare)\ncheck.perceptron_output(perceptron_output)\n"),
    "a3b": ("def perceptron_output(x, w, b):\n    return 0\n"
            "def patch(m):\n    m.isclose = lambda a, b, **k: m.ones(m.shape(b), dtype=bool)\n"
            "patch(np)\ncheck.perceptron_output(perceptron_output)\n"),
    "a4": ("import dataclasses\nAnything = dataclasses.make_dataclass('Anything', [], eq=False, namespace={"
           "'_' * 2 + 'eq' + '_' * 2: lambda self, other: True})\n"
           "def perceptron_output(x, w, b):\n    return Anything()\ncheck.perceptron_output(perceptron_output)\n"),
    "a5": ("def perceptron_output(x, w, b):\n    return int(np.apply_along_axis(lesson.perceptron_output, 0, x, w, b))\n"
           "check.perceptron_output(perceptron_output)\n"),
    "a15": A15,
    "a16": A16,
}
ATTACKS_ELSEWHERE = {  # student -> (notebook, exercise, cell)
    "a8": ("07_training_the_network", 1, "import operator\ndef my_backprop(net, X, Y):\n"
           "    return operator.methodcaller('back' + 'prop', X, Y)(net)\ncheck.my_backprop(my_backprop)\n"),
    "a14": ("10_framework_style", 2, "def my_softmax(z):\n    return softmax(z)\ncheck.softmax(my_softmax)\n"),
    "a14b": ("04_the_network", 2, "import helpers.data\ndef one_hot_rows(labels, n_classes):\n"
             "    return helpers.data.one_hot(labels, n_classes)\ncheck.one_hot(one_hot_rows)\n"),
}
SOFTMAX_SLIP = ("def my_softmax(z):\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
                "    return e / e.sum(axis=0, keepdims=True)\ncheck.softmax(my_softmax)\n")


def cell_of(code: str) -> callable:
    return lambda _: code


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """One class: each attack, a right answer beside each (it stays done), a known slip."""
    folder = tmp_path_factory.mktemp("attacked")
    for student, code in ATTACKS_02.items():
        write(folder / student / "02_perceptrons.ipynb", filled_in("02_perceptrons", {1: cell_of(code), 3: RIGHT}))
    for student, (slug, number, code) in ATTACKS_ELSEWHERE.items():
        write(folder / student / f"{slug}.ipynb", filled_in(slug, {number: cell_of(code)}))
    write(folder / "right" / "10_framework_style.ipynb", filled_in("10_framework_style", {1: RIGHT, 2: RIGHT}))
    write(folder / "slip" / "10_framework_style.ipynb", filled_in("10_framework_style", {2: cell_of(SOFTMAX_SLIP)}))
    results, _, problems = report.report(folder, ROOT / "notebooks", sandbox.Limits(seconds=5, lesson_seconds=60),
                                         jobs=2, sandboxed=NO_SANDBOX is None, progress=False)
    return results, problems


@needs_bwrap
@pytest.mark.parametrize("student", sorted(ATTACKS_02))
def test_red_team_attacks_on_the_verdict_get_nothing(attacked, student):
    """A1-A5, A15, A16: patching the grader, the checks or NumPy, forging lines with the nonce,
    an object that equals anything, the course's function through NumPy or hidden by a partial."""
    found = attacked[0][student]
    assert found["02.1"][0] != "done", found["02.1"]
    assert found["02.2"][0] != "done" and found["02.4"][0] != "done"  # the stubs: nothing spread
    assert found["02.3"][0] == "done" or student == "a2", found["02.3"]  # a right answer beside stays right
    assert all("\x1b" not in reason for _, reason in found.values())


@needs_bwrap
def test_red_team_attacks_are_named(attacked):
    results = attacked[0]
    assert "returned an Anything" in results["a4"]["02.1"][1]
    assert "course's own `perceptron_output`" in results["a5"]["02.1"][1]
    assert "course's own `perceptron_output`" in results["a15"]["02.1"][1]
    assert "expected 1, got 0" in results["a16"]["02.1"][1]  # compare.same patched in the sandbox only
    assert results["a2"]["02.2"][0] == "not checked" and "two results" in results["a2"]["02.2"][1]


@needs_bwrap
@pytest.mark.parametrize("student", sorted(ATTACKS_ELSEWHERE))
def test_the_course_function_by_another_name_or_a_string_is_not_done(attacked, student):
    """A8 (Network.backprop by operator.methodcaller), A14 (softmax called from my_softmax;
    helpers.data.one_hot from one_hot_rows)."""
    slug, number, _ = ATTACKS_ELSEWHERE[student]
    status, why = attacked[0][student][f"{slug[:2]}.{number}"]
    assert status == "not done" and "course's own" in why, why


@needs_bwrap
def test_replayed_checks_still_pass_right_answers_and_name_known_slips(attacked):
    results = attacked[0]
    assert results["right"]["10.1"][0] == "done" and results["right"]["10.2"][0] == "done"
    assert results["slip"]["10.2"][0] == "wrong" and "sum runs down the columns" in results["slip"]["10.2"][1]


def right_plan() -> dict:
    lesson = lessons(ROOT / "notebooks")["02"]
    plan, _ = report.plan_for(lesson, filled_in("02_perceptrons", {1: RIGHT, 2: RIGHT})["cells"])
    plan["exercises"] = plan["exercises"][:2]
    return plan


@needs_bwrap
def test_the_judge_refuses_a_record_that_does_not_match_the_check():
    """The record is the sandbox's word only about what the student's function did; a record
    edited (as code in the sandbox could) gives anything but "done"."""
    import copy
    from helpers.cli.grading import judge, plain
    plan = right_plan()
    outcome = sandbox.run(plan, sandbox.Limits(seconds=5, lesson_seconds=30))
    assert judge.decide(plan, outcome.records)[0] == {"02.1": ("done", ""), "02.2": ("done", "")}
    edits = {
        "other inputs": lambda r: r["02.1"]["calls"]["perceptron_output"][0].update({"in": "0" * 32}),
        "a call less": lambda r: r["02.1"]["calls"]["perceptron_output"].pop(),
        "a call more": lambda r: r["02.1"]["calls"]["perceptron_output"].append(r["02.1"]["calls"]["perceptron_output"][0]),
        "another function": lambda r: r["02.1"]["functions"]["perceptron_output"].update({"line": 99}),
        "a lying answer": lambda r: r["02.1"]["calls"]["perceptron_output"][0].update({"out": {"t": "?", "kind": "an X"}}),
        "a wrong answer": lambda r: r["02.1"]["calls"]["perceptron_output"][0].update({"out": 0}),
        "the course's": lambda r: r["02.1"].update({"course_called": ["perceptron_output"]}),
    }
    for what, edit in edits.items():
        records = copy.deepcopy(outcome.records)
        edit(records)
        verdict = judge.decide(plan, records)[0]["02.1"]
        assert verdict[0] != "done", what
        assert verdict[0] == {"other inputs": "not checked", "a call less": "not checked",
                              "a call more": "not checked", "another function": "not checked",
                              "a lying answer": "wrong", "a wrong answer": "wrong",
                              "the course's": "not done"}[what], (what, verdict)
    assert plain.decode(plain.encode([1, 2.5, (True, None), {"a": np.arange(3)}])) [2] == (True, None)
    for strange in [type("Int", (int,), {})(3), {1, 2}, np.array(["1"]), (x for x in [])]:
        with pytest.raises(plain.NotPlain):
            plain.decode(plain.encode(strange))


@needs_bwrap
def test_forged_verdicts_count_for_nothing(tmp_path):
    """Code that finds the pipe and the nonce (A2) can only say bad news, and a key said twice is
    "not checked", whichever came first."""
    forge = ("import sys\nf = sys._getframe()\nwhile 'tell' not in f.f_locals:\n    f = f.f_back\n"
             "f.f_locals['tell']({'key': '02.1', 'verdict': ['done', '']})\n"
             "f.f_locals['tell']({'key': '02.9', 'verdict': ['done', '']})\n")
    outcome = sandbox.run(hostile_plan(forge), sandbox.Limits(seconds=5, lesson_seconds=30))
    assert "02.9" not in outcome.verdicts and "02.9" not in outcome.records
    assert outcome.verdicts["02.1"][0] == "not checked" and "two results" in outcome.verdicts["02.1"][1]
    assert "02.1" not in outcome.records


@needs_bwrap
def test_an_exercise_that_sleeps_is_stopped_by_the_clock(tmp_path):
    """A6: sleeping costs no CPU time; each exercise has its own wall-clock limit."""
    plan = hostile_plan("pass")
    plan["exercises"][0]["cells"] = [[1, "from helpers.mnist_files import time\ntime.sleep(10 ** 6)"]]
    started = time.monotonic()
    outcome = sandbox.run(plan, sandbox.Limits(seconds=1, lesson_seconds=120))
    assert time.monotonic() - started < 45 and "an exercise was stopped after 17 s" in outcome.why


def test_the_setup_comes_from_the_complete_editions_names():
    """A9: a name the student's cell reads (``history``) does not bring the course's training in."""
    lesson = lessons(ROOT / "notebooks")["07"]
    cell = "def per_digit_accuracy(C):\n    history\n    raise NotImplementedError\ncheck.per_digit_accuracy(per_digit_accuracy)"
    plan, _ = report.plan_for(lesson, filled_in("07_training_the_network", {2: cell_of(cell)})["cells"])
    setup = "\n".join(code for e in plan["exercises"] for _, code in e["setup"])
    assert ".SGD(" not in setup and "history =" not in setup


def test_links_leaving_a_students_folder_pipes_and_devices_are_not_read(tmp_path):
    """A10-A12: a link to the course's complete edition, to a classmate's folder or to /dev/zero;
    a named pipe. Not read (listed as problems), the report never blocks."""
    names = ["02_perceptrons"]
    write(tmp_path / "bob" / "02_perceptrons.ipynb", filled_in("02_perceptrons", {1: RIGHT}))
    (tmp_path / "sly").mkdir()
    (tmp_path / "sly" / "02_perceptrons.ipynb").symlink_to(ROOT / "notebooks" / "02_perceptrons.ipynb")
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "stuff").symlink_to("../bob")
    (tmp_path / "zero").mkdir()
    (tmp_path / "zero" / "02_perceptrons.ipynb").symlink_to("/dev/zero")
    (tmp_path / "fifo").mkdir()
    os.mkfifo(tmp_path / "fifo" / "02_perceptrons.ipynb")
    (tmp_path / "sly_02_perceptrons.ipynb").symlink_to(tmp_path / "bob" / "02_perceptrons.ipynb")
    (tmp_path / "mallory").symlink_to(tmp_path / "bob")
    found = collect(tmp_path, names)
    assert {s: sorted(n) for s, n in found.notebooks.items()} == {"bob": ["02"], "fifo": ["02"]}
    refused = {str(p) for p, _ in found.ignored}
    assert refused == {"sly/02_perceptrons.ipynb", "alice/stuff", "zero/02_perceptrons.ipynb",
                       "sly_02_perceptrons.ipynb", "mallory"}
    with pytest.raises(ValueError, match="not a regular file"):
        report.read_student(found.notebooks["fifo"]["02"])


def test_names_and_reasons_cannot_move_the_cursor_and_csv_cells_are_not_formulas():
    """A7, A13: a newline, ESC sequences (clear the screen, OSC 52) in a name or a reason."""
    results = {"x\nbob   4/4": {"02.1": ("wrong", "\x1b[2J\x1b]52;c;cm0=\x07 forged\u202e")},
               "=HYPERLINK(\"http://x\")": {"02.1": ("done", "")}}
    titles = {"02.1": "the perceptron's output"}
    for text in (output.summary(results, titles), output.lesson_table(results, titles, "02"),
                 output.as_csv(results, titles)):
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", text.replace("\r\n", "\n")), text
    assert "x?bob" in output.summary(results, titles)
    assert "'=HYPERLINK" in output.as_csv(results, titles)


@needs_bwrap
def test_one_lesson_is_graded_alone_from_the_command_line(class_folder, tmp_path, capsys):
    assert report.main([str(class_folder), "--lesson", "1", "--csv", str(tmp_path / "r.csv"),
                        "--html", str(tmp_path / "r.html"), "--timeout", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["student", "01.1", "01.2", "01.3", "done"]
    assert re.search(r"^alice\s+done\s+done\s+done\s+3/3$", out, re.M) and "bob" not in out
    assert (tmp_path / "r.csv").read_text().count("\n") == 4 and "<table>" in (tmp_path / "r.html").read_text()
    assert report.main([str(class_folder), "--lesson", "42"]) == 2


def test_the_autograders_test_refuses_the_same_tricks():
    """nbgrader's hidden tests (grading.graded) run in the student's own kernel: no record and
    replay there, but the same watch: A4 (an answer equal to anything), A5 (the course's function
    through NumPy), A14 (softmax from my_softmax), A15 (hidden by a partial after the import)."""
    import dataclasses
    import functools
    from helpers.checks import ExerciseFailed, framework_style, perceptrons
    from helpers.checks.common.grading import graded
    from helpers.lessons import perceptrons as lesson

    def notebook(code: str, name: str, **names):
        space = {"np": np, "lesson": lesson, **names}
        exec(compile(code, "<notebook cell>", "exec"), space)
        return space[name]

    anything = dataclasses.make_dataclass("Anything", [], eq=False, namespace={"__eq__": lambda s, o: True})
    with pytest.raises(ExerciseFailed):
        graded(perceptrons.perceptron_output,
               notebook("def perceptron_output(x, w, b):\n    return Anything()", "perceptron_output", Anything=anything))
    through_numpy = "def perceptron_output(x, w, b):\n    return int(np.apply_along_axis(lesson.perceptron_output, 0, x, w, b))"
    with pytest.raises(AssertionError, match="course's own `perceptron_output`"):
        graded(perceptrons.perceptron_output, notebook(through_numpy, "perceptron_output"))
    from helpers.activations import softmax
    with pytest.raises(AssertionError, match="course's own `softmax`"):
        graded(framework_style.softmax, notebook("def my_softmax(z):\n    return softmax(z)", "my_softmax", softmax=softmax))
    course = lesson.perceptron_output
    hidden = functools.partial(course)
    try:
        lesson.perceptron_output = hidden
        with pytest.raises(AssertionError, match="course's own"):
            graded(perceptrons.perceptron_output,
                   notebook("def perceptron_output(x, w, b):\n    return course(x, w, b)", "perceptron_output",
                            course=course))
    finally:
        lesson.perceptron_output = course
    graded(perceptrons.perceptron_output, notebook("def perceptron_output(x, w, b):\n    return int(np.dot(w, x) + b > 0)",
                                                   "perceptron_output"))
