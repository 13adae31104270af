"""helpers.images: the MNIST-style preprocessing, step by step, and the changes made to
digits (shift, rotate, thicken, thin, noise, augmentation), each against a plain
reference written out here (loops, or NumPy's own functions)."""

import numpy as np
import pytest

from helpers import images
from helpers.images import NoDigitFound
from tests.conftest import real_data


def digit_on_page(page=0.95, ink=0.1, shape=(120, 90), box=(30, 90, 25, 60), width=6):
    """A grey picture: a rectangle outline ("0") of ink on a page, in pixels 0-1."""
    grey = np.full(shape, page, dtype=np.float32)
    top, bottom, left, right = box
    grey[top:bottom, left : left + width] = ink
    grey[top:bottom, right - width : right] = ink
    grey[top : top + width, left:right] = ink
    grey[bottom - width : bottom, left:right] = ink
    return grey


# ----------------------------------------------------------------- step 1: grey-scale


def test_to_grey_weighs_colours_like_pillow_and_composites_alpha_on_white():
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]]], dtype=np.uint8)
    np.testing.assert_allclose(images.to_grey(rgb)[0], [0.299, 0.587, 0.114, 1.0], atol=1e-6)
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)  # black everywhere, opaque in one pixel only
    rgba[0, 0, 3] = 255
    rgba[1, 1, 3] = 128
    np.testing.assert_allclose(images.to_grey(rgba), [[0, 1], [1, 1 - 128 / 255]], atol=1e-6)
    la = np.stack([np.zeros((2, 2)), np.array([[1.0, 0.0], [0.5, 0.25]])], axis=-1)  # grey + alpha, floats
    np.testing.assert_allclose(images.to_grey(la), [[0, 1], [0.5, 0.75]], atol=1e-6)


def test_to_grey_reads_16_bit_and_float_pictures_on_their_own_scale():
    np.testing.assert_allclose(images.to_grey(np.array([[0, 32768, 65535]], dtype=np.uint16)), [[0, 32768 / 65535, 1]], atol=1e-6)
    np.testing.assert_allclose(images.to_grey(np.array([[0.25, 0.5]])), [[0.25, 0.5]])
    np.testing.assert_allclose(images.to_grey(np.array([[-2.0, 0.0, 6.0]])), [[0, 0.25, 1]])  # stretched
    assert images.to_grey(np.array([[True, False]])).tolist() == [[1.0, 0.0]]
    with pytest.raises(ValueError, match="not numbers"):
        images.to_grey(np.array([[0.0, np.nan]]))
    for bad in (np.zeros(5), np.zeros((3, 3, 5)), np.zeros((0, 4)), np.array([["a"]])):
        with pytest.raises(ValueError):
            images.to_grey(bad)


# ----------------------------------------------------------------- step 2: ink


def test_dark_ink_on_a_light_page_is_flipped_and_light_ink_is_kept():
    dark = digit_on_page(page=0.95, ink=0.1)
    ink = images.to_ink(dark)
    assert ink.max() == 1 and ink[0, 0] == 0 and ink[32, 27] == 1  # on the stroke
    light = digit_on_page(page=0.05, ink=0.9)  # chalk on a board, MNIST's own way round
    np.testing.assert_array_equal(images.to_ink(light) > 0, ink > 0)


def test_a_light_digit_on_a_light_grey_page_is_not_inverted_the_wrong_way():
    grey = digit_on_page(page=0.75, ink=0.97)  # mean brightness above one half, yet the ink is the light part
    ink = images.to_ink(grey)
    strokes = digit_on_page(page=0, ink=1) > 0.5
    assert np.all(ink[strokes] == 1) and np.all(ink[~strokes] == 0)


def test_a_page_lit_from_one_side_is_levelled_before_the_ink_is_found():
    grey = digit_on_page(page=0.0, ink=-0.6)
    h, w = grey.shape
    light = np.linspace(0.65, 0.98, w, dtype=np.float32)[None, :] * np.ones((h, 1), np.float32)
    ink = images.to_ink(grey + light)  # page from 0.65 (left) to 0.98 (right), ink 0.6 darker
    strokes = digit_on_page(page=0, ink=1) > 0.5
    assert np.all(ink[strokes] > 0.9) and np.all(ink[~strokes] == 0)
    naive = light.mean() - (grey + light)  # one threshold for the whole page would take the dark side for ink
    assert (naive[~strokes] > 0.2 * naive.max()).sum() > 1000


@pytest.mark.parametrize("picture", [np.ones((100, 80)), np.zeros((100, 80)), np.full((100, 80), 0.5),
                                     0.9 + 0.02 * np.random.default_rng(0).standard_normal((300, 200))],
                         ids=["white", "black", "grey", "noisy blank page"])
def test_no_digit_in_a_blank_or_flat_picture(picture):
    with pytest.raises(NoDigitFound, match="no digit found"):
        images.to_ink(picture.astype(np.float32))
    with pytest.raises(NoDigitFound):
        images.preprocess(picture)


