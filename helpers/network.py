"""A feedforward neural network trained by stochastic gradient descent and backpropagation.

This follows Michael Nielsen's ``network.py`` (*Neural Networks and Deep Learning*,
chapters 1-3), with one change: everything works on a whole mini-batch at once. A
mini-batch is a matrix X with one example per *row*, so for each layer

    z = a @ w.T + b        a' = sigma(z)

where ``w`` has shape (n_out, n_in) as in the book (row j holds the weights into neuron
j; for the first layer it reshapes to a 28x28 picture) and ``b`` has shape (n_out,).
One matrix product per layer replaces the book's loop over examples, and makes training
many times faster.

    >>> net = Network([784, 100, 10], seed=0)
    >>> net.n_params
    79510
"""

from __future__ import annotations

import os
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from helpers.activations import HIDDEN, OUTPUT, lookup
from helpers.costs import get_cost
from helpers.optimizers import get_optimizer, make_schedule
from helpers.progress import ProgressBar

INITS = ("normal", "scaled")
DTYPES = {"float32": np.float32, "float64": np.float64}
FORMAT = "digits-from-scratch network v1"  # written into every saved file
EVAL_CHUNK = 10_000  # rows fed forward at once when evaluating (bounds the memory used)


class TrainingDiverged(FloatingPointError):
    """The cost became NaN or infinite during training (eta was probably too large)."""


