"""How good are the guesses? Accuracy and the confusion matrix, from labels alone.

Both take the predicted digits and the true labels (whole numbers, one per example), so
they serve every model in the course: the baselines of notebook 01, the perceptron of
02, the networks of 04-10.
"""

from __future__ import annotations

import numpy as np


def accuracy(predictions: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of predictions equal to the labels (0.0 to 1.0)."""
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    if predictions.shape != labels.shape:
        raise ValueError(f"predictions have shape {predictions.shape} but labels have shape {labels.shape}")
    return float(np.mean(predictions == labels))


def confusion_matrix(predictions: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Counts C[i, j]: how many examples with true label i were predicted as j.

    The diagonal holds the right answers; row i shows where the i's went.
    """
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    if predictions.shape != labels.shape or predictions.ndim != 1:
        raise ValueError(f"predictions and labels must be 1-D and alike, got shapes {predictions.shape} and {labels.shape}")
    for name, values in (("predictions", predictions), ("labels", labels)):
        if values.dtype.kind not in "iu" or (values.size and (values.min() < 0 or values.max() >= n_classes)):
            raise ValueError(f"{name} must be whole numbers from 0 to {n_classes - 1}")
    # Each pair (i, j) becomes one number i * n + j; counting those counts the pairs.
    return np.bincount(labels * n_classes + predictions, minlength=n_classes**2).reshape(n_classes, n_classes)
