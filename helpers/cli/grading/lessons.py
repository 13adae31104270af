"""What the complete edition of a lesson says (trusted): its exercises, how each is checked,
and which of its other cells an exercise needs, so that no network is trained to grade one.

An exercise is a markdown heading ``### Exercise N`` and the code cells after it, up to and
including the first that calls ``check.NAME(...)`` (see notebooks/AUTHORING.md). The same
shape is found in a student's notebook (made from the complete edition by student_edition):
the cells between the heading and the check call are the student's exercise cells; the
check call itself is never run from the student's copy, the grader makes it.
"""

from __future__ import annotations

import ast
import json
import re
import symtable
from dataclasses import dataclass, field
from pathlib import Path

EXERCISE = re.compile(r"^###[ \t]+Exercise[ \t]+(\d+)\b[ \t]*[—–-]*[ \t]*(.*)$", re.M)
LESSON_FILE = re.compile(r"^(\d\d)_(\w+)\.ipynb$")
MAGIC = re.compile(r"^[ \t]*[%!].*$", re.M)  # IPython's %magic and !shell lines: never run


@dataclass
class Check:
    """``check.NAME(arg, ..., key=value)`` as the complete edition calls it: the args are names
    (looked up after the student's cells ran) or constants."""

    name: str
    args: list[str]  # names
    constants: dict[str, object]  # keyword constants, e.g. gate="AND"
    named: dict[str, str] = field(default_factory=dict)  # keywords given a name, e.g. data=train
    unsupported: str = ""  # the call, if it passes anything else (then the report cannot make it)

    def describe(self) -> str:
        given = self.args + [f"{k}={v!r}" for k, v in self.constants.items()] + [f"{k}={v}" for k, v in self.named.items()]
        return f"check.{self.name}({', '.join(given)})"


@dataclass
class Exercise:
    number: int
    title: str
    check: Check
    cells: list[int]  # the complete edition's cells of the exercise, the check's cell last


@dataclass
class Lesson:
    number: str  # "02"
    slug: str  # "perceptrons"
    path: Path
    exercises: list[Exercise]
    setup: list[tuple[int, str]] = field(default_factory=list)  # (cell, statement) of the other code cells

    @property
    def name(self) -> str:
        return self.path.stem


def cell_source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def without_magics(code: str) -> str:
    return MAGIC.sub("", code)


def check_calls(code: str) -> list[tuple[ast.stmt, Check]]:
    """The top-level statements ``check.NAME(...)`` in ``code`` (not valid Python: none)."""
    try:
        tree = ast.parse(without_magics(code))
    except SyntaxError:
        return []
    found = []
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "check"):
            continue
        args = [a.id for a in call.args if isinstance(a, ast.Name)]
        constants = {k.arg: k.value.value for k in call.keywords if k.arg and isinstance(k.value, ast.Constant)}
        named = {k.arg: k.value.id for k in call.keywords if k.arg and isinstance(k.value, ast.Name)}
        simple = len(args) == len(call.args) and len(constants) + len(named) == len(call.keywords)
        found.append((statement, Check(call.func.attr, args, constants, named,
                                       "" if simple else ast.unparse(call)[:80])))
    return found


def exercise_spans(cells: list[dict]) -> dict[int, tuple[int, str, list[int], int | None]]:
    """{N: (heading cell, title, code cells after it, the index of the first that calls a
    check or None)}: the cells of each exercise in any edition of a lesson."""
    spans = {}
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        match = EXERCISE.search(cell_source(cell))
        if not match:
            continue
        number, title = int(match.group(1)), match.group(2).strip().strip("`") or f"Exercise {match.group(1)}"
        code, checked = [], None
        for later in range(index + 1, len(cells)):
            other = cells[later]
            if other.get("cell_type") == "markdown" and (EXERCISE.search(cell_source(other))
                                                           or re.match(r"\s*#", cell_source(other))):
                break
            if other.get("cell_type") == "code":
                code.append(later)
                if check_calls(cell_source(other)):
                    checked = later
                    break
        if number not in spans:  # a heading repeated later is the student's business: the first counts
            spans[number] = (index, title, code if checked is not None else code[:1], checked)
    return spans


def read_lesson(path: Path) -> Lesson:
    """The exercises and setup cells of a complete-edition notebook ``NN_slug.ipynb``."""
    match = LESSON_FILE.match(path.name)
    if not match:
        raise ValueError(f"{path.name} is not named like a lesson (NN_slug.ipynb)")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    exercises, taken = [], set()
    for number, (_, title, code, checked) in sorted(exercise_spans(cells).items()):
        if checked is None:
            continue
        exercises.append(Exercise(number, title, check_calls(cell_source(cells[checked]))[0][1], code))
        taken.update(code)
    setup = [(i, statement) for i, c in enumerate(cells) if c.get("cell_type") == "code" and i not in taken
             for statement in statements(without_magics(cell_source(c)))]
    return Lesson(match.group(1), match.group(2), path, exercises, setup)


def statements(code: str) -> list[str]:
    """The top-level statements of a cell, each as code: the setup is chosen statement by
    statement, so that an import cell that also loads MNIST loads it only when needed."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return [code]
    lines = code.splitlines()
    return ["\n".join(lines[s.lineno - 1:s.end_lineno]) if s.col_offset == 0 else ast.unparse(s) for s in tree.body]


def lessons(folder: Path) -> dict[str, Lesson]:
    """Every lesson in the complete edition's folder with a module of checks, by number."""
    found = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        lesson = read_lesson(path)
        if lesson.exercises:
            found[lesson.number] = lesson
    return found


# --- which setup cells an exercise needs -----------------------------------------------------

def names_of(code: str) -> tuple[set[str], set[str]]:
    """(names the code binds at the top level, names it reads from the top level: its own
    top-level reads and its functions' globals), by Python's own scoping rules (symtable)."""
    try:
        table = symtable.symtable(code, "<cell>", "exec")
    except SyntaxError:
        return set(), set()
    binds, reads = set(), set()
    for symbol in table.get_symbols():
        if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace():
            binds.add(symbol.get_name())
        if symbol.is_referenced():
            reads.add(symbol.get_name())
    stack = list(table.get_children())
    while stack:
        child = stack.pop()
        stack.extend(child.get_children())
        for symbol in child.get_symbols():
            if symbol.is_global() and symbol.is_referenced():
                reads.add(symbol.get_name())
    return binds, reads


def is_import(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return all(isinstance(s, ast.Import | ast.ImportFrom) for s in tree.body)


def needed_setup(setup: list[tuple[int, str]], before: int, wanted: set[str], imports_only: bool = False) -> list[int]:
    """The setup statements (positions in ``setup``) before cell ``before`` that bind a name in
    ``wanted``, and those that bind the names they read in turn, in notebook order. A cell that
    trains a network, draws or prints is left out unless a name it binds is needed. With
    ``imports_only``, only import statements are chosen."""
    chosen, wanted = [], set(wanted)
    for position in reversed(range(len(setup))):
        cell, code = setup[position]
        if cell >= before or imports_only and not is_import(code):
            continue
        binds, reads = names_of(code)
        if binds & wanted:
            chosen.append(position)
            wanted = (wanted - binds) | reads
    return sorted(chosen)
