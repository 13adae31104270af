"""The four MNIST files: fetched once, checked, cached, and handed out.

Where the files come from, in this order:

1. the cache folder (``data/`` in the repository, or ``$DIGITS_DATA_DIR``);
2. a local mirror folder named by the environment variable ``MNIST_MIRROR``
   (a teacher's USB stick or a shared drive holding the four ``.gz`` files);
3. public HTTPS mirrors, tried in turn.

Every file is checked against the SHA-256 digest of its *uncompressed* contents, so a
copy that was re-compressed is accepted and a damaged one is not. A download goes to a
temporary file and is renamed into the cache only once complete and verified, so an
interrupted download never leaves behind a file that a later run would trust.

Before class, ``python -m helpers data`` fetches and verifies everything, and
``python -m helpers data --export FOLDER`` copies a verified set to hand out offline.
``helpers.data`` loads the files as NumPy arrays.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import http.client
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.files import CannotWrite, writing
from helpers.idx import GZIP_MAGIC, IdxError, read_idx_bytes
from helpers.progress import ProgressBar

try:
    import fcntl  # POSIX: a lock per dataset file, so several processes can repair one cache
except ImportError:  # Windows: no locking (one process per cache folder is the common case there)
    fcntl = None


@dataclass(frozen=True)
class MnistFile:
    """One of the four MNIST files: its name and what its contents must be."""

    name: str  # without ".gz"
    sha256: str  # of the uncompressed IDX bytes
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """Bytes of the uncompressed IDX file: the 4-byte magic, 4 per dimension, one per pixel."""
        return 4 + 4 * len(self.shape) + int(np.prod(self.shape, dtype=np.int64))

    @property
    def max_download(self) -> int:
        """The most bytes a ``.gz`` copy can take (deflate adds at most a little to stored data)."""
        return self.size + self.size // 100 + 1024


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

# A download that has not finished after this many seconds is abandoned (a server that
# trickles a byte at a time would otherwise keep it alive for ever); the next mirror is tried.
DOWNLOAD_DEADLINE = 300.0
# How long to wait for another process that is repairing the same cache file.
LOCK_WAIT = 900.0

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


def sha256_of_contents(path: Path, max_size: int | None = None) -> str:
    """SHA-256 of the uncompressed contents of ``path`` (gzip or not), read at most ``max_size``."""
    return hashlib.sha256(read_idx_bytes(path, max_size)).hexdigest()


def verify(path: Path, file: MnistFile) -> None:
    """Raise ``MnistError`` unless ``path`` holds exactly the MNIST file ``file``.

    Never reads (or decompresses) more than the file's known size. A file that cannot be
    read at all raises ``OSError``, which is a different problem from a damaged copy.
    """
    try:
        digest = sha256_of_contents(path, file.size)
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


class _CannotWrite(MnistError):
    """The destination folder (the cache, or an export) cannot be written: not a source's fault."""

    def __init__(self, folder: Path, err: OSError):
        self.folder, self.err = folder, err
        super().__init__(_why_not_writable(folder, err))


def _why_not_writable(folder: Path, err: OSError) -> str:
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if isinstance(err, NotADirectoryError) or any(p.exists() and not p.is_dir() for p in folder.parents):
        return f"{folder} cannot be a folder: part of that path is a file"
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{folder} is not writable ({err.strerror})"
    return f"files cannot be created in {folder} ({err.strerror or err})"


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _CannotWrite(folder, err) from None
    if not folder.is_dir():
        raise _CannotWrite(folder, FileExistsError(errno.EEXIST, "File exists", str(folder)))


class _Out:
    """The temporary file being written: any error writing it is the destination's fault."""

    def __init__(self, f, folder: Path):
        self.f, self.folder = f, folder

    def write(self, chunk: bytes) -> None:
        try:
            self.f.write(chunk)
        except OSError as err:  # e.g. the disk is full
            raise _CannotWrite(self.folder, err) from None

    def flush(self) -> None:
        try:
            self.f.flush()
        except OSError as err:
            raise _CannotWrite(self.folder, err) from None


