"""Training it better (notebook 08): the pieces the lesson measures and draws.

* one sigmoid neuron trained with two costs: the learning slowdown of the quadratic cost
  and its cure, the cross-entropy (``neuron_cost``, ``neuron_gradient``, ``train_neuron``,
  ``draw_neuron_runs``);
* how spread out a hidden neuron's z starts, for a given spread of the weights
  (``z_spread``);
* overfitting and L2 regularisation: one step with weight decay (``decayed_step``), the
  size of the weights (``squared_weights``), the cost and accuracy on several data sets
  after every epoch (``EpochRecorder``, ``draw_overfitting``);
* early stopping on the validation set (``stopping_point``, ``EarlyStopping``);
* learning-rate schedules and shifted images, drawn (``draw_schedules``, ``draw_shifts``);
* each change measured the same way, and the table of what it bought (``measured_run``,
  ``describe_row``, ``improvement_table``, ``draw_improvements``).

The costs, the update rule and the schedules themselves are the engine's
(``helpers.costs``, ``helpers.optimizers``): this module only uses and pictures them.
"""

from __future__ import annotations

import time

import numpy as np

from helpers.activations import Sigmoid
from helpers.costs import get_cost
from helpers.data import one_hot
from helpers.images import shift
from helpers.optimizers import GradientStep
from helpers.plots import LINESTYLES, MARKERS, PALETTE, as_image

# The two costs compared in the lesson, with the colour, line style and marker of each in every picture.
COST_STYLES = {
    "quadratic": (PALETTE["vermillion"], "--", "s"),
    "cross_entropy": (PALETTE["blue"], "-", "o"),
}
COST_NAMES = {"quadratic": "quadratic cost", "cross_entropy": "cross-entropy cost"}
COLOURS = [PALETTE[c] for c in ("blue", "vermillion", "green", "orange", "purple", "sky", "black")]


# ---------------------------------------------------------------------------------------
# One neuron, two costs: the learning slowdown
# ---------------------------------------------------------------------------------------


def _neuron(w: float, b: float, x: float):
    """z and a = sigma(z) of one sigmoid neuron with one input, as 1 x 1 arrays (the costs' shape)."""
    z = np.array([[w * x + b]], dtype=np.float64)
    return z, Sigmoid.fn(z)


def neuron_cost(w: float, b: float, x: float, y: float, cost: str) -> float:
    """The cost of one sigmoid neuron (weight ``w``, bias ``b``) on the input ``x`` with the
    wanted output ``y``, computed by the engine's cost ``cost`` ("quadratic" or "cross_entropy")."""
    z, a = _neuron(w, b, x)
    return float(get_cost(cost).fn(z, a, np.array([[y]]), Sigmoid)[0])


def neuron_gradient(w: float, b: float, x: float, y: float, cost: str) -> tuple[float, float]:
    """(dC/dw, dC/db) for one sigmoid neuron: delta = dC/dz from the engine's cost (BP1),
    then dC/db = delta and dC/dw = delta * x (BP3, BP4).

    quadratic:      delta = (a - y) sigma'(z)   (small when the neuron is saturated)
    cross-entropy:  delta = a - y                (sigma'(z) has cancelled out)
    """
    z, a = _neuron(w, b, x)
    delta = float(get_cost(cost).delta(z, a, np.array([[y]]), Sigmoid)[0, 0])
    return delta * x, delta


def train_neuron(w: float, b: float, x: float = 1.0, y: float = 0.0, eta: float = 0.15, epochs: int = 300,
                 cost: str = "quadratic") -> dict:
    """Gradient descent on one neuron and one example (Nielsen's chapter-3 toy): the
    weight, bias, output, cost and dC/dw before each step, as arrays of ``epochs + 1``
    values (index 0 is the start)."""
    run = {key: [] for key in ("w", "b", "a", "cost", "dC_dw")}
    for step in range(epochs + 1):
        dw, db = neuron_gradient(w, b, x, y, cost)
        for key, value in (("w", w), ("b", b), ("a", float(Sigmoid.fn(w * x + b))),
                           ("cost", neuron_cost(w, b, x, y, cost)), ("dC_dw", dw)):
            run[key].append(value)
        if step < epochs:
            w, b = w - eta * dw, b - eta * db
    return {key: np.array(values) for key, values in run.items()}


