"""Saving a model to a file and loading it back: plain NumPy arrays, never pickle.

A saved model is an ``.npz`` archive (a zip of ``.npy`` arrays) whose text entry "kind"
says what it holds:

* "network", a ``Network``: its settings as text entries ("activation", "output",
  "cost", "init", "dtype"), "sizes", "lmbda", and one weight matrix "w0", "w1", ... and
  bias vector "b0", "b1", ... per layer (``w0`` is w^1, the weights into layer 1);
* "sequential", a model of layers (``helpers.layers.Sequential``): "architecture", the
  layers and their settings as JSON text, "dtype", and its parameter arrays "p0", "p1",
  ... in the order of ``model.params``.

Files saved before "kind" existed (format v1) hold a network and still load. Loading
checks every entry, so a damaged, altered or pickle-carrying file gets a clear
ValueError; it reads each entry's declared shape and size first, so a small file cannot
make it use much memory.

    >>> save(net, "models/mine.npz")                                # doctest: +SKIP
    >>> net = load("models/mine.npz")                               # doctest: +SKIP
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import numpy as np

from helpers.files import check_writable, writing
from helpers.layers import LAYERS, Sequential
from helpers.network import Network
from helpers.validation import DTYPES, MAX_LAYERS, MAX_PARAMS, check_lmbda, check_parameters, check_sizes

FORMAT = "digits-from-scratch model v2"  # written into every saved file
FORMAT_V1 = "digits-from-scratch network v1"  # networks saved before "kind": still loaded
KINDS = ("network", "sequential")
TEXT_KEYS = ("format", "kind", "activation", "output", "cost", "init", "dtype")
MAX_TEXT = 100  # characters in a text entry
MAX_ARCHITECTURE = 100_000  # characters of a model of layers' description
SLACK = 1 << 16  # bytes a member may hold beyond its array (the .npy header)
HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


# ----------------------------------------------------------------------------- saving
def save(model, path) -> None:
    """Save ``model`` (a ``Network`` or a ``Sequential`` model of layers) to ``path`` as a
    NumPy ``.npz`` file.

    The arrays are checked first, so that every saved file loads: for a network, one
    weight matrix and one bias vector per layer, shaped as ``net.sizes`` says; for any
    model, all finite (a ValueError otherwise, and nothing is written). Arrays in another
    dtype than the model's (say float64 weights put into a float32 network) are saved
    converted to the model's. The file is written to a temporary name in the same folder
    and renamed when complete, so an interrupted save never leaves half a file behind; it
    gets the usual permissions (0666 less the umask, e.g. 0644), so others can read a
    shared model. A destination that cannot be written gets a ValueError saying why."""
    path = Path(path)
    try:
        arrays = _entries(model)
    except ValueError as err:
        raise ValueError(f"cannot save the network to {path}: {err}") from None
    with writing(path, "save to", "model.npz") as f:
        np.savez(f, **arrays)


def _entries(model) -> dict:
    """The archive's entries for ``model``, every one checked."""
    if isinstance(model, Network):
        sizes = check_sizes(model.sizes)  # at most MAX_LAYERS and MAX_PARAMS, as loading accepts: what saves loads
        weights, biases = check_parameters(model.weights, model.biases, sizes, model.dtype, copy=False)
        arrays = {
            "format": np.array(FORMAT),
            "kind": np.array("network"),
            "sizes": np.array(sizes, dtype=np.int64),
            "activation": np.array(model.activation.name),
            "output": np.array(model.output.name),
            "cost": np.array(model.cost_function.name),
            "init": np.array(model.init),
            "dtype": np.array(np.dtype(model.dtype).name),
            "lmbda": np.array(check_lmbda(model.lmbda), dtype=np.float64),
        }
        for l, (w, b) in enumerate(zip(weights, biases)):
            arrays[f"w{l}"], arrays[f"b{l}"] = w, b
        return arrays
    if isinstance(model, Sequential):
        strangers = sorted({type(layer).__name__ for layer in model.layers
                            if LAYERS.get(type(layer).__name__) is not type(layer)})
        if strangers:
            raise ValueError(f"it has layers that loading would not know how to rebuild ({', '.join(strangers)}): "
                             f"only {', '.join(LAYERS)} are saved")
        architecture = model.architecture()
        if len(architecture) > MAX_ARCHITECTURE or len(model.layers) > MAX_LAYERS or model.n_params > MAX_PARAMS:
            raise ValueError(f"it is larger than a saved model may be (at most {MAX_LAYERS} layers, "
                             f"{MAX_PARAMS:,} parameters)")
        rebuilt = Sequential.from_architecture(architecture, model.dtype)  # what loading will make of it
        arrays = {"format": np.array(FORMAT), "kind": np.array("sequential"),
                  "architecture": np.array(architecture), "dtype": np.array(np.dtype(model.dtype).name)}
        for i, (p, like) in enumerate(zip(model.params, rebuilt.params)):
            if np.shape(p) != like.shape or np.asarray(p).dtype.kind not in "fiu":
                raise ValueError(f"its parameter array {i} is {np.asarray(p).dtype} of shape {np.shape(p)}, but its "
                                 f"layers need real numbers of shape {like.shape}")
            if not np.all(np.isfinite(p)):
                raise ValueError(f"its parameter array {i} holds NaN or infinite values (did training diverge?)")
            arrays[f"p{i}"] = np.asarray(p, dtype=model.dtype)
        return arrays
    raise ValueError(f"a {type(model).__name__} cannot be saved: expected a Network or a Sequential model of layers")


