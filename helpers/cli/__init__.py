"""The course's commands, in one place: ``python -m helpers NAME ...`` or ``digits NAME ...``.

Each command is a module here with a ``main(argv)`` that returns the exit status, and each
also runs on its own as ``python -m helpers.cli.NAME``. The engine and the lessons never
import a command: what a command shares with a notebook lives in the engine.
"""

from __future__ import annotations

import importlib
import sys

# name: what it does (the order of `--help`)
COMMANDS = {
    "data": "fetch MNIST, verify it and cache it (--export FOLDER: a copy to hand out)",
    "train": "train a network on MNIST and save it",
    "predict": "read digits from image files with a saved network",
    "export": "a saved network as a web page that reads digits offline (--html), or as ONNX (--onnx)",
    "bench": "speed and memory of training, as JSON",
    "lab": "what `make lab` runs: the learner's own copy (student/), then JupyterLab on notebook 01",
    "student_edition": "the notebooks with the worked solutions taken out (--nbgrader: for nbgrader)",
    "report": "a teacher's progress report: each student's exercises, graded by the checks in a sandbox",
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    return ("usage: python -m helpers NAME [ARGUMENTS...]   (or: digits NAME [ARGUMENTS...])\n\n"
            "commands:\n" + "".join(f"  {name:<{width}}  {what}\n" for name, what in COMMANDS.items())
            + "\n`python -m helpers NAME --help` says more about each.")


def main(argv: list[str] | None = None) -> int:
    """Run the command ``argv[0]`` with the rest of ``argv``; its exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(usage(), file=sys.stderr)
        return 2
    if argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"error: no command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    return importlib.import_module(f"helpers.cli.{name}").main(rest)
