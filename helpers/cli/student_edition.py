"""Make the student edition of the notebooks: the same lessons with the solutions taken out.

The notebooks hold worked solutions between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
lines (see notebooks/AUTHORING.md). This command copies every notebook, replaces each
such block by ``raise NotImplementedError(...)`` at the same indentation, and clears all
outputs, so students start from a clean page:

    python -m helpers student_edition student/

``make lab`` runs it with ``--missing-only``: it writes only the notebooks that are not in
the folder yet, so a learner's work is never touched and a new lesson still arrives.

It never gives a solution away: a marker it cannot read safely (not a line of its own, an
END before its BEGIN, nested, unclosed, in a markdown cell) or an exercise cell without
markers is refused, naming the notebook and the cell, and nothing is written; and each
edition is checked before it is written: no line of a solution block may be left in it.

With ``--nbgrader`` it writes nbgrader's *source* version instead, one assignment per lesson
(``DEST/source/NN_slug/NN_slug.ipynb``): solution cells marked, and after each exercise's
check a locked 1-point test cell whose hidden test is the check made unkind
(:func:`helpers.checks.common.grading.graded`); nbgrader's ``generate_assignment`` then strips
the solutions itself.

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
from collections import Counter
from pathlib import Path

from helpers.files import CannotWrite, write_bytes

MANIFEST = ".student_edition.json"  # in the destination: {"written": {file name: sha256 of what was written}}
MARKER = re.compile(r"^([ \t]*)# (BEGIN|END) SOLUTION[ \t]*$")  # a marker line, exactly
MENTION = re.compile(r"(BEGIN|END)[ _]*SOLUTION", re.I)  # anything that looks like one
EXERCISE = re.compile(r"^###[ \t]+Exercise[ \t]+(\d+)", re.M)  # the heading of an exercise (notebooks/AUTHORING.md)
CHECK_CALL = re.compile(r"^[ \t]*(check\.\w+)\(", re.M)  # a self-check: check.NAME(...)
CELL_TYPES = ("code", "markdown", "raw")


class EditionError(Exception):
    """The student edition cannot be written safely: the message says why and what to do."""


class NotebookError(EditionError):
    """A notebook of the course cannot be made into its student edition (its file, or its
    solution markers): a fault in the course's notebooks, not in the destination."""


class MarkerError(ValueError):
    """A cell's solution markers are wrong: the message says which line and why."""


def solution_blocks(source: str) -> list[tuple[int, int]]:
    """The (BEGIN line, END line) of each solution block in ``source``, counted from 0.
    A MarkerError for anything else: a marker that is not alone on its line, an END
    before its BEGIN, a BEGIN inside a block (no nesting), a BEGIN never closed."""
    blocks, begin = [], None
    for i, line in enumerate(source.split("\n")):
        if not MENTION.search(line):
            continue
        marker = MARKER.match(line)
        if marker is None:
            raise MarkerError(f"line {i + 1}, {line.strip()[:60]!r}, looks like a solution marker but is not one: "
                              f"a marker is a line of its own, exactly '# BEGIN SOLUTION' or '# END SOLUTION'")
        if marker.group(2) == "BEGIN":
            if begin is not None:
                raise MarkerError(f"line {i + 1} opens a solution block inside the one opened on line {begin + 1}: "
                                  f"blocks cannot be nested; close the first with '# END SOLUTION'")
            begin = i
        elif begin is None:
            raise MarkerError(f"line {i + 1} has '# END SOLUTION' with no '# BEGIN SOLUTION' before it")
        else:
            blocks.append((begin, i))
            begin = None
    if begin is not None:
        raise MarkerError(f"line {begin + 1} opens a solution block that no '# END SOLUTION' closes")
    return blocks


def strip_solutions(source: str, exercise: str = "Exercise") -> str:
    """``source`` with each solution block replaced by its stub: a NotImplementedError line
    inside a function; at the top of a cell, where raising would stop Run All there, each
    name the solution assigns set to ``...`` (``w_and = ...``), which the check calls not done.
    A MarkerError if the markers are wrong (see :func:`solution_blocks`)."""
    lines = source.split("\n")
    for begin, end in reversed(solution_blocks(source)):
        indent = MARKER.match(lines[begin]).group(1)
        names = [] if indent else assigned_names("\n".join(lines[begin:end + 1]))
        if names:
            stub = [f"{name} = ...  # {exercise}: your answer here" for name in names]
        else:
            stub = [f'{indent}raise NotImplementedError("{exercise}: your code here")']
        lines[begin:end + 1] = stub
    return "\n".join(lines)


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


