"""`make lab` from a fresh copy of the course: it writes the learner's own copy (student/),
starts JupyterLab with the news pop-up off, prints a link that opens notebook 01 of that
copy, and, run again, keeps the learner's edits (writing only what is missing)."""

import json
import os
import re
import shutil
import signal
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
        assert "student/ (10 new" in printed and "worked solutions are in notebooks/" in printed
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
    config = json.loads((prefix / "etc/jupyter/jupyter_server_config.d/digits-from-scratch.json").read_text())
    assert config == {"LabApp": {"default_url": "/lab/tree/student/01_meet_the_digits.ipynb"}}
    assert os.access(ROOT / "postBuild", os.X_OK), "Binder runs postBuild only if it is executable"
