"""Tests for notebook 05: helpers.lessons.gradient_descent, its widget and its exercise checks."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.lessons import gradient_descent as descent
from helpers.training import train
from helpers.checks import ExerciseFailed
from helpers.checks import gradient_descent as check
from helpers.network import Network
from helpers.widgets.gradient_descent import ETA_CHOICES, LiveCurve, bowl_descent, run_summary
from tests.test_figure import assert_picture_follows, png_size


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def tiny_digits(n=200, seed=0):
    """Random 'images' and one-hot targets shaped like MNIST's (n x 784, n x 10)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 784))
    labels = rng.integers(0, 10, n)
    return X, np.eye(10)[labels], labels


# ----------------------------------------------------------------- the quadratic cost


def test_quadratic_cost_by_hand():
    # one example: 1/2 (0.5^2 + 0.5^2) = 0.25; two examples average their halves
    assert descent.quadratic_cost([[0.5, 0.5]], [[1.0, 0.0]]) == pytest.approx(0.25)
    a = np.array([[0.5, 0.5], [1.0, 0.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert descent.quadratic_cost(a, y) == pytest.approx((0.25 + 0.0) / 2)


def test_quadratic_cost_agrees_with_the_network_cost():
    X, Y, _ = tiny_digits(50)
    net = Network([784, 10], dtype=np.float64, seed=1, init="scaled")
    assert descent.quadratic_cost(net.feedforward(X), Y) == pytest.approx(net.cost(X, Y), rel=1e-12)


def test_count_is_flat_where_the_cost_is_smooth():
    X, labels = descent.overlapping_points(np.random.default_rng(0), n=20)
    values = np.array([1.0, 1.001, 1.01])
    counts, costs = descent.sweep_weight(X, labels, [1.0, 0.5], 0.0, 0, values)
    assert counts.dtype.kind == "i" and len(set(counts.tolist())) == 1  # nudges leave the count alone
    assert len(set(np.round(costs, 12).tolist())) == 3  # ... but move the cost
    # over a wide sweep the count only takes a few values and the cost many
    wide = np.linspace(-3, 3, 301)
    counts, costs = descent.sweep_weight(X, labels, [1.0, 0.5], 0.0, 0, wide)
    assert len(np.unique(counts)) < 25 and len(np.unique(np.round(costs, 9))) == 301
    assert np.all((0 <= counts) & (counts <= 20))


def test_toy_points_drawing_shows_labels_by_colour_and_marker():
    X, labels = descent.overlapping_points(np.random.default_rng(5), n=20)
    fig, ax = plt.subplots()
    descent.draw_toy_points(ax, X, labels, w=[1.0, 0.5], b=0.0)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    points = ax.collections[:2]
    assert [len(c.get_offsets()) for c in points] == [10, 10]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "label 1" in legend and "label 0" in legend and any("a = 0.5" in t for t in legend)
    # the ringed points are exactly those the neuron gets wrong
    counts, _ = descent.sweep_weight(X, labels, [1.0, 0.5], 0.0, 0, [1.0])
    rings = ax.collections[2] if len(ax.collections) > 2 else None
    assert (0 if rings is None else len(rings.get_offsets())) == 20 - counts[0]


def test_toy_points_use_different_markers():
    X, labels = descent.overlapping_points(np.random.default_rng(0), n=6)
    fig, ax = plt.subplots()
    descent.draw_toy_points(ax, X, labels)
    first, second = (c.get_paths()[0].vertices for c in ax.collections[:2])
    assert first.shape != second.shape or not np.allclose(first, second)  # a circle and a triangle
    assert not np.allclose(ax.collections[0].get_facecolor(), ax.collections[1].get_facecolor())


def test_toy_points_are_reproducible_and_balanced():
    X1, l1 = descent.overlapping_points(np.random.default_rng(3), n=10)
    X2, l2 = descent.overlapping_points(np.random.default_rng(3), n=10)
    assert X1.shape == (10, 2) and np.array_equal(X1, X2) and np.array_equal(l1, l2)
    assert l1.sum() == 5


# ----------------------------------------------------------------- the bowl


def test_bowl_gradient_matches_finite_differences():
    for v in ([1.0, 1.0], [-4.0, 1.5], [0.3, -2.0]):
        eps = 1e-6
        numeric = [
            (descent.bowl_cost(v[0] + eps, v[1]) - descent.bowl_cost(v[0] - eps, v[1])) / (2 * eps),
            (descent.bowl_cost(v[0], v[1] + eps) - descent.bowl_cost(v[0], v[1] - eps)) / (2 * eps),
        ]
        assert np.allclose(descent.bowl_gradient(v), numeric, atol=1e-6)
    assert np.array_equal(descent.bowl_gradient([1.0, 1.0]), [2.0, 8.0])


def test_bowl_cost_works_on_grids():
    g1, g2 = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 3))
    assert descent.bowl_cost(g1, g2).shape == (3, 5)
    assert descent.bowl_cost(0.0, 0.0) == 0 and descent.bowl_cost(1.0, 1.0) == 5


def test_descent_step_moves_downhill():
    v = np.array([1.0, 2.0])
    assert np.allclose(descent.descent_step(v, [0.5, -1.0], 0.1), [0.95, 2.1])
    g = descent.bowl_gradient(v)
    assert descent.bowl_cost(*descent.descent_step(v, g, 0.01)) < descent.bowl_cost(*v)


@pytest.mark.parametrize(
    "eta, verdict",
    [(0.01, "still on its way"), (0.1, "converged"), (0.2, "converged"), (0.24, "still on its way"),
     (0.25, "stuck (bouncing for ever)"), (0.251, "diverging (slowly)"), (0.27, "diverged")],
)
def test_learning_rates_small_good_large(eta, verdict):
    path = descent.gradient_descent(descent.bowl_gradient, descent.BOWL_START, eta, 30)
    assert path.shape == (31, 2) and np.array_equal(path[0], descent.BOWL_START)
    assert descent.describe_run(path)["verdict"] == verdict


def test_zigzag_and_stable_limit():
    # along v2 each step multiplies v2 by (1 - 8 eta): it changes sign for eta > 1/8
    assert not descent.describe_run(descent.gradient_descent(descent.bowl_gradient, (-4, 1.5), 0.1, 30))["zigzag"]
    assert descent.describe_run(descent.gradient_descent(descent.bowl_gradient, (-4, 1.5), 0.2, 30))["zigzag"]
    just_stable = descent.gradient_descent(descent.bowl_gradient, (0, 1), 0.249, 200)
    just_unstable = descent.gradient_descent(descent.bowl_gradient, (0, 1), 0.251, 200)
    assert abs(just_stable[-1, 1]) < 1 < abs(just_unstable[-1, 1])


def test_slowly_diverging_is_told_apart_from_on_its_way():
    # eta = 0.251: v2 grows by |1 - 8 eta| = 1.008 per step, v1 shrinks by 0.498. After 30 steps
    # the cost is still below the start (the shrinking v1 part was larger), but it grows.
    run = descent.describe_run(descent.gradient_descent(descent.bowl_gradient, descent.BOWL_START, 0.251, 30))
    assert run["final_cost"] < run["costs"][0] and run["costs"][-1] > run["costs"][-6]
    assert run["verdict"] == "diverging (slowly)"
    # ... and it does diverge, given enough steps
    longer = descent.describe_run(descent.gradient_descent(descent.bowl_gradient, descent.BOWL_START, 0.251, 200))
    assert longer["verdict"] == "diverged"
    # a run still falling, however slowly, is on its way; a growing window says diverging
    assert descent.describe_run(np.array([[3.0, 0], [2.0, 0], [1.9, 0]]), window=1)["verdict"] == "still on its way"
    assert descent.describe_run(np.array([[3.0, 0], [1.0, 0], [1.1, 0]]), window=1)["verdict"] == "diverging (slowly)"
    assert set(descent.VERDICTS) >= {run["verdict"], longer["verdict"]}


def test_stuck_at_the_stability_limit():
    # eta = 0.25 exactly: v2 -> (1 - 2) v2 = -v2, the same height for ever; v1 halves each step
    path = descent.gradient_descent(descent.bowl_gradient, descent.BOWL_START, 0.25, 30)
    assert np.allclose(np.abs(path[1:, 1]), 1.5) and abs(path[-1, 0]) < 1e-6
    run = descent.describe_run(path)
    assert run["verdict"] == "stuck (bouncing for ever)" and run["final_cost"] == pytest.approx(9.0)
    assert run["zigzag"]
    # a few steps in, v1 is still shrinking noticeably: then it is honestly "still on its way"
    early = descent.describe_run(descent.gradient_descent(descent.bowl_gradient, descent.BOWL_START, 0.25, 3))
    assert early["verdict"] == "still on its way"


def test_gradient_descent_stops_when_it_blows_up():
    with np.errstate(all="raise"):  # no overflow on the way
        path = descent.gradient_descent(descent.bowl_gradient, (1.0, 1.0), 5.0, 1000)
    assert len(path) < 1001 and np.all(np.isfinite(path))
    assert descent.describe_run(path)["verdict"] == "diverged"


def test_describe_run_fields():
    run = descent.describe_run(descent.gradient_descent(descent.bowl_gradient, (-4, 1.5), 0.1, 5))
    assert run["steps"] == 5 and run["costs"].shape == (6,) and run["costs"][0] == 25
    assert run["final_cost"] == pytest.approx(descent.bowl_cost(*run["final"]))


def test_drawing_labels_everything():
    runs = [(f"η = {eta}", descent.gradient_descent(descent.bowl_gradient, (-4, 1.5), eta, 10)) for eta in (0.01, 0.1)]
    fig, (left, right) = plt.subplots(1, 2)
    descent.draw_bowl(left, runs)
    descent.draw_costs(right, runs)
    for ax in (left, right):
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    styles = {line.get_linestyle() for line in right.get_lines()}
    assert len(styles) == 2  # told apart without colour
    assert "η = 0.1" in [t.get_text() for t in left.get_legend().get_texts()]


# ----------------------------------------------------------------- mini-batches and SGD


def test_mini_batches_partition_the_indices():
    batches = descent.mini_batches(10, 3, np.random.default_rng(0))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    again = descent.mini_batches(10, 3, np.random.default_rng(0))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    assert np.concatenate(descent.mini_batches(100, 10, np.random.default_rng(0))).tolist() != list(range(100))


def test_one_layer_gradient_matches_finite_differences():
    X, Y, _ = tiny_digits(20)
    model = descent.OneLayer(rng=np.random.default_rng(0), dtype=np.float64)
    nabla_w, nabla_b = model.gradients(X, Y)
    eps = 1e-6
    for (j, k) in [(0, 0), (3, 100), (9, 783)]:
        model.w[j, k] += eps
        up = model.cost(X, Y)
        model.w[j, k] -= 2 * eps
        down = model.cost(X, Y)
        model.w[j, k] += eps
        assert (up - down) / (2 * eps) == pytest.approx(nabla_w[j, k], rel=1e-5, abs=1e-10)
    for j in (0, 7):
        model.b[j] += eps
        up = model.cost(X, Y)
        model.b[j] -= 2 * eps
        down = model.cost(X, Y)
        model.b[j] += eps
        assert (up - down) / (2 * eps) == pytest.approx(nabla_b[j], rel=1e-5, abs=1e-10)


def test_one_layer_is_network_784_10():
    """The warm-up model and helpers.network's Network([784, 10]) are the same model."""
    X, Y, _ = tiny_digits(30)
    model = descent.OneLayer(rng=np.random.default_rng(2), dtype=np.float64)
    net = Network([784, 10], dtype=np.float64, seed=0)
    net.weights[0], net.biases[0] = model.w.copy(), model.b.copy()
    assert np.allclose(model.feedforward(X), net.feedforward(X))
    (nw,), (nb,) = net.gradients(X, Y)
    mw, mb = model.gradients(X, Y)
    assert np.allclose(mw, nw, atol=1e-12) and np.allclose(mb, nb, atol=1e-12)


def test_clip_limit_is_a_percentile_of_the_sizes():
    values = np.concatenate([np.linspace(-1, 1, 1000), [50.0, -80.0]])  # two outliers
    limit = descent.clip_limit(values)
    assert limit == pytest.approx(np.percentile(np.abs(values), 99.5))
    assert 0.9 < limit < 1.0 < descent.clip_limit(values, percentile=100) == 80.0
    assert descent.clip_limit(np.zeros(5)) == 1.0  # never a zero-width colour scale


def test_one_layer_shapes_and_dtype():
    model = descent.OneLayer(rng=np.random.default_rng(0))
    assert model.w.shape == (10, 784) and model.b.shape == (10,) and model.w.dtype == np.float32
    X, Y, labels = tiny_digits(5)
    assert model.feedforward(X.astype(np.float32)).shape == (5, 10)
    assert model.predict(X).shape == (5,) and 0 <= model.accuracy(X, labels) <= 1


def test_the_training_loop_trains_the_one_layer_model():
    X, Y, labels = tiny_digits(200)
    model = descent.OneLayer(rng=np.random.default_rng(0), dtype=np.float64)
    before = model.cost(X, Y)
    steps = []
    grads = model.grads
    model.grads = lambda X, Y: (steps.append(len(X)), grads(X, Y))[1]  # count the loop's steps
    history = train(model, (X, labels), 3, 10, 1.0, validation_data=(X, labels), rng=np.random.default_rng(1))
    assert steps == [10] * (3 * 20)
    assert model.cost(X, Y) < before
    assert history["training_cost"][0] == pytest.approx(model_cost_after(X, Y, 1)) and history["epoch"] == [0, 1, 2]


def model_cost_after(X, Y, epochs):
    """The cost after ``epochs`` epochs, by a plain loop written here as the reference."""
    model = descent.OneLayer(rng=np.random.default_rng(0), dtype=np.float64)
    rng = np.random.default_rng(1)
    for _ in range(epochs):
        for batch in descent.mini_batches(len(X), 10, rng):
            nabla_w, nabla_b = model.gradients(X[batch], Y[batch])
            model.w -= 1.0 * nabla_w
            model.b -= 1.0 * nabla_b
    return model.cost(X, Y)


def test_the_training_loop_is_reproducible():
    X, Y, labels = tiny_digits(60)
    models = [descent.OneLayer(rng=np.random.default_rng(0)) for _ in range(2)]
    for m in models:
        train(m, (X, labels), 2, 7, 0.5, rng=np.random.default_rng(4))
    assert np.array_equal(models[0].w, models[1].w)


def test_gradient_agreement():
    X, Y, _ = tiny_digits(100)
    model = descent.OneLayer(rng=np.random.default_rng(0), dtype=np.float64)
    agreement = descent.gradient_agreement(model, X, Y, [1, 10, 100], np.random.default_rng(0), repeats=5)
    assert set(agreement) == {1, 10, 100}
    assert agreement[100] == pytest.approx(1.0)  # the whole set is the full gradient
    assert -1 <= agreement[1] <= agreement[100]


def test_live_curve_records_without_drawing():
    X, Y, labels = tiny_digits(100)
    model = descent.OneLayer(rng=np.random.default_rng(0), dtype=np.float64)
    curve = LiveCurve(model, X, Y, X, labels, title="test", show=False)
    train(model, (X, labels), 2, 10, 1.0, rng=np.random.default_rng(0), callbacks=[curve])
    assert curve.progress[0] == 0.0 and curve.epoch_ends == [0.0, 1.0, 2.0]
    assert len(curve.costs) == len(curve.progress) == 1 + 2  # 10 mini-batches an epoch: recorded at its end
    assert curve.costs[-1] == pytest.approx(model.cost(X, Y))
    assert curve.costs[-1] < curve.costs[0] and len(curve.accuracies) == 3
    often = LiveCurve(model, X, Y, X, labels, show=False, every=4)  # after mini-batches 4, 8 and the last, 10
    train(model, (X, labels), 2, 10, 1.0, rng=np.random.default_rng(0), callbacks=[often])
    assert often.progress == [0.0, 0.4, 0.8, 1.0, 1.4, 1.8, 2.0] and often.epoch_ends == [0.0, 1.0, 2.0]
    fig = curve.figure()
    titles = [ax.get_title() for ax in fig.axes]
    assert "Cost on 100 training images" in titles and all(ax.get_xlabel() for ax in fig.axes)


def test_live_curve_shows_one_picture_and_updates_it_in_place(monkeypatch):
    import helpers.widgets.gradient_descent as widget

    shown = []  # what the notebook was sent: ("display" or "update", PNG bytes)

    class Handle:
        def update(self, picture):
            shown.append(("update", picture.data))

    def display(picture, display_id=False):
        assert display_id is True
        shown.append(("display", picture.data))
        return Handle()

    monkeypatch.setattr(widget, "display", display)
    open_before = plt.get_fignums()
    X, Y, labels = tiny_digits(100)
    model = descent.OneLayer(rng=np.random.default_rng(0), dtype=np.float64)
    curve = LiveCurve(model, X, Y, X, labels, title="test", epochs=3)
    train(model, (X, labels), 3, 10, 1.0, rng=np.random.default_rng(0), callbacks=[curve])
    assert [kind for kind, _ in shown] == ["display", "update", "update"]  # one picture, after each epoch
    assert all(png_size(png) for _, png in shown) and len({png for _, png in shown}) == 3
    assert curve.figure().canvas.manager is None  # pyplot never hears of it
    assert plt.get_fignums() == open_before


# ----------------------------------------------------------------- the widget


def test_widget_sliders_drive_the_logic():
    box = bowl_descent()
    assert box.run["verdict"] == "converged" and box.run["steps"] == 30
    box.eta.value = 0.3
    expected = descent.describe_run(descent.gradient_descent(descent.bowl_gradient, descent.BOWL_START, 0.3, 30))
    assert box.run["verdict"] == "diverged" == expected["verdict"]
    assert box.run["final_cost"] == pytest.approx(expected["final_cost"])
    box.eta.value = 0.25
    assert box.run["verdict"] == "stuck (bouncing for ever)"
    box.eta.value = 0.251
    assert box.run["verdict"] == "diverging (slowly)" and "diverging (slowly)" in box.children[1].value
    box.eta.value = 0.01
    assert box.run["verdict"] == "still on its way"
    box.steps.value = 100
    assert box.run["steps"] == 100
    box.v1.value, box.v2.value = 0.0, 0.0
    assert box.run["final_cost"] == 0
    assert "converged" in box.children[1].value
    assert box.children[2].value[:8] == b"\x89PNG\r\n\x1a\n"  # the picture was redrawn


def test_widget_redraws_its_picture():
    box = bowl_descent()
    assert box.children[2] is box.picture and png_size(box.picture.value) == (960, 336)  # 12 x 4.2 in at 80 dpi
    for slider, value in ((box.eta, 0.3), (box.steps, 5), (box.v1, 1.0), (box.v2, -1.0)):
        assert_picture_follows(box.picture, slider, value)


def test_eta_slider_reaches_the_interesting_values():
    assert {0.125, 0.25, 0.1, 0.001, 0.3} <= set(ETA_CHOICES) and list(ETA_CHOICES) == sorted(ETA_CHOICES)
    box = bowl_descent()
    assert box.eta.value == 0.1 and 0.25 in box.eta.options
    box.eta.value = 0.125  # v2 reaches the valley floor in one step: no zigzag
    assert box.run["verdict"] == "converged" and not box.run["zigzag"]
    own = bowl_descent(eta=0.17)  # a learner's own value is offered too
    assert own.eta.value == 0.17 and own.run["verdict"] == "converged"


def test_run_summary_mentions_zigzag():
    run = descent.describe_run(descent.gradient_descent(descent.bowl_gradient, (-4, 1.5), 0.2, 30))
    text = run_summary(run, 0.2)
    assert "converged" in text and "zigzag" in text and "η = 0.2" in text


# ----------------------------------------------------------------- the exercise checks


def test_checks_accept_the_reference(capsys):
    check.quadratic_cost(descent.quadratic_cost)
    check.bowl_gradient(descent.bowl_gradient)
    check.descent_step(descent.descent_step)
    check.minibatch_indices(descent.mini_batches)
    assert capsys.readouterr().out.count("✓") == 4


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda A, Y: ((Y - A) ** 2).sum(axis=1).mean(), "forget the 1/2"),
        (lambda A, Y: np.mean((Y - A) ** 2), "np.mean((Y - A)**2)"),
        (lambda A, Y: 0.5 * ((Y - A) ** 2).sum(), "n times too big"),
        (lambda A, Y: 0.5 * np.mean((Y - A) ** 2), "number of all the numbers"),
        (lambda A, Y: np.linalg.norm(Y - A, axis=1).mean() / 2, "squared"),
        (lambda A, Y: 0.5 * np.abs(Y - A).sum(axis=1).mean(), "Hint"),
        (lambda a, y: 0.5 * np.abs(y - a).sum(axis=1).mean(), "Hint"),  # lower-case names: by position
    ],
)
def test_quadratic_cost_check_explains_mistakes(wrong, words):
    with pytest.raises(ExerciseFailed, match=None) as err:
        check.quadratic_cost(wrong)
    assert words in str(err.value)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda v: np.array([v[0], 4 * v[1]]), "derivative of v² is 2v"),
        (lambda v: np.array([2 * v[0], 2 * v[1]]), "8 v2"),
        (lambda v: np.array([8 * v[1], 2 * v[0]]), "swapped"),
        (lambda v: v[0] ** 2 + 4 * v[1] ** 2, "one number"),
        (lambda v: np.array([2 * v[0], 8 * v[1] + 1]), "Hint"),
    ],
)
def test_bowl_gradient_check_explains_mistakes(wrong, words):
    with pytest.raises(ExerciseFailed) as err:
        check.bowl_gradient(wrong)
    assert words in str(err.value)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda v, gradient, eta: v + eta * gradient, "uphill"),
        (lambda v, gradient, eta: v - gradient, "learning rate"),
        (lambda v, gradient, eta: -eta * gradient, "change Δv"),
        (lambda v, gradient, eta: None, "forget `return`"),
    ],
)
def test_descent_step_check_explains_mistakes(wrong, words):
    with pytest.raises(ExerciseFailed) as err:
        check.descent_step(wrong)
    assert words in str(err.value)


