"""Training the 784-100-10 network (notebook 07): the pieces the lesson measures and draws.

* plugging a learner's own backprop into the course's training loop (``with_backprop``);
* saturated sigmoid units, the reason N(0, 1) weights train badly (``saturated_fraction``,
  ``hidden_z``);
* how fast training runs (``speed``);
* what the trained network gets wrong: the confusion matrix drawn (``draw_confusion``),
  the per-digit accuracy, the most confident mistakes (``confident_mistakes``,
  ``draw_mistakes``);
* accuracy curves of several runs side by side (``draw_accuracy_curves``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import MaxNLocator

from helpers.network import Network
from helpers.plots import LINESTYLES, MARKERS, PALETTE, as_image

# Sigmoid units whose weighted input is beyond this are "saturated": sigma'(z) < 0.018,
# under a fourteenth of its largest value 1/4, so they learn (and pass errors back) slowly.
SATURATED_Z = 4.0


# ---------------------------------------------------------------------------------------
# The learner's backprop inside the course's network
# ---------------------------------------------------------------------------------------


def with_backprop(net, backprop):
    """A copy of ``net`` that trains with ``backprop(net, X, Y)``, the learner's own
    function from notebook 06: a ``Network`` given ``backprop=``, the documented way.

    Everything else is unchanged: the network's own ``backprop`` (the course's maths)
    stays as it is, and only training uses the learner's. The network checks each answer's
    shapes (and the first one's numbers), so a slip shows at once, in words.
    """
    copy = net.copy()
    return Network(copy.sizes, activation=copy.activation.name, output=copy.output.name,
                   cost=copy.cost_function.name, init=copy.init, dtype=copy.dtype, rng=copy.rng, lmbda=copy.lmbda,
                   weights=copy.weights, biases=copy.biases, backprop=backprop)


# ---------------------------------------------------------------------------------------
# Saturation
# ---------------------------------------------------------------------------------------


def hidden_z(net, X) -> np.ndarray:
    """The first hidden layer's weighted inputs Z^1 = X (w^1)^T + b^1, one row per example."""
    return np.asarray(X, dtype=net.dtype) @ net.weights[0].T + net.biases[0]


def saturated_fraction(net, X, threshold: float = SATURATED_Z) -> float:
    """The fraction of (example, hidden unit) pairs with |z| > ``threshold``: saturated,
    learning slowly."""
    return float(np.mean(np.abs(hidden_z(net, X)) > threshold))


def stuck_units(net, X, threshold: float = SATURATED_Z, share: float = 0.99) -> int:
    """How many hidden units are saturated on at least ``share`` of the examples ``X``:
    always on or always off, they hardly respond to the image at all."""
    saturated = np.abs(hidden_z(net, X)) > threshold
    return int(np.sum(saturated.mean(axis=0) >= share))


# ---------------------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------------------


def speed(history: dict, n_examples: int) -> dict:
    """Seconds per epoch (the median of the run's epochs) and examples per second."""
    seconds = float(np.median(history["seconds"]))
    return {"seconds_per_epoch": seconds, "examples_per_second": n_examples / seconds}


# ---------------------------------------------------------------------------------------
# What the network gets wrong
# ---------------------------------------------------------------------------------------


def per_digit_accuracy(C: np.ndarray) -> np.ndarray:
    """For each true digit i, the fraction of its examples predicted as i: C[i, i] / sum of row i."""
    C = np.asarray(C)
    return C.diagonal() / C.sum(axis=1)


def confident_mistakes(outputs: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """The indices of the ``k`` wrong answers the network was surest of, surest first.

    ``outputs`` has one row of output activations per example; the network's answer is
    the largest, and its confidence is that largest activation.
    """
    outputs, labels = np.asarray(outputs), np.asarray(labels)
    answers = outputs.argmax(axis=1)
    wrong = np.flatnonzero(answers != labels)
    confidence = outputs[wrong, answers[wrong]]
    # A stable sort on minus the confidence: surest first, ties in the order of the examples.
    return wrong[np.argsort(-confidence, kind="stable")[:k]]


# A light-to-dark blue colour scale: ordered, readable in grey and with colour blindness.
COUNTS = LinearSegmentedColormap.from_list("counts", ["#FFFFFF", PALETTE["sky"], PALETTE["blue"], "#002A4A"])


def draw_confusion(ax, C: np.ndarray, title: str = "Confusion matrix on the 10,000 test images"):
    """Draw the confusion matrix C (rows: true digit, columns: the network's answer) with
    every count written in its square; the diagonal (right answers) is framed."""
    C = np.asarray(C)
    shown = np.log1p(C)  # counts from 0 to ~1,000: a log scale lets the few mistakes show
    ax.imshow(shown, cmap=COUNTS)
    n = len(C)
    for i in range(n):
        for j in range(n):
            dark = shown[i, j] > 0.6 * shown.max()
            ax.text(j, i, f"{C[i, j]}", ha="center", va="center", fontsize=7 if i == j else 8,
                    color="white" if dark else "black", fontweight="bold" if i == j else "normal")
        ax.add_patch(_square(i))
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("the network's answer")
    ax.set_ylabel("the true digit (label)")
    ax.set_title(title)
    return ax


def _square(i):
    from matplotlib.patches import Rectangle

    return Rectangle((i - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=PALETTE["orange"], linewidth=1.5)


def draw_mistakes(fig, images, labels, answers, confidences, ncols: int = 6):
    """A grid of misread digits, each titled "label 4, said 9 (0.99)"."""
    n = len(images)
    nrows = -(-n // ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, label, answer, confidence in zip(axes.flat, images, labels, answers, confidences):
        ax.imshow(as_image(image), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"label {label}, said {answer}\n(output {confidence:.3f})", fontsize=8)
    return fig


def draw_accuracy_curves(ax, runs: dict, title: str = "Test accuracy after each epoch", ylim=(0, 100)):
    """Plot, for each named run, a history's test accuracy (%) against the epoch (1, 2, ...)."""
    colours = [PALETTE[c] for c in ("blue", "vermillion", "green", "orange", "purple", "sky")]
    for i, (name, history) in enumerate(runs.items()):
        accuracy = 100 * np.asarray(history["test_accuracy"])
        epochs = np.arange(1, len(accuracy) + 1)
        ax.plot(epochs, accuracy, color=colours[i % len(colours)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                marker=MARKERS[i % len(MARKERS)], markersize=3, label=name)
    ax.set_xlabel("epochs of training")
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10], integer=True, min_n_ticks=1))  # whole epochs only
    ax.set_ylabel("accuracy on the test images (%)")
    ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax
