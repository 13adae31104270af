"""Self-checks for the exercises of notebook 08, "Training it better"."""

from __future__ import annotations

import numpy as np

from helpers.activations import Sigmoid
from helpers.checks import Hint, check_function, kindly_all, recipe, solution  # noqa: F401  (`check.recipe("l2_step")`)
from helpers.costs import CrossEntropyCost
from helpers.lessons import training_it_better as lesson


# ----------------------------------------------------------------- Exercise 1: the cross-entropy

CROSS_ENTROPY_HINT = Hint(
    "cross_entropy",
    "NumPy works element by element, so the formula can be written almost as it stands, with np.log for "
    "ln; it gives one number per output neuron, and the cost of an example adds up its row.",
    "-(y * np.log(a) + (1 - y) * np.log(1 - a)), then add up each row with .sum(axis=1).",
    step='the formula is -[y ln a + (1 - y) ln(1 - a)] for each output neuron, then the sum over the neurons '
         'of each example (each row).',
)
L2_STEP_HINT = Hint(
    "l2_step",
    "two parts: the old weights shrunk by the factor (1 - eta * lmbda / n), and the ordinary gradient "
    "step, eta times nabla_w, taken away. Only the old weights are shrunk.",
    "(1 - eta * lmbda / n) * w - eta * nabla_w.",
    step="the equation of the section in words: the old weights times the decay factor, one minus eta "
         "lmbda over n, and then the ordinary gradient step taken away, eta times nabla_w.",
)
EARLY_STOPPING_HINT = Hint(
    "early_stopping",
    "walk through the epochs in order, counting from 1, and remember the best accuracy so far and its "
    "epoch. A new best starts the wait again; otherwise, how many epochs has it been since the best?",
    "keep the best accuracy so far and its epoch; for each epoch (from 1), a new best resets the "
    "count; otherwise, once epoch - best_epoch reaches patience, return (best_epoch, epoch). If the "
    "loop ends, return (best_epoch, len(accuracies)).",
    step='epochs count from 1 (`enumerate(accuracies, start=1)`); a new best is strictly larger than the best '
         'so far; stop at the epoch where epoch - best_epoch reaches patience.',
)


def _course_cross_entropy(a, y):
    """The engine's cost, which works from z = ln(a / (1 - a)) (the z that gives this a)."""
    z = np.log(a) - np.log1p(-a)
    return CrossEntropyCost.fn(z, a, y, Sigmoid)


def _cross_entropy_cases() -> list[dict]:
    rng = np.random.default_rng(8)
    cases = [
        {"a": np.array([[0.9, 0.2]]), "y": np.array([[1.0, 0.0]])},
        {"a": np.array([[0.25, 0.5, 0.75], [0.6, 0.1, 0.3]]), "y": np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])},
    ]
    a = rng.uniform(0.01, 0.99, (6, 10))
    cases.append({"a": a, "y": np.eye(10)[rng.integers(0, 10, 6)]})
    return cases


def cross_entropy(learner) -> None:
    """Exercise 1: ``cross_entropy(a, y)``: for each row, -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]."""
    check_function(
        learner,
        _course_cross_entropy,
        _cross_entropy_cases(),
        name="cross_entropy",
        slips=[
            (lambda a, y: -(y * np.log(a)).sum(axis=1),
             "only the y ln a part: for sigmoid outputs each output neuron is also told off for being "
             "on when it should be off, the (1 - y) ln(1 - a) term."),
            (lambda a, y: (y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=1),
             "the right size but negative: ln of a number below 1 is negative, so the cost needs a minus "
             "sign in front to come out positive."),
            (lambda a, y: -(y * np.log10(a) + (1 - y) * np.log10(1 - a)).sum(axis=1),
             "logarithms to base 10: the cross-entropy uses the natural logarithm, `np.log`."),
            (lambda a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a)).mean(axis=1),
             "the mean over the output neurons: the cost of an example adds them up (`.sum(axis=1)`)."),
            (lambda a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(),
             "one number for the whole batch: the exercise asks for one cost per row (`.sum(axis=1)`)."),
            (lambda a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=1).mean(),
             "one number for the whole batch, the mean of the rows' costs: return the cost of each row, "
             "without the `.mean()`."),
            (lambda a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a)),
             "one number per output neuron: the cost of an example adds up its row, `.sum(axis=1)`."),
            (lambda a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=0),
             "one number per output neuron, added up over the examples: add up each *row* instead (one "
             "example per row), `.sum(axis=1)`."),
        ],
        hint=CROSS_ENTROPY_HINT,
    )


# ----------------------------------------------------------------- Exercise 2: one step with L2


