"""Self-checks for the exercises of notebook 01, "Meet the digits"."""

from __future__ import annotations

import numpy as np

from helpers import metrics
from helpers.lessons import meet_the_digits as baselines
from helpers.checks import check_function
from helpers.data import scale_pixels as _scale_pixels


def _reference_scale(images):
    return _scale_pixels(images)


def scale_pixels(learner) -> None:
    """Exercise 1: turn uint8 images (n, 28, 28) into float rows (n, 784) in [0, 1]."""
    rng = np.random.default_rng(1)
    check_function(
        learner,
        _reference_scale,
        [
            {"images": np.zeros((1, 28, 28), dtype=np.uint8)},
            {"images": rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)},
            {"images": np.full((2, 28, 28), 255, dtype=np.uint8)},
        ],
        name="scale_pixels",
        hint="reshape to (len(images), 784) and divide by 255. Watch out: uint8 arithmetic "
        "wraps around (255 + 1 == 0), so convert to float before dividing or multiplying.",
        atol=1e-6,
    )


def accuracy(learner) -> None:
    """Exercise 2: the fraction of predictions that equal the labels."""
    check_function(
        learner,
        metrics.accuracy,
        [
            {"predictions": np.array([5, 0, 4, 1]), "labels": np.array([5, 0, 4, 1])},
            {"predictions": np.array([1, 2, 3, 4]), "labels": np.array([1, 2, 0, 0])},
            {"predictions": np.array([7, 7, 7]), "labels": np.array([1, 2, 3])},
        ],
        name="accuracy",
        hint="`predictions == labels` is an array of True/False; the mean of it is the fraction of True.",
    )


def predict_nearest_mean(learner) -> None:
    """Exercise 3: for each image, the digit whose average image is closest."""
    rng = np.random.default_rng(3)
    means = rng.random((10, 784))
    close_to_3 = means[3] + 0.01 * rng.standard_normal((1, 784))
    check_function(
        learner,
        baselines.predict_nearest_mean,
        [
            {"means": means, "X": close_to_3},
            {"means": means, "X": means[[9, 0, 5]]},
            {"means": means, "X": rng.random((20, 784))},
        ],
        name="predict_nearest_mean",
        hint="for one image x, the distances to the ten templates are "
        "np.linalg.norm(means - x, axis=1); the answer is the index of the smallest (np.argmin). "
        "Return one digit per row of X, as an array.",
    )
