"""The training loop: mini-batch stochastic gradient descent for any model of the course.

``train`` is the one loop, shared by ``Network.SGD`` (notebooks 04-09), notebook 05's
one-layer model and the models made of layers (``helpers.layers``, notebook 10 on).
Each epoch it shuffles the training examples, cuts them into mini-batches and takes one
step down the gradient per mini-batch; after the epoch it records how training is going.

The model protocol: a *model* is anything that offers

* ``dtype``: the floating-point type it computes in (np.float32 or np.float64);
* ``input_shape``: the shape of one example, (784,) for a row of pixels or (1, 28, 28)
  for an image (examples always go along the first axis of X);
* ``n_out``: its number of outputs, one per class (10 for the digits);
* ``params``: its parameter arrays, a list, which training changes in place;
* ``regularised``: for each array of ``params``, whether L2 shrinks it (weights yes,
  biases no);
* ``grads(X, Y)``: the gradient of the mean cost over the mini-batch X (wanted outputs
  Y, one-hot rows), a list shaped like ``params``, without the L2 term; X and Y come
  checked and in ``dtype``, so this can be the bare maths;
* ``cost(X, Y, lmbda=0.0, n=None)``: the mean cost over the examples, plus the L2 term
  (lmbda / 2n) sum ||w||^2 (n: the size of the training set);
* ``predict(X)``: the class each example is given, a whole number from 0 to n_out - 1;
* ``copy(dtype)``: an independent copy (the gradient check works on a float64 one).

The model never knows how it is trained: the loop applies the update rule
(``update_mini_batch``, with plain gradient descent or Adam from ``helpers.optimizers``),
and tells its callbacks (``helpers.callbacks``) how training goes. The seam of cs231n's
``Solver``.
"""

from __future__ import annotations

import inspect
import time

import numpy as np

from helpers.callbacks import Callback, EveryEpoch
from helpers.optimizers import GradientStep, HalveOnPlateau, get_optimizer, make_schedule
from helpers.validation import check_augmented, check_count, check_data, check_eta, check_lmbda

HISTORY_KEYS = ("epoch", "eta", "training_cost", "validation_accuracy", "test_accuracy", "seconds")
COST_SAMPLE = 10_000  # the training cost is estimated on the first examples, up to this many
CHUNK = 2_000  # examples copied out of the shuffled set at a time (one copy per chunk, not per mini-batch)


class TrainingDiverged(FloatingPointError):
    """The cost became NaN or infinite during training (eta was probably too large)."""


