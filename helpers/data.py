"""MNIST for the course: fetched once, checked, cached, and loaded as NumPy arrays.

Where the four MNIST files come from, in this order:

1. the cache folder (``data/`` in the repository, or ``$DIGITS_DATA_DIR``);
2. a local mirror folder named by the environment variable ``MNIST_MIRROR``
   (a teacher's USB stick or a shared drive holding the four ``.gz`` files);
3. public HTTPS mirrors, tried in turn.

Every file is checked against the SHA-256 digest of its *uncompressed* contents, so a
copy that was re-compressed is accepted and a damaged one is not. A download goes to a
temporary file and is renamed into the cache only once complete and verified, so an
interrupted download never leaves behind a file that a later run would trust.

Before class, ``python -m helpers.data`` fetches and verifies everything, and
``python -m helpers.data --export FOLDER`` copies a verified set to hand out offline.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.client
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from helpers.idx import GZIP_MAGIC, IdxError, parse_idx, read_idx_bytes
from helpers.progress import ProgressBar


@dataclass(frozen=True)
class MnistFile:
    """One of the four MNIST files: its name and what its contents must be."""

    name: str  # without ".gz"
    sha256: str  # of the uncompressed IDX bytes
    shape: tuple[int, ...]


MNIST_FILES = {
    "train_images": MnistFile(
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        (60_000, 28, 28),
    ),
    "train_labels": MnistFile(
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        (60_000,),
    ),
    "test_images": MnistFile(
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        (10_000, 28, 28),
    ),
    "test_labels": MnistFile(
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        (10_000,),
    ),
}

# yann.lecun.com no longer serves the files; these two mirrors are the ones PyTorch and
# TensorFlow use. Each holds "<name>.gz" for the four names above.
MIRROR_URLS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

REPOSITORY_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
USER_CACHE_DIR = Path.home() / ".cache" / "digits-from-scratch"


class MnistError(RuntimeError):
    """MNIST could not be made available; the message says what was tried and what to do."""


def data_dir() -> Path:
    """The cache folder: ``$DIGITS_DATA_DIR``, else the repository's ``data/``, else ~/.cache."""
    if os.environ.get("DIGITS_DATA_DIR"):
        return Path(os.environ["DIGITS_DATA_DIR"]).expanduser()
    if REPOSITORY_DATA_DIR.is_dir():
        return REPOSITORY_DATA_DIR
    return USER_CACHE_DIR


def sha256_of_contents(path: Path) -> str:
    """SHA-256 of the uncompressed contents of ``path`` (gzip or not)."""
    return hashlib.sha256(read_idx_bytes(path)).hexdigest()


def verify(path: Path, file: MnistFile) -> None:
    """Raise ``MnistError`` unless ``path`` holds exactly the MNIST file ``file``."""
    try:
        digest = sha256_of_contents(path)
    except IdxError as err:
        raise MnistError(str(err)) from None
    if digest != file.sha256:
        raise MnistError(
            f"{path}: its contents do not match {file.name} (SHA-256 {digest[:16]}..., "
            f"expected {file.sha256[:16]}...). The copy is damaged or is a different file."
        )


def cached_path(file: MnistFile, folder: Path) -> Path | None:
    """The copy of ``file`` in ``folder`` (``.gz`` preferred), or None."""
    for candidate in (folder / f"{file.name}.gz", folder / file.name):
        if candidate.is_file():
            return candidate
    return None


