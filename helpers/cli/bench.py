"""How fast is training? Prints JSON: seconds per epoch for the 784-100-10 network, and
for a small convolutional network.

    python -m helpers bench            # a few minutes' worth of timing
    python -m helpers bench --quick    # small slices, a few seconds

For mini-batches of 10 and 100, in float32 and float64, it times SGD on a slice of the
training set, takes the median over repeats and scales it to an epoch of 50,000 images.
It also times the naive one-example-at-a-time loop (``NaiveNetwork`` below, Nielsen's
original ``network.py``) on a smaller slice, and reports the speed-up. The CNN figure
(``cnn``: notebook 11's network, ``helpers.lessons.convolutions.cnn``: two 5 x 5
convolutions of 16 and 32 channels, each with ReLU and 2 x 2 max pooling, then
Dense(512, 10); float32, Adam, mini-batches of 64) is scaled to all 60,000 training
images, the epoch of notebook 11.
Other programs running at the same time slow the figures down, sometimes a lot: a
multi-threaded BLAS waits for its threads on small matrices. The JSON records the load
average so a reader can tell.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from helpers.data import MnistError, load_datasets
from helpers.layers import Sequential
from helpers.lessons.convolutions import cnn
from helpers.network import Network
from helpers.training import train

EPOCH = 50_000
CNN_EPOCH = 60_000  # notebook 11 trains on all the training images

# ---------------------------------------------------------------------------------------
# The first attempt: one example at a time, as in Nielsen's original network.py. Each
# example is a column vector (784, 1); backprop runs once per example and the gradients
# are summed in a Python loop. It gives the same result as helpers.network (up to
# rounding) but is many times slower: small NumPy calls are dominated by Python's
# overhead, not by arithmetic. Kept only as the benchmark's reference point.
# ---------------------------------------------------------------------------------------


def naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))  # Nielsen's formula (it overflows for z < -709)


def naive_sigmoid_prime(z):
    return naive_sigmoid(z) * (1 - naive_sigmoid(z))


class NaiveNetwork:
    """Nielsen's chapter-1 network: sigmoid neurons, quadratic cost, plain SGD."""

    def __init__(self, sizes, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]
        self.weights = [rng.standard_normal((y, x)) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        """Return the output of the network if ``a`` is input (a column vector)."""
        for b, w in zip(self.biases, self.weights):
            a = naive_sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, rng=None):
        """``training_data`` is a list of (x, y) column-vector pairs."""
        rng = rng if rng is not None else np.random.default_rng(0)
        training_data = list(training_data)
        n = len(training_data)
        for _ in range(epochs):
            rng.shuffle(training_data)
            for k in range(0, n, mini_batch_size):
                self.update_mini_batch(training_data[k : k + mini_batch_size], eta)

    def update_mini_batch(self, mini_batch, eta):
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        for x, y in mini_batch:  # the loop over examples that vectorising removes
            delta_nabla_w, delta_nabla_b = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """(nabla_w, nabla_b) for one example (Nielsen returns them the other way round)."""
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = naive_sigmoid(z)
            activations.append(activation)
        delta = (activations[-1] - y) * naive_sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * naive_sigmoid_prime(z)
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_w, nabla_b)


def as_column_pairs(X: np.ndarray, y: np.ndarray, n_out: int = 10) -> list[tuple[np.ndarray, np.ndarray]]:
    """Turn rows X (n, 784) and labels y into Nielsen's list of (x, y) column vectors."""
    pairs = []
    for row, label in zip(X, y):
        target = np.zeros((n_out, 1))
        target[label] = 1.0
        pairs.append((row.reshape(-1, 1).astype(np.float64), target))
    return pairs


# ---------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------


def time_vectorised(X, y, dtype, m: int, repeats: int) -> float:
    """Median seconds for the 784-100-10 network to train one pass over (X, y), with mini-batches of m."""
    return time_training(lambda: Network([784, 100, 10], init="scaled", dtype=dtype, seed=0), X, y, m, repeats)


def time_training(make_model, X, y, m: int, repeats: int, eta: float = 3.0, optimizer: str = "sgd") -> float:
    """Median seconds for the model ``make_model()`` builds (any model of the training
    loop's protocol) to train one pass over (X, y), with mini-batches of m."""
    history = train(make_model(), (X, y), repeats, m, eta, optimizer=optimizer, rng=np.random.default_rng(0))
    return statistics.median(history["seconds"])


def notebook_cnn() -> Sequential:
    """Notebook 11's convolutional network, 18,378 parameters, with its weights drawn from seed 0."""
    return cnn(rng=np.random.default_rng(0))


def time_cnn(X, y, m: int, repeats: int) -> float:
    """Median seconds for notebook 11's CNN to train one pass over the rows X (as 28 x 28
    images) with Adam, as the notebook trains it."""
    return time_training(notebook_cnn, X.reshape(-1, 1, 28, 28), y, m, repeats, eta=0.002, optimizer="adam")


