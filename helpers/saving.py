"""Saving a network to a file and loading it back: plain NumPy arrays, never pickle.

A saved network is an ``.npz`` archive (a zip of ``.npy`` arrays): its settings as
text entries ("format", "activation", "output", "cost", "init", "dtype"), "sizes",
"lmbda", and one weight matrix "w0", "w1", ... and bias vector "b0", "b1", ... per
layer (``w0`` is w^1, the weights into layer 1). Loading checks every entry, so a
damaged, altered or pickle-carrying file gets a clear ValueError; it reads each
entry's declared shape and size first, so a small file cannot make it use much memory.

    >>> save(net, "models/mine.npz")     # or net.save(...)      # doctest: +SKIP
    >>> net = load("models/mine.npz")   # or Network.load(...)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import secrets
import zipfile
import zlib
from pathlib import Path

import numpy as np

from helpers.validation import DTYPES, MAX_PARAMS, check_lmbda, check_parameters, check_sizes

FORMAT = "digits-from-scratch network v1"  # written into every saved file
TEXT_KEYS = ("format", "activation", "output", "cost", "init", "dtype")
MAX_TEXT = 100  # characters in a text entry
MAX_LAYERS = 1_000  # entries in "sizes"
SLACK = 1 << 16  # bytes a member may hold beyond its array (the .npy header)
HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


# ----------------------------------------------------------------------------- saving
def save(net, path) -> None:
    """Save ``net`` to ``path`` as a NumPy ``.npz`` file.

    The arrays are checked first, so that every saved file loads: one weight matrix and
    one bias vector per layer, shaped as ``net.sizes`` says, all finite (a ValueError
    otherwise, and nothing is written). Arrays in another dtype than the network's (say
    float64 weights put into a float32 network) are saved converted to the network's.
    The file is written to a temporary name in the same folder and renamed when
    complete, so an interrupted save never leaves half a file behind; it gets the usual
    permissions (0666 less the umask, e.g. 0644), so others can read a shared model.
    A destination that cannot be written gets a ValueError saying why."""
    path = Path(path)
    try:
        sizes = check_sizes(net.sizes)
        weights, biases = check_parameters(net.weights, net.biases, sizes, net.dtype, copy=False)
        arrays = {
            "format": np.array(FORMAT),
            "sizes": np.array(sizes, dtype=np.int64),
            "activation": np.array(net.activation.name),
            "output": np.array(net.output.name),
            "cost": np.array(net.cost_function.name),
            "init": np.array(net.init),
            "dtype": np.array(np.dtype(net.dtype).name),
            "lmbda": np.array(check_lmbda(net.lmbda), dtype=np.float64),
        }
    except ValueError as err:
        raise ValueError(f"cannot save the network to {path}: {err}") from None
    for l, (w, b) in enumerate(zip(weights, biases)):
        arrays[f"w{l}"], arrays[f"b{l}"] = w, b
    fd, tmp = _new_file_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def check_destination(path) -> Path:
    """Make sure a network can be saved to ``path`` (its folder is created if needed),
    e.g. before a long training run; a ValueError says why not."""
    path = Path(path)
    fd, tmp = _new_file_beside(path)
    os.close(fd)
    tmp.unlink()
    return path


def _new_file_beside(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file in ``path``'s folder (created if needed), opened for
    writing with mode 0666 less the umask: (file descriptor, its path)."""
    folder = path.parent
    if path.is_dir():
        raise ValueError(f"cannot save to {path}: it is a folder; give a file name, such as {path / 'model.npz'}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ValueError(f"cannot save to {path}: part of that path is a file, not a folder") from None
    except OSError as err:
        raise ValueError(f"cannot save to {path}: the folder {folder} cannot be created ({err.strerror})") from None
    while True:
        tmp = folder / f".{path.name}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
        except OSError as err:
            raise ValueError(f"cannot save to {path}: files cannot be created in {folder} ({err.strerror})") from None


# ----------------------------------------------------------------------------- loading
def load(path):
    """Load a network saved by ``save``. Anything else, including a damaged, altered or
    pickle-carrying file, gives a ValueError (pickles are never unpickled). Every entry's
    shape, type and size is checked before it is read, and no random weights are drawn."""
    path = Path(path)
    with open(path, "rb") as f:  # FileNotFoundError passes through as it is
        start = f.read(4)
    if start != b"PK\x03\x04":  # every .npz is a zip archive, and zips start so
        raise ValueError(
            f"{path} is not a saved network: a network is saved as an .npz (zip) archive, but this "
            f"file starts with {start.hex(' ') or 'nothing'}. Save one with net.save(path)."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            return _Reader(archive, path).network()
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as err:
        raise ValueError(f"{path} is not a readable saved network: {err}") from None


class _Reader:
    """Reads a saved network's entries from its zip archive, each checked before it is read."""

    def __init__(self, archive: zipfile.ZipFile, path):
        self.archive, self.path = archive, path
        self.members = {}
        for info in archive.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if key in self.members or len(self.members) > 2 * MAX_LAYERS + len(TEXT_KEYS) + 2:
                raise self.bad("it has repeated or too many entries")
            self.members[key] = info
        total = sum(info.file_size for info in self.members.values())
        if total > 8 * MAX_PARAMS + len(self.members) * SLACK:
            raise self.bad(f"its entries hold {total:,} bytes, more than any network here can need "
                           f"(at most {MAX_PARAMS:,} weights and biases)")

    def bad(self, msg) -> ValueError:
        return ValueError(f"{self.path} is not a valid saved network: {msg}")

    def header(self, key) -> tuple[tuple, np.dtype]:
        """The shape and dtype the entry ``key`` declares, read from its .npy header only."""
        info = self.members[key]
        with self.archive.open(info) as f:
            try:
                version = np.lib.format.read_magic(f)
                if version not in HEADERS:
                    raise ValueError(f".npy format version {version} is not one numpy.save writes here")
                shape, _, dtype = HEADERS[version](f)
            except ValueError as err:
                raise self.bad(f"{key!r} is not a .npy array ({err})") from None
            data_size = info.file_size - f.tell()  # what the member holds after its header
        if dtype.hasobject:
            raise ValueError(f"{self.path} is not a readable saved network: it holds pickled Python objects, "
                             f"which are never loaded (they could run code)")
        if any(n < 0 for n in shape):
            raise self.bad(f"{key!r} declares the shape {shape}")
        nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if data_size != nbytes:
            raise self.bad(f"{key!r} declares {shape} {dtype} ({nbytes:,} bytes) but holds {data_size:,} bytes")
        return shape, dtype

    def read(self, key, expected: str | None = None, ok=None) -> np.ndarray:
        """The entry ``key``, once its header passes ``ok(shape, dtype)`` (it should be ``expected``)."""
        if key not in self.members:
            raise self.bad(f"it has no {key!r} entry")
        declared, dtype = self.header(key)
        if ok is not None and not ok(declared, dtype):
            raise self.bad(f"{key!r} should be {expected}, got shape {declared} and dtype {dtype}")
        with self.archive.open(self.members[key]) as f:
            try:
                return np.lib.format.read_array(f, allow_pickle=False)
            except ValueError as err:
                raise self.bad(f"{key!r} cannot be read ({err})") from None

    def text(self, key) -> str:
        return str(self.read(key, f"a text entry (at most {MAX_TEXT} characters)",
                             lambda shape, dtype: shape == () and dtype.kind == "U" and dtype.itemsize <= 4 * MAX_TEXT))

    def network(self):
        from helpers.network import Network  # here, not at the top: network.py imports this module

        if self.text("format") != FORMAT:
            raise self.bad(f"format {self.text('format')!r}, expected {FORMAT!r}")
        sizes = self.read("sizes", f"a 1-D array of at most {MAX_LAYERS} whole numbers",
                          lambda shape, dtype: len(shape) == 1 and shape[0] <= MAX_LAYERS and dtype.kind in "iu")
        dtype_name = self.text("dtype")
        if dtype_name not in DTYPES:
            raise self.bad(f"dtype {dtype_name!r}, expected one of {list(DTYPES)}")
        lmbda = self.read("lmbda", "one number", lambda shape, dtype: shape == () and dtype.kind == "f")
        n_layers = len(sizes) - 1
        expected_keys = set(TEXT_KEYS) | {"sizes", "lmbda"}
        expected_keys |= {f"w{l}" for l in range(n_layers)} | {f"b{l}" for l in range(n_layers)}
        if set(self.members) != expected_keys:
            raise self.bad(f"entries {sorted(self.members)}, expected {sorted(expected_keys)}")
        try:
            sizes = check_sizes(sizes.tolist())  # at most MAX_PARAMS weights and biases: checked before reading them
        except ValueError as err:
            raise self.bad(str(err)) from None
        dtype = np.dtype(DTYPES[dtype_name])
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            for name, shape in ((f"w{l}", (n_out, n_in)), (f"b{l}", (n_out,))):
                declared, declared_dtype = self.header(name)
                if declared != shape or declared_dtype != dtype:
                    raise self.bad(f"{name!r} has shape {declared} and dtype {declared_dtype}, "
                                   f"expected {shape} and {dtype}")
        arrays = {}
        for name in sorted(expected_keys - set(TEXT_KEYS) - {"sizes", "lmbda"}):
            arrays[name] = self.read(name)
            if not np.all(np.isfinite(arrays[name])):
                raise self.bad(f"{name!r} contains NaN or infinite values")
        settings = {key: self.text(key) for key in ("activation", "output", "cost", "init")}
        try:
            return Network(sizes, **settings, dtype=DTYPES[dtype_name], lmbda=float(lmbda), seed=0,
                           weights=[arrays.pop(f"w{l}") for l in range(n_layers)],
                           biases=[arrays.pop(f"b{l}") for l in range(n_layers)])
        except ValueError as err:
            raise self.bad(str(err)) from None
