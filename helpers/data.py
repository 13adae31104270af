"""MNIST for the course, loaded as NumPy arrays: the images and labels as stored
(``load_mnist``), and scaled and split into training, validation and test sets
(``load_datasets``), with ``one_hot`` labels and a small 20 x 20 set (``small_digits``).

The files are fetched, checked and cached first if need be (``helpers.mnist_files``:
a cache, a local mirror, then the public mirrors; every file verified by SHA-256).
``python -m helpers data`` does only that, before class (``--export FOLDER``: a verified
copy to hand out offline).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np

from helpers.idx import parse_idx, read_idx  # noqa: F401 (parse_idx: notebook 01)
from helpers.images import resample
# Fetching the files: these names are used from here too (notebook 01: data.fetch_mnist).
from helpers.mnist_files import MNIST_FILES, MnistError, MnistFile, data_dir, fetch_mnist  # noqa: F401


class Mnist(NamedTuple):
    """The MNIST arrays as stored: pixels 0-255 (uint8, n x 28 x 28) and labels 0-9."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def _read_mnist(folder: Path) -> Mnist:
    arrays = {}
    for key, path in fetch_mnist(folder, quiet=False).items():
        array = read_idx(path, max_size=MNIST_FILES[key].size)
        expected = MNIST_FILES[key].shape
        if array.shape != expected:  # cannot happen with a verified file; a cheap guard all the same
            raise MnistError(f"{path}: shape {array.shape}, expected {expected}")
        array.flags.writeable = False  # shared between callers: nobody may change it
        arrays[key] = array
    return Mnist(**arrays)


def load_mnist(folder: Path | None = None) -> Mnist:
    """Return the 60,000 training and 10,000 test images and labels, as stored (read-only).

    Fetches the files first if they are not cached yet. Each call reads the files again
    (half a second): the 55 MB of raw bytes are not kept, since the lessons work with the
    scaled copy that :func:`load_datasets` keeps.
    """
    return _read_mnist(Path(folder) if folder is not None else data_dir())


@functools.lru_cache(maxsize=1)
def _scaled_mnist(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 60,000 training and 10,000 test images scaled to float32 rows, and their labels,
    read-only: one copy per session (220 MB), shared by every call of load_datasets."""
    mnist = _read_mnist(folder)
    arrays = (scale_pixels(mnist.train_images), mnist.train_labels.astype(np.int64),
              scale_pixels(mnist.test_images), mnist.test_labels.astype(np.int64))
    for array in arrays:
        array.flags.writeable = False  # shared between callers: nobody may change it
    return arrays


def scale_pixels(images: np.ndarray) -> np.ndarray:
    """Flatten images to rows of 784 and scale pixels from 0..255 to 0..1 (float32)."""
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(f"expected images of shape (n, 28, 28) or (n, 784), got shape {images.shape}")
    # uint8 / float32 is already float32: copy=False avoids a second 188 MB copy for MNIST.
    return (images.reshape(len(images), -1) / np.float32(255)).astype(np.float32, copy=False)


def one_hot(labels: np.ndarray, n_classes: int = 10, dtype=np.float32) -> np.ndarray:
    """Turn labels like [5, 0] into rows like [0,0,0,0,0,1,0,0,0,0] and [1,0,...,0]."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"expected a 1-D array of integer labels, got shape {labels.shape} and dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must be between 0 and {n_classes - 1}, got {labels.min()}..{labels.max()}")
    out = np.zeros((len(labels), n_classes), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1
    return out


class Dataset(NamedTuple):
    """Images ``X`` (n x 784, float32 in [0, 1]) and labels ``y`` (integers, or one-hot rows)."""

    X: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:  # len(train) is the number of examples, not 2
        return len(self.X)


class Datasets(NamedTuple):
    train: Dataset
    validation: Dataset
    test: Dataset


def load_datasets(n_validation: int = 10_000, one_hot_labels: bool = False, folder: Path | None = None) -> Datasets:
    """Return the standard split: training, validation and test sets.

    The validation set is the *last* ``n_validation`` of the 60,000 training images
    (50,000 / 10,000 by default, as in Nielsen's book); ``n_validation=0`` trains on
    all 60,000. The test set is the separate 10,000 images, kept for the final score.
    The images are read-only and shared by every call (one copy in memory): change a copy,
    ``train.X.copy()``, not them.
    """
    if not 0 <= n_validation < 60_000:
        raise ValueError(f"n_validation must be between 0 and 59,999, got {n_validation}")
    X, y, X_test, y_test = _scaled_mnist(Path(folder) if folder is not None else data_dir())
    if one_hot_labels:
        y, y_test = one_hot(y), one_hot(y_test)
    cut = 60_000 - n_validation
    return Datasets(Dataset(X[:cut], y[:cut]), Dataset(X[cut:], y[cut:]), Dataset(X_test, y_test))


# ---------------------------------------------------------------------------------------
# Smaller digits: the 5,000 20 x 20 images of notebook 10
# ---------------------------------------------------------------------------------------


def small_digits(n_per_class: int = 500, side: int = 20, rng=None, data: Dataset | None = None) -> Dataset:
    """A small, balanced data set: ``n_per_class`` digits of each class at ``side`` x ``side``.

    The default, 500 of each digit at 20 x 20, is 5,000 images of 400 pixels, the size of
    the classic data set of exercise 3 in Andrew Ng's machine learning course (which was
    itself made from MNIST). The digits are chosen at random, without repeats, from
    ``data`` (the 50,000 training images of ``load_datasets()`` if not given), shrunk with
    ``images.resample`` and returned in random order: X (n x side**2, float32 in [0, 1]) and
    labels y. ``rng``: a generator or a seed, for the same choice every time.
    """
    if not isinstance(n_per_class, (int, np.integer)) or isinstance(n_per_class, bool) or n_per_class < 1:
        raise ValueError(f"n_per_class must be a whole number >= 1, got {n_per_class!r}")
    if not isinstance(side, (int, np.integer)) or isinstance(side, bool) or not 1 <= side <= 28:
        raise ValueError(f"side must be a whole number from 1 to 28, got {side!r}")
    rng = np.random.default_rng(rng)
    X, y = data if data is not None else load_datasets().train
    y = np.asarray(y)
    labels = y.argmax(axis=1) if y.ndim == 2 else y
    chosen = []
    for digit in range(10):
        where = np.flatnonzero(labels == digit)
        if len(where) < n_per_class:
            raise ValueError(f"asked for {n_per_class} images of each digit, but there are only {len(where)} {digit}s")
        chosen.append(rng.choice(where, n_per_class, replace=False))
    order = rng.permutation(np.concatenate(chosen))
    small = resample(np.asarray(X)[order].reshape(-1, 28, 28), side, side)
    return Dataset(small.reshape(-1, side * side), labels[order].astype(np.int64))