def test_checks_accept_renamed_parameters(capsys):
    def quadratic_cost(outputs, targets):
        return 0.5 * np.mean(np.sum((targets - outputs) ** 2, axis=1))

    def bowl_gradient(point):
        return np.array([2 * point[0], 8 * point[1]])

    def descent_step(point, grad, learning_rate):
        return point - learning_rate * grad

    def minibatch_indices(count, size, generator):
        order = generator.permutation(count)
        return [order[k:k + size] for k in range(0, count, size)]

    check.quadratic_cost(quadratic_cost)
    check.bowl_gradient(bowl_gradient)
    check.descent_step(descent_step)
    check.minibatch_indices(minibatch_indices)
    assert capsys.readouterr().out.count("✓") == 4


def test_checks_spot_mistakes_with_renamed_parameters():
    # renamed *and* wrong: called by position, the usual explanation still comes
    with pytest.raises(ExerciseFailed, match="uphill"):
        check.descent_step(lambda point, grad, lr: point + lr * grad)
    with pytest.raises(ExerciseFailed, match="forget the 1/2"):
        check.quadratic_cost(lambda outputs, targets: ((targets - outputs) ** 2).sum(axis=1).mean())


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda v, gradient: v - 0.1 * gradient, "should take 3 input(s), (v, gradient, eta)"),
        (lambda v, gradient, eta, extra: v - eta * gradient, "should take 3 input(s)"),
    ],
)
def test_checks_explain_a_wrong_number_of_parameters(wrong, words):
    with pytest.raises(ExerciseFailed) as err:
        check.descent_step(wrong)
    assert words in str(err.value) and "Keep the `def` line" in str(err.value)


