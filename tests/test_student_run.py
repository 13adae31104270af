"""The student edition runs top to bottom with every exercise skipped: each check says
kindly that its exercise is not done yet (no error, so Run All goes on), and every other
cell runs, with the course's version standing in where a later cell needs the learner's
function. (Each runs down to the last cell that uses an exercise; the rest is the complete
edition's, which nbval runs.) A class for the lessons and one for each of the two long notebooks (07 and 08,
which train networks), so that `--dist loadscope` can run them side by side."""

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.cli.grading.lessons import exercise_spans
from helpers.checks import NOT_DONE
from helpers.cli.student_edition import assigned_names, student_notebook
from tests.conftest import real_data

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TRAINING = {"07", "08"}


def exercise_names(complete: dict) -> set[str]:
    """The names the learner writes: functions defined in, and values assigned by, solutions."""
    names = set()
    for cell in complete["cells"]:
        text = "".join(cell["source"])
        if "# BEGIN SOLUTION" in text:
            names |= set(re.findall(r"^def (\w+)", text, re.M))
            for block in re.findall(r"^# BEGIN SOLUTION[^\n]*\n(.*?)^# END SOLUTION", text, re.M | re.S):
                names |= set(assigned_names(block))
    return names


def names_in(source: str) -> set[str]:
    """The names a cell's code uses (not words in its strings or comments)."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    return {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}


def run_student_edition(path: Path, tmp_path: Path) -> None:
    complete = json.loads(path.read_text(encoding="utf-8"))
    notebook = nbformat.reads(json.dumps(student_notebook(complete)), as_version=4)
    # Run down to the last cell that checks an exercise or uses a learner's name: the cells
    # after it are the complete edition's, which nbval runs (08's final 60-epoch run, say).
    names = exercise_names(complete) | {"check"}
    uses = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code" and names & names_in(cell.source)]
    notebook.cells = notebook.cells[: max(uses) + 1]
    NotebookClient(notebook, kernel_name="python3", timeout=900, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [(i, o["ename"], o["evalue"][:300]) for i, cell in enumerate(notebook.cells)
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"cells of the student edition of {path.name} that stopped with an error: {errors}"
    # each exercise's check cell, found as the report finds it (helpers/cli/grading/lessons.py)
    checks = {f"{path.name[:2]}.{n}": checked for n, (_, _, _, checked) in exercise_spans(notebook.cells).items()
              if checked is not None}
    assert checks, f"no exercises found in {path.name}"
    for key, index in checks.items():
        cell = notebook.cells[index]
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        assert NOT_DONE in text, f"exercise {key}'s check did not say it is not done yet: {text!r}"
        assert "✓" not in text, f"exercise {key} was praised with nothing written: {text!r}"


@real_data
class TestLessons:
    @pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] not in TRAINING], ids=lambda p: p.stem)
    def test_student_edition_runs_with_every_exercise_skipped(self, path, tmp_path):
        run_student_edition(path, tmp_path)


# 07 and 08 train networks for a minute or two each: a class each, so that the two test
# processes can run them side by side.
@real_data
class TestTrainingTheNetwork:
    @pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] == "07"], ids=lambda p: p.stem)
    def test_student_edition_runs_with_every_exercise_skipped(self, path, tmp_path):
        run_student_edition(path, tmp_path)


@real_data
class TestTrainingItBetter:
    @pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] == "08"], ids=lambda p: p.stem)
    def test_student_edition_runs_with_every_exercise_skipped(self, path, tmp_path):
        run_student_edition(path, tmp_path)
