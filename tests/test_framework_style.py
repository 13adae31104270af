"""Notebook 10's code: the layer-by-layer model (gradients against finite differences,
its cost against an independent computation, training on the shared loop), the PyTorch
twin when torch is installed, the valley toy and its widget, and the exercise checks."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.activations import relu
from helpers.checks import ExerciseFailed
from helpers.checks import framework_style as check
from helpers.lessons import framework_style as lesson
from helpers.network import Network
from helpers.optimizers import Adam
from helpers.training import train, update_mini_batch
from helpers.widgets.framework_style import ETA_CHOICES, race_summary, valley_race
from tests.test_figure import assert_picture_follows, png_size


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def blobs(n=300, n_in=8, seed=0):
    """Three separable clusters: labels, and inputs in [0, 1]-ish."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = (np.eye(3, n_in)[y] + 0.2 * rng.standard_normal((n, n_in))).astype(np.float32)
    return X, y


# ----------------------------------------------------------------- the model


def test_the_keras_model_has_10575_parameters():
    model = lesson.keras_model(rng=0)
    assert model.n_params == 400 * 25 + 25 + 25 * 15 + 15 + 15 * 10 + 10 == 10_575
    assert [n for _, _, n in lesson.summary(model)] == [10_025, 390, 160]
    assert [layer.activation.name for layer in model.layers] == ["relu", "relu", "linear"]
    assert all(np.all(layer.b == 0) for layer in model.layers)
    for layer in model.layers:  # Glorot-uniform: inside +-sqrt(6 / (n_in + n_out)), and spread over it
        n_out, n_in = layer.w.shape
        r = math.sqrt(6 / (n_in + n_out))
        assert np.abs(layer.w).max() <= r and np.abs(layer.w).max() > 0.9 * r


def test_bad_model_settings_are_refused():
    with pytest.raises(ValueError, match="must be 'linear'"):
        lesson.keras_model([4, 3, 2], ["relu", "relu"])
    with pytest.raises(ValueError, match="2 layers need 2 activations"):
        lesson.keras_model([4, 3, 2], ["linear"])


def test_cost_is_the_softmax_cross_entropy_computed_independently():
    model = lesson.keras_model([5, 4, 3], ["relu", "linear"], dtype=np.float64, rng=1)
    rng = np.random.default_rng(2)
    X, y = rng.random((7, 5)), rng.integers(0, 3, 7)
    Y = np.eye(3)[y]
    # the forward pass written out, then -ln(e^z_y / sum_k e^z_k) one example at a time with math
    w1, b1, w2, b2 = model.layers[0].w, model.layers[0].b, model.layers[1].w, model.layers[1].b
    total = 0.0
    for x, label in zip(X, y):
        h = [max(0.0, float(np.dot(w1[j], x) + b1[j])) for j in range(4)]
        z = [sum(w2[k][j] * h[j] for j in range(4)) + b2[k] for k in range(3)]
        total += -math.log(math.exp(z[label]) / sum(math.exp(zk) for zk in z))
    assert model.cost(X, Y) == pytest.approx(total / 7, rel=1e-12)
    assert model.cost(X, Y, lmbda=2.0, n=10) == pytest.approx(
        total / 7 + 0.5 * 0.2 * (np.sum(w1**2) + np.sum(w2**2)), rel=1e-12)
    np.testing.assert_allclose(model.probabilities(X).sum(axis=1), 1)


def test_gradients_match_finite_differences():
    model = lesson.keras_model([6, 5, 4, 3], ["relu", "relu", "linear"], dtype=np.float64, rng=3)
    rng = np.random.default_rng(4)
    X, Y = rng.normal(0, 1, (9, 6)), np.eye(3)[rng.integers(0, 3, 9)]
    for layer in model.layers:
        layer.b[:] = rng.normal(0, 0.5, layer.b.shape)  # non-zero biases: their gradients are tested too
    analytic = [g.copy() for g in model.grads(X, Y)]
    eps = 1e-6
    for p, g in zip(model.params, analytic):
        numeric = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            old = p[index]
            p[index] = old + eps
            plus = model.cost(X, Y)
            p[index] = old - eps
            minus = model.cost(X, Y)
            p[index] = old
            numeric[index] = (plus - minus) / (2 * eps)
        error = np.abs(g - numeric).max() / max(np.abs(g).max() + np.abs(numeric).max(), 1e-12)
        assert error < 1e-7, f"{p.shape}: relative error {error:.2e}"


