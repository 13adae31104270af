"""Self-checks for the exercises of notebook 07, "Training the 784-100-10 network"."""

from __future__ import annotations

import numpy as np

from helpers.activations import sigmoid, sigmoid_prime
from helpers.checks import (ExerciseFailed, ExerciseNotDone, Hint, call_learner, check_function,  # noqa: F401
                            explain_slip, hint_text, kind_of, kindly_all, recipe, solution, same)
from helpers.lessons import training_the_network as lesson
from helpers.source import code_names, is_stub
from helpers.network import Network
from helpers.validation import check_X, check_Y


class _Net(Network):
    """A Network that describes itself by its sizes in feedback messages."""

    def __repr__(self) -> str:
        return f"a {'-'.join(map(str, self.sizes))} network"


def _backprop_cases() -> list[dict]:
    """Random float64 networks and mini-batches: one, two and three hidden layers."""
    rng = np.random.default_rng(7)
    cases = []
    for sizes, m in (([3, 4, 2], 5), ([6, 5, 4, 3], 4), ([784, 30, 10], 3), ([5, 4, 4, 3, 2], 2)):
        net = _Net(sizes, dtype=np.float64, rng=rng)
        X = rng.random((m, sizes[0]))
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
        cases.append({"net": net, "X": X, "Y": Y})
    return cases


def _course_backprop(net, X, Y):
    """The course's backprop, on checked inputs (it is the bare maths)."""
    X, Y = check_X(X, net.sizes[0], net.dtype), check_Y(Y, len(X), net.sizes[-1], net.dtype)
    return net.backprop(X, Y)


def _forward(net, X):
    Z, A = [None], [X]
    for w, b in zip(net.weights, net.biases):
        Z.append(A[-1] @ w.T + b)
        A.append(sigmoid(Z[-1]))
    return Z, A


def _summed(net, X, Y):
    """The slip of forgetting to divide by m: sums over the batch instead of means."""
    nabla_w, nabla_b = net.backprop(X, Y)
    return [g * len(X) for g in nabla_w], [g * len(X) for g in nabla_b]


