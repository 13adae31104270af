"""The handwriting reader of notebook 09: draw a digit (or upload a photo of one) and
watch the network's ten outputs and its hidden layer change as you draw.

    reader = HandwritingReader(net)
    reader            # shows the canvas, an upload button and the network's reading

The canvas is a small anywidget: the browser draws the pen's line at once and sends
the strokes (lists of (x, y) points) to Python while you draw, a few times a second and
at the end of each stroke. Everything after that is plain, tested Python:
``lessons.read_strokes`` (strokes -> picture -> MNIST-style preprocessing -> network)
and ``lessons.draw_reading`` (the picture), shown by ``FigureView``. An uploaded file
goes through ``lessons.read_upload``, which reads it as ``python -m helpers predict`` does.
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets
import traitlets

from helpers.lessons import your_own_handwriting as lesson
from helpers.widgets.figure import FigureView

# The browser's side. It draws locally (no waiting for Python) and sends the strokes at
# most every SEND_EVERY milliseconds while the pen is down, and once more when it lifts.
_ESM = r"""
function render({ model, el }) {
  const size = model.get("size");
  const canvas = document.createElement("canvas");
  canvas.width = size; canvas.height = size;
  Object.assign(canvas.style, { border: "1px solid #777", cursor: "crosshair", touchAction: "none",
                                background: "white", width: size + "px", height: size + "px" });
  const ctx = canvas.getContext("2d");
  let strokes = [], current = null, lastSent = 0, timer = null;

  function paint() {
    ctx.fillStyle = "white"; ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "black"; ctx.fillStyle = "black";
    ctx.lineWidth = model.get("brush"); ctx.lineCap = "round"; ctx.lineJoin = "round";
    for (const s of strokes) {
      if (s.length === 1) { ctx.beginPath(); ctx.arc(s[0][0], s[0][1], ctx.lineWidth / 2, 0, 2 * Math.PI); ctx.fill(); continue; }
      ctx.beginPath(); ctx.moveTo(s[0][0], s[0][1]);
      for (const p of s.slice(1)) ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    }
  }
  function send() {
    lastSent = Date.now(); timer = null;
    model.set("strokes", strokes.map((s) => s.map((p) => [p[0], p[1]])));
    model.save_changes();
  }
  function soon() {
    const wait = model.get("send_every") - (Date.now() - lastSent);
    if (wait <= 0) send(); else if (timer === null) timer = setTimeout(send, wait);
  }
  function at(event) {
    const box = canvas.getBoundingClientRect();
    return [Math.round((event.clientX - box.left) * size / box.width), Math.round((event.clientY - box.top) * size / box.height)];
  }
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId); current = [at(e)]; strokes.push(current); paint(); soon();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (current === null) return; current.push(at(e)); paint(); soon();
  });
  const lift = () => { if (current === null) return; current = null; if (timer !== null) clearTimeout(timer); send(); };
  canvas.addEventListener("pointerup", lift);
  canvas.addEventListener("pointercancel", lift);
  // Python changed the drawing (Clear), or echoes what we sent: adopt it, but never in the
  // middle of a stroke, which would lose the points drawn since.
  model.on("change:strokes", () => {
    if (current !== null) return;
    strokes = model.get("strokes").map((s) => s.map((p) => [p[0], p[1]])); paint();
  });
  strokes = model.get("strokes").map((s) => s.map((p) => [p[0], p[1]]));
  paint();
  el.appendChild(canvas);
}
export default { render };
"""


class DrawingCanvas(anywidget.AnyWidget):
    """A square canvas to draw on with the mouse, a finger or a pen. ``strokes`` is the
    drawing: a list of strokes, each a list of [x, y] points in canvas pixels."""

    _esm = _ESM
    strokes = traitlets.List([]).tag(sync=True)
    size = traitlets.Int(lesson.CANVAS).tag(sync=True)
    brush = traitlets.Float(lesson.BRUSH).tag(sync=True)
    send_every = traitlets.Int(250).tag(sync=True)  # milliseconds between updates while drawing


class HandwritingReader:
    """The canvas, a Clear button, an upload button for a photo or scan, and the network's
    reading of whichever came last: its input, its ten outputs and its hidden layer."""

    def __init__(self, net, strokes=None):
        self.net = net
        self.canvas = DrawingCanvas(strokes=list(strokes or []))
        self.clear = widgets.Button(description="Clear", icon="eraser", tooltip="start a new drawing")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Photo or scan")
        self.status = widgets.Label(value="")
        self.picture = FigureView(lambda fig, reading: lesson.draw_reading(fig, reading), figsize=(9, 3.1))
        self.clear.on_click(lambda _: self.canvas.set_trait("strokes", []))
        self.canvas.observe(lambda change: self.show_strokes(change["new"]), names="strokes")
        self.upload.observe(lambda change: self.show_upload(change["new"]), names="value")
        # The layout: the canvas column never shrinks (a fixed-size canvas in a shrunk column
        # would slide under the picture); the picture takes the rest of the row, scaled down
        # to fit, and moves below the canvas when the row is too narrow for both.
        side = f"{self.canvas.size + 2}px"  # the canvas and its 1-pixel border
        self.canvas.layout = widgets.Layout(width=side, height=side, flex="0 0 auto")
        self.clear.layout = widgets.Layout(width="auto")
        self.upload.layout = widgets.Layout(width="auto")  # the whole label, "Photo or scan"
        controls = widgets.VBox([self.canvas, widgets.HBox([self.clear, self.upload], layout=widgets.Layout(
            flex_flow="row wrap", width=side))], layout=widgets.Layout(flex="0 0 auto", width=side))
        self.picture.image.layout = widgets.Layout(flex="1 1 420px", min_width="320px", max_width="100%",
                                                   height="auto", object_fit="contain")
        row = widgets.HBox([controls, self.picture.image], layout=widgets.Layout(
            flex_flow="row wrap", align_items="flex-start", grid_gap="12px", width="100%"))
        self.box = widgets.VBox([row, self.status])
        self.reading = None
        self.show_strokes(self.canvas.strokes)

    def show(self, reading: dict, where: str) -> dict:
        self.reading = reading
        self.picture.redraw(reading=reading)
        self.status.value = f"{where}: {reading['message']}"
        return reading

    def show_strokes(self, strokes) -> dict:
        """Read the drawing and show the reading (called whenever the strokes change)."""
        return self.show(lesson.read_strokes(self.net, strokes), "your drawing")

    def show_upload(self, files) -> dict | None:
        """Read an uploaded file (ipywidgets 8: a tuple of dicts with "name" and "content")."""
        if not files:
            return None
        file = files[-1]
        return self.show(lesson.read_upload(self.net, bytes(file["content"])), file.get("name", "your file"))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)