def test_minibatch_check_explains_a_wrong_number_of_parameters():
    with pytest.raises(ExerciseFailed, match=r"should take 3 input\(s\), \(n, mini_batch_size, rng\)"):
        check.minibatch_indices(lambda n, mini_batch_size: [np.arange(n)])


def test_unwritten_exercise_is_reported(capsys):
    def not_yet(*args, **kwargs):
        raise NotImplementedError("Exercise: your code here")

    for name in ("quadratic_cost", "bowl_gradient", "descent_step", "minibatch_indices"):
        assert getattr(check, name)(not_yet) is None  # not a failure: Run All goes on
        assert "still has its `raise NotImplementedError` line" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda n, mini_batch_size, rng: [np.arange(n)[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)],
         "in order"),
        (lambda n, mini_batch_size, rng: [rng.integers(0, n, len(part))
                                          for part in np.array_split(np.arange(n), range(mini_batch_size, n, mini_batch_size))],
         "exactly one mini-batch"),
        (lambda n, mini_batch_size, rng: [rng.permutation(n)[k:k + mini_batch_size]
                                          for k in range(0, n - mini_batch_size + 1, mini_batch_size)],
         "sizes"),
        (lambda n, mini_batch_size, rng: np.array_split(np.random.permutation(n),
                                                        range(mini_batch_size, n, mini_batch_size)),
         "same seed"),
        (lambda n, mini_batch_size, rng: np.array_split(np.random.default_rng(0).permutation(n),
                                                        range(mini_batch_size, n, mini_batch_size)),
         "different seeds"),
    ],
)
def test_minibatch_check_explains_mistakes(wrong, words):
    with pytest.raises(ExerciseFailed) as err:
        check.minibatch_indices(wrong)
    assert words in str(err.value)