def _step_cases() -> list[dict]:
    rng = np.random.default_rng(9)
    return [
        {"w": np.array([[1.0, -2.0]]), "nabla_w": np.array([[0.5, 0.5]]), "eta": 0.5, "lmbda": 5.0, "n": 50},
        {"w": np.array([[0.3, 0.0, -0.1], [2.0, 1.0, 0.5]]), "nabla_w": np.array([[0.0, 1.0, -1.0], [0.2, 0.0, 0.1]]),
         "eta": 0.1, "lmbda": 0.0, "n": 1000},
        {"w": rng.standard_normal((4, 6)), "nabla_w": rng.standard_normal((4, 6)), "eta": 0.5, "lmbda": 100.0,
         "n": 1000},
    ]


def l2_step(learner) -> None:
    """Exercise 2: ``l2_step(w, nabla_w, eta, lmbda, n)``: (1 - eta lmbda / n) w - eta nabla_w."""
    check_function(
        learner,
        lesson.decayed_step,
        _step_cases(),
        name="l2_step",
        slips=[
            (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda) * w - eta * nabla_w,
             "the weights shrink far too much: the decay is eta * lmbda / n, divided by n, the number of "
             "training images, not eta * lmbda."),
            (lambda w, nabla_w, eta, lmbda, n: (1 - lmbda / n) * w - eta * nabla_w,
             "the decay factor misses eta: it is a step down the gradient of (lmbda / 2n) ||w||^2, so it is "
             "as long as the other steps, 1 - eta * lmbda / n."),
            (lambda w, nabla_w, eta, lmbda, n: (1 + eta * lmbda / n) * w - eta * nabla_w,
             "the weights grow instead of shrinking: (1 - eta * lmbda / n) w, with a minus."),
            # eta * lmbda // n (whole-number division) is 0 whenever the decay is below 1, so that
            # slip gives exactly this answer too: the message names both.
            (lambda w, nabla_w, eta, lmbda, n: w - eta * nabla_w,
             "plain gradient descent, without the L2 part: multiply w by (1 - eta * lmbda / n) too. (If you "
             "did, look at the division: `//` is whole-number division, and eta * lmbda // n rounds down to 0.)"),
            (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda / n) * (w - eta * nabla_w),
             "close, but the gradient step was shrunk as well: only the old w is multiplied by "
             "(1 - eta * lmbda / n); then subtract eta * nabla_w."),
            (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda / (2 * n)) * w - eta * nabla_w,
             "the decay is half what it should be: the cost has lmbda / 2n, but its derivative, (lmbda / n) w, "
             "has no 1/2 left (the 2 of w^2 cancels it), so the factor is 1 - eta * lmbda / n."),
            (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda / n) * w + eta * nabla_w,
             "the weights decay, but then step *up* the gradient: subtract eta * nabla_w."),
            (lambda w, nabla_w, eta, lmbda, n: (1 - eta * lmbda / n) * w - nabla_w,
             "the gradient step is missing its eta: subtract eta * nabla_w, not nabla_w."),
        ],
        unchanged=("w", "nabla_w"),
        changed_hint="Return a new array (e.g. `(1 - eta * lmbda / n) * w - eta * nabla_w`) instead of "
        "changing the arrays you were given with `*=` or `-=` (`w *= ...`, `nabla_w *= eta`): they belong "
        "to the network, which uses them again.",
        hint=L2_STEP_HINT,
        atol=1e-12,
        rtol=1e-9,
    )


# ----------------------------------------------------------------- Exercise 3: early stopping


def _stopping_cases() -> list[dict]:
    return [
        # First a case where stopping one epoch late, the best of the whole list and stopping at
        # the first epoch without a new best all give different answers, so each slip is told apart.
        {"accuracies": [0.90, 0.92, 0.91, 0.91, 0.91, 0.91, 0.95], "patience": 3},
        {"accuracies": [0.90, 0.92, 0.91, 0.93, 0.93, 0.92, 0.91, 0.90], "patience": 3},
        {"accuracies": [0.5, 0.6, 0.7, 0.8], "patience": 2},
        {"accuracies": [0.80, 0.85, 0.84, 0.86, 0.85, 0.85], "patience": 1},
        {"accuracies": [0.97, 0.975, 0.975, 0.975, 0.97, 0.98], "patience": 3},
        {"accuracies": [0.95, 0.94, 0.96, 0.95, 0.955, 0.958, 0.957, 0.96, 0.961, 0.96], "patience": 5},
        # A network that starts at 0 % (it happens with a diverging eta): a best that starts at 0
        # never counts epoch 1 as a best.
        {"accuracies": [0.0, 0.0, 0.5, 0.4, 0.3], "patience": 2},
    ]


