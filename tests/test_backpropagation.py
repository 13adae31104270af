"""Notebook 06: the step-by-step record of backprop, its widget, and the exercise checks.

The record applies the four equations one at a time; these tests make sure it gives
exactly what ``Network.backprop`` gives, so the lesson and the real code cannot drift.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.activations import sigmoid_prime
from helpers.lessons.backpropagation import (
    backprop_steps,
    draw_step,
    errors_from_steps,
    format_step,
    gradients_from_steps,
    node_labels,
    sup,
)
from helpers.checks import ExerciseFailed
from helpers.checks import backpropagation as check
from helpers.network import Network
from helpers.widgets.backpropagation import backprop_stepper
from tests.test_figure import assert_picture_follows


def batch(sizes, m, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    net = Network(sizes, dtype=dtype, rng=rng)
    X = rng.random((m, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(sizes[-1], size=m)]
    return net, X, Y


def tiny():
    """The notebook's 2-3-2 network with round weights, and two examples."""
    net = Network([2, 3, 2], dtype=np.float64, seed=0)
    net.weights = [np.array([[0.1, 0.4], [-0.3, 0.2], [0.5, -0.1]]), np.array([[0.3, -0.2, 0.6], [-0.5, 0.4, 0.1]])]
    net.biases = [np.array([0.1, -0.2, 0.0]), np.array([0.0, 0.1])]
    return net, np.array([[1.0, 0.5], [0.2, 0.8]]), np.array([[1.0, 0.0], [0.0, 1.0]])


CASES = [([2, 3, 2], 2, 0), ([3, 4, 4, 2], 5, 1), ([5, 2], 3, 2), ([4, 6, 3, 5, 2], 7, 3), ([784, 30, 10], 4, 4)]


# ---------------------------------------------------------------------------------------
# The record agrees with Network.backprop


@pytest.mark.parametrize("sizes, m, seed", CASES)
def test_record_gradients_are_network_backprop(sizes, m, seed):
    net, X, Y = batch(sizes, m, seed)
    steps = backprop_steps(net, X, Y)
    nabla_w, nabla_b = net.backprop(X, Y)
    got_w, got_b = gradients_from_steps(steps)
    assert [g.shape for g in got_w] == [w.shape for w in net.weights]
    for got, want in zip(got_w + got_b, nabla_w + nabla_b):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("sizes, m, seed", CASES)
def test_record_errors_are_each_examples_bias_gradient(sizes, m, seed):
    # For a mini-batch of one example, dC/db^l = delta^l (BP3): Network.backprop tells
    # us every row of every E^l independently of the record.
    net, X, Y = batch(sizes, m, seed)
    errors = errors_from_steps(backprop_steps(net, X, Y))
    assert sorted(errors) == list(range(1, len(sizes)))
    for i in range(m):
        _, nabla_b = net.backprop(X[i : i + 1], Y[i : i + 1])
        for l, delta in errors.items():
            np.testing.assert_allclose(delta[i], nabla_b[l - 1], rtol=1e-12, atol=1e-15)


def test_record_forward_pass_and_cost_are_the_networks():
    net, X, Y = batch([3, 4, 4, 2], 5, 7)
    steps = backprop_steps(net, X, Y)
    L = len(net.weights)
    last = [s for s in steps if s.phase == "forward"][-1]
    np.testing.assert_allclose(last.values[f"A{sup(L)}"], net.feedforward(X), rtol=1e-12)
    (cost,) = [s for s in steps if s.phase == "cost"]
    assert cost.values["C"] == pytest.approx(net.cost(X, Y), rel=1e-12)


def test_float32_network_gives_float32_record_close_to_backprop():
    net, X, Y = batch([4, 5, 3], 6, 8, dtype=np.float32)
    steps = backprop_steps(net, X, Y)
    got_w, got_b = gradients_from_steps(steps)
    assert got_w[0].dtype == np.float32
    for got, want in zip(got_w + got_b, sum(net.backprop(X, Y), [])):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_tiny_network_numbers_by_hand():
    net, X, Y = tiny()
    steps = backprop_steps(net, X, Y)
    # z^1_0 of example 0: 0.1 * 1.0 + 0.4 * 0.5 + 0.1 = 0.4
    assert steps[1].values["Z¹"][0, 0] == pytest.approx(0.4)
    # BP1 for example 0, output 0: (a - y) sigma'(z)
    a, z = steps[2].values["A²"][0, 0], steps[2].values["Z²"][0, 0]
    assert steps[4].values["E²"][0, 0] == pytest.approx((a - 1.0) * sigmoid_prime(z))
    # BP4: dC/dw^2_01 is the mean over the two examples of delta^2_0 a^1_1
    delta, a1 = steps[4].values["E²"], steps[1].values["A¹"]
    assert steps[5].values["∂C/∂w²"][0, 1] == pytest.approx(np.mean(delta[:, 0] * a1[:, 1]))


