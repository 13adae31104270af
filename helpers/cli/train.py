"""Train a network on MNIST from the command line.

    python -m helpers train                                   # Nielsen's chapter-1 run
    python -m helpers train --cost cross_entropy --init scaled --lmbda 5 --epochs 30
    python -m helpers train --all-training --augment 1 --save model.npz
    python -m helpers train --model cnn --all-training --save cnn.npz     # notebook 11's CNN, 10 epochs

Prints, after each epoch, the validation and test accuracy and the seconds it took.
With ``--all-training`` the network trains on all 60,000 training images (no validation
set is left, so choose the settings with a validation run first).

``--model cnn`` trains the convolutional network of notebook 11
(``helpers.lessons.convolutions.cnn``) for longer, with a recipe of its own (``RECIPES["cnn"]``: Adam, eta 0.002 times 0.8 each epoch, mini-batches
of 64, shifts of up to 1 pixel, 10 epochs); any option given on the command line replaces
the recipe's value.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time

import numpy as np

from helpers.activations import HIDDEN, OUTPUT
from helpers.costs import COSTS
from helpers.data import Dataset, MnistError, load_datasets
from helpers.images import random_shift
from helpers.lessons.convolutions import as_images, cnn, shift_images
from helpers.network import INITS, Network
from helpers.optimizers import OPTIMIZERS, make_schedule
from helpers.progress import ProgressBar
from helpers.callbacks import Callback
from helpers.saving import check_destination, save
from helpers.training import TrainingDiverged, train as train_model
from helpers.validation import check_sizes

MAX_AUGMENT = 4  # pixels: MNIST digits sit in a 20x20 box in the middle of the 28x28 image
MAX_STEP_BYTES = 64 << 20  # the activations of one mini-batch, all layers: bounds the memory a step uses

# Each model's own defaults; what the command line gives replaces them. The dense ones are
# Nielsen's chapter-1 run; the CNN's reached 99.31 % on the 10,000 test images with
# --all-training (10 epochs, 355 s of CPU time on one core, scoring included).
RECIPES = {
    "dense": dict(optimizer="sgd", eta=3.0, mini_batch_size=10, epochs=30, schedule="constant", augment=0),
    "cnn": dict(optimizer="adam", eta=0.002, mini_batch_size=64, epochs=10, schedule="decay:0.8", augment=1),
}
# Numbers a CNN step holds per example: each convolution's unrolled patches (im2col) and
# its maps before ReLU, after ReLU and pooled.
CNN_STEP_NUMBERS = 25 * 24 * 24 + 3 * 16 * 24 * 24 + 16 * 25 * 8 * 8 + 3 * 32 * 8 * 8


def image_set(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Rows of 784 pixels as the CNN's input, (n, 1, 28, 28) (a view, no copy), and the labels."""
    return as_images(dataset.X), dataset.y


