"""Self-checks for the exercises of notebook 11, "Toward deep learning: convolutions".

Each reference is the engine's own layer (``lessons.convolutions.correlate`` runs ``Conv2D``,
``maxpool_backward`` runs ``MaxPool2D``) or an independent count (``window_count``), so a
learner's loop is checked against the vectorised code the network trains with."""

from __future__ import annotations

import numpy as np

from helpers.checks import ExerciseFailed, Hint, check_function, kindly_all, recipe, solution  # noqa: F401
from helpers.lessons import convolutions as lesson

# ----------------------------------------------------------------- Exercise 1: a convolution with loops

CORRELATE_HINT = Hint(
    "correlate_loops",
    "make an array of zeros of the output's shape, (H - k + 1, W - k + 1); then for each output position "
    "(i, j) take the k x k window of the image that starts at row i, column j, multiply it by the kernel "
    "pixel by pixel and add everything up.",
    "H, W = image.shape; k = kernel.shape[0]; out = np.zeros((H - k + 1, W - k + 1)); "
    "for i in range(H - k + 1): for j in range(W - k + 1): out[i, j] = np.sum(image[i : i + k, j : j + k] * kernel); "
    "return out.",
    step="two loops over the output, i over H - k + 1 rows and j over W - k + 1 columns: "
         "out[i, j] = np.sum(image[i : i + k, j : j + k] * kernel).",
)


def _correlate_cases() -> list[dict]:
    rng = np.random.default_rng(11)
    edge = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # a vertical-edge detector
    step = np.zeros((5, 6))
    step[:, 3:] = 1.0
    return [
        {"image": np.arange(16.0).reshape(4, 4), "kernel": np.array([[1.0, 2.0], [0.0, -1.0]])},
        {"image": step, "kernel": edge},
        {"image": rng.normal(0, 1, (7, 9)), "kernel": rng.normal(0, 1, (3, 3))},  # not square: rows and columns differ
        {"image": rng.uniform(0, 1, (10, 8)), "kernel": rng.normal(0, 1, (5, 5))},
        {"image": rng.normal(0, 1, (3, 3)), "kernel": rng.normal(0, 1, (3, 3))},  # one window: one number
    ]