def _install(source, final: Path) -> None:
    """Write ``source`` to a temporary file, verify it, and only then rename it to ``final``.

    ``source`` has ``write(open_file)`` and ``verify(path)``. The temporary file sits in
    the same folder (so the rename is atomic) and is removed if anything goes wrong:
    a dropped connection, a full disk, or a failed checksum.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            source.write(out)
        source.verify(tmp)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


class _Copy:
    """Copy a local file into the cache (used with ``_install``)."""

    def __init__(self, source: Path, file: MnistFile):
        self.source, self.file = source, file

    def write(self, out) -> None:
        with open(self.source, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)

    def verify(self, tmp: Path) -> None:
        verify(tmp, self.file)


class _Download:
    """Download a URL into the cache (used with ``_install``), showing a progress bar."""

    def __init__(self, url: str, file: MnistFile, quiet: bool, timeout: float):
        self.url, self.file, self.quiet, self.timeout = url, file, quiet, timeout

    def write(self, out) -> None:
        request = urllib.request.Request(self.url, headers={"User-Agent": "digits-from-scratch"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            size = int(response.headers.get("Content-Length") or 0)
            received = 0
            with ProgressBar(max(size // 1024, 1), f"{self.file.name}.gz", quiet=self.quiet, unit=" KiB") as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk) // 1024)
            if size and received < size:
                raise MnistError(f"connection dropped after {received:,} of {size:,} bytes")

    def verify(self, tmp: Path) -> None:
        verify(tmp, self.file)


def _describe(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        return f"could not connect ({err.reason})"
    if isinstance(err, http.client.IncompleteRead):
        return f"connection dropped after {len(err.partial):,} bytes"
    return str(err) or type(err).__name__


def fetch_file(
    file: MnistFile,
    folder: Path | None = None,
    mirror: str | os.PathLike | None = None,
    urls: tuple[str, ...] = MIRROR_URLS,
    quiet: bool = False,
    timeout: float = 30.0,
) -> Path:
    """Make sure a verified copy of ``file`` is in the cache ``folder``; return its path.

    ``mirror`` is a local folder to copy from (default: ``$MNIST_MIRROR``); ``urls`` are
    the base addresses tried after it, in turn.
    """
    folder = Path(folder) if folder is not None else data_dir()
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr))
    tried = []

    existing = cached_path(file, folder)
    if existing is not None:
        try:
            verify(existing, file)
            return existing
        except MnistError as err:
            existing.unlink()  # a damaged cache entry must not be trusted again
            say(f"Removed a damaged cached copy: {err}")
            tried.append(f"cache {existing}: {err} (removed)")

    if mirror is None:
        mirror = os.environ.get("MNIST_MIRROR") or None
    if mirror is not None:
        mirror = Path(mirror).expanduser()
        source = cached_path(file, mirror) if mirror.is_dir() else None
        if source is None:
            where = "has no" if mirror.is_dir() else "is not a folder, so no"
            tried.append(f"local mirror {mirror} {where} {file.name}.gz")
        else:
            target = folder / (f"{file.name}.gz" if source.read_bytes()[:2] == GZIP_MAGIC else file.name)
            try:
                _install(_Copy(source, file), target)
                say(f"Copied {source} -> {target} (checksum OK)")
                return target
            except (MnistError, OSError) as err:
                tried.append(f"local mirror {source}: {_describe(err)}")

    for base in urls:
        url = base + f"{file.name}.gz"
        target = folder / f"{file.name}.gz"
        try:
            say(f"Downloading {url}")
            _install(_Download(url, file, quiet, timeout), target)
            say(f"Saved {target} (checksum OK)")
            return target
        except (MnistError, OSError, http.client.HTTPException) as err:
            say(f"  failed: {_describe(err)}")
            tried.append(f"{url}: {_describe(err)}")

    raise MnistError(
        f"Could not get a verified copy of {file.name}. Tried:\n  - "
        + "\n  - ".join(tried or ["no sources (no MNIST_MIRROR and no download addresses)"])
        + "\nWhat to do: check your internet connection and run `python -m helpers.data` again, "
        "or copy the four MNIST .gz files to a folder (a USB stick from your teacher works) "
        "and set MNIST_MIRROR to that folder, e.g. `MNIST_MIRROR=/media/usb/mnist make lab`."
    )


def fetch_mnist(folder: Path | None = None, quiet: bool = False, **kwargs) -> dict[str, Path]:
    """Make sure all four MNIST files are cached and verified; return their paths by key."""
    return {key: fetch_file(file, folder, quiet=quiet, **kwargs) for key, file in MNIST_FILES.items()}


class Mnist(NamedTuple):
    """The MNIST arrays as stored: pixels 0-255 (uint8, n x 28 x 28) and labels 0-9."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


@functools.lru_cache(maxsize=2)
def _load_mnist_cached(folder: Path) -> Mnist:
    arrays = {}
    for key, path in fetch_mnist(folder, quiet=False).items():
        array = parse_idx(read_idx_bytes(path), name=str(path))
        expected = MNIST_FILES[key].shape
        if array.shape != expected:  # cannot happen with a verified file; a cheap guard all the same
            raise MnistError(f"{path}: shape {array.shape}, expected {expected}")
        array.flags.writeable = False  # shared between callers: nobody may change it
        arrays[key] = array
    return Mnist(**arrays)


