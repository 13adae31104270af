"""A saved network taken out of the course: a web page that reads digits offline, and ONNX.

**The page** (``page_html``, ``save_page``): one HTML file, no server and no internet
needed, that opens from a USB stick in any browser. It has a canvas to draw on and a
button to choose a photo; it prepares the picture exactly as ``helpers.images.preprocess``
does (grey, ink, crop, fit into 20x20, centre of mass at (14, 14)), runs the network and
shows the digit, or says why it will not guess, with the ten outputs as bars. The
JavaScript is in ``helpers/page/`` (``digits.js``: the preprocessing and the forward pass,
``page.js``: the drawing and the buttons); the weights are written into the page as float32
numbers (base64), so the page of a 784-100-10 network is about 0.45 MB.

**ONNX** (``onnx_model``, ``save_onnx``): the Open Neural Network Exchange format, which
ONNX Runtime, PyTorch, TensorFlow, phones and browsers read. The model has one input,
"pixels": the 784 pixels of each 28x28 digit in [0, 1], ink 1 on a background of 0, as
``helpers.images.preprocess`` makes them (shape (N, 784), or (N, 1, 28, 28) for a model of
layers that takes images), in the model's dtype; and two outputs: "output", what the model
itself gives (``Network.feedforward``; a model of layers' logits), and "confidences", what
``python -m helpers predict`` shows (softmax of the logits; a sigmoid output layer's
activations as they are). Writing ONNX needs the ``onnx`` package (not needed by the
course itself: ``pip install onnx``); ``MissingPackage`` says so when it is not there.

Both refuse, with a ValueError in words, a model they cannot carry, and are written whole
or not at all (``helpers.files``).
"""

from __future__ import annotations

import base64
import json
from importlib import resources

import numpy as np

from helpers.files import writing
from helpers.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPool2D, Sequential
from helpers.network import Network

OPSET = 17  # ONNX operator set: Softmax over the last axis, Conv, MaxPool, Gemm; read by onnxruntime >= 1.13
IR_VERSION = 8  # the file format version that goes with opset 17 (readable by older runtimes too)
PAGE_MAX_PARAMS = 1_000_000  # a page of more weights (5 MB) would be slow to open: refused
PAGE_FILES = ("page.html", "page.css", "digits.js", "page.js")


class MissingPackage(ImportError):
    """An optional package that this export needs is not installed."""


def _check_model(model) -> None:
    if not isinstance(model, Network | Sequential):
        raise ValueError(f"expected a network (helpers.network.Network) or a model of layers "
                         f"(helpers.layers.Sequential), got {type(model).__name__}")


# ---------------------------------------------------------------------------------------
# The model as a list of steps, the same for the page and for ONNX
# ---------------------------------------------------------------------------------------


def steps(model) -> list[dict]:
    """The forward pass of ``model`` as plain steps, each a dict with "op" and its settings:
    "dense" (w, b), "conv" (w, b), "maxpool" (size), "flatten", "sigmoid", "relu", "softmax".
    The last step gives the model's own output; Dropout (which passes everything through
    when a model is used) and linear activations are left out."""
    _check_model(model)
    if isinstance(model, Network):
        out = []
        for l, (w, b) in enumerate(zip(model.weights, model.biases)):
            out.append({"op": "dense", "w": w, "b": b})
            name = model.activation.name if l < len(model.weights) - 1 else model.output.name
            if name != "linear":
                out.append({"op": name})
        return out
    out = []
    for layer in model.layers:
        if isinstance(layer, Dense):
            out.append({"op": "dense", "w": layer.w, "b": layer.b})
            if layer.activation.name != "linear":
                out.append({"op": layer.activation.name})
        elif isinstance(layer, Conv2D):
            out.append({"op": "conv", "w": layer.w, "b": layer.b})
        elif isinstance(layer, MaxPool2D):
            out.append({"op": "maxpool", "size": layer.size})
        elif isinstance(layer, Flatten):
            out.append({"op": "flatten"})
        elif isinstance(layer, Activation):
            if layer.activation.name != "linear":
                out.append({"op": layer.activation.name})
        elif isinstance(layer, Dropout):
            continue
        else:
            raise ValueError(f"a {type(layer).__name__} layer cannot be exported (expected Dense, Conv2D, MaxPool2D, "
                             f"Flatten, Activation or Dropout)")
    return out


