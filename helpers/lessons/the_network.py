"""Looking inside a network (notebook 04, "The network").

Plain functions that count a network's parameters, encode the wanted outputs, pick out
what one hidden neuron (hidden unit) "looks for", and draw the layers. They only *read*
a network; the network itself lives in ``helpers.network``.

Layers are numbered from 0, as everywhere in the course: the input layer is layer 0,
the output layer is layer L. The weights w^l and biases b^l *into* layer l are
``net.weights[l - 1]`` and ``net.biases[l - 1]``; ``w^l`` has one row per neuron of
layer l (Nielsen's convention), so hidden neuron j of a 784-100-10 network listens to
the 784 pixels through row j of w^1, ``net.weights[0][j]``.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
from matplotlib.patches import Circle

from helpers.activations import sigmoid
from helpers.plots import PALETTE, as_image, style
from helpers.training import train

# A diverging colour map for weights: blue for negative, white for 0, red for positive.
# Red/blue stays distinguishable for the common kinds of colour blindness.
WEIGHT_CMAP = "RdBu_r"


# ---------------------------------------------------------------------------------------
# Counting parameters


class LayerCount(NamedTuple):
    """The parameters feeding one layer: ``n_in * n_out`` weights and ``n_out`` biases."""

    n_in: int
    n_out: int
    weights: int
    biases: int

    @property
    def total(self) -> int:
        return self.weights + self.biases


def layer_counts(sizes: Sequence[int]) -> list[LayerCount]:
    """One ``LayerCount`` for each of the layers l = 1, ..., L: the weights w^l and biases
    b^l into layer l. Layer 0, the input, has no parameters."""
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"a network needs at least two layers of at least one neuron each, got sizes {sizes}")
    return [LayerCount(n_in, n_out, n_in * n_out, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def count_parameters(sizes: Sequence[int]) -> int:
    """How many numbers a network with these layer sizes learns: all weights and biases."""
    return sum(layer.total for layer in layer_counts(sizes))


def parameter_table(sizes: Sequence[int]) -> str:
    """A small text table: the weights w^l and biases b^l into each layer l, and the total.

    Layers are numbered from 0 (the input layer, which has no parameters) to L."""
    counts = layer_counts(sizes)
    rows = [f"{'layer l':<24}{'weights w^l':>20}{'biases b^l':>12}{'total':>10}"]
    rows.append(f"{f'0 (input): {counts[0].n_in}':<24}{'-':>20}{'-':>12}{0:>10,}")
    for l, layer in enumerate(counts, start=1):
        kind = "output" if l == len(counts) else "hidden"
        shape = f"{layer.n_out} x {layer.n_in} = {layer.weights:,}"
        name = f"{l} ({kind}): {layer.n_in} -> {layer.n_out}"
        rows.append(f"{name:<24}{shape:>20}{layer.biases:>12,}{layer.total:>10,}")
    rows.append(f"{'all layers':<24}{'':>20}{'':>12}{count_parameters(sizes):>10,}")
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------
# Wanted outputs: one-hot (one neuron per digit) or a 4-bit binary code


def binary_code(labels: np.ndarray, n_bits: int = 4, dtype=np.float32) -> np.ndarray:
    """Each label written in binary, most significant bit first: 5 -> [0, 1, 0, 1]."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"expected a 1-D array of integer labels, got shape {labels.shape} and dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= 2**n_bits):
        raise ValueError(f"{n_bits} bits hold the labels 0..{2**n_bits - 1}, got {labels.min()}..{labels.max()}")
    powers = 2 ** np.arange(n_bits - 1, -1, -1)
    return ((labels[:, None] // powers) % 2).astype(dtype)


def decode_binary(outputs: np.ndarray) -> np.ndarray:
    """Read a 4-bit output back as a number: each output > 0.5 is a 1 bit."""
    outputs = np.asarray(outputs)
    bits = (outputs > 0.5).astype(np.int64)
    powers = 2 ** np.arange(outputs.shape[1] - 1, -1, -1)
    return bits @ powers


def digits_with_bit(bit: int, n_bits: int = 4, digits=range(10)) -> list[int]:
    """The digits whose binary code has a 1 at position ``bit`` (0 = most significant)."""
    return [d for d in digits if binary_code(np.array([d]), n_bits)[0, bit] == 1]


def train_on_targets(net, X: np.ndarray, Y: np.ndarray, epochs: int, mini_batch_size: int, eta: float,
                     rng: np.random.Generator) -> dict:
    """Plain mini-batch SGD towards any target rows ``Y`` (e.g. 4-bit codes); returns the history.

    ``Network.SGD`` insists on one-hot targets (a good check for the rest of the course),
    so to try another output code we call the course's training loop with
    ``one_hot=False``. Notebook 05 explains what one step does.
    """
    return train(net, (X, Y), epochs, mini_batch_size, eta, rng=rng, one_hot=False)


# ---------------------------------------------------------------------------------------
# Hidden neurons: weight images and the examples that excite them


def hidden_activations(net, X: np.ndarray) -> np.ndarray:
    """Layer 1's (the first hidden layer's) activations A^1 = sigma(X (w^1)^T + b^1): one row per example."""
    activation = getattr(getattr(net, "activation", None), "fn", sigmoid)  # the network's own, else sigmoid
    return activation(np.asarray(X) @ net.weights[0].T + net.biases[0])


def weight_image(net, unit: int) -> np.ndarray:
    """Hidden neuron ``unit``'s 784 incoming weights (row ``unit`` of w^1), as the 28 x 28 picture they weigh."""
    n_hidden = net.weights[0].shape[0]
    if not 0 <= unit < n_hidden:
        raise IndexError(f"hidden neuron {unit} does not exist: this layer has neurons 0..{n_hidden - 1}")
    return as_image(net.weights[0][unit])


def symmetric_limit(values: np.ndarray) -> float:
    """The largest |value|, so a diverging colour map can put 0 exactly in its middle."""
    limit = float(np.max(np.abs(values)))
    return limit if limit > 0 else 1.0


def top_activating(activations: np.ndarray, unit: int, k: int = 8) -> np.ndarray:
    """Indices of the ``k`` examples that make hidden neuron ``unit`` fire most, strongest first."""
    column = np.asarray(activations)[:, unit]
    # argsort of the negated column with a stable sort: ties keep the data's order
    return np.argsort(-column, kind="stable")[:k]


def mean_activation_by_digit(activations: np.ndarray, y: np.ndarray, unit: int, n_classes: int = 10) -> np.ndarray:
    """The average activation of hidden neuron ``unit`` over the examples of each digit."""
    column = np.asarray(activations)[:, unit]
    y = np.asarray(y)
    return np.array([column[y == d].mean() if np.any(y == d) else np.nan for d in range(n_classes)])


class HiddenUnitView(NamedTuple):
    """Everything the hidden-unit browser shows for one neuron."""

    unit: int
    image: np.ndarray  # 28 x 28 incoming weights
    limit: float  # colour scale: -limit (blue) .. 0 (white) .. +limit (red)
    top_indices: np.ndarray  # examples that excite it most
    top_activations: np.ndarray
    digit_means: np.ndarray  # average activation for each digit 0-9

    @property
    def favourite_digit(self) -> int:
        """The digit that activates this neuron most on average."""
        return int(np.nanargmax(self.digit_means))


def hidden_unit_view(net, X: np.ndarray, y: np.ndarray, unit: int, k: int = 8, activations=None) -> HiddenUnitView:
    """Look at hidden neuron ``unit``: its weight image, top examples and digit averages.

    ``activations`` (``hidden_activations(net, X)``) may be passed in when it is already
    known, so a widget that browses 100 neurons computes it only once.
    """
    if activations is None:
        activations = hidden_activations(net, X)
    image = weight_image(net, unit)
    top = top_activating(activations, unit, k)
    return HiddenUnitView(
        unit=int(unit),
        image=image,
        limit=symmetric_limit(image),
        top_indices=top,
        top_activations=np.asarray(activations)[top, unit],
        digit_means=mean_activation_by_digit(activations, y, unit),
    )


# ---------------------------------------------------------------------------------------
# Pictures


def draw_weights(ax, image: np.ndarray, limit: float | None = None, title: str = "", colorbar: bool = True):
    """Draw weights as a picture on ``ax``, with 0 white, positive red and negative blue, on
    the scale -limit..limit (the largest |weight| by default). Returns ``ax``; the picture
    is ``ax.images[0]``, for a colour bar shared by several."""
    image = as_image(image)
    limit = symmetric_limit(image) if limit is None else limit
    shown = ax.imshow(image, cmap=WEIGHT_CMAP, vmin=-limit, vmax=limit)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    if colorbar:
        ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04, label="weight")
    return ax


def draw_weight_grid(fig, net, units: Sequence[int], title: str, ncols: int = 10):
    """The weight images of several hidden neurons on ``fig``, ``ncols`` to a row, on one
    shared colour scale (about 1 inch per image reads well). Returns ``fig``."""
    units = list(units)
    images = np.stack([weight_image(net, j) for j in units])
    limit = symmetric_limit(images)
    nrows = int(np.ceil(len(units) / ncols))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(units):
            draw_weights(ax, images[i], limit=limit, title=f"unit {units[i]}", colorbar=False)
            ax.title.set_fontsize(8)
    fig.suptitle(title)
    fig.colorbar(axes.flat[0].images[0], ax=axes.ravel().tolist(), fraction=0.02, pad=0.02, label="weight")
    return fig


def draw_hidden_unit(fig, view: HiddenUnitView, X: np.ndarray, name: str = ""):
    """One hidden neuron on ``fig`` (10 x 5.2 inches fits): its weight image, its average
    activation per digit, its top examples. The figure's layout becomes "constrained", which
    fits the panels to what they show. Returns ``fig``."""
    k = len(view.top_indices)
    fig.set_layout_engine("constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[3, 1.4])
    ax_w, ax_d = top.subplots(1, 2, width_ratios=[1, 1.6])
    draw_weights(ax_w, view.image, limit=view.limit, title=f"weights into hidden unit {view.unit}")
    digits = np.arange(len(view.digit_means))
    best = view.favourite_digit
    others = digits != best
    ax_d.bar(digits[others], view.digit_means[others], color=PALETTE["sky"], edgecolor=PALETTE["black"])
    ax_d.bar([best], [view.digit_means[best]], color=PALETTE["orange"], edgecolor=PALETTE["black"], hatch="//",
             label=f"highest: digit {best}")
    ax_d.set_xticks(digits)
    ax_d.set_ylim(0, 1.1)
    style(ax_d, "how strongly each digit makes it fire, on average", "digit", "mean activation a (0 to 1)",
          grid=False, legend=dict(loc="upper right", fontsize=8))
    axes = np.atleast_1d(bottom.subplots(1, max(k, 1)))
    for ax, index, act in zip(axes, view.top_indices, view.top_activations):
        ax.imshow(as_image(X[index]), cmap="gray_r")
        ax.set_title(f"a = {act:.2f}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    bottom.suptitle(f"the {k} images that make hidden unit {view.unit} fire most", fontsize=10)
    top.suptitle((f"{name}: " if name else "") + f"hidden unit {view.unit}")
    return fig


def draw_network(ax, sizes: Sequence[int], max_shown: int = 8, names: Sequence[str] | None = None,
                 highlight: int | None = None, title: str = ""):
    """Draw a layered network on ``ax`` (about 1.8 + 2.2 inches a layer wide, 4.2 high):
    circles for neurons, lines for weights. Returns ``ax``.

    Each layer is labelled below with its number l, counted from 0 for the input layer,
    its name and its size. Layers with more than ``max_shown`` neurons show their first
    and last few with a vertical "..." between. ``highlight=j`` draws the weights into
    neuron j of layer 1 in colour (row j of w^1, ``weights[0]``).
    """
    sizes = [int(n) for n in sizes]
    if names is None:
        names = ["input"] + ["hidden"] * (len(sizes) - 2) + ["output"]
    radius = 0.16
    positions = []  # for each layer: list of (neuron index or None for the gap, y)
    for n in sizes:
        if n <= max_shown:
            shown = list(range(n))
        else:
            half = max_shown // 2
            shown = list(range(half)) + [None] + list(range(n - (max_shown - half), n))
        ys = np.linspace(len(shown) / 2 - 0.5, -(len(shown) / 2 - 0.5), len(shown)) * 0.5
        positions.append(list(zip(shown, ys)))
    xs = np.arange(len(sizes)) * 2.0
    for l in range(len(sizes) - 1):
        for j, y_out in positions[l + 1]:
            if j is None:
                continue
            for k, y_in in positions[l]:
                if k is None:
                    continue
                lit = highlight is not None and l == 0 and j == highlight
                ax.plot([xs[l] + radius, xs[l + 1] - radius], [y_in, y_out],
                        color=PALETTE["vermillion"] if lit else "0.75", lw=1.6 if lit else 0.6,
                        zorder=2 if lit else 1)
    colours = [PALETTE["sky"]] + [PALETTE["orange"]] * (len(sizes) - 2) + [PALETTE["green"]]
    for l, (x, layer) in enumerate(zip(xs, positions)):
        for j, y in layer:
            if j is None:
                ax.text(x, y, "⋮", ha="center", va="center", fontsize=16)
                continue
            lit = highlight is not None and l == 1 and j == highlight
            ax.add_patch(Circle((x, y), radius, facecolor=colours[l], edgecolor=PALETTE["black"],
                                lw=2.0 if lit else 0.8, zorder=3))
        bottom = min(y for _, y in layer)
        ax.text(x, bottom - 0.45, f"layer {l}: {names[l]}\n{sizes[l]} neuron{'s' if sizes[l] != 1 else ''}",
                ha="center", va="top", fontsize=10)
    top = max(y for layer in positions for _, y in layer)
    low = min(y for layer in positions for _, y in layer)
    ax.set_xlim(xs[0] - 1.0, xs[-1] + 1.0)
    ax.set_ylim(low - 1.3, top + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or "A network with layers of sizes " + "-".join(map(str, sizes)))
    return ax