class EpochLines(Callback):
    """Print a line after each epoch: "epoch 3/30, eta 3, validation 96.12%, test 96.40%, 0.41 s"."""

    def __init__(self, bar: ProgressBar | None):
        self.bar = bar

    def on_epoch_end(self, run) -> None:
        if self.bar is not None:
            self.bar.clear_line()  # so the epoch's line is not mixed into the bar; it is redrawn below it
        history = run.history
        parts = [f"epoch {run.epoch + 1}/{run.epochs}", f"eta {history['eta'][-1]:g}"]
        if history["validation_accuracy"]:
            parts.append(f"validation {history['validation_accuracy'][-1]:.2%}")
        parts.append(f"test {history['test_accuracy'][-1]:.2%}")
        parts.append(f"{history['seconds'][-1]:.2f} s")
        print(", ".join(parts), flush=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m helpers train", description="Train a network on MNIST with SGD.")
    p.add_argument("--model", choices=list(RECIPES), default="dense",
                   help="dense: a network of --sizes (default); cnn: notebook 11's convolutional network, with its "
                        "own recipe")
    p.add_argument("--sizes", type=int, nargs="+", default=[784, 100, 10],
                   help="layer sizes of the dense network (default: 784 100 10)")
    p.add_argument("--activation", choices=list(HIDDEN), default="sigmoid", help="hidden-layer activation")
    p.add_argument("--output", choices=list(OUTPUT), default="sigmoid", help="output-layer activation")
    p.add_argument("--cost", choices=list(COSTS), default="quadratic")
    p.add_argument("--init", choices=INITS, default="normal", help="normal: N(0,1); scaled: N(0,1/n_in)")
    p.add_argument("--optimizer", choices=list(OPTIMIZERS), default=None, help="default: sgd (cnn: adam)")
    p.add_argument("--eta", type=float, default=None, help="learning rate (default 3.0; cnn: 0.002)")
    p.add_argument("--mini-batch-size", "-m", type=int, default=None, help="default 10 (cnn: 64)")
    p.add_argument("--epochs", type=int, default=None, help="default 30 (cnn: 10)")
    p.add_argument("--lmbda", "--lambda", type=float, default=0.0, help="L2 regularisation (default 0)")
    p.add_argument(
        "--schedule", default=None,
        help="'constant' (default), 'halve_on_plateau' (needs validation), 'halve_every:N' or 'decay:F' (eta times F "
             "each epoch; cnn: decay:0.8)")
    p.add_argument("--augment", type=int, default=None, metavar="PIXELS",
                   help=f"random shifts of up to PIXELS, 0 to {MAX_AUGMENT} (default 0: none; cnn: 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--all-training", action="store_true", help="train on all 60,000 images (no validation set)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="use only the first N training images")
    p.add_argument("--save", metavar="PATH", help="save the trained network (.npz) to PATH")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def fill_in_recipe(args) -> None:
    """Options not given on the command line take the model's recipe values."""
    for name, value in RECIPES[args.model].items():
        if getattr(args, name) is None:
            setattr(args, name, value)


def check_options(args) -> None:
    """Every option checked before the data is loaded (and before a long run), each
    message naming the option."""
    fill_in_recipe(args)
    if not 0 <= args.augment <= MAX_AUGMENT:
        raise ValueError(f"--augment must be between 0 and {MAX_AUGMENT} pixels, got {args.augment}: the digits sit "
                         f"in the middle 20x20 pixels of the 28x28 image, so wider shifts move them off the edge")
    for option, value, minimum in (("--seed", args.seed, 0), ("--epochs", args.epochs, 0),
                                   ("--mini-batch-size", args.mini_batch_size, 1), ("--limit", args.limit, 1)):
        if value is not None and value < minimum:
            raise ValueError(f"{option} must be a whole number >= {minimum}, got {value}")
    if not args.eta > 0 or args.eta == float("inf"):
        raise ValueError(f"--eta (the learning rate) must be a number > 0, got {args.eta}")
    if not 0 <= args.lmbda < float("inf"):
        raise ValueError(f"--lmbda must be a number >= 0, got {args.lmbda}")
    try:
        sizes = check_sizes(args.sizes)
    except ValueError as err:
        raise ValueError(f"--sizes: {err}") from None
    if sizes[0] != 784 or sizes[-1] != 10:
        raise ValueError(f"--sizes must start with 784 (28x28 pixels) and end with 10 (the digits), got {sizes}")
    if args.model == "cnn":
        for option, value in (("--sizes", args.sizes != [784, 100, 10]), ("--activation", args.activation != "sigmoid"),
                              ("--output", args.output != "sigmoid"), ("--cost", args.cost != "quadratic"),
                              ("--init", args.init != "normal"), ("--lmbda", args.lmbda != 0)):
            if value:
                raise ValueError(f"{option} is for the dense network; the CNN's layers are fixed (--model dense to "
                                 f"choose them)")
        numbers, what = CNN_STEP_NUMBERS, "the CNN's layers"
    else:
        numbers, what = sum(sizes), f"layers of {sum(sizes):,} neurons"
    per_example = numbers * np.dtype(args.dtype).itemsize  # bytes of activations per example in a step
    if args.mini_batch_size * per_example > MAX_STEP_BYTES:
        raise ValueError(f"--mini-batch-size {args.mini_batch_size} is too large for {what} "
                         f"in {args.dtype}: a step would hold {args.mini_batch_size * per_example / 2**20:,.0f} MB of "
                         f"activations (at most {MAX_STEP_BYTES >> 20} MB here); use at most "
                         f"{MAX_STEP_BYTES // per_example:,}")
    make_schedule(args.schedule, args.eta)
    if args.all_training and args.schedule == "halve_on_plateau":
        raise ValueError("halve_on_plateau needs a validation set: use halve_every:N with --all-training")
    if args.save:
        check_destination(args.save)  # now, not after the whole run: "cannot save to ..."


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_options(args)
        schedule = args.schedule
        train, validation, test = load_datasets(n_validation=0 if args.all_training else 10_000)
        if args.limit is not None:
            train = Dataset(train.X[: args.limit], train.y[: args.limit])
        dtype = np.dtype(args.dtype).type
        bar = None if args.quiet else ProgressBar("Training")
        settings = dict(validation_data=validation if len(validation) else None, test_data=test,
                        callbacks=[EpochLines(bar)] + ([bar] if bar is not None else []), schedule=schedule,
                        optimizer=args.optimizer)
        if args.model == "cnn":
            net = cnn(rng=np.random.default_rng(args.seed), dtype=dtype)
            print(f"{net!r}, {net.n_params:,} parameters; training on {len(train):,} images", flush=True)
            shifts = functools.partial(shift_images, max_shift=args.augment) if args.augment else None
            settings.update(validation_data=image_set(validation) if len(validation) else None,
                            test_data=image_set(test), augment=shifts)
            start = time.perf_counter()
            history = train_model(net, image_set(train), args.epochs, args.mini_batch_size, args.eta,
                                  rng=np.random.default_rng(args.seed), **settings)
        else:
            net = Network(args.sizes, activation=args.activation, output=args.output, cost=args.cost,
                          init=args.init, dtype=dtype, seed=args.seed)
            augment = functools.partial(random_shift, max_shift=args.augment) if args.augment > 0 else None
            print(f"{net}, {net.n_params:,} parameters; training on {len(train):,} images", flush=True)
            start = time.perf_counter()
            history = net.SGD(train, args.epochs, args.mini_batch_size, args.eta, lmbda=args.lmbda,
                              augment=augment, **settings)
        total = time.perf_counter() - start
    except (ValueError, MnistError, TrainingDiverged) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if history["test_accuracy"]:
        print(
            f"final test accuracy {history['test_accuracy'][-1]:.2%}; "
            f"{sum(history['seconds']):.1f} s training, {total:.1f} s in all",
            flush=True,
        )
    if args.save:
        try:
            save(net, args.save)
        except (ValueError, OSError) as err:  # e.g. the disk filled up during the run
            print(f"error: the trained network was not saved: {err}", file=sys.stderr)
            return 1
        print(f"saved to {args.save}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