def input_shape(model) -> tuple[int, ...]:
    """The shape of one example: (784,) for a network, the model's own for a model of layers."""
    return (model.sizes[0],) if isinstance(model, Network) else tuple(model.input_shape)


def softmax_on_top(model) -> bool:
    """Whether "confidences" are the softmax of the model's output (softmax and linear
    output layers, every model of layers) or the output itself (sigmoid, softmax)."""
    return isinstance(model, Sequential) or model.output.name == "linear"


# ---------------------------------------------------------------------------------------
# ONNX
# ---------------------------------------------------------------------------------------


def _onnx():
    try:
        import onnx
    except ImportError:
        raise MissingPackage("exporting to ONNX needs the onnx package, which is not installed: "
                             "pip install onnx (or pip install -r requirements-dev.txt)") from None
    return onnx


def onnx_model(model):
    """``model`` (a Network or a Sequential) as an ``onnx.ModelProto``, checked by
    ``onnx.checker``. Input "pixels" (N, 784) or (N, 1, 28, 28); outputs "output" and
    "confidences" (see the module's docstring)."""
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    dtype = np.dtype(model.dtype)
    elem = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}[dtype]
    nodes, weights = [], []
    current = "pixels"

    def add(op, inputs, **attributes):
        nonlocal current
        name = f"{op.lower()}{len(nodes)}"
        nodes.append(helper.make_node(op, [current, *inputs], [name], name=name, **attributes))
        current = name

    def constant(name, array):
        weights.append(numpy_helper.from_array(np.ascontiguousarray(array, dtype=dtype), name))
        return name

    for k, step in enumerate(steps(model)):
        op = step["op"]
        if op == "dense":  # Z = A w^T + b: Gemm with the second matrix transposed
            add("Gemm", [constant(f"w{k}", step["w"]), constant(f"b{k}", step["b"])], transB=1)
        elif op == "conv":  # stride 1, no padding: a cross-correlation, as Conv2D
            add("Conv", [constant(f"w{k}", step["w"]), constant(f"b{k}", step["b"])],
                kernel_shape=list(step["w"].shape[2:]))
        elif op == "maxpool":  # rows and columns left over are dropped (floor), as MaxPool2D
            add("MaxPool", [], kernel_shape=[step["size"]] * 2, strides=[step["size"]] * 2)
        elif op == "flatten":
            add("Flatten", [], axis=1)
        else:
            add({"sigmoid": "Sigmoid", "relu": "Relu", "softmax": "Softmax"}[op], [], **(
                {"axis": -1} if op == "softmax" else {}))
    output = current
    nodes.append(helper.make_node("Identity", [output], ["output"], name="output"))
    if softmax_on_top(model):
        nodes.append(helper.make_node("Softmax", [output], ["confidences"], name="confidences", axis=-1))
    else:
        nodes.append(helper.make_node("Identity", [output], ["confidences"], name="confidences"))
    n_out = model.sizes[-1] if isinstance(model, Network) else model.n_out
    graph = helper.make_graph(
        nodes, "digits_from_scratch",
        [helper.make_tensor_value_info("pixels", elem, ["N", *input_shape(model)])],
        [helper.make_tensor_value_info("output", elem, ["N", n_out]),
         helper.make_tensor_value_info("confidences", elem, ["N", n_out])],
        initializer=weights)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="digits-from-scratch", doc_string=(
                                  "Input 'pixels': each 28x28 digit's pixels in [0, 1], ink 1 on 0, prepared like "
                                  "MNIST (helpers.images.preprocess). Outputs: 'output', the model's own; "
                                  "'confidences', what `python -m helpers predict` shows."))
    proto.ir_version = IR_VERSION
    onnx.checker.check_model(proto, full_check=True)
    return proto


