"""Give every stored widget output of the committed notebooks a line a learner can read.

    python tools/widget_placeholders.py notebooks/*.ipynb      (``make notebooks`` runs it)

A notebook is committed executed. Its widget outputs keep the widget's saved state (so
nbviewer can draw it), but JupyterLab, opening the notebook before the cell is run, has
no live widget to show and falls back to the output's plain text: Python's description of
the widget, ``VBox(children=(HBox(children=(Dropdown(...`` or ``<helpers.widgets...
object at 0x7f...>``, which looks broken. This replaces that text with a line saying that
running the cell brings the widget. Only ``text/plain`` of outputs that carry a widget
view changes; running the notebook again (``make notebooks``) puts the description back,
and this tool after it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLACEHOLDER = "(The widget appears here when you run this cell: click in it and press Shift+Enter.)"


def with_placeholders(notebook: dict) -> tuple[dict, int]:
    """The notebook with each widget output's plain text replaced; how many were replaced."""
    changed = 0
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data", {})
            if WIDGET_VIEW in data and data.get("text/plain") != PLACEHOLDER:
                data["text/plain"] = PLACEHOLDER
                changed += 1
    return notebook, changed


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        notebook, changed = with_placeholders(json.loads(path.read_text(encoding="utf-8")))
        if changed:
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"{path}: {changed} widget output(s) now say how to bring the widget")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