def cell_text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def where(number: int, text: str) -> str:
    """How a message names a cell: 'cell 28 ("def scale_pixels(images):")', counted from 1."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    return f"cell {number}" + (f' ("{first[:50]}{"..." if len(first) > 50 else ""}")' if first else " (empty)")


def read_notebook(path: Path) -> dict:
    """The notebook in ``path`` as JSON, checked to be one this command can copy (format 4,
    every cell with a type and its text); an EditionError naming the file otherwise."""
    def bad(why: str) -> EditionError:
        return EditionError(f"{path}: {why}")
    if path.is_dir():
        raise bad("it is a folder, not a notebook: rename it (a name not ending in .ipynb) or move it elsewhere")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise bad(f"it cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise bad("it is not a notebook: it is not text (UTF-8), as every notebook is") from None
    if not text.strip():
        raise bad("it is empty, not a notebook; was it cut short?")
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise bad(f"it is not a notebook: it is not valid JSON ({str(err)[:80]}); was it cut short?") from None
    if not isinstance(notebook, dict):
        raise bad("it is not a notebook: its JSON is not an object with \"cells\"")
    version = notebook.get("nbformat")
    if version != 4:
        if version == 3 or "worksheets" in notebook:
            raise bad("it is an old notebook (format 3); this command reads format 4. Convert it with "
                      f"`jupyter nbconvert --to notebook --inplace {path}` (or open and save it in JupyterLab)")
        raise bad(f"it is not a notebook of format 4 (its \"nbformat\" is {str(version)[:20]})")
    if not isinstance(notebook.get("cells"), list):
        raise bad("it has no list of \"cells\": not a notebook of format 4")
    for number, cell in enumerate(notebook["cells"], 1):
        if not isinstance(cell, dict):
            raise bad(f"cell {number} is not a cell (an object with \"cell_type\" and \"source\")")
        if cell.get("cell_type") not in CELL_TYPES:
            raise bad(f"cell {number} has the cell_type {str(cell.get('cell_type'))[:20]!r}, "
                      f"not one of {', '.join(CELL_TYPES)}")
        source = cell.get("source")
        if not (isinstance(source, str) or isinstance(source, list) and all(isinstance(s, str) for s in source)):
            what = "no \"source\" (its text)" if source is None else "a \"source\" that is not text"
            raise bad(f"cell {number} has {what}; every cell of a notebook has one. In a text editor, "
                      f"give it one (\"source\": \"\" for an empty cell)")
    return notebook


def student_notebook(notebook: dict, name: str = "the notebook") -> dict:
    """A copy of a notebook (as JSON, see :func:`read_notebook`) with solutions stripped
    and outputs cleared; an EditionError naming the notebook and the cell if a cell's
    markers are wrong or a cell looks like an exercise but has no solution block:

    * the first code cell after a markdown cell with a heading ``### Exercise N``, and
    * a code cell calling ``check.NAME(`` unless it or the code cell before it has a block.

    The result is checked: no line of a solution block may be left in it."""
    original, notebook = notebook, json.loads(json.dumps(notebook))
    exercise, heading, previous_had_block = "Exercise", None, False
    for number, cell in enumerate(notebook["cells"], 1):
        text = cell_text(cell)
        def bad(why: str) -> EditionError:
            return EditionError(f"{name}, {where(number, text)}: {why}")
        if cell["cell_type"] != "code":
            if MENTION.search(text):
                raise bad(f"a {cell['cell_type']} cell holds a solution marker; it is copied as it is, so the "
                          f"solution would be given away. Markers belong in code cells")
            if cell["cell_type"] == "markdown" and (match := EXERCISE.search(text)):
                exercise, heading = f"Exercise {match.group(1)}", match.group(0)
            continue
        try:
            blocks = solution_blocks(text)
        except MarkerError as err:
            raise bad(str(err)) from None
        if not blocks and heading:
            raise bad(f"it is the code cell after the heading {heading!r} but has no solution block, so the "
                      f"worked solution would be given away. Put '# BEGIN SOLUTION' and '# END SOLUTION' "
                      f"lines around it")
        if not blocks and not previous_had_block and (match := CHECK_CALL.search(text)):
            raise bad(f"it calls {match.group(1)}(...) but neither it nor the code cell before it has a "
                      f"solution block, so the worked solution would be given away. Put '# BEGIN SOLUTION' "
                      f"and '# END SOLUTION' lines around it")
        heading, previous_had_block = None, bool(blocks)
        cell["source"] = strip_solutions(text, exercise)
        cell["outputs"], cell["execution_count"] = [], None
    check_edition(original, notebook, name)
    return notebook


def check_edition(original: dict, student: dict, name: str = "the notebook") -> None:
    """Make sure no line of any solution block in ``original`` survived into ``student``
    (each such line may appear only as often as it does outside the blocks of its cell),
    no marker is left, and no output either; an EditionError otherwise (nothing is written)."""
    for number, (cell, copy) in enumerate(zip(original["cells"], student["cells"], strict=True), 1):
        text, lines = cell_text(cell), cell_text(cell).split("\n")
        inside = set()
        for begin, end in solution_blocks(text) if cell["cell_type"] == "code" else []:
            inside.update(range(begin + 1, end))
        solution = Counter(lines[i].strip() for i in inside if lines[i].strip())
        outside = Counter(line.strip() for i, line in enumerate(lines) if i not in inside)
        left = Counter(line.strip() for line in cell_text(copy).split("\n"))
        survived = [line for line in solution if left[line] > outside[line]]
        if survived or MENTION.search(cell_text(copy)) or copy.get("outputs"):
            what = f"the solution line {survived[0]!r}" if survived else "a solution marker or an output"
            raise EditionError(f"{name}, {where(number, text)}: the student edition would still hold {what}; "
                               f"nothing was written. This is a fault in this command: please report it")


# --- the nbgrader edition ------------------------------------------------------------------------

HIDDEN_TEST = """### BEGIN HIDDEN TESTS
# nbgrader's test of exercise {number}: the course's check, unkind (helpers/checks/common/grading.py)
from helpers.checks.common.grading import graded
graded({call})
### END HIDDEN TESTS"""


def nbgrader_cell(cell: dict, grade_id: str, solution: bool, points: int = 0) -> dict:
    cell.setdefault("metadata", {})["nbgrader"] = {
        "grade": not solution, "solution": solution, "locked": not solution, "task": False,
        "grade_id": grade_id, "schema_version": 3, **({} if solution else {"points": points})}
    return cell


def top_level_answers(source: str) -> str:
    """A top-level solution block (``w_and = ...``) made safe for nbgrader, whose stub is a
    ``raise NotImplementedError()`` line: the names start as ``...`` and the block sits in a
    ``try`` that lets the stub pass, so Run All goes on and the check says "not done"."""
    lines = source.split("\n")
    for begin, end in reversed(solution_blocks(source)):
        if MARKER.match(lines[begin]).group(1):
            continue
        names = assigned_names("\n".join(lines[begin:end + 1]))
        if not names:
            continue
        lines[begin:end + 1] = ([f"{name} = ...  # your answer below" for name in names] + ["try:"]
                                + ["    " + line for line in lines[begin:end + 1]]
                                + ["except NotImplementedError:  # not answered yet: the check below says so",
                                   "    pass"])
    return "\n".join(lines)


def nbgrader_notebook(notebook: dict, lesson: str, name: str = "the notebook") -> dict:
    """The complete edition as nbgrader's *source* version: every exercise's solution cell
    marked (its solution between the markers nbgrader also reads), and after each exercise's
    check a locked test cell worth 1 point whose hidden test calls the check unkindly (a stub,
    the course's stand-in or its own function score 0). The course's check cells stay, so
    the student's notebook runs (Run All) as the student edition does."""
    from helpers.cli.grading.lessons import check_calls, exercise_spans

    student_notebook(notebook, name)  # the same refusals as the student edition (markers, exercises)
    notebook = json.loads(json.dumps(notebook))
    cells = notebook["cells"]
    insert = []
    for number, (_, _, code, checked) in sorted(exercise_spans(cells).items()):
        if checked is None:
            continue
        for index in code:
            text = cell_text(cells[index])
            if solution_blocks(text):
                cells[index]["source"] = top_level_answers(text)
                nbgrader_cell(cells[index], f"ex{lesson}_{number}_answer", solution=True)
        call = check_calls(cell_text(cells[checked]))[0][1]
        arguments = ", ".join([f"check.{call.name}"] + call.args + [f"{k}={v!r}" for k, v in call.constants.items()]
                              + [f"{k}={v}" for k, v in call.named.items()])
        test = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                "source": HIDDEN_TEST.format(number=number, call=arguments)}
        if (notebook.get("nbformat"), notebook.get("nbformat_minor", 0)) >= (4, 5):
            test["id"] = f"ex{lesson}-{number}-test"
        insert.append((checked + 1, nbgrader_cell(test, f"ex{lesson}_{number}_test", solution=False, points=1)))
    for index, cell in reversed(insert):
        cells.insert(index, cell)
    for cell in cells:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def write_nbgrader(source: Path, course: Path) -> list[str]:
    """nbgrader's source version of every lesson in ``source``: ``course/source/NN_slug/NN_slug.ipynb``
    (one assignment per lesson); the paths written."""
    written = []
    for path in sorted(source.glob("[0-9][0-9]_*.ipynb")):
        edition = nbgrader_notebook(read_notebook(path), path.name[:2], str(path))
        target = course / "source" / path.stem / path.name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(target, (json.dumps(edition, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
        except (OSError, CannotWrite) as err:
            raise EditionError(f"cannot write to {target}: {err}") from None
        written.append(str(target))
    return written


def plan(source: Path, destination: Path, force: bool = False, missing_only: bool = False) -> dict[str, bytes]:
    """What to write: {file name: bytes}, after every check (EditionError if one fails).
    With ``missing_only``, only the notebooks not in ``destination`` yet: the others,
    worked in or not, are never touched (how ``make lab`` keeps a learner's work)."""
    if not source.is_dir():
        raise EditionError(f"the notebooks folder {source} does not exist or is not a folder")
    if destination.is_symlink() and not destination.exists():
        raise EditionError(f"{destination} is a link to {os.readlink(destination)}, which does not exist (a drive "
                           f"not connected?): connect it, or give another folder")
    if destination.exists() and not destination.is_dir():
        raise EditionError(f"{destination} is a file, not a folder: give a folder for the student notebooks")
    if destination.exists() and destination.resolve() == source.resolve():
        raise EditionError(f"{destination} is the folder the notebooks come from: writing the student edition "
                           f"there would strip the solutions out of the complete edition. Give another folder.")
    notebooks = sorted(source.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise EditionError(f"no notebooks (NN_name.ipynb) in {source}")
    written = read_manifest(destination)
    out, kept, problems = {}, [], []
    for path in notebooks:
        target = destination / path.name
        if missing_only and (target.exists() or target.is_symlink()):
            continue
        try:
            edition = student_notebook(read_notebook(path), str(path))
        except EditionError as err:
            problems.append(str(err))
            continue
        data = (json.dumps(edition, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
        if target.exists() and os.path.samefile(target, path):
            raise EditionError(f"{target} is the notebook {path} itself (a link?): give another folder")
        if target.exists() and not force:
            now = hashlib.sha256(target.read_bytes()).hexdigest()
            if now not in (written.get(path.name), hashlib.sha256(data).hexdigest()):
                kept.append(target)
        out[path.name] = data
    if problems:
        raise NotebookError("the student edition cannot be made from "
                           + ("this notebook" if len(problems) == 1 else f"these {len(problems)} notebooks")
                           + "; nothing was written.\n" + "".join(f"  {p}\n" for p in problems).rstrip("\n"))
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
    how.add_argument("--nbgrader", action="store_true",
                     help="write nbgrader's source version instead: DESTINATION/source/NN_slug/NN_slug.ipynb, "
                          "solutions marked and a hidden test (1 point) after each exercise")
    parser.add_argument("--quiet", action="store_true", help="print nothing when all is well")
    args = parser.parse_args(argv)
    destination, source = Path(args.destination), Path(args.notebooks)
    if args.nbgrader:
        try:
            for path in write_nbgrader(source, destination):
                if not args.quiet:
                    print(path)
        except EditionError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        return 0
    try:
        for name in write_edition(source, destination, args.force, args.missing_only):
            if not args.quiet:
                print(f"{name} -> {destination / name}")
    except EditionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