# --- issue 9: descent_step in place, bowl test points, MSE, primer, second derivatives, polish ---

import itertools  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from helpers.checks import reset_hints  # noqa: E402

BOWL_SLIPS = {
    "cost terms": lambda v: np.array([v[0] ** 2, 4 * v[1] ** 2]),
    "half": lambda v: np.array([v[0], 4 * v[1]]),
    "2 v2": lambda v: np.array([2 * v[0], 2 * v[1]]),
    "4 v2": lambda v: np.array([2 * v[0], 4 * v[1]]),
    "swapped": lambda v: np.array([8 * v[1], 2 * v[0]]),
    "v1": lambda v: np.array([v[0], 8 * v[1]]),
    "uphill sign": lambda v: np.array([-2 * v[0], -8 * v[1]]),
}


def _cells(prefix):
    (path,) = (Path(__file__).resolve().parent.parent / "notebooks").glob(f"{prefix}_*.ipynb")
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.fixture(autouse=True)
def fresh_hints():
    reset_hints()


def test_at_the_first_bowl_point_every_slip_gives_its_own_answer():
    v = check.BOWL_POINTS[0]
    answers = {name: tuple(slip(v)) for name, slip in BOWL_SLIPS.items()} | {"right": tuple(descent.bowl_gradient(v))}
    for (a, x), (b, y) in itertools.combinations(answers.items(), 2):
        assert not np.allclose(x, y), (a, b)


