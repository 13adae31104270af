"""Picture files read safely: any photo, scan or drawing of a digit, as pixels.

Pillow opens the file; its size is checked from the header before any pixel is decoded
(a small file can claim a huge picture), the photo is turned upright as its EXIF
orientation says, and a large picture is decoded small. A file that is not read as an
image gets an ``ImageRefused`` (a ValueError) with the reason in words. Both
``python -m helpers predict`` and notebook 09's upload read pictures with it.
"""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from helpers.images import WORK_SIDE, preprocess

# The largest picture opened: 60 megapixels (a 50-megapixel phone photo fits). Decoding
# it takes at most about 250 MB; a 97 KB PNG can claim 10,000 x 10,000 pixels (400 MB
# decoded), so the size is checked from the file's header, before any pixel is read.
MAX_PIXELS = 60_000_000
MAX_FILE_BYTES = 100 * 2**20  # no photo of one digit needs more than 100 MB


class ImageRefused(ValueError):
    """A file that is not read as an image, with the reason in words."""


def _open(source):
    """``source`` (a path, or bytes from an upload) opened by Pillow, header only."""
    if isinstance(source, bytes | bytearray | memoryview):
        size = len(source)
        source = io.BytesIO(bytes(source))
    else:
        if os.path.isdir(source):
            raise ImageRefused("it is a folder, not an image file")
        size = os.path.getsize(source)  # FileNotFoundError and PermissionError: see read_image
    if size == 0:
        raise ImageRefused("the file is empty (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise ImageRefused(f"the file is {size / 2**20:,.0f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
                         "a picture of a digit needs; save it smaller (or as a JPEG)")
    with warnings.catch_warnings():  # Pillow warns from 89 megapixels on; we refuse before that
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(source)


def _too_large(width: int, height: int) -> ImageRefused:
    return ImageRefused(
        f"the image is {width:,}x{height:,} pixels ({width * height / 1e6:,.0f} megapixels), more than the "
        f"{MAX_PIXELS // 1_000_000} megapixels read here; make it smaller first (a digit needs only a few "
        f"hundred pixels across)")


def read_image(source) -> np.ndarray:
    """The pixels of an image file, as ``helpers.images.to_grey`` takes them.

    ``source`` is a path or the bytes of a file (an upload). The size is checked before
    any pixel is decoded; the photo is turned upright as its EXIF orientation says; a
    large picture is decoded at reduced size (JPEG) or averaged down to about
    ``WORK_SIDE`` pixels across, so memory stays small. The result is a uint8 array
    (grey, grey + alpha, RGB or RGBA), or float32 for 16-bit, 32-bit and float images,
    whose full range is kept. Anything that cannot be read gives a ValueError in words.
    """
    try:
        with _open(source) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_large(width, height)
            if image.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 size when that is still large enough
                image.draft(image.mode, (WORK_SIDE, WORK_SIDE))
            upright = ImageOps.exif_transpose(image)  # decodes the pixels
            return _pixels(upright)
    except ImageRefused:
        raise
    except Image.DecompressionBombError as err:  # over 179 megapixels: Pillow stops at the header
        claimed = next((int(word.strip("(),")) for word in str(err).split() if word.strip("(),").isdigit()), 0)
        raise ImageRefused(f"the image has {claimed:,} pixels ({claimed / 1e6:,.0f} megapixels), more than the "
                           f"{MAX_PIXELS // 1_000_000} megapixels read here; make it smaller first (a digit "
                           "needs only a few hundred pixels across)") from None
    except FileNotFoundError:
        raise ImageRefused("there is no such file") from None
    except PermissionError:
        raise ImageRefused("the file cannot be read (permission denied)") from None
    except UnidentifiedImageError:
        raise ImageRefused("cannot read it as an image (it is not a picture file that Pillow knows: "
                           "PNG, JPEG, TIFF, GIF, BMP, WebP, ...)") from None
    except (OSError, SyntaxError, EOFError, ValueError, MemoryError) as err:
        raise ImageRefused(f"cannot read it as an image: the file is damaged or cut short ({err})") from None


def _pixels(image: Image.Image) -> np.ndarray:
    """The decoded ``image`` as an array, averaged down if it is large."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):  # one channel of 16/32-bit or float numbers
        a = np.asarray(image.convert("F") if image.mode != "F" else image, dtype=np.float32)
        if image.mode != "F":
            top = 65535.0 if image.mode.startswith("I;16") or a.max() <= 65535 else float(a.max())
            a = np.clip(a, 0, top) / np.float32(top)  # to [0, 1], so to_grey reads it as a float image
        if not np.all(np.isfinite(a)):
            raise ImageRefused("the image has pixels that are not numbers (NaN or infinite)")
        return _average_down(a)
    transparent = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    if image.mode in ("L", "LA", "RGB", "RGBA") and not (image.mode in ("L", "RGB") and transparent):
        converted = image
    else:  # palettes, CMYK, 1-bit, YCbCr, ...: to what to_grey reads
        converted = image.convert("RGBA" if transparent else "RGB")
    k = -(-max(converted.size) // WORK_SIDE)
    if k > 1:
        converted = converted.reduce(k)  # block means, in Pillow: no large float array is ever made
    return np.asarray(converted)


def _average_down(a: np.ndarray) -> np.ndarray:
    k = -(-max(a.shape) // WORK_SIDE)
    if k <= 1:
        return a
    h, w = a.shape[0] // k * k, a.shape[1] // k * k
    return a[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3), dtype=np.float32)


def load_image(source) -> np.ndarray:
    """The digit in an image file as the network reads it: a row of 784 pixels in [0, 1],
    white ink on black, prepared like MNIST (``helpers.images.preprocess``).

    Raises ValueError with a message for the learner (``helpers.images.NoDigitFound``
    when there is no digit in the picture)."""
    return preprocess(read_image(source)).reshape(1, 784)