def test_steps_come_in_the_order_of_the_lesson():
    net, X, Y = batch([3, 4, 4, 2], 2, 0)
    steps = backprop_steps(net, X, Y)
    assert [(s.phase, s.layer) for s in steps] == [
        ("input", 0), ("forward", 1), ("forward", 2), ("forward", 3), ("cost", 3),
        ("output error", 3), ("gradients", 3), ("backward", 2), ("gradients", 2), ("backward", 1), ("gradients", 1),
    ]  # fmt: skip
    assert [s.number for s in steps] == list(range(1, 12)) and {s.total for s in steps} == {11}
    assert "(BP1)" in steps[5].text and "(BP2)" in steps[7].text and "BP3, BP4" in steps[6].text
    assert r"\odot" in steps[5].equation and r"\mathsf{T}" in steps[1].equation


def test_only_the_course_network_of_this_lesson_is_recorded():
    for kwargs in ({"cost": "cross_entropy"}, {"activation": "relu"}, {"output": "softmax"}):
        net = Network([2, 3, 2], dtype=np.float64, seed=0, **kwargs)
        with pytest.raises(ValueError, match="sigmoid neurons and the quadratic cost"):
            backprop_steps(net, np.ones((1, 2)), np.array([[1.0, 0.0]]))


def test_bad_inputs_are_reported_by_the_network_checks():
    net, X, Y = tiny()
    with pytest.raises(ValueError, match="columns"):
        backprop_steps(net, np.ones((2, 3)), Y)
    with pytest.raises(ValueError, match="one-hot"):
        backprop_steps(net, X, np.ones((2, 2)))


# ---------------------------------------------------------------------------------------
# Text and picture


def test_format_step_rounds_to_four_places_and_never_prints_minus_zero():
    net, X, Y = tiny()
    steps = backprop_steps(net, X, Y)
    text = format_step(steps[1])
    assert text.splitlines()[0] == "Step 2 of 8 · Forward pass: layer 1 (hidden)"
    assert "Z¹ = A⁰ (w¹)ᵀ + b¹" in text and "Z¹, shape (2, 3):" in text
    assert "[[ 0.4000 -0.4000  0.4500]" in text
    assert "C = 0.2502" in format_step(steps[3])
    tiny_negative = type(steps[0])("input", 0, "t", "", "", {"v": np.array([-1e-9, 0.5])}, 1, 1)
    assert "-0.0000" not in format_step(tiny_negative) and "[0.0000 0.5000]" in format_step(tiny_negative)


def test_node_labels_reveal_values_as_the_steps_go():
    net, X, Y = tiny()
    steps = backprop_steps(net, X, Y)
    assert set(node_labels(steps, 1)) == {(0, 0), (0, 1)}
    after_forward = node_labels(steps, 3, example=1)
    assert after_forward[(2, 1)] == [f"a = {steps[2].values['A²'][1, 1]:.4f}"]
    everything = node_labels(steps, len(steps))
    assert all(any(t.startswith("δ = ") for t in everything[(l, j)]) for l in (1, 2) for j in range(net.sizes[l]))
    assert not any(t.startswith("δ") for t in everything[(0, 0)])  # inputs have no error


def test_draw_step_titles_the_step_and_checks_its_arguments():
    net, X, Y = tiny()
    steps = backprop_steps(net, X, Y)
    ax = draw_step(plt.figure(), steps, 7, example=1).axes[0]
    assert ax.get_title().startswith("Step 7 of 8: Backward pass")
    assert "example 1" in ax.get_xlabel()  # examples are counted from 0, like the rows of X
    assert any("δ = " in t.get_text() for t in ax.texts)
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="from 1 to 8"):
        draw_step(plt.figure(), steps, 0)
    with pytest.raises(ValueError, match="example"):
        draw_step(plt.figure(), steps, 1, example=2)
    big, Xb, Yb = batch([784, 30, 10], 1, 0)
    with pytest.raises(ValueError, match="at most"):
        draw_step(plt.figure(), backprop_steps(big, Xb, Yb), 1)
    plt.close("all")


