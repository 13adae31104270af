"""Layers, each with its forward and its backward pass side by side, and ``Sequential``,
a model made of any stack of them.

The style of cs231n's ``layers.py`` and micrograd's ``_backward``: a layer's
``forward(A_in)`` computes its output and keeps what its backward pass will need;
``backward(G)`` gets G = dC/dA, the gradient of the cost with respect to the layer's
output, stores the gradients of its own parameters (``grads``, shaped like ``params``)
and returns dC/dA_in, the G of the layer before. Chaining the backward passes from the
last layer to the first is backpropagation (notebook 06's equations BP2-BP4, one layer
at a time).

Shapes. The first axis of every array counts the examples of a mini-batch: a batch of
m flat digits is (m, 784), a batch of m images is (m, 1, 28, 28) -- examples, channels,
rows, columns (the convention of PyTorch and ONNX: "NCHW"). A layer's ``output_shape``
maps the shape of one example in to the shape of one example out, so a model knows its
shapes before it sees data. ``Conv2D`` and ``MaxPool2D`` work on images; a ``Flatten``
turns their output into rows for a ``Dense`` layer (a convolutional network, notebook 11).

    >>> model = Sequential([Dense(784, 100, "sigmoid"), Dense(100, 10)], rng=0)
    >>> model.n_params
    79510
"""

from __future__ import annotations

import json
import math
from contextlib import contextmanager

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from helpers.activations import Linear, ReLU, Sigmoid, Softmax, lookup, softmax
from helpers.costs import CrossEntropyCost
from helpers.validation import MAX_LAYERS, MAX_PARAMS, check_data, check_dtype, check_lmbda, check_X

ACTIVATIONS = {"sigmoid": Sigmoid, "relu": ReLU, "softmax": Softmax, "linear": Linear}
INITS = ("glorot", "normal", "scaled")
CACHED = ("A_in", "Z", "A", "nabla_w", "nabla_b", "shape_in", "cols", "windows", "mask")  # what a pass keeps: never copied


