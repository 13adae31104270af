"""Show the real source of a helper in a notebook, so the lesson and the package agree;
and read a learner's source, for the checks that look at how an answer is computed."""

from __future__ import annotations

import ast
import inspect
import io
import textwrap
import tokenize
from pathlib import Path

import helpers

PACKAGE_ROOT = Path(helpers.__file__).resolve().parent.parent


def source_of(obj) -> str:
    """The source code of a function or class, headed by the file it lives in."""
    path = Path(inspect.getsourcefile(obj)).resolve()
    try:
        where = path.relative_to(PACKAGE_ROOT).as_posix()
    except ValueError:  # installed elsewhere: the file name still tells the reader where
        where = path.name
    # No line number: it would change (and fail the notebook's nbval test) whenever
    # anything above the function is edited.
    return f"# from {where}\n" + inspect.getsource(obj)


def show_source(obj) -> None:
    """Print the source of ``obj`` (a function, class or method from ``helpers``)."""
    print(source_of(obj))


# --- reading a learner's code: the checks look at *how* an answer is computed -----------


def function_source(function) -> str | None:
    """The source of ``function``, dedented; None if it cannot be read (a built-in, a
    function typed into a bare interpreter or made by ``exec``)."""
    try:
        return textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None


def function_tree(function) -> ast.AST | None:
    """The parsed ``def`` (or ``lambda``) of ``function``, line numbers counted in
    :func:`function_source`; None if the source cannot be read or parsed.

    The source of a lambda is the whole line it stands on, so the tree holds the first
    ``lambda`` of that line; if no ``def`` or ``lambda`` matches, the whole parsed source."""
    source = function_source(function)
    try:
        tree = ast.parse(source) if source is not None else None
    except SyntaxError:  # e.g. a lambda cut out of a statement that spans several lines
        return None
    wanted = getattr(function, "__name__", None)
    for node in ast.walk(tree) if tree is not None else ():
        if wanted == "<lambda>" and isinstance(node, ast.Lambda):
            return node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == wanted:
            return node
    return tree


def raises_not_implemented(statement: ast.stmt) -> bool:
    """True for the stub's line: ``raise NotImplementedError`` (with or without a message)."""
    if not isinstance(statement, ast.Raise) or statement.exc is None:
        return False
    raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def is_stub(function) -> bool:
    """True if ``function`` is still an exercise's stub: its body (not a function inside it)
    has a ``raise NotImplementedError`` statement of its own."""
    tree = function_tree(function)
    return isinstance(tree, ast.FunctionDef | ast.AsyncFunctionDef) and any(map(raises_not_implemented, tree.body))


def names_used(function) -> list[str] | None:
    """The names ``function``'s code uses (variables, functions, attributes such as
    ``tanh`` in ``np.tanh``), in order of first use; None if the source cannot be read.

    Read from the source, so words in comments and strings do not count, and neither
    does the function's own name after ``def``."""
    tree = function_tree(function)
    if tree is not None:
        nodes = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute | ast.Name)]

        def where(node):  # an attribute's name stands at the end of `np.tanh`
            if isinstance(node, ast.Attribute):
                return node.end_lineno, node.end_col_offset - len(node.attr)
            return node.lineno, node.col_offset

        used = [node.attr if isinstance(node, ast.Attribute) else node.id for node in sorted(nodes, key=where)]
        return list(dict.fromkeys(used))
    source = function_source(function)
    if source is None:
        return None
    # The source does not parse on its own (a lambda cut out of a longer statement): its
    # tokens still tell names from comments and strings, up to where the fragment breaks off.
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME:
                tokens.append(token.string)
    except (tokenize.TokenError, SyntaxError):
        pass
    return list(dict.fromkeys(name for i, name in enumerate(tokens) if i == 0 or tokens[i - 1] != "def"))


def code_names(function) -> list[str]:
    """The names ``function``'s code uses: from its source (:func:`names_used`), else, when
    there is no source to read (made by exec, say), from its compiled code."""
    used = names_used(function)
    return compiled_names(function) if used is None else used


def compiled_names(function) -> list[str]:
    """The global and attribute names ``function``'s compiled code refers to (``co_names``,
    nested functions included): what can still be said when there is no source to read."""
    used, codes = [], [getattr(function, "__code__", None)]
    while codes:
        code = codes.pop()
        if code is not None:
            used += list(code.co_names)
            codes += [c for c in code.co_consts if inspect.iscode(c)]
    return list(dict.fromkeys(used))
