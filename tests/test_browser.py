"""The widgets in a real browser: JupyterLab in headless Chromium, driven by Playwright.

nbval proves that the notebooks' code runs; this proves that the *learner's* view works.
For each notebook with widgets it starts from a fresh JupyterLab page, waits until the
kernel is really connected (not just shown as idle), runs the notebook with Run > Run All
Cells, and checks that no cell shows an error and that every widget renders and answers:

- a slider moved with the arrow keys, a number typed into a box (then Enter), a dropdown
  choice, a button click, a file upload
  and a stroke drawn with the mouse on notebook 09's canvas each change the picture
  (our widgets draw a PNG ``<img>`` through ``helpers.widgets.figure.FigureView``, so
  "changed" means a new ``src``); the canvas's stroke must also produce a reading;
- the training monitor of notebook 07 redraws its curve while the network trains.

Each input's response time (from the browser's input event to the new picture, timed
in the page) goes to ``build/browser/report.json``, with a screenshot of every widget
(``build/browser/*.png``); a failing check also saves a screenshot of the whole page.
The test asserts only a generous bound (``BOUND`` seconds): speed is reported, not tested.

Notebooks 07 and 08 train networks for minutes; the test runs a copy of each that ends
with its first widget (07's monitor over 2 epochs instead of 30; 08's neuron explorer:
its second widget is the same TrainingMonitor, exercised in 07); 11's ends with its
monitor over one epoch of 3,000 digits. ``BROWSER_NOTEBOOKS=01,09``
checks only those notebooks. Needs Debian's ``chromium`` and ``pip install -r
requirements-dev.txt`` (Playwright, which drives the installed Chromium: it never
downloads a browser); skipped, with the reason, where either is missing, unless
``DIGITS_REQUIRE_BROWSER=1`` (as in ``.ci/run``, which installs both).
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the development requirements are not installed
    sync_playwright = None

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "browser"
REPORT = BUILD / "report.json"
CHROMIUM = shutil.which("chromium")
BOUND = 5.0  # seconds from an input to the changed picture: generous, for a busy 2-core machine
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

MISSING = [why for why, missing in (
    ("Playwright is not installed: pip install -r requirements-dev.txt", sync_playwright is None),
    ("no `chromium` on PATH: apt-get install chromium", CHROMIUM is None)) if missing]
# Skipped, with the reason, where the browser or Playwright is missing; CI sets
# DIGITS_REQUIRE_BROWSER=1 (.ci/run installs both), and then a missing one is a failure.
REQUIRED = os.environ.get("DIGITS_REQUIRE_BROWSER") == "1"
pytestmark = pytest.mark.skipif(bool(MISSING) and not REQUIRED, reason="; ".join(MISSING))

# Copies of the long notebooks that end early: {slug: (last cell to keep, [(old, new), ...])}.
TRIM = {
    "07_training_the_network": ("monitor = TrainingMonitor(", [
        ("EPOCHS, MINI_BATCH_SIZE, ETA = 30, 10, 3.0", "EPOCHS, MINI_BATCH_SIZE, ETA = 2, 10, 3.0")]),
    "08_training_it_better": ("slowdown_explorer(", []),
    # 11: its monitor over one epoch of 3,000 digits (the CNN reader after it is notebook 09's
    # canvas, exercised there, and needs the fully trained network's asserts on the way)
    "11_convolutions": ("monitor = TrainingMonitor(", [
        ("EPOCHS, MINI_BATCH_SIZE = lesson.EPOCHS, 64", "EPOCHS, MINI_BATCH_SIZE = 1, 64"),
        ("lesson.as_images(train_set.X), lesson.as_images(test_set.X)",
         "lesson.as_images(train_set.X[:3000]), lesson.as_images(test_set.X[:1000])"),
        ("(X_train, train_set.y)", "(X_train, train_set.y[:3000])"),
        ("test_data=(X_test, test_set.y)", "test_data=(X_test, test_set.y[:1000])")]),
}

NB = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook on show

# In the page: when the last input event happened, and when each picture changed.
TIMING_JS = """
window.__lastInput = null;
for (const type of ["keydown", "click", "change", "pointerup"]) {
  document.addEventListener(type, () => { window.__lastInput = performance.now(); }, true);
}
window.__watch = (img) => {
  if (img.__changes) return;
  img.__changes = [];
  new MutationObserver(() => img.__changes.push(performance.now()))
    .observe(img, { attributes: true, attributeFilter: ["src"] });
};
// Notebook 09's reader: when its answer line changed (and to what), and what the canvas's
// caption said ("reading..." while Python reads).
window.__watchText = (el) => {
  if (el.__texts) return;
  el.__texts = [];
  new MutationObserver(() => el.__texts.push([performance.now(), el.innerText]))
    .observe(el, { childList: true, subtree: true, characterData: true });
};
"""
ANSWER_BOUND = 0.3  # issue 17: the final answer within 0.3 s of the mouse being lifted, on a quiet machine


# The widgets a cell can make: the public functions and classes of helpers/widgets/.
WIDGET_NAMES = {node.name for path in (ROOT / "helpers" / "widgets").glob("*.py")
                for node in ast.parse(path.read_text(encoding="utf-8")).body
                if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")}


def notebooks_with_widgets() -> list[Path]:
    chosen = [s.strip() for s in os.environ.get("BROWSER_NOTEBOOKS", "").split(",") if s.strip()]
    paths = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if chosen and path.name[:2] not in chosen:
            continue
        if WIDGET_VIEW in path.read_text(encoding="utf-8"):
            paths.append(path)
    return paths


def prepared_copy(path: Path, folder: Path) -> tuple[Path, list[int]]:
    """Copy a notebook into ``folder`` (trimmed if it is in TRIM), outputs cleared; return the
    copy and the indexes of its cells that showed a widget in the committed notebook."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = notebook["cells"]
    if path.stem in TRIM:
        last, replacements = TRIM[path.stem]
        ends = [i for i, c in enumerate(cells) if last in "".join(c["source"])]
        assert ends, f"{path.name}: no cell contains {last!r} any more: update TRIM in {__file__}"
        cells = cells[: ends[0] + 1]
        for old, new in replacements:
            hits = [c for c in cells if old in "".join(c["source"])]
            assert hits, f"{path.name}: no cell contains {old!r} any more: update TRIM in {__file__}"
            for c in hits:
                c["source"] = "".join(c["source"]).replace(old, new)
    widget_cells = [i for i, c in enumerate(cells)
                    if any(WIDGET_VIEW in o.get("data", {}) for o in c.get("outputs", []))]
    for c in cells:
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = [], None
    notebook["cells"] = cells
    notebook.get("metadata", {}).pop("widgets", None)  # no stored widget state: it must come from the kernel
    copy = folder / path.name
    copy.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")
    return copy, widget_cells


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.25):
    end = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < end:
        try:
            if value := predicate():
                return value
        except Exception as err:  # the server is not up yet, the element not there yet
            last_error = err
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}"
                       + (f" (last error: {last_error})" if last_error else ""))


