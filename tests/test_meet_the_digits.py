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


# --- issue 9: checks, prerequisites, detours, times, the dropdown -----------------------------

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from helpers.checks import ExerciseFailed, reset_hints  # noqa: E402
from helpers.checks import meet_the_digits as check  # noqa: E402
from helpers.data import scale_pixels  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def notebook_cells(prefix: str) -> list[dict]:
    (path,) = (ROOT / "notebooks").glob(f"{prefix}_*.ipynb")
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def markdown(prefix: str) -> str:
    return "\n".join("".join(c["source"]) for c in notebook_cells(prefix) if c["cell_type"] == "markdown")


@pytest.fixture(autouse=True)
def fresh_hints():
    reset_hints()


def test_scale_pixels_wrong_values_do_not_blame_the_allowed_float64():
    with pytest.raises(ExerciseFailed) as err:  # float64, and divided by 256: the values are what is wrong
        check.scale_pixels(lambda images: images.reshape(len(images), 784) / 256.0)
    assert "dtype float" not in str(err.value) and "values differ" in str(err.value)  # (the input is uint8)
    check.scale_pixels(lambda images: images.reshape(len(images), 784) / 255.0)  # float64 is accepted


def test_scale_pixels_as_a_list_is_refused_kindly_with_what_to_do():
    with pytest.raises(ExerciseFailed) as err:
        check.scale_pixels(lambda images: [list(row) for row in scale_pixels(images)])
    message = str(err.value)
    assert "expected a NumPy array of shape (1, 784), got a Python list" in message
    assert "The values are right" in message and "np.array(...)" in message


def test_accuracy_as_a_string_or_a_percentage_text_is_refused():
    with pytest.raises(ExerciseFailed, match=r"expected one number, got a string, '1.0'"):
        check.accuracy(lambda predictions, labels: str(float(np.mean(predictions == labels))))
    with pytest.raises(ExerciseFailed, match=r"got a string, '100%'"):
        check.accuracy(lambda predictions, labels: f"{np.mean(predictions == labels):.0%}")
    with pytest.raises(ExerciseFailed, match=r"expected a NumPy array of shape \(1,\), got a set"):
        check.predict_nearest_mean(lambda means, X: {3})


def test_digit_browser_dropdown_starts_on_any_not_blank():
    box = digit_browser(np.zeros((20, 784)), np.arange(20) % 10, count=3)
    dropdown = box.children[0].children[0]
    assert dropdown.label == "any" and dropdown.index == 0 and dropdown.value is not None
    assert box.indices.tolist() == [0, 1, 2]
    dropdown.value = 3
    dropdown.label = "any"
    assert box.indices.tolist() == [0, 1, 2]


def test_the_real_prerequisites_are_stated_in_the_readme_and_in_notebook_01():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    who = readme[readme.index("**Who it is for:**"):].split("\n\n")[0]
    intro = "".join(notebook_cells("01")[0]["source"])
    for text in (" ".join(who.split()), " ".join(intro.split())):
        assert "school algebra" in text
        for topic in ("derivatives and the chain rule", "matrix product and the transpose", "partial derivatives"):
            assert topic in text, topic
        assert "primer" in text


def test_engineering_detours_in_01_are_optional_collapsible_boxes():
    cells = notebook_cells("01")
    text = markdown("01")
    for summary in ("Optional: how the fingerprints work", "Optional: what is inside an IDX file?"):
        box = text[text.index(summary) - 200:]
        assert "<details>" in box and "</details>" in box
    assert "### What is inside an IDX file?" not in text  # no longer a section of the main thread
    for code in ("MNIST_FILES.items()", "read_idx_bytes(", "show_source(data.parse_idx)"):
        (cell,) = [c for c in cells if code in "".join(c["source"])]
        assert cell["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}, code


def test_lesson_times_agree_between_the_notebooks_and_instructors_md():
    table = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    for n in ("01", "02", "03", "04", "05", "06"):
        stated = re.search(r"\*Time:\* about (\d+) minutes", "".join(notebook_cells(n)[0]["source"]))
        row = re.search(rf"^\| {n} \| [^|]+ \| (\d+) min \|", table, re.MULTILINE)
        assert stated and row and stated.group(1) == row.group(1), n



def test_scale_pixels_as_text_is_not_a_tick():
    """Issue 20: an array of strings such as '0.5' passed, read back as numbers."""
    with pytest.raises(ExerciseFailed, match=r"expected numbers, got an array of text \(dtype <U"):
        check.scale_pixels(lambda images: (images.reshape(len(images), 784) / 255).astype(str))


def test_a_second_failure_shows_a_step_and_not_the_recipe():
    """Issue 20: hints in three stages in notebook 01 too."""
    from tests.test_checks import assert_hint_in_stages

    assert_hint_in_stages(check.scale_pixels, lambda images: images.reshape(len(images), -1) / 256,
                          lambda images: images.reshape(len(images), -1) * 1.0, "scale_pixels")
    assert_hint_in_stages(check.accuracy, lambda predictions, labels: float(np.mean(predictions != labels)),
                          lambda predictions, labels: 0.5, "accuracy")
    assert_hint_in_stages(check.predict_nearest_mean, lambda means, X: np.zeros(len(X), dtype=int),
                          lambda means, X: np.array([np.argmax(np.linalg.norm(means - x, axis=1)) for x in X]),
                          "predict_nearest_mean")