def _padded_same(image, kernel):
    k = kernel.shape[0]
    return lesson.correlate(np.pad(image, ((k // 2, (k - 1) // 2), (k // 2, (k - 1) // 2))), kernel)




def correlate_loops(learner) -> None:
    """Exercise 1: ``correlate_loops(image, kernel)``, written with loops, against ``Conv2D``."""
    check_function(
        learner, lesson.correlate, _correlate_cases(), name="correlate_loops", hint=CORRELATE_HINT,
        slips=[
        (lambda image, kernel: lesson.correlate(image, kernel[::-1, ::-1]),
         "you flipped the kernel: that is the convolution of a mathematics textbook. A network's layer (ours, "
         "PyTorch's, Keras') multiplies kernel[p, q] with image[i + p, j + q], without flipping: a cross-correlation."),
        (lambda image, kernel: lesson.correlate(image, kernel.T),
         "the kernel is turned on its side (transposed): kernel[p, q] goes with image[i + p, j + q], p down the rows "
         "and q along the columns."),
        (lambda image, kernel: lesson.correlate(image, kernel)[:-1, :-1],
         "one row and one column short: a k-wide window fits in H - k + 1 places along H pixels, "
         "not H - k (with H = k it still fits once). range(H - k + 1)."),
        (_padded_same,
         "your output has the image's own size: you padded the image (or let windows run over its edge). This "
         "layer has no padding: the output is (H - k + 1) x (W - k + 1)."),
        ],
        unchanged=("image", "kernel"),
        changed_hint="Leave the image and the kernel as they were: make a new array for the output.",
        atol=1e-9, rtol=1e-9,
    )


# ----------------------------------------------------------------- Exercise 2: a layer's output size

OUTPUT_SIZE_HINT = Hint(
    "output_size",
    "pad first: the row is n + 2 padding pixels long. A window of k pixels can start at 0, stride, 2 stride, "
    "... as long as it still fits: how many starting places is that?",
    "return (n + 2 * padding - k) // stride + 1",
    step="the last start that fits is n + 2 padding - k; the starts are 0, stride, 2 stride, ... up to it: "
         "(n + 2 * padding - k) // stride of them after the first, so add 1. Use // (whole numbers).",
)


def _output_size_cases() -> list[dict]:
    return [
        {"n": 28, "k": 5, "stride": 1, "padding": 0},   # the first convolution
        {"n": 24, "k": 2, "stride": 2, "padding": 0},   # the first max-pool
        {"n": 12, "k": 5, "stride": 1, "padding": 0},
        {"n": 8, "k": 2, "stride": 2, "padding": 0},
        {"n": 5, "k": 5, "stride": 1, "padding": 0},    # the window fits exactly once
        {"n": 10, "k": 3, "stride": 1, "padding": 2},   # padding on both sides
        {"n": 28, "k": 3, "stride": 1, "padding": 1},   # "same" padding keeps the size
        {"n": 28, "k": 5, "stride": 2, "padding": 2},
        {"n": 7, "k": 3, "stride": 2, "padding": 0},
        {"n": 32, "k": 3, "stride": 2, "padding": 1},
        {"n": 9, "k": 2, "stride": 2, "padding": 0},    # a leftover pixel is dropped
    ]




def output_size(learner) -> None:
    """Exercise 2: ``output_size(n, k, stride, padding)``, against counting the windows."""
    check_function(
        learner, lesson.window_count, _output_size_cases(), name="output_size", hint=OUTPUT_SIZE_HINT,
        slips=[
        (lambda n, k, stride=1, padding=0: (n + 2 * padding - k) // stride,
         "one short: the window's first place is at 0, then (n + 2 padding - k) // stride more. With n = k it fits "
         "once, not zero times: add 1."),
        (lambda n, k, stride=1, padding=0: (n + padding - k) // stride + 1,
         "padding goes on *both* sides of the row: it is n + 2 * padding pixels long."),
        (lambda n, k, stride=1, padding=0: n - k + 1,
         "right for stride 1 without padding; now use stride and padding too: (n + 2 * padding - k) // stride + 1."),
        (lambda n, k, stride=1, padding=0: (n + 2 * padding - k) / stride + 1,
         "a number of windows is a whole number: a window that does not fit is left out, so use // (floor "
         "division), not /."),
        (lambda n, k, stride=1, padding=0: (n + 2 * padding) // stride,
         "that counts steps of the stride along the row, but a window needs k pixels to fit: the last start "
         "is at n + 2 padding - k."),
        ],
        atol=0, rtol=0,
    )


# ----------------------------------------------------------------- Exercise 3: max-pool's backward pass

MAXPOOL_HINT = Hint(
    "maxpool_backward",
    "only the largest pixel of each 2 x 2 window made it to the output, so only it gets that window's "
    "gradient; the other three get 0. Start from np.zeros_like(x) and visit the windows.",
    "dx = np.zeros_like(x, dtype=float); for i in range(x.shape[0] // 2): for j in range(x.shape[1] // 2): "
    "window = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]; p, q = np.unravel_index(np.argmax(window), (2, 2)); "
    "dx[2 * i + p, 2 * j + q] = g[i, j]; return dx.",
    step="for window (i, j), x[2i : 2i + 2, 2j : 2j + 2]: np.argmax of it gives the first largest pixel in "
         "reading order (np.unravel_index turns it into (p, q)); put g[i, j] at dx[2i + p, 2j + q].",
)


def _maxpool_cases() -> list[dict]:
    rng = np.random.default_rng(13)
    relu_out = np.maximum(rng.normal(0, 1, (6, 6)), 0)  # after a ReLU: windows of zeros, so ties
    return [
        {"x": np.array([[1.0, 3.0], [2.0, 0.0]]), "g": np.array([[5.0]])},
        {"x": np.array([[1.0, 2.0, 9.0, 4.0], [8.0, 0.0, 5.0, 6.0], [-1.0, -3.0, 7.0, 7.5], [-2.0, -0.5, 1.0, 0.0]]),
         "g": np.array([[1.0, -2.0], [3.0, 0.5]])},
        {"x": np.array([[1.0, 2.0], [2.0, 1.0]]), "g": np.array([[3.0]])},  # a tie: the first in reading order
        {"x": np.array([[0.0, 0.0], [0.0, 0.0]]), "g": np.array([[4.0]])},  # four zeros, as after a ReLU
        {"x": relu_out, "g": rng.normal(0, 1, (3, 3))},
        {"x": rng.normal(0, 1, (4, 8)), "g": rng.normal(0, 1, (2, 4))},
    ]


def _upsampled(a) -> np.ndarray:
    return np.kron(np.asarray(a, dtype=float), np.ones((2, 2)))


def _largest(x) -> np.ndarray:
    """Each window's largest value, copied to its four pixels."""
    x = np.asarray(x, dtype=float)
    h, w = x.shape[0] // 2, x.shape[1] // 2
    return _upsampled(x.reshape(h, 2, w, 2).max(axis=(1, 3)))


def _last_of_ties(x, g) -> np.ndarray:
    flipped = lesson.maxpool_backward(np.asarray(x)[::-1, ::-1], np.asarray(g)[::-1, ::-1])
    return flipped[::-1, ::-1]




def maxpool_backward(learner) -> None:
    """Exercise 3: ``maxpool_backward(x, g)`` for 2 x 2 windows, against ``MaxPool2D.backward``."""
    check_function(
        learner, lesson.maxpool_backward, _maxpool_cases(), name="maxpool_backward", hint=MAXPOOL_HINT,
        slips=[
        (lambda x, g: _upsampled(g) / 4,
         "you shared each window's gradient equally among its four pixels: that is the backward pass of "
         "*average* pooling. Max-pooling's output is only the largest pixel, so only that pixel gets g[i, j]."),
        (lambda x, g: _upsampled(g),
         "each g[i, j] went to all four pixels of its window. Only the largest one changed the output: the "
         "other three get 0."),
        (lambda x, g: _upsampled(g) * (x == _largest(x)),
         "right, except for ties: where two pixels of a window share the largest value, both got the gradient, "
         "so the window passes it on twice. Give it to one of them only, the first in reading order (np.argmax's choice)."),
        (_last_of_ties,
         "right, except for ties: the course (and np.argmax) give the gradient to the *first* largest pixel in "
         "reading order, row by row; yours went to the last."),
        (lambda x, g: lesson.maxpool_backward(x, np.ones_like(g)),
         "the right pixels, but they got 1: multiply by the window's gradient g[i, j] (the chain rule: the "
         "output is that pixel, so dC/dpixel = dC/doutput)."),
        (lambda x, g: lesson.maxpool_backward(x, np.ones_like(g)) * x,
         "the right pixels, but they got the pixel's own value: a window's output *is* that pixel, so its "
         "gradient is g[i, j], passed on as it is."),
        ],
        unchanged=("x", "g"),
        changed_hint="Leave x and g as they were (the layer keeps x for later): start from "
        "np.zeros_like(x) and fill that.",
        atol=1e-12, rtol=1e-12,
    )


__all__ = ["correlate_loops", "output_size", "maxpool_backward", "ExerciseFailed"]


kindly_all(globals())