def test_the_layers_give_the_gradients_of_the_course_network():
    """The course's Network with ReLU hidden layers, linear output and cross-entropy is the
    same model, written as one class: from the same weights, the same gradients."""
    model = lesson.keras_model([6, 5, 4, 3], ["relu", "relu", "linear"], dtype=np.float64, rng=5)
    net = Network([6, 5, 4, 3], activation="relu", output="linear", cost="cross_entropy", dtype=np.float64, seed=0)
    net.weights = [layer.w.copy() for layer in model.layers]
    net.biases = [np.full_like(layer.b, 0.1) for layer in model.layers]
    for layer in model.layers:
        layer.b[:] = 0.1
    rng = np.random.default_rng(6)
    X, Y = rng.random((8, 6)), np.eye(3)[rng.integers(0, 3, 8)]
    nabla_w, nabla_b = net.backprop(X, Y)
    by_layer = [g for w_b in zip(nabla_w, nabla_b) for g in w_b]  # params go layer by layer: w, b, w, b...
    for ours, theirs in zip(model.grads(X, Y), by_layer):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)
    assert model.cost(X, Y) == pytest.approx(net.cost(X, Y), rel=1e-12)


def test_trains_with_adam_on_the_shared_loop():
    X, y = blobs()
    model = lesson.keras_model([8, 6, 3], ["relu", "linear"], rng=7)
    before = model.cost(X, np.eye(3)[y])
    history = train(model, (X, y), 20, 16, 0.01, optimizer="adam", test_data=(X, y), rng=np.random.default_rng(8))
    assert history["training_cost"][-1] < before / 5 and history["test_accuracy"][-1] > 0.95
    assert lesson.total_seconds(history) == pytest.approx(sum(history["seconds"]))
    # and plain gradient descent (no optimizer passed) learns too
    sgd = lesson.keras_model([8, 6, 3], ["relu", "linear"], rng=7)
    assert train(sgd, (X, y), 20, 16, 0.5, test_data=(X, y), rng=np.random.default_rng(8))["test_accuracy"][-1] > 0.95


def test_one_update_is_one_adam_step_on_the_gradients():
    X, y = blobs(40)
    Y = np.eye(3)[y]
    model = lesson.keras_model([8, 6, 3], ["relu", "linear"], dtype=np.float64, rng=9)
    expected = [p.copy() for p in model.params]
    Adam().update(expected, model.copy().grads(X, Y), [0.0] * 4, 0.01)
    update_mini_batch(model, X, Y, 0.01, Adam())
    for p, e in zip(model.params, expected):
        np.testing.assert_allclose(p, e, rtol=1e-12)


def test_copy_is_independent():
    model = lesson.keras_model([4, 3, 2], ["relu", "linear"], rng=0)
    twin = model.copy()
    twin.layers[0].w += 1
    assert not np.allclose(twin.layers[0].w, model.layers[0].w)
    np.testing.assert_array_equal(twin.layers[1].w, model.layers[1].w)


# ----------------------------------------------------------------- PyTorch, where installed


def test_torch_is_optional():
    assert lesson.torch_available() in (True, False)


