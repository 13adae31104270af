"""Notebook 11, "Toward deep learning: convolutions": the convolutional network it trains,
the measurements that show why a dense network wastes its weights on a shifted digit,
the references of its exercises (computed by the engine's layers), and its pictures:
the learned filters, the feature maps of a digit, and a drawing read by the CNN.

The layers themselves (``Conv2D``, ``MaxPool2D``, ``Flatten``) are engine code, in
``helpers.layers``; this module only puts them together and looks inside them.
"""

from __future__ import annotations

import time

import numpy as np

from helpers import images
from helpers.layers import Activation, Conv2D, Dense, Flatten, MaxPool2D, Sequential
from helpers.lessons import your_own_handwriting as handwriting
from helpers.plots import PALETTE, style

IMAGE = (1, 28, 28)  # one digit as the CNN takes it: 1 channel of 28 x 28 pixels (NCHW, examples first)
FILTERS = (16, 32)  # the two convolutions' numbers of filters
KERNEL = 5  # each filter is 5 x 5 (times the channels it reads)
ETA, DECAY = 0.003, 0.4  # Adam's eta in epoch 0, and its factor per epoch after that: 0.003, 0.0012, 0.00048
EPOCHS = 3  # passes over the 60,000 training digits
MAX_SHIFT = 1  # the training digits are shifted by up to this many pixels each way, fresh every time


