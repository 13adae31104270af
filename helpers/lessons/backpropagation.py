"""Backpropagation one step at a time, on a tiny network (notebook 06).

``backprop_steps(net, X, Y)`` runs the forward pass and the backward pass of a small
sigmoid network with the quadratic cost on a mini-batch, one equation at a time, and
records every intermediate matrix: Z and A for each layer, then the errors E (one row
delta per example; E rather than Delta, which means "a change of") and the gradients.
The notebook prints the record and its widget steps through it.

Every number comes from the network's own weights and biases and from
``helpers.activations``; the gradients at the end of the record are the ones
``Network.backprop`` returns (``tests/test_backpropagation.py`` checks this on several
networks), so the record cannot drift away from the code that trains the network.

The matrices have one row per example, as in ``helpers.network``:

    Z^l = A^(l-1) (w^l)^T + b^l          A^l = sigma(Z^l)                   (forward)
    E^L = (A^L - Y) * sigma'(Z^L)                                          (BP1)
    E^l = (E^(l+1) w^(l+1)) * sigma'(Z^l)                                  (BP2)
    dC/db^l = mean of the rows of E^l                                      (BP3)
    dC/dw^l = (E^l)^T A^(l-1) / m                                          (BP4)

Layers are numbered from 0 (the input) to L (the output); w^l and b^l are the weights
and biases *into* layer l, so w^l is ``net.weights[l - 1]``. The weights keep their
lowercase name in the batch formulas: it is the same matrix for one example and for a
batch. Examples are counted from 0, like the rows of X.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import matplotlib.patches as mpatches
import numpy as np
from matplotlib.lines import Line2D

from helpers.activations import sigmoid, sigmoid_prime
from helpers.plots import PALETTE
from helpers.validation import check_X, check_Y

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(n: int) -> str:
    """``n`` as a superscript, for layer numbers in plain text: sup(2) == '²'."""
    return str(n).translate(_SUPERSCRIPTS)


@dataclass(frozen=True)
class Step:
    """One step of the forward or backward pass, with the values it produced.

    ``phase`` is "input", "forward", "cost", "output error" (BP1), "backward" (BP2) or
    "gradients" (BP3 and BP4); ``layer`` is the layer l the step is about; ``title``
    says what happens in words; ``equation`` is the equation in LaTeX and ``text`` the
    same in plain text; ``values`` maps names such as "Z¹", "E²" or "∂C/∂w²" to the matrices
    (one row per example) or numbers computed; ``number`` counts from 1 to ``total``.
    """

    phase: str
    layer: int
    title: str
    equation: str
    text: str
    values: dict = field(default_factory=dict)
    number: int = 0
    total: int = 0


def _check_net(net) -> None:
    if net.activation.name != "sigmoid" or net.output.name != "sigmoid" or net.cost_function.name != "quadratic":
        raise ValueError(
            "backprop_steps follows notebook 06: sigmoid neurons and the quadratic cost; got "
            f"activation={net.activation.name!r}, output={net.output.name!r}, cost={net.cost_function.name!r}"
        )


def backprop_steps(net, X, Y) -> list[Step]:
    """The forward and backward pass of ``net`` on the mini-batch ``X`` (one example per
    row) with wanted outputs ``Y`` (one-hot rows), as a list of :class:`Step`.

    Order: the input; the forward pass layer by layer (Z, A); the cost; the output error
    E^L (BP1) and the gradients of the last layer (BP3, BP4); then for each earlier
    layer, its error E^l (BP2) and its gradients. Computed in the network's dtype.
    """
    _check_net(net)
    X = check_X(X, net.sizes[0], net.dtype)
    Y = check_Y(Y, len(X), net.sizes[-1], net.dtype)
    m, L = len(X), len(net.weights)
    steps = [Step("input", 0, "The input: one row per example", r"A^{0} = X", "A⁰ = X", {"A⁰": X, "Y": Y})]

    # Forward pass: keep every Z^l and A^l, the backward pass needs them.
    Z, A = [None], [X]
    for l in range(1, L + 1):
        w, b = net.weights[l - 1], net.biases[l - 1]
        z = A[-1] @ w.T + b
        a = sigmoid(z)
        Z.append(z)
        A.append(a)
        kind = "output" if l == L else "hidden"
        steps.append(
            Step(
                "forward",
                l,
                f"Forward pass: layer {l} ({kind})",
                rf"Z^{{{l}}} = A^{{{l - 1}}} (w^{{{l}}})^\mathsf{{T}} + b^{{{l}}}, \qquad A^{{{l}}} = \sigma(Z^{{{l}}})",
                f"Z{sup(l)} = A{sup(l - 1)} (w{sup(l)})ᵀ + b{sup(l)},   A{sup(l)} = σ(Z{sup(l)})",
                {f"Z{sup(l)}": z, f"A{sup(l)}": a},
            )
        )

    per_example = 0.5 * ((A[L] - Y) ** 2).sum(axis=1)
    steps.append(
        Step(
            "cost",
            L,
            "The cost: the outputs compared with Y",
            rf"C = \frac{{1}}{{m}} \sum_{{x}} \tfrac{{1}}{{2}} \lVert a^{{{L}}} - y \rVert^2",
            f"C = (1/m) Σₓ ½ ‖a{sup(L)} − y‖²",
            {"½‖a − y‖² for each example": per_example, "C": float(per_example.mean())},
        )
    )

    def gradient_step(l: int, E: np.ndarray) -> Step:
        nabla_b = E.mean(axis=0)  # (BP3), averaged over the mini-batch
        nabla_w = E.T @ A[l - 1] / m  # (BP4), summed by the matrix product, then / m
        return Step(
            "gradients",
            l,
            f"Gradients of layer {l}, read off its error",
            rf"\frac{{\partial C}}{{\partial b^{{{l}}}}} = \text{{mean of the rows of }} E^{{{l}}}, \qquad "
            rf"\frac{{\partial C}}{{\partial w^{{{l}}}}} = (E^{{{l}}})^\mathsf{{T}} A^{{{l - 1}}} / m "
            rf"\qquad \text{{(BP3, BP4)}}",
            f"∂C/∂b{sup(l)} = mean of the rows of E{sup(l)},   ∂C/∂w{sup(l)} = (E{sup(l)})ᵀ A{sup(l - 1)} / m   (BP3, BP4)",
            {f"∂C/∂b{sup(l)}": nabla_b, f"∂C/∂w{sup(l)}": nabla_w},
        )

    # Backward pass: (BP1) the output error, then (BP2) back one layer at a time.
    grad_a = A[L] - Y  # dC/da for the quadratic cost, one row per example
    sp = sigmoid_prime(Z[L])
    E = grad_a * sp
    steps.append(
        Step(
            "output error",
            L,
            f"Backward pass: the output error E{sup(L)}",
            rf"E^{{{L}}} = (A^{{{L}}} - Y) \odot \sigma'(Z^{{{L}}}) \qquad \text{{(BP1)}}",
            f"E{sup(L)} = (A{sup(L)} − Y) ⊙ σ′(Z{sup(L)})   (BP1)",
            {f"A{sup(L)} − Y": grad_a, f"σ′(Z{sup(L)})": sp, f"E{sup(L)}": E},
        )
    )
    steps.append(gradient_step(L, E))
    for l in range(L - 1, 0, -1):
        back = E @ net.weights[l]  # E^(l+1) w^(l+1): the errors sent back along the weights
        sp = sigmoid_prime(Z[l])
        E = back * sp
        steps.append(
            Step(
                "backward",
                l,
                f"Backward pass: the error E{sup(l)} of layer {l}",
                rf"E^{{{l}}} = (E^{{{l + 1}}} w^{{{l + 1}}}) \odot \sigma'(Z^{{{l}}}) \qquad \text{{(BP2)}}",
                f"E{sup(l)} = (E{sup(l + 1)} w{sup(l + 1)}) ⊙ σ′(Z{sup(l)})   (BP2)",
                {f"E{sup(l + 1)} w{sup(l + 1)}": back, f"σ′(Z{sup(l)})": sp, f"E{sup(l)}": E},
            )
        )
        steps.append(gradient_step(l, E))
    return [replace(step, number=i, total=len(steps)) for i, step in enumerate(steps, start=1)]


def gradients_from_steps(steps: list[Step]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``(dC_dw, dC_db)`` from a record, ordered like ``net.weights`` and ``net.biases``
    (so it can be compared with ``net.backprop(X, Y)``)."""
    found = {s.layer: s.values for s in steps if s.phase == "gradients"}
    layers = sorted(found)
    return [found[l][f"∂C/∂w{sup(l)}"] for l in layers], [found[l][f"∂C/∂b{sup(l)}"] for l in layers]


