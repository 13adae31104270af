"""Self-checks for the exercises of notebook 01, "Meet the digits"."""

from __future__ import annotations

import numpy as np

from helpers import metrics
from helpers.lessons import meet_the_digits as baselines
from helpers.checks import Hint, check_function, kindly_all, recipe, solution  # noqa: F401  (recipe: `check.recipe("accuracy")`)
from helpers.data import scale_pixels as _scale_pixels


SCALE_PIXELS_HINT = Hint(
    "scale_pixels",
    "two steps: one row of 784 numbers per image, then every number divided by the largest pixel value, "
    "255. Watch out: uint8 arithmetic wraps around (np.uint8(255) + 1 is 0).",
    "images.reshape(len(images), 784).astype(np.float32) / 255: reshape to (len(images), 784), "
    "convert to float (float32 or float64) before dividing or multiplying, and divide by 255.",
    step="first the shape: images.reshape(len(images), 784) gives one row per image. Then make "
         "those numbers floats (.astype(np.float32)) before any arithmetic, so that nothing wraps "
         "around.",
)
ACCURACY_HINT = Hint(
    "accuracy",
    "compare the two arrays entry by entry; what fraction of the comparisons are True?",
    "return float(np.mean(predictions == labels)): `predictions == labels` is an array of True/False, "
    "and the mean of it is the fraction of True (a number from 0 to 1, not a count).",
    step="`predictions == labels` is an array of True/False, one per image; NumPy counts True as 1 "
         "and False as 0. The answer is a fraction between 0 and 1, not a count.",
)
NEAREST_MEAN_HINT = Hint(
    "predict_nearest_mean",
    "for each image, measure its distance to each of the ten templates and keep the *position* of the "
    "smallest distance: that position is the digit.",
    "np.array([np.argmin(np.linalg.norm(means - x, axis=1)) for x in X]): for one image x, "
    "np.linalg.norm(means - x, axis=1) gives its ten distances, and np.argmin the index of the "
    "smallest. Return one digit per row of X, as an array.",
    step="for one image x, np.linalg.norm(means - x, axis=1) is its ten distances, one per "
         "template; the position of the smallest is the digit. Do that for every row of X and "
         "return an array.",
)


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
        hint=SCALE_PIXELS_HINT,
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
        hint=ACCURACY_HINT,
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
        hint=NEAREST_MEAN_HINT,
    )


# An exercise not begun gets a kind "not done yet" and the course's answer stands in for it.
kindly_all(globals())