@pytest.mark.parametrize("name, said", [
    ("cost terms", "the two terms of the cost itself"),
    ("half", "half the right answer in both directions"),
    ("2 v2", "the derivative of 4 v2² is 4 · 2 v2 = 8 v2"),
    ("swapped", "swapped"),
    ("uphill sign", "signs are flipped"),
])
def test_bowl_gradient_slips_get_the_advice_that_fits(name, said):
    with pytest.raises(ExerciseFailed) as err:
        check.bowl_gradient(BOWL_SLIPS[name])
    assert said in str(err.value) and "bowl_gradient(v=[ 3., -2.])" in str(err.value)
    if name == "cost terms":
        assert "don't forget the 2" not in str(err.value)


def test_descent_step_that_changes_the_callers_v_is_rejected():
    def in_place(v, gradient, eta):
        v -= eta * gradient
        return v

    with pytest.raises(ExerciseFailed) as err:
        check.descent_step(in_place)
    message = str(err.value)
    assert "returns the right values, but it also changed the array `v`" in message
    assert "notebook 02" in message and "path.append(v)" in message


def test_minibatch_indices_as_a_generator_is_accepted(capsys):
    def generator(n, mini_batch_size, rng):
        order = rng.permutation(n)
        for k in range(0, n, mini_batch_size):
            yield order[k:k + mini_batch_size]

    check.minibatch_indices(generator)
    assert "is correct" in capsys.readouterr().out


