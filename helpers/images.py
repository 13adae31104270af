"""Pictures of digits as the network needs them, and small changes to pictures.

**MNIST-style preprocessing.** MNIST's digits were scanned, then each was made grey-scale,
cropped to its ink, scaled to fit in a 20x20 box (keeping its aspect ratio, with
anti-aliasing) and placed in a 28x28 picture with its centre of mass in the middle. A
digit drawn on a canvas or photographed on paper has to go through the same steps before
the network can read it:

    to_grey         colours (and transparency) to one brightness per pixel
    to_ink          how much ink each pixel holds: flipped when the page is lighter
                    than the ink, the page's uneven lighting taken away
    crop_to_ink     the smallest rectangle holding all the ink
    fit_into        scaled so that its longer side is 20 pixels
    centre_by_mass  placed in 28x28 with its centre of mass at MNIST's (14, 14)

``preprocess`` runs them all; ``preprocess_steps`` keeps every picture on the way. A
picture with no digit in it (an empty canvas, a blank page, one flat shade) raises
``NoDigitFound`` instead of being passed on to the network for a guess.

**Changes to test and train with.** ``shift``, ``rotate``, ``thicken``, ``thin`` and
``add_noise`` change a stack of digits, to measure how robust a network is;
``random_shift`` and ``random_distortion`` make fresh variants of the training digits
for augmentation (``SGD(..., augment=random_shift)``).

NumPy only: reading image files (Pillow) is ``helpers.image_files``' job.
"""

from __future__ import annotations

import numpy as np

# MNIST's layout, measured on its 50,000 training digits (notebook 09): the ink's longer
# side is 20 pixels for 99.98 % of them, and the centre of mass is at row 14.0, column 14.0.
SIDE, BOX, CENTRE = 28, 20, 14.0
CHUNK = 2048  # images changed at a time by rotate, random_shift and random_distortion (bounded memory)

# Ink: a pixel must differ from the page by more than FLOOR of the strongest ink to count.
FLOOR = 0.25
# No digit: the strongest ink differs from the page by less than this (of black to white) ...
MIN_CONTRAST = 0.1
# ... or by less than this many times the page's own noise (its grain, JPEG artefacts).
MIN_SIGNAL_TO_NOISE = 6.0
# A digit is larger than a speck: its longer side spans at least this share of the picture.
MIN_INK_SHARE = 0.04
# Large pictures are first averaged down to at most this many pixels on their longer side.
WORK_SIDE = 560


class NoDigitFound(ValueError):
    """The picture holds no digit: it is blank, all one shade, or only a speck of ink."""


# ---------------------------------------------------------------------------------------
# Preprocessing, one step at a time
# ---------------------------------------------------------------------------------------


def to_grey(pixels) -> np.ndarray:
    """One brightness per pixel, 0 (black) to 1 (white), as float32.

    ``pixels`` is an image array: height x width (grey), or height x width x channels
    with 2 (grey, alpha), 3 (red, green, blue) or 4 (RGB, alpha) channels. Integers are
    read as 0-255 (uint8) or 0-65535 (uint16); floats in [0, 1] as they are, other floats
    stretched from their smallest to their largest value. Colours become brightness with
    the weights of ITU-R BT.601, ``0.299 R + 0.587 G + 0.114 B`` (as Pillow does), and a
    transparent pixel shows the page behind it: ``alpha * colour + (1 - alpha) * page``, the
    page white, or black when what is drawn is light (a white digit on transparency).
    """
    a = np.asarray(pixels)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 2, 3, 4)) or 0 in a.shape:
        raise ValueError(f"expected an image: height x width, or height x width x 1 to 4 channels, got shape {a.shape}")
    if a.dtype == bool:
        a = a.astype(np.float32)
    elif a.dtype.kind in "ui":
        top = 255 if a.dtype.itemsize == 1 else 65535
        a = np.clip(a, 0, top).astype(np.float32) / np.float32(top)
    elif a.dtype.kind == "f":
        a = a.astype(np.float32)
        if not np.all(np.isfinite(a)):
            raise ValueError("the picture has pixels that are not numbers (NaN or infinite)")
        low, high = float(a.min()), float(a.max())
        if low < 0 or high > 1:  # some other scale: only the differences between pixels matter
            a = (a - low) / np.float32(high - low) if high > low else np.zeros_like(a)
    else:
        raise ValueError(f"expected an array of numbers, got dtype {a.dtype}")
    if a.ndim == 2:
        return a
    channels = a.shape[2]
    colour = a[..., :3] if channels >= 3 else a[..., :1]
    grey = colour @ np.array([0.299, 0.587, 0.114], np.float32) if channels >= 3 else colour[..., 0]
    if channels in (2, 4):  # composite on the page: a fully transparent pixel is bare paper
        alpha = a[..., -1]
        grey = alpha * grey + (1 - alpha) * _page_behind(grey, alpha)
    return np.ascontiguousarray(grey, dtype=np.float32)


