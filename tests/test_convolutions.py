"""Notebook 11's code: the CNN it builds, the exercises' references against loops written
here, the checks (the solutions pass, each known slip is named), the dense network's waste
measured on toy data, the pictures, the canvas reader with the CNN, and the PyTorch twin
when torch is installed."""

import numpy as np
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from helpers import images
from helpers.checks import ExerciseFailed
from helpers.checks import convolutions as check
from helpers.layers import Conv2D, MaxPool2D, Sequential, Dense
from helpers.lessons import convolutions as lesson
from helpers.lessons import framework_style
from helpers.lessons import your_own_handwriting as handwriting
from helpers.training import train
from tests.test_figure import png_size


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def loops_correlate(image, kernel):
    k = kernel.shape[0]
    out = np.zeros((image.shape[0] - k + 1, image.shape[1] - k + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for p in range(k):
                for q in range(k):
                    out[i, j] += kernel[p, q] * image[i + p, j + q]
    return out


def loops_maxpool_backward(x, g):
    dx = np.zeros_like(x, dtype=float)
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            best = None
            for p in range(2):
                for q in range(2):  # reading order: the first largest wins
                    if best is None or x[2 * i + p, 2 * j + q] > x[best]:
                        best = (2 * i + p, 2 * j + q)
            dx[best] = g[i, j]
    return dx


# ----------------------------------------------------------------- the network


def test_the_cnn_has_18378_parameters_and_the_shapes_of_the_notebook():
    model = lesson.cnn(rng=0)
    assert model.n_params == (25 + 1) * 16 + (16 * 25 + 1) * 32 + 512 * 10 + 10 == 18_378
    shapes = [shape for _, shape, _ in lesson.layer_table(model)]
    assert shapes == [(16, 24, 24), (16, 24, 24), (16, 12, 12), (32, 8, 8), (32, 8, 8), (32, 4, 4), (512,), (10,)]
    assert sum(n for _, _, n in lesson.layer_table(model)) == model.n_params
    assert lesson.cnn(filters=(8, 16), rng=0).n_params == (25 + 1) * 8 + (8 * 25 + 1) * 16 + 256 * 10 + 10


def test_the_schedule_and_the_shift_images():
    eta = lesson.schedule(0.002, 0.8)
    assert [round(eta(e), 6) for e in range(3)] == [0.002, 0.0016, 0.00128]
    rng = np.random.default_rng(0)
    X = rng.uniform(0.1, 1, (50, 1, 28, 28)).astype(np.float32)
    moved = lesson.shift_images(X, np.random.default_rng(1))
    assert moved.shape == X.shape and moved.dtype == X.dtype
    for a, b in zip(X[:, 0], moved[:, 0]):  # each is the picture moved by at most 1 pixel each way
        assert any(np.array_equal(images.shift(a, dy, dx), b) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def test_the_cnn_learns_on_the_shared_loop():
    rng = np.random.default_rng(3)
    X = np.zeros((600, 1, 28, 28), np.float32)  # three classes: a bar across, a bar down, a square
    y = np.arange(600) % 3
    for i, label in enumerate(y):
        r, c = rng.integers(4, 20, 2)
        if label == 0:
            X[i, 0, r, 2:26] = 1
        elif label == 1:
            X[i, 0, 2:26, c] = 1
        else:
            X[i, 0, r : r + 6, c : c + 6] = 1
    model = Sequential(lesson.cnn(filters=(4, 8), rng=0).layers[:-1] + [Dense(128, 3, rng=0)], input_shape=(1, 28, 28))
    history = train(model, (X, y), 2, 32, 0.003, optimizer="adam", schedule=lesson.schedule(0.003, 0.8),
                    augment=lesson.shift_images, test_data=(X, y), rng=np.random.default_rng(1))
    assert history["test_accuracy"][-1] > 0.9 and history["training_cost"][-1] < history["training_cost"][0]


def test_reads_rows_gives_the_cnn_rows_of_784():
    model = lesson.cnn(filters=(2, 4), rng=0)
    X = np.random.default_rng(0).uniform(0, 1, (7, 784)).astype(np.float32)
    assert np.array_equal(lesson.ReadsRows(model).predict(X), model.predict(X.reshape(-1, 1, 28, 28)))
    assert handwriting.accuracy_under(lesson.ReadsRows(model), X, np.zeros(7, int), lambda Z: Z) >= 0


# ----------------------------------------------------------------- the dense network's waste


def test_ink_frequency_and_the_ink_on_rare_pixels():
    X = np.zeros((4, 28, 28))
    X[:, 10:14, 10:14] = 1.0       # every digit inks the middle
    X[0, 0, 0] = 1.0               # one digit in four inks a corner
    frequency = lesson.ink_frequency(X.reshape(4, 784))
    assert frequency[12, 12] == 1 and frequency[0, 0] == 0.25 and frequency[27, 27] == 0
    moved = np.zeros((1, 28, 28))
    moved[0, 24:28, 24:28] = 1.0   # all its ink where no digit had any
    assert lesson.ink_on_rare_pixels(moved, frequency) == 1.0
    assert lesson.ink_on_rare_pixels(X[1:], frequency) == 0.0
    assert lesson.ink_on_rare_pixels(X[:1], frequency, rare=0.3) == pytest.approx(1 / 17)


# ----------------------------------------------------------------- the exercises' references


def test_correlate_is_conv2d_and_agrees_with_loops():
    rng = np.random.default_rng(0)
    for shape, k in [((4, 4), 2), ((7, 9), 3), ((10, 8), 5), ((5, 5), 5)]:
        image, kernel = rng.normal(size=shape), rng.normal(size=(k, k))
        assert np.allclose(lesson.correlate(image, kernel), loops_correlate(image, kernel), atol=1e-12)


def test_output_size_counts_windows_and_matches_the_layers():
    for n in range(1, 40):
        for k in range(1, 8):
            for stride in (1, 2, 3):
                for padding in (0, 1, 2):
                    if n + 2 * padding >= k:
                        assert lesson.output_size(n, k, stride, padding) == lesson.window_count(n, k, stride, padding)
    assert Conv2D(1, 1, 5, rng=0).output_shape((1, 28, 20))[1:] == (lesson.output_size(28, 5), lesson.output_size(20, 5))
    assert MaxPool2D(2).output_shape((3, 9, 24))[1:] == (lesson.output_size(9, 2, 2), lesson.output_size(24, 2, 2))


def test_maxpool_backward_is_maxpool2d_and_agrees_with_loops():
    rng = np.random.default_rng(1)
    cases = [np.maximum(rng.normal(size=(6, 6)), 0), rng.normal(size=(4, 8)), np.zeros((2, 2)),
             np.array([[1.0, 2.0], [2.0, 1.0]])]
    for x in cases:
        g = rng.normal(size=(x.shape[0] // 2, x.shape[1] // 2))
        assert np.array_equal(lesson.maxpool_backward(x, g), loops_maxpool_backward(x, g))


# ----------------------------------------------------------------- the checks


def test_correlate_check_praises_loops_and_names_the_slips(capsys):
    check.correlate_loops(loops_correlate)
    assert "correct on all" in capsys.readouterr().out
    slips = {
        "flipped the kernel": lambda image, kernel: loops_correlate(image, kernel[::-1, ::-1]),
        "turned on its side": lambda image, kernel: loops_correlate(image, kernel.T),
        "one row and one column short": lambda image, kernel: loops_correlate(image, kernel)[:-1, :-1],
        "image's own size": lambda image, kernel: loops_correlate(
            np.pad(image, ((kernel.shape[0] // 2, (kernel.shape[0] - 1) // 2),) * 2), kernel),
    }
    for message, slip in slips.items():
        with pytest.raises(ExerciseFailed, match=message):
            check.correlate_loops(slip)
    with pytest.raises(ExerciseFailed):
        check.correlate_loops(lambda image, kernel: np.zeros((image.shape[0] - kernel.shape[0] + 1,) * 2))

    def in_place(image, kernel):
        out = loops_correlate(image, kernel)
        image[...] = 0
        return out
    with pytest.raises(ExerciseFailed, match="changed the array `image`"):
        check.correlate_loops(in_place)
    assert check.correlate_loops(lambda image, kernel: (_ for _ in ()).throw(NotImplementedError())) is None
    assert "raise NotImplementedError" in capsys.readouterr().out


def test_output_size_check_praises_the_formula_and_names_the_slips(capsys):
    check.output_size(lambda n, k, stride=1, padding=0: (n + 2 * padding - k) // stride + 1)
    assert "correct on all" in capsys.readouterr().out
    slips = {
        "one short": lambda n, k, stride=1, padding=0: (n + 2 * padding - k) // stride,
        "both": lambda n, k, stride=1, padding=0: (n + padding - k) // stride + 1,
        "now use stride and padding": lambda n, k, stride=1, padding=0: n - k + 1,
        "floor": lambda n, k, stride=1, padding=0: (n + 2 * padding - k) / stride + 1,
        "needs k pixels": lambda n, k, stride=1, padding=0: (n + 2 * padding) // stride,
    }
    for message, slip in slips.items():
        with pytest.raises(ExerciseFailed, match=message):
            check.output_size(slip)


def test_maxpool_check_praises_loops_and_names_the_slips(capsys):
    check.maxpool_backward(loops_maxpool_backward)
    assert "correct on all" in capsys.readouterr().out
    up = lambda a: np.kron(a, np.ones((2, 2)))  # noqa: E731

    def largest(x):
        return up(x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3)))

    def last_of_ties(x, g):
        return loops_maxpool_backward(x[::-1, ::-1], g[::-1, ::-1])[::-1, ::-1]

    slips = {
        "average": lambda x, g: up(g) / 4,
        "went to all four": lambda x, g: up(g),
        "both got the gradient": lambda x, g: up(g) * (x == largest(x)),
        "went to the last": last_of_ties,
        "they got 1": lambda x, g: loops_maxpool_backward(x, np.ones_like(g)),
        "pixel's own value": lambda x, g: loops_maxpool_backward(x, np.ones_like(g)) * x,
    }
    for message, slip in slips.items():
        with pytest.raises(ExerciseFailed, match=message):
            check.maxpool_backward(slip)

    def in_place(x, g):
        out = loops_maxpool_backward(x, g)
        x[...] = 0
        return out
    with pytest.raises(ExerciseFailed, match="changed the array `x`"):
        check.maxpool_backward(in_place)


# ----------------------------------------------------------------- pictures and the reader


def test_feature_maps_follow_the_layers_to_the_logits():
    model = lesson.cnn(rng=0)
    digit = np.random.default_rng(0).uniform(0, 1, 784).astype(np.float32)
    layers = lesson.feature_maps(model, digit)
    assert [a.shape for _, a in layers] == [shape for _, shape, _ in lesson.layer_table(model)]
    assert np.allclose(layers[-1][1], model.logits(digit.reshape(1, 1, 28, 28))[0], atol=1e-5)
    assert layers[1][1].min() >= 0  # after the ReLU


def test_the_pictures_draw_into_the_figures_they_are_given():
    model = lesson.cnn(rng=0)
    fig = Figure()
    assert lesson.draw_filters(fig, model.layers[0].w) is fig and len(fig.axes) == 16
    fig = Figure()
    maps = lesson.feature_maps(model, np.zeros(784, np.float32))[1][1]
    assert lesson.draw_feature_maps(fig, np.zeros(784), maps, n=8) is fig and len(fig.axes) == 9
    fig = Figure()
    reading = lesson.read_drawing(model, handwriting.EXAMPLE_STROKES)
    assert lesson.draw_drawing_reading(fig, reading) is fig and len(fig.axes) == 10
    fig = Figure()
    lesson.draw_drawing_reading(fig, lesson.read_drawing(model, []))  # the empty canvas draws too
    assert plt.get_fignums() == []


def test_read_drawing_reads_refuses_and_says_why():
    model = lesson.cnn(rng=0)
    reading = lesson.read_drawing(model, handwriting.EXAMPLE_STROKES)
    assert reading["digit"] in range(10) and reading["probabilities"].sum() == pytest.approx(1, abs=1e-5)
    assert reading["maps"].shape == (16, 24, 24) and reading["picture"].shape == (28, 28)
    assert f"reads a{'n' if reading['digit'] == 8 else ''} {reading['digit']}" in reading["message"]
    empty = lesson.read_drawing(model, [])
    assert empty["digit"] is None and "empty" in empty["message"]
    with pytest.raises(ValueError, match="Sequential that takes images"):
        lesson.read_drawing(Sequential([Dense(784, 10)]), [])
    with pytest.raises(ValueError, match="strokes must be a list"):
        lesson.read_drawing(model, "a 7")


def test_junk_strokes_from_the_browser_are_dropped_not_fatal():
    model = lesson.cnn(rng=0)
    junk = [[["a", 1], None, [float("nan"), 3], [float("inf"), 2], [1]], "stroke", [{"x": 1}]]
    assert lesson.read_drawing(model, junk)["digit"] is None  # nothing left: "the canvas is empty"
    mixed = [list(map(list, s)) + [[float("nan"), 0], None] for s in handwriting.EXAMPLE_STROKES]
    assert lesson.read_drawing(model, mixed)["digit"] == lesson.read_drawing(model, handwriting.EXAMPLE_STROKES)["digit"]
    with pytest.raises(ValueError, match="strokes must be a list"):
        lesson.read_drawing(model, {"strokes": []})


def test_the_cnn_reader_redraws_as_the_strokes_change():
    from helpers.widgets.convolutions import CnnReader

    model = lesson.cnn(rng=0)
    reader = CnnReader(model)
    assert reader.reading["digit"] is None and "empty" in reader.status.value
    first = reader.picture.image.value
    reader.canvas.strokes = [list(map(list, s)) for s in handwriting.EXAMPLE_STROKES]
    assert reader.reading["digit"] in range(10) and reader.picture.image.value != first
    assert png_size(reader.picture.image.value)
    reader.clear.click()
    assert reader.reading["digit"] is None
    with pytest.raises(ValueError, match="Sequential that takes images"):
        CnnReader(object())


# ----------------------------------------------------------------- PyTorch, when installed


@pytest.mark.skipif(not framework_style.torch_available(), reason="PyTorch is not installed (pip install torch)")
def test_the_torch_twin_gives_the_same_logits():
    model = lesson.cnn(filters=(4, 8), rng=0)
    X = np.random.default_rng(0).uniform(0, 1, (128, 784)).astype(np.float32)
    timing = lesson.time_one_pass(model, X, np.arange(128) % 10)
    assert timing["difference"] < 1e-4 and timing["ours"] > 0 and timing["torch"] > 0