def _install(source, final: Path) -> None:
    """Write ``source`` to ``final`` whole or not at all (``helpers.files.writing``), and
    verify it before it takes that name.

    ``source`` has ``write(out)`` and ``verify(path)``. Nothing is left behind if anything
    goes wrong: a dropped connection, a full disk, or a failed checksum. Problems with the
    destination itself raise ``_CannotWrite``.
    """
    folder = final.parent
    _make_folder(folder)
    try:
        with writing(final) as f:
            out = _Out(f, folder)
            source.write(out)
            out.flush()
            source.verify(Path(f.name))  # the temporary file, complete: checked before the rename
    except CannotWrite as err:
        # err.err is None only when ``final`` is a folder: the rename onto it is what fails.
        raise _CannotWrite(folder, err.err or IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))) from None


class _Copy:
    """Copy a local file into the cache (used with ``_install``), at most the file's known size."""

    def __init__(self, source: Path, file: MnistFile):
        self.source, self.file = source, file

    def write(self, out) -> None:
        left = self.file.max_download
        with open(self.source, "rb") as src:
            while chunk := src.read(min(1 << 20, left + 1)):
                left -= len(chunk)
                if left < 0:
                    raise MnistError(
                        f"{self.source}: larger than any copy of {self.file.name} can be "
                        f"({self.file.max_download:,} bytes); not copied"
                    )
                out.write(chunk)

    def verify(self, tmp: Path) -> None:
        verify(tmp, self.file)


