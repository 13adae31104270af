"""Make the student edition of the notebooks: the same lessons with the solutions taken out.

The notebooks hold worked solutions between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
lines (see notebooks/AUTHORING.md). This command copies every notebook, replaces each
such block by ``raise NotImplementedError(...)`` at the same indentation, and clears all
outputs, so students start from a clean page:

    python -m helpers.student_edition student/
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

BLOCK = re.compile(r"^([ \t]*)# BEGIN SOLUTION[^\n]*\n.*?^[ \t]*# END SOLUTION[^\n]*(\n|\Z)", re.M | re.S)


def strip_solutions(source: str, exercise: str = "Exercise") -> str:
    """``source`` with each solution block replaced by a NotImplementedError line."""
    if source.count("# BEGIN SOLUTION") != source.count("# END SOLUTION"):
        raise ValueError(f"unbalanced solution markers in:\n{source}")
    return BLOCK.sub(lambda m: f'{m.group(1)}raise NotImplementedError("{exercise}: your code here")\n', source)


def student_notebook(notebook: dict) -> dict:
    """A copy of a notebook (as JSON) with solutions stripped and outputs cleared."""
    notebook = json.loads(json.dumps(notebook))
    exercise = "Exercise"
    for cell in notebook["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            if match := re.search(r"^### (Exercise \d+)", text, re.M):
                exercise = match.group(1)
            continue
        cell["source"] = strip_solutions(text, exercise)
        cell["outputs"], cell["execution_count"] = [], None
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.student_edition", description=__doc__.splitlines()[0])
    parser.add_argument("destination", help="folder for the student notebooks (created if needed)")
    parser.add_argument("--notebooks", default=str(Path(__file__).resolve().parent.parent / "notebooks"))
    args = parser.parse_args(argv)
    destination = Path(args.destination)
    destination.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(args.notebooks).glob("[0-9][0-9]_*.ipynb")):
        notebook = student_notebook(json.loads(path.read_text(encoding="utf-8")))
        (destination / path.name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path.name} -> {destination / path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
