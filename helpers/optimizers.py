"""How a gradient becomes a step: plain SGD (with L2 weight decay), Adam, and schedules.

An optimiser's ``step(params, grads, decays, eta)`` changes each parameter array *in
place* (no new copies of the 79,510 numbers at every mini-batch). ``grads`` are the mean
gradients over the mini-batch, and ``decay`` is the L2 factor lmbda/n for a weight
matrix (0 for biases): the regularised gradient is grad + decay * w.

A learning-rate *schedule* says which eta to use in each epoch: any function
``schedule(epoch) -> eta`` (epochs count from 0), or ``HalveOnPlateau``, which halves eta
when the validation accuracy stops improving.
"""

from __future__ import annotations

import numpy as np

from helpers.activations import lookup


class SGD:
    """Stochastic gradient descent, Nielsen's update rule (chapter 3, with L2):

        w -> (1 - eta * lmbda / n) w - eta * nabla_w        (nabla_w: mean over the batch)
        b -> b - eta * nabla_b
    """

    name = "sgd"

    def step(self, params, grads, decays, eta: float) -> None:
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

    def step(self, params, grads, decays, eta: float) -> None:
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


OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def get_optimizer(name: str):
    """A new optimiser called ``name`` ("sgd" or "adam")."""
    return lookup("optimizer", name, OPTIMIZERS)()


class HalveOnPlateau:
    """Start at ``eta``; halve it whenever the validation accuracy has not improved
    for ``patience`` epochs in a row. Call it with the epoch to get eta; ``SGD`` reports
    each epoch's validation accuracy through ``observe``.
    """

    def __init__(self, eta: float, patience: int = 2, factor: float = 0.5):
        self.eta, self.patience, self.factor = eta, patience, factor
        self.best, self.waited = -np.inf, 0

    def __call__(self, epoch: int) -> float:
        return self.eta

    def observe(self, accuracy: float) -> None:
        if accuracy > self.best:
            self.best, self.waited = accuracy, 0
            return
        self.waited += 1
        if self.waited >= self.patience:
            self.eta *= self.factor
            self.waited = 0


SCHEDULES = ("halve_on_plateau",)


def make_schedule(schedule, eta: float):
    """Turn SGD's ``schedule`` argument into a function epoch -> eta."""
    if schedule is None:
        return lambda epoch: eta
    if isinstance(schedule, str):
        if schedule != "halve_on_plateau":
            raise ValueError(f"unknown schedule {schedule!r}: expected a function epoch -> eta or one of {SCHEDULES}")
        return HalveOnPlateau(eta)
    if not callable(schedule):
        raise ValueError(f"schedule must be a function epoch -> eta or one of {SCHEDULES}, got {schedule!r}")
    return schedule