def check_destination(path) -> Path:
    """Make sure a network can be saved to ``path`` (its folder is created if needed),
    e.g. before a long training run; a ValueError says why not."""
    return check_writable(path, "save to", "model.npz")


# ----------------------------------------------------------------------------- loading
def load(path):
    """Load a network saved by ``save``. Anything else, including a damaged, altered or
    pickle-carrying file, gives a ValueError (pickles are never unpickled). Every entry's
    shape, type and size is checked before it is read, and no random weights are drawn."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a saved network: give the .npz file's name")
    with open(path, "rb") as f:  # FileNotFoundError passes through as it is
        start = f.read(4)
    if start != b"PK\x03\x04":  # every .npz is a zip archive, and zips start so
        raise ValueError(
            f"{path} is not a saved network: a network is saved as an .npz (zip) archive, but this "
            f"file starts with {start.hex(' ') or 'nothing'}. Save one with helpers.saving.save(net, path)."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            return _Reader(archive, path).model()
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as err:
        raise ValueError(f"{path} is not a readable saved network: {err}") from None


class _Reader:
    """Reads a saved network's entries from its zip archive, each checked before it is read."""

    def __init__(self, archive: zipfile.ZipFile, path):
        self.archive, self.path = archive, path
        self.members = {}
        for info in archive.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if key in self.members or len(self.members) > 2 * MAX_LAYERS + len(TEXT_KEYS) + 3:
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

    def text(self, key, most: int = MAX_TEXT) -> str:
        return str(self.read(key, f"a text entry (at most {most:,} characters)",
                             lambda shape, dtype: shape == () and dtype.kind == "U" and dtype.itemsize <= 4 * most))

    def model(self):
        """The model the archive holds: a network (formats v1 and v2) or a model of layers."""
        found = self.text("format")
        if found == FORMAT_V1:
            return self.network(TEXT_KEYS[:1] + TEXT_KEYS[2:])
        if found != FORMAT:
            raise self.bad(f"format {found!r}, expected {FORMAT!r}")
        kind = self.text("kind")
        if kind == "network":
            return self.network(TEXT_KEYS)
        if kind == "sequential":
            return self.sequential()
        raise self.bad(f"kind {kind!r}, expected one of {', '.join(map(repr, KINDS))}")

    def dtype(self):
        name = self.text("dtype")
        if name not in DTYPES:
            raise self.bad(f"dtype {name!r}, expected one of {list(DTYPES)}")
        return DTYPES[name]

    def sequential(self) -> Sequential:
        expected_keys = {"format", "kind", "architecture", "dtype"}
        dtype = self.dtype()
        try:  # builds the layers from their settings: sizes are checked before any array is read
            model = Sequential.from_architecture(self.text("architecture", MAX_ARCHITECTURE), dtype)
        except (ValueError, TypeError, KeyError, OverflowError) as err:
            raise self.bad(f"its architecture does not describe a model of layers ({err})") from None
        if model.n_params > MAX_PARAMS or len(model.layers) > MAX_LAYERS:
            raise self.bad(f"its model has {model.n_params:,} parameters in {len(model.layers)} layers, more than "
                           f"a model here may have ({MAX_PARAMS:,} parameters, {MAX_LAYERS} layers)")
        names = [f"p{i}" for i in range(len(model.params))]
        if set(self.members) != expected_keys | set(names):
            raise self.bad(f"entries {sorted(self.members)}, expected {sorted(expected_keys | set(names))}")
        for name, p in zip(names, model.params):
            declared, declared_dtype = self.header(name)
            if declared != p.shape or declared_dtype != np.dtype(dtype):
                raise self.bad(f"{name!r} has shape {declared} and dtype {declared_dtype}, "
                               f"expected {p.shape} and {np.dtype(dtype)}")
        for name, p in zip(names, model.params):
            array = self.read(name)
            if not np.all(np.isfinite(array)):
                raise self.bad(f"{name!r} contains NaN or infinite values")
            p[...] = array  # into the layer's own array, in place
        return model

    def network(self, text_keys) -> Network:
        sizes = self.read("sizes", f"a 1-D array of at most {MAX_LAYERS} whole numbers",
                          lambda shape, dtype: len(shape) == 1 and shape[0] <= MAX_LAYERS and dtype.kind in "iu")
        dtype_name = np.dtype(self.dtype()).name
        lmbda = self.read("lmbda", "one number", lambda shape, dtype: shape == () and dtype.kind == "f")
        n_layers = len(sizes) - 1
        expected_keys = set(text_keys) | {"sizes", "lmbda"}
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
        for name in sorted(expected_keys - set(text_keys) - {"sizes", "lmbda"}):
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
