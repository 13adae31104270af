import numpy as np

from helpers.data import one_hot
from helpers.source import compiled_names, function_source, function_tree, names_used, source_of


def test_source_of_names_the_file_and_shows_the_code():
    text = source_of(one_hot)
    assert text.startswith("# from helpers/data.py\n")
    assert "def one_hot(labels" in text and "out[np.arange(len(labels)), labels] = 1" in text


# --- reading a learner's code ------------------------------------------------------------

def uses_tanh_in_code(z):
    """np.exp would be wrong here: this docstring does not count."""
    e = np.tanh(z)  # and neither does sigmoid in a comment
    return e


def test_names_used_reads_the_code_in_order_not_its_comments_strings_or_own_name():
    # in the order they stand in the code; no `exp`, `sigmoid` or `uses_tanh_in_code`
    assert names_used(uses_tanh_in_code) == ["e", "np", "tanh", "z"]


def test_function_tree_finds_the_def_or_the_lambda():
    assert function_tree(uses_tanh_in_code).name == "uses_tanh_in_code"
    square = lambda x: x * x  # noqa: E731
    tree = function_tree(square)
    assert type(tree).__name__ == "Lambda" and [a.arg for a in tree.args.args] == ["x"]


# A lambda whose source line does not parse on its own: the tokens still tell the names.
CUT_OUT = dict(
    f=lambda z: np.tanh(z) + 1)["f"]  # a comment that says sigmoid


def test_names_used_of_a_lambda_cut_out_of_a_longer_statement():
    assert function_source(CUT_OUT) is not None and function_tree(CUT_OUT) is None
    assert {"np", "tanh", "z"} <= set(names_used(CUT_OUT)) and "sigmoid" not in names_used(CUT_OUT)


def test_without_source_only_the_compiled_names_are_known():
    namespace = {"np": np}
    exec("def f(z):\n    return np.tanh(z) + np.exp(z)\n", namespace)
    f = namespace["f"]
    assert function_source(f) is None and function_tree(f) is None and names_used(f) is None
    assert compiled_names(f) == ["np", "tanh", "exp"]
    assert function_source(len) is None and names_used(len) is None  # a built-in
