"""Notebook 04's helpers: counting parameters, output codes, hidden-unit views, its widget and checks."""

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
import numpy as np
import pytest

from helpers.lessons import the_network as views
from helpers.activations import sigmoid
from helpers.checks import ExerciseFailed
from helpers.checks import the_network as check
from helpers.data import one_hot
from helpers.network import Network
from helpers.widgets.the_network import hidden_unit_browser
from tests.test_figure import assert_picture_follows, png_size


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def small_data():
    """60 random 'images' with labels 0-9 (6 of each) and a seeded 784-12-10 network."""
    rng = np.random.default_rng(0)
    X = rng.random((60, 784)).astype(np.float32)
    y = np.arange(60) % 10
    return Network([784, 12, 10], seed=1), X, y


# ------------------------------------------------------------------ counting parameters


def test_the_784_100_10_network_has_79510_parameters():
    assert views.count_parameters([784, 100, 10]) == 784 * 100 + 100 + 100 * 10 + 10 == 79_510
    assert views.count_parameters([784, 100, 10]) == Network([784, 100, 10], seed=0).n_params


@pytest.mark.parametrize("sizes", [[2, 3, 1], [784, 10], [784, 30, 10], [3, 4, 4, 2]])
def test_counting_by_formula_matches_the_arrays_of_a_real_network(sizes):
    net = Network(sizes, seed=0)
    in_arrays = sum(w.size for w in net.weights) + sum(b.size for b in net.biases)
    assert views.count_parameters(sizes) == in_arrays


def test_layer_counts_and_table():
    first, second = views.layer_counts([784, 100, 10])
    assert (first.n_in, first.n_out, first.weights, first.biases, first.total) == (784, 100, 78_400, 100, 78_500)
    assert second.total == 1_010
    table = views.parameter_table([784, 100, 10])
    assert "100 x 784 = 78,400" in table and table.splitlines()[-1].endswith("79,510")
    # layers are numbered from 0 (the input, no parameters) to L, as in the course's conventions
    labels = [line.split(":")[0] for line in table.splitlines()[1:-1]]
    assert labels == ["0 (input)", "1 (hidden)", "2 (output)"]
    assert "w^l" in table.splitlines()[0] and "b^l" in table.splitlines()[0]
    with pytest.raises(ValueError, match="at least two layers"):
        views.layer_counts([784])
    with pytest.raises(ValueError):
        views.layer_counts([784, 0, 10])


# ------------------------------------------------------------------ output codes


def test_binary_code_most_significant_bit_first_and_back():
    assert views.binary_code(np.array([5])).tolist() == [[0, 1, 0, 1]]
    codes = views.binary_code(np.arange(10))
    assert codes.shape == (10, 4) and codes.dtype == np.float32
    assert views.decode_binary(codes).tolist() == list(range(10))
    # outputs are read with a threshold of 0.5
    assert views.decode_binary(np.array([[0.9, 0.1, 0.2, 0.6]])).tolist() == [9]
    with pytest.raises(ValueError, match="0..15"):
        views.binary_code(np.array([16]))
    with pytest.raises(ValueError, match="integer labels"):
        views.binary_code(np.array([0.5]))


def test_digits_with_bit():
    assert views.digits_with_bit(0) == [8, 9]
    assert views.digits_with_bit(3) == [1, 3, 5, 7, 9]


def test_train_on_targets_accepts_any_targets_and_learns():
    rng = np.random.default_rng(0)
    X = rng.random((200, 6)).astype(np.float32)
    Y = np.stack([X[:, 0] > 0.5, X[:, 1] > 0.5], axis=1).astype(np.float32)  # two independent bits
    net = Network([6, 2], init="scaled", seed=0)

    def error():
        return float(np.mean((net.feedforward(X) - Y) ** 2))

    before = error()
    views.train_on_targets(net, X, Y, epochs=20, mini_batch_size=10, eta=3.0, rng=np.random.default_rng(1))
    assert error() < 0.5 * before
    # the same generator state gives the same result
    a, b = Network([6, 2], seed=3), Network([6, 2], seed=3)
    for n in (a, b):
        views.train_on_targets(n, X, Y, epochs=1, mini_batch_size=7, eta=1.0, rng=np.random.default_rng(5))
    assert np.array_equal(a.weights[0], b.weights[0])


# ------------------------------------------------------------------ hidden units


def test_hidden_activations_and_weight_image(small_data):
    net, X, y = small_data
    hidden = views.hidden_activations(net, X)
    assert hidden.shape == (60, 12)
    np.testing.assert_allclose(hidden, sigmoid(X @ net.weights[0].T + net.biases[0]), rtol=1e-6)
    image = views.weight_image(net, 3)
    assert image.shape == (28, 28) and np.array_equal(image.ravel(), net.weights[0][3])
    with pytest.raises(IndexError, match="0..11"):
        views.weight_image(net, 12)


