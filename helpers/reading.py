"""An honest reader: a digit when there is one, and a plain "no" when there is not.

A network trained on MNIST gives ten outputs for any 28x28 picture, so it names a digit for
a dot, a dash, a filled square or "72". ``read_digit`` looks at the ink first and asks the
network only when the ink could be one digit; then it keeps the network's answer only when
the outputs single one digit out. Every reading ends in one of four verdicts:

    "digit"           one digit, and the network's outputs single it out
    "not sure"        the highest output is low, or the two highest are close
    "no digit"        no ink, a speck, a dot or filled block, or a straight line (a dash)
    "several digits"  pieces of ink side by side, or ink much wider than one digit

The rules are a few comparisons with the named numbers below, on the ink seen at a small,
fixed size (``GRID``), with the ink's pieces found by a plain flood fill: simple enough to
be checked by hand and written again in another language (the offline web page reads
digits with the same rules in JavaScript). Notebook 09 measures them: the share of MNIST's
test digits still read, and the share of made-up non-digits (dots, blocks, dashes, scrawls,
digits side by side: ``lessons.your_own_handwriting.non_digits``) refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers import images
from helpers.activations import softmax

VERDICTS = ("digit", "not sure", "no digit", "several digits")

# The ink's shape is judged on the cropped ink scaled so that its longer side is GRID pixels
# (twice MNIST's 20-pixel box): the rules see the same picture whatever size the digit was drawn.
GRID = 40
LEVEL = 0.3  # on that grid, a pixel with at least this much ink (0 to 1) counts as ink
# A piece of ink: pixels of ink joined side by side or corner to corner. Pieces smaller than
# this share of all the ink are specks (noise, a stray touch of the pen), left out of the rules.
MIN_PIECE = 0.05
# No digit: a dot or a filled block, ink still left after it is worn away CORE times (each
# time a pixel of ink stays only if its 8 neighbours are ink too). A disc as wide as the grid
# lasts 14 times, a square 20; MNIST's strokes are at most about 20 pixels wide here (10 times).
CORE = 11
# No digit: one straight stroke lying within FLAT degrees of level (a dash; a "1" stands up,
# MNIST's straightest digits lie 37 degrees or more from level). One straight stroke: the
# ink's spread across its main direction (a standard deviation) is at most THIN times the
# number of times it can be worn away (CORE's count, half the pen's width): 0.3 to 0.72 for
# dashes, 1.2 or more for a row of digits.
THIN = 1.0
FLAT = 30.0
# Ink at least WIDE times wider than tall (and not a line) is no single digit: writing,
# several digits in a row ("2222"). The widest of MNIST's test digits is 2.1 times.
WIDE = 2.2
# Several digits: two pieces each at least this share of the ink's height, side by side: their
# columns overlap by at most OVERLAP of the narrower one's width.
PIECE_HEIGHT = 0.6
OVERLAP = 0.1
# Not sure: the highest output is below MIN_TOP, or the second highest is within MIN_MARGIN of it.
MIN_TOP = 0.3
MIN_MARGIN = 0.1


@dataclass(frozen=True)
class Reading:
    """What the reader makes of a picture. ``verdict``: one of ``VERDICTS``; ``digit``: the
    digit read (only when the verdict is "digit"), else None; ``outputs``: the network's ten
    outputs for the picture (floats), or None when there was no ink to show it; ``message``:
    one sentence saying why, in plain words."""

    verdict: str
    digit: int | None
    outputs: tuple[float, ...] | None
    message: str


def outputs_of(model, x: np.ndarray) -> np.ndarray:
    """The model's ten outputs for the 28x28 pictures ``x`` (rows of 784): a sigmoid network's
    output activations (each 0 to 1); softmax probabilities for a network with linear outputs
    and for a model of layers."""
    if hasattr(model, "probabilities"):  # a model of layers (helpers.layers.Sequential)
        return model.probabilities(x.reshape((len(x),) + tuple(model.input_shape)))
    a = model.feedforward(x)
    return softmax(a) if getattr(model.output, "name", "") == "linear" else a


def label_pieces(ink: np.ndarray) -> tuple[np.ndarray, int]:
    """The pieces of a picture of True (ink) and False: an array of the same shape holding,
    for each pixel of ink, the number of its piece (1, 2, ...; 0 for no ink), and how many
    pieces there are. Pixels belong to one piece when a chain of ink joins them, each step to
    one of the 8 pixels around (side by side or corner to corner). A plain flood fill: each
    new piece starts at the first unlabelled ink pixel in reading order, and spreads from a
    list of pixels still to visit."""
    ink = np.asarray(ink, dtype=bool)
    h, w = ink.shape
    labels = np.zeros((h, w), dtype=np.int32)
    count = 0
    for start in np.flatnonzero(ink):
        r0, c0 = divmod(int(start), w)
        if labels[r0, c0]:
            continue
        count += 1
        labels[r0, c0] = count
        todo = [(r0, c0)]
        while todo:
            r, c = todo.pop()
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < h and 0 <= cc < w and ink[rr, cc] and not labels[rr, cc]:
                        labels[rr, cc] = count
                        todo.append((rr, cc))
    return labels, count


def wear_away(ink: np.ndarray) -> int:
    """How many times a picture of True (ink) and False can be worn away before no ink is
    left: each time, a pixel of ink stays only if the 8 pixels around it are ink too (outside
    the picture is bare). Half the width of the thickest stroke, in pixels."""
    ink = np.asarray(ink, dtype=bool)
    h, w = ink.shape
    times = 0
    while ink.any():
        p = np.pad(ink, 1)
        kept = np.ones((h, w), dtype=bool)
        for dr in range(3):
            for dc in range(3):
                kept &= p[dr : dr + h, dc : dc + w]
        ink, times = kept, times + 1
    return times


def main_direction(ink: np.ndarray) -> tuple[float, float]:
    """Which way the ink of a picture of True (ink) and False lies, and how far it spreads
    across that way: the spread (standard deviation, in pixels) of its pixels across their
    main direction, and the main direction's angle from level, in degrees from 0 (level) to
    90 (upright). From the pixels' variances sxx, syy and covariance sxy: the spread across
    is the square root of (sxx + syy) / 2 - sqrt(((sxx - syy) / 2)^2 + sxy^2), the angle
    half of atan2(2 sxy, sxx - syy)."""
    r, c = np.nonzero(np.asarray(ink, dtype=bool))
    x, y = c - c.mean(), r - r.mean()
    sxx, syy, sxy = float(np.mean(x * x)), float(np.mean(y * y)), float(np.mean(x * y))
    mid, half = (sxx + syy) / 2, float(np.hypot((sxx - syy) / 2, sxy))
    across = float(np.sqrt(max(mid - half, 0.0)))
    angle = abs(np.degrees(0.5 * np.arctan2(2 * sxy, sxx - syy)))
    return across, float(angle)


def ink_shape(cropped: np.ndarray) -> dict:
    """What the rules look at, for ink cropped to its box (``images.crop_to_ink``): on the
    ink scaled to ``GRID`` pixels on its longer side, with pixels of at least ``LEVEL`` ink,
    the height and width of the ink's box, its spread across its main direction and that
    direction's angle from level (``main_direction``), how many times it can be worn away ("core", ``wear_away``), and
    the pieces that are not specks, each as (top, bottom, left, right, pixels), left to right."""
    grid = images.fit_into(cropped, GRID) >= LEVEL
    if not grid.any():  # only faint ink: count what there is
        grid = images.fit_into(cropped, GRID) > 0
    rows, cols = np.flatnonzero(grid.any(axis=1)), np.flatnonzero(grid.any(axis=0))
    height, width = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
    labels, count = label_pieces(grid)
    total = int(grid.sum())
    pieces = []
    for k in range(1, count + 1):
        r, c = np.nonzero(labels == k)
        if r.size >= MIN_PIECE * total:
            pieces.append((int(r.min()), int(r.max()), int(c.min()), int(c.max()), int(r.size)))
    pieces.sort(key=lambda p: (p[2], p[0]))
    across, angle = main_direction(grid)
    return {"height": height, "width": width, "across": across, "angle": angle,
            "core": wear_away(grid), "pieces": pieces}


def side_by_side(pieces: list, height: int) -> int:
    """How many characters the ``pieces`` make side by side. Only pieces at least
    ``PIECE_HEIGHT`` of the ink's ``height`` tall count (a short piece, such as the bar of a
    5 drawn apart, belongs to a character beside it); going left to right, a piece whose
    columns overlap the character before by more than ``OVERLAP`` of the narrower one's width
    is part of it, otherwise it starts a new character."""
    count, left_end, right_end = 0, 0, -1
    for top, bottom, left, right, _ in pieces:  # sorted by their left column
        if bottom - top + 1 < PIECE_HEIGHT * height:
            continue
        overlap = min(right_end, right) - left + 1
        if count and overlap > OVERLAP * min(right_end - left_end + 1, right - left + 1):
            right_end = max(right_end, right)  # the same character
        else:
            count, left_end, right_end = count + 1, left, right
    return count


def _article(digit: int) -> str:
    return "an" if digit == 8 else "a"


def judge_outputs(outputs) -> Reading:
    """The verdict on the network's ten outputs alone: "digit" when the highest is at least
    ``MIN_TOP`` and at least ``MIN_MARGIN`` above the second highest, else "not sure"."""
    a = tuple(float(v) for v in outputs)
    order = np.argsort(a)[::-1]
    top, second = int(order[0]), int(order[1])
    if a[top] < MIN_TOP:
        return Reading("not sure", None, a, f"not sure: no output is high (the highest, for {top}, is only "
                                             f"{a[top]:.2f}; at least {MIN_TOP:.2f} is needed)")
    if a[top] - a[second] < MIN_MARGIN:
        return Reading("not sure", None, a, f"not sure: it could be {_article(top)} {top} ({a[top]:.2f}) or "
                                             f"{_article(second)} {second} ({a[second]:.2f}), too close to choose")
    return Reading("digit", top, a, f"the network reads {_article(top)} {top} (output {a[top]:.2f})")


def read_digit(model, grey) -> Reading:
    """Read the digit in ``grey``, or say why there is none: a ``Reading``.

    ``grey`` is the picture with the page taken away: an array height x width (any size from
    8 x 8 on), ink light on dark, each pixel from 0 (bare page) to 1 (full ink), as
    ``images.to_ink`` returns it and as MNIST's digits are (a 28 x 28 digit of MNIST is read
    as it is). ``model``: a network of 784 inputs and ten outputs (``helpers.network.Network``,
    or a model of layers). The steps:

    1. no ink at all, or only a speck (``images.MIN_INK_SHARE`` of the picture): "no digit";
    2. the ink's shape on a ``GRID`` x ``GRID`` scale (``ink_shape``), in this order: pieces
       side by side (``side_by_side``) are "several digits"; solid ink (``CORE``) is a dot or
       a filled block ("no digit"); one straight stroke lying down (``THIN``, ``FLAT``) is a
       dash ("no digit"); ink much wider than tall (``WIDE``) is a row of characters
       ("several digits");
    3. otherwise the ink is cropped, fitted into 20 x 20 and centred by mass in 28 x 28 as
       MNIST's digits were (``images``), and the network's outputs decide: a digit, or
       "not sure" (``judge_outputs``).
    """
    ink = np.asarray(grey, dtype=np.float32)
    if ink.ndim != 2 or min(ink.shape) < 8:
        raise ValueError(f"grey must be a picture of at least 8 x 8 pixels (height x width), got shape {ink.shape}")
    if not np.all(np.isfinite(ink)):
        raise ValueError("grey has pixels that are not numbers (NaN or infinite)")
    ink = np.clip(ink, 0, 1)
    if not ink.any():
        return Reading("no digit", None, None, "no digit: there is no ink in the picture")
    cropped = images.crop_to_ink(ink)
    if max(cropped.shape) < max(4, images.MIN_INK_SHARE * max(ink.shape)):
        return Reading("no digit", None, None, f"no digit: the only ink is a speck of {cropped.shape[1]} x "
                       f"{cropped.shape[0]} pixels in a {ink.shape[1]} x {ink.shape[0]} picture; write the digit larger")
    x = images.centre_by_mass(images.fit_into(cropped)).reshape(1, 784)
    outputs = tuple(float(v) for v in np.asarray(outputs_of(model, x), dtype=np.float64)[0])
    shape = ink_shape(cropped)
    h, w = shape["height"], shape["width"]
    n = side_by_side(shape["pieces"], h)
    if n >= 2:
        return Reading("several digits", None, outputs, f"several digits: {n} separate pieces of ink side by side; "
                       f"write one digit at a time")
    if shape["core"] >= CORE:
        return Reading("no digit", None, outputs, "no digit: a dot or a filled shape, solid ink instead of lines; "
                       "a digit is drawn with lines")
    if shape["across"] <= THIN * shape["core"] and shape["angle"] <= FLAT:
        return Reading("no digit", None, outputs, f"no digit: one straight line lying {shape['angle']:.0f} degrees "
                       f"from level, a dash; a digit is more than a dash, and a 1 stands up")
    if w >= WIDE * h:
        return Reading("several digits", None, outputs, f"several digits: the writing is {w / h:.1f} times wider "
                       f"than it is tall, wider than one digit; write one digit at a time")
    return judge_outputs(outputs)


def read_pixels(model, pixels) -> tuple[Reading, dict | None]:
    """``read_digit`` for any picture as an image array (a photo, a scan, a drawing: see
    ``images.to_grey``): the page is found and taken away first (``images.preprocess_steps``).
    Returns the reading and the preprocessing's pictures (None when there is no digit to
    prepare: a blank picture, one shade, a speck). A picture too small to hold a digit is a
    "no digit" too; anything that is not an image array is a ValueError."""
    try:
        steps = images.preprocess_steps(pixels)
    except images.NoDigitFound as err:
        return Reading("no digit", None, None, str(err)), None
    except ValueError as err:
        if "too small" not in str(err):
            raise
        return Reading("no digit", None, None, f"no digit: {err}"), None
    return read_digit(model, steps["ink"]), steps
