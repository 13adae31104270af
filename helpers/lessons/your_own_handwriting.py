"""Your own handwriting (notebook 09): the pieces the lesson builds, measures and draws.

* a drawing as the canvas sends it, a list of strokes, made into a picture
  (``strokes_to_image``), and a built-in example (``EXAMPLE_STROKES``);
* a digit of MNIST made to look like a photo of a digit written on paper
  (``paper_photo``), to try the preprocessing (and ``python -m helpers predict``) on;
* reading a picture, a drawing or an uploaded file: the preprocessing, the network's ten
  outputs and its hidden layer's activations, or the reason there is no answer
  (``read_picture``, ``read_strokes``, ``read_upload``);
* the pictures: the preprocessing step by step (``draw_steps``), a reading
  (``draw_reading``), accuracy as the test digits are changed (``robustness``,
  ``draw_robustness``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle
from PIL import Image

from helpers import images, reading
from helpers.image_files import read_image
from helpers.lessons.the_network import hidden_activations  # notebook 04's: A^1 = sigma(X (w^1)^T + b^1)
from helpers.plots import LINESTYLES, MARKERS, PALETTE, style

CANVAS = 280  # the drawing canvas, in pixels: ten times MNIST's 28
BRUSH = 22  # the widest pen: about MNIST's strokes once a digit drawn 200 pixels tall is 20 pixels tall
# The pen grows with the drawing: its width is PEN_SHARE of the drawing's larger extent (from
# MIN_BRUSH to BRUSH pixels), so a digit drawn 40 pixels tall has strokes as thin, for its
# size, as one drawn 200 pixels tall, and reads alike (a fixed 22-pixel pen made a small
# digit a blob). canvas.js draws with the same rule.
PEN_SHARE = 0.12
MIN_BRUSH = 3.0

# A "2" as a hand would draw it on the canvas: a hook over the top, a slope down to the
# left, a stroke along the bottom. Points are (x, y) in canvas pixels, y pointing down.
_t = np.linspace(np.pi * 1.05, np.pi * 2.25, 16)
EXAMPLE_STROKES = [
    [[round(140 + 62 * np.cos(t)), round(100 + 55 * np.sin(t))] for t in _t]
    + [[150, 160], [120, 190], [95, 218], [80, 232], [112, 231], [150, 232], [185, 234], [205, 236]]
]
EXAMPLE_DIGIT = 2
del _t


# ---------------------------------------------------------------------------------------
# Drawings
# ---------------------------------------------------------------------------------------


def clean_strokes(strokes) -> list[np.ndarray]:
    """The strokes as arrays of (x, y) points, whatever came from the browser: points that
    are not two finite numbers are dropped, and so are strokes left with no point."""
    cleaned = []
    for stroke in strokes or []:
        points = []
        for point in stroke if isinstance(stroke, list | tuple) else []:
            try:
                x, y = float(point[0]), float(point[1])
            except (TypeError, ValueError, IndexError, KeyError):
                continue
            if np.isfinite(x) and np.isfinite(y):
                points.append((x, y))
        if points:
            cleaned.append(np.array(points, dtype=np.float64))
    return cleaned


def pen_width(strokes) -> float:
    """The pen's width for a drawing: ``PEN_SHARE`` of the larger of its width and height
    (from the points' centres), kept between ``MIN_BRUSH`` and ``BRUSH`` pixels."""
    points = clean_strokes(strokes)
    if not points:
        return MIN_BRUSH
    xy = np.concatenate(points)
    extent = float(np.max(xy.max(axis=0) - xy.min(axis=0)))
    return float(np.clip(PEN_SHARE * extent, MIN_BRUSH, BRUSH))


def strokes_to_image(strokes, size: int = CANVAS, brush: float | None = None) -> np.ndarray:
    """The drawing as the canvas shows it: a size x size grey picture (1 white, 0 black)
    with each stroke drawn as a round-ended line ``brush`` pixels wide (``pen_width`` of the
    drawing if None, as the canvas draws it), its edge anti-aliased over one pixel.

    ``strokes`` is a list of strokes, each a list of (x, y) points in canvas pixels (as
    the browser sends them); a stroke of one point is a dot."""
    brush = pen_width(strokes) if brush is None else brush
    ink = np.zeros((size, size), dtype=np.float32)
    r = brush / 2
    centres = np.arange(size) + 0.5  # pixel centres
    for points in clean_strokes(strokes):
        segments = zip(points, points[1:]) if len(points) > 1 else [(points[0], points[0])]
        for (x0, y0), (x1, y1) in segments:
            # Only the pixels near this segment: a box around it, grown by the brush.
            left, right = int(max(0, np.floor(min(x0, x1) - r - 1))), int(min(size, np.ceil(max(x0, x1) + r + 1)))
            top, bottom = int(max(0, np.floor(min(y0, y1) - r - 1))), int(min(size, np.ceil(max(y0, y1) + r + 1)))
            if left >= right or top >= bottom:
                continue
            px, py = np.meshgrid(centres[left:right], centres[top:bottom])
            dx, dy = x1 - x0, y1 - y0
            length2 = dx * dx + dy * dy
            # The nearest point of the segment to each pixel, as a fraction t along it.
            t = np.clip(((px - x0) * dx + (py - y0) * dy) / length2, 0, 1) if length2 > 0 else 0.0
            distance = np.hypot(px - (x0 + t * dx), py - (y0 + t * dy))
            coverage = np.clip(r + 0.5 - distance, 0, 1).astype(np.float32)
            ink[top:bottom, left:right] = np.maximum(ink[top:bottom, left:right], coverage)
    return 1 - ink


# ---------------------------------------------------------------------------------------
# A digit on paper, photographed
# ---------------------------------------------------------------------------------------


def paper_photo(digit, rng: np.random.Generator, *, scale: float | None = None, style: str = "pen") -> np.ndarray:
    """A 28x28 MNIST digit (ink 1 on 0) as a photo of it written on paper, uint8 pixels.

    The digit is enlarged ``scale`` times (random, 6 to 14, if None) and put off-centre on
    a larger off-white page, with a margin of paper all round, lit unevenly (brighter on
    one side, darker towards the corners), with grain. ``style``: "pen" (dark blue-black
    ink, RGB), "pencil" (grey, one channel), "light" (pale ink on a light-grey page, RGB),
    "drawing" (black ink on a transparent background, RGBA, as drawing apps export)."""
    digit = np.asarray(digit, dtype=np.float32).reshape(28, 28)
    scale = float(rng.uniform(6, 14)) if scale is None else float(scale)
    side = max(28, round(28 * scale))
    big = Image.fromarray(np.round(digit * 255).astype(np.uint8)).resize((side, side), Image.BICUBIC)
    ink = np.asarray(big, dtype=np.float32) / 255
    ink = np.clip((ink - 0.15) * 1.5, 0, 1)  # a pen line is crisper than an enlarged MNIST stroke
    # The page: 1.3 to 2.2 times the digit in each direction, the digit anywhere with a margin.
    height, width = (round(side * f) for f in rng.uniform(1.3, 2.2, 2))
    margin = max(2, round(0.1 * side))
    top = int(rng.integers(margin, max(margin + 1, height - side - margin + 1)))
    left = int(rng.integers(margin, max(margin + 1, width - side - margin + 1)))
    height, width = max(height, top + side + margin), max(width, left + side + margin)
    page_ink = np.zeros((height, width), dtype=np.float32)
    page_ink[top : top + side, left : left + side] = ink
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    yy, xx = yy / height - 0.5, xx / width - 0.5
    angle = rng.uniform(0, 2 * np.pi)
    light = 1 + rng.uniform(0.04, 0.1) * (np.cos(angle) * xx + np.sin(angle) * yy) * 2  # one side brighter
    light -= rng.uniform(0.03, 0.08) * (xx**2 + yy**2) * 2  # darker towards the corners
    grain = rng.normal(0, 0.015, (height, width)).astype(np.float32)
    if style == "drawing":
        rgba = np.zeros((height, width, 4), dtype=np.float32)
        rgba[..., 3] = page_ink  # black ink, transparent page
        return np.round(rgba * 255).astype(np.uint8)
    if style == "light":
        paper, pen = np.array([0.74, 0.74, 0.76]), np.array([0.97, 0.97, 0.95])
    elif style == "pencil":
        paper, pen = np.array([0.93, 0.93, 0.93]), np.array([0.35, 0.35, 0.35])
    elif style == "pen":
        paper, pen = np.array([0.95, 0.93, 0.86]), np.array([0.10, 0.12, 0.28])
    else:
        raise ValueError(f"style should be 'pen', 'pencil', 'light' or 'drawing', got {style!r}")
    colour = (paper * (1 - page_ink[..., None]) + pen * page_ink[..., None]) * light[..., None] + grain[..., None]
    pixels = np.round(np.clip(colour, 0, 1) * 255).astype(np.uint8)
    return pixels[..., 0] if style == "pencil" else pixels


# ---------------------------------------------------------------------------------------
# Reading a picture
# ---------------------------------------------------------------------------------------


def check_reader(net) -> None:
    """A ValueError, in words, unless ``net`` is a network that reads 28 x 28 pictures
    (784 inputs), such as the one notebook 09 trains or loads."""
    sizes = getattr(net, "sizes", None)
    if not (hasattr(net, "feedforward") and hasattr(net, "weights") and isinstance(sizes, list | tuple) and sizes):
        raise ValueError(f"net must be a network, such as the one this notebook trains or loads; "
                         f"got {type(net).__name__}: {str(net)[:40]}")
    if sizes[0] != 784:
        raise ValueError(f"net takes {sizes[0]} inputs, but a picture here is 784 pixels (28 x 28): "
                         f"use a network with 784 inputs")


def read_picture(net, pixels) -> dict:
    """What the network makes of a picture (any image array, see ``images.to_grey``), read
    honestly (``helpers.reading``).

    A dict: "verdict" ("digit", "not sure", "no digit" or "several digits"), "digit" (its
    answer, or None unless the verdict is "digit"), "outputs" (the ten output activations,
    or None when there is no ink), "hidden" (the first hidden layer's activations), "steps"
    (the preprocessing's pictures, ``images.preprocess_steps``) and "message" (one line to
    show: the answer, or why there is none). A ValueError if ``net`` is not such a network."""
    check_reader(net)
    try:
        found, steps = reading.read_pixels(net, pixels)
    except ValueError as err:
        return _no_answer(str(err))
    if steps is None:
        return _no_answer(found.message, found.verdict)
    x = steps["centred"].reshape(1, 784)
    return {"verdict": found.verdict, "digit": found.digit, "outputs": np.asarray(found.outputs),
            "hidden": hidden_activations(net, x)[0], "steps": steps, "message": found.message}


def _no_answer(message: str, verdict: str = "no digit") -> dict:
    return {"verdict": verdict, "digit": None, "outputs": None, "hidden": None, "steps": None, "message": message}


def read_strokes(net, strokes, size: int = CANVAS, brush: float | None = None) -> dict:
    """``read_picture`` for a drawing; an empty canvas says so. ``strokes`` is a list of
    strokes, each a list of (x, y) points (``EXAMPLE_STROKES``); anything else is a ValueError."""
    check_reader(net)
    if strokes is not None and not isinstance(strokes, list | tuple):
        raise ValueError(f"strokes must be a list of strokes, each a list of [x, y] points (like "
                         f"lesson.EXAMPLE_STROKES); got {type(strokes).__name__}: {str(strokes)[:40]}")
    if not clean_strokes(strokes):
        return _no_answer("the canvas is empty: draw a digit")
    return read_picture(net, strokes_to_image(strokes, size, brush))


def read_upload(net, content: bytes) -> dict:
    """``read_picture`` for the bytes of an uploaded file (read as ``python -m helpers predict``
    reads a file: the same limits and messages); anything but bytes is a ValueError."""
    check_reader(net)
    if not isinstance(content, bytes | bytearray | memoryview):
        raise ValueError(f"content must be the bytes of a file (open(name, \"rb\").read() gives them); "
                         f"got {type(content).__name__}: {str(content)[:40]}")
    try:
        pixels = read_image(bytes(content))
    except ValueError as err:
        return _no_answer(f"not read: {err}", "error")
    return read_picture(net, pixels)


# ---------------------------------------------------------------------------------------
# Pictures that are not one digit: what an honest reader must refuse
# ---------------------------------------------------------------------------------------

NON_DIGIT_KINDS = ("dot", "block", "dash", "cross", "scrawl", "pair", "row")


def _in_a_row(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The 28x28 ``digits`` (ink 1 on 0) side by side on one strip, each moved up or down by
    up to 3 pixels, with gaps of 0 to 6 pixels between their boxes of ink."""
    pieces = [images.crop_to_ink(d.reshape(28, 28)) for d in digits]
    gaps = rng.integers(0, 7, len(pieces))
    shifts = rng.integers(-3, 4, len(pieces))
    height = max(p.shape[0] for p in pieces) + 6 + 8
    width = sum(p.shape[1] for p in pieces) + int(gaps[1:].sum()) + 8
    strip = np.zeros((height, width), dtype=np.float32)
    left = 4
    for piece, gap, dy in zip(pieces, gaps, shifts):
        left += int(gap) if left > 4 else 0
        top = 7 + int(dy)
        strip[top : top + piece.shape[0], left : left + piece.shape[1]] = np.maximum(
            strip[top : top + piece.shape[0], left : left + piece.shape[1]], piece)
        left += piece.shape[1]
    return strip


def non_digit(kind: str, rng: np.random.Generator, digits=None) -> np.ndarray:
    """One picture that is not one digit, as ink (1 on a page of 0, like ``images.to_ink``
    gives), of the ``kind`` named (``NON_DIGIT_KINDS``):

    * "dot": a round dot, 10 to 120 pixels across, on the 280 x 280 canvas;
    * "block": a filled rectangle, 40 to 200 pixels a side (at most 2 to 1);
    * "dash": a straight line within 20 degrees of level, 60 to 240 long, 6 to 30 thick;
    * "cross": two such lines crossing, as a "+" or an "x";
    * "scrawl": a tangle of 10 to 20 random strokes in a box;
    * "pair", "row": two, or three to five, digits of ``digits`` (28x28 rows) side by side.
    """
    c = CANVAS / 2
    if kind == "dot":
        x, y = rng.uniform(70, 210, 2)
        return 1 - strokes_to_image([[[x, y]]], brush=float(rng.uniform(10, 120)))
    if kind == "block":
        h = rng.uniform(40, 200)
        w = float(np.clip(h * rng.uniform(0.5, 2.0), 40, 200))
        top, left = round(c - h / 2), round(c - w / 2)
        ink = np.zeros((CANVAS, CANVAS), dtype=np.float32)
        ink[top : top + round(h), left : left + round(w)] = 1
        return ink
    if kind in ("dash", "cross"):
        lines = []
        for turn in ((0,) if kind == "dash" else (0, 90)):
            a = np.radians(rng.uniform(-20, 20) + turn + (45 * rng.integers(0, 2) if kind == "cross" else 0))
            half = rng.uniform(30, 120)
            lines.append([[c - half * np.cos(a), c - half * np.sin(a)], [c + half * np.cos(a), c + half * np.sin(a)]])
        return 1 - strokes_to_image(lines, brush=float(rng.uniform(6, 30)))
    if kind == "scrawl":
        side = rng.uniform(60, 220)
        points = (c + rng.uniform(-side / 2, side / 2, (int(rng.integers(11, 22)), 2))).tolist()
        return 1 - strokes_to_image([points], brush=float(np.clip(PEN_SHARE * side, MIN_BRUSH, BRUSH)))
    if kind in ("pair", "row"):
        if digits is None or len(digits) < 5:
            raise ValueError(f"a {kind} needs digits to put side by side: at least 5 rows of 784 pixels")
        n = 2 if kind == "pair" else int(rng.integers(3, 6))
        return _in_a_row(np.asarray(digits)[rng.choice(len(digits), n, replace=False)], rng)
    raise ValueError(f"kind must be one of {NON_DIGIT_KINDS}, got {kind!r}")


def non_digits(n_each: int, rng: np.random.Generator, digits=None, kinds=NON_DIGIT_KINDS) -> list:
    """``n_each`` pictures of each of the ``kinds`` (``non_digit``), as (kind, picture) pairs."""
    return [(kind, non_digit(kind, rng, digits)) for kind in kinds for _ in range(n_each)]


# ---------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------

STEP_TITLES = {
    "grey": "1. grey-scale",
    "ink": "2. ink (what differs from\nthe page, shown dark)",
    "cropped": "3. cropped to the ink",
    "fitted": "4. fitted into 20 x 20",
    "centred": "5. centre of mass\nat (14, 14) in 28 x 28",
}


def draw_steps(fig, steps: dict, original=None, title: str = "MNIST-style preprocessing, step by step"):
    """The pictures of ``images.preprocess_steps`` side by side (after ``original``, the
    picture as it came, if given), each with its size; the last with its centre of mass
    (orange cross) and the centre of the 28 x 28 field (blue lines)."""
    panels = ([("the picture as it came", original)] if original is not None else []) + \
        [(STEP_TITLES[k], steps[k]) for k in STEP_TITLES]
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, picture) in zip(axes, panels):
        picture = np.asarray(picture)
        grey_like = name.startswith("1.") or name.startswith("the picture")
        if picture.ndim == 3 and picture.shape[2] == 4:  # show transparency as the white page behind it
            picture = images.to_grey(picture)
        ax.imshow(picture, cmap="gray" if grey_like else "gray_r", vmin=0, vmax=255 if picture.dtype == np.uint8 else 1,
                  interpolation="nearest")
        h, w = picture.shape[:2]
        ax.set_title(f"{name}\n{w} x {h} pixels", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    box = steps["fitted"]
    ax = axes[-2]
    ax.add_patch(Rectangle((-0.5, -0.5), images.BOX, images.BOX, fill=False, edgecolor=PALETTE["blue"],
                           linestyle="--", linewidth=1))
    ax.set_xlim(-0.5, max(images.BOX, box.shape[1]) - 0.5)
    ax.set_ylim(max(images.BOX, box.shape[0]) - 0.5, -0.5)
    ax = axes[-1]
    r, c = images.centre_of_mass(steps["centred"])
    ax.axhline(images.CENTRE, color=PALETTE["blue"], linestyle=":", linewidth=1)
    ax.axvline(images.CENTRE, color=PALETTE["blue"], linestyle=":", linewidth=1)
    ax.plot([c], [r], marker="+", color=PALETTE["orange"], markersize=12, markeredgewidth=2)
    fig.suptitle(title, fontsize=10)
    return fig


def draw_reading(fig, reading: dict, title: str = "What the network reads"):
    """Three panels: the 28 x 28 picture the network is given, its ten outputs as bars
    (the answer hatched, in orange) and the activations of its hidden neurons as a grid."""
    ax_in, ax_out, ax_hidden = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.6, 1]})
    steps = reading.get("steps")
    ax_in.imshow(steps["centred"] if steps else np.zeros((28, 28)), cmap="gray_r", vmin=0, vmax=1)
    ax_in.set_title("the network's input\n(28 x 28, after preprocessing)", fontsize=8)
    ax_in.set_xticks([])
    ax_in.set_yticks([])
    outputs = reading.get("outputs")
    digits = np.arange(10)
    if outputs is None:
        ax_out.bar(digits, np.zeros(10), color=PALETTE["blue"])
        ax_out.text(4.5, 0.5, "no answer", ha="center", va="center", fontsize=11)
    else:
        bars = ax_out.bar(digits, outputs, color=PALETTE["blue"], edgecolor="black", linewidth=0.5)
        if reading.get("digit") is not None:  # only a digit read is marked as the answer
            winner = reading["digit"]
            bars[winner].set_color(PALETTE["orange"])
            bars[winner].set_edgecolor("black")
            bars[winner].set_hatch("//")
            ax_out.annotate("answer", (winner, outputs[winner]), textcoords="offset points", xytext=(0, 3),
                            ha="center", fontsize=8)
        else:
            ax_out.text(4.5, 1.02, f"{reading.get('verdict', 'no answer')}: no answer", ha="center", fontsize=9)
    ax_out.set_xticks(digits)
    ax_out.set_ylim(0, 1.1)
    ax_out.set_xlabel("digit (output neuron)")
    ax_out.set_ylabel("output activation")
    ax_out.set_title(reading["message"], fontsize=8)
    hidden = reading.get("hidden")
    if hidden is None:
        hidden = np.zeros(100)
    side = int(np.ceil(np.sqrt(len(hidden))))
    grid = np.full(side * side, np.nan)
    grid[: len(hidden)] = hidden
    shown = ax_hidden.imshow(grid.reshape(side, side), cmap="cividis", vmin=0, vmax=1)
    ax_hidden.set_title(f"the {len(hidden)} hidden neurons'\nactivations", fontsize=8)
    ax_hidden.set_xticks([])
    ax_hidden.set_yticks([])
    fig.colorbar(shown, ax=ax_hidden, fraction=0.046, pad=0.04, label="activation")
    fig.suptitle(title, fontsize=10)
    fig.subplots_adjust(wspace=0.4, top=0.8)
    return fig


# ---------------------------------------------------------------------------------------
# Robustness
# ---------------------------------------------------------------------------------------


def changes(rng: np.random.Generator) -> dict:
    """The changes the robustness table tries, by name: each a function of a stack of
    28x28 digits. The noise draws from ``rng``."""
    return {
        "none": lambda X: X,
        "shifted 2 pixels right": lambda X: images.shift(X, 0, 2),
        "shifted 3 pixels down-right": lambda X: images.shift(X, 3, 3),
        "shifted 4 pixels left": lambda X: images.shift(X, 0, -4),
        "rotated 15°": lambda X: images.rotate(X, 15),
        "rotated -30°": lambda X: images.rotate(X, -30),
        "thickened once": lambda X: images.thicken(X, 1),
        "thickened twice": lambda X: images.thicken(X, 2),
        "thinned once": lambda X: images.thin(X, 1),
        "noise of spread 0.2": lambda X: images.add_noise(X, 0.2, rng),
        "noise of spread 0.4": lambda X: images.add_noise(X, 0.4, rng),
    }


ROWS_AT_ONCE = 2_000  # digits changed at a time: the changed copies stay small (16 MB, not 10,000 digits' worth)


def _accuracies(nets: dict, X, y, change) -> dict:
    """Each named network's accuracy on the digits ``X`` (one per row) after ``change``,
    applied to a few thousand digits at a time (in order, so random changes draw the same
    numbers as on all of them at once)."""
    X, y = np.asarray(X).reshape(-1, 28, 28), np.asarray(y)
    labels = np.argmax(y, axis=1) if y.ndim == 2 else y
    correct = dict.fromkeys(nets, 0)
    for start in range(0, len(X), ROWS_AT_ONCE):
        part = slice(start, start + ROWS_AT_ONCE)
        changed = np.asarray(change(X[part]), dtype=np.float32).reshape(-1, 784)
        for who, net in nets.items():
            correct[who] += int(np.sum(net.predict(changed) == labels[part]))
    return {who: correct[who] / len(X) for who in nets}


def accuracy_under(net, X, y, change) -> float:
    """The network's accuracy on the digits ``X`` (one per row) after ``change``."""
    return _accuracies({"net": net}, X, y, change)["net"]


def robustness(nets: dict, X, y, rng: np.random.Generator) -> dict:
    """For each change of ``changes(rng)``: each named network's accuracy on the changed
    digits, ``{change: {net name: accuracy}}``."""
    return {name: _accuracies(nets, X, y, change) for name, change in changes(rng).items()}


def sweep(nets: dict, X, y, change, amounts) -> dict:
    """Each network's accuracy (in %) on ``X`` after ``change(X, amount)``, for each amount."""
    return {who: [100 * accuracy_under(net, X, y, lambda images_, a=a: change(images_, a)) for a in amounts]
            for who, net in nets.items()}


def draw_robustness(ax, amounts, curves: dict, xlabel: str, title: str):
    """Accuracy curves, one per network, against the size of a change."""
    colours = [PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"]]
    for i, (who, accuracy) in enumerate(curves.items()):
        ax.plot(amounts, accuracy, color=colours[i % 3], linestyle=LINESTYLES[i % 4], marker=MARKERS[i % 8],
                label=who)
    ax.set_ylim(0, 100)
    return style(ax, title, xlabel, "accuracy on the test images (%)", title_size=10, legend=dict(fontsize=8))