def test_top_activating_and_means_by_digit():
    activations = np.array([[0.1, 0.9], [0.8, 0.2], [0.8, 0.5], [0.3, 0.4]])
    assert views.top_activating(activations, 0, k=3).tolist() == [1, 2, 3]  # ties keep data order
    assert views.top_activating(activations, 1, k=10).tolist() == [0, 2, 3, 1]
    means = views.mean_activation_by_digit(activations, np.array([0, 1, 1, 0]), 0, n_classes=3)
    np.testing.assert_allclose(means[:2], [0.2, 0.8])
    assert np.isnan(means[2])  # no example of digit 2


def test_symmetric_limit():
    assert views.symmetric_limit(np.array([-3.0, 1.0])) == 3.0
    assert views.symmetric_limit(np.zeros(4)) == 1.0


def test_hidden_unit_view_is_consistent(small_data):
    net, X, y = small_data
    view = views.hidden_unit_view(net, X, y, 5, k=4)
    hidden = views.hidden_activations(net, X)
    assert view.unit == 5 and view.image.shape == (28, 28)
    assert view.limit == pytest.approx(np.abs(net.weights[0][5]).max())
    assert view.top_indices.tolist() == views.top_activating(hidden, 5, 4).tolist()
    np.testing.assert_allclose(view.top_activations, hidden[view.top_indices, 5])
    assert view.favourite_digit == int(np.argmax(view.digit_means))
    again = views.hidden_unit_view(net, X, y, 5, k=4, activations=hidden)  # precomputed: same answer
    assert again.top_indices.tolist() == view.top_indices.tolist()


def test_pictures_have_titles_and_labels(small_data):
    net, X, y = small_data
    fig = Figure(figsize=(10, 5.2))
    assert views.draw_hidden_unit(fig, views.hidden_unit_view(net, X, y, 2), X, name="test") is fig
    titles = [ax.get_title() for ax in fig.axes]
    assert "weights into hidden unit 2" in titles
    bar_axes = [ax for ax in fig.axes if ax.get_xlabel() == "digit"]
    assert bar_axes and "activation" in bar_axes[0].get_ylabel()
    fig = Figure()
    assert views.draw_weight_grid(fig, net, range(5), "five units", ncols=3) is fig
    assert fig._suptitle.get_text() == "five units"
    assert [ax.get_title() for ax in fig.axes[:5]] == [f"unit {j}" for j in range(5)]
    assert len(fig.axes) == 2 * 3 + 1  # two rows of three, and the shared colour bar
    ax = Figure().subplots()
    assert views.draw_network(ax, [784, 100, 10], max_shown=6) is ax
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "784 neurons" in texts and "100 neurons" in texts and "10 neurons" in texts
    assert "layer 0: input" in texts and "layer 1: hidden" in texts and "layer 2: output" in texts
    assert ax.get_title() == "A network with layers of sizes 784-100-10"


# ------------------------------------------------------------------ the widget


def test_browser_slider_shows_the_chosen_unit(small_data):
    net, X, y = small_data
    other = Network([784, 7, 10], seed=2)
    box = hidden_unit_browser({"first": net, "second": other}, X, y, k=3)
    dropdown, slider = box.children[0].children
    assert box.view.unit == 0 and slider.max == 11
    slider.value = 6  # as if the learner moved the slider
    expected = views.hidden_unit_view(net, X, y, 6, k=3)
    assert box.view.unit == 6
    assert np.array_equal(box.view.image, expected.image)
    assert box.view.top_indices.tolist() == expected.top_indices.tolist()
    dropdown.value = "second"  # a smaller network: the slider range follows it
    assert slider.max == 6 and box.view.unit == slider.value
    assert np.array_equal(box.view.image.ravel(), other.weights[0][slider.value])
    with pytest.raises(ValueError):
        hidden_unit_browser({}, X, y)


def test_browser_redraws_its_picture_and_leaves_no_figure_open(small_data):
    net, X, y = small_data
    box = hidden_unit_browser({"first": net, "second": Network([784, 7, 10], seed=2)}, X, y, k=3)
    dropdown, slider = box.children[0].children
    assert png_size(box.picture.value) == (1000, 520)  # draw_hidden_unit's 10 x 5.2 inches at 100 dpi
    assert_picture_follows(box.picture, slider, 6)
    assert_picture_follows(box.picture, dropdown, "second")


# ------------------------------------------------------------------ exercise checks


def reference_feedforward(X, weights, biases):
    A = X
    for w, b in zip(weights, biases):
        A = sigmoid(A @ w.T + b)
    return A


def test_feedforward_check(capsys):
    check.feedforward(reference_feedforward)
    assert "correct on all 4 test cases" in capsys.readouterr().out

    def other_parameter_name(a, weights, biases):  # a renamed parameter is passed by position
        return reference_feedforward(a, weights, biases)

    check.feedforward(other_parameter_name)
    assert "correct on all 4 test cases" in capsys.readouterr().out

    def no_sigmoid_at_the_end(X, weights, biases):
        A = X
        for w, b in zip(weights[:-1], biases[:-1]):
            A = sigmoid(A @ w.T + b)
        return A @ weights[-1].T + biases[-1]

    with pytest.raises(ExerciseFailed, match=r"(?s)feedforward\(X=.*Hint: start with A = X.*Every layer, including the last"):
        check.feedforward(no_sigmoid_at_the_end)

    def column_maths_on_rows(X, weights, biases):
        A = X
        for w, b in zip(weights, biases):
            A = sigmoid(w @ A + b)
        return A

    with pytest.raises(ExerciseFailed, match="raised ValueError") as err:
        check.feedforward(column_maths_on_rows)
    assert "array of shape (3, 2)" in str(err.value)  # the weights are described by their shapes