def errors_from_steps(steps: list[Step]) -> dict[int, np.ndarray]:
    """The error matrix E^l of every layer l = 1..L, from a record."""
    return {s.layer: s.values[f"E{sup(s.layer)}"] for s in steps if s.phase in ("output error", "backward")}


def _matrix_text(value, decimals: int) -> str:
    if np.ndim(value) == 0:
        return f"{float(value):.{decimals}f}"
    # + 0.0 turns -0.0 into 0.0, so a tiny negative number does not print as "-0.0000"
    rounded = np.round(np.asarray(value, dtype=np.float64), decimals) + 0.0
    return np.array2string(rounded, precision=decimals, floatmode="fixed", separator=" ", suppress_small=False)


def format_step(step: Step, decimals: int = 4) -> str:
    """A step as plain text: its title, its equation, and its values rounded to
    ``decimals`` places (matrices have one row per example)."""
    lines = [f"Step {step.number} of {step.total} · {step.title}", f"    {step.text}"]
    for name, value in step.values.items():
        text = _matrix_text(value, decimals)
        if np.ndim(value) == 0:
            lines.append(f"  {name} = {text}")
            continue
        lines.append(f"  {name}, shape {np.shape(value)}:")
        lines.extend("      " + row for row in text.splitlines())
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# A picture of the tiny network at one step

