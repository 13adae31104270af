"""The training loop: mini-batch stochastic gradient descent for any model of the course.

``train`` is the one loop, shared by ``Network.SGD`` (notebooks 04-09), notebook 05's
one-layer model and notebook 10's framework-style model. Each epoch it shuffles the
training examples, cuts them into mini-batches and lets the model take one step per
mini-batch; after the epoch it records how training is going.

A *model* here is anything with

* ``sizes``: its layer sizes (only the first and the last are used: inputs and outputs);
* ``dtype``: the floating-point type it computes in;
* ``update_mini_batch(X, Y, eta)``: one step on a mini-batch (one example per row of X,
  wanted outputs Y); models that support L2 and other update rules (``Network``) also
  take ``decay=`` (lmbda / n) and ``optimizer=`` (see ``helpers.optimizers``);
* ``cost(X, Y)`` (with ``lmbda=`` and ``n=`` when L2 is used) and ``accuracy(X, y)``.

The model never knows how it is trained, and the loop never knows what is inside the
model: the seam of cs231n's ``Solver``.
"""

from __future__ import annotations

import time

import numpy as np

from helpers.optimizers import get_optimizer, make_schedule
from helpers.validation import check_augmented, check_count, check_data, check_eta, check_lmbda

HISTORY_KEYS = ("epoch", "eta", "training_cost", "validation_accuracy", "test_accuracy", "seconds")
COST_SAMPLE = 10_000  # the training cost is estimated on the first examples, up to this many
CHUNK = 2_000  # examples copied out of the shuffled set at a time (one copy per chunk, not per mini-batch)


class TrainingDiverged(FloatingPointError):
    """The cost became NaN or infinite during training (eta was probably too large)."""


def train(model, training_data, epochs: int, mini_batch_size: int, eta: float, *, lmbda: float = 0.0,
          validation_data=None, test_data=None, schedule=None, optimizer: str = "sgd", augment=None,
          one_hot: bool = True, rng: np.random.Generator | None = None, progress=None, callback=None,
          verbose: bool = False) -> dict:
    """Train ``model`` with mini-batch stochastic gradient descent; return its history.

    ``training_data`` is a pair (X, y) with labels y (or one-hot rows; any target rows
    with ``one_hot=False``). Each mini-batch moves every weight and bias one step down
    the gradient, with learning rate ``eta``. Optional:

    * ``lmbda``: L2 regularisation, w -> (1 - eta lmbda / n) w - eta nabla_w;
    * ``validation_data``, ``test_data``: pairs (X, y) scored after every epoch;
    * ``schedule``: eta for each epoch (see ``helpers.optimizers.make_schedule``);
    * ``optimizer``: "sgd" or "adam"; ``augment``: a function (X, rng) -> X applied to
      the training images as they are used (e.g. ``helpers.images.random_shift``);
    * ``rng``: the generator for the shuffling (and the augmentation);
    * ``progress``: a progress display (``helpers.progress``); ``verbose``: print a line
      per epoch; ``callback(epoch, history)`` after every epoch (return False to stop).

    The history is a dict of per-epoch lists ready to plot: "epoch", "eta",
    "training_cost" (estimated on up to 10,000 training examples, with the L2 term),
    "validation_accuracy" and "test_accuracy" (fractions; empty without that data) and
    "seconds" (the time of the epoch's mini-batches, without the scoring). If the cost
    becomes NaN or infinite, training stops with ``TrainingDiverged``.
    """
    run = Run(model, training_data, epochs, mini_batch_size, eta, lmbda, validation_data, test_data,
              schedule, optimizer, augment, one_hot, rng, progress, callback, verbose)
    try:
        for epoch in range(run.epochs):
            eta_now = run.start_epoch(epoch)
            for X_batch, Y_batch in run.mini_batches():
                model.update_mini_batch(X_batch, Y_batch, eta_now, **run.step_options)
            if run.end_epoch(epoch) is False:
                break
    finally:
        run.close()
    return run.history