class _Download:
    """Download a URL into the cache (used with ``_install``), showing a progress bar.

    Bounded in size (the file's known size) and in time: the whole transfer must finish
    within ``deadline`` seconds, and no single wait for the server may exceed ``timeout``.
    """

    def __init__(self, url: str, file: MnistFile, quiet: bool, timeout: float, deadline: float = DOWNLOAD_DEADLINE,
                 progress=None):
        self.url, self.file, self.quiet, self.timeout, self.deadline = url, file, quiet, timeout, deadline
        self.progress = progress

    def write(self, out) -> None:
        started = time.monotonic()
        cap = self.file.max_download
        request = urllib.request.Request(self.url, headers={"User-Agent": "digits-from-scratch"})
        with urllib.request.urlopen(request, timeout=min(self.timeout, self.deadline)) as response:
            size = int(response.headers.get("Content-Length") or 0)
            if size > cap:
                raise MnistError(
                    f"the server promises {size:,} bytes, more than any copy of {self.file.name}.gz "
                    f"can be ({cap:,}); not downloaded"
                )
            received = 0
            with _download_bar(max(size // 1024, 1), f"{self.file.name}.gz (KiB)", self.quiet, self.progress) as bar:
                # read1: whatever has arrived (at most one wait of `timeout`), so the deadline is checked often.
                while chunk := response.read1(1 << 16):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk) // 1024)
                    if received > cap:
                        raise MnistError(
                            f"sent more than {cap:,} bytes, more than any copy of {self.file.name}.gz can be; "
                            f"stopped there"
                        )
                    if time.monotonic() - started > self.deadline:
                        of = f" of {size:,}" if size else ""
                        raise MnistError(
                            f"too slow: gave up after {self.deadline:g} s with {received:,}{of} bytes received"
                        )
            if size and received < size:
                raise MnistError(f"connection dropped after {received:,} of {size:,} bytes")

    def verify(self, tmp: Path) -> None:
        verify(tmp, self.file)


@contextlib.contextmanager
def _download_bar(total: int, description: str, quiet: bool, progress=None):
    """The progress display for a download: the one given (e.g. a notebook's
    ``helpers.widgets.progress.ProgressWidget``), else a terminal bar, or none if ``quiet``."""
    if progress is None and quiet:
        yield _NoBar()
        return
    bar = progress if progress is not None else ProgressBar(description)
    bar.start(total)
    try:
        yield bar
    finally:
        bar.close()


class _NoBar:
    def update(self, n: int = 1, status: str | None = None) -> None:
        pass


def _describe(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        return f"could not connect ({err.reason})"
    if isinstance(err, http.client.IncompleteRead):
        return f"connection dropped after {len(err.partial):,} bytes"
    return str(err) or type(err).__name__


def _where_from(folder: Path) -> str:
    if os.environ.get("DIGITS_DATA_DIR") and Path(os.environ["DIGITS_DATA_DIR"]).expanduser() == folder:
        return " (the cache folder, set by DIGITS_DATA_DIR)"
    return " (the cache folder)"


def _cache_problem(folder: Path, what: str, ask: bool = True) -> MnistError:
    return MnistError(
        f"{what}\nWhat to do: set DIGITS_DATA_DIR to a folder of your own that you can write to "
        f"(it is created if missing), e.g. `DIGITS_DATA_DIR=~/mnist python -m helpers data`"
        + (f", or ask whoever looks after {folder} to fix it." if ask else ", or unset it to use the default.")
    )


@contextlib.contextmanager
def _repair_lock(folder: Path, file: MnistFile, say, wait: float = LOCK_WAIT):
    """Hold ``folder/.NAME.lock`` while checking, removing and replacing ``file``'s copy.

    Several processes may find the same damaged copy at once (two notebooks, several
    users of one hub folder). Only one at a time repairs it; the others wait, then check
    again and find the good copy. The lock file is removed by its holder; a waiter that
    wakes up holding a removed lock file tries again.
    """
    _make_folder(folder)
    path = folder / f".{file.name}.lock"
    if fcntl is None:
        yield
        return
    waited_since = None
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as err:
            raise _CannotWrite(folder, err) from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if waited_since is None:
                        waited_since = time.monotonic()
                        say(f"Waiting for another process that is fetching {file.name} into {folder} ...")
                    elif time.monotonic() - waited_since > wait:
                        raise MnistError(
                            f"Another process has been fetching {file.name} into {folder} for more than "
                            f"{wait:g} s. If no such process is running any more, delete {path} and try again."
                        ) from None
                    time.sleep(0.05)
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)  # its holder removed that lock file: lock the current one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def fetch_file(
    file: MnistFile,
    folder: Path | None = None,
    mirror: str | os.PathLike | None = None,
    urls: tuple[str, ...] = MIRROR_URLS,
    quiet: bool = False,
    timeout: float = 30.0,
    deadline: float = DOWNLOAD_DEADLINE,
    progress=None,
) -> Path:
    """Make sure a verified copy of ``file`` is in the cache ``folder``; return its path.

    ``mirror`` is a local folder to copy from (default: ``$MNIST_MIRROR``); ``urls`` are
    the base addresses tried after it, in turn. Each download must finish within
    ``deadline`` seconds, and the server may stay silent for at most ``timeout``.
    ``progress`` is a progress display for downloads (see ``helpers.progress``; default:
    a terminal bar). Safe to run in several processes at once on one cache folder.
    """
    folder = Path(folder) if folder is not None else data_dir()
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr))

    def check_cache() -> tuple[Path | None, MnistError | None]:
        try:
            existing = cached_path(file, folder)
        except OSError as err:  # e.g. a folder on the way that this user may not enter
            raise _cache_problem(folder, f"{folder}{_where_from(folder)} cannot be searched ({err.strerror}).") from None
        if existing is None:
            return None, None
        try:
            verify(existing, file)
            return existing, None
        except FileNotFoundError:  # removed as it was being read: another process is repairing it
            return None, None
        except OSError as err:  # e.g. mode 000: not damaged, just not ours to read or replace
            raise _cache_problem(
                folder,
                f"The cached copy {existing} cannot be read ({err.strerror or err}). "
                f"If it is yours, `chmod a+r {existing}` fixes it.",
            ) from None
        except MnistError as err:
            return existing, err

    existing, damage = check_cache()
    if folder.is_file():
        raise _cache_problem(folder, f"{folder}{_where_from(folder)} is a file, not a folder.", ask=False)
    if existing is not None and damage is None:
        return existing  # the usual case: no lock, and a read-only cache folder is fine

    tried = []
    try:
        with _repair_lock(folder, file, say):
            # Check again now that no one else is repairing it: another process may have
            # put a good copy there while this one waited.
            existing, damage = check_cache()
            if existing is not None and damage is None:
                return existing
            if existing is not None:
                try:
                    existing.unlink(missing_ok=True)  # a damaged cache entry must not be trusted again
                except OSError as err:
                    raise _CannotWrite(folder, err) from None
                say(f"Removed a damaged cached copy: {damage}")
                tried.append(f"cache {existing}: {damage} (removed)")
            found = _fetch_into(file, folder, mirror, urls, quiet, say, timeout, deadline, tried, progress)
            if found is not None:
                return found
    except _CannotWrite as err:
        # A cache no one may write (the course's data/ on a shared, read-only install): the
        # mirror's verified copy is read where it is, as every student of a hub can.
        mirrored = _verified_in_mirror(file, mirror) if damage is None else None
        if mirrored is not None:
            say(f"{folder} is not writable ({err}): reading {mirrored} from the mirror")
            return mirrored
        what = f"{file.name} is needed in {folder}{_where_from(folder)}, but {err}."
        if damage is not None:
            what = f"{damage}\nIt cannot be replaced: {err}."
        raise _cache_problem(folder, what) from None

    raise MnistError(
        f"Could not get a verified copy of {file.name}. Tried:\n  - "
        + "\n  - ".join(tried or ["no sources (no MNIST_MIRROR and no download addresses)"])
        + "\nWhat to do: check your internet connection and run `python -m helpers data` again, "
        "or copy the four MNIST .gz files to a folder (a USB stick from your teacher works) "
        "and set MNIST_MIRROR to that folder, e.g. `MNIST_MIRROR=/media/usb/mnist make lab`."
    )