def test_minibatch_indices_odd_answers_get_a_kind_message():
    with pytest.raises(ExerciseFailed, match=r"returned a string"):
        check.minibatch_indices(lambda n, mini_batch_size, rng: str(rng.permutation(n)))
    with pytest.raises(ExerciseFailed, match=r"returned a dict"):
        check.minibatch_indices(lambda n, mini_batch_size, rng: {0: rng.permutation(n)})
    with pytest.raises(ExerciseFailed, match=r"each mini-batch should be a flat array"):
        check.minibatch_indices(lambda n, mini_batch_size, rng: rng.permutation(n))  # not cut into pieces


def test_quadratic_cost_as_text_is_refused_and_the_mse_slip_is_named_as_the_notebook_names_it():
    with pytest.raises(ExerciseFailed, match="got a string"):
        check.quadratic_cost(lambda A, Y: str(descent.quadratic_cost(A, Y)))
    with pytest.raises(ExerciseFailed) as err:
        check.quadratic_cost(lambda A, Y: np.mean((Y - A) ** 2))
    assert "what libraries call the mean squared error" in str(err.value)
    text = " ".join("".join(c["source"]) for c in _cells("05") if c["cell_type"] == "markdown")
    assert "mean squared" in text and "`np.mean((Y - A)**2)`" in text and "no $\\frac12$" in text


