"""Callbacks: what watches a training run and may act on it, without the loop knowing what it is.

The training loop (``helpers.training.train``) calls each of its callbacks at four moments,
with the run itself (``helpers.training.Run``) as the one argument:

    on_train_begin(run)   before the first mini-batch
    on_batch_end(run)     after each mini-batch (run.batch of run.batches_per_epoch done in this epoch)
    on_epoch_end(run)     after each epoch, once run.history has its numbers
    on_train_end(run)     at the end, also after an error or a stop

A callback reads what it needs from the run: ``epoch``, ``epochs``, ``batch``,
``batches_per_epoch``, ``eta``, ``history`` (per-epoch lists), ``model``; and may call
``run.stop()`` to end training after the current epoch (early stopping). Progress bars
(``helpers.progress``, ``helpers.widgets.progress``), notebook 05's live curve, notebook
07's training monitor, early stopping, the plateau schedule and the command line's epoch
lines are all callbacks: the protocol of Keras' ``keras.callbacks.Callback``, smaller.
"""

from __future__ import annotations


class Callback:
    """A callback that does nothing: subclass it and write only the methods you need."""

    def on_train_begin(self, run) -> None:
        pass

    def on_batch_end(self, run) -> None:
        pass

    def on_epoch_end(self, run) -> None:
        pass

    def on_train_end(self, run) -> None:
        pass


class EveryEpoch(Callback):
    """A function ``fn(epoch, history)`` called after every epoch, as a callback (a quick
    one in a notebook or a script; it may return False to stop training)."""

    def __init__(self, fn):
        if not callable(fn):
            raise ValueError(f"EveryEpoch needs a function fn(epoch, history), got {fn!r}")
        self.fn = fn

    def on_epoch_end(self, run) -> None:
        answer = self.fn(run.epoch, run.history)
        if answer is not None and not answer:  # False, np.False_, 0: stop
            run.stop()
