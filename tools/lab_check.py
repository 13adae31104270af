"""Run notebooks in a real JupyterLab in headless Chromium and check that they work there.

nbval proves the code runs; this proves the *learner's* view works: JupyterLab starts,
the kernel connects, "Run All Cells" finishes without an error, and the widgets render
(ipywidgets views, not "Error displaying widget"). A developer's check, not part of
`make test` (it needs Chromium and Playwright):

    apt-get install chromium && .venv/bin/pip install playwright
    .venv/bin/python tools/lab_check.py notebooks/01_meet_the_digits.ipynb [...]

Screenshots go to /tmp/lab_check/. The notebooks are copied to a temporary folder first,
so the committed ones are never touched by JupyterLab's autosave.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path("/tmp/lab_check")
NB = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook on show


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port: int, token: str, path: str):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/{path}?token={token}", timeout=5) as r:
        return json.load(r)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if value := predicate():
                return value
        except Exception:  # server not up yet, element not there yet
            pass
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def check_notebook(page, port: int, token: str, name: str) -> list[str]:
    problems = []
    # ?reset: a fresh workspace, without the tabs of the notebooks checked before
    page.goto(f"http://127.0.0.1:{port}/lab/tree/{name}?reset&token={token}")
    # The kernel must be *connected*, not merely shown as idle, before Run All.
    wait_for(lambda: any(k["connections"] > 0 and k["execution_state"] == "idle" for k in api(port, token, "kernels")),
             90, "the kernel to connect")
    page.wait_for_selector(f"{NB} .jp-Cell", timeout=30_000)
    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Cells')")
    n_code = page.locator(f"{NB} .jp-CodeCell").count()

    def finished():
        prompts = page.locator(f"{NB} .jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        done = [p for p in prompts if p.strip().startswith("[") and p.strip() not in ("[ ]:", "[*]:")]
        busy = any(k["execution_state"] == "busy" for k in api(port, token, "kernels"))
        return len(done) == n_code and not busy

    wait_for(finished, 300, f"{name}: all {n_code} code cells to run", interval=1)
    text = page.locator(NB).inner_text()
    for marker in ("Traceback", "❌", "Error displaying widget", "Loading widget..."):
        if marker in text:
            problems.append(f"{name}: the page shows {marker!r}")
    n_widgets = page.locator(f"{NB} .jupyter-widgets").count()
    if n_widgets == 0:
        problems.append(f"{name}: no widget rendered")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / (Path(name).stem + ".png")), full_page=False)
    for i, widget in enumerate(page.locator(f"{NB} .jp-OutputArea-output:has(.jupyter-widgets)").all()[:4]):
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(SHOTS / f"{Path(name).stem}-widget{i + 1}.png"))
    print(f"{name}: {n_code} code cells ran, {n_widgets} widget views rendered"
          + ("" if not problems else f", {len(problems)} problem(s)"))
    return problems


def main(paths: list[str]) -> int:
    port, token = free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as tmp:
        root, settings = Path(tmp) / "notebooks", Path(tmp) / "settings"
        root.mkdir()
        for path in paths:
            shutil.copy(path, root)
        news = settings / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True)
        (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
        # Render every cell (JupyterLab 4 otherwise only renders those in view), so all can be read.
        tracker = settings / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings))
        lab = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             "--allow-root", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        problems = []
        try:
            wait_for(lambda: api(port, token, "status"), 60, "JupyterLab to start")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run"])
                for path in paths:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    problems += check_notebook(page, port, token, Path(path).name)
                    page.close()
                    for kernel in api(port, token, "kernels"):  # one kernel at a time on 2 cores
                        urllib.request.urlopen(urllib.request.Request(
                            f"http://127.0.0.1:{port}/api/kernels/{kernel['id']}?token={token}", method="DELETE"))
                browser.close()
        finally:
            lab.terminate()
            lab.wait(timeout=30)
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or sorted(str(p) for p in Path("notebooks").glob("[0-9][0-9]_*.ipynb"))))
