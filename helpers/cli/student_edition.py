"""Make the student edition of the notebooks: the same lessons with the solutions taken out.

The notebooks hold worked solutions between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
lines (see notebooks/AUTHORING.md). This command copies every notebook, replaces each
such block by ``raise NotImplementedError(...)`` at the same indentation, and clears all
outputs, so students start from a clean page:

    python -m helpers student_edition student/

``make lab`` runs it with ``--missing-only``: it writes only the notebooks that are not in
the folder yet, so a learner's work is never touched and a new lesson still arrives.

It never overwrites work: it refuses to write into the folder the notebooks come from,
and it keeps a list of what it wrote (``.student_edition.json`` in the destination, the
SHA-256 of each file); a notebook there that differs from what it last wrote (a student
has worked in it) is left alone, and nothing is written, unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import sys
from pathlib import Path

from helpers.files import CannotWrite, write_bytes

MANIFEST = ".student_edition.json"  # in the destination: {"written": {file name: sha256 of what was written}}
BLOCK = re.compile(r"^([ \t]*)# BEGIN SOLUTION[^\n]*\n.*?^[ \t]*# END SOLUTION[^\n]*(\n|\Z)", re.M | re.S)


def strip_solutions(source: str, exercise: str = "Exercise") -> str:
    """``source`` with each solution block replaced by its stub: a NotImplementedError line
    inside a function; at the top of a cell, where raising would stop Run All there, each
    name the solution assigns set to ``...`` (``w_and = ...``), which the check calls not done."""
    if source.count("# BEGIN SOLUTION") != source.count("# END SOLUTION"):
        raise ValueError(f"unbalanced solution markers in:\n{source}")

    def stub(match: re.Match) -> str:
        indent = match.group(1)
        if not indent:
            names = assigned_names(match.group(0))
            if names:
                return "".join(f"{name} = ...  # {exercise}: your answer here\n" for name in names)
        return f'{indent}raise NotImplementedError("{exercise}: your code here")\n'

    return BLOCK.sub(stub, source)


def assigned_names(block: str) -> list[str]:
    """The names a block of top-level code assigns (``w_and = ...``), in order; [] if it
    does anything else (then a stub that raises is the only honest one)."""
    try:
        tree = ast.parse(block)
    except SyntaxError:
        return []
    names = []
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets)):
            return []
        names += [t.id for t in statement.targets if t.id not in names]
    return names


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


class EditionError(Exception):
    """The student edition cannot be written safely: the message says why and what to do."""


def plan(source: Path, destination: Path, force: bool = False, missing_only: bool = False) -> dict[str, bytes]:
    """What to write: {file name: bytes}, after every check (EditionError if one fails).
    With ``missing_only``, only the notebooks not in ``destination`` yet: the others,
    worked in or not, are never touched (how ``make lab`` keeps a learner's work)."""
    if not source.is_dir():
        raise EditionError(f"the notebooks folder {source} does not exist or is not a folder")
    if destination.exists() and not destination.is_dir():
        raise EditionError(f"{destination} is a file, not a folder: give a folder for the student notebooks")
    if destination.exists() and destination.resolve() == source.resolve():
        raise EditionError(f"{destination} is the folder the notebooks come from: writing the student edition "
                           f"there would strip the solutions out of the complete edition. Give another folder.")
    notebooks = sorted(source.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise EditionError(f"no notebooks (NN_name.ipynb) in {source}")
    written = read_manifest(destination)
    out, kept = {}, []
    for path in notebooks:
        target = destination / path.name
        if missing_only and (target.exists() or target.is_symlink()):
            continue
        data = (json.dumps(student_notebook(json.loads(path.read_text(encoding="utf-8"))), indent=1,
                           ensure_ascii=False) + "\n").encode("utf-8")
        if target.exists() and os.path.samefile(target, path):
            raise EditionError(f"{target} is the notebook {path} itself (a link?): give another folder")
        if target.exists() and not force:
            now = hashlib.sha256(target.read_bytes()).hexdigest()
            if now not in (written.get(path.name), hashlib.sha256(data).hexdigest()):
                kept.append(target)
        out[path.name] = data
    if kept:
        raise EditionError(
            "these notebooks differ from what this command last wrote (has someone worked in them?):\n"
            + "".join(f"  {p}\n" for p in kept)
            + "Nothing was written. Move them away, choose another folder, or use --force to overwrite them."
        )
    return out


def read_manifest(destination: Path) -> dict[str, str]:
    """The hashes of the notebooks this command last wrote into ``destination``."""
    try:
        written = json.loads((destination / MANIFEST).read_text(encoding="utf-8")).get("written", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {k: v for k, v in written.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(written, dict) else {}


def write_edition(source: Path, destination: Path, force: bool = False, missing_only: bool = False) -> list[str]:
    """Write the student edition of ``source`` into ``destination`` (see :func:`plan`) and
    record what was written; the names of the notebooks written."""
    notebooks = plan(source, destination, force, missing_only)
    if not notebooks:
        return []
    try:
        destination.mkdir(parents=True, exist_ok=True)
        written = read_manifest(destination)
        for name, data in notebooks.items():
            write_bytes(destination / name, data)  # whole or not at all
            written[name] = hashlib.sha256(data).hexdigest()
        write_bytes(destination / MANIFEST, (json.dumps({"written": written}, indent=1) + "\n").encode())
    except (FileExistsError, NotADirectoryError):
        raise EditionError(f"cannot write to {destination}: part of that path is a file, not a folder") from None
    except OSError as err:
        raise EditionError(f"cannot write to {destination}: {err.strerror or err}") from None
    except CannotWrite as err:
        raise EditionError(f"cannot write to {destination}: {err.err.strerror if err.err else err.why}") from None
    return list(notebooks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers student_edition", description=__doc__.splitlines()[0])
    parser.add_argument("destination", help="folder for the student notebooks (created if needed)")
    parser.add_argument("--notebooks", default=str(Path(__file__).resolve().parents[2] / "notebooks"))
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--force", action="store_true", help="overwrite notebooks even if someone has changed them")
    how.add_argument("--missing-only", action="store_true",
                     help="write only the notebooks the folder does not have yet, never touching the others")
    parser.add_argument("--quiet", action="store_true", help="print nothing when all is well")
    args = parser.parse_args(argv)
    destination, source = Path(args.destination), Path(args.notebooks)
    try:
        for name in write_edition(source, destination, args.force, args.missing_only):
            if not args.quiet:
                print(f"{name} -> {destination / name}")
    except (EditionError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1 if isinstance(err, EditionError) else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
