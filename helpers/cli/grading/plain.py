"""Plain data across the sandbox's wall: what a student's function was given and gave back,
as JSON, and back again, without pickle and without ever running an object's own code.

Only these exact types cross (a subclass is not the type: an ``int`` whose ``__eq__`` lies is
not an int here): None, bool, int, float, str, list, tuple, dict (keys of those), NumPy arrays
of exact type ``ndarray`` with a number or bool dtype, NumPy's number and bool scalars, and
(for a check's inputs only: ``objects=True``) an instance of a course class (from ``helpers``)
as its attributes. Anything else is encoded as ``{"t": "?", "kind": "a set"}``: the value is
not sent, only what it was, and :func:`decode` refuses it with :class:`NotPlain`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import sys

import numpy as np

MAX_DEPTH = 24
MAX_ITEMS = 200_000  # list items, dict entries and array elements, all told, in one value
MAX_TEXT = 100_000


class NotPlain(BaseException):
    """A value that is not plain data (a BaseException: a check's ``except Exception`` must not
    take it for the learner's error)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def kind_of(value) -> str:
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def encode(value, objects: bool = False) -> object:
    """``value`` as JSON-ready data (see the module's docstring); never raises for a strange value."""
    budget = [MAX_ITEMS]

    def go(v, depth: int):
        budget[0] -= 1
        if depth > MAX_DEPTH or budget[0] < 0:
            return {"t": "?", "kind": "a value nested too deep or too big to grade"}
        t = type(v)
        if v is None or t is bool or t is str and len(v) <= MAX_TEXT:
            return v
        if t is int:
            return v if abs(v) < 1 << 53 else {"t": "int", "v": str(v)} if v.bit_length() < 4000 else \
                {"t": "?", "kind": "a huge int"}
        if t is float:
            return v if math.isfinite(v) else {"t": "float", "v": repr(v)}
        if t is list or t is tuple:
            return {"t": t.__name__, "v": [go(x, depth + 1) for x in v]}
        if t is dict:
            return {"t": "dict", "v": [[go(k, depth + 1), go(x, depth + 1)] for k, x in v.items()]}
        if t is np.ndarray and v.dtype.kind in "biuf" and v.dtype.fields is None:
            budget[0] -= v.size
            if budget[0] < 0:
                return {"t": "?", "kind": f"an array of {v.size:,} values (more than the report grades)"}
            data = np.ascontiguousarray(v)
            return {"t": "nd", "dtype": v.dtype.str, "shape": list(v.shape),
                    "b64": base64.b64encode(data.tobytes()).decode("ascii")}
        if isinstance(v, np.generic) and t.__module__ == "numpy" and v.dtype.kind in "biuf":
            return {"t": "np", "dtype": v.dtype.str, "b64": base64.b64encode(v.tobytes()).decode("ascii")}
        if objects and t.__module__.startswith("helpers.") and isinstance(getattr(v, "__dict__", None), dict):
            return {"t": "obj", "cls": f"{t.__module__}:{t.__qualname__}",
                    "v": [[k, go(x, depth + 1)] for k, x in sorted(vars(v).items()) if type(k) is str]}
        return {"t": "?", "kind": kind_of(v)}

    return go(value, 0)


def decode(data, objects: bool = False):
    """The value :func:`encode` made; :class:`NotPlain` for a value that was not plain data,
    ValueError for data that no encode could have made."""

    def go(d):
        if d is None or type(d) in (bool, int, float, str):
            return d
        if type(d) is not dict or type(d.get("t")) is not str:
            raise ValueError("not plain data")
        t = d["t"]
        if t == "?":
            raise NotPlain(str(d.get("kind", "something else"))[:80])
        if t == "int":
            return int(str(d["v"])[:1300])
        if t == "float":
            value = float(str(d["v"]))
            if math.isfinite(value):
                raise ValueError("not plain data")
            return value
        if t in ("list", "tuple"):
            items = [go(x) for x in d["v"]]
            return items if t == "list" else tuple(items)
        if t == "dict":
            return {go(k): go(x) for k, x in d["v"]}
        if t in ("nd", "np"):
            dtype = np.dtype(str(d["dtype"]))
            if dtype.kind not in "biuf" or dtype.fields is not None or dtype.itemsize > 16:
                raise ValueError("not plain data")
            raw = base64.b64decode(str(d["b64"]), validate=True)
            if t == "np":
                return np.frombuffer(raw, dtype=dtype, count=1)[0]
            shape = tuple(int(n) for n in d["shape"])
            if any(n < 0 for n in shape) or math.prod(shape) * dtype.itemsize != len(raw):
                raise ValueError("not plain data")
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if t == "obj" and objects:
            module_name, _, qualname = str(d["cls"]).partition(":")
            if not module_name.startswith("helpers.") or "." in qualname or not qualname.isidentifier():
                raise ValueError("not plain data")
            if module_name not in sys.modules:  # never an import (helpers.__main__ would run a command)
                raise ValueError("not plain data")
            cls = getattr(sys.modules[module_name], qualname, None)
            if not isinstance(cls, type):
                raise ValueError("not plain data")
            made = cls.__new__(cls)
            for k, x in d["v"]:
                vars(made)[str(k)] = go(x)
            return made
        raise ValueError("not plain data")

    return go(data)


def digest(encoded) -> str:
    """A short fingerprint of encoded data: inputs compare by it."""
    return hashlib.sha256(json.dumps(encoded, sort_keys=True, allow_nan=True).encode()).hexdigest()[:32]
