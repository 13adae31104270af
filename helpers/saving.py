"""Saving a network to a file and loading it back: plain NumPy arrays, never pickle.

A saved network is an ``.npz`` archive (a zip of ``.npy`` arrays): its settings as
text entries ("format", "activation", "output", "cost", "init", "dtype"), "sizes",
"lmbda", and one weight matrix "w0", "w1", ... and bias vector "b0", "b1", ... per
layer (``w0`` is w^1, the weights into layer 1). Loading checks every entry, so a
damaged, altered or pickle-carrying file gets a clear ValueError.

    >>> save(net, "models/mine.npz")     # or net.save(...)      # doctest: +SKIP
    >>> net = load("models/mine.npz")   # or Network.load(...)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from helpers.validation import DTYPES

FORMAT = "digits-from-scratch network v1"  # written into every saved file


def save(net, path) -> None:
    """Save ``net`` to ``path`` as a NumPy ``.npz`` file.

    The file is written to a temporary name in the same folder and renamed when
    complete, so an interrupted save never leaves half a file behind."""
    path = Path(path)
    arrays = {
        "format": np.array(FORMAT),
        "sizes": np.array(net.sizes, dtype=np.int64),
        "activation": np.array(net.activation.name),
        "output": np.array(net.output.name),
        "cost": np.array(net.cost_function.name),
        "init": np.array(net.init),
        "dtype": np.array(np.dtype(net.dtype).name),
        "lmbda": np.array(net.lmbda, dtype=np.float64),
    }
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{l}"], arrays[f"b{l}"] = w, b
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load(path):
    """Load a network saved by ``save``. Anything else, including a damaged, altered or
    pickle-carrying file, gives a ValueError (pickles are never unpickled)."""
    path = Path(path)
    with open(path, "rb") as f:  # FileNotFoundError passes through as it is
        start = f.read(4)
    if start != b"PK\x03\x04":  # every .npz is a zip archive, and zips start so
        raise ValueError(
            f"{path} is not a saved network: a network is saved as an .npz (zip) archive, but this "
            f"file starts with {start.hex(' ') or 'nothing'}. Save one with net.save(path)."
        )
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in f.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        if "pickle" in str(err):  # NumPy's message suggests unpickling: never do that here
            err = "it holds pickled Python objects, which are never loaded (they could run code)"
        raise ValueError(f"{path} is not a readable saved network: {err}") from None
    return from_arrays(arrays, path)


def from_arrays(arrays: dict, path="the file"):
    """The network described by the arrays of a saved file, after checking every entry."""
    from helpers.network import Network  # here, not at the top: network.py imports this module

    def bad(msg):
        return ValueError(f"{path} is not a valid saved network: {msg}")

    def text(key):
        value = arrays.get(key)
        if value is None or value.dtype.kind != "U" or value.ndim != 0:
            raise bad(f"{key!r} should be a text entry")
        return str(value)

    if text("format") != FORMAT:
        raise bad(f"format {text('format')!r}, expected {FORMAT!r}")
    sizes = arrays.get("sizes")
    if sizes is None or sizes.ndim != 1 or sizes.dtype.kind not in "iu":
        raise bad("'sizes' should be a 1-D array of whole numbers")
    dtype_name = text("dtype")
    if dtype_name not in DTYPES:
        raise bad(f"dtype {dtype_name!r}, expected one of {list(DTYPES)}")
    lmbda = arrays.get("lmbda")
    if lmbda is None or lmbda.shape != () or lmbda.dtype.kind != "f":
        raise bad("'lmbda' should be one number")
    n_layers = len(sizes) - 1
    expected_keys = {"format", "sizes", "activation", "output", "cost", "init", "dtype", "lmbda"}
    expected_keys |= {f"w{l}" for l in range(n_layers)} | {f"b{l}" for l in range(n_layers)}
    if set(arrays) != expected_keys:
        raise bad(f"entries {sorted(arrays)}, expected {sorted(expected_keys)}")
    try:
        net = Network(
            sizes.tolist(),
            activation=text("activation"),
            output=text("output"),
            cost=text("cost"),
            init=text("init"),
            dtype=DTYPES[dtype_name],
            lmbda=float(lmbda),
            seed=0,
        )
    except ValueError as err:
        raise bad(str(err)) from None
    for l in range(n_layers):
        for name, like in ((f"w{l}", net.weights[l]), (f"b{l}", net.biases[l])):
            array = arrays[name]
            if array.shape != like.shape or array.dtype != like.dtype:
                raise bad(f"{name!r} has shape {array.shape} and dtype {array.dtype}, expected {like.shape} and {like.dtype}")
            if not np.all(np.isfinite(array)):
                raise bad(f"{name!r} contains NaN or infinite values")
    net.weights = [arrays[f"w{l}"].copy() for l in range(n_layers)]
    net.biases = [arrays[f"b{l}"].copy() for l in range(n_layers)]
    return net
