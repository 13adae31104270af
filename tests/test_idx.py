"""The course's own IDX parser, on small files written by the tests."""

import gzip
import os

import numpy as np
import pytest

from helpers.idx import IdxError, parse_idx, read_idx, read_idx_bytes
from tests.conftest import gzip_bomb, idx_bytes


def test_reads_a_valid_file_plain_and_gzipped(tmp_path, tiny_images):
    raw = idx_bytes(tiny_images)
    (tmp_path / "a-idx3-ubyte").write_bytes(raw)
    (tmp_path / "a-idx3-ubyte.gz").write_bytes(gzip.compress(raw))
    for name in ("a-idx3-ubyte", "a-idx3-ubyte.gz"):
        array = read_idx(tmp_path / name)
        assert array.shape == (3, 4, 4) and array.dtype == np.uint8
        np.testing.assert_array_equal(array, tiny_images)


def test_reads_labels_and_big_endian_types():
    labels = np.array([5, 0, 4, 1, 9, 2], dtype=np.uint8)
    np.testing.assert_array_equal(parse_idx(idx_bytes(labels)), labels)
    # type 0x0C: big-endian 32-bit integers
    raw = bytes([0, 0, 0x0C, 1, 0, 0, 0, 2]) + np.array([1, 70000], dtype=">i4").tobytes()
    np.testing.assert_array_equal(parse_idx(raw), [1, 70000])


def test_bad_magic_number_names_the_file():
    with pytest.raises(IdxError, match=r"labels\.idx: bad magic number 3c 21 44 4f"):
        parse_idx(b"<!DOCTYPE html><html>Not found</html>", name="labels.idx")


def test_truncated_data_says_what_was_promised(tiny_images):
    raw = idx_bytes(tiny_images)
    with pytest.raises(IdxError, match=r"x\.idx: truncated: .*shape \(3, 4, 4\) \(48 bytes.*but 40 bytes"):
        parse_idx(raw[:-8], name="x.idx")


def test_truncated_header():
    with pytest.raises(IdxError, match="truncated header"):
        parse_idx(bytes([0, 0, 8, 3, 0, 0]), name="x")
    with pytest.raises(IdxError, match="only 2 bytes"):
        parse_idx(b"\x00\x00", name="x")


def test_wrong_counts_extra_bytes(tiny_images):
    # The header says 3 images, but there are 4 images' worth of bytes.
    raw = idx_bytes(tiny_images) + bytes(16)
    with pytest.raises(IdxError, match="extra bytes"):
        parse_idx(raw, name="x")


def test_not_gzip_although_named_gz(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(b"<html>oops</html>")
    with pytest.raises(IdxError, match=r"train-images-idx3-ubyte\.gz: named \.gz but not gzip-compressed"):
        read_idx(path)


def test_damaged_gzip(tmp_path, tiny_images):
    path = tmp_path / "a.gz"
    path.write_bytes(gzip.compress(idx_bytes(tiny_images))[:-10])
    with pytest.raises(IdxError, match=r"a\.gz: the gzip data is damaged or truncated"):
        read_idx(path)


# --- bounded reading: the size the file must have is known, so nothing bigger is read --

def test_gzip_bomb_stops_at_the_expected_size(tmp_path):
    path = tmp_path / "a-idx3-ubyte.gz"
    path.write_bytes(gzip_bomb(64 << 20))  # 64 KB of file, 64 MB of zeros
    assert path.stat().st_size < 100_000
    # Smaller than a compressed copy of a 1 MB file can be, so only decompressing tells.
    with pytest.raises(IdxError, match=r"a-idx3-ubyte\.gz: decompresses to more than the 1,000,000-byte file .*gzip bomb"):
        read_idx_bytes(path, max_size=1_000_000)
    with pytest.raises(IdxError, match="decompresses to more than"):
        read_idx(path, max_size=1_000_000)
    assert len(read_idx_bytes(path)) == 64 << 20  # no limit given: read it all, as before


def test_oversized_files_are_rejected_before_reading(tmp_path, tiny_images):
    raw = idx_bytes(tiny_images)
    plain = tmp_path / "a-idx3-ubyte"
    plain.write_bytes(raw + bytes(100))
    with pytest.raises(IdxError, match=r"a-idx3-ubyte: 164 bytes, more than the 64-byte file it should hold"):
        read_idx_bytes(plain, max_size=len(raw))
    packed = tmp_path / "b.gz"
    packed.write_bytes(gzip.compress(raw) + os.urandom(5000))
    with pytest.raises(IdxError, match=r"b\.gz: 5,\d+ bytes, too large to be a compressed copy of the 64-byte file"):
        read_idx_bytes(packed, max_size=len(raw))
    # The exact size passes, plain and compressed.
    plain.write_bytes(raw)
    packed.write_bytes(gzip.compress(raw))
    assert read_idx_bytes(plain, len(raw)) == raw == read_idx_bytes(packed, len(raw))
    np.testing.assert_array_equal(read_idx(packed, max_size=len(raw)), tiny_images)