class Network:
    """A network of fully connected layers of sizes ``sizes``, e.g. [784, 100, 10].

    ``activation``: "sigmoid" or "relu" for the hidden layers.
    ``output``: "sigmoid", "softmax" or "linear" for the output layer.
    ``cost``: "quadratic" or "cross_entropy" (from the logits for softmax and linear
    outputs, as frameworks do).
    ``init``: "normal" draws every weight and bias from N(0, 1) (Nielsen, chapter 1);
    "scaled" draws weights from N(0, 1/n_in) (chapter 3), so that z does not start out
    huge and the sigmoid neurons are not saturated.
    ``dtype``: np.float32 (fast, the default) or np.float64 (for gradient checks).
    ``seed`` or ``rng``: where the random numbers come from, so runs can be repeated.
    ``lmbda``: the L2 regularisation parameter used by ``cost``, ``gradients`` and
    ``SGD`` unless they are given another one.
    """

    def __init__(
        self,
        sizes,
        activation: str = "sigmoid",
        output: str = "sigmoid",
        cost: str = "quadratic",
        init: str = "normal",
        dtype=np.float32,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
        lmbda: float = 0.0,
    ):
        self.sizes = _check_sizes(sizes)
        self.num_layers = len(self.sizes)
        self.activation = lookup("activation", activation, HIDDEN)
        self.output = lookup("output activation", output, OUTPUT)
        self.cost_function = get_cost(cost)
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}: expected one of {', '.join(map(repr, INITS))}")
        self.init = init
        self.dtype = _check_dtype(dtype)
        self.lmbda = _check_lmbda(lmbda)
        self.rng = _make_rng(seed, rng)
        # Biases first, then weights, as in Nielsen's code. Drawn in float64 and then
        # rounded, so a float32 and a float64 network with the same seed start alike.
        self.biases = [self.rng.standard_normal(n).astype(self.dtype) for n in self.sizes[1:]]
        scale = (lambda n_in: 1.0) if init == "normal" else (lambda n_in: 1 / np.sqrt(n_in))
        self.weights = [
            (self.rng.standard_normal((n_out, n_in)) * scale(n_in)).astype(self.dtype)
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])
        ]

    def __repr__(self) -> str:
        return (
            f"Network({self.sizes}, activation={self.activation.name!r}, output={self.output.name!r}, "
            f"cost={self.cost_function.name!r}, dtype={np.dtype(self.dtype).name})"
        )

    @property
    def n_params(self) -> int:
        """The number of weights and biases, counted from the arrays themselves."""
        return sum(w.size for w in self.weights) + sum(b.size for b in self.biases)

    # ----------------------------------------------------------------- the forward pass
    def feedforward(self, X) -> np.ndarray:
        """Return the output of the network for the inputs ``X`` (one example per row)."""
        return self._feedforward(self._check_X(X))

    def _feedforward(self, a: np.ndarray) -> np.ndarray:
        return self.output.fn(self._output_z(a))

    def _output_z(self, a: np.ndarray) -> np.ndarray:
        """The output layer's weighted input Z^L, one example per row (the costs need Z, not only A)."""
        a = a.astype(self.dtype, copy=False)
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            a = self.activation.fn(a @ w.T + b)  # A^l = sigma(A^(l-1) (w^l)^T + b^l), one example per row
        return a @ self.weights[-1].T + self.biases[-1]

    # ----------------------------------------------------------------- backpropagation
    def backprop(self, X, Y) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return ``(nabla_w, nabla_b)``, the gradient of the mean cost over the rows of
        ``X`` (targets ``Y``, one-hot rows), layer by layer like ``weights`` and ``biases``.
        No L2 term here: see ``gradients``."""
        X = self._check_X(X)
        return self._backprop(X, self._check_Y(Y, len(X)))

    def _backprop(self, x: np.ndarray, y: np.ndarray):
        # Forward pass, remembering every z and every activation a.
        activation = x
        activations = [x]
        zs = []
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            z = activation @ w.T + b
            zs.append(z)
            activation = self.activation.fn(z)
            activations.append(activation)
        z = activation @ self.weights[-1].T + self.biases[-1]
        a = self.output.fn(z)
        zs.append(z)
        activations.append(a)
        # Backward pass; l counts layers from the end, as in Nielsen (l = 1: the output).
        # (BP1) the output error. Dividing it by the batch size m makes every sum over
        # the batch below a mean.
        delta = self.cost_function.delta(z, a, y, self.output)
        delta *= 1 / len(x)
        nabla_w = [None] * len(self.weights)
        nabla_b = [None] * len(self.biases)
        # (BP3, BP4) dC/db = delta and dC/dw = delta a_prev^T, summed over the batch.
        nabla_b[-1] = delta.sum(axis=0)
        nabla_w[-1] = delta.T @ activations[-2]
        for l in range(2, self.num_layers):
            # (BP2) move the error back one layer: delta = (delta w) * sigma'(z)
            # (the hidden activation's derivative: sigma' or ReLU')
            delta = self.activation.backward(zs[-l], activations[-l], delta @ self.weights[-l + 1])
            nabla_b[-l] = delta.sum(axis=0)
            nabla_w[-l] = delta.T @ activations[-l - 1]
        return nabla_w, nabla_b

    # ----------------------------------------------------------------- cost and gradient
    def cost(self, X, Y, lmbda: float | None = None) -> float:
        """The mean cost over the rows of ``X`` plus the L2 term (lmbda / 2n) sum ||w||^2,
        with n = len(X) (Nielsen's ``total_cost``). ``lmbda`` defaults to ``self.lmbda``."""
        X = self._check_X(X, cast=False)
        Y = self._check_Y(Y, len(X))
        lmbda = self.lmbda if lmbda is None else _check_lmbda(lmbda)
        return self._mean_cost(X, Y) + self._l2_cost(lmbda, len(X))

    def _mean_cost(self, X: np.ndarray, Y: np.ndarray) -> float:
        total = 0.0
        for k in range(0, len(X), EVAL_CHUNK):
            z = self._output_z(X[k : k + EVAL_CHUNK])
            total += float(self.cost_function.fn(z, self.output.fn(z), Y[k : k + EVAL_CHUNK], self.output).sum())
        return total / len(X)

    def _l2_cost(self, lmbda: float, n: int) -> float:
        if not lmbda:
            return 0.0
        return 0.5 * (lmbda / n) * sum(float(np.sum(w.astype(np.float64) ** 2)) for w in self.weights)

    def gradients(self, X, Y, lmbda: float | None = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The exact gradient of ``cost(X, Y, lmbda)``: ``(dC_dw, dC_db)``, shaped like
        ``weights`` and ``biases``. The L2 term adds (lmbda / n) w to each dC/dw."""
        X = self._check_X(X)
        Y = self._check_Y(Y, len(X))
        lmbda = self.lmbda if lmbda is None else _check_lmbda(lmbda)
        nabla_w, nabla_b = self._backprop(X, Y)
        if lmbda:
            nabla_w = [nw + (lmbda / len(X)) * w for nw, w in zip(nabla_w, self.weights)]
        return nabla_w, nabla_b

    # ----------------------------------------------------------------- training
    def SGD(
        self,
        training_data,
        epochs: int,
        mini_batch_size: int,
        eta: float,
        lmbda: float | None = None,
        validation_data=None,
        test_data=None,
        callback=None,
        schedule=None,
        optimizer: str = "sgd",
        augment=None,
        quiet: bool = False,
        verbose: bool = False,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ) -> dict:
        """Train the network with mini-batch stochastic gradient descent.

        ``training_data`` is a pair (X, y) such as ``train`` from ``load_datasets``, with
        labels y (integers or one-hot rows). In each epoch the examples are shuffled and
        cut into mini-batches of ``mini_batch_size``; each mini-batch moves every weight
        and bias one step down the gradient, with learning rate ``eta``:

            w -> (1 - eta lmbda / n) w - eta nabla_w      (n = len(training_data))

        Optional:

        * ``lmbda``: L2 regularisation (default: the network's own ``lmbda``);
        * ``validation_data``, ``test_data``: pairs (X, y) scored after every epoch;
        * ``schedule``: a function ``epoch -> eta`` (epochs count from 0), or
          "halve_on_plateau" (halve eta when the validation accuracy has not improved for
          2 epochs; needs ``validation_data``);
        * ``optimizer``: "sgd" or "adam";
        * ``augment``: a function ``(X, rng) -> X`` applied to the training images as they
          are used, e.g. ``helpers.images.random_shift``;
        * ``callback(epoch, history)`` after every epoch (return False to stop early);
        * ``quiet``: no progress bar; ``verbose``: print one line per epoch;
        * ``rng`` or ``seed``: for the shuffling (default: the network's own generator).

        Returns the history, a dict of per-epoch lists ready to plot: "epoch", "eta",
        "training_cost" (the cost, with its L2 term, estimated on up to 10,000 training
        examples), "validation_accuracy" and "test_accuracy" (fractions, empty without
        that data) and "seconds" (training time of each epoch, without the scoring).

        If the cost becomes NaN or infinite, training stops with ``TrainingDiverged``.
        """
        X, Y = self._check_data(training_data, "training_data")
        n = len(X)
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r}")
        if isinstance(mini_batch_size, bool) or not isinstance(mini_batch_size, (int, np.integer)) or mini_batch_size < 1:
            raise ValueError(f"mini_batch_size must be a whole number >= 1, got {mini_batch_size!r}")
        eta = _check_eta(eta)
        lmbda = self.lmbda if lmbda is None else _check_lmbda(lmbda)
        validation = self._check_data(validation_data, "validation_data") if validation_data is not None else None
        test = self._check_data(test_data, "test_data") if test_data is not None else None
        if schedule == "halve_on_plateau" and validation is None:
            raise ValueError("schedule='halve_on_plateau' needs validation_data to tell when accuracy stops improving")
        eta_for = make_schedule(schedule, eta)
        opt = get_optimizer(optimizer)
        if augment is not None and not callable(augment):
            raise ValueError(f"augment must be a function (X, rng) -> X or None, got {augment!r}")
        rng = _make_rng(seed, rng) if (seed is not None or rng is not None) else self.rng

        m = int(mini_batch_size)
        decay = lmbda / n  # the L2 weight decay per step is eta * lmbda / n
        # Mini-batches are taken from chunks of the shuffled data (about 2,000 examples):
        # one copy per chunk instead of one per mini-batch, and never a copy of the whole set.
        chunk = m * max(1, 2000 // m)
        batches_per_epoch = -(-n // m)
        cost_sample = slice(0, min(n, 10_000))
        history = {k: [] for k in ("epoch", "eta", "training_cost", "validation_accuracy", "test_accuracy", "seconds")}
        bar = ProgressBar(epochs * batches_per_epoch, "Training", quiet=quiet)
        try:
            # Overflow to inf/NaN is caught by the divergence checks below, with a clearer message.
            with np.errstate(over="ignore", invalid="ignore"):
                for epoch in range(epochs):
                    eta_e = _check_eta(eta_for(epoch), f"the schedule's eta for epoch {epoch}")
                    start_time = time.perf_counter()
                    perm = rng.permutation(n)
                    for start in range(0, n, chunk):
                        idx = perm[start : start + chunk]
                        x_chunk = X[idx]
                        if augment is not None:
                            x_chunk = augment(x_chunk, rng)
                        x_chunk = x_chunk.astype(self.dtype, copy=False)
                        y_chunk = Y[idx]
                        for k in range(0, len(idx), m):
                            self.update_mini_batch(x_chunk[k : k + m], y_chunk[k : k + m], eta_e, decay, opt)
                        # A cheap divergence check: the cost of the chunk's last mini-batch.
                        last = slice(max(0, len(idx) - m), len(idx))
                        batch_cost = self._mean_cost(x_chunk[last], y_chunk[last])
                        self._check_finite(batch_cost, epoch, eta_e)
                        bar.update(-(-len(idx) // m), status=f"epoch {epoch + 1}/{epochs}")
                    seconds = time.perf_counter() - start_time

                    training_cost = self._mean_cost(X[cost_sample].astype(self.dtype, copy=False), Y[cost_sample])
                    training_cost += self._l2_cost(lmbda, n)
                    self._check_finite(training_cost, epoch, eta_e)
                    history["epoch"].append(epoch)
                    history["eta"].append(eta_e)
                    history["training_cost"].append(training_cost)
                    history["seconds"].append(seconds)
                    line = f"Epoch {epoch}: training cost {training_cost:.4f}"
                    for name, data in (("validation", validation), ("test", test)):
                        if data is not None:
                            acc = self._accuracy(*data)
                            history[f"{name}_accuracy"].append(acc)
                            line += f", {name} accuracy {acc:.2%}"
                    line += f", {seconds:.2f} s"
                    if validation is not None and hasattr(eta_for, "observe"):
                        eta_for.observe(history["validation_accuracy"][-1])
                    if verbose:
                        print(line, flush=True)
                    if validation is not None:
                        bar.update(0, status=f"epoch {epoch + 1}/{epochs}, validation {history['validation_accuracy'][-1]:.2%}")
                    if callback is not None and callback(epoch, history) is False:
                        break
        finally:
            bar.close()
        return history

    def update_mini_batch(self, X, Y, eta: float, decay: float = 0.0, optimizer=None) -> None:
        """Take one gradient step on the mini-batch ``X`` (targets ``Y``, one-hot rows).

        ``decay`` is lmbda / n, the L2 weight decay (n: size of the whole training set).
        ``optimizer`` defaults to plain SGD. No input checks here: this runs thousands
        of times per epoch, so ``SGD`` checks the data once beforehand."""
        nabla_w, nabla_b = self._backprop(X, Y)
        decays = [decay] * len(self.weights) + [0.0] * len(self.biases)
        (optimizer or _PLAIN_SGD).step(self.weights + self.biases, nabla_w + nabla_b, decays, eta)

    def _check_finite(self, cost: float, epoch: int, eta: float) -> None:
        if not np.isfinite(cost):
            raise TrainingDiverged(
                f"training diverged in epoch {epoch}: the cost became {cost} with eta = {eta:g}. "
                f"The steps are too large: try a smaller learning rate, e.g. eta = {eta / 10:g}."
            )

    # ----------------------------------------------------------------- using the network
    def predict(self, X) -> np.ndarray:
        """The digit the network picks for each row of ``X``: the index of the largest output."""
        X = self._check_X(X, cast=False)  # cast chunk by chunk in _output_z
        # The output activations are increasing functions of z, so the largest z wins.
        return np.concatenate(
            [np.argmax(self._output_z(X[k : k + EVAL_CHUNK]), axis=1) for k in range(0, len(X), EVAL_CHUNK)]
            or [np.zeros(0, dtype=np.int64)]
        ).astype(np.int64)

    def evaluate(self, X, y) -> int:
        """The number of rows of ``X`` for which the network picks the right label ``y``
        (labels, or one-hot rows)."""
        X, Y = self._check_data((X, y), "(X, y)")
        return int(np.sum(self.predict(X) == np.argmax(Y, axis=1)))

    def accuracy(self, X, y) -> float:
        """The fraction of rows of ``X`` classified correctly (between 0 and 1)."""
        return self._accuracy(*self._check_data((X, y), "(X, y)"))

    def _accuracy(self, X, Y) -> float:
        if len(X) == 0:
            return float("nan")
        return float(np.mean(self.predict(X) == np.argmax(Y, axis=1)))

    def copy(self, dtype=None) -> "Network":
        """An independent copy of the network, optionally converted to another dtype."""
        net = object.__new__(Network)
        net.__dict__.update(self.__dict__)
        net.dtype = _check_dtype(dtype) if dtype is not None else self.dtype
        net.weights = [w.astype(net.dtype, copy=True) for w in self.weights]
        net.biases = [b.astype(net.dtype, copy=True) for b in self.biases]
        bit_generator = type(self.rng.bit_generator)()
        bit_generator.state = self.rng.bit_generator.state  # same stream, not the same object
        net.rng = np.random.Generator(bit_generator)
        return net

    # ----------------------------------------------------------------- saving and loading
    def save(self, path) -> None:
        """Save the network to ``path`` as a NumPy ``.npz`` file (plain arrays, no pickle).

        The file is written to a temporary name in the same folder and renamed when
        complete, so an interrupted save never leaves half a file behind."""
        path = Path(path)
        arrays = {
            "format": np.array(FORMAT),
            "sizes": np.array(self.sizes, dtype=np.int64),
            "activation": np.array(self.activation.name),
            "output": np.array(self.output.name),
            "cost": np.array(self.cost_function.name),
            "init": np.array(self.init),
            "dtype": np.array(np.dtype(self.dtype).name),
            "lmbda": np.array(self.lmbda, dtype=np.float64),
        }
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            arrays[f"w{l}"], arrays[f"b{l}"] = w, b
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    @classmethod
    def load(cls, path) -> "Network":
        """Load a network saved by ``save``. Anything else, including a damaged, altered
        or pickle-carrying file, gives a ValueError (pickles are never unpickled)."""
        path = Path(path)
        with open(path, "rb") as f:  # FileNotFoundError passes through as it is
            start = f.read(4)
        if start != b"PK\x03\x04":  # every .npz is a zip archive, and zips start so
            raise ValueError(
                f"{path} is not a saved network: a network is saved as an .npz (zip) archive, but this "
                f"file starts with {start.hex(' ') or 'nothing'}. Save one with net.save(path)."
            )
        try:
            with np.load(path, allow_pickle=False) as f:
                arrays = {key: f[key] for key in f.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
            if "pickle" in str(err):  # NumPy's message suggests unpickling: never do that here
                err = "it holds pickled Python objects, which are never loaded (they could run code)"
            raise ValueError(f"{path} is not a readable saved network: {err}") from None
        return cls._from_arrays(arrays, path)

    @classmethod
    def _from_arrays(cls, arrays: dict, path) -> "Network":
        def bad(msg):
            return ValueError(f"{path} is not a valid saved network: {msg}")

        def text(key):
            value = arrays.get(key)
            if value is None or value.dtype.kind != "U" or value.ndim != 0:
                raise bad(f"{key!r} should be a text entry")
            return str(value)

        if text("format") != FORMAT:
            raise bad(f"format {text('format')!r}, expected {FORMAT!r}")
        sizes = arrays.get("sizes")
        if sizes is None or sizes.ndim != 1 or sizes.dtype.kind not in "iu":
            raise bad("'sizes' should be a 1-D array of whole numbers")
        dtype_name = text("dtype")
        if dtype_name not in DTYPES:
            raise bad(f"dtype {dtype_name!r}, expected one of {list(DTYPES)}")
        lmbda = arrays.get("lmbda")
        if lmbda is None or lmbda.shape != () or lmbda.dtype.kind != "f":
            raise bad("'lmbda' should be one number")
        n_layers = len(sizes) - 1
        expected_keys = {"format", "sizes", "activation", "output", "cost", "init", "dtype", "lmbda"}
        expected_keys |= {f"w{l}" for l in range(n_layers)} | {f"b{l}" for l in range(n_layers)}
        if set(arrays) != expected_keys:
            raise bad(f"entries {sorted(arrays)}, expected {sorted(expected_keys)}")
        try:
            net = cls(
                sizes.tolist(),
                activation=text("activation"),
                output=text("output"),
                cost=text("cost"),
                init=text("init"),
                dtype=DTYPES[dtype_name],
                lmbda=float(lmbda),
                seed=0,
            )
        except ValueError as err:
            raise bad(str(err)) from None
        for l in range(n_layers):
            for name, like in ((f"w{l}", net.weights[l]), (f"b{l}", net.biases[l])):
                array = arrays[name]
                if array.shape != like.shape or array.dtype != like.dtype:
                    raise bad(f"{name!r} has shape {array.shape} and dtype {array.dtype}, expected {like.shape} and {like.dtype}")
                if not np.all(np.isfinite(array)):
                    raise bad(f"{name!r} contains NaN or infinite values")
        net.weights = [arrays[f"w{l}"].copy() for l in range(n_layers)]
        net.biases = [arrays[f"b{l}"].copy() for l in range(n_layers)]
        return net

    # ----------------------------------------------------------------- input checks
    def _check_X(self, X, cast: bool = True) -> np.ndarray:
        """Check that X has one example per row and the right number of columns; return
        it in the network's dtype (or as it is, with ``cast=False``)."""
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"X must be a 2-D array with one example per row, shape (n, {self.sizes[0]}); got shape {X.shape}"
            )
        if X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X must have {self.sizes[0]} columns (one per input neuron), got {X.shape[1]} (shape {X.shape})"
            )
        if X.dtype.kind not in "fiub":
            raise ValueError(f"X must hold numbers, got dtype {X.dtype}")
        return X.astype(self.dtype, copy=False) if cast else X

    def _check_Y(self, Y, n: int) -> np.ndarray:
        Y = np.asarray(Y)
        n_out = self.sizes[-1]
        if Y.shape != (n, n_out):
            raise ValueError(f"Y must be one-hot rows of shape ({n}, {n_out}) to match X, got shape {Y.shape}")
        if Y.dtype.kind not in "fiub" or not (np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)):
            raise ValueError("Y must be one-hot: each row all 0 except a single 1 (use helpers.data.one_hot(labels))")
        return Y.astype(self.dtype, copy=False)

    def _check_data(self, data, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Check a pair (X, y) with labels or one-hot rows; return X as given (not
        copied) and the targets as one-hot rows in the network's dtype."""
        try:
            X, y = data
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a pair (X, y), e.g. a Dataset from load_datasets, got {type(data).__name__}") from None
        X = self._check_X(X, cast=False)  # cast per mini-batch later: no copy of the whole set
        y = np.asarray(y)
        n_out = self.sizes[-1]
        if y.ndim == 1:
            if len(y) != len(X):
                raise ValueError(f"{name}: {len(X)} rows in X but {len(y)} labels in y")
            if y.dtype.kind not in "iu":
                raise ValueError(f"{name}: labels y must be whole numbers, got dtype {y.dtype}")
            if len(y) and (y.min() < 0 or y.max() >= n_out):
                raise ValueError(f"{name}: labels must be between 0 and {n_out - 1}, got {y.min()}..{y.max()}")
            Y = np.zeros((len(y), n_out), dtype=self.dtype)
            Y[np.arange(len(y)), y] = 1
            return X, Y
        return X, self._check_Y(y, len(X))


_PLAIN_SGD = get_optimizer("sgd")


def _check_sizes(sizes) -> list[int]:
    try:
        values = list(sizes)
    except TypeError:
        values = None
    if values is None or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in values):
        raise ValueError(f"sizes must be a list of whole numbers such as [784, 100, 10], got {sizes!r}")
    if len(values) < 2:
        raise ValueError(f"a network needs at least two layers (input and output), e.g. [784, 10]; got sizes {values!r}")
    if min(values) < 1:
        raise ValueError(f"every layer needs at least one neuron, got sizes {values!r}")
    return [int(s) for s in values]


def _check_dtype(dtype):
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}: expected np.float32 or np.float64")
    return DTYPES[name]


def _check_eta(eta, what: str = "eta") -> float:
    try:
        eta = float(eta)
    except (TypeError, ValueError):
        raise ValueError(f"{what} (the learning rate) must be a number > 0, got {eta!r}") from None
    if not (eta > 0 and np.isfinite(eta)):
        raise ValueError(f"{what} (the learning rate) must be a number > 0, got {eta!r}")
    return eta


def _check_lmbda(lmbda) -> float:
    try:
        lmbda = float(lmbda)
    except (TypeError, ValueError):
        raise ValueError(f"lmbda (L2 regularisation) must be a number >= 0, got {lmbda!r}") from None
    if not (lmbda >= 0 and np.isfinite(lmbda)):
        raise ValueError(f"lmbda (L2 regularisation) must be a number >= 0, got {lmbda!r}")
    return lmbda


def _make_rng(seed, rng) -> np.random.Generator:
    if seed is not None and rng is not None:
        raise ValueError("give either seed or rng, not both")
    if rng is None:
        return np.random.default_rng(seed)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return rng