class Layer:
    """What every layer has: its parameter arrays (``params``, none for an activation)
    and their gradients after a backward pass (``grads``), the L2 flags of its arrays
    (``regularised``: weights yes, biases no), its ``output_shape`` and the settings
    that rebuild it (``config``, for saving)."""

    params: list = []
    grads: list = []
    regularised: tuple = ()

    def output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def numbers_held(self, input_shape: tuple) -> int:
        """How many numbers a forward pass holds per example at once: its output (a
        Conv2D also its im2col matrix). Evaluation cuts the examples into chunks by the
        largest of these, and ``Sequential`` refuses a layer that would hold more than
        MAX_HELD."""
        return math.prod(self.output_shape(input_shape))

    def config(self) -> dict:
        return {}

    def astype(self, dtype) -> "Layer":
        """An independent copy of the layer in ``dtype``, without what a forward pass kept."""
        twin = object.__new__(type(self))
        twin.__dict__.update({k: v for k, v in self.__dict__.items() if k not in CACHED})
        for name in self.param_names():
            setattr(twin, name, getattr(self, name).astype(dtype, copy=True))
        return twin

    def param_names(self) -> tuple:
        """The attributes holding ``params``, in their order (e.g. ("w", "b"))."""
        return ()

    @classmethod
    def from_config(cls, settings: dict, dtype) -> "Layer":
        return cls(**settings)

    def __repr__(self) -> str:
        settings = ", ".join(f"{v}" if k in ("n_in", "n_out") else f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({settings})"


class WeightsAndBiases(Layer):
    """A layer with a weight array ``w`` and a bias vector ``b`` (Dense, Conv2D): its
    parameters, their gradients after a backward pass, and L2 on the weights only."""

    regularised = (True, False)

    @property
    def params(self) -> list:
        return [self.w, self.b]

    @property
    def grads(self) -> list:
        return [self.nabla_w, self.nabla_b]

    def param_names(self) -> tuple:
        return ("w", "b")

    @classmethod
    def from_config(cls, settings: dict, dtype) -> "WeightsAndBiases":
        return cls(**settings, dtype=dtype, rng=0)  # its parameters are about to be replaced


class Dense(WeightsAndBiases):
    """A fully connected layer, Keras' ``Dense`` (PyTorch: ``nn.Linear`` and an activation).

    forward:   Z = A_in w^T + b,   A = activation(Z)          (one example per row)
    backward:  given G = dC/dA:    E = dC/dZ = activation.backward(Z, A, G)
               dC/dw = E^T A_in,   dC/db = sum of E's rows,   dC/dA_in = E w

    ``w`` has shape (n_out, n_in) as in the course's network (and PyTorch). The starting
    weights are Keras' default, Glorot-uniform: U(-r, r) with r = sqrt(6 / (n_in + n_out)),
    so that z neither grows nor shrinks from layer to layer; the biases start at 0.
    (``init="scaled"``: N(0, 1/n_in) weights and N(0, 1) biases, the course's network.)
    """

    def __init__(self, n_in: int, n_out: int, activation: str = "linear", init: str = "glorot",
                 dtype=np.float32, rng=None):
        self.activation = lookup("activation", activation, ACTIVATIONS)
        self.init = lookup("init", init, {name: name for name in INITS})
        self.n_in, self.n_out = _count(n_in, "n_in"), _count(n_out, "n_out")
        if (self.n_in + 1) * self.n_out > MAX_PARAMS:
            raise ValueError(f"Dense({n_in}, {n_out}) would hold {(self.n_in + 1) * self.n_out:,} weights and biases, "
                             f"more than the {MAX_PARAMS:,} a model here may have (784-100-10 has 79,510)")
        dtype = check_dtype(dtype)
        rng = np.random.default_rng(rng)
        if init == "glorot":
            r = np.sqrt(6 / (n_in + n_out))
            self.w = rng.uniform(-r, r, (n_out, n_in)).astype(dtype)
            self.b = np.zeros(n_out, dtype=dtype)
        else:
            self.b = rng.standard_normal(n_out).astype(dtype)
            scale = 1.0 if init == "normal" else 1 / np.sqrt(n_in)
            self.w = (rng.standard_normal((n_out, n_in)) * scale).astype(dtype)

    def forward(self, A_in: np.ndarray) -> np.ndarray:
        self.A_in = A_in  # kept for the backward pass, like Z and A
        self.Z = A_in @ self.w.T + self.b
        self.A = self.activation.fn(self.Z)
        return self.A

    def backward(self, G: np.ndarray) -> np.ndarray:
        E = self.activation.backward(self.Z, self.A, G)
        self.nabla_w = E.T @ self.A_in
        self.nabla_b = E.sum(axis=0)
        return E @ self.w  # dC/dA_in: the G of the layer before


    def output_shape(self, input_shape: tuple) -> tuple:
        if tuple(input_shape) != (self.n_in,):
            raise ValueError(f"{self!r} takes {self.n_in} numbers per example, but gets examples of shape "
                             f"{tuple(input_shape)}: put a Flatten() before it, or make n_in match")
        return (self.n_out,)

    def config(self) -> dict:
        return {"n_in": self.n_in, "n_out": self.n_out, "activation": self.activation.name}


class Activation(Layer):
    """An activation function as a layer of its own: A = f(Z), and dC/dZ = f'(Z) * G
    (``Activation("relu")`` between two layers, as PyTorch's ``nn.ReLU()``). Works on
    arrays of any shape."""

    def __init__(self, name: str):
        self.activation = lookup("activation", name, {k: v for k, v in ACTIVATIONS.items() if k != "softmax"})

    def forward(self, Z: np.ndarray) -> np.ndarray:
        self.Z, self.A = Z, self.activation.fn(Z)
        return self.A

    def backward(self, G: np.ndarray) -> np.ndarray:
        return self.activation.backward(self.Z, self.A, G)

    def config(self) -> dict:
        return {"name": self.activation.name}


class Flatten(Layer):
    """Each example's array as one long row: (m, 1, 28, 28) -> (m, 784). Backward puts
    the gradient back into the input's shape."""

    def forward(self, A_in: np.ndarray) -> np.ndarray:
        self.shape_in = A_in.shape
        return A_in.reshape(len(A_in), -1)

    def backward(self, G: np.ndarray) -> np.ndarray:
        return G.reshape(self.shape_in)

    def output_shape(self, input_shape: tuple) -> tuple:
        return (math.prod(input_shape),)  # Python's whole numbers: no overflow


class Conv2D(WeightsAndBiases):
    """A convolutional layer, stride 1 and no padding (PyTorch's ``nn.Conv2d(c_in, c_out, k)``):
    c_out filters of shape (c_in, k, k) slide over the image; each output pixel is

        Z[n, o, i, j] = b[o] + sum over c, p, q of  w[o, c, p, q] A_in[n, c, i + p, j + q]

    (a cross-correlation, as in every framework). An image (c_in, H, W) gives (c_out,
    H - k + 1, W - k + 1). Computed with im2col: every k x k window of the input becomes
    one column of a matrix ``cols`` (c_in k k numbers), so the whole layer is one product
    with the filters as rows, ``w_flat`` -- a Dense layer shared by every window.

    forward:   Z = w_flat cols + b                          (one column per window)
    backward:  given G = dC/dZ, one column per window (E):
               dC/dw = E cols^T,   dC/db = sum of E's columns,
               dC/dcols = w_flat^T E, and each window's gradient added back where the
               window came from (col2im): dC/dA_in.

    Starting weights: He's N(0, 2 / fan_in), fan_in = c_in k k, for a ReLU after the layer
    (``init="glorot"``: U(-r, r), r = sqrt(6 / (fan_in + fan_out)), fan_out = c_out k k).
    """

    def __init__(self, c_in: int, c_out: int, k: int, init: str = "he", dtype=np.float32, rng=None):
        self.c_in, self.c_out, self.k = _count(c_in, "c_in"), _count(c_out, "c_out"), _count(k, "k")
        self.init = lookup("init", init, {"he": "he", "glorot": "glorot"})
        n_params = n_params_of("Conv2D", self.config())
        if n_params > MAX_PARAMS:
            raise ValueError(f"Conv2D({c_in}, {c_out}, {k}) would hold {n_params:,} weights and biases, more than "
                             f"the {MAX_PARAMS:,} a model here may have")
        dtype, rng = check_dtype(dtype), np.random.default_rng(rng)
        fan_in, fan_out = self.c_in * self.k**2, self.c_out * self.k**2
        shape = (self.c_out, self.c_in, self.k, self.k)
        if self.init == "he":
            self.w = (rng.standard_normal(shape) * np.sqrt(2 / fan_in)).astype(dtype)
        else:
            r = np.sqrt(6 / (fan_in + fan_out))
            self.w = rng.uniform(-r, r, shape).astype(dtype)
        self.b = np.zeros(self.c_out, dtype=dtype)

    def forward(self, A_in: np.ndarray) -> np.ndarray:
        m, k = len(A_in), self.k
        # sliding_window_view: every k x k window as a view, shape (m, c_in, H', W', k, k),
        # no copy yet; putting the channels after the window's position and reshaping
        # makes the copy, one row of c_in k k numbers per window: im2col.
        # sliding_window_view: every k x k window as a view, shape (m, c_in, h, w, k, k),
        # no copy yet. Putting the window's own pixels (c, p, q) first and its position
        # (n, i, j) last, then reshaping, makes the copy: one column of c_in k k numbers per
        # window, im2col. (In this order the copy reads long runs of neighbouring pixels,
        # several times faster than one row per window.)
        windows = sliding_window_view(A_in, (k, k), axis=(2, 3))
        _, _, h, w_, _, _ = windows.shape
        self.shape_in = A_in.shape
        self.cols = windows.transpose(1, 4, 5, 0, 2, 3).reshape(-1, m * h * w_)
        Z = self.w.reshape(self.c_out, -1) @ self.cols + self.b[:, None]  # (c_out, m h w): a column per window
        # back to (m, c_out, h, w), copied so that the next layers get the usual memory order
        return np.ascontiguousarray(Z.reshape(self.c_out, m, h, w_).transpose(1, 0, 2, 3))

    def backward(self, G: np.ndarray, input_gradient: bool = True) -> np.ndarray | None:
        """... and dC/dA_in, unless ``input_gradient`` is False (for a model's first layer,
        whose input is the data: col2im is a third of the layer's time)."""
        m, _, h, w_ = G.shape
        k = self.k
        E = np.ascontiguousarray(G.transpose(1, 0, 2, 3)).reshape(self.c_out, -1)  # dC/dZ, a column per window
        self.nabla_w = (E @ self.cols.T).reshape(self.w.shape)
        self.nabla_b = E.sum(axis=1)
        if not input_gradient:
            return None
        # each window's gradient, (c_in k k, m h w), seen as (c_in, k, k, m, h, w)
        dcols = (self.w.reshape(self.c_out, -1).T @ E).reshape(self.c_in, k, k, m, h, w_)
        # col2im: window (i, j) took its pixel (p, q) from A_in[..., i + p, j + q], so its
        # gradient goes back there; a pixel in several windows adds up their gradients.
        # One loop over the k^2 positions in a window (not over the examples).
        dA_in = np.zeros(self.shape_in, dtype=dcols.dtype)
        by_channel = dA_in.transpose(1, 0, 2, 3)  # a view (c_in, m, H, W), in dcols' order
        for p in range(k):
            for q in range(k):
                by_channel[:, :, p : p + h, q : q + w_] += dcols[:, p, q]
        return dA_in


    def output_shape(self, input_shape: tuple) -> tuple:
        if len(input_shape) != 3 or input_shape[0] != self.c_in or min(input_shape[1:]) < self.k:
            raise ValueError(f"{self!r} takes images of shape ({self.c_in}, H, W) with H, W >= {self.k}, but gets "
                             f"examples of shape {tuple(input_shape)}")
        return (self.c_out, input_shape[1] - self.k + 1, input_shape[2] - self.k + 1)

    def numbers_held(self, input_shape: tuple) -> int:
        c, h, w_ = self.output_shape(input_shape)
        return c * h * w_ + h * w_ * self.c_in * self.k**2  # its output and its im2col matrix

    def config(self) -> dict:
        return {"c_in": self.c_in, "c_out": self.c_out, "k": self.k}


class MaxPool2D(Layer):
    """Max pooling over non-overlapping ``size`` x ``size`` windows (PyTorch's
    ``nn.MaxPool2d(size)``): (c, H, W) -> (c, H // size, W // size); rows and columns
    left over at the bottom and right are dropped, as PyTorch does.

    forward:   A = the largest number of each window
    backward:  each window's gradient goes, whole, to the pixel that was its largest (the
               others did not change the output); for a tie, to the first of them in
               reading order (row by row), so the result never depends on chance.
    """

    def __init__(self, size: int = 2):
        self.size = _count(size, "size")

    def forward(self, A_in: np.ndarray) -> np.ndarray:
        s, (m, c, H, W) = self.size, A_in.shape
        # (m, c, H, W) -> (m, c, h, s, w, s): window (i, j) is [:, :, i, :, j, :], a view
        self.windows = A_in[:, :, : H // s * s, : W // s * s].reshape(m, c, H // s, s, W // s, s)
        self.shape_in = A_in.shape
        # the largest of each window, position by position (faster than .max(axis=(3, 5)))
        self.A = self.windows[:, :, :, 0, :, 0].copy()
        for p in range(s):
            for q in range(s):
                np.maximum(self.A, self.windows[:, :, :, p, :, q], out=self.A)
        return self.A

    def backward(self, G: np.ndarray) -> np.ndarray:
        s = self.size
        dA_in = np.zeros(self.shape_in, dtype=G.dtype)  # rows and columns in no window: gradient 0
        d_windows = dA_in[:, :, : self.A.shape[2] * s, : self.A.shape[3] * s].reshape(self.windows.shape)  # a view
        taken = np.zeros(self.A.shape, dtype=bool)
        # One loop over the s*s positions of a window, in reading order (not over the
        # examples): the first position holding the window's largest number takes G.
        for p in range(s):
            for q in range(s):
                here = (self.windows[:, :, :, p, :, q] == self.A) & ~taken
                d_windows[:, :, :, p, :, q] = G * here
                taken |= here
        return dA_in

    def output_shape(self, input_shape: tuple) -> tuple:
        if len(input_shape) != 3 or min(input_shape[1:]) < self.size:
            raise ValueError(f"{self!r} takes images of shape (c, H, W) with H, W >= {self.size}, but gets "
                             f"examples of shape {tuple(input_shape)}")
        c, H, W = input_shape
        return (c, H // self.size, W // self.size)

    def config(self) -> dict:
        return {"size": self.size}


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014; PyTorch's ``nn.Dropout(p)``): while
    training, each number is set to 0 with probability ``p`` and the others are divided
    by 1 - p, so that their expected value is unchanged; at any other time the layer
    passes its input on untouched (nothing to rescale at test time).

    forward:   A = A_in * mask,   mask = (0 with probability p, else 1 / (1 - p))
    backward:  dC/dA_in = G * mask (a dropped number had no effect on the cost)

    How it knows it is training: like a PyTorch module, it is training unless told
    otherwise -- every forward pass drops, and ``Sequential.grads`` needs no flag; the
    model's scoring (``cost``, ``logits``, so ``predict`` and the training loop's
    accuracies) runs inside ``Sequential.evaluating()``, which sets ``training`` False.
    So a model with dropout fails ``gradient_check`` (its cost does not drop, its
    gradient does): check it without the Dropout layers. The ``rng`` is not saved: a
    loaded layer draws from a fresh generator.
    """

    training = True

    def __init__(self, p: float = 0.5, rng=None):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise ValueError(f"p, the fraction of numbers dropped, must be a number with 0 <= p < 1, got {p!r}")
        self.p, self.rng = float(p), np.random.default_rng(rng)

    def forward(self, A_in: np.ndarray) -> np.ndarray:
        if not self.training:
            self.mask = None
            return A_in
        keep = self.rng.random(A_in.shape, dtype=A_in.dtype) >= self.p
        self.mask = keep * A_in.dtype.type(1 / (1 - self.p))
        return A_in * self.mask

    def backward(self, G: np.ndarray) -> np.ndarray:
        return G if self.mask is None else G * self.mask

    def config(self) -> dict:
        return {"p": self.p}


LAYERS = {cls.__name__: cls for cls in (Dense, Activation, Flatten, Conv2D, MaxPool2D, Dropout)}


# ---------------------------------------------------------------------------------------
# A model made of layers
# ---------------------------------------------------------------------------------------


class Sequential:
    """Layers one after the other, trained with the softmax cross-entropy of the last
    layer's output (the logits), like Keras' ``Sequential`` compiled with
    ``SparseCategoricalCrossentropy(from_logits=True)``.

    ``input_shape``: the shape of one example (default: the first layer's, for a Dense
    layer (n_in,)); ``dtype``: np.float32 or np.float64 (the layers are converted).
    A model of the training loop's protocol (``helpers.training``): ``params``,
    ``regularised``, ``grads``, ``cost``, ``predict``.
    """

    cost_function = CrossEntropyCost
    kind = "sequential"

    def __init__(self, layers, input_shape=None, dtype=np.float32, rng=None):
        self.layers = list(layers) if isinstance(layers, list | tuple) else []
        if not self.layers or not all(isinstance(layer, Layer) and hasattr(layer, "forward") and hasattr(layer, "backward")
                                      for layer in self.layers):
            raise ValueError(f"Sequential needs a list of layers such as [Dense(784, 10)], got {layers!r}")
        last = [layer for layer in self.layers if isinstance(layer, Dense)][-1:]
        if last and last[0].activation.name == "softmax" and last[0] is self.layers[-1]:
            raise ValueError("leave the last layer linear (Dense(n_in, n_out) with no activation): its outputs are the "
                             "logits, and the cost applies the softmax itself (a softmax here would be applied twice)")
        if len(self.layers) > MAX_LAYERS:  # what saving and loading accept
            raise ValueError(f"the model would have {len(self.layers):,} layers, more than the {MAX_LAYERS:,} a model "
                             f"here may have")
        self.dtype = check_dtype(dtype)
        self.layers = [layer if all(p.dtype == self.dtype for p in layer.params) else layer.astype(self.dtype)
                       for layer in self.layers]
        if input_shape is None:
            first = self.layers[0]
            if not isinstance(first, Dense):
                raise ValueError(f"give input_shape, the shape of one example (e.g. (1, 28, 28)): the first "
                                 f"layer, {first!r}, does not say it")
            input_shape = (first.n_in,)
        self.input_shape = check_input_shape(input_shape)
        shape = self.input_shape
        for layer in self.layers:  # each layer checks that it fits the one before
            shape = layer.output_shape(shape)
        if len(shape) != 1 or shape[0] < 1:
            raise ValueError(f"the last layer must give one row of outputs per example, got examples of shape {shape}")
        self.n_out = shape[0]
        held = _widest(self.layers, self.input_shape)
        if held > MAX_HELD:  # a few convolutions can make one example's arrays huge from tiny settings
            raise ValueError(f"one example would make a layer hold {held:,} numbers at once, more than {MAX_HELD:,}: "
                             f"use fewer channels, or pool before the next convolution")
        if self.n_params > MAX_PARAMS:
            raise ValueError(f"the model would hold {self.n_params:,} parameters, more than the {MAX_PARAMS:,} "
                             f"a model here may have (784-100-10 has 79,510)")

    def __repr__(self) -> str:
        return f"Sequential({', '.join(map(repr, self.layers))})"

    @property
    def params(self) -> list[np.ndarray]:
        """Every layer's parameter arrays, first layer first (the order the update rule gets them)."""
        return [p for layer in self.layers for p in layer.params]

    @property
    def regularised(self) -> list[bool]:
        return [flag for layer in self.layers for flag in layer.regularised]

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params)

    # ----------------------------------------------------------------- forward and backward
    def forward(self, X: np.ndarray) -> np.ndarray:
        """The logits Z^L for the examples X (the layers keep what backward needs)."""
        A = X
        for layer in self.layers:
            A = layer.forward(A)
        return A

    def backward(self, G: np.ndarray) -> None:
        """Pass G = dC/dZ^L back through every layer, last first; each keeps its gradients.
        (A first Conv2D skips dC/dX, the gradient for the data, which nothing uses.)"""
        *others, first = reversed(self.layers)
        for layer in others:
            G = layer.backward(G)
        if isinstance(first, Conv2D):
            first.backward(G, input_gradient=False)
        else:
            first.backward(G)

    def grads(self, X, Y) -> list[np.ndarray]:
        """The gradient of the mean cost over the examples X (one-hot targets Y), shaped like
        ``params``: one forward pass, one backward pass."""
        Z = self.forward(X)
        # softmax(Z) - Y is dC/dZ for one example (the cost's delta); / m makes it the mean's
        self.backward(self.cost_function.delta(Z, Z, Y, Linear) / len(X))
        return [g for layer in self.layers for g in layer.grads]

    # ----------------------------------------------------------------- cost and answers
    def cost(self, X, Y, lmbda: float = 0.0, n: int | None = None, one_hot: bool = True) -> float:
        """The mean softmax cross-entropy over the examples X, plus (lmbda / 2n) sum ||w||^2."""
        X, Y = check_data((X, Y), "(X, Y)", self.input_shape, self.n_out, self.dtype, one_hot,
                          needs_rows="the cost of no examples is not defined")
        lmbda = check_lmbda(lmbda)
        total = 0.0
        with self.evaluating():
            for k in range(0, len(X), _rows_at_once(self)):
                Z = self.forward(X[k : k + _rows_at_once(self)].astype(self.dtype, copy=False))
                total += float(self.cost_function.fn(Z, Z, Y[k : k + len(Z)], Linear).sum())
        return total / len(X) + l2_term(self, lmbda, n or len(X))

    def logits(self, X) -> np.ndarray:
        """The last layer's outputs for the examples X, a chunk at a time (bounded memory)."""
        X = check_X(X, self.input_shape)
        step = _rows_at_once(self)
        with self.evaluating():
            return np.concatenate([self.forward(X[k : k + step].astype(self.dtype, copy=False))
                                   for k in range(0, len(X), step)] or [np.zeros((0, self.n_out), self.dtype)])

    @contextmanager
    def evaluating(self):
        """While the model is scored (``cost``, ``logits`` and so ``predict``), its Dropout
        layers pass everything through; after, they drop again (PyTorch's ``model.eval()``
        and ``model.train()`` in one ``with`` block)."""
        dropouts = [layer for layer in self.layers if isinstance(layer, Dropout)]
        for layer in dropouts:
            layer.training = False
        try:
            yield self
        finally:
            for layer in dropouts:
                layer.training = True

    def predict(self, X) -> np.ndarray:
        """The digit with the largest logit (the largest probability) for each example."""
        return self.logits(X).argmax(axis=1)

    def probabilities(self, X) -> np.ndarray:
        """softmax of the logits: what Keras' tutorial computes with tf.nn.softmax(model(X))."""
        return softmax(self.logits(X))

    def accuracy(self, X, y) -> float:
        X, Y = check_data((X, y), "(X, y)", self.input_shape, self.n_out, self.dtype)
        return float(np.mean(self.predict(X) == Y.argmax(axis=1))) if len(X) else float("nan")

    def copy(self, dtype=None) -> "Sequential":
        """An independent copy, optionally in another dtype."""
        dtype = self.dtype if dtype is None else check_dtype(dtype)
        return Sequential([layer.astype(dtype) for layer in self.layers], self.input_shape, dtype)

    def architecture(self) -> str:
        """The layers and their settings as JSON text, enough to rebuild the model (for saving)."""
        return json.dumps({"input_shape": list(self.input_shape),
                           "layers": [[type(layer).__name__, layer.config()] for layer in self.layers]})

    @classmethod
    def from_architecture(cls, text: str, dtype) -> "Sequential":
        """A model of the layers ``architecture()`` described (its parameters not yet the
        saved ones). The sizes are checked before any array is made (MAX_PARAMS)."""
        try:
            spec = json.loads(text)
        except RecursionError:
            raise ValueError("it nests lists too deeply") from None
        if not (isinstance(spec, dict) and isinstance(spec.get("layers"), list) and
                all(isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict) for item in spec["layers"])):
            raise ValueError("expected {'input_shape': [...], 'layers': [[name, settings], ...]}")
        if len(spec["layers"]) > MAX_LAYERS:
            raise ValueError(f"it has {len(spec['layers']):,} layers, more than {MAX_LAYERS:,}")
        # every size a whole number >= 1 before any is added up (a negative one could hide a huge one)
        n_params = sum(n_params_of(name, settings) for name, settings in spec["layers"])
        if n_params > MAX_PARAMS:
            raise ValueError(f"its layers would hold {n_params:,} parameters, more than {MAX_PARAMS:,}")
        layers = [lookup("layer", name, LAYERS).from_config(settings, dtype) for name, settings in spec["layers"]]
        return cls(layers, check_input_shape(spec.get("input_shape")), dtype)