FORWARD_STYLE = dict(color=PALETTE["blue"], linestyle="-")
BACKWARD_STYLE = dict(color=PALETTE["vermillion"], linestyle="--")
GRADIENT_STYLE = dict(color=PALETTE["green"], linestyle=":")
UNUSED_STYLE = dict(color="#BBBBBB", linestyle="-")
STYLE_LABELS = {
    "forward": (FORWARD_STYLE, "weights used going forward"),
    "backward": (BACKWARD_STYLE, "weights used going backward (BP2)"),
    "gradients": (GRADIENT_STYLE, "weights whose gradient is computed"),
}
MAX_DRAWN = 6  # neurons per layer that fit in the picture

# Geometry, in data units. Each neuron is a circle (its number j) with a card to its
# right for its values; weights run from the right end of a card to the left edge of a
# circle, so no value ever sits on a line.
NODE_R = 0.28  # radius of a neuron's circle
CARD_W = 1.62  # from a circle's centre to the right end of its card
CARD_H = 0.74  # height of a card (two lines of values)
GAP_X = 3.5  # from one layer to the next
INCH_PER_UNIT = 0.8  # the scale draw_step gives its figure: the text fits the cards


def node_labels(steps: list[Step], upto: int, example: int = 0) -> dict[tuple[int, int], list[str]]:
    """What the picture writes beside neuron j of layer l after step ``upto`` (counted
    from 1), for one example (counted from 0, like the rows of X): its activation once
    the forward pass has reached it, and its error δ once the backward pass has. Keys
    are (l, j)."""
    labels: dict[tuple[int, int], list[str]] = {}
    for step in steps[:upto]:
        l = step.layer
        if step.phase == "input":
            for j, x in enumerate(step.values["A⁰"][example]):
                labels.setdefault((0, j), []).append(f"x = {x:.4f}")
        elif step.phase == "forward":
            for j, a in enumerate(step.values[f"A{sup(l)}"][example]):
                labels.setdefault((l, j), []).append(f"a = {a:.4f}")
        elif step.phase in ("output error", "backward"):
            for j, d in enumerate(step.values[f"E{sup(l)}"][example]):
                labels.setdefault((l, j), []).append(f"δ = {d + 0.0:.4f}")
    return labels


def weights_in_use(step: Step) -> int | None:
    """The layer l whose weights w^l a step uses (None for the input and the cost): the
    forward pass into layer l uses w^l, BP2 for layer l sends the error back along
    w^(l+1), and the gradients of layer l are those of w^l."""
    if step.phase in ("forward", "gradients"):
        return step.layer
    if step.phase == "backward":
        return step.layer + 1
    return None