def _no_slope_in_bp2(net, X, Y):
    """The slip of forgetting sigma'(Z) in BP2."""
    Z, A = _forward(net, X)
    L = len(net.weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    E = (A[L] - Y) * sigmoid_prime(Z[L])
    for l in range(L, 0, -1):
        nabla_w[l - 1], nabla_b[l - 1] = E.T @ A[l - 1] / len(X), E.mean(axis=0)
        if l > 1:
            E = E @ net.weights[l - 1]
    return nabla_w, nabla_b


def _bp1_without_slope(net, X, Y):
    """The slip of BP1 without sigma'(Z^L): E^L = A^L - Y (the error of another cost)."""
    return _backprop_variant(net, X, Y, bp1=lambda Z, A, Y: A - Y)


def _slope_of_a(net, X, Y):
    """The slip of sigmoid_prime(A) for sigmoid_prime(Z), in BP1 and BP2."""
    return _backprop_variant(net, X, Y, bp1=lambda Z, A, Y: (A - Y) * sigmoid_prime(A), slope_of_a=True)


def _bias_sums(net, X, Y):
    """The slip of E.sum(axis=0) for E.mean(axis=0) in BP3 only."""
    nabla_w, nabla_b = net.backprop(X, Y)
    return nabla_w, [g * len(X) for g in nabla_b]


def _layers_reversed(net, X, Y):
    """The slip of filling the lists from the output layer: nabla_w[0] holds layer L's gradient."""
    nabla_w, nabla_b = net.backprop(X, Y)
    return nabla_w[::-1], nabla_b[::-1]


def _backprop_variant(net, X, Y, bp1, slope_of_a=False):
    Z, A = _forward(net, X)
    L = len(net.weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    E = bp1(Z[L], A[L], Y)
    for l in range(L, 0, -1):
        nabla_w[l - 1], nabla_b[l - 1] = E.T @ A[l - 1] / len(X), E.mean(axis=0)
        if l > 1:
            E = (E @ net.weights[l - 1]) * sigmoid_prime(A[l - 1] if slope_of_a else Z[l - 1])
    return nabla_w, nabla_b


MY_BACKPROP_HINT = Hint(
    "my_backprop",
    "write notebook 06's steps one after the other: a forward pass that keeps every Z[l] and A[l]; BP1 for "
    "the output layer's E; then, from l = L down to 1, BP4 and BP3 for layer l's gradients, and BP2 to move "
    "E back to layer l - 1 (while l > 1).",
    "forward pass keeping Z[l] and A[l] (Z[0] unused, A[0] = X); E = (A[L] - Y) * "
    "sigmoid_prime(Z[L]); then for l = L, ..., 1: nabla_w[l - 1] = E.T @ A[l - 1] / m, "
    "nabla_b[l - 1] = E.mean(axis=0), and, while l > 1, E = (E @ net.weights[l - 1]) "
    "* sigmoid_prime(Z[l - 1]).",
    step='look at the equation that is wrong in the message. BP1: E = (A[L] - Y) * sigmoid_prime(Z[L]); BP2: E'
         " = (E @ net.weights[l - 1]) * sigmoid_prime(Z[l - 1]); BP3 and BP4: the mean of E's rows, and E.T @ "
         'A[l - 1] / m. The loop runs l = L, L - 1, ..., 1.',
)

SHAPES_DO_NOT_FIT = (
    "two arrays whose shapes do not fit were multiplied. Check each line against its shapes (m examples, "
    "n_l neurons in layer l): Z[l] = A[l - 1] @ w.T + b is (m, n_l); E has the shape of Z[l]; BP4's "
    "E.T @ A[l - 1] is (n_l, n_(l-1)), the shape of w; BP2 is (E @ net.weights[l - 1]) * "
    "sigmoid_prime(Z[l - 1]): w^l itself (no .T), and the Z of layer l - 1, not of layer l."
)



def _shown_backprop(case: dict) -> str:
    """The call's inputs in one short line: the arrays by their shapes, not their values."""
    return f"net={case['net']!r}, X=an array of shape {case['X'].shape}, Y=one-hot rows of shape {case['Y'].shape}"


def _first_difference(got, expected) -> str | None:
    """Where two arrays differ, in one line: a shape, or the first differing entry."""
    got = np.asarray(got, dtype=float)
    if got.shape != expected.shape:
        flipped = got.ndim == 2 and got.shape == expected.shape[::-1]
        return (f"has shape {got.shape}, expected {expected.shape}"
                + (" (the transpose: BP4 is E.T @ A[l - 1], one row per neuron of layer l)" if flipped else ""))
    close = np.isclose(got, expected, atol=1e-10, rtol=1e-7)
    if close.all():
        return None
    where = tuple(int(i) for i in np.argwhere(~close)[0])
    return (f"{int((~close).sum())} of its {close.size} values differ; at {list(where)} expected "
            f"{expected[where]:.6g}, got {got[where]:.6g}")


def _diagnose(got, expected) -> str | None:
    """Which part of the answer is wrong first, and where in the algorithm to look."""
    nabla_w, nabla_b = got
    L = len(expected[0])
    for name, arrays, like in (("nabla_w", nabla_w, expected[0]), ("nabla_b", nabla_b, expected[1])):
        if isinstance(arrays, np.ndarray):
            return (f"{name} is one array of shape {arrays.shape}, not a list of {L} arrays (one per layer): "
                    "return the pair `nabla_w, nabla_b`, each a list with one array per layer")
        if not isinstance(arrays, tuple | list) or len(arrays) != L:
            return (f"{name} should be a list of {L} arrays, one per layer 1 to {L}, "
                    f"got {'a list of ' + str(len(arrays)) if isinstance(arrays, tuple | list) else type(arrays).__name__}")
    # From the output layer back, as backprop computes them: the first wrong layer says where to look.
    for l in range(L, 0, -1):
        for name, arrays, like in (("nabla_w", nabla_w, expected[0]), ("nabla_b", nabla_b, expected[1])):
            why = _first_difference(arrays[l - 1], like[l - 1])
            if why is None:
                continue
            where = f"{name}[{l - 1}] (layer {l}{', the output layer' if l == L else ''}) {why}"
            if "shape" in why:
                return where + "."
            if l == L and name == "nabla_w" and _first_difference(nabla_b[L - 1], expected[1][L - 1]) is None:
                return where + ", while nabla_b there is right: look at BP4, E.T @ A[l - 1] / m."
            if l == L:
                return where + ": the output layer is already wrong, so look at the forward pass and BP1."
            if name == "nabla_w" and _first_difference(nabla_b[l - 1], expected[1][l - 1]) is None:
                return where + ", while nabla_b there is right: look at BP4, E.T @ A[l - 1] / m."
            return (where + f", while every layer after it is right: look at BP2, the step that moves E "
                    f"from layer {l + 1} back to layer {l}.")
    return None


PIECES_FROM_06 = ("output_error", "backpropagate_error", "layer_gradients")  # the learner's in notebook 06


def my_backprop(learner) -> None:
    """Exercise 1: ``my_backprop(net, X, Y)`` returns ``(nabla_w, nabla_b)``, equal to
    ``net.backprop(X, Y)`` on networks with one, two and three hidden layers.

    A wrong answer is reported layer by layer, from the output layer back, with the
    equation to look at; the arrays are described by their shapes, not printed whole."""
    name = "my_backprop"
    used = code_names(learner) if callable(learner) else []
    if asked := [n for n in ("backprop", "gradients", "grads") if n in used]:
        raise ExerciseFailed(
            f"`{name}` asks the network for its gradients (`net.{asked[0]}`): that is the course's backprop, "
            "not yours, so training with it below would not run a line of your own.\nHint: compute the gradients in `my_backprop` itself: the forward pass keeping Z and A, "
            "then BP1, and BP2 to BP4 for each layer going back.")
    missing = [n for n in PIECES_FROM_06 if n in used and n not in getattr(learner, "__globals__", {})]
    if missing and not is_stub(learner):
        listed = ", ".join(f"`{n}`" for n in missing)
        raise ExerciseFailed(
            f"`{name}` calls {listed} from notebook 06, which this notebook does not have: they were your "
            "functions there.\nHint: paste their `def`s into this cell above `my_backprop`, or write their "
            "one line each in its place (BP1: `(A[L] - Y) * sigmoid_prime(Z[L])`; BP2: "
            "`(E @ net.weights[l - 1]) * sigmoid_prime(Z[l - 1])`; BP3 and BP4: `E.mean(axis=0)` and "
            "`E.T @ A[l - 1] / m`).")
    cases = _backprop_cases()
    slips = [
        (lambda net, X, Y: net.backprop(X, Y)[::-1],
         "the right numbers, but as (nabla_b, nabla_w): the course returns nabla_w first (Nielsen's code "
         "does it the other way round)."),
        (_layers_reversed,
         "the right gradients, in the wrong places: nabla_w[0] must be layer 1's (the first hidden layer, "
         "shaped like net.weights[0]) and nabla_w[L - 1] the output layer's. Fill the lists by index, "
         "`nabla_w[l - 1] = ...`, rather than appending while you go backwards from the output."),
        (_summed, "every gradient is m times too large: the gradients are means over the mini-batch, so "
         "divide by m = len(X) (in layer_gradients: `E.T @ A_prev / m` and `E.mean(axis=0)`)."),
        (_bias_sums, "the weights' gradients are right, the biases' are m times too large: BP3 is the mean of "
         "E's rows, `E.mean(axis=0)`, not their sum."),
        (_no_slope_in_bp2, "the output layer's gradients are right, the earlier layers' are not: BP2 "
         "multiplies by σ'(Z^(l-1)) after `E @ w`, i.e. `(E @ net.weights[l - 1]) * sigmoid_prime(Z[l - 1])`."),
        (_bp1_without_slope, "BP1 is missing its σ'(Z^L): for the quadratic cost the output error is "
         "E = (A[L] - Y) * sigmoid_prime(Z[L]). (A[L] - Y alone is the output error of another cost, which "
         "notebook 08 meets.)"),
        (_slope_of_a, "sigmoid_prime was given the activations A instead of the weighted inputs Z: σ'(z) is "
         "the slope at z, so write sigmoid_prime(Z[L]) in BP1 and sigmoid_prime(Z[l - 1]) in BP2. (The same "
         "slope from A would be A * (1 - A).)"),
    ]
    one_hidden_layer_right = False
    for case in cases:
        shown = _shown_backprop(case)
        expected = _course_backprop(**case)
        try:
            got = call_learner(learner, dict(case), name=name, shown=shown, hint=MY_BACKPROP_HINT,
                               error_hints={ValueError: SHAPES_DO_NOT_FIT}, reference=_course_backprop)
        except ExerciseFailed as failed:
            if one_hidden_layer_right and len(case["net"].sizes) > 3 and not isinstance(failed, ExerciseNotDone):
                raise ExerciseFailed(
                    f"`{name}` is right for a network with one hidden layer, but stops on {case['net']!r}: "
                    "it must work for any number of layers (the check tries one, two and three hidden "
                    "layers).\nHint: keep Z and A in lists during the forward pass, and go back with a loop, "
                    "`for l in range(L, 0, -1):`, instead of writing out layers 2 and 1.") from None
            raise
        if len(case["net"].sizes) == 3 and _diagnose(got, expected) is None:
            one_hidden_layer_right = True
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise ExerciseFailed(f"`{name}({shown})` returned {kind_of(got)}; expected a pair "
                                 "(nabla_w, nabla_b): end with `return nabla_w, nabla_b`.")
        why = _diagnose(got, expected)
        if why is None:
            continue
        slip = explain_slip(got, slips, case, name=name, shown=shown, said="`{call}`: ",
                            atol=1e-10, rtol=1e-7)
        if slip is None:
            slip = f"`{name}({shown})`: {why}\nHint: {hint_text(MY_BACKPROP_HINT)}"
        raise ExerciseFailed(slip)
    # Every case is right: the shared check confirms it and prints the praise (and declares the
    # slips where tools/common_mistakes.py finds them for INSTRUCTORS.md).
    check_function(learner, _course_backprop, cases, name=name, parts=("nabla_w", "nabla_b"), slips=slips,
                   hint=MY_BACKPROP_HINT, atol=1e-10, rtol=1e-7)


def _confusion_cases() -> list[dict]:
    rng = np.random.default_rng(3)
    cases = [{"C": np.array([[8, 2], [1, 9]])}, {"C": np.array([[5, 0, 0], [3, 1, 0], [0, 6, 4]])}]
    C = rng.integers(0, 30, (10, 10))
    C[np.arange(10), np.arange(10)] += rng.integers(800, 1100, 10)
    cases.append({"C": C})
    return cases


PER_DIGIT_HINT = Hint(
    "per_digit_accuracy",
    "which squares hold all the images of digit i, a row or a column? And which one square among them "
    "holds the right answers? The check also tries small matrices (2 x 2, 3 x 3), so do not count on ten digits.",
    "the right answers for digit i are on the diagonal, C[i, i] (`C.diagonal()`), and all the images of "
    "digit i are in row i (`C.sum(axis=1)`): return C.diagonal() / C.sum(axis=1).",
    step='row i of C counts every image whose label is i, and C[i, i] the ones read as i: the accuracy for '
         'digit i is C[i, i] divided by the sum of row i.',
)


def per_digit_accuracy(learner) -> None:
    """Exercise 2: ``per_digit_accuracy(C)``: for each true digit i, C[i, i] / (the sum of row i)."""
    check_function(
        learner,
        lesson.per_digit_accuracy,
        _confusion_cases(),
        name="per_digit_accuracy",
        slips=[
            (lambda C: C.diagonal() / C.sum(axis=0),
             "you divided by the column sums. A column holds every image the network *called* i; the "
             "question is about the images that *are* i, which is row i: divide by `C.sum(axis=1)`."),
            (lambda C: C.diagonal(), "these are the counts of right answers; divide each by how many "
             "images of that digit there are (the sum of its row)."),
            (lambda C: np.trace(C) / C.sum(), "that is the overall accuracy, one number; the exercise "
             "asks for ten, one per digit."),
            (lambda C: C.diagonal() // C.sum(axis=1),
             "every answer was rounded down to a whole number: `//` is whole-number division. Use `/`."),
            (lambda C: 100 * C.diagonal() / C.sum(axis=1),
             "these are percentages; the exercise asks for fractions between 0 and 1 (no `100 *`)."),
            (lambda C: C.diagonal() / C.sum(),
             "you divided by the number of *all* images, C.sum(); divide each digit's right answers by "
             "the number of images of that digit, its row sum `C.sum(axis=1)`."),
        ],
        hint=PER_DIGIT_HINT,
    )


def _mistake_cases() -> list[dict]:
    rng = np.random.default_rng(5)
    # Image 0 is read right, so that the images' indices (2, 3, 4, 5 are wrong) differ from
    # positions in the list of mistakes (0, 1, 2, 3): the slips then give different answers.
    outputs = np.array([[0.1, 0.8, 0.1], [0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.3, 0.8], [0.6, 0.3, 0.2],
                        [0.1, 0.95, 0.2]])
    labels = np.array([1, 0, 0, 1, 2, 2])
    cases = [{"outputs": outputs, "labels": labels, "k": 2}, {"outputs": outputs, "labels": labels, "k": 10}]
    big = rng.random((200, 10))
    cases.append({"outputs": big, "labels": rng.integers(0, 10, 200), "k": 12})
    return cases


CONFIDENT_MISTAKES_HINT = Hint(
    "confident_mistakes",
    "three steps: the network's answers (the largest output of each row), the indices of the images "
    "whose answer is wrong, and how sure each of those was (its winning output). Then sort those "
    "indices, surest first, and keep k of them.",
    "answers = outputs.argmax(axis=1); wrong = np.flatnonzero(answers != labels); the confidence of "
    "each is outputs[wrong, answers[wrong]]; sort the wrong ones by minus that and keep the first k: "
    "wrong[np.argsort(-confidence)[:k]].",
    step="the first two steps: answers = outputs.argmax(axis=1), and the wrong ones' indices, "
         'np.flatnonzero(answers != labels). Their confidence is their winning output, outputs[wrong, '
         'answers[wrong]].',
)


def _positions_in_wrong(outputs, labels, k):
    """The slip of returning positions in the list of mistakes, not the images' indices."""
    answers = outputs.argmax(axis=1)
    wrong = np.flatnonzero(answers != labels)
    return np.argsort(-outputs[wrong, answers[wrong]], kind="stable")[:k]


def _sure_of_the_label(outputs, labels, k):
    """The slip of measuring the sureness by the output for the true label."""
    answers = outputs.argmax(axis=1)
    wrong = np.flatnonzero(answers != labels)
    return wrong[np.argsort(-outputs[wrong, labels[wrong]], kind="stable")[:k]]


def _confidences(outputs, labels, k):
    """The slip of returning how sure the network was instead of which images."""
    answers = outputs.argmax(axis=1)
    wrong = np.flatnonzero(answers != labels)
    return np.sort(outputs[wrong, answers[wrong]])[::-1][:k]


def confident_mistakes(learner) -> None:
    """Exercise 3: ``confident_mistakes(outputs, labels, k)``: the indices of the k wrong
    answers with the largest winning output, surest first."""
    check_function(
        learner,
        lesson.confident_mistakes,
        _mistake_cases(),
        name="confident_mistakes",
        slips=[
            (_positions_in_wrong,
             "these are positions in your list of mistakes (0 = the first wrong image), not the images' "
             "own indices: np.argsort gives positions in the array it sorted. Look them up in `wrong`: "
             "`wrong[order[:k]]`."),
            (lambda outputs, labels, k: _order(outputs, labels, k, surest_first=False),
             "the right mistakes, but the least sure first: sort by minus the confidence "
             "(or reverse the sorted order) so that the surest comes first."),
            (lambda outputs, labels, k: np.argsort(-outputs.max(axis=1), kind="stable")[:k],
             "these are the surest answers, right or wrong: keep only the examples where "
             "`outputs.argmax(axis=1) != labels` before sorting."),
            (_sure_of_the_label,
             "these are sorted by the output for the *true* digit. How sure the network was of its (wrong) "
             "answer is its winning output, outputs[wrong, answers[wrong]]."),
            (_confidences,
             "these are how sure the network was, not which images: return the images' indices, "
             "sorted by that sureness."),
            (lambda outputs, labels, k: _order(outputs, labels, len(outputs), surest_first=True),
             "the right order, but every mistake: keep only the first k (`[:k]`)."),
        ],
        hint=CONFIDENT_MISTAKES_HINT,
    )


def _order(outputs, labels, k, surest_first):
    answers = outputs.argmax(axis=1)
    wrong = np.flatnonzero(answers != labels)
    confidence = outputs[wrong, answers[wrong]]
    order = np.argsort(-confidence if surest_first else confidence, kind="stable")
    return wrong[order[:k]]


kindly_all(globals())
