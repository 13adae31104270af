"""Read the IDX files that MNIST is stored in.

An IDX file is a tiny header followed by raw numbers:

    bytes 0-1   always zero
    byte  2     the type of every number (0x08 = unsigned byte, ...)
    byte  3     how many dimensions the array has
    then        one 4-byte big-endian size per dimension
    then        the numbers themselves, row by row

So the training images start ``00 00 08 03`` (unsigned bytes, 3 dimensions) and then
the sizes 60000, 28, 28. That is the whole format: the parser below is short on
purpose, and notebook 01 shows it. It trusts nothing: every size in the header is
checked against the bytes that are really there, so a truncated download gives a
clear error instead of a strangely shaped array.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

# The type byte, and the NumPy type it stands for (IDX numbers are big-endian: ">").
IDX_TYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

GZIP_MAGIC = b"\x1f\x8b"


class IdxError(ValueError):
    """A file that is not the IDX file it claims to be. The message names the file."""


def parse_idx(raw: bytes, name: str = "<bytes>") -> np.ndarray:
    """Return the array stored in the (uncompressed) IDX bytes ``raw``.

    ``name`` is only used in error messages, so they can say which file is wrong.
    """
    if len(raw) < 4:
        raise IdxError(f"{name}: only {len(raw)} bytes; an IDX file starts with a 4-byte magic number.")
    zero, type_code, ndim = int.from_bytes(raw[0:2], "big"), raw[2], raw[3]
    if zero != 0 or type_code not in IDX_TYPES or ndim == 0:
        raise IdxError(
            f"{name}: bad magic number {raw[:4].hex(' ')}; an IDX file starts with 00 00, "
            f"a type byte (08 for unsigned bytes) and the number of dimensions. "
            f"This is not an IDX file (an HTML error page saved by mistake?)."
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise IdxError(f"{name}: truncated header: {ndim} dimensions need {header_size} bytes, found {len(raw)}.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header_size
    if found != expected:
        problem = "truncated" if found < expected else "has extra bytes at the end"
        raise IdxError(
            f"{name}: {problem}: the header promises an array of shape {shape} "
            f"({expected:,} bytes of data) but {found:,} bytes follow the header. "
            f"Delete the file and fetch it again."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # native byte order, and a writable copy


def read_idx_bytes(path: str | os.PathLike, max_size: int | None = None) -> bytes:
    """Return the uncompressed IDX bytes of ``path`` (gzip-compressed or not).

    The gzip magic number decides, not the file name, but a file named ``.gz`` that is
    not gzip-compressed is reported: it is usually a failed download.

    ``max_size`` bounds the memory used: a file whose contents are (or decompress to)
    more than ``max_size`` bytes is rejected as soon as that is known, so a small
    "gzip bomb" cannot expand to gigabytes. MNIST's sizes are known in advance.
    """
    path = Path(path)
    with open(path, "rb") as f:
        start, stored = f.read(4), os.fstat(f.fileno()).st_size
        f.seek(0)
        if start[:2] == GZIP_MAGIC:
            # Deflate cannot make a file noticeably larger, so a bigger .gz is not the file.
            if max_size is not None and stored > max_size + max_size // 100 + 1024:
                raise IdxError(_too_big(path, f"{stored:,} bytes, too large to be a compressed copy of", max_size))
            try:
                with gzip.GzipFile(fileobj=f, mode="rb") as unzipped:
                    raw = unzipped.read(-1 if max_size is None else max_size + 1)
            except (EOFError, OSError, zlib.error) as err:
                raise IdxError(
                    f"{path}: the gzip data is damaged or truncated ({err}). Delete the file and fetch it again."
                ) from None
            if max_size is not None and len(raw) > max_size:
                raise IdxError(_too_big(path, "decompresses to more than", max_size, ' (a "gzip bomb"?); decompressing stopped there'))
            return raw
        if path.suffix == ".gz":
            raise IdxError(
                f"{path}: named .gz but not gzip-compressed (it starts with {start.hex(' ') or 'nothing'}). "
                f"Delete the file and fetch it again."
            )
        if max_size is not None and stored > max_size:
            raise IdxError(_too_big(path, f"{stored:,} bytes, more than", max_size))
        return f.read()


def _too_big(path: Path, problem: str, max_size: int, note: str = "") -> str:
    return (
        f"{path}: {problem} the {max_size:,}-byte file it should hold, so it is a damaged copy or a "
        f"different file{note}. Delete the file and fetch it again."
    )


def read_idx(path: str | os.PathLike, max_size: int | None = None) -> np.ndarray:
    """Return the array stored in the IDX file at ``path`` (``.gz`` or not).

    ``max_size``: reject files whose uncompressed contents exceed it (see ``read_idx_bytes``).
    """
    return parse_idx(read_idx_bytes(path, max_size), name=str(path))