def time_naive(X, y, m: int, repeats: int) -> float:
    net = NaiveNetwork([784, 100, 10], seed=0)
    pairs = as_column_pairs(X, y)
    seconds = []
    for r in range(repeats):
        start = time.perf_counter()
        net.SGD(pairs, 1, m, 3.0, rng=np.random.default_rng(r))
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def traced_training_memory(train, validation, n: int) -> float:
    """Peak MB that NumPy allocates during one epoch of SGD (data already loaded),
    measured with tracemalloc in a separate, untimed run."""
    net = Network([784, 100, 10], init="scaled", seed=0)
    tracemalloc.start()
    try:
        net.SGD((train.X[:n], train.y[:n]), 1, 10, 3.0, validation_data=validation)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


CHILD = """
import resource, sys
from helpers.cli.train import main
main(sys.argv[1:])
# VmHWM: the peak resident memory of this process since it started (Linux); elsewhere
# ru_maxrss, which may also count memory inherited from the parent.
try:
    hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
except OSError:
    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(hwm)
"""


def training_run_peak_mb(quick: bool) -> float:
    """Peak resident memory (MB) of a training run (``helpers.cli.train``, one epoch), in a
    process of its own, so that nothing this benchmark holds is counted."""
    arguments = ["--epochs", "1", "--init", "scaled", "--quiet"] + (["--limit", "5000"] if quick else [])
    done = subprocess.run([sys.executable, "-c", CHILD, *arguments], check=True, capture_output=True, text=True)
    return round(int(done.stdout.split()[-1]) / 1024, 1)  # kB -> MB


def blas_info() -> list[dict] | str:
    """Which BLAS library and CPU kernel NumPy runs (it decides the speed of the matrix
    products), if the optional package threadpoolctl is installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl to record it)"
    keys = ("internal_api", "version", "architecture", "num_threads")
    return [{k: lib.get(k) for k in keys} for lib in threadpool_info() if lib.get("user_api") == "blas"]


def run(quick: bool = False, repeats: int | None = None) -> dict:
    train, validation, _ = load_datasets()
    n_fast = 1_000 if quick else 20_000
    n_naive = 200 if quick else 2_000
    repeats = (2 if quick else 3) if repeats is None else repeats
    results = []
    for dtype in (np.float32, np.float64):
        for m in (10, 100):
            s = time_vectorised(train.X[:n_fast], train.y[:n_fast], dtype, m, repeats) * EPOCH / n_fast
            results.append(
                {
                    "dtype": np.dtype(dtype).name,
                    "mini_batch_size": m,
                    "seconds_per_epoch": round(s, 4),
                    "examples_per_second": round(EPOCH / s),
                }
            )
    naive = time_naive(train.X[:n_naive], train.y[:n_naive], 10, repeats) * EPOCH / n_naive
    n_cnn = 500 if quick else 5_000
    cnn = time_cnn(train.X[:n_cnn], train.y[:n_cnn], 64, repeats) * CNN_EPOCH / n_cnn
    f32_mb10 = next(r for r in results if r["dtype"] == "float32" and r["mini_batch_size"] == 10)
    return {
        "network": [784, 100, 10],
        "epoch_examples": EPOCH,
        "timed_examples": n_fast,
        "naive_timed_examples": n_naive,
        "repeats": repeats,
        "scaled": f"each figure is the median time for {n_fast:,} (naive: {n_naive:,}) examples, scaled to {EPOCH:,}",
        "quick": quick,
        "results": results,
        "naive": {
            "description": "helpers.cli.bench.NaiveNetwork: per-example backprop with column vectors, float64, mini-batch 10",
            "mini_batch_size": 10,
            "seconds_per_epoch": round(naive, 3),
            "examples_per_second": round(EPOCH / naive),
        },
        "speedup_float32_mb10_vs_naive": round(naive / f32_mb10["seconds_per_epoch"], 2),
        "cnn": {
            "layers": repr(notebook_cnn()),
            "n_params": notebook_cnn().n_params,
            "optimizer": "adam",
            "dtype": "float32",
            "mini_batch_size": 64,
            "epoch_examples": CNN_EPOCH,
            "timed_examples": n_cnn,
            "seconds_per_epoch": round(cnn, 3),
            "examples_per_second": round(CNN_EPOCH / cnn),
        },
        "peak_memory_mb": training_run_peak_mb(quick),
        "peak_memory_note": "peak resident memory of a whole training run in its own process "
        "(python -m helpers train, float32, MNIST loaded, one epoch with validation and test scoring); "
        "training_traced_peak_mb: what SGD itself allocates (tracemalloc, one epoch with validation)",
        "training_traced_peak_mb": round(traced_training_memory(train, validation, n_fast), 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
        "openblas_env": {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_"))},
        "blas": blas_info(),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers bench", description="Time training; print JSON.")
    parser.add_argument("--quick", action="store_true", help="small slices (a few seconds in all)")
    parser.add_argument("--repeats", type=int, default=None, help="timings per figure, at least 1 (median is reported)")
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        print(f"error: --repeats must be a whole number >= 1, got {args.repeats}", file=sys.stderr)
        return 2
    try:
        report = run(quick=args.quick, repeats=args.repeats)
    except MnistError as err:
        print(f"error: the benchmark trains on MNIST, which is not available here.\n{err}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as err:
        print(f"error: the memory run (python -m helpers train) failed:\n{err.stderr.strip()}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