def test_draw_step_sizes_the_figure_to_the_network():
    from matplotlib.figure import Figure

    from helpers.lessons.backpropagation import INCH_PER_UNIT

    net, X, Y = tiny()
    fig = Figure(figsize=(3, 3))
    assert draw_step(fig, backprop_steps(net, X, Y), 1) is fig
    width, height = fig.get_size_inches()
    assert width > 8 * INCH_PER_UNIT and height > 3 * INCH_PER_UNIT  # three layers of cards, three neurons high
    assert len(fig.axes) == 1 and fig.legends  # the legend at the foot of the figure


def legend_labels(ax):
    legends = [ax.get_legend()] + list(ax.figure.legends)
    return [t.get_text() for legend in legends if legend is not None for t in legend.get_texts()]


def test_draw_step_legend_lists_only_what_the_picture_shows():
    net, X, Y = tiny()
    steps = backprop_steps(net, X, Y)
    wanted = {
        1: ["weights not used in this step", "neuron with known values", "neuron not reached yet",
            "the layer of this step"],
        2: ["weights used going forward", "weights not used in this step", "neuron with known values",
            "neuron not reached yet", "the layer of this step"],
        4: ["weights not used in this step", "neuron with known values"],
        6: ["weights whose gradient is computed", "weights not used in this step", "neuron with known values"],
        7: ["weights used going backward (BP2)", "weights not used in this step", "neuron with known values",
            "the layer of this step"],
    }  # fmt: skip
    for upto, labels in wanted.items():
        ax = draw_step(plt.figure(), steps, upto).axes[0]
        assert legend_labels(ax) == labels, upto
        plt.close(ax.figure)


def test_draw_step_keeps_values_off_the_weight_lines():
    from helpers.lessons.backpropagation import CARD_W, GAP_X, NODE_R

    net, X, Y = tiny()
    steps = backprop_steps(net, X, Y)
    for upto in range(1, len(steps) + 1):
        ax = draw_step(plt.figure(), steps, upto, example=upto % 2).axes[0]
        ax.figure.canvas.draw()
        to_data = ax.transData.inverted()
        cards = [(l * GAP_X - NODE_R, l * GAP_X + CARD_W) for l in range(3)]
        for line in ax.lines:  # every weight runs in the gap between two layers' cards
            x0, x1 = sorted(line.get_xdata())
            assert not any(x0 < right and x1 > left for left, right in cards), (upto, x0, x1)
        for text in ax.texts:  # every value stays inside its card
            (x0, _), (x1, _) = to_data.transform(text.get_window_extent().get_points())
            assert any(left <= x0 and x1 <= right for left, right in cards), (upto, text.get_text(), x0, x1)
        plt.close(ax.figure)


# ---------------------------------------------------------------------------------------
# The widget


def test_stepper_slider_and_buttons_show_the_right_step():
    net, X, Y = tiny()
    box = backprop_stepper(net, X, Y)
    assert box.shown is box.steps[0] and box.prev.disabled and not box.next.disabled
    box.slider.value = 5
    assert box.shown is box.steps[4]
    caption, numbers = box.children[1], box.children[3]
    assert "Backward pass: the output error E²" in caption.value and r"\odot" in caption.value
    assert "E², shape (2, 2):" in numbers.value
    box.next.click()
    assert box.slider.value == 6 and box.shown.phase == "gradients"
    box.prev.click()
    box.prev.click()
    assert box.slider.value == 4 and box.shown.phase == "cost"
    box.slider.value = 8
    assert box.next.disabled
    box.next.click()
    assert box.slider.value == 8  # stays at the last step
    assert [label for label, _ in box.example.options] == ["example 0", "example 1"]
    box.example.value = 1
    assert box.shown is box.steps[7]
    plt.close("all")


def test_stepper_redraws_its_picture_and_leaves_no_figure_open():
    box = backprop_stepper(*tiny())
    assert box.children[2] is box.picture
    assert_picture_follows(box.picture, box.slider, 5)
    assert_picture_follows(box.picture, box.example, 1)


# ---------------------------------------------------------------------------------------
# The exercise checks accept the right answers and explain typical wrong ones