def _best_from_zero(accuracies, patience):
    """``best = 0`` at the start: as if an epoch 0 had scored 0.0 and been the best so far."""
    best_epoch, stop_epoch = lesson.stopping_point([0.0, *accuracies], patience)
    return best_epoch - 1, stop_epoch - 1


def _from_zero(accuracies, patience):
    best_epoch, stop_epoch = lesson.stopping_point(accuracies, patience)
    return best_epoch - 1, stop_epoch - 1


def _ties_count(accuracies, patience):
    best, best_epoch = -np.inf, 0
    for epoch, accuracy in enumerate(accuracies, start=1):
        if accuracy >= best:
            best, best_epoch = accuracy, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(accuracies)


def _one_late(accuracies, patience):
    """The slip of `epoch - best_epoch > patience`: one epoch more than the patience."""
    return _walk(accuracies, lambda epoch, best_epoch: epoch - best_epoch > patience)


def _never_reset(accuracies, patience):
    """The slip of counting every epoch without a new best, never starting the count again."""
    best, best_epoch, waited = -np.inf, 0, 0
    for epoch, accuracy in enumerate(accuracies, start=1):
        if accuracy > best:
            best, best_epoch = accuracy, epoch
        else:
            waited += 1
            if waited >= patience:
                return best_epoch, epoch
    return best_epoch, len(accuracies)


def _last_index(accuracies, patience):
    """The slip of len(accuracies) - 1 for the last epoch when the patience never runs out."""
    best_epoch, stop_epoch = lesson.stopping_point(accuracies, patience)
    return best_epoch, stop_epoch - (stop_epoch == len(accuracies))


def _best_accuracy(accuracies, patience):
    """The slip of returning the best accuracy instead of its epoch."""
    best_epoch, stop_epoch = lesson.stopping_point(accuracies, patience)
    return accuracies[best_epoch - 1], stop_epoch


def _walk(accuracies, ran_out):
    best, best_epoch = -np.inf, 0
    for epoch, accuracy in enumerate(accuracies, start=1):
        if accuracy > best:
            best, best_epoch = accuracy, epoch
        elif ran_out(epoch, best_epoch):
            return best_epoch, epoch
    return best_epoch, len(accuracies)


def _overall_best(accuracies, patience):
    return int(np.argmax(accuracies)) + 1, len(accuracies)


def _first_drop(accuracies, patience):
    return lesson.stopping_point(accuracies, 1)


def early_stopping(learner) -> None:
    """Exercise 3: ``early_stopping(accuracies, patience)``: ``(best_epoch, stop_epoch)``,
    epochs counted from 1 (``lesson.stopping_point``)."""
    check_function(
        learner,
        lesson.stopping_point,
        _stopping_cases(),
        name="early_stopping",
        parts=("best_epoch", "stop_epoch"),
        slips=[
            (_from_zero, "both epochs are one too small: count the epochs from 1, as the training "
             "prints them (`enumerate(accuracies, start=1)`)."),
            (_ties_count, "an epoch that only *equals* the best so far counted as a new best: it has to "
             "beat it (`>`, not `>=`), or a flat curve would never stop."),
            # Before "the best of the whole list": one epoch too late often runs to the end of the list.
            (_one_late, "training stopped one epoch too late: it stops at the epoch where `patience` epochs "
             "in a row have brought no new best, that is when epoch - best_epoch reaches patience (`>=`, not `>`)."),
            (_never_reset, "training stopped too early: your count of epochs without a new best never starts "
             "again. After each new best, the wait starts from 0 (or compare epoch - best_epoch with patience)."),
            (_last_index, "when the patience never runs out, training stops after the last epoch, whose "
             "number (counting from 1) is len(accuracies), not len(accuracies) - 1."),
            (_best_accuracy, "the first number is the best *accuracy*; the exercise asks for the *epoch* "
             "it came from (counting from 1)."),
            (_overall_best, "this is the best of the whole list: early stopping does not see the future. "
             "Walk through the epochs and stop as soon as `patience` epochs in a row brought no new best."),
            (_best_from_zero, "your best starts at 0, so when the first epochs score 0.0 (a network that has not "
             "learned anything yet) none of them counts as the best: start from `best = -np.inf`, or from "
             "the first epoch's accuracy."),
            (_first_drop, "training stopped at the first epoch without a new best: wait for `patience` "
             "epochs in a row without one."),
        ],
        hint=EARLY_STOPPING_HINT,
    )


kindly_all(globals())