def train(model, training_data, epochs: int, mini_batch_size: int, eta: float, *, lmbda: float = 0.0,
          validation_data=None, test_data=None, schedule=None, optimizer: str = "sgd", augment=None,
          one_hot: bool = True, rng: np.random.Generator | None = None, callbacks=(),
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
    * ``callbacks``: things that watch the run (``helpers.callbacks``): a progress bar,
      a live curve, early stopping...; ``verbose``: print a line per epoch.

    The history is a dict of per-epoch lists ready to plot: "epoch", "eta",
    "training_cost" (estimated on up to 10,000 training examples, with the L2 term),
    "validation_accuracy" and "test_accuracy" (fractions; empty without that data) and
    "seconds" (the time of the epoch's mini-batches, without the scoring). If the cost
    becomes NaN or infinite, training stops with ``TrainingDiverged``.
    """
    run = Run(model, training_data, epochs, mini_batch_size, eta, lmbda, validation_data, test_data,
              schedule, optimizer, augment, one_hot, rng, callbacks, verbose)
    try:
        run.begin()
        for epoch in range(run.epochs):
            eta_now = run.start_epoch(epoch)
            for X_batch, Y_batch in run.mini_batches():
                update_mini_batch(model, X_batch, Y_batch, eta_now, run.rule, run.decays)
                run.batch_done()
            run.end_epoch(epoch)
            if run.stopped:
                break
    except BaseException:
        run.close(failed=True)  # the callbacks end too (a bar is closed), and this error goes on
        raise
    run.close()
    return run.history


def update_mini_batch(model, X, Y, eta: float, rule=None, decays=None) -> None:
    """Take one step on the mini-batch ``X`` (targets ``Y``): the model's gradient of the
    mean cost, then the update rule changes every parameter array in place. The rule is
    plain gradient descent, p -> p - eta dC/dp, unless another is given; ``decays`` is
    the L2 weight decay lmbda / n of each array (0 for biases). No input checks here:
    this runs thousands of times per epoch, so ``train`` checks the data once beforehand."""
    grads = model.grads(X, Y)
    (rule or PLAIN_STEP).update(model.params, grads, decays or [0.0] * len(grads), eta)


PLAIN_STEP = GradientStep()


class Run:
    """One call of ``train``: its checked settings, the shuffled mini-batches, the
    divergence checks, the history, and the callbacks it tells. Callbacks read
    ``epoch``, ``epochs``, ``batch`` (mini-batches done in this epoch),
    ``batches_per_epoch``, ``eta``, ``history`` and ``model``, and may call ``stop()``."""

    def __init__(self, model, training_data, epochs, mini_batch_size, eta, lmbda, validation_data, test_data,
                 schedule, optimizer, augment, one_hot, rng, callbacks, verbose):
        shape, n_out, dtype = model.input_shape, model.n_out, model.dtype
        self.model, self.dtype, self.one_hot = model, dtype, one_hot
        self.X, self.Y = check_data(training_data, "training_data", shape, n_out, dtype, one_hot,
                                    needs_rows="there is nothing to train on")
        self.n = len(self.X)
        self.epochs = check_count(epochs, "epochs", 0)
        self.m = check_count(mini_batch_size, "mini_batch_size", 1)
        eta, lmbda = check_eta(eta), check_lmbda(lmbda)
        self.scored = {}
        for name, data in (("validation", validation_data), ("test", test_data)):
            if data is not None:
                check_data(data, f"{name}_data", shape, n_out, dtype)
                self.scored[name] = data
        self.eta_for = make_schedule(schedule, eta)
        self.callbacks = check_callbacks(callbacks)
        if isinstance(self.eta_for, Callback) and self.eta_for not in self.callbacks:
            self.callbacks.append(self.eta_for)  # a schedule that watches the epochs (HalveOnPlateau)
        if any(isinstance(c, HalveOnPlateau) for c in self.callbacks) and "validation" not in self.scored:
            raise ValueError("schedule='halve_on_plateau' needs validation_data to tell when accuracy stops improving")
        # The update rule, and the L2 weight decay per step, eta * lmbda / n, for the arrays it shrinks.
        self.lmbda, self.rule = lmbda, get_optimizer(optimizer)
        self.decays = [lmbda / max(self.n, 1) if r else 0.0 for r in model.regularised]
        if augment is not None and not callable(augment):
            raise ValueError(f"augment must be a function (X, rng) -> X or None, got {augment!r}")
        self.augment = augment
        self.rng = rng if rng is not None else np.random.default_rng()
        self.verbose = verbose
        self.history = {key: [] for key in HISTORY_KEYS}
        self.batches_per_epoch = -(-self.n // self.m)
        self.epoch = self.batch = 0
        self.eta = eta
        self.stopped = False
        self.begun: list[Callback] = []  # the callbacks told that training began (the ones close tells)
        # Only the callbacks that watch mini-batches are called after each one (thousands per epoch).
        self.batch_watchers = [c.on_batch_end for c in self.callbacks
                               if type(c).on_batch_end is not Callback.on_batch_end]

    def begin(self) -> None:
        for callback in self.callbacks:
            callback.on_train_begin(self)
            self.begun.append(callback)

    def stop(self) -> None:
        """End training after the current epoch (for a callback such as early stopping)."""
        self.stopped = True

    def start_epoch(self, epoch: int) -> float:
        self.epoch, self.batch = epoch, 0
        self.eta = check_eta(self.eta_for(epoch), f"the schedule's eta for epoch {epoch}")
        self.start_time = time.perf_counter()
        return self.eta

    def batch_done(self) -> None:
        self.batch += 1
        for watcher in self.batch_watchers:
            watcher(self)

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

    def cost(self, X, Y, l2: bool = True) -> float:
        """The model's cost on (X, Y), with the L2 term for the whole training set (n) if asked."""
        targets = {} if self.one_hot else {"one_hot": False}
        return self.model.cost(X, Y, lmbda=self.lmbda if l2 else 0.0, n=self.n, **targets)

    def check_finite(self, cost: float) -> None:
        if not np.isfinite(cost):
            raise TrainingDiverged(
                f"training diverged in epoch {self.epoch}: the cost became {cost} with eta = {self.eta:g}. "
                f"The steps are too large: try a smaller learning rate, e.g. eta = {self.eta / 10:g}."
            )

    def end_epoch(self, epoch: int) -> None:
        """Record the epoch in the history, print it if verbose, and tell the callbacks."""
        seconds = time.perf_counter() - self.start_time
        sample = slice(0, min(self.n, COST_SAMPLE))
        with np.errstate(over="ignore", invalid="ignore"):
            training_cost = self.cost(self.X[sample].astype(self.dtype, copy=False), self.Y[sample])
        self.check_finite(training_cost)
        history = self.history
        for key, value in (("epoch", epoch), ("eta", self.eta), ("training_cost", training_cost), ("seconds", seconds)):
            history[key].append(value)
        line = f"Epoch {epoch}: training cost {training_cost:.4f}"
        for name, (X, y) in self.scored.items():
            history[f"{name}_accuracy"].append(score(self.model, X, y))
            line += f", {name} accuracy {history[f'{name}_accuracy'][-1]:.2%}"
        if self.verbose:
            print(line + f", {seconds:.2f} s", flush=True)
        for callback in self.callbacks:
            callback.on_epoch_end(self)

    def close(self, failed: bool = False) -> None:
        """Tell every callback that began that training is over, each one even if another
        fails; then raise the first failure, unless training itself ``failed`` (that error
        is the one to see)."""
        errors = []
        for callback in self.begun:
            try:
                callback.on_train_end(self)
            except Exception as err:  # noqa: BLE001 -- the others must still end
                errors.append(err)
        if errors and not failed:
            raise errors[0]


def score(model, X, y) -> float:
    """The fraction of the examples X that ``model`` classifies as the labels ``y`` say
    (labels, or one-hot rows); NaN for no examples."""
    y = np.asarray(y)
    labels = y.argmax(axis=1) if y.ndim == 2 else y
    return float(np.mean(model.predict(X) == labels)) if len(labels) else float("nan")


def check_callbacks(callbacks) -> list[Callback]:
    """A list of callbacks: one Callback, a list of them, or functions fn(epoch, history)."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback | str | dict) or callable(callbacks):
        callbacks = [callbacks]
    try:
        callbacks = list(callbacks)
    except TypeError:
        raise ValueError(f"callbacks must be a list of helpers.callbacks.Callback, got {callbacks!r}") from None
    checked = []
    for c in callbacks:
        if isinstance(c, type):
            raise ValueError(f"got the class {c.__name__} as a callback: pass an instance, {c.__name__}(...)")
        if isinstance(c, Callback):
            checked.append(c)
        elif callable(c) and _takes_two(c):
            checked.append(EveryEpoch(c))
        else:
            raise ValueError(f"each callback must be a helpers.callbacks.Callback (or a function fn(epoch, history)), "
                             f"got {c!r}")
    return checked


def _takes_two(fn) -> bool:
    """Whether ``fn(epoch, history)`` can be called (checked before training, not after an epoch)."""
    try:
        inspect.signature(fn).bind(0, {})
    except TypeError:
        return False
    except ValueError:  # no signature to read (some built-ins): give it the benefit of the doubt
        return True
    return True
