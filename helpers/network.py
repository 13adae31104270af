"""A feedforward neural network trained by stochastic gradient descent and backpropagation.

This follows Michael Nielsen's ``network.py`` (*Neural Networks and Deep Learning*,
chapters 1-3), with one change: everything works on a whole mini-batch at once. A
mini-batch is a matrix X with one example per *row*, so for each layer l = 1, ..., L
(layer 0 is the input)

    Z^l = A^(l-1) (w^l)^T + b^l        A^l = sigma(Z^l)

where ``w^l = weights[l - 1]`` has shape (n_l, n_(l-1)) as in the book (row j holds the
weights into neuron j; for the first layer it reshapes to a 28x28 picture) and
``b^l = biases[l - 1]`` has shape (n_l,). One matrix product per layer replaces the
book's loop over examples, and makes training many times faster. Gradients always
come as a pair ``(nabla_w, nabla_b)``, in that order, layer by layer like ``weights``
and ``biases``.

    >>> net = Network([784, 100, 10], seed=0)
    >>> net.n_params
    79510

A ``Network`` is a model of the training loop's protocol (``helpers.training``): the
loop trains it through ``params`` and ``grads``, which calls ``backprop``, the maths of
notebook 06. To train with your own backprop, give it to the network:
``Network(sizes, backprop=my_backprop)``. Input checks are in ``helpers.validation``,
saving and loading in ``helpers.saving``.
"""

from __future__ import annotations

import numpy as np

from helpers.activations import HIDDEN, OUTPUT, lookup
from helpers.costs import get_cost
from helpers.layers import l2_term, rows_at_once
from helpers.training import train
from helpers.validation import (check_backprop_answer, check_data, check_dtype, check_lmbda, check_parameters,
                                check_sizes, check_X, check_Y, make_rng)

INITS = ("normal", "scaled")


