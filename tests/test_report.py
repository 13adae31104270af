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


@needs_bwrap
def test_one_lesson_is_graded_alone_from_the_command_line(class_folder, tmp_path, capsys):
    assert report.main([str(class_folder), "--lesson", "1", "--csv", str(tmp_path / "r.csv"),
                        "--html", str(tmp_path / "r.html"), "--timeout", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["student", "01.1", "01.2", "01.3", "done"]
    assert re.search(r"^alice\s+done\s+done\s+done\s+3/3$", out, re.M) and "bob" not in out
    assert (tmp_path / "r.csv").read_text().count("\n") == 4 and "<table>" in (tmp_path / "r.html").read_text()
    assert report.main([str(class_folder), "--lesson", "42"]) == 2
