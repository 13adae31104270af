"""Shared test fixtures: a non-interactive plotting backend, small IDX files the tests
write themselves, and the real MNIST data where it is available."""

import gzip
import hashlib
import os
import struct

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # tests draw figures without a screen

from helpers import data, mnist_files
from helpers.data import MnistFile


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of a uint8 array: 00 00 08 ndim, the sizes, the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def tiny_images():
    """Three 4x4 'images' with known pixel values, as an IDX array."""
    return np.arange(48, dtype=np.uint8).reshape(3, 4, 4)


@pytest.fixture
def tiny_file(tiny_images):
    """A made-up MNIST-like file: its description, and its exact gzip and raw bytes."""
    raw = idx_bytes(tiny_images)
    file = MnistFile("tiny-images-idx3-ubyte", hashlib.sha256(raw).hexdigest(), tiny_images.shape)
    return file, gzip.compress(raw, mtime=0), raw


@pytest.fixture
def no_mirror(monkeypatch):
    """Make sure a developer's MNIST_MIRROR does not leak into a test."""
    monkeypatch.delenv("MNIST_MIRROR", raising=False)


def gzip_bomb(expanded: int, member: int = 1 << 20) -> bytes:
    """A small gzip file that decompresses to ``expanded`` zero bytes (many gzip members
    of ``member`` zeros each: about 1 KB of file per MB of contents)."""
    one = gzip.compress(bytes(member), compresslevel=9, mtime=0)
    return one * max(1, expanded // member)


# --- the real MNIST files, where this machine has them --------------------------------

real_data = pytest.mark.skipif(
    not os.environ.get("MNIST_MIRROR")
    and not all(mnist_files.cached_path(f, mnist_files.data_dir()) for f in mnist_files.MNIST_FILES.values()),
    reason="set MNIST_MIRROR (or run `make data`) to test the real MNIST files",
)


@pytest.fixture(scope="session")
def mnist():
    """The real data set, split 50,000 / 10,000 / 10,000, loaded once per test process."""
    return data.load_datasets()
