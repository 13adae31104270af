"""What an exercise cell may not do, read (never run) by the teacher's process.

The sandbox keeps a student's code away from every file and process but its own; this screen
keeps it away from the grader inside its own process, where the check runs beside it. A cell
that imports anything but NumPy, the standard library's arithmetic and the course's helpers
(not its checks), names the grader's tools (``sys``, ``gc``, ``os``, ``getattr``, ``exec``,
``open``...), touches a double-underscore attribute, calls the ``check`` module itself, or
changes an attribute (``np.allclose = ...``, also through another name) or an item of
something it did not make, or defines a class (an answer that equals anything) is not run: the
report says "not checked" with the reason, for the teacher to look at by hand. Such cells
have no place in these exercises; a right answer never needs one.
"""

from __future__ import annotations

import ast

# Modules an exercise cell may import (and their submodules).
ALLOWED_IMPORTS = ("numpy", "math", "itertools", "functools", "collections", "operator", "statistics", "typing",
                   "dataclasses", "helpers")
REFUSED_HELPERS = ("helpers.checks", "helpers.cli", "helpers.source")
# Names that reach the interpreter, the grader or files.
REFUSED_NAMES = {"sys", "gc", "os", "io", "ctypes", "inspect", "builtins", "importlib", "signal", "threading",
                 "subprocess", "socket", "json", "pickle", "marshal", "types", "weakref", "linecache", "posix",
                 "exec", "eval", "compile", "getattr", "setattr", "delattr", "globals", "locals", "vars", "open",
                 "breakpoint", "input", "exit", "quit", "memoryview", "get_ipython", "check", "__import__",
                 "__builtins__", "help", "super", "object", "type", "classmethod", "staticmethod", "property"}
REFUSED_ATTRIBUTES = REFUSED_NAMES | {"f_globals", "f_locals", "f_back", "f_builtins", "gi_frame", "cr_frame",
                                      "ag_frame", "tb_frame", "tb_next", "ctypeslib", "modules", "system",
                                      "load", "fromfile", "tofile", "memmap", "savetxt", "loadtxt", "save", "savez",
                                      "setprofile", "settrace", "testing", "seterr", "seterrcall",
                                      "set_printoptions"}


def refused(code: str) -> str | None:
    """Why ``code`` (an exercise's cells, magics taken out, check calls kept) will not be run;
    None if it may be."""
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        return None  # the child reports the syntax error as the student's mistake
    except (ValueError, RecursionError, MemoryError):
        return "the cell cannot be read as Python"
    top_calls = {id(s.value) for s in tree.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                 and isinstance(s.value.func, ast.Attribute) and isinstance(s.value.func.value, ast.Name)
                 and s.value.func.value.id == "check"}
    check_names = {id(s.value.func.value) for s in tree.body if isinstance(s, ast.Expr) and id(s.value) in top_calls}
    local = _local_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or "."]
            if isinstance(node, ast.ImportFrom) and node.level:
                return f"line {node.lineno}: a relative import"
            for name in names:
                if not name.startswith(ALLOWED_IMPORTS) or name.startswith(REFUSED_HELPERS) \
                        or name.split(".")[0] not in ALLOWED_IMPORTS:
                    return f"line {node.lineno}: it imports `{name}`, which an exercise never needs"
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name == "*" or alias.name.startswith("_") or alias.name in REFUSED_NAMES:
                        return f"line {node.lineno}: it imports `{alias.name}` from `{node.module}`"
        elif isinstance(node, ast.Name):
            if node.id in REFUSED_NAMES and id(node) not in check_names or node.id.startswith("__"):
                return f"line {node.lineno}: it uses `{node.id}`, which reaches into Python or the grader"
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_") or node.attr in REFUSED_ATTRIBUTES:
                return f"line {node.lineno}: it uses `.{node.attr}`, which reaches into Python or the grader"
            if isinstance(node.ctx, ast.Store | ast.Del):  # even of a local name: `m = np; m.dot = ...`
                return (f"line {node.lineno}: it changes `{ast.unparse(node)}`, an attribute (no exercise "
                        f"needs to; a module could be changed that way)")
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
            if not _rooted_in(node, local.get(id(node), set())):
                return (f"line {node.lineno}: it changes `{ast.unparse(node)[:40]}`, part of something "
                        f"the exercise did not make")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
            return f"line {node.lineno}: a string with `__` in it, the way into Python's insides"
        elif isinstance(node, ast.ClassDef):
            return f"line {node.lineno}: a class (`{node.name}`), which an exercise never needs and can fake an answer"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("__"):
            return f"line {node.lineno}: a function named `{node.name}`, the way into Python's insides"
        elif isinstance(node, ast.Global | ast.Nonlocal):
            return f"line {node.lineno}: `{'global' if isinstance(node, ast.Global) else 'nonlocal'}`"
    return None


def _rooted_in(node: ast.AST, local: set[str]) -> bool:
    """True if an attribute or item being changed belongs to a variable of the function it is in."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return isinstance(node, ast.Name) and node.id in local


def _local_names(tree: ast.Module) -> dict[int, set[str]]:
    """{id of an attribute or subscript being changed: the local variables of the function it
    is in (parameters and names it assigns)}; at the top level, none count as local."""
    found: dict[int, set[str]] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.Lambda):
            continue
        names = {a.arg for a in function.args.args + function.args.posonlyargs + function.args.kwonlyargs}
        names |= {a.arg for a in (function.args.vararg, function.args.kwarg) if a}
        body = function.body if isinstance(function.body, list) else [function.body]
        for statement in body:
            for node in ast.walk(statement):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
        for statement in body:
            for node in ast.walk(statement):
                if isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
                    found[id(node)] = names
    return found