class Lab:
    """A JupyterLab server on 127.0.0.1 for this test only: its own port, token, settings,
    workspace, runtime folder and notebook folder."""

    def __init__(self, folder: Path):
        self.port, self.token, self.folder = free_port(), secrets.token_hex(16), folder
        self.root = folder / "notebooks"
        self.root.mkdir()
        settings = folder / "settings"
        news = settings / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True)
        (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
        # Render every cell, not only those in view (JupyterLab 4's windowing), so all can be checked.
        tracker = settings / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(folder / "workspaces"),
                   JUPYTER_RUNTIME_DIR=str(folder / "runtime"), JUPYTER_CONFIG_DIR=str(folder / "config"))
        root_flag = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        self.log = open(folder / "jupyterlab.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             *root_flag, f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--LabApp.expose_app_in_browser=True"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        wait_for(lambda: self.api("status"), 90, "JupyterLab to start", interval=0.5)

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/{path}?token={self.token}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else True

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/lab/tree/{name}?reset&token={self.token}"

    def shut_down_kernels(self) -> None:
        def all_gone():
            for kernel in self.api("kernels"):  # one kernel at a time on 2 cores
                self.api(f"kernels/{kernel['id']}", method="DELETE")
            return True

        # A kernel still starting can make the server answer 500 for a moment: try again.
        wait_for(all_gone, 60, "the kernels to shut down", interval=1.0)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    assert not MISSING, "; ".join(MISSING)  # only reached when DIGITS_REQUIRE_BROWSER=1
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def report():
    """The response times of every widget, written to build/browser/report.json at the end."""
    BUILD.mkdir(parents=True, exist_ok=True)
    for old in BUILD.glob("*.png"):
        old.unlink()
    data = {"machine": {"cores": os.cpu_count(), "load_average_at_start": list(os.getloadavg())},
            "bound_seconds": BOUND, "notebooks": {}}
    yield data
    data["machine"]["load_average_at_end"] = list(os.getloadavg())
    REPORT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# --- in the page ---------------------------------------------------------------------------


def kernel_really_connected(page) -> bool:
    """The notebook's own session has a kernel whose websocket is connected and which is idle."""
    return page.evaluate("""() => {
      const app = window.jupyterapp; if (!app) return false;
      const panel = app.shell.currentWidget; if (!panel || !panel.sessionContext) return false;
      const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
      return !!kernel && kernel.connectionStatus === "connected" && kernel.status === "idle"
             && !panel.sessionContext.isStarting;
    }""")


def run_state(page) -> dict:
    """How far Run All has got: code cells run, cells with an error, and the kernel's status."""
    return page.evaluate("""() => {
      const panel = window.jupyterapp.shell.currentWidget;
      const cells = panel.content.model.cells;
      let code = 0, done = 0; const errors = [];
      for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== "code") continue;
        code++;
        if (cell.executionCount !== null && cell.executionCount !== undefined) done++;
        for (const output of cell.outputs.toJSON()) {
          if (output.output_type === "error") errors.push(`cell ${i}: ${output.ename}: ${output.evalue}`.slice(0, 300));
        }
      }
      return { code, done, errors, status: panel.sessionContext.session.kernel.status };
    }""")


def picture_changes(page, img) -> int:
    return page.evaluate("img => img.__changes.length", img)


def respond(page, img, act, settle: float = 0.0, timeout: float = 20.0) -> float:
    """Do ``act`` and wait for the picture to change; the seconds from the last input event
    to the (last, after ``settle`` seconds of quiet) new picture, timed in the page."""
    before = picture_changes(page, img)
    page.evaluate("() => { window.__lastInput = null; }")
    act()
    wait_for(lambda: picture_changes(page, img) > before, timeout, "the picture to change", interval=0.02)
    if settle:
        seen, quiet_since = picture_changes(page, img), time.monotonic()
        while time.monotonic() - quiet_since < settle:
            time.sleep(0.05)
            if (now := picture_changes(page, img)) != seen:
                seen, quiet_since = now, time.monotonic()
    changed, started = page.evaluate("img => [img.__changes[img.__changes.length - 1], window.__lastInput]", img)
    assert started is not None, "the browser saw no input event"
    return (changed - started) / 1000


def label_of(control) -> str:
    text = control.evaluate("""el => {
      const box = el.closest('.widget-inline-hbox, .widget-hbox, .widget-vbox, .widget-box');
      const label = box && box.querySelector(':scope > .widget-label');
      return (label && label.innerText) || el.innerText || el.getAttribute('title') || '';
    }""")
    return " ".join(text.split())[:40]


def exercise_widget(page, cell, name: str) -> list[dict]:
    """Every control in one widget cell's output: each changes the picture (three times where
    it can). Returns one row per control: what it is and its response times."""
    img = cell.locator("img.widget-image").first
    img.wait_for(state="visible", timeout=30_000)
    handle = img.element_handle()
    page.evaluate("img => window.__watch(img)", handle)
    rows = []

    def record(kind: str, label: str, times: list[float]):
        rows.append({"control": f"{kind} '{label}'" if label else kind, "n": len(times),
                     "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
                     "times_s": [round(t, 3) for t in times]})

    for slider in cell.locator(".noUi-handle").all():
        label, times = label_of(slider), []
        for _ in range(3):
            now, top = (float(slider.get_attribute(a) or 0) for a in ("aria-valuenow", "aria-valuemax"))
            key = "ArrowLeft" if now >= top else "ArrowRight"
            slider.focus()
            times.append(respond(page, handle, lambda: page.keyboard.press(key)))
        record("slider", label, times)
    for select in cell.locator("select").all():
        options = select.locator("option").all_inner_texts()
        label, times = label_of(select), []
        for choice in [o for o in options if o != select.evaluate("s => s.options[s.selectedIndex].text")][:2]:
            times.append(respond(page, handle, lambda: select.select_option(label=choice)))
        record("dropdown", label, times)
    for box in cell.locator(".widget-text input").all():  # notebook 10's eta: typed, then Enter
        label, times = label_of(box), []
        for factor in (1.5, 0.5):
            value = f"{float(box.input_value()) * factor:g}"

            def type_value(value=value):
                box.fill(value)
                box.press("Enter")

            times.append(respond(page, handle, type_value, settle=1.0))  # and nothing undoes it after
            assert box.input_value() == value, f"{name}: the box shows {box.input_value()!r} after {value!r}"
        record("text box", label, times)
    for group in cell.locator(".widget-toggle-buttons").all():
        label, times = label_of(group), []
        for _ in range(3):
            off = group.locator("button:not(.mod-active)").first
            times.append(respond(page, handle, off.click))
        record("toggle buttons", label, times)
    buttons = [b for b in cell.locator("button.jupyter-button").all()
               if not b.evaluate("b => !!b.closest('.widget-toggle-buttons, .widget-upload')")]
    canvas = cell.locator("canvas")
    if canvas.count():
        rows += exercise_canvas(page, cell, handle, canvas.first, buttons, record)
        buttons = []
    for button in buttons:
        label, times = " ".join(button.inner_text().split()), []
        for _ in range(3):
            if button.is_disabled():
                break
            times.append(respond(page, handle, button.click))
        if times:
            record("button", label, times)
    for upload in cell.locator("button.widget-upload").all():
        def choose_file():  # as a learner does: click, then pick a file in the browser's file chooser
            with page.expect_file_chooser() as chooser:
                upload.click()
            chooser.value.set_files(files=[digit_png()])

        times = [respond(page, handle, choose_file, settle=0.3)]
        status = cell.locator(".widget-label").last.inner_text()
        assert "reads a" in status, f"{name}: an uploaded digit gave no reading: {status!r}"
        record("file upload", "Photo or scan", times)
    return rows


def exercise_canvas(page, cell, img, canvas, buttons, record):
    """Notebook 09: Clear, then draw a stroke with the mouse; the reading must name a digit."""
    clear = next(b for b in buttons if "Clear" in b.inner_text())
    status = cell.locator(".widget-label").last
    box = canvas.bounding_box()
    caption = cell.locator(".digits-canvas-caption").first
    cleared, drawn, readings, answered = [], [], [], []
    for i in range(3):
        cleared.append(respond(page, img, clear.click, settle=0.3))
        wait_for(lambda: "empty" in status.inner_text(), 10, "the reading of an empty canvas")

        def stroke(dx=i * 8):  # a "1": one stroke from top to bottom, drawn in about 0.1 s
            x = box["x"] + box["width"] / 2 + dx
            page.mouse.move(x, box["y"] + box["height"] * 0.15)
            page.mouse.down()
            page.mouse.move(x - box["width"] * 0.03, box["y"] + box["height"] * 0.85, steps=8)
            page.mouse.up()

        status_handle, caption_handle = status.element_handle(), caption.element_handle()
        page.evaluate("([s, c]) => { window.__watchText(s); window.__watchText(c); s.__texts.length = 0; "
                      "c.__texts.length = 0; }", [status_handle, caption_handle])
        drawn.append(respond(page, img, stroke, settle=0.6))
        wait_for(lambda: "reads a" in status.inner_text(), 10, "a reading of the stroke")
        wait_for(lambda: "reading..." not in caption.inner_text(), 10, "'reading...' to go")
        readings.append(status.inner_text())
        # The answer after the mouse is lifted: from pointerup (the last input) until Python has
        # answered the lift's sending, when "reading..." under the canvas goes (Python sets the
        # answer line just before). The answer line itself may not change then: a sending while
        # the pen was down can already have had the same answer.
        lifted, captions = page.evaluate("([s, c]) => [window.__lastInput, c.__texts]", [status_handle, caption_handle])
        assert any("reading..." in t for _, t in captions), f"the caption never said 'reading...': {captions}"
        done = [t for t, text in captions if t >= lifted and "reading..." not in text]
        assert done, f"'reading...' did not go after the lift: {captions}"
        answered.append((done[0] - lifted) / 1000)
    record("button", "Clear", cleared)
    record("canvas stroke", "reads " + ", ".join(sorted({re.search(r"reads an? (\d)", r).group(1) for r in readings})),
           drawn)
    record("answer line after mouse-up", f"within {ANSWER_BOUND} s on a quiet machine", answered)
    if os.environ.get("DIGITS_QUIET_MACHINE") == "1":  # a shared, busy machine is slower: reported, not tested
        assert statistics.median(answered) <= ANSWER_BOUND, f"the answer came {answered} s after mouse-up"
    # Issue 17: at 1000 and 800 pixels of width the canvas, its caption and the whole answer
    # line stay on screen, the answer wrapped rather than cut short, in a readable size.
    for width in (1000, 800):
        page.set_viewport_size({"width": width, "height": 1000})
        time.sleep(0.5)
        canvas.scroll_into_view_if_needed()
        for what, element in (("canvas", canvas), ("caption", caption), ("answer line", status)):
            box = element.bounding_box()
            assert box and box["height"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width, (width, what, box)
        cut, size = status.evaluate("el => [el.scrollWidth > el.clientWidth + 1, parseFloat(getComputedStyle(el).fontSize)]")
        assert not cut and size >= 12, f"at {width} px the answer line is cut short or tiny ({size} px)"
        cell.screenshot(path=str(BUILD / f"09-reader-{width}px.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})
    return []


def digit_png() -> dict:
    """A photo-like picture of a "7": dark ink on a light page, for the upload button."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (120, 140), (235, 232, 225))
    draw = ImageDraw.Draw(picture)
    draw.line([(25, 25), (95, 25), (55, 120)], fill=(30, 30, 40), width=12)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return {"name": "seven.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def check_monitor(page, cell, name: str, pictures_seen: set) -> list[dict]:
    """Notebook 07's training monitor: it rendered, redrew while training, and finished."""
    img = cell.locator("img.widget-image").first
    img.wait_for(state="visible", timeout=30_000)
    labels = [" ".join(t.split()) for t in cell.locator(".widget-label").all_inner_texts()]
    label = next((t for t in labels if re.search(r"epoch (\d+)/\1\b", t)), None)
    assert label, f"{name}: the monitor did not reach its last epoch: {labels}"
    assert len(pictures_seen) >= 2, f"{name}: the monitor's picture never changed while training"
    return [{"control": "training monitor (no input: redraws after each epoch)", "n": 0,
             "pictures_seen": len(pictures_seen), "last_line": label}]


def check_progress(page, cell, name: str) -> list[dict]:
    """Progress bars of training runs (ProgressWidget): each rendered and reached its last epoch."""
    bars = cell.locator(".widget-hprogress")  # ipywidgets 8: a horizontal IntProgress
    bars.first.wait_for(state="visible", timeout=30_000)
    labels = [" ".join(t.split()) for t in cell.locator(".widget-label").all_inner_texts()]
    finished = [t for t in labels if re.search(r"epoch (\d+)/\1\b", t)]
    assert len(finished) == bars.count(), f"{name}: {bars.count()} progress bars, but these labels: {labels}"
    return [{"control": f"{bars.count()} progress bar(s) (no input: they fill while training)", "n": 0,
             "last_lines": finished}]


# --- the test ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", notebooks_with_widgets(), ids=lambda p: p.stem[:2])
def test_widgets_render_and_answer_in_a_browser(path, lab, browser, report):
    copy, widget_cells = prepared_copy(path, lab.root)
    assert widget_cells, f"{path.name}: no widget in the committed notebook"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(TIMING_JS)
    started = time.monotonic()
    entry = {"trimmed": path.stem in TRIM, "widgets": []}
    try:
        page.goto(lab.url(copy.name))
        page.wait_for_selector(f"{NB} .jp-Cell", timeout=60_000)
        wait_for(lambda: kernel_really_connected(page), 120, "the kernel to connect")
        entry["seconds_to_connect"] = round(time.monotonic() - started, 1)
        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.click("li.lm-Menu-item:has-text('Run All Cells')")
        run_started, monitor_pictures = time.monotonic(), set()
        cells = page.locator(f"{NB} .jp-Cell")

        def finished():
            for i in widget_cells:  # the monitor draws while training: note each picture it shows
                for src in cells.nth(i).locator("img.widget-image").evaluate_all("els => els.map(e => e.src)"):
                    monitor_pictures.add(src)
            state = run_state(page)
            assert not state["errors"], f"{path.name}: a cell shows an error: {state['errors'][0]}"
            return state["done"] == state["code"] and state["status"] == "idle"

        wait_for(finished, 600, f"{path.name}: Run All to finish", interval=0.5)
        entry["seconds_to_run_all"] = round(time.monotonic() - run_started, 1)
        text = page.locator(NB).inner_text()
        for marker in ("Error displaying widget", "Loading widget", "Model not found", "Traceback"):
            assert marker not in text, f"{path.name}: the page shows {marker!r}"
        for i in widget_cells:
            cell = cells.nth(i)
            cell.scroll_into_view_if_needed()
            source = page.evaluate(f"() => window.jupyterapp.shell.currentWidget.content.model.cells.get({i}).sharedModel.getSource()")
            name = next((n for n in re.findall(r"\b(\w+)\(", source) if n in WIDGET_NAMES), f"cell {i}")
            if name == "TrainingMonitor":
                rows = check_monitor(page, cell, path.name, monitor_pictures)
            elif name == "ProgressWidget" and not cell.locator("img.widget-image").count():
                rows = check_progress(page, cell, path.name)
            else:
                rows = exercise_widget(page, cell, path.name)
            assert rows, f"{path.name}: the widget of cell {i} has no control that answered"
            cell.screenshot(path=str(BUILD / f"{path.stem[:2]}-{name}.png"))
            entry["widgets"].append({"cell": i, "widget": name, "controls": rows})
            slow = [r for r in rows if r.get("max_s", 0) > BOUND]
            assert not slow, f"{path.name}: {name} took more than {BOUND} s to answer: {slow}"
    except BaseException:
        BUILD.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(BUILD / f"FAILED-{path.stem}.png"), full_page=True)
        raise
    finally:
        entry["seconds_in_all"] = round(time.monotonic() - started, 1)
        report["notebooks"][path.name] = entry
        page.close()
        lab.shut_down_kernels()


def test_widget_cells_not_run_yet_read_well(lab, browser):
    """Opened as committed, before anything runs, a widget cell says how to bring its
    widget: no `VBox(children=(...`, no `<... object at 0x...>`, no "model not found"."""
    sys.path.insert(0, str(ROOT / "tools"))
    from widget_placeholders import PLACEHOLDER

    folder = lab.root / "as_committed"
    folder.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        for path in notebooks_with_widgets():
            shutil.copy(path, folder / path.name)
            page.goto(lab.url(f"as_committed/{path.name}"))
            page.wait_for_selector(f"{NB} .jp-Cell", timeout=60_000)
            wait_for(lambda: PLACEHOLDER in page.locator(NB).inner_text(), 60,
                     f"{path.name}: the line that says how to bring the widget")
            text = page.locator(NB).inner_text()
            for marker in ("VBox(children", "HBox(children", " object at 0x", "odel not found",
                           "Error displaying widget"):
                assert marker not in text, f"{path.name} opened before running shows {marker!r}"
            lab.shut_down_kernels()  # JupyterLab starts one for each notebook opened: one at a time
    except BaseException:
        BUILD.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(BUILD / "FAILED-not-run-yet.png"), full_page=True)
        raise
    finally:
        page.close()
        lab.shut_down_kernels()
