"""Files written whole or not at all.

A file is written under a temporary name in its own folder (``.NAME.1a2b3c4d.part``) and
renamed to its real name only when complete: the rename is atomic, so a reader finds the
old file or the new one, never half of one, and an interrupted write (an error, Ctrl+C, a
full disk) leaves nothing behind. The file gets the usual permissions of a new file (0666
less the umask, e.g. 0644), so others can read a shared model, cache or hand-out.

    >>> with writing("models/mine.npz") as f:     # doctest: +SKIP
    ...     np.savez(f, w0=w0)
    >>> write_bytes("student/MANIFEST.json", b"{}")   # doctest: +SKIP

A destination that cannot be written raises ``CannotWrite`` (a ValueError) saying why.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


class CannotWrite(ValueError):
    """``path`` cannot be written: "cannot write to PATH: why". ``err`` is the OSError
    behind it (None when the path itself is wrong, e.g. a folder)."""

    def __init__(self, path: Path, why: str, err: OSError | None = None, what: str = "write to"):
        self.path, self.folder, self.why, self.err = path, path.parent, why, err
        super().__init__(f"cannot {what} {path}: {why}")


def _new_file(path, flags: int) -> int:
    # open(..., "xb") with this opener: O_EXCL, a new file only, mode 0666 less the umask,
    # created through os.open (where tests/test_data.py fakes a read-only folder for root).
    return os.open(path, flags, 0o666)


def _new_file_beside(path: Path, what: str, example: str | None):
    """A new, empty temporary file in ``path``'s folder (created if needed), open for
    writing in binary: (the file, its path)."""
    folder = path.parent
    if path.is_dir():
        such_as = f", such as {path / example}" if example else ""
        raise CannotWrite(path, f"it is a folder; give a file name{such_as}", what=what)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as err:
        raise CannotWrite(path, "part of that path is a file, not a folder", err, what) from None
    except OSError as err:
        raise CannotWrite(path, f"the folder {folder} cannot be created ({err.strerror})", err, what) from None
    while True:
        tmp = folder / f".{path.name}.{secrets.token_hex(4)}.part"
        try:
            return open(tmp, "xb", opener=_new_file), tmp
        except FileExistsError:
            continue  # another writer's temporary name: draw again
        except OSError as err:
            raise CannotWrite(path, f"files cannot be created in {folder} ({err.strerror})", err, what) from None


@contextlib.contextmanager
def writing(path, what: str = "write to", example: str | None = None):
    """Write ``path`` whole or not at all: the block writes to the file this gives (binary,
    a temporary file beside ``path``; ``f.name`` is its path, to check it before it counts);
    when the block ends without an error, the file is flushed to disk and renamed to
    ``path``; otherwise it is removed and ``path`` is left as it was. ``what`` and
    ``example`` word the error: "cannot save to models: it is a folder; give a file name,
    such as models/model.npz"."""
    path = Path(path)
    f, tmp = _new_file_beside(path, what, example)
    try:
        with f:
            yield f
            try:
                f.flush()
                os.fsync(f.fileno())  # on disk before the rename, so a power cut cannot leave it empty
            except OSError as err:  # e.g. the disk is full
                raise CannotWrite(path, f"it could not be written ({err.strerror})", err, what) from None
        try:
            os.replace(tmp, path)
        except OSError as err:
            raise CannotWrite(path, f"it could not be put in place ({err.strerror})", err, what) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def write_bytes(path, data: bytes, what: str = "write to") -> None:
    """Write ``data`` to ``path`` whole or not at all (see :func:`writing`)."""
    with writing(path, what) as f:
        f.write(data)


def check_writable(path, what: str = "write to", example: str | None = None) -> Path:
    """Make sure ``path`` can be written (its folder is created if needed), e.g. before a
    long training run; ``CannotWrite`` says why not. Nothing is left behind."""
    path = Path(path)
    f, tmp = _new_file_beside(path, what, example)
    f.close()
    tmp.unlink()
    return path