def test_single_grains_of_noise_are_not_ink():
    grey = digit_on_page()
    grey[5, 5] = grey[110, 85] = 0.1  # two lone dark pixels, far from the digit
    cropped = images.crop_to_ink(images.to_ink(grey))
    assert cropped.shape == (60, 35)


def test_a_speck_is_not_a_digit_and_a_tiny_picture_is_refused():
    grey = np.full((400, 400), 0.95, dtype=np.float32)
    grey[200:203, 200:203] = 0.1
    with pytest.raises(NoDigitFound, match="speck"):
        images.preprocess(grey)
    with pytest.raises(ValueError, match="too small"):
        images.preprocess(np.zeros((5, 40)))


# ----------------------------------------------------------------- steps 3 to 5


def test_crop_to_ink_against_loops():
    rng = np.random.default_rng(1)
    for _ in range(20):
        ink = np.zeros((15, 12))
        ink[rng.integers(0, 15, 4), rng.integers(0, 12, 4)] = rng.random(4) + 0.1
        rows = [r for r in range(15) if any(ink[r, c] > 0 for c in range(12))]
        cols = [c for c in range(12) if any(ink[r, c] > 0 for r in range(15))]
        np.testing.assert_array_equal(images.crop_to_ink(ink), ink[min(rows) : max(rows) + 1, min(cols) : max(cols) + 1])
    with pytest.raises(NoDigitFound):
        images.crop_to_ink(np.zeros((4, 4)))


def test_resample_keeps_flat_pictures_flat_and_averages_blocks():
    np.testing.assert_allclose(images.resample(np.full((37, 53), 0.3), 20, 11), 0.3, atol=1e-6)
    np.testing.assert_allclose(images.resample(np.full((3, 4), 0.7), 20, 25), 0.7, atol=1e-6)
    image = np.random.default_rng(0).random((40, 60))
    np.testing.assert_allclose(images.resample(image, 20, 20), image.reshape(20, 2, 20, 3).mean(axis=(1, 3)), atol=1e-6)
    one = np.zeros((1, 1))
    one[0, 0] = 1
    assert images.resample(one, 5, 3).shape == (5, 3)


def test_resample_shrinks_a_stack_by_areas_like_repeating_then_block_averaging():
    """28 x 28 -> 20 x 20 by areas is the same as blowing each pixel up to 5 x 5 (140 x 140)
    and then averaging blocks of 7 x 7: an independent computation of the same thing."""
    rng = np.random.default_rng(0)
    digits = rng.random((3, 28, 28)).astype(np.float32)
    big = digits.repeat(5, axis=1).repeat(5, axis=2)
    expected = big.reshape(3, 20, 7, 20, 7).mean(axis=(2, 4))
    np.testing.assert_allclose(images.resample(digits, 20, 20), expected, rtol=1e-5, atol=1e-6)
    # whole factors: 2 x 2 blocks, and Pillow's BOX filter, which averages whole blocks too
    from PIL import Image

    halves = digits.reshape(3, 14, 2, 14, 2).mean(axis=(2, 4))
    np.testing.assert_allclose(images.resample(digits, 14, 14), halves, rtol=1e-5, atol=1e-6)
    pil = np.asarray(Image.fromarray(digits[0], mode="F").resize((14, 14), Image.Resampling.BOX))
    np.testing.assert_allclose(images.resample(digits[:1], 14, 14)[0], pil, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(images.resample(digits, 28, 28), digits)
    assert images.resample(digits, 20, 20).dtype == np.float32 and images.resample(digits, 20, 20).flags.c_contiguous
    assert images.resample(digits, 20, 20).mean() == pytest.approx(digits.mean(), rel=1e-5)  # no ink made or lost
    # each picture of a stack as if resampled alone (that one in float64)
    np.testing.assert_allclose(images.resample(digits, 9, 13)[1], images.resample(digits[1], 9, 13), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pictures, height, width, message", [
    (np.zeros(784), 20, 20, "expected a picture"), (np.zeros((2, 2, 28, 28)), 20, 20, "expected a picture"),
    (np.zeros((2, 28, 28)), 0, 20, "whole numbers >= 1"), (np.zeros((28, 28)), 20, 2.5, "whole numbers >= 1"),
    (np.zeros((28, 28)), True, 20, "whole numbers >= 1"),
])
def test_resample_refuses_what_it_cannot_resize(pictures, height, width, message):
    with pytest.raises(ValueError, match=message):
        images.resample(pictures, height, width)


@pytest.mark.parametrize("shape, fitted", [((100, 40), (20, 8)), ((30, 90), (7, 20)), ((5, 5), (20, 20)), ((200, 3), (20, 1))])
def test_fit_into_keeps_the_aspect_ratio(shape, fitted):
    assert images.fit_into(np.ones(shape)).shape == fitted


