"""Three simple ways to guess a digit, to know what "good" means before any network.

* random guessing: right about 1 time in 10;
* average darkness: how much ink a digit has (a 1 has little, an 8 a lot);
* nearest class mean: compare with the "average 0", the "average 1", ... and pick
  the closest picture.

Any network we build has to beat these clearly to be worth its 79,510 parameters.
"""

from __future__ import annotations

import numpy as np




def random_guesses(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` digits drawn uniformly at random: the baseline that knows nothing."""
    return rng.integers(0, 10, size=n)


def darkness(X: np.ndarray) -> np.ndarray:
    """The total ink of each image: the sum of its pixel values (one number per row)."""
    return np.asarray(X).sum(axis=1)


def average_darkness(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The mean darkness of each digit 0-9 over the training images (NaN for a digit never seen)."""
    ink = darkness(X)
    return np.array([ink[y == digit].mean() if np.any(y == digit) else np.nan for digit in range(10)])


def predict_by_darkness(mean_darkness: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Guess, for each image, the digit whose average darkness is closest to its own."""
    return np.nanargmin(np.abs(darkness(X)[:, None] - mean_darkness[None, :]), axis=1)


def class_means(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The average image of each digit: a (10, 784) array of "templates"."""
    return np.stack([X[y == digit].mean(axis=0) for digit in range(10)])


def predict_nearest_mean(means: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Guess the digit whose template is closest (Euclidean distance) to each image.

    ||x - m||² = ||x||² - 2 x·m + ||m||²; the first term is the same for every
    template, so comparing -2 x·m + ||m||² is enough, and it is one matrix product.
    """
    scores = -2 * X @ means.T + (means**2).sum(axis=1)
    return scores.argmin(axis=1)


def digits_with_label(labels: np.ndarray, digit: int | None, start: int = 0, count: int = 10) -> np.ndarray:
    """Indices of ``count`` examples of ``digit`` (any digit if None), from the ``start``-th on.

    Used by the digit browser in notebook 01.
    """
    labels = np.asarray(labels)
    where = np.arange(len(labels)) if digit is None else np.flatnonzero(labels == digit)
    return where[start : start + count]
