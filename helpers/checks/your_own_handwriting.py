"""Self-checks for the exercises of notebook 09, "Your own handwriting"."""

from __future__ import annotations

import functools

import numpy as np

from helpers import images
from helpers.checks import Hint, check_function, kindly_all, recipe, solution  # noqa: F401  (`check.recipe("crop_to_ink")`)

CROP_HINT = Hint(
    "crop_to_ink",
    "find the first and the last row that have any ink, and the first and the last column; then slice "
    "the picture from the first to the last of each. A slice `a[first:last]` stops *before* `last`.",
    "rows = np.flatnonzero(ink.any(axis=1)) are the rows with ink, cols = np.flatnonzero(ink.any(axis=0)) "
    "the columns; keep ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].",
    step='the rows with ink are np.flatnonzero(ink.any(axis=1)), the columns np.flatnonzero(ink.any(axis=0)); '
         'slice from the first to the last of each, and remember that a slice stops before its end.',
)
CENTRE_HINT = Hint(
    "centre_of_mass",
    "a weighted mean: add up (row number x ink) over all pixels and divide by the total ink; the same for "
    "the column. Rows and columns are numbered from 0.",
    "the ink in each row is image.sum(axis=1); the row of the centre is sum(row * ink in that row) / "
    "total ink, i.e. image.sum(axis=1) @ np.arange(height) / image.sum(); the column likewise with axis=0.",
    step='the equation: row = sum over pixels of (row number x ink) / total ink; image.sum(axis=1) gives the '
         'ink of each row, np.arange(height) the row numbers.',
)
THICKEN_HINT = Hint(
    "thicken",
    "the nine pixels around each pixel are nine copies of the picture, each shifted by at most one pixel; "
    "the answer is their largest value, pixel by pixel. A frame of zeros round the picture makes the "
    "shifted copies easy to cut out.",
    "p = np.pad(image, 1) puts a frame of zeros round it; the 9 windows p[i : i + h, j : j + w] for "
    "i, j in 0, 1, 2 are the picture shifted by one pixel each way; their np.maximum is the answer.",
    step='np.pad(image, 1) gives the frame of zeros; p[i : i + h, j : j + w] for i, j in 0, 1, 2 are the nine '
         'shifted copies; take their largest value pixel by pixel.',
)


def _ink_cases() -> list[dict]:
    """Pictures with ink in known places: one pixel, a bar touching the edges, a digit."""
    one = np.zeros((5, 6), dtype=np.float32)
    one[2, 3] = 0.7
    bar = np.zeros((6, 8), dtype=np.float32)
    bar[1:5, 5:8] = 1.0  # reaches the right edge
    corner = np.zeros((7, 7), dtype=np.float32)
    corner[0, 0], corner[6, 2], corner[3, 6] = 0.3, 1.0, 0.5
    rng = np.random.default_rng(9)
    digit = np.zeros((40, 30), dtype=np.float32)
    digit[7:31, 4:19] = (rng.random((24, 15)) > 0.5) * rng.random((24, 15))
    digit[7, 4], digit[30, 18] = 1.0, 1.0  # the corners of its box for sure
    return [{"ink": one}, {"ink": bar}, {"ink": corner}, {"ink": digit}]