def test_the_torch_twin_computes_the_same_logits_and_learns_alike():
    torch = pytest.importorskip("torch")
    X, y = blobs(200)
    model = lesson.keras_model([8, 6, 3], ["relu", "linear"], rng=10)
    with torch.no_grad():
        logits = lesson.torch_twin(model)(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(logits, model.forward(X), rtol=1e-5, atol=1e-6)
    ours = train(model.copy(), (X, y), 5, 16, 0.01, optimizer="adam", test_data=(X, y), rng=np.random.default_rng(1))
    theirs = lesson.train_in_torch(model, (X, y), (X, y), epochs=5, mini_batch_size=16, eta=0.01, rng=1)
    np.testing.assert_allclose(theirs["training_cost"], ours["training_cost"], rtol=0.02)
    assert theirs["test_accuracy"][-1] == pytest.approx(ours["test_accuracy"][-1], abs=0.02)


# ----------------------------------------------------------------- the valley and its widget


def test_plain_gradient_descent_on_the_valley_follows_the_closed_form():
    eta, steps = 0.03, 20
    path = lesson.optimizer_path("sgd", eta, steps)
    k = np.arange(steps + 1)
    np.testing.assert_allclose(path[:, 0], -4.0 * (1 - eta) ** k)
    np.testing.assert_allclose(path[:, 1], 1.5 * (1 - eta * lesson.STEEP) ** k)
    # beyond eta = 2 / STEEP it blows up, and stops at the limit instead of overflowing
    wild = lesson.optimizer_path("sgd", 0.1, 300)
    assert len(wild) < 301 and lesson.path_verdict(wild, 300) == "diverged"
    assert lesson.path_verdict(lesson.optimizer_path("sgd", 0.05, 200), 200) == "reached the minimum"


def test_adams_first_step_is_eta_in_every_direction():
    path = lesson.optimizer_path("adam", 0.01, 1)
    np.testing.assert_allclose(path[1] - path[0], [0.01, -0.01], rtol=1e-5)
    far = lesson.optimizer_path("adam", 0.1, 300)
    assert lesson.path_verdict(far, 300) == "reached the minimum"
    assert lesson.path_verdict(lesson.optimizer_path("adam", 0.001, 10), 10) == "still on its way"


def test_the_widget_follows_its_sliders():
    box = valley_race(eta=0.05, steps=100)
    assert set(box.paths) == {"plain gradient descent (sgd)", "Adam"} and png_size(box.picture.value)
    assert_picture_follows(box.picture, box.eta, 0.1)
    assert_picture_follows(box.picture, box.steps, 20)
    box.eta.value = 0.1
    assert "sgd): diverged" in box.children[2].value and "Adam: reached the minimum" in box.children[2].value
    assert 0.079 in ETA_CHOICES and 0.081 in ETA_CHOICES  # on either side of 2 / STEEP = 0.08


def test_race_summary_says_where_each_rule_ended():
    paths = {"a": np.array([[-4.0, 1.5], [0.0, 0.0]]), "b": np.array([[-4.0, 1.5], [1e9, 0.0]])}
    text = race_summary(paths, 1)
    assert text.startswith("a: reached the minimum, at (0, 0)") and "b: diverged, far outside the picture" in text


def test_draw_histories_labels_its_axes():
    fig, ax = plt.subplots()
    lesson.draw_histories(ax, {"ours": {"test_accuracy": [0.5, 0.9]}, "theirs": {"test_accuracy": [0.4, 0.8]}})
    assert ax.get_xlabel() and ax.get_ylabel() and len(ax.get_lines()) == 2
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [50, 90])


# ----------------------------------------------------------------- the exercise checks


def good_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_check_praises_and_names_the_slips(capsys):
    check.softmax(good_softmax)
    assert "softmax" in capsys.readouterr().out
    slips = {
        "overflows": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
        "largest z of the whole array": lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True),
        "keepdims": lambda z: np.exp(z - z.max(axis=1)) / np.exp(z - z.max(axis=1)).sum(axis=1),
        "column": lambda z: good_softmax(z.T).T,
        "do not add up to 1": lambda z: np.exp(z - z.max(axis=1, keepdims=True)),
    }
    for message, slip in slips.items():
        with pytest.raises(ExerciseFailed, match=message):
            check.softmax(slip)
    # An untouched stub is 'not done yet', said kindly, not a failure (helpers.checks.kindly)
    assert check.softmax(lambda z: (_ for _ in ()).throw(NotImplementedError())) is None
    assert "still has its `raise NotImplementedError` line" in capsys.readouterr().out


