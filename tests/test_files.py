"""Files written whole or not at all (helpers.files): what a reader finds, what is left
behind when a write is interrupted, the permissions, and the messages."""

import os
import stat
from pathlib import Path

import pytest

from helpers.files import CannotWrite, check_writable, write_bytes, writing


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_file_is_written_whole_and_its_folder_made(tmp_path):
    path = tmp_path / "new" / "deeper" / "notes.txt"
    write_bytes(path, b"hello")
    assert path.read_bytes() == b"hello" and names(path.parent) == ["notes.txt"]
    with writing(path) as f:
        f.write(b"good")
        f.write(b"bye")
    assert path.read_bytes() == b"goodbye" and names(path.parent) == ["notes.txt"]


@pytest.mark.parametrize("interruption", [RuntimeError("the download dropped"), KeyboardInterrupt()])
def test_an_interrupted_write_leaves_the_old_file_and_nothing_else(tmp_path, interruption):
    path = tmp_path / "model.npz"
    path.write_bytes(b"the old one")
    with pytest.raises(type(interruption)):
        with writing(path) as f:
            f.write(b"half of the new")
            assert Path(f.name).name.startswith(".model.npz.") and Path(f.name).parent == tmp_path
            raise interruption
    assert path.read_bytes() == b"the old one" and names(tmp_path) == ["model.npz"]
    with pytest.raises(RuntimeError):
        with writing(tmp_path / "never.txt") as f:
            raise RuntimeError("before a byte was written")
    assert names(tmp_path) == ["model.npz"]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_0666_less_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_bytes(tmp_path / "shared.npz", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "shared.npz").stat().st_mode) == mode


def test_a_folder_is_not_a_file_name(tmp_path):
    with pytest.raises(CannotWrite, match="it is a folder; give a file name$"):
        write_bytes(tmp_path, b"x")
    with pytest.raises(ValueError) as err:  # a CannotWrite is a ValueError, worded by the caller
        check_writable(tmp_path, what="save to", example="model.npz")
    assert str(err.value) == f"cannot save to {tmp_path}: it is a folder; give a file name, such as {tmp_path / 'model.npz'}"
    assert err.value.err is None and names(tmp_path) == []


def test_a_path_through_a_file_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("a file")
    path = tmp_path / "notes.txt" / "model.npz"
    with pytest.raises(CannotWrite) as err:
        write_bytes(path, b"x")
    assert str(err.value) == f"cannot write to {path}: part of that path is a file, not a folder"
    assert isinstance(err.value.err, OSError) and err.value.folder == path.parent
    with pytest.raises(CannotWrite, match="part of that path is a file"):
        check_writable(tmp_path / "notes.txt" / "deeper" / "model.npz")
    assert names(tmp_path) == ["notes.txt"]


def test_a_folder_where_files_cannot_be_created_says_so():
    with pytest.raises(CannotWrite, match=r"^cannot write to /proc/model.npz: files cannot be created in /proc \("):
        write_bytes(Path("/proc/model.npz"), b"x")
    with pytest.raises(CannotWrite, match=r"the folder /proc/new cannot be created \("):
        check_writable("/proc/new/model.npz")


def test_check_writable_makes_the_folder_and_leaves_no_file(tmp_path):
    path = check_writable(tmp_path / "models" / "best.npz")
    assert path == tmp_path / "models" / "best.npz" and names(tmp_path / "models") == []
