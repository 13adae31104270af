"""The same job in a framework's style (notebook 10): the Keras tutorial's model by hand.

The model of the multiclass lab in Andrew Ng's Machine Learning Specialization, on 5,000
digits of 20 x 20 (``helpers.data.small_digits``):

    Dense(25, relu) -> Dense(15, relu) -> Dense(10, linear),
    softmax cross-entropy from the logits, Adam with eta = 0.001, 40 epochs.

Written the way a framework is built inside (cs231n's ``layers.py``, micrograd's
``_backward``): the engine's ``helpers.layers`` keeps each layer's forward and backward
pass side by side, and its ``Sequential`` model chains them. The model trains on the
course's one loop, ``helpers.training.train``, with the update rule
``helpers.optimizers.Adam``; the activations (ReLU, linear) and the cost (cross-entropy
from the logits) are the engine's too. Nothing here is new maths: only a new way of
cutting it into pieces. This module has the tutorial's settings, ``keras_model`` and
Keras' ``summary``.

Also here: the same model in PyTorch when it is installed (``torch_twin``,
``train_in_torch``), and the toy of the widget, plain gradient descent and Adam on a
narrow valley (``valley_gradient``, ``optimizer_path``, ``draw_paths``).
"""

from __future__ import annotations

import time

import numpy as np

from helpers.layers import Dense, Sequential
from helpers.optimizers import Adam, GradientStep
from helpers.plots import LINESTYLES, MARKERS, PALETTE

# The tutorial's model: layer sizes and each layer's activation.
KERAS_SIZES = (400, 25, 15, 10)
KERAS_ACTIVATIONS = ("relu", "relu", "linear")
KERAS_EPOCHS, KERAS_BATCH, KERAS_ETA = 40, 32, 0.001  # Keras' fit() uses mini-batches of 32 unless told


def keras_model(sizes=KERAS_SIZES, activations=KERAS_ACTIVATIONS, dtype=np.float32, rng=None) -> Sequential:
    """The tutorial's model, or another stack of Dense layers: ``sizes`` from the inputs to
    the outputs and each layer's activation (the last one "linear": the logits)."""
    if len(activations) != len(sizes) - 1:
        raise ValueError(f"{len(sizes) - 1} layers need {len(sizes) - 1} activations, got {activations!r}")
    if activations[-1] != "linear":
        raise ValueError("the last layer gives the logits: its activation must be 'linear' (the softmax is in the cost)")
    rng = np.random.default_rng(rng)  # one generator, drawn from layer by layer
    return Sequential([Dense(n_in, n_out, activation, dtype=dtype, rng=rng)
                       for n_in, n_out, activation in zip(sizes[:-1], sizes[1:], activations)], dtype=dtype)


def summary(model: Sequential) -> list[tuple[str, tuple[int, int], int]]:
    """Keras' ``model.summary()``: for each layer its name, its output shape (None: any number
    of examples) and its number of parameters (weights n_in * n_out, plus n_out biases)."""
    return [(f"dense_{i + 1} ({layer.activation.name})", (None, layer.w.shape[0]), layer.w.size + layer.b.size)
            for i, layer in enumerate(model.layers)]


def total_seconds(history: dict) -> float:
    """The training time of a run: its epochs' mini-batch seconds added up (scoring excluded)."""
    return float(np.sum(history["seconds"]))


# ---------------------------------------------------------------------------------------
# The same model in PyTorch, when it is installed
# ---------------------------------------------------------------------------------------