def test_checks_accept_the_reference_answers(capsys):
    from helpers.gradcheck import numerical_derivative

    check.output_error(lambda A_L, Y, Z_L: (A_L - Y) * sigmoid_prime(Z_L))
    check.output_error(lambda A_L, Y, Z_L: (A_L - Y) * A_L * (1 - A_L))  # sigma' = a (1 - a) is fine
    check.backpropagate_error(lambda E_next, w_next, Z: (E_next @ w_next) * sigmoid_prime(Z))
    check.layer_gradients(lambda E, A_prev: (E.T @ A_prev / len(E), E.mean(axis=0)))
    check.numerical_partial(
        lambda net, X, Y, l, j, k, eps=1e-5: numerical_derivative(net, X, Y, net.weights[l - 1], (j, k), eps)
    )
    assert capsys.readouterr().out.count("✓") == 5


def test_checks_accept_renamed_parameters(capsys):
    # The checks call by name when the names match the exercise's, else by position.
    check.backpropagate_error(lambda D, W, z: (D @ W) * sigmoid_prime(z))
    check.layer_gradients(lambda delta, a: (delta.T @ a / len(delta), delta.mean(axis=0)))

    def renamed(network, x, y, layer, row, col, eps=1e-5):
        w = network.weights[layer - 1]
        old = w[row, col]
        w[row, col] = old + eps
        c_plus = network.cost(x, y)
        w[row, col] = old - eps
        c_minus = network.cost(x, y)
        w[row, col] = old
        return (c_plus - c_minus) / (2 * eps)

    check.numerical_partial(renamed)
    assert capsys.readouterr().out.count("✓") == 3


def test_output_error_check_names_the_mistake(capsys):
    with pytest.raises(ExerciseFailed, match="sign is flipped"):
        check.output_error(lambda A_L, Y, Z_L: (Y - A_L) * sigmoid_prime(Z_L))
    with pytest.raises(ExerciseFailed, match=r"you returned A_L - Y"):
        check.output_error(lambda A_L, Y, Z_L: A_L - Y)
    with pytest.raises(ExerciseFailed, match="not at the activation"):
        check.output_error(lambda A_L, Y, Z_L: (A_L - Y) * sigmoid_prime(A_L))
    with pytest.raises(ExerciseFailed, match="divided by the batch size"):
        check.output_error(lambda A_L, Y, Z_L: (A_L - Y) * sigmoid_prime(Z_L) / len(Y))

    def not_yet(A_L, Y, Z_L):
        raise NotImplementedError("Exercise 1: your code here")

    assert check.output_error(not_yet) is None  # not a failure: Run All goes on
    assert "Not done yet: `output_error` still has its `raise NotImplementedError`" in capsys.readouterr().out


def test_backpropagate_error_check_names_the_mistake():
    with pytest.raises(ExerciseFailed, match="forgot to multiply by σ'"):
        check.backpropagate_error(lambda E_next, w_next, Z: E_next @ w_next)
    with pytest.raises(ExerciseFailed, match=r"raised ValueError.*\nHint: send the next layer\'s errors back along the weights"):
        check.backpropagate_error(lambda E_next, w_next, Z: (E_next @ w_next.T) * sigmoid_prime(Z))
    with pytest.raises(ExerciseFailed, match="expected shape"):  # the transpose of the right answer
        check.backpropagate_error(lambda E_next, w_next, Z: ((E_next @ w_next) * sigmoid_prime(Z)).T)


def test_layer_gradients_check_names_the_mistake():
    with pytest.raises(ExerciseFailed, match="sums over the mini-batch"):
        check.layer_gradients(lambda E, A_prev: (E.T @ A_prev, E.sum(axis=0)))
    with pytest.raises(ExerciseFailed, match=r"∂C/∂w is transposed"):
        check.layer_gradients(lambda E, A_prev: (A_prev.T @ E / len(E), E.mean(axis=0)))
    with pytest.raises(ExerciseFailed, match=r"expected a pair \(dC_dw, dC_db\)"):
        check.layer_gradients(lambda E, A_prev: E.T @ A_prev / len(E))