def _one_short(ink):
    """The slip of the half-open range written with the last index: one row and column short."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return ink[rows[0] : rows[-1], cols[0] : cols[-1]]


def _axes_swapped(ink):
    """The slip of taking the columns' extent for the rows and the rows' for the columns."""
    rows, cols = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def crop_to_ink(learner) -> None:
    """Exercise 1: ``crop_to_ink(ink)``: the smallest rectangle holding every pixel > 0."""
    check_function(
        learner,
        images.crop_to_ink,
        _ink_cases(),
        name="crop_to_ink",
        unchanged=("ink",),
        changed_hint="Crop by slicing, `ink[top:bottom, left:right]`, and leave the picture itself alone.",
        slips=[
            (_one_short, "one row and one column too few: a slice `a[first:last]` stops *before* `last`, "
             "so slice to `last + 1`."),
            (_axes_swapped, "rows and columns are swapped: `ink.any(axis=1)` is True for each *row* with ink "
             "(it looks along the row), `ink.any(axis=0)` for each *column*."),
            (lambda ink: images.crop_to_ink(ink) > 0,
             "the right rectangle, but of True/False values: crop the picture `ink` itself, so that the grey "
             "levels stay, not the mask `ink > 0`."),
        ],
        hint=CROP_HINT,
    )


def _mass_cases() -> list[dict]:
    dot = np.zeros((5, 7))
    dot[1, 5] = 2.0
    two = np.zeros((4, 4))
    two[0, 0], two[3, 3] = 1.0, 3.0  # the heavier pixel pulls the centre towards it
    rng = np.random.default_rng(4)
    digit = rng.random((20, 13)) * (rng.random((20, 13)) > 0.6)
    return [{"image": dot}, {"image": two}, {"image": digit}]


def _unweighted(image):
    """The slip of averaging the positions of the inked pixels without their ink."""
    rows, cols = np.nonzero(image)
    return float(rows.mean()), float(cols.mean())


def _as_pair(learner):
    """The learner's function, with an answer of two numbers in an array (np.array([row, column]))
    taken as the pair it is: unpacking `row, column = ...` works on it just as well."""

    @functools.wraps(learner)
    def pair(*args, **kwargs):
        got = learner(*args, **kwargs)
        if isinstance(got, np.ndarray) and got.shape == (2,):
            return tuple(got)
        return got

    return pair


def centre_of_mass(learner) -> None:
    """Exercise 2: ``centre_of_mass(image)``: (row, column) of the ink's centre of mass."""
    check_function(
        _as_pair(learner) if callable(learner) else learner,
        images.centre_of_mass,
        _mass_cases(),
        name="centre_of_mass",
        parts=("row", "column"),
        slips=[
            (lambda image: images.centre_of_mass(image)[::-1],
             "the right numbers the wrong way round: return (row, column), the row (the y, down the "
             "picture) first, as NumPy indexes `image[row, column]`."),
            (_unweighted, "that is the mean position of the pixels that have ink, all counted alike; weigh "
             "each position by its ink, so a dark pixel counts more than a faint one."),
            (lambda image: (float(image.sum(axis=1) @ np.arange(image.shape[0])),
                            float(image.sum(axis=0) @ np.arange(image.shape[1]))),
             "those are the sums of position times ink; divide them by the total ink, `image.sum()`, to get "
             "a mean position."),
            (lambda image: (float(image.sum(axis=1) @ np.arange(image.shape[0])) / image.size,
                            float(image.sum(axis=0) @ np.arange(image.shape[1])) / image.size),
             "you divided by the number of pixels, image.size; a mean weighted by the ink divides by the "
             "total ink, `image.sum()`."),
            (lambda image: tuple(x + 1 for x in images.centre_of_mass(image)),
             "both numbers are one too large: rows and columns are numbered from 0, as NumPy indexes them "
             "(`np.arange(height)`, not `np.arange(1, height + 1)`)."),
        ],
        hint=CENTRE_HINT,
    )


def _stroke_cases() -> list[dict]:
    dot = np.zeros((5, 5), dtype=np.float32)
    dot[2, 2] = 1.0
    edge = np.zeros((6, 6), dtype=np.float32)
    edge[0, 2], edge[3, 5] = 1.0, 0.5  # ink on the border: nothing must come round from the other side
    rng = np.random.default_rng(2)
    digit = (rng.random((28, 28)) * (rng.random((28, 28)) > 0.85)).astype(np.float32)
    return [{"image": dot}, {"image": edge}, {"image": digit}]


def _rolled(image):
    """The slip of np.roll: ink on one edge comes back on the other."""
    out = image.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            out = np.maximum(out, np.roll(image, (dy, dx), axis=(0, 1)))
    return out


def _plus_only(image):
    """The slip of only the 4 neighbours above, below, left and right."""
    p = np.pad(image, 1)
    h, w = image.shape
    return np.max([p[1:1 + h, 1:1 + w], p[:h, 1:1 + w], p[2:, 1:1 + w], p[1:1 + h, :w], p[1:1 + h, 2:]], axis=0)


def _four_windows(image):
    """The slip of range(2): only the shifts 0 and 1 in each direction."""
    p = np.pad(image, 1)
    h, w = image.shape
    return np.max([p[i:i + h, j:j + w] for i in range(2) for j in range(2)], axis=0)


def _added_up(image):
    """The slip of adding the nine copies instead of taking their largest."""
    p = np.pad(image, 1)
    h, w = image.shape
    return np.sum([p[i:i + h, j:j + w] for i in range(3) for j in range(3)], axis=0)


def thicken(learner) -> None:
    """Exercise 3: ``thicken(image)``: each pixel becomes the largest of itself and its 8 neighbours."""
    check_function(
        learner,
        lambda image: images.thicken(image, 1),
        _stroke_cases(),
        name="thicken",
        unchanged=("image",),
        changed_hint="Make a new array (np.pad makes one) instead of writing into `image`.",
        slips=[
            (_rolled, "right inside the picture, wrong at its edges: `np.roll` wraps around, so ink on one "
             "edge comes back on the opposite edge. Pad with zeros (`np.pad(image, 1)`) and slice instead."),
            (_plus_only, "only the 4 neighbours above, below, left and right count here; the 4 diagonal "
             "ones count too (a 3 x 3 square of 9 pixels in all)."),
            (lambda image: image, "the picture came back unchanged: take the maximum over the 9 shifted "
             "copies, `np.maximum(out, ...)`, and return that."),
            (_four_windows, "only 4 of the 9 windows: the shifts go 0, 1, 2 in each direction (`range(3)`), so "
             "the stroke grew up and left but not down and right."),
            (_added_up, "the nine copies were added up: thickening takes the *largest* of the nine, "
             "`np.maximum`, so that ink stays between 0 and 1."),
        ],
        hint=THICKEN_HINT,
    )


kindly_all(globals())