def test_the_partial_derivatives_primer_and_the_note_on_second_derivatives():
    cells = _cells("05")
    sources = ["".join(c["source"]) for c in cells]
    primer = next(i for i, s in enumerate(sources) if "### Optional primer: partial derivatives and the gradient" in s)
    gradient = next(i for i, s in enumerate(sources) if s.startswith("### Which way is downhill? The gradient"))
    assert primer < gradient and cells[primer + 1]["cell_type"] == "code"
    exec(sources[primer + 1], {"np": np})
    assert "8 v_2" not in sources[primer] and "4 v_2^2" not in sources[primer]  # not the exercise's bowl
    text = " ".join(sources)
    assert "**Why only first derivatives?**" in text and "79{,}510^2" in text


def test_the_widget_says_after_1_step_and_its_step_axis_has_whole_numbers():
    run = descent.describe_run(descent.gradient_descent(descent.bowl_gradient, (-4, 1.5), 0.1, 1))
    assert "after 1 step:" in run_summary(run, 0.1)
    assert "after 3 steps:" in run_summary(descent.describe_run(
        descent.gradient_descent(descent.bowl_gradient, (-4, 1.5), 0.1, 3)), 0.1)
    fig, ax = plt.subplots()
    descent.draw_costs(ax, [("η = 0.1", descent.gradient_descent(descent.bowl_gradient, (-4, 1.5), 0.1, 3))])
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)
    plt.close(fig)


