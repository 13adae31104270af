"""The widget of notebook 11: draw a digit on notebook 09's canvas and watch the CNN's
first feature maps and its ten probabilities change as you draw.

    reader = CnnReader(model)
    reader            # the canvas, a Clear button, and the CNN's reading

The canvas is ``DrawingCanvas`` of notebook 09, used as it is; the reading is the plain,
tested ``lessons.convolutions.read_drawing``, drawn by ``draw_drawing_reading``.
"""

from __future__ import annotations

import ipywidgets as widgets

from helpers.lessons import convolutions as lesson
from helpers.widgets.figure import FigureView
from helpers.widgets.your_own_handwriting import DrawingCanvas


class CnnReader:
    """The canvas, a Clear button and the CNN's reading of the drawing."""

    def __init__(self, model, strokes=None):
        self.model = model
        lesson.read_drawing(model, [])  # a clear error now, not in the middle of drawing, if it is not a CNN
        self.canvas = DrawingCanvas(strokes=list(strokes or []))
        self.clear = widgets.Button(description="Clear", icon="eraser", tooltip="start a new drawing")
        self.status = widgets.Label(value="")
        self.picture = FigureView(lambda fig, reading: lesson.draw_drawing_reading(fig, reading), figsize=(10, 3.2))
        self.clear.on_click(lambda _: self.canvas.set_trait("strokes", []))
        self.canvas.observe(lambda change: self.show(change["new"]), names="strokes")
        side = f"{self.canvas.size + 2}px"  # the canvas and its 1-pixel border: a column that never shrinks
        self.canvas.layout = widgets.Layout(width=side, height=side, flex="0 0 auto")
        controls = widgets.VBox([self.canvas, self.clear], layout=widgets.Layout(flex="0 0 auto", width=side))
        self.picture.image.layout = widgets.Layout(flex="1 1 420px", min_width="320px", max_width="100%",
                                                   height="auto", object_fit="contain")
        row = widgets.HBox([controls, self.picture.image], layout=widgets.Layout(
            flex_flow="row wrap", align_items="flex-start", grid_gap="12px", width="100%"))
        self.box = widgets.VBox([row, self.status])
        self.reading = None
        self.show(self.canvas.strokes)

    def show(self, strokes) -> dict:
        """Read the drawing and show the reading (called whenever the strokes change)."""
        self.reading = lesson.read_drawing(self.model, strokes)
        self.picture.redraw(reading=self.reading)
        self.status.value = f"your drawing: {self.reading['message']}"
        return self.reading

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)