def epochs_to_reach(run: dict, output: float) -> int | None:
    """The first epoch at which the neuron's output is below ``output`` (None if never)."""
    below = np.flatnonzero(run["a"] < output)
    return int(below[0]) if len(below) else None


def draw_neuron_runs(fig, runs: dict, y: float = 0.0, title: str = "One neuron learning to output 0"):
    """Two panels for runs of ``train_neuron`` named by their cost: the output a after each
    epoch, and the slope dC/dw (how fast the weight moves) on a log scale."""
    ax_a, ax_g = fig.subplots(1, 2)
    for cost, run in runs.items():
        colour, line, marker = COST_STYLES[cost]
        epochs = np.arange(len(run["a"]))
        every = max(1, len(epochs) // 12)
        style = dict(color=colour, linestyle=line, marker=marker, markevery=every, markersize=4,
                     label=COST_NAMES[cost])
        ax_a.plot(epochs, run["a"], **style)
        ax_g.plot(epochs, np.maximum(np.abs(run["dC_dw"]), 1e-12), **style)
    ax_a.axhline(y, color=PALETTE["black"], linestyle=":", linewidth=1, label=f"wanted output y = {y:g}")
    ax_a.set_ylim(-0.03, 1.03)
    ax_a.set_xlabel("epoch (one gradient step each)")
    ax_a.set_ylabel("the neuron's output a")
    ax_a.set_title("Output after each step")
    ax_a.legend(fontsize=8)
    ax_g.set_yscale("log")
    ax_g.set_xlabel("epoch (one gradient step each)")
    ax_g.set_ylabel("|∂C/∂w| (log scale)")
    ax_g.set_title("How fast the weight is moving")
    for ax in (ax_a, ax_g):
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
# Starting weights
# ---------------------------------------------------------------------------------------


def z_spread(X, weight_sd: float, bias_sd: float = 1.0) -> np.ndarray:
    """For each image (row of ``X``), the standard deviation of a hidden neuron's weighted
    input z = sum_j w_j x_j + b when every weight is drawn from N(0, weight_sd^2) and the
    bias from N(0, bias_sd^2): the variances add, Var z = weight_sd^2 sum_j x_j^2 + bias_sd^2."""
    X = np.asarray(X, dtype=np.float64)
    return np.sqrt(weight_sd**2 * (X**2).sum(axis=1) + bias_sd**2)


# ---------------------------------------------------------------------------------------
# Overfitting and L2 regularisation
# ---------------------------------------------------------------------------------------


def decayed_step(w, nabla_w, eta: float, lmbda: float, n: int) -> np.ndarray:
    """The weights after one step of SGD with L2 regularisation, w -> (1 - eta lmbda / n) w
    - eta nabla_w, taken by the engine's update rule (``GradientStep``) on copies."""
    w, nabla_w = np.array(w, dtype=np.float64), np.array(nabla_w, dtype=np.float64)
    GradientStep().update([w], [nabla_w], [lmbda / n], eta)
    return w


def squared_weights(net) -> float:
    """sum ||w||^2 over the network's weight matrices (the biases are not regularised)."""
    return float(sum(np.sum(w.astype(np.float64) ** 2) for w in net.weights))


class EpochRecorder:
    """A training callback that measures, after every epoch, the cost (without the L2
    term) and the accuracy of ``net`` on each named data set (images and labels), e.g.
    ``EpochRecorder(net, {"training": small, "validation": validation})``.

    ``then`` is another callback called afterwards (its answer is passed on: False stops
    training), so a recorder and early stopping can watch the same run.
    """

    def __init__(self, net, datasets: dict, then=None):
        self.net, self.then = net, then
        self.datasets = {name: (X, one_hot(np.asarray(y), net.sizes[-1], dtype=net.dtype))
                         for name, (X, y) in datasets.items()}
        self.cost = {name: [] for name in datasets}
        self.accuracy = {name: [] for name in datasets}

    def __call__(self, epoch: int, history: dict):
        net = self.net
        for name, (X, Y) in self.datasets.items():
            # One forward pass gives both: the cost from Z^L and A^L, the answers from Z^L
            # (the largest z has the largest sigmoid output).
            Z = net.output_z(np.asarray(X, dtype=net.dtype))
            costs = net.cost_function.fn(Z, net.output.fn(Z), Y, net.output)
            self.cost[name].append(float(np.mean(costs, dtype=np.float64)))
            self.accuracy[name].append(float(np.mean(Z.argmax(axis=1) == Y.argmax(axis=1))))
        return self.then(epoch, history) if self.then is not None else None


def draw_overfitting(fig, runs: dict, title: str = "Training on 1,000 images"):
    """For each named ``EpochRecorder``, the cost (left) and accuracy (right) on its data
    sets after every epoch; each run has its colour and marker, each data set its line style."""
    ax_c, ax_a = fig.subplots(1, 2)
    for i, (name, recorder) in enumerate(runs.items()):
        for j, data in enumerate(recorder.cost):
            epochs = np.arange(1, len(recorder.cost[data]) + 1)
            style = dict(color=COLOURS[i % len(COLOURS)], linestyle=LINESTYLES[j % len(LINESTYLES)],
                         marker=MARKERS[i % len(MARKERS)], markevery=max(1, len(epochs) // 8), markersize=4,
                         label=f"{name}: {data} images")
            ax_c.plot(epochs, recorder.cost[data], **style)
            ax_a.plot(epochs, 100 * np.asarray(recorder.accuracy[data]), **style)
    ax_c.set_ylabel("cost C (mean per image, no L2 term)")
    ax_c.set_title("Cost")
    ax_a.set_ylabel("accuracy (%)")
    ax_a.set_title("Accuracy")
    for ax in (ax_c, ax_a):
        ax.set_xlabel("epochs of training")
        ax.grid(alpha=0.3)
    ax_c.set_ylim(bottom=0)
    ax_a.legend(fontsize=7, loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
# Early stopping
# ---------------------------------------------------------------------------------------


def stopping_point(accuracies, patience: int) -> tuple[int, int]:
    """Early stopping on a list of validation accuracies, one per epoch (epochs counted
    from 1): train until ``patience`` epochs in a row have not beaten the best so far.

    Returns ``(best_epoch, stop_epoch)``: the epoch with the best accuracy seen until the
    stop (the first one, if several tie), and the epoch after which training stops (the
    last epoch, if the patience never runs out)."""
    best, best_epoch = -np.inf, 0
    for epoch, accuracy in enumerate(accuracies, start=1):
        if accuracy > best:
            best, best_epoch = accuracy, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(accuracies)


class EarlyStopping:
    """A training callback: stop when the validation accuracy has not improved for
    ``patience`` epochs (the rule of ``stopping_point``), and keep a copy of the
    weights and biases from the best epoch so far; ``restore()`` puts them back.

        stopper = EarlyStopping(net, patience=10)
        net.SGD(train, 100, 10, 0.5, validation_data=validation, callback=stopper)
        stopper.restore()
    """

    def __init__(self, net, patience: int):
        self.net, self.patience = net, patience
        self.best_epoch, self.stop_epoch, self.best_accuracy = 0, 0, -np.inf
        self._best = None

    def __call__(self, epoch: int, history: dict):
        accuracies = history["validation_accuracy"]
        if not accuracies:
            raise ValueError("early stopping watches the validation accuracy: give SGD validation_data")
        best_epoch, _ = stopping_point(accuracies, self.patience)
        if best_epoch == len(accuracies):  # this epoch is the new best: remember its parameters
            self.best_accuracy = accuracies[-1]
            self._best = ([w.copy() for w in self.net.weights], [b.copy() for b in self.net.biases])
        self.best_epoch, self.stop_epoch = best_epoch, len(accuracies)
        return False if self.stopped_early else None

    @property
    def stopped_early(self) -> bool:
        return self.stop_epoch - self.best_epoch >= self.patience

    def restore(self) -> None:
        """Put the weights and biases of the best epoch back into the network."""
        if self._best is None:
            raise ValueError("nothing to restore: the network has not been trained with this callback yet")
        self.net.weights = [w.copy() for w in self._best[0]]
        self.net.biases = [b.copy() for b in self._best[1]]


def chain(*callbacks):
    """One training callback that calls each of ``callbacks`` in turn; training stops
    if any of them says False."""

    def both(epoch: int, history: dict):
        answers = [callback(epoch, history) for callback in callbacks]
        return False if any(answer is False for answer in answers) else None

    return both


# ---------------------------------------------------------------------------------------
# Schedules, shifted images
# ---------------------------------------------------------------------------------------


def draw_schedules(ax, schedules: dict, epochs: int, title: str = "Learning-rate schedules"):
    """Plot eta against the epoch for each named schedule: a function epoch -> eta, or a
    training history (its "eta" list)."""
    for i, (name, schedule) in enumerate(schedules.items()):
        if isinstance(schedule, dict):
            etas = np.asarray(schedule["eta"], dtype=float)
        else:
            etas = np.array([schedule(e) for e in range(epochs)], dtype=float)
        ax.step(np.arange(1, len(etas) + 1), etas, where="post", color=COLOURS[i % len(COLOURS)],
                linestyle=LINESTYLES[i % len(LINESTYLES)], marker=MARKERS[i % len(MARKERS)],
                markevery=max(1, len(etas) // 10), markersize=4, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate η (log scale)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def shifted_copies(image, max_shift: int = 1) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Every copy of one 28 x 28 digit moved by up to ``max_shift`` pixels down and right
    (negative: up and left), and the (dy, dx) of each: the images ``random_shift`` picks from."""
    picture = as_image(image)
    moves = [(dy, dx) for dy in range(-max_shift, max_shift + 1) for dx in range(-max_shift, max_shift + 1)]
    return np.stack([shift(picture, dy, dx).ravel() for dy, dx in moves]), moves


def draw_shifts(fig, image, max_shift: int = 1, title: str = "One training digit and its shifted copies"):
    """A grid of ``shifted_copies``, each titled with its move, the original framed."""
    copies, moves = shifted_copies(image, max_shift)
    side = 2 * max_shift + 1
    axes = fig.subplots(side, side, squeeze=False)
    for ax, copy, (dy, dx) in zip(axes.flat, copies, moves):
        ax.imshow(as_image(copy), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title("original" if dy == dx == 0 else f"down {dy}, right {dx}", fontsize=8)
        if dy == dx == 0:
            for spine in ax.spines.values():
                spine.set_edgecolor(PALETTE["orange"])
                spine.set_linewidth(2.5)
    fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------------------
# What each change bought
# ---------------------------------------------------------------------------------------


def measured_run(change: str, net, training_data, epochs: int, mini_batch_size: int, eta: float,
                 validation_data, test_data, watch_test: bool = False, **options) -> dict:
    """Train ``net`` and measure it the way the lesson does; return one row of the table.

    With ``validation_data``, the network is scored on it after every epoch and, at the
    end, the weights of the best epoch are put back (``EarlyStopping`` with a patience
    of all the epochs: it never stops early, it only remembers). Without it (the final
    run on all 60,000 images) the network after the last epoch is kept. Only then is it
    scored, once, on ``test_data``. ``options`` go to ``net.SGD`` (lmbda, schedule,
    augment, progress...); ``watch_test=True`` also scores the test images after every
    epoch, for a progress display to show (nothing is chosen from them). The row: "change", "validation" (None without validation
    data), "test", "best_epoch", "epochs", "seconds" and the run's "history"."""
    stopper = EarlyStopping(net, patience=epochs) if validation_data is not None else None
    start = time.perf_counter()
    history = net.SGD(training_data, epochs, mini_batch_size, eta, validation_data=validation_data,
                      test_data=test_data if watch_test else None, callback=stopper, **options)
    seconds = time.perf_counter() - start
    if stopper is not None:
        stopper.restore()
    return {"change": change, "validation": None if stopper is None else stopper.best_accuracy,
            "test": net.accuracy(*test_data), "best_epoch": len(history["epoch"]) if stopper is None else stopper.best_epoch,
            "epochs": len(history["epoch"]), "seconds": seconds, "history": history}


def describe_row(row: dict) -> str:
    """One line about a ``measured_run``: "validation 97.87 % (best of 20 epochs: 18), test 97.79 %, 9 s"."""
    where = "" if row["validation"] is None else \
        f"validation {100 * row['validation']:.2f} % (best epoch {row['best_epoch']} of {row['epochs']}), "
    return f"{row['change']}: {where}test {100 * row['test']:.2f} %, {row['seconds']:.0f} s"


def improvement_table(rows: list[dict]) -> str:
    """A plain-text table of runs, one per row: the change, the validation and test
    accuracy (%), the change in test accuracy from the row above and the training time.
    Each row is a dict with "change", "test", "seconds" and optionally "validation"
    (fractions between 0 and 1; None where not measured)."""
    width = max(len("what changed"), *(len(r["change"]) for r in rows))
    lines = [f"{'what changed':<{width}}  validation    test   gain (test)   time",
             f"{'-' * width}  ----------  ------   -----------   -----"]
    previous = None
    for r in rows:
        val = "—" if r.get("validation") is None else f"{100 * r['validation']:.2f} %"
        gain = "" if previous is None else f"{100 * (r['test'] - previous):+.2f}"
        lines.append(f"{r['change']:<{width}}  {val:>10}  {100 * r['test']:.2f} %  {gain:>11}   {r['seconds']:4.0f} s")
        previous = r["test"]
    return "\n".join(lines)


def draw_improvements(ax, rows: list[dict], target: float | None = None,
                      title: str = "Test accuracy, one change at a time"):
    """A horizontal bar per row of ``improvement_table``'s rows, with its test accuracy
    written at its end; ``target`` (a fraction) is drawn as a dashed, labelled line."""
    names = [r["change"] for r in rows][::-1]
    values = [100 * r["test"] for r in rows][::-1]
    hatches = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]
    bars = ax.barh(np.arange(len(rows)), values, color=[COLOURS[i % len(COLOURS)] for i in range(len(rows))][::-1],
                   edgecolor="white")
    for bar, hatch in zip(bars, hatches[: len(rows)][::-1]):
        bar.set_hatch(hatch)
    low = np.floor(min(values)) - 1
    for i, v in enumerate(values):
        ax.text(v + 0.1, i, f"{v:.2f} %", va="center", fontsize=8,
                bbox=dict(facecolor="white", edgecolor="none", pad=1))
    if target is not None:
        ax.axvline(100 * target, color=PALETTE["black"], linestyle="--", linewidth=1)
        ax.text(100 * target - 0.1, len(rows) - 0.45, f"the goal, {100 * target:g} %", ha="right", va="bottom",
                fontsize=8)
    ax.set_yticks(np.arange(len(rows)), names, fontsize=8)
    ax.set_xlim(low, 100)
    ax.set_ylim(-0.6, len(rows) - 0.1)
    ax.set_xlabel("accuracy on the 10,000 test images (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="x")
    return ax