def save_onnx(model, path) -> None:
    """Write ``model`` to ``path`` as an ONNX file, whole or not at all."""
    data = onnx_model(model).SerializeToString()
    with writing(path, "write to", "model.onnx") as f:
        f.write(data)


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------


def check_page_model(model) -> None:
    """A ValueError, in words, unless the page can run ``model``: 28x28 pictures in (784
    numbers, or one 28x28 image), ten outputs, at most PAGE_MAX_PARAMS weights."""
    _check_model(model)
    shape = input_shape(model)
    if shape not in ((784,), (1, 28, 28)):
        raise ValueError(f"the page reads 28x28 pictures, but this model takes examples of shape {shape} "
                         f"(expected 784 numbers, or images of shape (1, 28, 28)); --onnx exports it as it is")
    n_out = model.sizes[-1] if isinstance(model, Network) else model.n_out
    if n_out != 10:
        raise ValueError(f"the page shows ten digits, but this model has {n_out} outputs (expected 10); --onnx exports it as it is")
    n_params = sum(p.size for p in (model.params if isinstance(model, Sequential) else model.weights + model.biases))
    if n_params > PAGE_MAX_PARAMS:
        raise ValueError(f"the model has {n_params:,} weights and biases, more than the {PAGE_MAX_PARAMS:,} a page "
                         f"can carry and still open quickly (784-100-10 has 79,510); --onnx exports it as it is")


def _packed(array) -> dict:
    """An array for the page: its shape and its float32 numbers, little-endian, in base64."""
    a = np.ascontiguousarray(array, dtype="<f4")
    return {"shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode("ascii")}


def page_model(model) -> dict:
    """What the page needs to run ``model``, as JSON-ready data."""
    check_page_model(model)
    out = []
    for step in steps(model):
        step = dict(step)
        for key in ("w", "b"):
            if key in step:
                step[key] = _packed(step[key])
        out.append(step)
    return {"input_shape": list(input_shape(model)), "steps": out, "softmax_on_top": softmax_on_top(model),
            "description": describe(model)}


def describe(model) -> str:
    """A short description of the model's layers, for the page's title line."""
    if isinstance(model, Network):
        return f"a {'-'.join(map(str, model.sizes))} network ({model.activation.name} hidden layers, " \
               f"{model.output.name} outputs)"
    return f"a model of {len(model.layers)} layers ({', '.join(type(layer).__name__ for layer in model.layers)})"


def _asset(name: str) -> str:
    return resources.files("helpers").joinpath("page", name).read_text(encoding="utf-8")


def page_html(model) -> str:
    """The whole page for ``model``: the template with the style, the scripts and the
    model written in (a ValueError if the page cannot run it, see ``check_page_model``)."""
    data = json.dumps(page_model(model), separators=(",", ":"))
    html = _asset("page.html")
    # "</" cannot appear in the model's JSON (base64 and plain words), but make sure: it would end the script.
    parts = {"/*STYLE*/": _asset("page.css"), "/*DIGITS_JS*/": _asset("digits.js"), "/*PAGE_JS*/": _asset("page.js"),
             "/*MODEL*/": data.replace("</", "<\\/")}
    for key, text in parts.items():
        if html.count(key) != 1:
            raise RuntimeError(f"helpers/page/page.html must hold {key} once")
        html = html.replace(key, text)
    return html


def save_page(model, path) -> int:
    """Write the page for ``model`` to ``path``, whole or not at all; its size in bytes."""
    data = page_html(model).encode("utf-8")
    with writing(path, "write to", "digits.html") as f:
        f.write(data)
    return len(data)