def n_params_of(name: str, settings: dict) -> int:
    """How many parameters the layer ``name`` with these ``settings`` would hold, counted
    from the settings alone (a saved architecture is checked so before anything is built);
    each size must be a whole number >= 1 first, so a negative one cannot hide a huge one."""
    if name == "Dense":
        return (_count(settings.get("n_in"), "n_in") + 1) * _count(settings.get("n_out"), "n_out")
    if name == "Conv2D":
        c_in, c_out, k = (_count(settings.get(size), size) for size in ("c_in", "c_out", "k"))
        return (c_in * k * k + 1) * c_out
    return 0


def l2_term(model, lmbda: float, n: int) -> float:
    """The L2 regularisation term (lmbda / 2n) sum ||w||^2 over the model's regularised arrays."""
    if not lmbda:
        return 0.0
    squares = sum(float(np.sum(p.astype(np.float64) ** 2)) for p, r in zip(model.params, model.regularised) if r)
    return 0.5 * (lmbda / n) * squares


EVAL_CHUNK = 10_000  # examples fed forward at once when evaluating (bounds the memory used)
EVAL_NUMBERS = 1 << 22  # ...and fewer for wide layers: at most this many activations of a layer at once
MAX_HELD = 1 << 24  # numbers a layer may hold for one example (64 MB in float32)