def _verified_in_mirror(file: MnistFile, mirror) -> Path | None:
    """The verified copy of ``file`` in the local mirror (``$MNIST_MIRROR`` by default), or None."""
    mirror = mirror if mirror is not None else os.environ.get("MNIST_MIRROR") or None
    if mirror is None:
        return None
    try:
        found = cached_path(file, Path(mirror).expanduser())
        if found is not None:
            verify(found, file)
        return found
    except (MnistError, OSError):
        return None


def _fetch_into(file, folder, mirror, urls, quiet, say, timeout, deadline, tried, progress=None) -> Path | None:
    """Copy ``file`` from the local mirror, else download it; None (and ``tried`` filled in) if all fail."""
    if mirror is None:
        mirror = os.environ.get("MNIST_MIRROR") or None
    if mirror is not None:
        mirror = Path(mirror).expanduser()
        source = cached_path(file, mirror) if mirror.is_dir() else None
        if source is None:
            where = "has no" if mirror.is_dir() else "is not a folder, so no"
            tried.append(f"local mirror {mirror} {where} {file.name}.gz")
        else:
            try:
                with open(source, "rb") as f:
                    gzipped = f.read(2) == GZIP_MAGIC
                target = folder / (f"{file.name}.gz" if gzipped else file.name)
                _install(_Copy(source, file), target)
                say(f"Copied {source} -> {target} (checksum OK)")
                return target
            except _CannotWrite:
                raise
            except (MnistError, OSError) as err:
                tried.append(f"local mirror {source}: {_describe(err)}")

    for base in urls:
        url = base + f"{file.name}.gz"
        target = folder / f"{file.name}.gz"
        try:
            say(f"Downloading {url}")
            _install(_Download(url, file, quiet, timeout, deadline, progress), target)
            say(f"Saved {target} (checksum OK)")
            return target
        except _CannotWrite:
            raise
        except (MnistError, OSError, http.client.HTTPException) as err:
            say(f"  failed: {_describe(err)}")
            tried.append(f"{url}: {_describe(err)}")
    return None


def fetch_mnist(folder: Path | None = None, quiet: bool = False, **kwargs) -> dict[str, Path]:
    """Make sure all four MNIST files are cached and verified; return their paths by key."""
    return {key: fetch_file(file, folder, quiet=quiet, **kwargs) for key, file in MNIST_FILES.items()}




def export_mnist(destination: str | os.PathLike, folder: Path | None = None) -> list[Path]:
    """Copy a verified set of the four files to ``destination`` (e.g. a USB stick).

    Also writes SHA256SUMS there. Set ``MNIST_MIRROR`` to that folder on a machine
    without internet. The files get the usual permissions (0644 with umask 022), so
    other users of a shared drive can read them.
    """
    destination = Path(destination)
    copied, sums = [], []
    paths = fetch_mnist(folder)
    try:
        for file, path in zip(MNIST_FILES.values(), paths.values()):
            target = destination / path.name
            _install(_Copy(path, file), target)
            copied.append(target)
            sums.append(f"{_sha256_of_file(target)}  {target.name}\n")
        _install(_Text("".join(sums)), destination / "SHA256SUMS")
    except _CannotWrite as err:
        raise MnistError(
            f"Cannot export to {destination}: {err}.\nWhat to do: choose a folder you can write to, "
            f"e.g. `python -m helpers data --export ~/mnist-handout` (it is created if missing)."
        ) from None
    return copied


class _Text:
    """A small text file for ``_install`` (nothing to verify)."""

    def __init__(self, text: str):
        self.data = text.encode()

    def write(self, out) -> None:
        out.write(self.data)

    def verify(self, tmp: Path) -> None:
        pass


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
