"""Input validation for the engine: wrong shapes, types and settings get a clear message.

Every function here either returns its input in the form the engine works with, or
raises a ValueError that says what was expected, what came instead, and what to do.
The network and the training loop check their inputs once, on the way in, so the
maths in ``helpers.network`` can stay short and fast.
"""

from __future__ import annotations

import numpy as np

DTYPES = {"float32": np.float32, "float64": np.float64}
MAX_PARAMS = 5_000_000  # weights and biases in one network: 40 MB in float64, 63 times 784-100-10
MAX_LAYERS = 1_000  # layers in one network or model (saving and loading share the limit)


def check_sizes(sizes) -> list[int]:
    """Layer sizes such as [784, 100, 10]: at least two layers, each at least one neuron."""
    try:
        values = list(sizes)
    except TypeError:
        values = None
    if values is None or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in values):
        raise ValueError(f"sizes must be a list of whole numbers such as [784, 100, 10], got {sizes!r}")
    if len(values) < 2:
        raise ValueError(f"a network needs at least two layers (input and output), e.g. [784, 10]; got sizes {values!r}")
    if len(values) > MAX_LAYERS:  # what saving and loading accept: a network that is made can be saved and loaded
        raise ValueError(f"sizes has {len(values):,} layers, more than the {MAX_LAYERS:,} a network here may have "
                         f"(784-100-10 has 3)")
    if min(values) < 1:
        shown = values if len(values) <= 10 else values[:10] + ["..."]
        raise ValueError(f"every layer needs at least one neuron, got sizes {shown!r}")
    values = [int(s) for s in values]
    n_params = sum(n_out * (n_in + 1) for n_in, n_out in zip(values[:-1], values[1:]))
    if n_params > MAX_PARAMS:
        raise ValueError(
            f"sizes {values if len(values) <= 10 else values[:10] + ['...']} make {n_params:,} weights and biases, "
            f"more than the {MAX_PARAMS:,} a network here may have (784-100-10 has 79,510)"
        )
    return values


def check_parameters(weights, biases, sizes: list[int], dtype, what: str = "the network",
                     copy: bool = True) -> tuple[list, list]:
    """Weights and biases for a network of ``sizes``: one (n_out, n_in) matrix and one
    (n_out,) vector per layer, of real numbers, all finite. Returns them in ``dtype``,
    copied (or, with ``copy=False``, converted only if they are not in ``dtype``)."""
    checked = []
    for kind, arrays, shape_of in (("weights", weights, lambda i, o: (o, i)), ("biases", biases, lambda i, o: (o,))):
        arrays = list(arrays)
        if len(arrays) != len(sizes) - 1:
            raise ValueError(f"{what} has {len(arrays)} {kind} arrays, but sizes {sizes} need {len(sizes) - 1}")
        for l, (a, n_in, n_out) in enumerate(zip(arrays, sizes[:-1], sizes[1:])):
            a, name = np.asarray(a), f"{kind}[{l}]"
            if a.shape != shape_of(n_in, n_out):
                raise ValueError(f"{what}'s {name} has shape {a.shape}, but sizes {sizes} need {shape_of(n_in, n_out)}")
            if a.dtype.kind not in "fiu":
                raise ValueError(f"{what}'s {name} must hold real numbers, got dtype {a.dtype}")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{what}'s {name} holds NaN or infinite values (did training diverge?)")
            arrays[l] = a.astype(dtype, copy=copy)
        checked.append(arrays)
    return checked[0], checked[1]


def check_dtype(dtype):
    """np.float32 or np.float64 (or their names)."""
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}: expected np.float32 or np.float64")
    return DTYPES[name]


def check_eta(eta, what: str = "eta") -> float:
    """A learning rate: a finite number > 0."""
    try:
        eta = float(eta)
    except (TypeError, ValueError):
        raise ValueError(f"{what} (the learning rate) must be a number > 0, got {eta!r}") from None
    if not (eta > 0 and np.isfinite(eta)):
        raise ValueError(f"{what} (the learning rate) must be a number > 0, got {eta!r}")
    return eta


def check_lmbda(lmbda) -> float:
    """An L2 regularisation parameter: a finite number >= 0."""
    try:
        lmbda = float(lmbda)
    except (TypeError, ValueError):
        raise ValueError(f"lmbda (L2 regularisation) must be a number >= 0, got {lmbda!r}") from None
    if not (lmbda >= 0 and np.isfinite(lmbda)):
        raise ValueError(f"lmbda (L2 regularisation) must be a number >= 0, got {lmbda!r}")
    return lmbda


