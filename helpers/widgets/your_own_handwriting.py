"""The handwriting reader of notebook 09: draw a digit (or upload a photo of one) and
watch the network's ten outputs and its hidden layer change as you draw.

    reader = HandwritingReader(net)
    reader            # shows the canvas, an upload button and the network's reading

The canvas is a small anywidget (its JavaScript and CSS are real files, ``js/canvas.js``
and ``js/canvas.css``): the browser draws the pen's line at once and sends the strokes
(lists of (x, y) points) to Python while you draw, a few times a second and at the end
of each stroke. Everything after that is plain, tested Python:
``lessons.read_strokes`` (strokes -> picture -> MNIST-style preprocessing -> network)
and ``lessons.draw_reading`` (the picture), shown by ``FigureView``. An uploaded file
goes through ``lessons.read_upload``, which reads it as ``python -m helpers predict`` does.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import ipywidgets as widgets
import traitlets

from helpers.lessons import your_own_handwriting as lesson
from helpers.widgets.figure import FigureView

JS = Path(__file__).parent / "js"  # the widgets' JavaScript and CSS, as real files (shipped with the package)


class DrawingCanvas(anywidget.AnyWidget):
    """A square canvas to draw on with the mouse, a finger or a pen. ``strokes`` is the
    drawing: a list of strokes, each a list of [x, y] points in canvas pixels."""

    _esm = JS / "canvas.js"  # the browser's side: it draws, and sends the strokes
    _css = JS / "canvas.css"
    strokes = traitlets.List([]).tag(sync=True)
    size = traitlets.Int(lesson.CANVAS).tag(sync=True)
    brush = traitlets.Float(lesson.BRUSH).tag(sync=True)  # the widest pen; it grows with the drawing
    pen_share = traitlets.Float(lesson.PEN_SHARE).tag(sync=True)  # as lesson.pen_width
    min_brush = traitlets.Float(lesson.MIN_BRUSH).tag(sync=True)
    send_every = traitlets.Int(250).tag(sync=True)  # milliseconds between updates while drawing
    # "reading..." shows under the canvas from the moment the browser sends the strokes (sent
    # counts the sendings) until Python has shown the answer to them (answered = sent).
    sent = traitlets.Int(0).tag(sync=True)
    answered = traitlets.Int(0).tag(sync=True)
    pen_down = traitlets.Bool(False).tag(sync=True)  # sent with the strokes: True while drawing, False at the lift
    caption = traitlets.Unicode("").tag(sync=True)  # a line under the canvas: set after an upload


class HandwritingReader:
    """The canvas, a Clear button, an upload button for a photo or scan, and the network's
    reading of whichever came last: its input, its ten outputs and its hidden layer."""

    def __init__(self, net, strokes=None):
        self.net = net
        self.canvas = DrawingCanvas(strokes=list(strokes or []))
        self.clear = widgets.Button(description="Clear", icon="eraser", tooltip="start a new drawing")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Photo or scan")
        self.status = widgets.Label(value="")
        self.status.add_class("digits-answer")  # wraps instead of being cut short (canvas.css): at 800 px too
        self.picture = FigureView(lambda fig, reading: lesson.draw_reading(fig, reading), figsize=(9, 3.1))
        self.clear.on_click(lambda _: self.canvas.set_trait("strokes", []))
        # The browser sends the strokes (and counts the sendings in "sent"); Python's own changes
        # (Clear) change only the strokes. Either way the drawing is read once (see show_strokes).
        self._last = None
        self.canvas.observe(lambda change: self.show_strokes(self.canvas.strokes), names=["strokes", "sent"])
        self.upload.observe(lambda change: self.show_upload(change["new"]), names="value")
        # The layout: the canvas column never shrinks (a fixed-size canvas in a shrunk column
        # would slide under the picture); the picture takes the rest of the row, scaled down
        # to fit, and moves below the canvas when the row is too narrow for both.
        side = f"{self.canvas.size + 2}px"  # the canvas and its 1-pixel border
        self.canvas.layout = widgets.Layout(width=side, flex="0 0 auto")  # its height: the canvas and its caption
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

    def show(self, reading: dict, where: str, picture: bool = True) -> dict:
        self.reading = reading
        # The answer line first (it is what the learner waits for), then "reading..." goes, then
        # the picture (a matplotlib drawing, the slow part: about 0.5 s of CPU).
        self.status.value = f"{where}: {reading['message']}"
        self.canvas.answered = self.canvas.sent
        if picture:
            self.picture.redraw(reading=reading)
        return reading

    def show_strokes(self, strokes) -> dict:
        """Read the drawing and show the reading (called whenever the browser sends the strokes,
        or Python changes them). While the pen is down only the answer line follows the drawing:
        a picture redrawn then would hold up the answer to the lift, which must come at once;
        the picture follows when the pen is lifted. The same drawing is not read twice."""
        key = (strokes, self.canvas.pen_down)
        if key == self._last:
            self.canvas.answered = self.canvas.sent  # answered already: "reading..." goes
            return self.reading
        self._last = key
        self.canvas.caption = ""
        return self.show(lesson.read_strokes(self.net, strokes), "your drawing", picture=not self.canvas.pen_down)

    def show_upload(self, files) -> dict | None:
        """Read an uploaded file (ipywidgets 8: a tuple of dicts with "name" and "content")."""
        if not files:
            return None
        file = files[-1]
        name = file.get("name", "your file")
        self.canvas.caption = f"not what is read: the answer is for {name}"
        try:
            reading = lesson.read_upload(self.net, bytes(file["content"]))
        except Exception as err:  # noqa: BLE001 -- an uploaded file is untrusted: whatever happens, say so
            reading = {"verdict": "error", "digit": None, "outputs": None, "hidden": None, "steps": None,
                       "message": f"not read: {type(err).__name__}: {err}"}
        return self.show(reading, name)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)
