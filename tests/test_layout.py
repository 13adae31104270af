"""The package keeps the shape its map promises: lesson code found by the notebook's
name, every engine module listed, and the engine free of user-interface imports."""

import ast
import re
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "helpers"
SLUGS = sorted(re.match(r"\d\d_(.+)\.ipynb", p.name).group(1) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SHARED = {"__init__", "figure", "progress"}  # modules in the per-lesson folders that serve every lesson
# Subpackages of the per-lesson folders: machinery that every lesson's modules share, split by concern.
SHARED_PACKAGES = {"checks/common"}
COMMANDS = {"train", "predict", "bench", "student_edition", "report", "lab"}
UI = {"ipywidgets", "IPython", "matplotlib"}


def modules(folder: Path) -> set[str]:
    return {p.stem for p in folder.glob("*.py")}


def test_each_lesson_folder_has_only_modules_named_after_a_notebook():
    for folder in ("lessons", "checks", "widgets"):
        stray = modules(PACKAGE / folder) - set(SLUGS) - SHARED
        assert not stray, f"helpers/{folder}/ has modules named after no notebook: {sorted(stray)}"


def test_the_only_subpackages_of_the_lesson_folders_are_shared_machinery():
    """A lesson's code is found by its notebook's name: a subpackage may only hold what every
    lesson shares (checks/common: messages, stand-ins, calling, comparing)."""
    for folder in ("lessons", "checks", "widgets"):
        packages = {f"{folder}/{p.parent.name}" for p in (PACKAGE / folder).glob("*/__init__.py")}
        assert packages <= SHARED_PACKAGES, f"subpackages named after no shared concern: {sorted(packages - SHARED_PACKAGES)}"


def test_every_notebook_has_its_lesson_module_and_test_file():
    for slug in SLUGS:
        assert (PACKAGE / "lessons" / f"{slug}.py").exists() or not (PACKAGE / "checks" / f"{slug}.py").exists()
        for folder in ("lessons", "checks", "widgets"):
            if (PACKAGE / folder / f"{slug}.py").exists():
                assert (ROOT / "tests" / f"test_{slug}.py").exists(), f"helpers/{folder}/{slug}.py has no tests/test_{slug}.py"


def test_the_package_map_lists_every_top_level_module():
    doc = helpers.__doc__
    listed = set(re.findall(r"^    (\w+)/?\s", doc, flags=re.M))
    missing = (modules(PACKAGE) - {"__init__"}) - listed
    assert not missing, f"helpers/__init__.py's map does not list {sorted(missing)}"
    assert {"lessons", "checks", "widgets"} <= listed
    assert not listed - modules(PACKAGE) - {"lessons", "checks", "widgets"}, "the map lists modules that do not exist"


def imported_top_level(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_engine_imports_no_user_interface():
    doc = helpers.__doc__
    engine_block = doc.split("The engine", 1)[1].split("For the notebooks", 1)[0]
    engine = set(re.findall(r"^    (\w+)\s", engine_block, flags=re.M))
    assert {"network", "training", "optimizers", "data"} <= engine
    for name in engine:
        used = imported_top_level(PACKAGE / f"{name}.py") & UI
        assert not used, f"helpers/{name}.py is an engine module but imports {sorted(used)}"


def test_no_two_modules_of_the_engine_and_lessons_share_a_public_name():
    """One name per thing: no SGD in three places. (A function and its class in one module,
    such as sigmoid and Sigmoid, are one thing; a check is named after the exercise it checks.)"""
    places = {}
    paths = [p for p in PACKAGE.glob("*.py") if p.stem not in COMMANDS | {"__init__"}]
    paths += [p for p in (PACKAGE / "lessons").glob("*.py") if p.stem != "__init__"]
    for path in sorted(paths):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                places.setdefault(node.name.lower(), set()).add(str(path.relative_to(PACKAGE)))
    shared = {name: sorted(where) for name, where in places.items() if len(where) > 1}
    assert not shared, f"the same name in several modules: {shared}"


def test_every_notebook_calls_its_lesson_module_lesson():
    """The same name in every notebook: ``lesson.draw_bowl(...)`` in 05 as ``lesson.draw_reading(...)``
    in 09, so a learner reads ``lesson.`` as "this notebook's module", helpers/lessons/slug.py.
    (Another notebook's module may keep a descriptive name, e.g. ``perceptron`` in 03.)"""
    import json

    for slug in SLUGS:
        if not (PACKAGE / "lessons" / f"{slug}.py").exists():
            continue
        path = next((ROOT / "notebooks").glob(f"[0-9][0-9]_{slug}.ipynb"))
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert f"from helpers.lessons import {slug} as lesson" in code, f"{path.name} does not import its lesson module as lesson"
        others = re.findall(rf"from helpers\.lessons import {slug} as (\w+)", code)
        assert set(others) == {"lesson"}, f"{path.name} also calls helpers/lessons/{slug}.py {sorted(set(others) - {'lesson'})}"