class Run:
    """The bookkeeping of one call of ``train``: its checked settings, the shuffled
    mini-batches, the divergence checks, the history and the progress display."""

    def __init__(self, model, training_data, epochs, mini_batch_size, eta, lmbda, validation_data, test_data,
                 schedule, optimizer, augment, one_hot, rng, progress, callback, verbose):
        n_in, n_out, dtype = model.sizes[0], model.sizes[-1], model.dtype
        self.model, self.dtype, self.one_hot = model, dtype, one_hot
        self.X, self.Y = check_data(training_data, "training_data", n_in, n_out, dtype, one_hot,
                                    needs_rows="there is nothing to train on")
        self.n = len(self.X)
        self.epochs = check_count(epochs, "epochs", 0)
        self.m = check_count(mini_batch_size, "mini_batch_size", 1)
        eta, lmbda = check_eta(eta), check_lmbda(lmbda)
        self.scored = {}
        for name, data in (("validation", validation_data), ("test", test_data)):
            if data is not None:
                check_data(data, f"{name}_data", n_in, n_out, dtype)
                self.scored[name] = data
        if schedule == "halve_on_plateau" and "validation" not in self.scored:
            raise ValueError("schedule='halve_on_plateau' needs validation_data to tell when accuracy stops improving")
        self.eta_for = make_schedule(schedule, eta)
        self.lmbda, self.decay = lmbda, lmbda / max(self.n, 1)  # the L2 weight decay per step is eta * lmbda / n
        # Only models that take part in L2 or another update rule are asked to.
        self.step_options = {}
        if lmbda or optimizer != "sgd":
            self.step_options = {"decay": self.decay, "optimizer": get_optimizer(optimizer)}
        if augment is not None and not callable(augment):
            raise ValueError(f"augment must be a function (X, rng) -> X or None, got {augment!r}")
        self.augment = augment
        self.rng = rng if rng is not None else np.random.default_rng()
        self.progress, self.callback, self.verbose = progress, callback, verbose
        self.history = {key: [] for key in HISTORY_KEYS}
        self.batches_per_epoch = -(-self.n // self.m)
        if progress is not None:
            progress.start(self.epochs * self.batches_per_epoch)

    def start_epoch(self, epoch: int) -> float:
        self.epoch = epoch
        self.eta = check_eta(self.eta_for(epoch), f"the schedule's eta for epoch {epoch}")
        self.start_time = time.perf_counter()
        return self.eta

    def mini_batches(self):
        """The epoch's shuffled mini-batches (X, Y), cut from chunks of about 2,000 examples."""
        chunk = self.m * max(1, CHUNK // self.m)
        order = self.rng.permutation(self.n)
        # Overflow to inf/NaN is caught by the divergence check below, with a clearer message.
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, self.n, chunk):
                idx = order[start : start + chunk]
                X_chunk = self.X[idx]
                if self.augment is not None:
                    X_chunk = check_augmented(self.augment(X_chunk, self.rng), X_chunk.shape, self.augment)
                X_chunk, Y_chunk = X_chunk.astype(self.dtype, copy=False), self.Y[idx]
                for k in range(0, len(idx), self.m):
                    yield X_chunk[k : k + self.m], Y_chunk[k : k + self.m]
                # A cheap divergence check: the cost of the chunk's last mini-batch.
                last = slice(max(0, len(idx) - self.m), len(idx))
                self.check_finite(self.cost(X_chunk[last], Y_chunk[last], l2=False))
                if self.progress is not None:
                    self.progress.update(-(-len(idx) // self.m), status=f"epoch {self.epoch + 1}/{self.epochs}")

    def cost(self, X, Y, l2: bool = True) -> float:
        """The model's cost on (X, Y), with the L2 term for the whole training set (n) if asked."""
        # (Models without L2, like notebook 05's, are not asked about it at all.)
        uses_l2 = self.lmbda or getattr(self.model, "lmbda", 0)
        l2 = {"lmbda": self.lmbda if l2 else 0.0, "n": self.n} if uses_l2 else {}
        targets = {} if self.one_hot else {"one_hot": False}
        return self.model.cost(X, Y, **l2, **targets)

    def check_finite(self, cost: float) -> None:
        if not np.isfinite(cost):
            raise TrainingDiverged(
                f"training diverged in epoch {self.epoch}: the cost became {cost} with eta = {self.eta:g}. "
                f"The steps are too large: try a smaller learning rate, e.g. eta = {self.eta / 10:g}."
            )

    def end_epoch(self, epoch: int):
        """Record the epoch in the history, report it; False if the callback says stop."""
        seconds = time.perf_counter() - self.start_time
        sample = slice(0, min(self.n, COST_SAMPLE))
        with np.errstate(over="ignore", invalid="ignore"):
            training_cost = self.cost(self.X[sample].astype(self.dtype, copy=False), self.Y[sample])
        self.check_finite(training_cost)
        history = self.history
        for key, value in (("epoch", epoch), ("eta", self.eta), ("training_cost", training_cost), ("seconds", seconds)):
            history[key].append(value)
        line = f"Epoch {epoch}: training cost {training_cost:.4f}"
        for name, data in self.scored.items():
            history[f"{name}_accuracy"].append(self.model.accuracy(*data))
            line += f", {name} accuracy {history[f'{name}_accuracy'][-1]:.2%}"
        if "validation" in self.scored and hasattr(self.eta_for, "observe"):
            self.eta_for.observe(history["validation_accuracy"][-1])
        if self.verbose:
            print(line + f", {seconds:.2f} s", flush=True)
        if self.progress is not None and "validation" in self.scored:
            status = f"epoch {epoch + 1}/{self.epochs}, validation {history['validation_accuracy'][-1]:.2%}"
            self.progress.update(0, status=status)
        if hasattr(self.progress, "epoch_done"):  # a display that also shows the history (notebook 07)
            self.progress.epoch_done(epoch, history)
        if self.callback is not None:
            return self.callback(epoch, history)
        return None

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()
