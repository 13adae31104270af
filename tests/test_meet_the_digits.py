import numpy as np
import pytest

from helpers import metrics
from helpers.lessons import meet_the_digits as bl
from helpers.widgets.meet_the_digits import digit_browser
from tests.test_figure import assert_picture_follows


def toy():
    # Two "digits" in a 2-pixel world: 0 is dark on the left, 1 on the right.
    X = np.array([[0.9, 0.0], [1.0, 0.1], [0.0, 0.3], [0.1, 0.4]])
    y = np.array([0, 0, 1, 1])
    return X, y


def test_accuracy():
    assert metrics.accuracy(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 0])) == 0.5
    with pytest.raises(ValueError, match=r"shape \(3,\) but labels have shape \(4,\)"):
        metrics.accuracy(np.array([1, 2, 3]), np.array([1, 2, 3, 4]))


def test_random_guesses_are_seeded_and_cover_all_digits():
    a = bl.random_guesses(1000, np.random.default_rng(1))
    b = bl.random_guesses(1000, np.random.default_rng(1))
    assert np.array_equal(a, b) and set(a.tolist()) == set(range(10))


def test_darkness_baseline_on_toy_data():
    X, y = toy()
    assert np.allclose(bl.darkness(X), [0.9, 1.1, 0.3, 0.5])
    means = bl.average_darkness(X, y)
    assert np.allclose(means[:2], [1.0, 0.4]) and np.isnan(means[2:]).all()  # digits 2-9 never seen
    assert bl.predict_by_darkness(means, np.array([[0.5, 0.4], [0.2, 0.1]])).tolist() == [0, 1]


def test_nearest_mean_matches_brute_force_distances():
    rng = np.random.default_rng(0)
    X, means = rng.random((50, 6)), rng.random((10, 6))
    brute = np.linalg.norm(X[:, None, :] - means[None, :, :], axis=2).argmin(axis=1)
    assert np.array_equal(bl.predict_nearest_mean(means, X), brute)


def test_digits_with_label():
    labels = np.array([5, 0, 4, 1, 9, 2, 1, 3, 1])
    assert bl.digits_with_label(labels, 1).tolist() == [3, 6, 8]
    assert bl.digits_with_label(labels, 1, start=1, count=1).tolist() == [6]
    assert bl.digits_with_label(labels, None, count=3).tolist() == [0, 1, 2]


# --- the widgets ---------------------------------------------------------------------


def test_digit_browser_follows_the_dropdown_and_slider():
    images = np.random.default_rng(0).random((60, 784))
    labels = np.arange(60) % 10
    box = digit_browser(images, labels, count=3)
    dropdown, slider = box.children[0].children
    assert box.indices.tolist() == [0, 1, 2]
    dropdown.value = 7
    assert box.indices.tolist() == [7, 17, 27]
    slider.value = 3
    assert box.indices.tolist() == [37, 47, 57]


def test_digit_browser_redraws_its_picture_for_each_choice():
    images = np.random.default_rng(0).random((60, 784))
    box = digit_browser(images, np.arange(60) % 10, count=3)
    dropdown, slider = box.children[0].children
    assert box.children[1] is box.picture
    assert_picture_follows(box.picture, dropdown, 7)
    assert_picture_follows(box.picture, slider, 3)


def test_confusion_matrix_counts_each_true_and_predicted_pair():
    labels = np.array([0, 0, 1, 2, 2, 2])
    predictions = np.array([0, 1, 1, 2, 0, 2])
    expected = np.zeros((3, 3), dtype=int)
    for i, j in zip(labels, predictions):  # the plain loop, as a reference
        expected[i, j] += 1
    got = metrics.confusion_matrix(predictions, labels, n_classes=3)
    assert got.tolist() == expected.tolist()
    assert np.trace(got) / got.sum() == metrics.accuracy(predictions, labels)
    with pytest.raises(ValueError, match="whole numbers from 0 to 2"):
        metrics.confusion_matrix(np.array([0, 3]), np.array([0, 1]), n_classes=3)