def test_numerical_partial_check_names_the_mistake():
    from helpers.gradcheck import numerical_derivative

    def one_sided(net, X, Y, l, j, k, eps=1e-5):
        w = net.weights[l - 1]
        c0 = net.cost(X, Y)
        w[j, k] += eps
        c1 = net.cost(X, Y)
        w[j, k] -= eps
        return (c1 - c0) / eps

    def never_restores(net, X, Y, l, j, k, eps=1e-5):
        w = net.weights[l - 1]
        w[j, k] += eps
        c_plus = net.cost(X, Y)
        w[j, k] -= 2 * eps
        return (c_plus - net.cost(X, Y)) / (2 * eps)

    def halves_missing(net, X, Y, l, j, k, eps=1e-5):
        w, old = net.weights[l - 1], net.weights[l - 1][j, k]
        w[j, k] = old + eps
        c_plus = net.cost(X, Y)
        w[j, k] = old - eps
        c_minus = net.cost(X, Y)
        w[j, k] = old
        return (c_plus - c_minus) / eps

    def wrong_layer(net, X, Y, l, j, k, eps=1e-5):
        return numerical_derivative(net, X, Y, net.weights[l], (j, k), eps)  # w^l is weights[l - 1]

    with pytest.raises(ExerciseFailed, match="one-sided difference"):
        check.numerical_partial(one_sided)
    with pytest.raises(ExerciseFailed, match="left the network changed"):
        check.numerical_partial(never_restores)
    with pytest.raises(ExerciseFailed, match="twice too big"):
        check.numerical_partial(halves_missing)
    with pytest.raises(ExerciseFailed, match=r"w\^l is net.weights\[l - 1\]") as failure:
        check.numerical_partial(wrong_layer)
    assert "layers from 1" not in str(failure.value)  # layers are counted from 0 (the input)


def test_numerical_partial_check_refuses_backprop():
    with pytest.raises(ExerciseFailed, match=r"uses `backprop`.*\*measures\* the slope without backprop") as failure:
        check.numerical_partial(lambda net, X, Y, l, j, k, eps=1e-5: net.backprop(X, Y)[0][l - 1][j, k])
    assert "net.cost(X, Y)" in str(failure.value)

    def via_gradients(net, X, Y, l, j, k, eps=1e-5):
        dC_dw, _ = net.gradients(X, Y)
        return dC_dw[l - 1][j, k]

    with pytest.raises(ExerciseFailed, match="uses `gradients`"):
        check.numerical_partial(via_gradients)

    # Without source code to read (a function made by exec), the compiled names still tell.
    namespace = {}
    exec("def f(net, X, Y, l, j, k, eps=1e-5):\n    return net.backprop(X, Y)[0][l - 1][j, k]\n", namespace)
    with pytest.raises(ExerciseFailed, match="uses `backprop`"):
        check.numerical_partial(namespace["f"])


def test_numerical_partial_check_ignores_backprop_in_comments_and_strings(capsys):
    def measured(net, X, Y, l, j, k, eps=1e-5):
        """Measured, not by backprop."""
        w = net.weights[l - 1]  # the network's own array, unlike net.backprop
        old = w[j, k]
        w[j, k] = old + eps
        c_plus = net.cost(X, Y)
        w[j, k] = old - eps
        c_minus = net.cost(X, Y)
        w[j, k] = old
        return (c_plus - c_minus) / (2 * eps)

    check.numerical_partial(measured)
    assert "✓" in capsys.readouterr().out


def test_numerical_partial_check_explains_a_nudged_copy():
    def nudges_a_copy(net, X, Y, l, j, k, eps=1e-5):
        w = net.weights[l - 1].copy()
        old = w[j, k]
        w[j, k] = old + eps
        c_plus = net.cost(X, Y)
        w[j, k] = old - eps
        c_minus = net.cost(X, Y)
        return (c_plus - c_minus) / (2 * eps)

    with pytest.raises(ExerciseFailed, match=r"got 0\. The two costs came out equal") as failure:
        check.numerical_partial(nudges_a_copy)
    assert "network's own array in place" in str(failure.value) and ".copy()" in str(failure.value)


def test_numerical_partial_check_explains_a_half_slope():
    def second_cost_at_w(net, X, Y, l, j, k, eps=1e-5):
        w = net.weights[l - 1]
        w[j, k] += eps
        c_plus = net.cost(X, Y)
        w[j, k] -= eps
        c_minus = net.cost(X, Y)  # at w, not at w - eps
        return (c_plus - c_minus) / (2 * eps)

    with pytest.raises(ExerciseFailed, match="about half the slope") as failure:
        check.numerical_partial(second_cost_at_w)
    assert "w + ε and at w − ε" in str(failure.value) and "old - eps" in str(failure.value)