class Network:
    """A network of fully connected layers of sizes ``sizes``, e.g. [784, 100, 10].

    ``activation``: "sigmoid" or "relu" for the hidden layers.
    ``output``: "sigmoid", "softmax" or "linear" for the output layer.
    ``cost``: "quadratic" or "cross_entropy" (from the logits for softmax and linear
    outputs, as frameworks do).
    ``init``: "normal" draws every weight and bias from N(0, 1) (Nielsen, chapter 1);
    "scaled" draws weights from N(0, 1/n_in) (chapter 3), so that z does not start out
    huge and the sigmoid neurons are not saturated.
    ``dtype``: np.float32 (fast, the default) or np.float64 (for gradient checks).
    ``seed`` or ``rng``: where the random numbers come from, so runs can be repeated.
    ``lmbda``: the L2 regularisation parameter used by ``cost``, ``gradients`` and
    ``SGD`` unless they are given another one.
    ``weights`` and ``biases``: start from these (copied) instead of random ones.
    ``backprop``: a function ``backprop(net, X, Y) -> (nabla_w, nabla_b)`` that training
    uses instead of the network's own ``backprop`` (yours, from notebook 06).
    """

    kind = "network"

    def __init__(self, sizes, activation: str = "sigmoid", output: str = "sigmoid", cost: str = "quadratic",
                 init: str = "normal", dtype=np.float32, seed: int | None = None,
                 rng: np.random.Generator | None = None, lmbda: float = 0.0, weights=None, biases=None,
                 backprop=None):
        if backprop is not None and (not callable(backprop) or isinstance(backprop, type)):
            raise ValueError(f"backprop must be a function backprop(net, X, Y) -> (nabla_w, nabla_b), got {backprop!r}")
        self.backprop_fn = backprop
        self.answered = False  # whether backprop_fn has answered yet (its first answer is checked most)
        self.sizes = check_sizes(sizes)
        self.num_layers = len(self.sizes)
        self.activation = lookup("activation", activation, HIDDEN)
        self.output = lookup("output activation", output, OUTPUT)
        self.cost_function = get_cost(cost)
        self.init = lookup("init", init, {name: name for name in INITS})
        self.dtype = check_dtype(dtype)
        self.lmbda = check_lmbda(lmbda)
        self.rng = make_rng(seed, rng)
        if weights is not None or biases is not None:  # given (e.g. loaded from a file): no random draws
            given = [[] if arrays is None else arrays for arrays in (weights, biases)]
            self.weights, self.biases = check_parameters(*given, self.sizes, self.dtype)
            return
        # Biases first, then weights, as in Nielsen's code. Drawn in float64 and then
        # rounded, so a float32 and a float64 network with the same seed start alike.
        self.biases = [self.rng.standard_normal(n).astype(self.dtype) for n in self.sizes[1:]]
        scale = (lambda n_in: 1.0) if init == "normal" else (lambda n_in: 1 / np.sqrt(n_in))
        self.weights = [
            (self.rng.standard_normal((n_out, n_in)) * scale(n_in)).astype(self.dtype)
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])
        ]

    def __repr__(self) -> str:
        return (
            f"Network({self.sizes}, activation={self.activation.name!r}, output={self.output.name!r}, "
            f"cost={self.cost_function.name!r}, dtype={np.dtype(self.dtype).name})"
        )

    @property
    def n_params(self) -> int:
        """The number of weights and biases, counted from the arrays themselves."""
        return sum(w.size for w in self.weights) + sum(b.size for b in self.biases)

    # What the training loop needs to know (the model protocol, helpers.training)
    @property
    def input_shape(self) -> tuple[int]:
        return (self.sizes[0],)

    @property
    def n_out(self) -> int:
        return self.sizes[-1]

    @property
    def params(self) -> list[np.ndarray]:
        """Every weight matrix, then every bias vector: the arrays training changes in place."""
        return self.weights + self.biases

    @property
    def regularised(self) -> list[bool]:
        """L2 shrinks the weights, not the biases."""
        return [True] * len(self.weights) + [False] * len(self.biases)

    # ----------------------------------------------------------------- the forward pass
    def feedforward(self, X) -> np.ndarray:
        """Return the output A^L of the network for the inputs ``X`` (one example per row)."""
        return self.output.fn(self.output_z(check_X(X, self.sizes[0], self.dtype)))

    def output_z(self, A: np.ndarray) -> np.ndarray:
        """Z^L, the output layer's weighted input, for the inputs ``A`` = A^0 (one
        example per row; not checked). The costs need Z^L, not only A^L."""
        A = A.astype(self.dtype, copy=False)
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            A = self.activation.fn(A @ w.T + b)  # A^l = sigma(A^(l-1) (w^l)^T + b^l), one example per row
        return A @ self.weights[-1].T + self.biases[-1]

    # ----------------------------------------------------------------- backpropagation
    def backprop(self, X: np.ndarray, Y: np.ndarray):
        """Return ``(nabla_w, nabla_b)``, the gradient of the mean cost over the rows of
        ``X`` (targets ``Y``, one-hot rows), layer by layer like ``weights`` and ``biases``.
        The bare maths: no input checks (``gradients`` checks), no L2 term."""
        # Forward pass, keeping every Z^l and A^l. The lists are indexed by the layer l,
        # from 0 at the input (which has no Z: Z[0] is unused).
        L = self.num_layers - 1
        Z, A = [None], [X]
        for l in range(1, L + 1):
            Z.append(A[l - 1] @ self.weights[l - 1].T + self.biases[l - 1])
            A.append((self.output if l == L else self.activation).fn(Z[l]))
        nabla_w, nabla_b = [None] * L, [None] * L
        # (BP1) the output error E^L: the errors delta^L of the examples, one row each (E, not
        # Delta, which means "a change of"). Dividing it by the batch size m makes every sum
        # over the batch below a mean.
        E = self.cost_function.delta(Z[L], A[L], Y, self.output)
        E *= 1 / len(X)
        for l in range(L, 0, -1):
            # (BP3, BP4) dC/db^l = E^l and dC/dw^l = (E^l)^T A^(l-1), summed over the batch.
            nabla_b[l - 1] = E.sum(axis=0)
            nabla_w[l - 1] = E.T @ A[l - 1]
            if l > 1:
                # (BP2) move the error back one layer: E^(l-1) = (E^l w^l) * sigma'(Z^(l-1))
                # (the hidden activation's derivative: sigma' or ReLU')
                E = self.activation.backward(Z[l - 1], A[l - 1], E @ self.weights[l - 1])
        return nabla_w, nabla_b

    def grads(self, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
        """The training loop's gradient (unchecked inputs): ``backprop``'s, or the function
        given as ``backprop=``, as one list shaped like ``params``."""
        if self.backprop_fn is None:
            nabla_w, nabla_b = self.backprop(X, Y)
            return nabla_w + nabla_b
        first, self.answered = not self.answered, True
        nabla_w, nabla_b = check_backprop_answer(self, self.backprop_fn(self, X, Y), first)
        # fresh arrays in the network's dtype: the update rule changes gradients in place
        return [np.array(g, dtype=self.dtype) for g in nabla_w + nabla_b]

    # ----------------------------------------------------------------- cost and gradient
    def cost(self, X, Y, lmbda: float | None = None, n: int | None = None, one_hot: bool = True) -> float:
        """The mean cost over the rows of ``X`` plus the L2 term (lmbda / 2n) sum ||w||^2
        (Nielsen's ``total_cost``). ``lmbda`` defaults to ``self.lmbda``; ``n``, the size
        of the training set, to len(X). ``one_hot=False`` accepts any target rows ``Y``."""
        X = check_X(X, self.sizes[0], needs_rows="the cost of no examples is not defined")
        Y = check_Y(Y, len(X), self.sizes[-1], self.dtype, one_hot)
        lmbda, step = self.lmbda if lmbda is None else check_lmbda(lmbda), rows_at_once(max(self.sizes))
        total = 0.0
        for k in range(0, len(X), step):
            Z = self.output_z(X[k : k + step])
            total += float(self.cost_function.fn(Z, self.output.fn(Z), Y[k : k + step], self.output).sum())
        return total / len(X) + l2_term(self, lmbda, n or len(X))

    def gradients(self, X, Y, lmbda: float | None = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The exact gradient of ``cost(X, Y, lmbda)``: ``(nabla_w, nabla_b)``, shaped like
        ``weights`` and ``biases``. The L2 term adds (lmbda / n) w to each dC/dw."""
        X = check_X(X, self.sizes[0], self.dtype, needs_rows="the gradient of no examples is not defined")
        grads = self.grads(X, check_Y(Y, len(X), self.sizes[-1], self.dtype))
        nabla_w, nabla_b = grads[: len(self.weights)], grads[len(self.weights) :]
        lmbda = self.lmbda if lmbda is None else check_lmbda(lmbda)
        if lmbda:
            nabla_w = [nw + (lmbda / len(X)) * w for nw, w in zip(nabla_w, self.weights)]
        return nabla_w, nabla_b

    # ----------------------------------------------------------------- training
    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float, lmbda: float | None = None,
            test_data=None, rng: np.random.Generator | None = None, seed: int | None = None, **options) -> dict:
        """Train the network with mini-batch stochastic gradient descent; return the history.

        ``training_data`` is a pair (X, y) such as ``train`` from ``load_datasets``. In
        each epoch the examples are shuffled and cut into mini-batches of
        ``mini_batch_size``; each mini-batch moves every weight and bias one step down
        the gradient (``training.update_mini_batch``), with learning rate ``eta``. After each
        epoch the network is scored on ``test_data`` if given. ``lmbda`` (L2) defaults
        to the network's own; ``rng`` or ``seed`` to the network's own generator.

        The loop itself is ``helpers.training.train``: see it for the other options
        (validation data, schedules, Adam, augmentation, callbacks such as a progress bar...).
        """
        lmbda = self.lmbda if lmbda is None else lmbda
        rng = make_rng(seed, rng) if (seed is not None or rng is not None) else self.rng
        return train(self, training_data, epochs, mini_batch_size, eta, lmbda=lmbda, test_data=test_data,
                     rng=rng, **options)

    # ----------------------------------------------------------------- using the network
    def predict(self, X) -> np.ndarray:
        """The digit the network picks for each row of ``X``: the index of the largest output."""
        X, step = check_X(X, self.sizes[0]), rows_at_once(max(self.sizes))  # cast chunk by chunk in output_z
        # The output activations are increasing functions of z, so the largest z wins.
        return np.concatenate(
            [np.argmax(self.output_z(X[k : k + step]), axis=1) for k in range(0, len(X), step)]
            or [np.zeros(0, dtype=np.int64)]
        ).astype(np.int64)

    def evaluate(self, X, y) -> int:
        """The number of rows of ``X`` for which the network picks the right label ``y``
        (labels, or one-hot rows)."""
        X, Y = check_data((X, y), "(X, y)", self.sizes[0], self.sizes[-1], self.dtype)
        return int(np.sum(self.predict(X) == np.argmax(Y, axis=1)))

    def accuracy(self, X, y) -> float:
        """The fraction of rows of ``X`` classified correctly (between 0 and 1)."""
        X, Y = check_data((X, y), "(X, y)", self.sizes[0], self.sizes[-1], self.dtype)
        return float(np.mean(self.predict(X) == np.argmax(Y, axis=1))) if len(X) else float("nan")

    def copy(self, dtype=None) -> "Network":
        """An independent copy of the network, optionally converted to another dtype."""
        net = object.__new__(Network)
        net.__dict__.update(self.__dict__)
        net.dtype = check_dtype(dtype) if dtype is not None else self.dtype
        net.weights = [w.astype(net.dtype, copy=True) for w in self.weights]
        net.biases = [b.astype(net.dtype, copy=True) for b in self.biases]
        bit_generator = type(self.rng.bit_generator)()
        bit_generator.state = self.rng.bit_generator.state  # same stream, not the same object
        net.rng = np.random.Generator(bit_generator)
        return net