def test_quadratic_cost_one_number_per_example_is_told_to_average():
    with pytest.raises(ExerciseFailed, match=r"one cost per example. C is one number: the average"):
        check.quadratic_cost(lambda A, Y: 0.5 * ((Y - A) ** 2).sum(axis=1))
    with pytest.raises(ExerciseFailed, match=r"returned one number, -10\. The gradient has one entry per variable"):
        check.bowl_gradient(lambda v: 2 * v[0] + 8 * v[1])


def test_a_second_failure_shows_a_step_and_not_the_recipe():
    """Issue 20: hints in three stages in notebook 05 too."""
    from tests.test_checks import assert_hint_in_stages

    assert_hint_in_stages(check.quadratic_cost, lambda A, Y: float(((Y - A) ** 2).sum()),
                          lambda A, Y: 0.5 * float(np.abs(Y - A).sum(axis=1).mean()), "quadratic_cost")
    assert_hint_in_stages(check.bowl_gradient, lambda v: np.array([v[0], v[1]]),
                          lambda v: np.array([v[0], v[1]]) * 2.5, "bowl_gradient")
    assert_hint_in_stages(check.descent_step, lambda v, gradient, eta: v * eta,
                          lambda v, gradient, eta: v - 2 * eta * gradient, "descent_step")
    assert_hint_in_stages(check.minibatch_indices,
                          lambda n, mini_batch_size, rng: [rng.permutation(n)[:mini_batch_size]],
                          lambda n, mini_batch_size, rng: [rng.permutation(n)[:2]], "minibatch_indices")