def test_relu_backward_check_names_the_wrong_side():
    check.relu_backward(lambda z, g: g * (z > 0))
    for message, slip in {"wrong side": lambda z, g: g * (z < 0), "multiply by g": lambda z, g: (z > 0) * 1.0,
                          "ReLU\\(z\\) itself": lambda z, g: g * relu(z), "z = 0 exactly": lambda z, g: g * (z >= 0)}.items():
        with pytest.raises(ExerciseFailed, match=message):
            check.relu_backward(slip)


def textbook_adam(p, g, m, v, t, eta, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return p - eta * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + epsilon), m, v


def test_adam_check_accepts_the_textbook_form_and_names_the_missing_bias_correction():
    check.adam_update(textbook_adam)  # epsilon after the correction, as in the paper; the course folds it in

    def in_place(p, g, m, v, t, eta, beta1=0.9, beta2=0.999, epsilon=1e-8):
        new_p, new_m, new_v = textbook_adam(p, g, m, v, t, eta, beta1, beta2, epsilon)
        p[...], m[...], v[...] = new_p, new_m, new_v
        return p, m, v

    with pytest.raises(ExerciseFailed, match="changed the array `p`.*leaves the old ones alone"):
        check.adam_update(in_place)  # a hole found by a learner's pass: it used to pass
    for message, slip in {"bias correction is missing": check._adam_slip(False, False),
                          "but v is not": check._adam_slip(True, False),
                          "but m is not": check._adam_slip(False, True),
                          "square root": check._adam_slip(True, True, root=False)}.items():
        with pytest.raises(ExerciseFailed, match=message):
            check.adam_update(slip)


def test_the_checks_of_10_close_the_holes_a_learner_found():
    """Issue 20: in-place softmax, epsilon inside the root, the column sum, z and g swapped."""
    def softmax_in_place(z):
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    with pytest.raises(ExerciseFailed, match="changed the array `z`.*makes a new array"):
        check.softmax(softmax_in_place)
    with pytest.raises(ExerciseFailed, match="the sum runs down the columns"):
        check.softmax(lambda z: (lambda e: e / e.sum(axis=0, keepdims=True))(np.exp(z - z.max(axis=1, keepdims=True))))
    with pytest.raises(ExerciseFailed, match="of each column .axis=0."):
        check.softmax(lambda z: (lambda e: e / e.sum(axis=1, keepdims=True))(np.exp(z - z.max(axis=0, keepdims=True))))
    with pytest.raises(ExerciseFailed, match="epsilon went inside the square root"):
        check.adam_update(check._adam_epsilon_inside)
    with pytest.raises(ExerciseFailed, match="z and g swapped places"):
        check.relu_backward(lambda z, g: z * (g > 0))
    with pytest.raises(ExerciseFailed, match="multiplied g by z"):
        check.relu_backward(lambda z, g: g * z)


def test_the_checks_of_10_name_the_new_slips_and_use_the_learners_name(capsys):
    with pytest.raises(ExerciseFailed, match="(?s)`my_softmax.*the whole array adds up to 1"):
        check.softmax(lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum())

    def in_place(z, g):
        g[z <= 0] = 0
        return g

    with pytest.raises(ExerciseFailed, match="changed the array `g`.*A backward pass must leave"):
        check.relu_backward(in_place)
    with pytest.raises(ExerciseFailed, match="applied ReLU to g"):
        check.relu_backward(lambda z, g: np.maximum(g, 0))
    with pytest.raises(ExerciseFailed, match="multiplied g by z"):
        check.relu_backward(lambda z, g: g * z)

    def adam(p, g, m, v, t, eta, beta1=0.9, beta2=0.999, epsilon=1e-8, late=False, hats=False, sign=-1, swap=False):
        def averages(m, v):
            if swap:
                return (1 - beta1) * m + beta1 * g, (1 - beta2) * v + beta2 * g**2
            return beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g**2
        if not late:
            m, v = averages(m, v)
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        p = p + sign * eta * m_hat / (np.sqrt(v_hat) + epsilon)
        if late:
            m, v = averages(m, v)
        return (p, m_hat, v_hat) if hats else (p, m, v)

    check.adam_update(adam)
    assert "correct" in capsys.readouterr().out
    for options, message in [({"late": True}, "p moved with the old m and v"), ({"hats": True}, "corrected m_hat"),
                             ({"sign": 1}, "\\*up\\* the gradient"), ({"swap": True}, "weigh the wrong terms")]:
        with pytest.raises(ExerciseFailed, match=message) as failure:
            check.adam_update(lambda *args, **kwargs: adam(*args, **kwargs, **options))
        assert "array([" not in str(failure.value)  # no tuple of arrays cut off mid-number