def cnn(filters=FILTERS, k: int = KERNEL, rng=None, dtype=np.float32) -> Sequential:
    """The notebook's network: two rounds of convolution, ReLU and 2 x 2 max pooling, then
    one Dense layer from the last feature maps to the ten logits (Nielsen's chapter 6
    network, without its hidden Dense layer). 28 x 28 -> 16 maps of 24 x 24 -> 12 x 12 ->
    32 maps of 8 x 8 -> 4 x 4 -> 512 numbers -> 10 logits."""
    c1, c2 = filters
    side = ((28 - k + 1) // 2 - k + 1) // 2
    return Sequential([Conv2D(1, c1, k, rng=rng), Activation("relu"), MaxPool2D(2),
                       Conv2D(c1, c2, k, rng=rng), Activation("relu"), MaxPool2D(2),
                       Flatten(), Dense(c2 * side * side, 10, rng=rng)], input_shape=IMAGE, dtype=dtype)


def schedule(eta: float = ETA, decay: float = DECAY):
    """Adam's eta for each epoch: eta, eta * decay, eta * decay^2, ... (smaller steps as the
    network settles)."""
    return lambda epoch: eta * decay**epoch


def shift_images(X: np.ndarray, rng: np.random.Generator, max_shift: int = MAX_SHIFT) -> np.ndarray:
    """Each image of the stack X (m, 1, 28, 28) moved by up to ``max_shift`` pixels each way
    (``images.random_shift``, which takes rows of 784): the training loop's ``augment``."""
    return images.random_shift(X.reshape(len(X), -1), rng, max_shift=max_shift).reshape(X.shape)


def as_images(X) -> np.ndarray:
    """Digits as rows of 784 (or 28 x 28 pictures) -> the stack (m, 1, 28, 28) a CNN takes."""
    return np.asarray(X).reshape(-1, *IMAGE)


class ReadsRows:
    """A CNN that answers for digits given as rows of 784 pixels, as notebook 09's
    robustness functions (``lessons.your_own_handwriting.sweep``) hand them over."""

    def __init__(self, model: Sequential):
        self.model = model

    def predict(self, X) -> np.ndarray:
        return self.model.predict(as_images(X))


def layer_table(model: Sequential) -> list[tuple[str, tuple, int]]:
    """For each layer: its name, the shape of one example's output and its parameters."""
    rows, shape = [], model.input_shape
    for layer in model.layers:
        shape = layer.output_shape(shape)
        rows.append((repr(layer), shape, sum(p.size for p in layer.params)))
    return rows


# ---------------------------------------------------------------------------------------
# Why a dense network wastes its weights on a shifted digit
# ---------------------------------------------------------------------------------------


def ink_frequency(X) -> np.ndarray:
    """For each of the 28 x 28 pixels, the fraction of the digits X with ink there (> 0)."""
    return (np.asarray(X).reshape(-1, 28, 28) > 0).mean(axis=0)


def ink_on_rare_pixels(X, frequency: np.ndarray, rare: float = 0.01) -> float:
    """The share of the digits' ink (summed over all of X) that falls on pixels where fewer
    than ``rare`` of the training digits have ink: pixels whose weights training barely moved."""
    X = np.asarray(X).reshape(-1, 28, 28)
    return float(X[:, frequency < rare].sum() / X.sum())


# ---------------------------------------------------------------------------------------
# The exercises' references, computed by the engine's layers
# ---------------------------------------------------------------------------------------


def correlate(image, kernel) -> np.ndarray:
    """The cross-correlation of one picture (H, W) with one filter (k, k), no padding,
    stride 1, as ``Conv2D`` computes it (im2col): out[i, j] = sum_pq kernel[p, q] image[i + p, j + q].
    Shape (H - k + 1, W - k + 1)."""
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    layer = Conv2D(1, 1, kernel.shape[0], dtype=np.float64, rng=0)
    layer.w = kernel.reshape(1, 1, *kernel.shape)
    return layer.forward(image[None, None])[0, 0]


def output_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """How many positions a k-wide window takes along n pixels padded with ``padding`` zeros
    on each side and moved ``stride`` pixels at a time: (n + 2 padding - k) // stride + 1
    (PyTorch's ``nn.Conv2d`` and ``nn.MaxPool2d`` documentation)."""
    return (n + 2 * padding - k) // stride + 1


def window_count(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """The same number, counted instead of computed: lay the windows along a padded row."""
    return len(range(0, n + 2 * padding - k + 1, stride))


def maxpool_backward(x, g, size: int = 2) -> np.ndarray:
    """The gradient that ``MaxPool2D(size)`` sends back to its input x (H, W), given the
    gradient g (H // size, W // size) of its output: each g goes to its window's largest pixel."""
    x, g = np.asarray(x, dtype=np.float64), np.asarray(g, dtype=np.float64)
    pool = MaxPool2D(size)
    pool.forward(x[None, None])
    return pool.backward(g[None, None])[0, 0]


# ---------------------------------------------------------------------------------------
# Looking inside: filters and feature maps
# ---------------------------------------------------------------------------------------


def feature_maps(model: Sequential, image) -> list[tuple[str, np.ndarray]]:
    """What each layer makes of one digit (784 pixels or 28 x 28): (the layer's name, its
    output for that digit), first layer first. The model's Dropout layers would pass it through."""
    A = as_images(image)[:1].astype(model.dtype)
    out = []
    with model.evaluating():
        for layer in model.layers:
            A = layer.forward(A)
            out.append((repr(layer), A[0].copy()))
    return out


def draw_filters(fig, w: np.ndarray, title: str = "The first layer's filters"):
    """The filters w (c_out, 1, k, k) as small pictures, each on its own symmetric scale
    (orange: positive weights, blue: negative), in two rows."""
    w = np.asarray(w)[:, 0]
    cols = int(np.ceil(len(w) / 2))
    axes = fig.subplots(2, cols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(w):
            ax.set_axis_off()
            continue
        r = float(np.abs(w[i]).max()) or 1.0
        ax.imshow(w[i], cmap="PuOr_r", vmin=-r, vmax=r)
        ax.set_title(f"filter {i}", fontsize=8)
    fig.suptitle(title + " (orange: weight > 0, purple: weight < 0)", fontsize=10)
    return fig


def draw_feature_maps(fig, image, maps: np.ndarray, title: str = "Feature maps", n: int = 8):
    """The digit, then the first ``n`` feature maps (one layer's output for it), each a
    grey picture from 0 (white) to its largest value (black)."""
    maps = np.asarray(maps)[:n]
    axes = fig.subplots(1, len(maps) + 1)
    axes[0].imshow(np.asarray(image).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    axes[0].set_title("the digit\n28 x 28", fontsize=8)
    for i, (ax, m) in enumerate(zip(axes[1:], maps)):
        ax.imshow(m, cmap="gray_r", vmin=0, vmax=max(float(m.max()), 1e-6))
        ax.set_title(f"map {i}\n{m.shape[0]} x {m.shape[1]}", fontsize=8)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title, fontsize=10)
    return fig


# ---------------------------------------------------------------------------------------
# A drawing, read by the CNN (the canvas of notebook 09)
# ---------------------------------------------------------------------------------------


def read_drawing(model: Sequential, strokes) -> dict:
    """What the CNN makes of a drawing (strokes as on notebook 09's canvas): a dict with
    "digit" (None when there is none), "probabilities" (the softmax of the ten logits),
    "picture" (the 28 x 28 input after MNIST-style preprocessing), "maps" (the first
    convolution's feature maps after ReLU) and "message"."""
    if not isinstance(model, Sequential) or model.input_shape != IMAGE:
        raise ValueError(f"model must be a Sequential that takes images of shape {IMAGE}, such as lesson.cnn(); "
                         f"got {type(model).__name__}")
    if strokes is not None and not isinstance(strokes, list | tuple):
        raise ValueError(f"strokes must be a list of strokes, each a list of [x, y] points; got {type(strokes).__name__}")
    empty = {"digit": None, "probabilities": None, "picture": None, "maps": None}
    if not handwriting.clean_strokes(strokes):
        return {**empty, "message": "the canvas is empty: draw a digit"}
    try:
        picture = images.preprocess_steps(handwriting.strokes_to_image(strokes))["centred"]
    except ValueError as err:
        return {**empty, "message": str(err)}
    layers = feature_maps(model, picture)
    probabilities = model.probabilities(as_images(picture))[0]
    digit = int(np.argmax(probabilities))
    return {"digit": digit, "probabilities": probabilities, "picture": picture, "maps": layers[1][1],
            "message": f"the CNN reads {'an' if digit == 8 else 'a'} {digit} (probability {probabilities[digit]:.2f})"}


def draw_drawing_reading(fig, reading: dict, title: str = "What the CNN reads", n_maps: int = 8):
    """The CNN's input, its ten probabilities (the answer hatched) and the first feature maps."""
    grid = fig.add_gridspec(2, max(n_maps // 2, 1) + 2, width_ratios=[2, 3] + [1] * max(n_maps // 2, 1))
    ax_in, ax_out = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[:, 1])
    picture = reading.get("picture")
    ax_in.imshow(np.zeros((28, 28)) if picture is None else picture, cmap="gray_r", vmin=0, vmax=1)
    ax_in.set_title("the CNN's input\n(28 x 28)", fontsize=8)
    ax_in.set_xticks([])
    ax_in.set_yticks([])
    p = reading.get("probabilities")
    digits = np.arange(10)
    if p is None:
        ax_out.bar(digits, np.zeros(10), color=PALETTE["blue"])
        ax_out.text(4.5, 0.5, "no answer", ha="center", va="center", fontsize=11)
    else:
        bars = ax_out.bar(digits, p, color=PALETTE["blue"], edgecolor="black", linewidth=0.5)
        bars[int(np.argmax(p))].set_color(PALETTE["orange"])
        bars[int(np.argmax(p))].set_edgecolor("black")
        bars[int(np.argmax(p))].set_hatch("//")
    ax_out.set_xticks(digits)
    ax_out.set_ylim(0, 1.05)
    style(ax_out, reading["message"], "digit", "probability", title_size=8)
    maps = reading.get("maps")
    for i in range(n_maps):
        ax = fig.add_subplot(grid[i % 2, 2 + i // 2])
        if maps is not None and i < len(maps):
            ax.imshow(maps[i], cmap="gray_r", vmin=0, vmax=max(float(maps[i].max()), 1e-6))
        ax.set_title(f"map {i}", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title, fontsize=10)
    return fig


# ---------------------------------------------------------------------------------------
# The same network in PyTorch, when it is installed
# ---------------------------------------------------------------------------------------


def torch_cnn(model: Sequential):
    """The same layers in PyTorch (``nn.Conv2d``, ``nn.ReLU``, ``nn.MaxPool2d``, ``nn.Flatten``,
    ``nn.Linear``) with ``model``'s weights copied in. Needs torch."""
    import torch
    from torch import nn

    parts = []
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            part = nn.Conv2d(layer.c_in, layer.c_out, layer.k)
        elif isinstance(layer, Dense):
            part = nn.Linear(layer.n_in, layer.n_out)
        elif isinstance(layer, MaxPool2D):
            part = nn.MaxPool2d(layer.size)
        elif isinstance(layer, Flatten):
            part = nn.Flatten()
        elif isinstance(layer, Activation) and layer.activation.name == "relu":
            part = nn.ReLU()
        else:
            raise ValueError(f"no PyTorch twin for {layer!r} here")
        if layer.params:
            with torch.no_grad():
                part.weight.copy_(torch.from_numpy(np.asarray(layer.w, dtype=np.float32)))
                part.bias.copy_(torch.from_numpy(np.asarray(layer.b, dtype=np.float32)))
        parts.append(part)
    return nn.Sequential(*parts)


def time_one_pass(model: Sequential, X, y, mini_batch_size: int = 64) -> dict:
    """Seconds for one pass of gradient computations over X (no update: the layers' work
    only), here and, with torch installed, in PyTorch; and the largest difference of their
    logits on the first 100 digits."""
    X, y = as_images(X).astype(np.float32), np.asarray(y)
    Y = np.eye(10, dtype=np.float32)[y]
    start = time.perf_counter()
    for k in range(0, len(X), mini_batch_size):
        model.grads(X[k : k + mini_batch_size], Y[k : k + mini_batch_size])
    ours = time.perf_counter() - start
    import torch

    twin = torch_cnn(model)
    loss = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    start = time.perf_counter()
    for k in range(0, len(X), mini_batch_size):
        twin.zero_grad()
        loss(twin(Xt[k : k + mini_batch_size]), yt[k : k + mini_batch_size]).backward()
    theirs = time.perf_counter() - start
    with torch.no_grad():
        difference = float(np.abs(twin(Xt[:100]).numpy() - model.logits(X[:100])).max())
    return {"ours": ours, "torch": theirs, "difference": difference}