def torch_available() -> bool:
    """True if ``import torch`` works here."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_twin(model: Sequential):
    """A PyTorch ``nn.Sequential`` with the same layers and the same starting weights as ``model``."""
    import torch
    from torch import nn

    modules = []
    for layer in model.layers:
        n_out, n_in = layer.w.shape
        linear = nn.Linear(n_in, n_out)
        with torch.no_grad():  # PyTorch's Linear stores w as (n_out, n_in), as we do
            linear.weight.copy_(torch.from_numpy(layer.w.astype(np.float32)))
            linear.bias.copy_(torch.from_numpy(layer.b.astype(np.float32)))
        modules.append(linear)
        if layer.activation.name == "relu":
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)


def train_in_torch(model: Sequential, training_data, test_data, epochs: int = KERAS_EPOCHS,
                   mini_batch_size: int = KERAS_BATCH, eta: float = KERAS_ETA, rng=None) -> dict:
    """Train a PyTorch copy of ``model`` (same starting weights) with its own autograd, Adam
    and cross-entropy, on the same mini-batches as ``train`` would cut with ``rng``.

    Returns a history like ``train``'s ("epoch", "training_cost", "test_accuracy",
    "seconds") and the trained ``net``. One CPU thread, like our NumPy.
    """
    import torch
    from torch import nn

    torch.set_num_threads(1)
    net = torch_twin(model)
    loss_fn = nn.CrossEntropyLoss()  # softmax cross-entropy from the logits, mean over the batch
    optimizer = torch.optim.Adam(net.parameters(), lr=eta)
    X, y = torch.from_numpy(np.asarray(training_data[0], np.float32)), torch.from_numpy(np.asarray(training_data[1]))
    X_test, y_test = torch.from_numpy(np.asarray(test_data[0], np.float32)), np.asarray(test_data[1])
    rng = np.random.default_rng(rng)
    history = {"epoch": [], "training_cost": [], "test_accuracy": [], "seconds": []}
    for epoch in range(epochs):
        start = time.perf_counter()
        order = torch.from_numpy(rng.permutation(len(X)))  # the same shuffle as helpers.training
        for k in range(0, len(X), mini_batch_size):
            batch = order[k : k + mini_batch_size]
            optimizer.zero_grad()
            loss = loss_fn(net(X[batch]), y[batch])
            loss.backward()  # autograd: every backward pass written for us
            optimizer.step()
        history["seconds"].append(time.perf_counter() - start)
        with torch.no_grad():
            history["epoch"].append(epoch)
            history["training_cost"].append(float(loss_fn(net(X[:10_000]), y[:10_000])))
            history["test_accuracy"].append(float(np.mean(net(X_test).argmax(dim=1).numpy() == y_test)))
    history["net"] = net
    return history


# ---------------------------------------------------------------------------------------
# The widget's toy: plain gradient descent and Adam in a narrow valley
# ---------------------------------------------------------------------------------------

# C(v) = (v1^2 + STEEP * v2^2) / 2: gentle along v1, steep across the valley along v2.
STEEP = 25.0
VALLEY_START = (-4.0, 1.5)


# The learning rates the race accepts: below ETA_RANGE[0] nothing moves in 300 steps, above
# ETA_RANGE[1] both rules leave the picture at once.
ETA_RANGE = (1e-4, 1.0)


def race_eta(value) -> float:
    """``value`` (a number, or text a learner typed) as a learning rate for the race, or a
    ValueError that says in plain words what was expected."""
    low, high = ETA_RANGE
    try:
        eta = float(str(value).strip().replace(",", ".").replace("η", "").lstrip("= "))
    except ValueError:
        raise ValueError(f"η must be a number, such as 0.05; got {str(value)[:20]!r}") from None
    if not low <= eta <= high:  # also refuses nan and inf
        raise ValueError(f"η must be between {low:g} and {high:g}; got {eta:g}")
    return eta


def valley_cost(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return 0.5 * (v[..., 0] ** 2 + STEEP * v[..., 1] ** 2)


def valley_gradient(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return np.array([v[0], STEEP * v[1]])


def optimizer_path(rule, eta: float, steps: int, start=VALLEY_START, gradient=valley_gradient,
                   limit: float = 1e6) -> np.ndarray:
    """The points (steps + 1 of them, or fewer if it blows up past ``limit``) that the update
    rule ``rule`` ("sgd" or "adam": the course's GradientStep or Adam) visits from ``start``."""
    update = {"sgd": GradientStep, "adam": Adam}[rule]()
    v = np.array(start, dtype=float)
    path = [v.copy()]
    for _ in range(steps):
        update.update([v], [gradient(v)], [0.0], eta)  # in place, as in training
        path.append(v.copy())
        if not np.all(np.abs(v) < limit):
            break
    return np.array(path)


def path_verdict(path: np.ndarray, steps: int) -> str:
    """In words: where a path ended ("diverged", "reached the minimum", "still on its way").
    A path that ends higher up the valley than it started has diverged, even if slowly
    (eta just above 2/25: each step across grows by a few per cent)."""
    if len(path) < steps + 1 or not np.all(np.isfinite(path)) or valley_cost(path[-1]) > valley_cost(path[0]):
        return "diverged"
    if valley_cost(path[-1]) < 1e-3:
        return "reached the minimum"
    return "still on its way"


def draw_paths(ax, paths: dict, title: str = "Two update rules in a narrow valley"):
    """Contour lines of the valley and each named path, with its own colour, line and marker."""
    v1, v2 = np.meshgrid(np.linspace(-5, 5, 201), np.linspace(-2.5, 2.5, 201))
    ax.contour(v1, v2, valley_cost(np.stack([v1, v2], axis=-1)), levels=[0.1, 0.5, 1, 2, 4, 8, 16, 32],
               colors="0.75", linewidths=0.8)
    colours = [PALETTE["vermillion"], PALETTE["blue"], PALETTE["green"]]
    for i, (name, path) in enumerate(paths.items()):
        outside = np.flatnonzero((np.abs(path[:, 0]) > 5) | (np.abs(path[:, 1]) > 2.5))
        shown = path[: outside[0] + 1] if len(outside) else path  # up to where it leaves the picture
        shown = np.clip(shown, [-5, -2.5], [5, 2.5])
        colour = colours[i % 3]
        ax.plot(shown[:, 0], shown[:, 1], color=colour, linestyle=LINESTYLES[i % 4],
                marker=MARKERS[i % 8], markersize=3, linewidth=1.2, label=name)
        if len(outside):
            ax.annotate(f"leaves the picture at step {outside[0]}: diverges", shown[-1], xytext=(0, -14),
                        textcoords="offset points", ha="center", va="top", fontsize=8, color=colour,
                        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": colour})
    ax.plot(*VALLEY_START, "k*", markersize=10, label="start")
    ax.plot(0, 0, "kP", markersize=8, label="minimum")
    ax.set_xlim(-5, 5)
    ax.set_ylim(-2.5, 2.5)
    ax.set_xlabel("weight v1 (gentle direction)")
    ax.set_ylabel("weight v2 (steep direction)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper right")
    return ax


# ---------------------------------------------------------------------------------------
# Comparisons drawn
# ---------------------------------------------------------------------------------------


def draw_histories(ax, runs: dict, key: str = "test_accuracy", title: str = "Test accuracy after each epoch",
                   ylabel: str = "accuracy on the 10,000 test digits (%)"):
    """Each named history's ``key`` (accuracies in %) against the epoch, one style per run."""
    colours = [PALETTE[c] for c in ("blue", "vermillion", "green", "orange", "purple")]
    for i, (name, history) in enumerate(runs.items()):
        values = np.asarray(history[key], dtype=float) * (100 if key.endswith("accuracy") else 1)
        ax.plot(np.arange(1, len(values) + 1), values, color=colours[i % 5], linestyle=LINESTYLES[i % 4],
                marker=MARKERS[i % 8], markersize=3, markevery=max(1, len(values) // 15), label=name)
    ax.set_xlabel("epochs of training")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax
