"""The package keeps the shape its map promises: lesson code found by the notebook's
name, every engine module listed, the engine free of user-interface imports, and the
commands in helpers/cli/, used by nothing else."""

import ast
import re
from pathlib import Path

import helpers
import helpers.cli

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "helpers"
SLUGS = sorted(re.match(r"\d\d_(.+)\.ipynb", p.name).group(1) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SHARED = {"__init__", "figure", "progress"}  # modules in the per-lesson folders that serve every lesson
# Subpackages of the per-lesson folders: machinery that every lesson's modules share, split by concern.
SHARED_PACKAGES = {"checks/common"}
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
    missing = (modules(PACKAGE) - {"__init__", "__main__"}) - listed
    assert not missing, f"helpers/__init__.py's map does not list {sorted(missing)}"
    assert {"lessons", "checks", "widgets", "cli"} <= listed
    assert not listed - modules(PACKAGE) - {"lessons", "checks", "widgets", "cli"}, "the map lists modules that do not exist"


def test_every_command_is_a_module_of_cli_that_the_dispatcher_runs():
    commands = modules(PACKAGE / "cli") - {"__init__"}
    assert commands == set(helpers.cli.COMMANDS), "helpers/cli/ and its COMMANDS must name the same commands"
    commands_block = helpers.__doc__.split("The commands", 1)[1]
    for name in commands:
        assert re.search(rf"\b{name}\b", commands_block), f"helpers/__init__.py's map does not name the command {name}"


def is_main_guard(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)


def test_nothing_but_a_command_imports_a_command():
    """A lesson, a check, a widget or the engine that needs a command's code gets it from
    the engine, where the command gets it too. (Only what runs as ``python -m MODULE``, under
    ``if __name__ == "__main__":``, may hand over to a command.)"""
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "cli" or path.name == "__main__.py":
            continue
        body = [node for node in ast.parse(path.read_text()).body if not is_main_guard(node)]
        for node in (inner for top in body for inner in ast.walk(top)):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            used = [n for n in names if n == "helpers.cli" or n.startswith("helpers.cli.")]
            assert not used, f"{path.relative_to(PACKAGE)} imports the command module {used[0]}"


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
    paths = [p for p in PACKAGE.glob("*.py") if p.stem not in {"__init__", "__main__"}]
    paths += [p for p in (PACKAGE / "lessons").glob("*.py") if p.stem != "__init__"]
    for path in sorted(paths):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                places.setdefault(node.name.lower(), set()).add(str(path.relative_to(PACKAGE)))
    shared = {name: sorted(where) for name, where in places.items() if len(where) > 1}
    assert not shared, f"the same name in several modules: {shared}"


# ----------------------------------------------------------------- which way the imports go
# The engine is the floor: lessons, checks, widgets and commands stand on it, never the
# other way round. Every import counts, the ones inside functions too.

def helper_modules() -> dict[str, Path]:
    """Every module of the package by dotted name: helpers.network, helpers.lessons.perceptrons, ..."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def helper_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's modules that the module ``name`` (at ``path``) imports, anywhere in its code."""
    package = name if path.stem == "__init__" else name.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    resolved = set()
    for target in targets:
        while target and target not in known:  # from helpers.data import load_datasets -> helpers.data
            target = target.rpartition(".")[0]
        if target and target != "helpers" and target != name:
            resolved.add(target)
    return resolved


def layer_of(name: str) -> str:
    parts = name.split(".")
    if len(parts) > 2 and parts[1] in ("lessons", "checks", "widgets", "cli"):
        return {"cli": "commands"}.get(parts[1], parts[1])
    if len(parts) == 2 and parts[1] in ENGINE:
        return "engine"
    return "for the notebooks" if len(parts) == 2 else parts[1]


ENGINE = set(re.findall(r"^    (\w+)\s", helpers.__doc__.split("The engine", 1)[1].split("For the notebooks", 1)[0], flags=re.M))
FORBIDDEN = {  # layer -> the layers it must never import
    "engine": {"lessons", "checks", "widgets", "commands", "for the notebooks"},
    "lessons": {"checks", "widgets", "commands"},
}


def test_the_engine_and_the_lessons_import_only_downwards():
    modules = helper_modules()
    wrong = []
    for name, path in sorted(modules.items()):
        for target in sorted(helper_imports(path, name, set(modules))):
            if layer_of(target) in FORBIDDEN.get(layer_of(name), set()):
                wrong.append(f"{name} ({layer_of(name)}) imports {target} ({layer_of(target)})")
    assert not wrong, "imports against the direction of the layers:\n" + "\n".join(wrong)


def test_no_import_cycles():
    modules = helper_modules()
    graph = {name: helper_imports(path, name, set(modules)) for name, path in modules.items()}
    # A package's __init__ that re-exports its own modules is not a cycle with them.
    graph = {name: {t for t in targets if not t.startswith(name + ".")} for name, targets in graph.items()}
    state, cycles = {}, []

    def visit(name, trail):
        state[name] = "open"
        for target in sorted(graph.get(name, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_layout_rules_catch_a_wrong_import(tmp_path):
    """The two tests above can fail: a lesson importing a widget, and a cycle, are found."""
    lesson = tmp_path / "helpers" / "lessons" / "x.py"
    lesson.parent.mkdir(parents=True)
    lesson.write_text("from helpers.widgets.figure import png_bytes\n")
    known = set(helper_modules()) | {"helpers.lessons.x"}
    found = helper_imports(lesson, "helpers.lessons.x", known)
    assert found == {"helpers.widgets.figure"} and layer_of("helpers.widgets.figure") in FORBIDDEN["lessons"]
    inner = tmp_path / "helpers" / "network.py"
    inner.write_text("def f():\n    from helpers.lessons import perceptrons\n")
    assert helper_imports(inner, "helpers.network", known) == {"helpers.lessons.perceptrons"}
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