def check_count(value, name: str, minimum: int) -> int:
    """A whole number >= ``minimum``, such as the number of epochs or a mini-batch size."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def check_seed(seed, what: str = "seed"):
    """A seed for np.random.default_rng: None or a whole number >= 0."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"{what} must be a whole number >= 0 (or None for a random start), got {seed!r}")
    return seed


def make_rng(seed=None, rng=None) -> np.random.Generator:
    """The generator to draw random numbers from: ``rng`` as given, or a new one from ``seed``."""
    if seed is not None and rng is not None:
        raise ValueError("give either seed or rng, not both")
    if rng is None:
        return np.random.default_rng(check_seed(seed))
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return rng


def as_shape(input_shape) -> tuple[int, ...]:
    """The shape of one example: a number of inputs n (a row of n) or a tuple such as (1, 28, 28)."""
    return (int(input_shape),) if isinstance(input_shape, (int, np.integer)) else tuple(int(n) for n in input_shape)


def check_X(X, input_shape, dtype=None, name: str = "X", needs_rows: str | None = None) -> np.ndarray:
    """Inputs with one example per row and ``input_shape`` columns (or, for a shape such as
    (1, 28, 28), one example per entry of the first axis), all finite; in ``dtype`` if
    given (else as they are). ``needs_rows``: why no rows at all is an error, if it is."""
    X, shape = np.asarray(X), as_shape(input_shape)
    if len(shape) == 1:
        n_in = shape[0]
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array with one example per row, shape (n, {n_in}); got shape {X.shape}")
        if X.shape[1] != n_in:
            raise ValueError(f"X must have {n_in} columns (one per input neuron), got {X.shape[1]} (shape {X.shape})")
    elif X.shape[1:] != shape:
        wanted = ", ".join(map(str, shape))
        raise ValueError(f"X must hold one example of shape {shape} per entry of its first axis, shape (n, {wanted}); "
                         f"got shape {X.shape}")
    if X.dtype.kind not in "fiub":
        raise ValueError(f"X must hold numbers, got dtype {X.dtype}")
    if needs_rows and len(X) == 0:
        raise ValueError(f"{needs_rows}: {name} has 0 rows")
    check_finite_rows(X, name)
    return X.astype(dtype, copy=False) if dtype is not None else X


def check_finite_rows(X: np.ndarray, name: str = "X") -> None:
    """Refuse rows (examples) holding NaN or infinity, naming them. Cheap: one sum per row
    (a NaN or inf anywhere makes the row's sum NaN or inf), then a closer look at those rows only."""
    if X.dtype.kind != "f" or X.size == 0:
        return
    X = X.reshape(len(X), -1)
    with np.errstate(over="ignore", invalid="ignore"):
        suspects = np.flatnonzero(~np.isfinite(X.sum(axis=1)))
    rows = suspects[~np.all(np.isfinite(X[suspects]), axis=1)] if len(suspects) else suspects
    if len(rows):
        shown = ", ".join(str(r) for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
        raise ValueError(
            f"{name} has NaN or infinite values in {len(rows)} of {len(X)} rows (row{'s' * (len(rows) > 1)} {shown}): "
            f"a network cannot compute with them. Find where they came from (e.g. a division by zero "
            f"when scaling the pixels) or leave those rows out."
        )


def check_Y(Y, n: int, n_out: int, dtype, one_hot: bool = True) -> np.ndarray:
    """Wanted outputs, one row per example: one-hot rows (or, with ``one_hot=False``, any
    rows of numbers, such as notebook 04's 4-bit codes)."""
    Y = np.asarray(Y)
    if Y.shape != (n, n_out):
        kind = "one-hot rows" if one_hot else "rows"
        raise ValueError(f"Y must be {kind} of shape ({n}, {n_out}) to match X, got shape {Y.shape}")
    if Y.dtype.kind not in "fiub":
        raise ValueError(f"Y must hold numbers, got dtype {Y.dtype}")
    if one_hot and not (np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)):
        raise ValueError("Y must be one-hot: each row all 0 except a single 1 (use helpers.data.one_hot(labels))")
    check_finite_rows(Y, "Y")
    return Y.astype(dtype, copy=False)