def test_numerical_partial_check_explains_rounding_when_restoring_by_arithmetic():
    # The first case's weight does not survive w + eps - 2 eps + eps unchanged in float64:
    net, args = check.numerical_partial_cases()[0]
    w = net.weights[args["l"] - 1][args["j"], args["k"]]
    assert w + args["eps"] - 2 * args["eps"] + args["eps"] != w

    def restores_by_arithmetic(net, X, Y, l, j, k, eps=1e-5):
        w = net.weights[l - 1]
        w[j, k] += eps
        c_plus = net.cost(X, Y)
        w[j, k] -= 2 * eps
        c_minus = net.cost(X, Y)
        w[j, k] += eps
        return (c_plus - c_minus) / (2 * eps)

    with pytest.raises(ExerciseFailed, match="changed in its last digits") as failure:
        check.numerical_partial(restores_by_arithmetic)
    message = str(failure.value)
    assert "w + ε − 2ε + ε" in message and "old = w[j, k]" in message and "w[j, k] = old" in message


# --- issue 9: one letter for the batch of errors; issue 10: the slope as text ---------------

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_the_batch_of_errors_is_E_everywhere_and_delta_only_means_a_change():
    import helpers.checks.backpropagation
    import helpers.lessons.backpropagation
    import helpers.lessons.gradient_descent
    import helpers.network

    for module in (helpers.network, helpers.lessons.backpropagation, helpers.lessons.gradient_descent,
                   helpers.checks.backpropagation):
        code = Path(module.__file__).read_text(encoding="utf-8")
        assert not re.search(r"\bDelta\b(?! which| means|, which)", code.replace('rather than Delta', '')), module
        assert "Δ" not in code.replace("Δa", "").replace("Δw", "").replace("Δb", ""), module
    for prefix in ("04", "05", "06", "07"):
        (path,) = (ROOT / "notebooks").glob(f"{prefix}_*.ipynb")
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code":
                assert not re.search(r"\bDelta\b", source) and "Δ²" not in source, (prefix, source[:80])
            else:  # Δ is "a change of": Δw, ΔC, Δz... never a batch of errors with a layer number or a transpose
                assert not re.search(r"\\Delta\s*(\^|_\{?[a-z]|\$)", source.replace(r"capital delta, $\Delta$", "")
                                     .replace(r"$\Delta$ keeps", "").replace(r"$\Delta$ already", "")), (prefix, source[:80])
    steps = backprop_steps(*tiny())
    assert {"E²", "E¹"} <= {name for step in steps for name in step.values}


def test_numerical_partial_returning_text_is_not_told_the_nudge_never_arrived():
    from helpers.gradcheck import numerical_derivative

    def as_text(net, X, Y, l, j, k, eps=1e-5):
        return str(numerical_derivative(net, X, Y, net.weights[l - 1], (j, k), eps))

    with pytest.raises(ExerciseFailed) as err:
        check.numerical_partial(as_text)
    assert "expected one number, got a string" in str(err.value) and "never reached" not in str(err.value)


def test_output_error_averaged_over_the_examples_is_told_to_keep_one_row_each():
    with pytest.raises(ExerciseFailed, match=r"you averaged over the examples. E\^L keeps one row of errors per example"):
        check.output_error(lambda A_L, Y, Z_L: ((A_L - Y) * sigmoid_prime(Z_L)).mean(axis=0))


def test_a_second_failure_shows_a_step_and_not_the_recipe():
    """Issue 20: hints in three stages in notebook 06 too."""
    from tests.test_checks import assert_hint_in_stages

    assert_hint_in_stages(check.output_error, lambda A_L, Y, Z_L: A_L * sigmoid_prime(Z_L),
                          lambda A_L, Y, Z_L: (A_L - Y) + sigmoid_prime(Z_L), "output_error")
    assert_hint_in_stages(check.backpropagate_error, lambda E_next, w_next, Z: 0 * Z,
                          lambda E_next, w_next, Z: (E_next @ w_next) * Z, "backpropagate_error")
    assert_hint_in_stages(check.layer_gradients, lambda E, A_prev: (E.T @ A_prev / len(E) / 2, E.mean(axis=0)),
                          lambda E, A_prev: (E.T @ A_prev / len(E) * 2, E.mean(axis=0) * 2), "layer_gradients")

    def one_sided(net, X, Y, l, j, k, eps):
        w = net.weights[l - 1]
        old, c0 = w[j, k], net.cost(X, Y)
        w[j, k] = old + eps
        c_plus = net.cost(X, Y)
        w[j, k] = old
        return (c_plus - c0) / eps * 2

    assert_hint_in_stages(check.numerical_partial, lambda net, X, Y, l, j, k, eps: 1.0, one_sided,
                          "numerical_partial")
