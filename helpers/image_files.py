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
import stat
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from helpers.images import WORK_SIDE, preprocess

# The largest picture opened: 60 megapixels (a 50-megapixel phone photo fits). Decoding
# it takes at most about 250 MB; a 97 KB PNG can claim 10,000 x 10,000 pixels (400 MB
# decoded), so the size is checked from the file's header, before any pixel is read.
MAX_PIXELS = 60_000_000
MAX_FILE_BYTES = 100 * 2**20  # no photo of one digit needs more than 100 MB
# The decoded picture, and the copy a change of pixel type makes before it is averaged down,
# may take at most this much memory: a 358 KB TIFF of 7,700 x 7,700 32-bit numbers decodes
# to 237 MB, and used to take 1.26 GB on its way to a float array. Bytes per pixel, by
# Pillow's mode: what decoding holds, plus the copy made before averaging down (a palette to
# RGBA, 16-bit to 32-bit numbers, 1-bit to grey).
MAX_DECODED_BYTES = 180 * 2**20
BYTES_PER_PIXEL = {"1": 2, "L": 1, "LA": 2, "La": 2, "P": 5, "PA": 6, "RGB": 3, "RGBA": 4, "RGBa": 4, "RGBX": 4,
                   "CMYK": 4, "YCbCr": 3, "LAB": 3, "HSV": 3, "I": 4, "F": 4, "I;16": 6, "I;16L": 6, "I;16B": 6,
                   "I;16N": 6}
MAX_FRAMES = 30  # of an animation (or a multi-page TIFF), the first frame that is not blank is read
SMALLEST = 8  # pixels each way: anything smaller cannot hold a digit


class ImageRefused(ValueError):
    """A file that is not read as an image, with the reason in words."""


def _open(source):
    """``source`` (a path, or bytes from an upload) opened by Pillow, header only."""
    if isinstance(source, bytes | bytearray | memoryview):
        size = len(source)
        source = io.BytesIO(bytes(source))
    else:
        info = os.stat(source)  # FileNotFoundError and PermissionError: see read_image
        if stat.S_ISDIR(info.st_mode):
            raise ImageRefused("it is a folder, not an image file")
        if not stat.S_ISREG(info.st_mode):  # /dev/urandom, a pipe: no size, and maybe no end
            raise ImageRefused("it is not a file but a device or a pipe; save the picture to a file first")
        size = info.st_size
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged file's metadata warnings: the reading says what matters
            return _read(source)
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
    except Exception as err:  # noqa: BLE001 -- the file is untrusted: Pillow's decoders, fed a damaged file,
        # also raise TypeError, struct.error, IndexError, KeyError, ZeroDivisionError ... (found by fuzzing)
        raise ImageRefused(f"cannot read it as an image: the file is damaged ({type(err).__name__}: {err})") from None


def _read(source) -> np.ndarray:
    """``read_image``'s work; its errors are put in words by ``read_image``."""
    with _open(source) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _too_large(width, height)
        if min(width, height) < SMALLEST:
            raise ImageRefused(f"the image is only {width:,}x{height:,} pixels: too small to hold a digit "
                               f"(at least {SMALLEST}x{SMALLEST} are needed)")
        if image.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 size when that is still large enough
            image.draft(image.mode, (WORK_SIDE, WORK_SIDE))
        _check_memory(image)
        frames = min(getattr(image, "n_frames", 1), MAX_FRAMES)
        for frame in range(frames):  # the first frame with something on it
            if frame:
                image.seek(frame)
                _check_memory(image)
            upright = ImageOps.exif_transpose(image)  # decodes the pixels
            pixels = _pixels(upright)
            if frames == 1 or _not_blank(pixels):
                return pixels
        return pixels  # every frame is blank: the reader says there is no digit


def _check_memory(image: Image.Image) -> None:
    """An ``ImageRefused`` if decoding ``image`` (as its header describes it) would take more
    than ``MAX_DECODED_BYTES``."""
    width, height = image.size
    per_pixel = BYTES_PER_PIXEL.get(image.mode, 8)
    if image.format == "TIFF":  # libtiff reads a strip into a buffer of its own, and one strip can be the
        per_pixel *= 2          # whole picture: a 168 MB CMYK TIFF peaked at 352 MB
    needed = width * height * per_pixel
    if needed > MAX_DECODED_BYTES:
        kind = {"I": "32-bit whole numbers", "F": "32-bit floating-point numbers", "CMYK": "CMYK colours",
                "P": "palette colours", "PA": "palette colours"}.get(image.mode, f"{image.mode} pixels")
        kind = "16-bit numbers" if image.mode.startswith("I;16") else kind
        raise ImageRefused(f"the image is {width:,}x{height:,} pixels of {kind}: reading it would take about "
                           f"{needed / 2**20:,.0f} MB, more than the {MAX_DECODED_BYTES // 2**20} MB allowed; save "
                           f"it smaller, or as an 8-bit PNG or a JPEG")


def _not_blank(pixels: np.ndarray) -> bool:
    """Whether a frame has anything on it: not every pixel the same."""
    return bool(pixels.size) and bool(np.ptp(pixels.reshape(-1, pixels.shape[2] if pixels.ndim == 3 else 1), axis=0).any())


def _pixels(image: Image.Image) -> np.ndarray:
    """The decoded ``image`` as an array, averaged down in Pillow (``reduce``, block means)
    first if it is large, so no large array is ever made: uint8 (grey, grey + alpha, RGB or
    RGBA), or float32 in [0, 1] for 16-bit, 32-bit and float pictures."""
    mode = image.mode
    transparent = mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    if mode.startswith("I;16"):  # reduce does not take 16-bit; 32-bit whole numbers hold them
        image = image.convert("I")
    elif mode in ("P", "PA", "1") or (mode in ("L", "RGB") and transparent):
        image = image.convert("RGBA" if transparent else ("L" if mode == "1" else "RGB"))
    k = -(-max(image.size) // WORK_SIDE)
    if k > 1:
        image = image.reduce(k)  # block means, in Pillow: no large float array is ever made
    if image.mode in ("I", "F"):  # one channel of 16/32-bit or float numbers
        a = np.asarray(image, dtype=np.float32)
        if not np.all(np.isfinite(a)):
            raise ImageRefused("the image has pixels that are not numbers (NaN or infinite)")
        if image.mode == "I":
            top = 65535.0 if mode.startswith("I;16") or a.max() <= 65535 else float(a.max())
            a = np.clip(a, 0, top) / np.float32(top)  # to [0, 1], so to_grey reads it as a float image
        return a
    if image.mode not in ("L", "LA", "RGB", "RGBA"):  # CMYK, YCbCr, ...: to what to_grey reads
        image = image.convert("RGBA" if transparent else "RGB")
    return np.asarray(image)


def load_image(source) -> np.ndarray:
    """The digit in an image file as the network reads it: a row of 784 pixels in [0, 1],
    white ink on black, prepared like MNIST (``helpers.images.preprocess``).

    Raises ValueError with a message for the learner (``helpers.images.NoDigitFound``
    when there is no digit in the picture)."""
    return preprocess(read_image(source)).reshape(1, 784)