def draw_step(fig, steps: list[Step], upto: int, example: int = 0):
    """Draw the network after step ``upto`` (from 1) on ``fig``: the values known so far for
    one example (from 0) in a card beside each neuron, the layer of this step outlined, and
    the weights in use highlighted (forward: solid blue; backward: dashed vermillion;
    gradients: dotted green). The legend, at the foot, lists only what the picture shows.
    The figure is sized to the network (``INCH_PER_UNIT``), so the text fits the cards:
    any figure will do, e.g. ``plt.figure()``. Returns ``fig``."""
    if not 1 <= upto <= len(steps):
        raise ValueError(f"upto must be a step number from 1 to {len(steps)}, got {upto}")
    sizes = [steps[0].values["A⁰"].shape[1]] + [
        s.values[f"A{sup(s.layer)}"].shape[1] for s in steps if s.phase == "forward"
    ]
    if max(sizes) > MAX_DRAWN:
        raise ValueError(f"the picture fits at most {MAX_DRAWN} neurons per layer, the network has {sizes}")
    n_examples = len(steps[0].values["A⁰"])
    if not 0 <= example < n_examples:
        raise ValueError(f"example must be from 0 to {n_examples - 1}, got {example}")
    step = steps[upto - 1]
    L = len(sizes) - 1
    x_lim = (-NODE_R - 0.3, L * GAP_X + CARD_W + 0.3)
    half_height = (max(sizes) - 1) / 2 + CARD_H / 2 + 0.15
    width, height = x_lim[1] - x_lim[0], 2 * half_height
    fig.set_size_inches(width * INCH_PER_UNIT + 0.4, height * INCH_PER_UNIT + 1.6)
    bottom = 1.2 / fig.get_figheight()
    ax = fig.add_axes((0.2 / fig.get_figwidth(), bottom, width * INCH_PER_UNIT / fig.get_figwidth(),
                       height * INCH_PER_UNIT / fig.get_figheight()))

    def y_of(l, j):
        return (sizes[l] - 1) / 2 - j

    used = weights_in_use(step)
    style = STYLE_LABELS[step.phase][0] if used is not None else None
    drawn_unused = False
    for l in range(1, L + 1):
        for j in range(sizes[l]):
            for k in range(sizes[l - 1]):
                xs = [(l - 1) * GAP_X + CARD_W, l * GAP_X - NODE_R]
                ys = [y_of(l - 1, k), y_of(l, j)]
                if l == used:
                    ax.plot(xs, ys, lw=2.2, zorder=1, **style)
                else:
                    ax.plot(xs, ys, lw=0.8, zorder=0, **UNUSED_STYLE)
                    drawn_unused = True

    labels = node_labels(steps, upto, example)
    current = step.layer if step.phase in ("input", "forward", "output error", "backward") else None
    for l in range(L + 1):
        for j in range(sizes[l]):
            x, y = l * GAP_X, y_of(l, j)
            known = (l, j) in labels
            here = l == current
            edge = PALETTE["black"] if here else "#777777"
            ax.add_patch(
                mpatches.FancyBboxPatch((x, y - CARD_H / 2), CARD_W, CARD_H, boxstyle="round,pad=0,rounding_size=0.12",
                                        facecolor="white", edgecolor=edge, lw=2 if here else 0.8, zorder=2)
            )
            ax.add_patch(
                mpatches.Circle((x, y), NODE_R, facecolor=PALETTE["sky"] if known else "white", edgecolor=edge,
                                lw=3 if here else 1, zorder=3)
            )
            ax.text(x, y, str(j), ha="center", va="center", fontsize=9, zorder=4)
            if known:
                ax.text(x + NODE_R + 0.1, y, "\n".join(labels[(l, j)]), ha="left", va="center", fontsize=9,
                        family="monospace", zorder=4)

    names = ["input"] + ["hidden"] * (L - 1) + ["output"]
    ax.set_xticks([l * GAP_X + CARD_W / 2 - NODE_R / 2 for l in range(L + 1)],
                  [f"layer {l}\n({names[l]})" for l in range(L + 1)])
    ax.tick_params(axis="x", length=0)
    ax.set_yticks([])
    ax.set_xlim(*x_lim)
    ax.set_ylim(-half_height, half_height)
    ax.set_aspect("equal")
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(f"neuron numbers j in the circles; values for example {example} (row {example} of X)")
    direction = {"input": "", "forward": " →", "cost": "", "output error": " ←", "backward": " ←", "gradients": ""}
    ax.set_title(f"Step {step.number} of {step.total}: {step.title}{direction[step.phase]}", fontsize=10)

    # The legend shows only what is in the picture.
    handles = []
    if used is not None:
        line_style, text = STYLE_LABELS[step.phase]
        handles.append(Line2D([], [], lw=2.2, **line_style, label=text))
    if drawn_unused:
        handles.append(Line2D([], [], lw=0.8, **UNUSED_STYLE, label="weights not used in this step"))
    if labels:
        handles.append(Line2D([], [], ls="", marker="o", ms=11, mfc=PALETTE["sky"], mec="#777777",
                              label="neuron with known values"))
    if any((l, j) not in labels for l in range(L + 1) for j in range(sizes[l])):
        handles.append(Line2D([], [], ls="", marker="o", ms=11, mfc="white", mec="#777777",
                              label="neuron not reached yet"))
    if current is not None:
        handles.append(Line2D([], [], ls="", marker="o", ms=11, mfc="white", mec=PALETTE["black"], mew=3,
                              label="the layer of this step"))
    # below the axis labels, at the foot of the figure
    fig.legend(handles=handles, ncol=min(3, len(handles)), fontsize=8, frameon=False, loc="lower center",
               bbox_to_anchor=(0.5, 0.0))
    return fig
