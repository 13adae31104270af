"""How a gradient becomes a change of the weights: every update rule and every schedule.

Update rules: ``GradientStep`` (plain gradient descent, with L2 weight decay, the rule
SGD uses in Nielsen's book) and ``Adam``. An update rule's
``update(params, grads, decays, eta)`` changes each parameter array *in place* (no new copies of the 79,510 numbers at every mini-batch). ``grads`` are the mean
gradients over the mini-batch, and ``decay`` is the L2 factor lmbda/n for a weight
matrix (0 for biases): the regularised gradient is grad + decay * w.

A learning-rate *schedule* says which eta to use in each epoch: any function
``schedule(epoch) -> eta`` (epochs count from 0), ``halve_every(eta, N)``, or
``HalveOnPlateau``, which halves eta when the validation accuracy stops improving.
``make_schedule`` turns what a user wrote ("halve_every:10", a function...) into one.
"""

from __future__ import annotations

import numpy as np

from helpers.activations import lookup
from helpers.callbacks import Callback


class GradientStep:
    """One step down the gradient, Nielsen's update rule for SGD (chapter 3, with L2):

        w -> (1 - eta * lmbda / n) w - eta * nabla_w        (nabla_w: mean over the batch)
        b -> b - eta * nabla_b
    """

    name = "sgd"

    def update(self, params, grads, decays, eta: float) -> None:
        for p, g, decay in zip(params, grads, decays):
            if decay:
                p *= 1 - eta * decay  # weight decay: shrink w a little towards 0
            g *= eta  # in place: g is a fresh array from backprop, ours to change
            p -= g


class Adam:
    """Adam (Kingma & Ba, 2015): SGD with a running mean of the gradient (momentum, m)
    and a per-parameter step size from a running mean of its square (v).

        m -> beta1 m + (1 - beta1) g          v -> beta2 v + (1 - beta2) g^2
        p -> p - eta * m_hat / (sqrt(v_hat) + epsilon)

    where m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t) correct the start-up
    bias (m and v start at 0). A good eta is around 0.001, much smaller than for SGD.
    """

    name = "adam"

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8):
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.m = self.v = None
        self.t = 0

    def update(self, params, grads, decays, eta: float) -> None:
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # fold both bias corrections into the step size
        step = eta * (1 - b2**self.t) ** 0.5 / (1 - b1**self.t)
        for p, g, decay, m, v in zip(params, grads, decays, self.m, self.v):
            if decay:
                g += decay * p  # L2: the gradient of (lmbda / 2n) ||w||^2
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= step * m / (np.sqrt(v) + self.epsilon)


OPTIMIZERS = {"sgd": GradientStep, "adam": Adam}


def get_optimizer(name: str):
    """A new optimiser called ``name`` ("sgd" or "adam")."""
    return lookup("optimizer", name, OPTIMIZERS)()


class HalveOnPlateau(Callback):
    """Start at ``eta``; halve it whenever the validation accuracy has not improved
    for ``patience`` epochs in a row. Call it with the epoch to get eta; as a callback
    of the training loop it ``observe``s each epoch's validation accuracy.
    """

    def __init__(self, eta: float, patience: int = 2, factor: float = 0.5):
        self.start_eta, self.patience, self.factor = eta, patience, factor
        self.on_train_begin(None)

    def on_train_begin(self, run) -> None:
        """Each run starts afresh, at the first eta (an instance can serve several runs)."""
        self.eta, self.best, self.waited = self.start_eta, -np.inf, 0

    def __call__(self, epoch: int) -> float:
        return self.eta

    def __repr__(self) -> str:
        return f"HalveOnPlateau(eta={self.eta:g}, patience={self.patience})"

    def on_epoch_end(self, run) -> None:
        self.observe(run.history["validation_accuracy"][-1])

    def observe(self, accuracy: float) -> None:
        if accuracy > self.best:
            self.best, self.waited = accuracy, 0
            return
        self.waited += 1
        if self.waited >= self.patience:
            self.eta *= self.factor
            self.waited = 0


def halve_every(eta: float, epochs: int):
    """A schedule: eta for the first ``epochs`` epochs, then eta/2, then eta/4, ..."""
    return lambda epoch: eta * 0.5 ** (epoch // epochs)


def decay(eta: float, factor: float):
    """A schedule: eta, then eta * factor, eta * factor^2, ... (one step per epoch)."""
    return lambda epoch: eta * factor**epoch


SCHEDULES = ("constant", "halve_on_plateau", "halve_every:N", "decay:F")


def make_schedule(schedule, eta: float):
    """Turn a ``schedule`` argument into a function epoch -> eta.

    ``schedule`` is None or "constant" (eta throughout), "halve_on_plateau" (needs
    validation data), "halve_every:N" (N > 0), "decay:F" (eta times F each epoch,
    0 < F <= 1), or a function epoch -> eta already.
    """
    if schedule is None or schedule == "constant":
        return lambda epoch: eta
    if callable(schedule):
        return schedule
    if schedule == "halve_on_plateau":
        return HalveOnPlateau(eta)
    if isinstance(schedule, str) and schedule.startswith("halve_every:"):
        n = schedule.split(":", 1)[1]
        if n.isdigit() and int(n) > 0:
            return halve_every(eta, int(n))
    if isinstance(schedule, str) and schedule.startswith("decay:"):
        try:
            factor = float(schedule.split(":", 1)[1])
        except ValueError:
            factor = float("nan")
        if 0 < factor <= 1:
            return decay(eta, factor)
    raise ValueError(f"unknown schedule {schedule!r}: expected a function epoch -> eta or one of "
                     f"{', '.join(map(repr, SCHEDULES))} (N > 0, 0 < F <= 1)")