def check_data(data, name: str, input_shape, n_out: int, dtype, one_hot: bool = True,
               needs_rows: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A pair (X, y) with labels y or target rows; return X as given (not copied) and the
    targets as rows in ``dtype`` (labels become one-hot rows). ``needs_rows`` as in check_X."""
    try:
        X, y = data
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (X, y), e.g. a Dataset from load_datasets, got {type(data).__name__}") from None
    x_name = "X" if name.startswith("(") else f"X in {name}"
    X = check_X(X, input_shape, name=x_name, needs_rows=needs_rows)  # cast per mini-batch later: no copy of the set
    y = np.asarray(y)
    if y.ndim != 1:
        return X, check_Y(y, len(X), n_out, dtype, one_hot)
    if len(y) != len(X):
        raise ValueError(f"{name}: {len(X)} rows in X but {len(y)} labels in y")
    if y.dtype.kind not in "iu":
        raise ValueError(f"{name}: labels y must be whole numbers, got dtype {y.dtype}")
    if len(y) and (y.min() < 0 or y.max() >= n_out):
        raise ValueError(f"{name}: labels must be between 0 and {n_out - 1}, got {y.min()}..{y.max()}")
    Y = np.zeros((len(y), n_out), dtype=dtype)
    Y[np.arange(len(y)), y] = 1
    return X, Y


class BackpropAnswerError(ValueError):
    """A backprop function returned something other than (nabla_w, nabla_b) of the right shapes."""


def check_backprop_answer(net, answer, first: bool = False) -> tuple[list, list]:
    """``answer`` from a backprop function given to ``net`` (a learner's): a pair (nabla_w,
    nabla_b) shaped like net's weights and biases, of real numbers (and, when ``first``,
    all finite); otherwise a message that says what came back and what was expected."""
    name_of = getattr(net.backprop_fn, "__name__", "backprop")
    expected = f"a pair (nabla_w, nabla_b) of lists with {len(net.weights)} arrays each"
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        got = f"{len(answer)} values" if isinstance(answer, tuple | list) else type(answer).__name__
        raise BackpropAnswerError(f"your backprop `{name_of}` returned {got}, expected {expected}")
    for name, arrays, like in (("nabla_w", answer[0], net.weights), ("nabla_b", answer[1], net.biases)):
        if not isinstance(arrays, tuple | list) or len(arrays) != len(like):
            got = f"{len(arrays)} arrays" if isinstance(arrays, tuple | list) else type(arrays).__name__
            raise BackpropAnswerError(f"{name} should be a list of {len(like)} arrays (one per layer), got {got}"
                                      + (" (is there a None for the input layer? leave it out)" if
                                         isinstance(arrays, tuple | list) and arrays and arrays[0] is None else ""))
        for l, (g, p) in enumerate(zip(arrays, like), start=1):
            if np.shape(g) != p.shape:
                swapped = " (are nabla_w and nabla_b the wrong way round?)" if name == "nabla_w" and np.ndim(g) == 1 else ""
                column = " (a column: give biases as vectors, e.g. E.mean(axis=0))" if np.shape(g) == p.shape + (1,) else ""
                raise BackpropAnswerError(
                    f"{name}[{l - 1}] (layer {l}) has shape {np.shape(g)}, expected {p.shape}{swapped}{column}")
            if np.asarray(g).dtype.kind not in "fiub":
                raise BackpropAnswerError(f"{name}[{l - 1}] (layer {l}) must hold numbers, got dtype {np.asarray(g).dtype}")
            if first and not np.all(np.isfinite(g)):
                raise BackpropAnswerError(f"{name}[{l - 1}] (layer {l}) holds NaN or infinite values in your backprop's "
                                          f"first answer: look for a division by zero or a log of 0 in it")
    return list(answer[0]), list(answer[1])


def check_augmented(X, shape: tuple, augment) -> np.ndarray:
    """What the augmentation function ``augment`` returned for images of ``shape``: an
    array of numbers of that same shape, all finite. (Checked for each chunk of about
    2,000 images, not each mini-batch, and only when there is an augmentation.)"""
    name = f"augment={getattr(augment, '__name__', None) or repr(augment)[:80]}"
    if not isinstance(X, np.ndarray) or X.shape != shape or X.dtype.kind not in "fiub":
        got = f"an array of shape {X.shape} and dtype {X.dtype}" if isinstance(X, np.ndarray) else repr(X)[:80]
        raise ValueError(
            f"{name} must return the images it is given, changed: an array of numbers of shape {shape} "
            f"(one image per row); it returned {got}"
        )
    check_finite_rows(X, f"the images {name} returned")
    return X