def test_just_past_the_edge_is_called_diverged_as_the_picture_shows():
    """Issue 20: at eta = 0.081 (the value the notebook's 'try this' asks about) the race said
    "still on its way" while its path climbed out of the valley."""
    assert lesson.path_verdict(lesson.optimizer_path("sgd", 0.081, 100), 100) == "diverged"
    assert lesson.path_verdict(lesson.optimizer_path("sgd", 0.079, 100), 100) == "still on its way"
    assert lesson.path_verdict(lesson.optimizer_path("sgd", 0.05, 100), 100) == "reached the minimum"
    assert lesson.path_verdict(lesson.optimizer_path("adam", 0.081, 100), 100) != "diverged"


def test_a_learning_rate_typed_in_the_box_is_applied():
    """Issue 20: a value typed into the race's η readout was shown but never applied (ipywidgets
    8 does not apply what is typed into a SelectionSlider's readout); the text box does."""
    box = valley_race(eta=0.05, steps=100)
    assert box.eta.readout is False  # the readout that ignored typing is gone
    before = box.picture.value
    box.typed.value = "0.081"  # on the slider: the slider moves and the race is run again
    assert box.eta.value == 0.081 and box.picture.value != before
    assert "sgd): diverged" in box.summary.value
    options = box.eta.options
    box.typed.value = "0,0123"  # between the choices, with a decimal comma: raced as typed,
    assert box.eta_raced == 0.0123 and box.typed.value == "0.0123"  # the slider at the nearest
    assert box.eta.value == 0.01 and box.eta.options == options  # (new options reset the browser's slider)
    assert np.allclose(box.paths["Adam"], lesson.optimizer_path("adam", 0.0123, 100))
    box.eta.value = 0.2  # the slider writes its value into the box
    assert box.typed.value == "0.2" and box.eta_raced == 0.2
    for bad in ("fast", "-1", "5", "nan"):
        box.typed.value = bad
        assert box.eta.value == 0.2 and "η must be" in box.children[0].children[2].value, bad
    assert np.allclose(box.paths["Adam"], lesson.optimizer_path("adam", 0.2, 100))


def test_race_eta_reads_what_a_learner_types():
    assert lesson.race_eta("0.05") == 0.05 and lesson.race_eta(" η = 0,3 ") == 0.3 and lesson.race_eta(1) == 1.0
    for bad, words in (("", "a number"), ("abc", "a number"), ("0", "between"), ("inf", "between"), ("2", "between")):
        with pytest.raises(ValueError, match=words):
            lesson.race_eta(bad)


def test_adam_with_v_from_g_is_named_even_when_its_root_is_nan():
    """Issue 20, learner pass: v averaged from g (not g**2) turns negative, np.sqrt gives NaN,
    and the check said only "p: got NaN or infinity" with the general hint."""
    def adam(p, g, m, v, t, eta, beta1=0.9, beta2=0.999, epsilon=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        with np.errstate(invalid="ignore"):
            return p - eta * m_hat / (np.sqrt(v_hat) + epsilon), m, v

    with pytest.raises(ExerciseFailed) as failure:
        check.adam_update(adam)
    assert "running average of g**2" in str(failure.value) and "NaN" in str(failure.value)
    assert "got NaN or infinity" not in str(failure.value)