def rows_at_once(widest: int) -> int:
    """How many examples to feed forward at once when evaluating, for a model whose
    widest layer has ``widest`` numbers per example."""
    return max(1, min(EVAL_CHUNK, EVAL_NUMBERS // max(widest, 1)))


def _rows_at_once(model: Sequential) -> int:
    return rows_at_once(_widest(model.layers, model.input_shape))


def _widest(layers, input_shape) -> int:
    """The most numbers any layer holds at once per example (its output, or a Conv2D's im2col matrix)."""
    shape, widest = input_shape, math.prod(input_shape)
    for layer in layers:
        widest = max(widest, layer.numbers_held(shape))
        shape = layer.output_shape(shape)
    return widest


MAX_INPUTS = 1_000_000  # numbers in one example (a 1000 x 1000 picture)


def check_input_shape(input_shape) -> tuple[int, ...]:
    """The shape of one example: whole numbers >= 1 (e.g. (784,) or (1, 28, 28)), at most
    MAX_INPUTS numbers in all."""
    shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else input_shape
    if not isinstance(shape, tuple | list) or not shape or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in shape):
        raise ValueError(f"input_shape must be the shape of one example, whole numbers >= 1 such as (784,) or "
                         f"(1, 28, 28); got {input_shape!r}")
    shape = tuple(int(n) for n in shape)
    if math.prod(shape) > MAX_INPUTS:
        raise ValueError(f"input_shape {shape} makes {math.prod(shape):,} numbers per example, more than {MAX_INPUTS:,}")
    return shape


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)