def load_mnist(folder: Path | None = None) -> Mnist:
    """Return the 60,000 training and 10,000 test images and labels, as stored.

    Fetches the files first if they are not cached yet. The arrays are read-only and
    shared between calls (they are read from disk once per session).
    """
    return _load_mnist_cached(Path(folder) if folder is not None else data_dir())


def scale_pixels(images: np.ndarray) -> np.ndarray:
    """Flatten images to rows of 784 and scale pixels from 0..255 to 0..1 (float32)."""
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(f"expected images of shape (n, 28, 28) or (n, 784), got shape {images.shape}")
    # uint8 / float32 is already float32: copy=False avoids a second 188 MB copy for MNIST.
    return (images.reshape(len(images), -1) / np.float32(255)).astype(np.float32, copy=False)


def one_hot(labels: np.ndarray, n_classes: int = 10, dtype=np.float32) -> np.ndarray:
    """Turn labels like [5, 0] into rows like [0,0,0,0,0,1,0,0,0,0] and [1,0,...,0]."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"expected a 1-D array of integer labels, got shape {labels.shape} and dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must be between 0 and {n_classes - 1}, got {labels.min()}..{labels.max()}")
    out = np.zeros((len(labels), n_classes), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1
    return out


class Dataset(NamedTuple):
    """Images ``X`` (n x 784, float32 in [0, 1]) and labels ``y`` (integers, or one-hot rows)."""

    X: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:  # len(train) is the number of examples, not 2
        return len(self.X)


class Datasets(NamedTuple):
    train: Dataset
    validation: Dataset
    test: Dataset


def load_datasets(n_validation: int = 10_000, one_hot_labels: bool = False, folder: Path | None = None) -> Datasets:
    """Return the standard split: training, validation and test sets.

    The validation set is the *last* ``n_validation`` of the 60,000 training images
    (50,000 / 10,000 by default, as in Nielsen's book); ``n_validation=0`` trains on
    all 60,000. The test set is the separate 10,000 images, kept for the final score.
    """
    if not 0 <= n_validation < 60_000:
        raise ValueError(f"n_validation must be between 0 and 59,999, got {n_validation}")
    mnist = load_mnist(folder)
    X = scale_pixels(mnist.train_images)
    y = mnist.train_labels.astype(np.int64)
    X_test, y_test = scale_pixels(mnist.test_images), mnist.test_labels.astype(np.int64)
    if one_hot_labels:
        y, y_test = one_hot(y), one_hot(y_test)
    cut = 60_000 - n_validation
    return Datasets(Dataset(X[:cut], y[:cut]), Dataset(X[cut:], y[cut:]), Dataset(X_test, y_test))


def export_mnist(destination: str | os.PathLike, folder: Path | None = None) -> list[Path]:
    """Copy a verified set of the four files to ``destination`` (e.g. a USB stick).

    Also writes SHA256SUMS there. Set ``MNIST_MIRROR`` to that folder on a machine
    without internet.
    """
    destination = Path(destination)
    copied, sums = [], []
    for file, path in zip(MNIST_FILES.values(), fetch_mnist(folder).values()):
        target = destination / path.name
        _install(_Copy(path, file), target)
        copied.append(target)
        sums.append(f"{hashlib.sha256(target.read_bytes()).hexdigest()}  {target.name}\n")
    (destination / "SHA256SUMS").write_text("".join(sums))
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.data",
        description="Fetch MNIST, verify it and cache it, ready for class (and optionally export a copy).",
    )
    parser.add_argument("--export", metavar="FOLDER", help="also copy the verified files to FOLDER for offline hand-out")
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    args = parser.parse_args(argv)
    try:
        paths = fetch_mnist(quiet=args.quiet)
        if args.export:
            copied = export_mnist(args.export)
    except MnistError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        for key, path in paths.items():
            print(f"OK  {key:<13} {path}")
        if args.export:
            print(f"Exported {len(copied)} files and SHA256SUMS to {args.export}.")
            print(f"On a machine without internet: MNIST_MIRROR={args.export} make lab")
    return 0


if __name__ == "__main__":
    sys.exit(main())
