"""`make lab` from a fresh copy of the course: it writes the learner's own copy (student/),
starts JupyterLab with the news pop-up off, prints a link that opens notebook 01 of that
copy, and, run again, keeps the learner's edits (writing only what is missing)."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LINK = re.compile(r"(http://127\.0\.0\.1:(\d+))/lab/tree/student/01_meet_the_digits\.ipynb\?token=(\w+)")

pytestmark = pytest.mark.skipif(not (VENV / ".installed").exists() or shutil.which("make") is None,
                                reason="needs make and the course's .venv (made by `make test` or `make lab`)")


@pytest.fixture
def course(tmp_path):
    """A fresh copy of the course folder (as a clone has it), sharing the installed .venv."""
    folder = tmp_path / "course"
    folder.mkdir()
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, folder / name)  # older than .venv/.installed: make installs nothing
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    (folder / ".venv").symlink_to(VENV)
    return folder


def make_lab(folder: Path, tmp: Path) -> tuple[subprocess.Popen, str, str]:
    """Start `make lab` (no browser, a free port); the process, what it printed up to the
    link, and the link."""
    env = dict(os.environ, LAB_ARGS="--no-browser --port=0",
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"), JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"))
    process = subprocess.Popen(["make", "lab"], cwd=folder, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    printed, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        printed.append(line)
        if match := LINK.search(line):
            # Keep reading what JupyterLab prints, so that it never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, "".join(printed), match.group(0)
    stop(process)
    pytest.fail("make lab printed no link to student/01_meet_the_digits.ipynb:\n" + "".join(printed))


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
    process.stdout.close()


def get(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    for attempt in range(60):  # the link is printed a moment before the server answers
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.URLError as err:
            if not isinstance(err.reason, ConnectionRefusedError) or attempt == 59:
                raise
            time.sleep(0.5)


def test_make_lab_opens_the_student_edition_and_keeps_the_learners_work(course, tmp_path):
    process, printed, link = make_lab(course, tmp_path)
    try:
        base, token = LINK.search(link).group(1), LINK.search(link).group(3)
        n_lessons = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))  # 11 since notebook 11
        assert f"student/ ({n_lessons} new" in printed and "worked solutions are in notebooks/" in printed
        # The printed link itself opens the page for notebook 01 of the learner's copy.
        status, page = get(link, token)
        assert status == 200 and "JupyterLab" in page
        status, body = get(f"{base}/api/contents/student/01_meet_the_digits.ipynb", token)
        cells = json.loads(body)["content"]["cells"]
        code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert 'raise NotImplementedError("Exercise 1: your code here")' in code and "BEGIN SOLUTION" not in code
        # JupyterLab's news pop-up and update check are off for the course.
        status, body = get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", token)
        defaults = json.loads(body)["schema"]["properties"]  # overrides.json changes the defaults
        assert defaults["fetchNews"]["default"] == "false" and defaults["checkForUpdates"]["default"] is False
    finally:
        stop(process)

    # The learner works in notebook 01 and deletes 03 (to start it afresh).
    student = course / "student"
    first = student / "01_meet_the_digits.ipynb"
    worked = first.read_text(encoding="utf-8").replace("your code here", "my own work, do not lose it")
    first.write_text(worked, encoding="utf-8")
    (student / "03_sigmoid_neurons.ipynb").unlink()

    process, printed, _ = make_lab(course, tmp_path)
    stop(process)
    assert first.read_text(encoding="utf-8") == worked  # kept, byte for byte
    assert "(1 new: 03_sigmoid_neurons.ipynb)" in printed and (student / "03_sigmoid_neurons.ipynb").exists()
    assert (course / "notebooks" / "01_meet_the_digits.ipynb").read_bytes() == (
        ROOT / "notebooks" / "01_meet_the_digits.ipynb").read_bytes()  # the complete edition untouched


def test_binder_post_build_lands_learners_in_the_student_edition(course, tmp_path):
    shutil.copy2(ROOT / "postBuild", course / "postBuild")
    prefix = tmp_path / "prefix"
    env = dict(os.environ, PATH=f"{VENV / 'bin'}{os.pathsep}{os.environ['PATH']}", NB_PYTHON_PREFIX=str(prefix))
    result = subprocess.run(["./postBuild"], cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    written = sorted(p.name for p in (course / "student").glob("*.ipynb"))
    assert written == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    config = json.loads((prefix / "etc/jupyter/jupyter_lab_config.json").read_text())
    assert config == {"LabApp": {"default_url": "/lab/tree/student/01_meet_the_digits.ipynb"}}
    assert os.access(ROOT / "postBuild", os.X_OK), "Binder runs postBuild only if it is executable"
    # ... and `jupyter lab` takes it: its start page redirects to notebook 01 of the student edition.
    # (Written to jupyter_server_config.d/, the setting was ignored under `jupyter lab`.)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    lab = subprocess.Popen([str(VENV / "bin" / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}",
                            "--ServerApp.token=t", f"--ServerApp.root_dir={course}"],
                           env=dict(env, JUPYTER_CONFIG_PATH=str(prefix / "etc/jupyter"),
                                    JUPYTER_CONFIG_DIR=str(tmp_path / "no-user-config")),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        location = None
        for _ in range(120):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/?token=t")
                location = connection.getresponse().getheader("Location")
                break
            except OSError:
                time.sleep(0.5)
        assert location is not None and location.startswith("/lab/tree/student/01_meet_the_digits.ipynb"), location
    finally:
        lab.terminate()
        lab.wait(timeout=30)


# ---------------------------------------------------------------- a damaged student copy, a broken course (issue 21)


def prepare_only(course: Path, monkeypatch, capsys) -> tuple[int, str, str]:
    """`python -m helpers lab --prepare-only` (what `make lab` does before JupyterLab) in ``course``."""
    from helpers.cli import lab

    monkeypatch.chdir(course)
    monkeypatch.setattr(lab, "quiet_news", lambda: True)  # the test's own .venv settings are left alone
    code = lab.main(["--prepare-only"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_damaged_notebook_in_student_is_set_aside_and_replaced(course, monkeypatch, capsys):
    """Before: a truncated student/01_...ipynb went to JupyterLab silently ("Unreadable
    Notebook" in the browser). Now it is renamed aside, byte for byte, never deleted, a
    fresh copy takes its place, and the command says so; a good one is never touched."""
    assert prepare_only(course, monkeypatch, capsys)[0] == 0
    student = course / "student"
    first, second = student / "01_meet_the_digits.ipynb", student / "02_perceptrons.ipynb"
    cut = first.read_bytes()[:3000]  # a save cut short
    first.write_bytes(cut)
    worked = second.read_text(encoding="utf-8").replace("your code here", "my own work")
    second.write_text(worked, encoding="utf-8")
    (student / "03_sigmoid_neurons.ipynb").write_bytes(b"")
    (student / "04_the_network.ipynb").unlink()
    (student / "04_the_network.ipynb").mkdir()
    (student / "05_gradient_descent.ipynb").unlink()
    (student / "05_gradient_descent.ipynb").symlink_to(course / "gone.ipynb")
    code, out, err = prepare_only(course, monkeypatch, capsys)
    assert code == 0 and err == ""
    assert (student / "01_meet_the_digits.ipynb.damaged").read_bytes() == cut  # kept, intact
    assert "student/01_meet_the_digits.ipynb could not be opened: it is not valid JSON (cut short while it was " \
           "being saved?). It is kept as student/01_meet_the_digits.ipynb.damaged" in out
    assert "03_sigmoid_neurons.ipynb could not be opened: it is empty" in out
    assert "04_the_network.ipynb could not be opened: it is a folder" in out
    assert f"05_gradient_descent.ipynb could not be opened: it is a link to {course / 'gone.ipynb'}" in out
    assert (student / "04_the_network.ipynb.damaged").is_dir()
    assert os.readlink(student / "05_gradient_descent.ipynb.damaged") == str(course / "gone.ipynb")
    assert "(4 new: 01_meet_the_digits.ipynb, 03_sigmoid_neurons.ipynb, 04_the_network.ipynb, " \
           "05_gradient_descent.ipynb)" in out
    for name in ("01_meet_the_digits", "03_sigmoid_neurons", "04_the_network", "05_gradient_descent"):
        cells = json.loads((student / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]  # fresh and whole
        assert any("your code here" in "".join(c["source"]) for c in cells)
    assert second.read_text(encoding="utf-8") == worked and "02_perceptrons" not in out
    # damaged again: the first copy set aside is kept too
    first.write_bytes(b'{"cells": [')
    code, out, _ = prepare_only(course, monkeypatch, capsys)
    assert code == 0 and "It is kept as student/01_meet_the_digits.ipynb.damaged-2" in out
    assert (student / "01_meet_the_digits.ipynb.damaged").read_bytes() == cut
    assert (student / "01_meet_the_digits.ipynb.damaged-2").read_bytes() == b'{"cells": ['


def test_a_broken_student_folder_is_reported_and_left_alone(course, tmp_path, monkeypatch, capsys):
    """Before: `student` as a link to nowhere was called "part of that path is a file"."""
    (course / "student").symlink_to(tmp_path / "usb" / "student")
    code, out, err = prepare_only(course, monkeypatch, capsys)
    assert code == 1 and "Traceback" not in err
    assert f"student is a link to {tmp_path / 'usb' / 'student'}, which does not exist (a drive not connected?). " \
           "Connect it and run `make lab` again" in err and "Nothing was changed." in err
    assert os.readlink(course / "student") == str(tmp_path / "usb" / "student")
    (course / "student").unlink()
    (course / "student").write_text("my notes")
    code, out, err = prepare_only(course, monkeypatch, capsys)
    assert code == 1 and "student is a file, not the folder of your notebooks: rename it" in err
    assert (course / "student").read_text() == "my notes"


def test_a_notebook_with_a_missing_end_marker_is_named_not_a_traceback(course, monkeypatch, capsys):
    """Before: one missing `# END SOLUTION` made `python -m helpers lab` die with a
    ValueError traceback. Now a message naming the notebook and the cell, exit 1."""
    path = course / "notebooks" / "03_sigmoid_neurons.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if "# END SOLUTION" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("    # END SOLUTION\n", "", 1)
    path.write_text(json.dumps(notebook), encoding="utf-8")
    code, out, err = prepare_only(course, monkeypatch, capsys)
    number = notebook["cells"].index(cell) + 1
    assert code == 1 and "Traceback" not in err
    assert f"{path}, cell {number} (\"def neuron_output(x, w, b):\"): line 3 opens a solution block that no " \
           "'# END SOLUTION' closes" in err
    assert "The fault is in the course's notebooks/, not in your work." in err
    assert not (course / "student").exists()


def test_a_damaged_notebook_that_cannot_be_renamed_is_reported_and_kept(course, monkeypatch, capsys):
    """A read-only student/ (a hub): the damaged notebook cannot be set aside; it is
    named, left as it is, and nothing else is written."""
    assert prepare_only(course, monkeypatch, capsys)[0] == 0
    first = course / "student" / "01_meet_the_digits.ipynb"
    first.write_bytes(b'{"cells": [')

    def refuse(self, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "rename", refuse)
    code, out, err = prepare_only(course, monkeypatch, capsys)
    assert code == 1 and "Traceback" not in err
    assert "student/01_meet_the_digits.ipynb cannot be opened: it is not valid JSON (cut short while it was being " \
           "saved?); and it cannot be renamed aside (Permission denied): rename it yourself" in err
    assert first.read_bytes() == b'{"cells": ['