def test_centre_of_mass_against_loops_and_centring_lands_on_14():
    rng = np.random.default_rng(2)
    image = rng.random((20, 13)) * (rng.random((20, 13)) > 0.5)
    total = sum(image[r, c] for r in range(20) for c in range(13))
    row = sum(r * image[r, c] for r in range(20) for c in range(13)) / total
    col = sum(c * image[r, c] for r in range(20) for c in range(13)) / total
    assert images.centre_of_mass(image) == pytest.approx((row, col))
    centred = images.centre_by_mass(image)
    assert centred.shape == (28, 28) and centred.sum() == pytest.approx(image.sum(), rel=1e-5)
    r, c = images.centre_of_mass(centred)
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5
    top_heavy = np.zeros((20, 20))
    top_heavy[0, :] = 1  # centre of mass at its top edge: moving it to row 14 would push it off the bottom
    assert images.centre_by_mass(top_heavy)[8:28].sum() == 20
    with pytest.raises(ValueError, match="fit_into it first"):
        images.centre_by_mass(np.ones((30, 10)))


@real_data
def test_mnist_digits_come_through_the_preprocessing_almost_unchanged():
    from helpers.data import load_datasets

    _, _, test = load_datasets()
    X = test.X[:300].reshape(-1, 28, 28)
    again = np.stack([images.preprocess(x) for x in X])
    assert np.abs(again - X).mean() < 0.03
    steps = images.preprocess_steps(X[0])
    assert list(steps) == ["grey", "ink", "cropped", "fitted", "centred"] and max(steps["fitted"].shape) == 20


# ----------------------------------------------------------------- changes to digits


def test_shift_works_on_stacks_like_image_by_image():
    stack = np.random.default_rng(3).random((4, 28, 28)).astype(np.float32)
    moved = images.shift(stack, 2, -3)
    for i in range(4):
        expected = np.zeros((28, 28), np.float32)
        expected[2:, :25] = stack[i, :26, 3:]
        np.testing.assert_array_equal(moved[i], expected)


def test_rotate_by_quarter_turns_matches_numpy_and_zero_changes_nothing():
    stack = np.random.default_rng(4).random((3, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(images.rotate(stack, 0), stack, atol=1e-6)
    np.testing.assert_allclose(images.rotate(stack, 90), np.rot90(stack, 1, axes=(1, 2)), atol=1e-5)  # anticlockwise
    np.testing.assert_allclose(images.rotate(stack, -90), np.rot90(stack, -1, axes=(1, 2)), atol=1e-5)
    one_each = images.rotate(stack, [0, 90, 45])
    np.testing.assert_allclose(one_each[1], np.rot90(stack[1]), atol=1e-5)
    np.testing.assert_allclose(one_each[2], images.rotate(stack[2], 45), atol=1e-6)
    corner = np.zeros((28, 28), np.float32)
    corner[0, 0] = 1
    assert images.rotate(corner, 45).sum() == 0  # the corner turns off the picture


def test_thicken_and_thin_against_loops():
    image = np.random.default_rng(5).random((9, 11)).astype(np.float32)
    thick = np.zeros_like(image)
    thin = np.zeros_like(image)
    for r in range(9):
        for c in range(11):
            around = [image[i, j] if 0 <= i < 9 and 0 <= j < 11 else 0.0 for i in range(r - 1, r + 2) for j in range(c - 1, c + 2)]
            cross = [image[i, j] if 0 <= i < 9 and 0 <= j < 11 else 0.0
                     for i, j in ((r, c), (r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))]
            thick[r, c], thin[r, c] = max(around), min(cross)
    np.testing.assert_array_equal(images.thicken(image), thick)
    np.testing.assert_array_equal(images.thin(image), thin)
    np.testing.assert_array_equal(images.thicken(np.stack([image, image]), 2)[1], images.thicken(thick))


def test_noise_is_clipped_and_drawn_from_the_generator():
    X = np.full((100, 28, 28), 0.5, np.float32)
    a = images.add_noise(X, 0.4, np.random.default_rng(0))
    b = images.add_noise(X, 0.4, np.random.default_rng(0))
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 0 and a.max() <= 1 and abs(a.std() - 0.37) < 0.05 and a.dtype == np.float32


def test_random_distortion_keeps_shape_dtype_and_ink():
    rng = np.random.default_rng(6)
    X = np.zeros((50, 784), np.float32)
    X[:, 28 * 14 + 10 : 28 * 14 + 18] = 1  # a short bar in the middle
    out = images.random_distortion(X, rng)
    assert out.shape == X.shape and out.dtype == np.float32
    assert np.all(np.abs(out.sum(axis=1) - 8) < 1.5)  # turned and moved, never lost off the edge
    assert len({row.tobytes() for row in out}) > 10  # each image its own change
    with pytest.raises(ValueError, match="784 columns"):
        images.random_distortion(np.zeros((2, 100)), rng)