def test_one_hot_check(capsys):
    check.one_hot(one_hot)
    assert "`one_hot_rows` is correct" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match=r"expected shape \(3, 3\)|expected shape \(4, 3\)"):
        check.one_hot(lambda labels, n_classes: one_hot(labels, n_classes).T)


def test_predicted_digits_check(capsys):
    check.predicted_digits(lambda outputs: np.argmax(outputs, axis=1))
    assert "correct" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match=r"returned 0: one number for the whole array") as err:
        check.predicted_digits(lambda outputs: np.argmax(outputs))
    assert "axis=1" in str(err.value)


def test_count_parameters_check(capsys):
    check.count_parameters(views.count_parameters)
    assert "correct on all 5 test cases" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="79,400: that is the weights only"):
        check.count_parameters(lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))
    with pytest.raises(ExerciseFailed, match="(?s)784 biases too many.*layer 0"):
        check.count_parameters(lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes))
    with pytest.raises(ExerciseFailed, match=r"count_parameters\(sizes=\[2, 3, 1\]\).*expected 13"):
        check.count_parameters(lambda sizes: 79_510)
    check.count_parameters(lambda layer_sizes: views.count_parameters(layer_sizes))  # a renamed parameter is fine
    assert "correct on all 5 test cases" in capsys.readouterr().out

    def not_yet(sizes):
        raise NotImplementedError("Exercise 4: your code here")

    assert check.count_parameters(not_yet) is None
    assert "still has its `raise NotImplementedError` line" in capsys.readouterr().out


# --- issue 9: the matrix primer, why hidden layers, the internals box; issue 10: text answers ---

import json  # noqa: E402
from pathlib import Path  # noqa: E402


def _cells(prefix):
    (path,) = (Path(__file__).resolve().parent.parent / "notebooks").glob(f"{prefix}_*.ipynb")
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_matrix_primer_comes_before_feedforward_with_matrices_and_its_check_runs():
    cells = _cells("04")
    sources = ["".join(c["source"]) for c in cells]
    primer = next(i for i, s in enumerate(sources) if "### Optional primer: the matrix product and the transpose" in s)
    first_use = next(i for i, s in enumerate(sources) if s.startswith("## Feedforward with a matrix"))
    assert primer < first_use and "(MN)^\\mathsf{T} = N^\\mathsf{T} M^\\mathsf{T}" in sources[primer]
    assert cells[primer + 1]["cell_type"] == "code" and "(P @ Q).T, Q.T @ P.T" in sources[primer + 1]
    exec(sources[primer + 1], {"np": np})


def test_nielsens_motivation_for_hidden_layers_is_told():
    text = " ".join("".join(c["source"]) for c in _cells("04") if c["cell_type"] == "markdown")
    assert "**Why a hidden layer at all?**" in text
    assert "parts" in text and "depth" in text


def test_the_printed_internals_of_feedforward_are_an_optional_box():
    cells = _cells("04")
    text = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    start = text.index("Optional: inside the course's <code>Network.feedforward</code>")
    assert text.rfind("<details>", 0, start) > text.rfind("</details>", 0, start)
    (cell,) = [c for c in cells if "show_source(Network.feedforward)" in "".join(c["source"])]
    assert cell["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}


def test_checks_of_notebook_04_refuse_the_right_count_as_text_and_lists():
    with pytest.raises(ExerciseFailed, match=r"expected one number, got a string, '79,510'"):
        check.count_parameters(lambda sizes: f"{views.count_parameters(sizes):,}")
    with pytest.raises(ExerciseFailed, match=r"got a Python list, \[0\]. The values are right"):
        check.predicted_digits(lambda outputs: np.argmax(outputs, axis=1).tolist())


def test_a_second_failure_shows_a_step_and_not_the_recipe():
    """Issue 20: hints in three stages in notebook 04 too."""
    from tests.test_checks import assert_hint_in_stages

    def first_layer_only(X, weights, biases):
        return sigmoid(X @ weights[0].T + biases[0])

    def no_sigmoid(X, weights, biases):
        A = X
        for w, b in zip(weights, biases):
            A = A @ w.T + b
        return A

    assert_hint_in_stages(check.feedforward, first_layer_only, no_sigmoid, "feedforward")
    assert_hint_in_stages(check.one_hot, lambda labels, n_classes: np.zeros((len(labels), n_classes)),
                          lambda labels, n_classes: np.ones((len(labels), n_classes)), "one_hot_rows")
    assert_hint_in_stages(check.predicted_digits, lambda outputs: outputs.max(axis=1),
                          lambda outputs: outputs.argmin(axis=1), "predicted_digits")
    assert_hint_in_stages(check.count_parameters, lambda sizes: sum(sizes),
                          lambda sizes: sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:])), "count_parameters")