def _page_behind(grey: np.ndarray, alpha: np.ndarray) -> float:
    """The page to show through transparency: white (1), unless the drawn (mostly opaque)
    pixels are light on average, then black (0), so that the drawing stands out."""
    drawn = alpha > 0.5
    if drawn.any() and not drawn.all() and float(grey[drawn].mean()) > 0.5:
        return 0.0
    return 1.0


def shrink(image: np.ndarray, max_side: int = WORK_SIDE) -> np.ndarray:
    """``image`` averaged over k x k blocks, with the smallest whole k that brings its longer
    side to at most ``max_side`` (a phone photo has far more pixels than a digit needs)."""
    h, w = image.shape
    k = -(-max(h, w) // max_side)
    if k <= 1:
        return image
    h2, w2 = -(-h // k) * k, -(-w // k) * k  # repeat the last row and column to fill the blocks
    padded = np.pad(image, ((0, h2 - h), (0, w2 - w)), mode="edge")
    return padded.reshape(h2 // k, k, w2 // k, k).mean(axis=(1, 3), dtype=np.float32)


def page_level(grey: np.ndarray) -> np.ndarray:
    """The brightness the page would have without the ink: a plane a + b x + c y fitted to
    the pixels close to the picture's median brightness, then refitted to the pixels close
    to that plane (so the ink, a minority, is left out). A page lit more from one side than
    the other is brighter on that side."""
    h, w = grey.shape
    step = max(1, int(np.sqrt(h * w / 4096)))  # a few thousand pixels are plenty for three numbers
    y, x = np.mgrid[0:h:step, 0:w:step]
    v = grey[::step, ::step].ravel().astype(np.float64)
    basis = np.column_stack([np.ones(v.size), x.ravel() / max(w - 1, 1), y.ravel() / max(h - 1, 1)])
    # Start from the median brightness (the page, if the ink covers under half the picture),
    # keep the pixels near it, fit the plane to those, and again to the pixels near the plane.
    residual = v - np.median(v)
    coef = np.array([np.median(v), 0.0, 0.0])
    for _ in range(3):
        spread = 1.4826 * np.median(np.abs(residual))  # the page's noise, robustly (a MAD)
        keep = np.abs(residual) <= max(2.5 * spread, 0.02)
        if keep.sum() < 3:
            break
        coef = np.linalg.lstsq(basis[keep], v[keep], rcond=None)[0]
        residual = v - basis @ coef
    yy, xx = np.mgrid[0:h, 0:w]
    return (coef[0] + coef[1] * xx / max(w - 1, 1) + coef[2] * yy / max(h - 1, 1)).astype(np.float32)


def _box3(image: np.ndarray) -> np.ndarray:
    """The mean of each pixel's 3x3 neighbourhood (edges repeated): single noisy pixels fade."""
    p = np.pad(image, 1, mode="edge")
    h, w = image.shape
    return sum(p[i : i + h, j : j + w] for i in range(3) for j in range(3)) / np.float32(9)


def to_ink(grey: np.ndarray) -> np.ndarray:
    """How much ink each pixel holds, 0 (bare page) to 1 (full ink): a white-on-black
    picture like MNIST's.

    The page's brightness (``page_level``) is taken away, so what is left is how much
    each pixel differs from the page. Ink darker than the page (a pen on paper) is
    flipped, ``page - grey``; ink lighter than the page (chalk on a board, MNIST itself)
    is kept, ``grey - page``; which one is decided by the stronger of the two. Then the
    strongest ink becomes 1, and anything under ``FLOOR`` of it, or alone in bare page,
    becomes 0 (paper grain, shadows, JPEG artefacts). Raises ``NoDigitFound`` when there
    is nothing to see.
    """
    d = grey - page_level(grey)  # > 0: lighter than the page, < 0: darker
    smooth = _box3(d)  # strokes are several pixels wide; noise is one pixel
    darker, lighter = float(-smooth.min()), float(smooth.max())
    ink, contrast = (-d, darker) if darker >= lighter else (d, lighter)
    noise = 1.4826 * float(np.median(np.abs(d)))
    contrast = max(0.0, contrast)  # never "-0 %"
    if contrast < MIN_CONTRAST or contrast < MIN_SIGNAL_TO_NOISE * noise:
        raise NoDigitFound(
            f"no digit found: the picture is blank or all one shade (its strongest mark differs from the "
            f"page by {contrast:.0%} of black to white, and at least {max(MIN_CONTRAST, MIN_SIGNAL_TO_NOISE * noise):.0%} "
            f"is needed). Write the digit darker, or photograph it closer and in better light."
        )
    low = FLOOR * contrast
    # A pixel is ink if it is dark enough itself and some of its neighbours are too: a
    # single grain of noise past the floor, alone in bare page, is not.
    alone = _box3(np.maximum(ink, 0)) < contrast / 6  # a lone pixel gives at most 1/9
    return np.where(alone, 0, np.clip((ink - low) / (contrast - low), 0, 1)).astype(np.float32)


def crop_to_ink(ink: np.ndarray) -> np.ndarray:
    """The smallest rectangle of ``ink`` that holds every pixel with ink (> 0)."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        raise NoDigitFound("no digit found: there is no ink in the picture")
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _weights(n_in: int, n_out: int) -> np.ndarray:
    """The (n_out x n_in) matrix that resamples a row of n_in pixels to n_out pixels.

    Shrinking, each new pixel is the mean of the old pixels it covers (a box filter, the
    anti-aliasing: thin strokes turn grey instead of vanishing). Enlarging, each new pixel
    is interpolated linearly between the two old pixel centres beside it."""
    W = np.zeros((n_out, n_in), dtype=np.float64)
    if n_out <= n_in:
        scale = n_in / n_out  # new pixel i covers old positions [i * scale, (i + 1) * scale)
        edges = np.arange(n_out + 1) * scale
        for i in range(n_out):
            left, right = edges[i], edges[i + 1]
            j = np.arange(int(np.floor(left)), min(int(np.ceil(right)), n_in))
            W[i, j] = (np.minimum(j + 1, right) - np.maximum(j, left)) / scale
    else:
        x = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        j = np.minimum(np.floor(x).astype(int), n_in - 2) if n_in > 1 else np.zeros(n_out, int)
        t = x - j
        W[np.arange(n_out), j] = 1 - t
        if n_in > 1:
            W[np.arange(n_out), j + 1] += t
    return W


def resample(images: np.ndarray, height: int, width: int) -> np.ndarray:
    """``images`` resized to height x width: one picture (h x w), or a stack of them (n x h x w).

    Rows and columns are resampled one after the other. Along one direction a matrix R
    (``_weights``) takes the old pixels to the new: shrinking, each new pixel is the mean of
    the old picture over its square, an old pixel that lies only partly inside counted by
    the part inside (28 to 20: each new pixel spans 1.4 old ones), so ink is neither made
    nor lost. For a whole picture P that is R_rows @ P @ R_columns.T. Returns float32.
    """
    images = np.asarray(images)
    for n_out in (height, width):
        if not isinstance(n_out, (int, np.integer)) or isinstance(n_out, bool) or n_out < 1:
            raise ValueError(f"height and width must be whole numbers >= 1, got {height!r} and {width!r}")
    if images.ndim == 2:  # one picture, in float64
        out = _weights(images.shape[0], height) @ images.astype(np.float64) @ _weights(images.shape[1], width).T
        return out.astype(np.float32)
    if images.ndim != 3:
        raise ValueError(f"expected a picture (h x w) or a stack of them (n x h x w), got shape {images.shape}")
    # A stack: R_rows @ P @ R_columns.T for every picture at once, in float32, as two large
    # matrix products (each row of pixels times R_columns.T, then each column): much faster
    # than 50,000 small ones.
    n, h, w = images.shape
    R_rows, R_columns = _weights(h, height).astype(np.float32), _weights(w, width).astype(np.float32)
    rows = images.reshape(n * h, w).astype(np.float32) @ R_columns.T  # (n * h, width): P @ R_columns.T
    columns = rows.reshape(n, h, width).transpose(0, 2, 1).reshape(n * width, h) @ R_rows.T  # its transpose @ R_rows.T
    return np.ascontiguousarray(columns.reshape(n, width, height).transpose(0, 2, 1))


def fit_into(image: np.ndarray, size: int = BOX) -> np.ndarray:
    """``image`` scaled so that its longer side is ``size`` pixels, keeping its shape (its
    aspect ratio): a tall thin 1 stays tall and thin."""
    h, w = image.shape
    scale = size / max(h, w)
    return resample(image, max(1, round(h * scale)), max(1, round(w * scale)))


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """The ink's centre of mass (row, column): each pixel's position weighted by its ink."""
    total = image.sum()
    if total <= 0:
        raise NoDigitFound("no digit found: there is no ink in the picture")
    rows, cols = np.arange(image.shape[0]), np.arange(image.shape[1])
    return float(image.sum(axis=1) @ rows / total), float(image.sum(axis=0) @ cols / total)


def centre_by_mass(image: np.ndarray, side: int = SIDE, centre: float = CENTRE) -> np.ndarray:
    """``image`` placed in a ``side`` x ``side`` picture so that its centre of mass lands as
    close to (``centre``, ``centre``) as whole pixels allow, and never off the edge."""
    h, w = image.shape
    if h > side or w > side:
        raise ValueError(f"a {h}x{w} image does not fit in {side}x{side}: fit_into it first")
    r, c = centre_of_mass(image)
    top = int(np.clip(np.round(centre - r), 0, side - h))
    left = int(np.clip(np.round(centre - c), 0, side - w))
    out = np.zeros((side, side), dtype=np.float32)
    out[top : top + h, left : left + w] = image
    return out


def preprocess_steps(pixels) -> dict[str, np.ndarray]:
    """Every picture on the way from ``pixels`` (any image array, see ``to_grey``) to the
    28x28 digit the network reads: "grey", "ink", "cropped", "fitted" and "centred".

    Raises ``NoDigitFound`` (a ValueError) if there is no digit, and ValueError if the
    picture is too small to hold one."""
    grey = to_grey(pixels)
    if min(grey.shape) < 8:
        raise ValueError(f"the picture is only {grey.shape[1]}x{grey.shape[0]} pixels: too small to hold a digit")
    grey = shrink(grey)
    ink = to_ink(grey)
    cropped = crop_to_ink(ink)
    if max(cropped.shape) < max(4, MIN_INK_SHARE * max(grey.shape)):
        raise NoDigitFound(
            f"no digit found: the only ink is a speck of {cropped.shape[1]}x{cropped.shape[0]} pixels "
            f"in a {grey.shape[1]}x{grey.shape[0]} picture. Write the digit larger, or crop the photo to it."
        )
    fitted = fit_into(cropped)
    return {"grey": grey, "ink": ink, "cropped": cropped, "fitted": fitted, "centred": centre_by_mass(fitted)}


def preprocess(pixels) -> np.ndarray:
    """The 28x28 MNIST-style digit (float32, ink 1 on a background of 0) in ``pixels``."""
    return preprocess_steps(pixels)["centred"]


# ---------------------------------------------------------------------------------------
# Changes to a stack of digits: for robustness tests and augmentation
# ---------------------------------------------------------------------------------------


def shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Images (..., height, width) moved ``dy`` pixels down and ``dx`` right (0 fills the gap)."""
    out = np.zeros_like(image)
    h, w = image.shape[-2:]
    out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        ..., max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def random_shift(X: np.ndarray, rng: np.random.Generator, max_shift: int = 2) -> np.ndarray:
    """Shift each 28x28 image (a row of ``X``) by up to ``max_shift`` pixels in x and y.

    The shifts are random integers in [-max_shift, max_shift], chosen per image; pixels
    moved in from outside the picture are 0 (black background). Returns a new array.
    """
    n, size = X.shape
    side = int(round(size**0.5))
    if side * side != size:
        raise ValueError(f"expected rows of square images (e.g. 784 = 28x28 pixels), got {size} columns")
    dy, dx = rng.integers(-max_shift, max_shift + 1, size=(2, n))
    out = np.empty_like(X, shape=(n, size))
    for start in range(0, n, CHUNK):  # a chunk at a time: the padded copy stays small
        chunk = slice(start, start + CHUNK)
        out[chunk] = _shifted(X[chunk].reshape(-1, side, side), dy[chunk], dx[chunk], max_shift)
    return out


def _shifted(images: np.ndarray, dy: np.ndarray, dx: np.ndarray, s: int) -> np.ndarray:
    """Each of the square ``images`` (n, side, side) shifted by (dy, dx) pixels, |dy|, |dx| <= s,
    as rows (n, side * side); what comes in from outside the picture is 0."""
    n, side = len(images), images.shape[-1]
    padded = np.zeros((n, side + 2 * s, side + 2 * s), dtype=images.dtype)
    padded[:, s : s + side, s : s + side] = images
    # The shifted image starts at (s - dy, s - dx) in the padded one: fancy indexing picks
    # a different window for each image, all in one go.
    rows = (s - dy)[:, None, None] + np.arange(side)[None, :, None]
    cols = (s - dx)[:, None, None] + np.arange(side)[None, None, :]
    return padded[np.arange(n)[:, None, None], rows, cols].reshape(n, side * side)


def _turned_back(h: int, w: int, degrees: float):
    """For a turn of ``degrees`` of an h x w picture: for each new pixel, the flat indices
    of the four old pixels around the point it comes from (in the picture padded with a
    frame of zeros) and their bilinear weights."""
    a = np.radians(degrees)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    dy, dx = np.mgrid[0:h, 0:w].reshape(2, -1) - np.array([[cy], [cx]])
    # The point each new pixel comes from: its position turned back by the angle.
    sy, sx = cy + np.sin(a) * dx + np.cos(a) * dy, cx + np.cos(a) * dx - np.sin(a) * dy
    y0, x0 = np.floor(sy), np.floor(sx)
    ty, tx = (sy - y0).astype(np.float32), (sx - x0).astype(np.float32)
    # +1 for the frame; points far outside are clipped into the frame of zeros
    y0, x0 = np.clip(y0.astype(np.int64) + 1, 0, h + 1), np.clip(x0.astype(np.int64) + 1, 0, w + 1)
    y1, x1 = np.minimum(y0 + 1, h + 1), np.minimum(x0 + 1, w + 1)
    row = w + 2
    corners = [y0 * row + x0, y0 * row + x1, y1 * row + x0, y1 * row + x1]
    weights = [(1 - ty) * (1 - tx), (1 - ty) * tx, ty * (1 - tx), ty * tx]
    return corners, weights


def rotate(images: np.ndarray, degrees) -> np.ndarray:
    """Images (..., height, width) turned anticlockwise (as seen on the screen) by
    ``degrees`` about their centre: one angle for all, or one per image. Each new pixel is
    interpolated between the four old pixels around the point it came from (bilinear);
    what comes in from outside the picture is 0."""
    images = np.asarray(images)
    h, w = images.shape[-2:]
    dtype = images.dtype if images.dtype.kind == "f" else np.float32
    stack = images.reshape(-1, h, w)
    angles = np.broadcast_to(np.asarray(degrees, dtype=np.float64), (len(stack),))
    out = np.empty((len(stack), h * w), dtype=dtype)
    # A few thousand images at a time: the padded copy and the four terms stay small
    # (10,000 digits at once took 160 MB more; in chunks, 65 MB, the answer included).
    for start in range(0, len(stack), CHUNK):
        chunk = slice(start, start + CHUNK)
        flat = np.pad(stack[chunk].astype(dtype, copy=False), ((0, 0), (1, 1), (1, 1))).reshape(-1, (h + 2) * (w + 2))
        for angle in np.unique(angles[chunk]):  # images turned by the same angle share one map: fast
            which = np.flatnonzero(angles[chunk] == angle)
            corners, weights = _turned_back(h, w, float(angle))
            part = flat[which]
            turned = weights[0] * part[:, corners[0]]
            for idx, wt in zip(corners[1:], weights[1:]):
                turned += wt * part[:, idx]
            out[start + which] = turned
    return out.reshape(images.shape)


def _neighbours(images: np.ndarray, reduce, cross: bool) -> np.ndarray:
    """``reduce`` (np.maximum or np.minimum) of each pixel and its neighbours: the 8 around
    it, or (``cross``) only the 4 above, below, left and right. Outside the picture is 0."""
    h, w = images.shape[-2:]
    pad = [(0, 0)] * (images.ndim - 2) + [(1, 1), (1, 1)]
    p = np.pad(images, pad)
    offsets = [(1, 1), (0, 1), (2, 1), (1, 0), (1, 2)]
    if not cross:
        offsets += [(0, 0), (0, 2), (2, 0), (2, 2)]
    out = p[..., 1 : 1 + h, 1 : 1 + w]
    for i, j in offsets[1:]:
        out = reduce(out, p[..., i : i + h, j : j + w])
    return out


def thicken(images: np.ndarray, steps: int = 1) -> np.ndarray:
    """Strokes made thicker: each pixel takes the most ink among itself and its 8
    neighbours, ``steps`` times (a grey-scale dilation), on images (..., height, width)."""
    out = np.asarray(images)
    for _ in range(steps):
        out = _neighbours(out, np.maximum, cross=False)
    return out


def thin(images: np.ndarray, steps: int = 1) -> np.ndarray:
    """Strokes made thinner: each pixel keeps the least ink among itself and the 4
    pixels above, below, left and right of it, ``steps`` times (a grey-scale erosion)."""
    out = np.asarray(images)
    for _ in range(steps):
        out = _neighbours(out, np.minimum, cross=True)
    return out


def add_noise(images: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Images with random normal noise of standard deviation ``sigma`` added to every
    pixel, then clipped back to [0, 1]."""
    images = np.asarray(images)
    noise = rng.standard_normal(images.shape).astype(images.dtype if images.dtype.kind == "f" else np.float32)
    return np.clip(images + sigma * noise, 0, 1)


def random_distortion(X: np.ndarray, rng: np.random.Generator, max_shift: int = 2,
                      max_degrees: float = 15.0) -> np.ndarray:
    """Augmentation: each 28x28 image (a row of ``X``) turned by a random angle of up to
    ``max_degrees`` either way, then shifted by up to ``max_shift`` pixels (``random_shift``)."""
    n, size = X.shape
    if size != SIDE * SIDE:
        raise ValueError(f"expected rows of 28x28 images (784 columns), got {size} columns")
    # Angles on a grid of 25 steps (1.25 degrees apart for 15): images that share an angle are
    # turned together, which is many times faster than 50,000 different angles.
    angles = rng.integers(-12, 13, n) * (max_degrees / 12)
    dy, dx = rng.integers(-max_shift, max_shift + 1, size=(2, n))  # as random_shift draws them
    out = np.empty_like(X, shape=(n, size))
    for start in range(0, n, CHUNK):  # a chunk at a time: 50,000 digits need no second full copy
        chunk = slice(start, start + CHUNK)
        turned = rotate(X[chunk].reshape(-1, SIDE, SIDE), angles[chunk]).astype(X.dtype, copy=False)
        out[chunk] = _shifted(turned, dy[chunk], dx[chunk], max_shift)
    return out
