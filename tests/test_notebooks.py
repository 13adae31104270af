"""Every lesson notebook is committed executed, in order, with the python3 kernel, and
follows the pattern in notebooks/AUTHORING.md (the outputs themselves are checked by nbval)."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "01_meet_the_digits.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernel_is_python3(path):
    assert load(path)["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_top_to_bottom_in_a_fresh_kernel(path):
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code" and source(c).strip()]
    counts = [c["execution_count"] for c in code]
    assert None not in counts, f"{path.name}: some code cells were never run; run `make notebooks`"
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not executed in order; run `make notebooks`"
    errors = [o for c in code for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, f"{path.name}: committed with an error output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_shape(path):
    cells = load(path)["cells"]
    first = source(cells[0])
    assert cells[0]["cell_type"] == "markdown" and first.startswith(f"# {path.name[:2]} · ")
    assert "By the end" in first
    markdown = "\n".join(source(c) for c in cells if c["cell_type"] == "markdown")
    assert "## What you learned" in markdown and "## What's next" in markdown
    exercises = re.findall(r"^### Exercise \d+", markdown, re.M)
    assert 2 <= len(exercises) <= 4, f"{path.name}: {len(exercises)} exercises, expected 2 to 4"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_marked_for_the_student_edition(path):
    code = [source(c) for c in load(path)["cells"] if c["cell_type"] == "code"]
    begins = sum(s.count("# BEGIN SOLUTION") for s in code)
    ends = sum(s.count("# END SOLUTION") for s in code)
    assert begins == ends and begins >= 2, f"{path.name}: {begins} BEGIN / {ends} END SOLUTION markers"
    for s in code:  # markers come in order, never nested
        assert re.fullmatch(r"(?:(?!# (?:BEGIN|END) SOLUTION).)*(?:# BEGIN SOLUTION(?:(?!# (?:BEGIN|END) SOLUTION).)*# END SOLUTION(?:(?!# (?:BEGIN|END) SOLUTION).)*)*", s, re.S)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_global_seeding(path):
    code = "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "code")
    assert "np.random.seed" not in code and not re.search(r"np\.random\.(rand|randn|randint|choice)\(", code)
    assert "default_rng(" in code


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_widget_not_run_yet_says_how_to_bring_it(path):
    """Opened before its cell runs, a widget output shows its plain text in JupyterLab: a
    line for the learner (tools/widget_placeholders.py), never `VBox(children=(...`."""
    import sys
    sys.path.insert(0, str(path.parent.parent / "tools"))
    from widget_placeholders import PLACEHOLDER, WIDGET_VIEW

    texts = ["".join(o["data"].get("text/plain", "")) for c in load(path)["cells"] for o in c.get("outputs", [])
             if WIDGET_VIEW in o.get("data", {})]
    wrong = [t[:60] for t in texts if t != PLACEHOLDER]
    assert not wrong, f"{path.name}: widget outputs that show Python's description; run `make notebooks`: {wrong}"


# Issue 20: a learner waiting on a cell with nothing moving thinks it hangs. Every code cell
# that took more than LONG_CELL seconds when the notebooks were last executed (their timing
# metadata, `make notebooks` on a 2-core machine, one BLAS thread) shows progress with the
# time left: one of the course's progress displays.
LONG_CELL = 5.0  # the rule: "every cell that can run longer than 5 s must show progress"
PROGRESS_DISPLAYS = ("ProgressWidget", "TrainingMonitor", "LiveCurve")


def cell_seconds(cell) -> float | None:
    from datetime import datetime

    timing = cell.get("metadata", {}).get("execution", {})
    if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
        return None
    start, end = (datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                  for k in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


def test_every_long_cell_shows_progress():
    silent, timed = [], 0
    for path in NOTEBOOKS:
        notebook = json.loads(path.read_text())
        for i, cell in enumerate(notebook["cells"]):
            seconds = cell_seconds(cell) if cell["cell_type"] == "code" else None
            if seconds is None:
                continue
            timed += 1
            if seconds > LONG_CELL and not any(name in "".join(cell["source"]) for name in PROGRESS_DISPLAYS):
                silent.append(f"{path.name} cell {i} ({seconds:.0f} s): {''.join(cell['source']).splitlines()[0]}")
    assert timed > 100, "the notebooks carry no timing metadata: re-execute them with make notebooks"
    assert not silent, "cells that run for seconds with no progress display:\n" + "\n".join(silent)


# Issue 20: text that disagrees with what runs. Every percentage with decimals that a
# notebook's text quotes (97.92 %, 98.7 %) must be one its own outputs print, rounded to the
# quoted digits, unless it is quoted from elsewhere (listed here, with where it comes from).
QUOTED_FROM_ELSEWHERE = {
    ("07", "96.59 %"): "Nielsen's book, chapter 1",
    ("07", "95.42 %"): "Nielsen's book, the 784-30-10 network",
    ("07", "98.5 %"): "the target of notebook 08",
    ("08", "0.01 %"): "one test image in 10,000",
    ("08", "0.1 %"): "how much two random starts differ",
    ("11", "99.06 %"): "Nielsen's book, chapter 6, two convolution-pooling layers, sigmoid",
    ("11", "99.23 %"): "Nielsen's book, chapter 6, the same with ReLU",
    ("11", "99.37 %"): "Nielsen's book, chapter 6, the same on shifted copies of the training data",
    ("11", "99.31 %"): "the train command's CNN recipe (python -m helpers train --model cnn), measured by its author",
}


def quoted_percentages_not_printed(notebook: dict, number: str) -> list[str]:
    printed = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            printed.append("".join(text))
    values = [float(v) for v in re.findall(r"(\d+\.\d+)\s?%", "\n".join(printed))]
    missing = []
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for match in re.finditer(r"(\d+\.(\d+))\s?%", "".join(cell["source"])):
            quoted, digits = float(match.group(1)), len(match.group(2))
            if (number, f"{match.group(1)} %") in QUOTED_FROM_ELSEWHERE:
                continue
            if not any(round(v, digits) == quoted for v in values):
                missing.append(f"{number} cell {i}: {match.group(0)}")
    return missing


def test_percentages_in_the_text_are_the_ones_the_notebook_prints():
    missing = []
    for path in NOTEBOOKS:
        missing += quoted_percentages_not_printed(json.loads(path.read_text()), path.name[:2])
    assert not missing, "the text quotes figures that no output prints:\n" + "\n".join(missing)


def test_a_quoted_figure_that_no_output_prints_is_found():
    notebook = {"cells": [{"cell_type": "markdown", "source": ["It reaches 97.9 % and 12.5 %."]},
                          {"cell_type": "code", "source": [], "outputs": [{"output_type": "stream",
                                                                           "text": ["test accuracy 97.92%\n"]}]}]}
    assert quoted_percentages_not_printed(notebook, "99") == ["99 cell 0: 12.5 %"]


# Issue 20: times quoted in the text are measured. A time the text gives for the computer's
# work ("about 20 seconds", "15 to 20 seconds", "a few seconds", "well under a second") must
# agree with the timing metadata of the cells it describes, recorded when the notebooks were
# last executed (`make notebooks`, 2 cores, one BLAS thread): a phrase in the title cell with
# the whole notebook's time, any other with the next code cell's, unless SCOPE names the cell
# (by a piece of its source) or says what else it is about. Tolerance: the cell may take from
# 0.7 times the lowest time quoted (if that is 3 s or more) to 1.5 times the highest (a busier
# run is slower), and anything may take up to 3 s.
_NUMBER = r"\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten"
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10}
TIME_PHRASE = re.compile(
    rf"(?:(?:about|around|roughly)\s+(?P<about>{_NUMBER})(?P<half>\s+and\s+a\s+half)?"
    rf"|(?P<low>{_NUMBER})\s+to\s+(?P<high>{_NUMBER})(?:\s+and\s+a\s+half)?"
    rf"|(?P<few>a\s+few)|(?P<under>(?:well\s+)?under\s+a))\s+(?P<unit>seconds?|minutes?)\b", re.I)
SCOPE = {
    ("07", "One epoch takes well under a second"): "one epoch, whose time the notebook prints",
    ("08", "in one to three minutes of"): "FINAL_EPOCHS = 60",
    ("10", "The times are of the same size, a few seconds"): "sigmoid_net = Network([400",
}


def quoted_time_range(match: re.Match) -> tuple[float, float]:
    """The seconds a phrase quotes, as (lowest, highest)."""
    unit = 60.0 if match["unit"].startswith("minute") else 1.0
    value = lambda text: float(_WORDS.get(text.lower(), text) if not text[0].isdigit() else text)  # noqa: E731
    if match["about"]:
        seconds = (value(match["about"]) + (0.5 if match["half"] else 0)) * unit
        return seconds, seconds
    if match["low"]:
        return value(match["low"]) * unit, value(match["high"]) * unit
    if match["few"]:
        return 2 * unit, 10 * unit
    return 0.0, unit  # (well) under a second


def quoted_times_that_disagree(notebook: dict, number: str) -> list[str]:
    cells = notebook["cells"]
    total = sum(cell_seconds(c) or 0 for c in cells if c["cell_type"] == "code")
    wrong = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        for match in TIME_PHRASE.finditer(text):
            if text[: match.start()].endswith("*Time:* "):
                continue  # the learner's time, not the computer's
            context = " ".join(text[max(0, match.start() - 60): match.end() + 40].split())
            scope = next((v for (n, words), v in SCOPE.items() if n == number and words in " ".join(text.split())
                          and match.group(0).split()[-2] in words.split()), None)
            if scope is not None and not any(scope in "".join(c["source"]) for c in cells if c["cell_type"] == "code"):
                continue  # about something else, said in SCOPE
            if i == 0:
                seconds, what = total, "the whole notebook"
            else:
                described = [c for c in cells[i + 1:] if c["cell_type"] == "code"] if scope is None else \
                    [c for c in cells if c["cell_type"] == "code" and scope in "".join(c["source"])]
                if not described or cell_seconds(described[0]) is None:
                    wrong.append(f"{number} cell {i}: no timed code cell for {match.group(0)!r} ({context})")
                    continue
                seconds, what = cell_seconds(described[0]), "the cell " + "".join(described[0]["source"]).splitlines()[0][:40]
            low, high = quoted_time_range(match)
            if not (low * 0.7 if low >= 3 else 0) <= seconds <= max(high * 1.5, 3.0):
                wrong.append(f"{number} cell {i}: the text says {' '.join(match.group(0).split())!r}, {what} took {seconds:.1f} s "
                             f"(...{context}...)")
    return wrong


def test_times_quoted_in_the_text_are_the_measured_ones():
    wrong = []
    for path in NOTEBOOKS:
        wrong += quoted_times_that_disagree(json.loads(path.read_text()), path.name[:2])
    assert not wrong, ("times in the text that the cells' timing metadata does not bear out (change the "
                       "text, or re-execute the notebooks on a quiet machine):\n" + "\n".join(wrong))


def test_a_quoted_time_that_the_cell_does_not_take_is_found():
    def code(seconds, source="train()"):
        return {"cell_type": "code", "source": [source], "metadata": {"execution": {
            "iopub.execute_input": "2026-01-01T00:00:00Z", "shell.execute_reply": f"2026-01-01T00:00:{seconds:02d}Z"}}}

    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["# 99 · T\n*Time:* about 50 minutes; the computer runs for about 30 seconds."]},
        {"cell_type": "markdown", "source": ["This takes about 10 seconds:"]}, code(4),
        {"cell_type": "markdown", "source": ["And this 20 to 40\nseconds, then well under a second:"]}, code(21),
        {"cell_type": "markdown", "source": ["a few seconds:"]}, code(2)]}
    assert [w.split(",")[0] for w in quoted_times_that_disagree(notebook, "99")] == [
        "99 cell 1: the text says 'about 10 seconds'", "99 cell 3: the text says 'well under a second'"]
    notebook["cells"][1]["source"] = ["This takes about 5 seconds:"]
    notebook["cells"][0]["source"] = ["# 99 · T\n*Time:* about 50 minutes; the computer runs for about a minute."]
    assert [w.split(",")[0] for w in quoted_times_that_disagree(notebook, "99")] == [
        "99 cell 0: the text says 'about a minute'", "99 cell 3: the text says 'well under a second'"]
