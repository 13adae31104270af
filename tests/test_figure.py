"""helpers.widgets.figure: the one way the widgets show a figure (a PNG in an Image widget).

The PNG is read here with the format's own rules (signature, IHDR chunk, CRC) and with
Pillow, not with anything from the code under test.
"""

import io
import struct
import zlib

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from helpers.widgets.figure import FigureView, png_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's first chunk, which the format says must be IHDR."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", png[16:24])
    (crc,) = struct.unpack(">I", png[29:33])
    assert crc == zlib.crc32(png[12:29])  # over the chunk type and data
    return width, height


def assert_picture_follows(picture, control, new_value):
    """Moving ``control`` to ``new_value`` redraws ``picture``; moving it back gives the
    very same bytes, and no pyplot figure is left open on the way."""
    open_before = plt.get_fignums()
    old_value, first = control.value, picture.value
    assert picture.format == "png" and png_size(first)
    control.value = new_value
    assert png_size(picture.value) and picture.value != first
    control.value = old_value
    assert picture.value == first
    assert plt.get_fignums() == open_before


def test_png_is_valid_and_has_the_figure_size():
    fig = Figure(figsize=(3, 2))
    fig.patch.set_facecolor((1.0, 0.0, 0.0))  # every pixel red
    png = png_bytes(fig, dpi=50, tight=False)
    assert png_size(png) == (150, 100)  # inches x dots per inch
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert pixels.shape == (100, 150, 3) and (pixels == [255, 0, 0]).all()
    assert b"Software" not in png  # no version stamp: the bytes do not depend on matplotlib's version


def test_tight_crops_to_what_is_drawn():
    fig = Figure(figsize=(4, 4))
    fig.text(0.5, 0.5, "x")
    width, height = png_size(png_bytes(fig, dpi=100, tight=True))
    assert width < 100 and height < 100  # a letter and its padding, not a 400 x 400 square


def test_view_draws_on_a_fresh_figure_that_pyplot_never_sees():
    open_before = plt.get_fignums()
    seen = []

    def draw(fig, colour):
        seen.append((fig, colour))
        fig.patch.set_facecolor(colour)

    view = FigureView(draw, figsize=(2, 1), dpi=40, tight=False)
    red = view.redraw(colour="red")
    assert view.image.value == red and view.image.format == "png" and png_size(red) == (80, 40)
    blue = view.redraw(colour="blue")
    assert blue != red and view.redraw(colour="red") == red  # same state, same bytes
    figures = [fig for fig, _ in seen]
    assert [colour for _, colour in seen] == ["red", "blue", "red"]
    assert len({id(fig) for fig in figures}) == 3  # a new figure each time: nothing carried over
    assert all(isinstance(fig, Figure) and fig.canvas.manager is None for fig in figures)
    assert plt.get_fignums() == open_before


def test_view_shows_the_figure_as_the_draw_function_resized_it():
    view = FigureView(lambda fig: fig.set_size_inches(2, 1), figsize=(5, 5), tight=False)
    assert png_size(view.redraw()) == (200, 100)  # as draw_step does: the picture's own size, at 100 dpi


def test_no_helper_uses_pyplot():
    """Every draw_* function draws on the Axes or Figure it is given: the notebook makes the
    figure with pyplot, a widget makes a plain Figure, and no figure is left open by a helper."""
    import ast
    from pathlib import Path

    import helpers

    for path in sorted(Path(helpers.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith(("matplotlib.pyplot", "matplotlib.pylab")) for n in names), path


def test_style_sets_the_title_labels_grid_and_legend():
    from helpers.plots import style

    ax = Figure().subplots()
    ax.plot([0, 1], [0, 1], label="a line")
    assert style(ax, "Title", "x (unit)", "y (unit)", legend=dict(fontsize=8)) is ax
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Title", "x (unit)", "y (unit)")
    assert ax.xaxis.get_gridlines()[0].get_visible() and ax.xaxis.get_gridlines()[0].get_alpha() == 0.3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a line"]
    assert ax.get_legend().get_texts()[0].get_fontsize() == 8
    assert style(ax, "Smaller", title_size=8).title.get_fontsize() == 8
    bare = style(Figure().subplots(), grid=False)
    assert bare.get_title() == "" and bare.get_legend() is None and not bare.xaxis.get_gridlines()[0].get_visible()


def test_digits_are_drawn_on_the_axes_and_figure_given():
    from helpers.plots import draw_digit, draw_digits

    ax = Figure().subplots()
    assert draw_digit(ax, np.zeros(784), title="a 0") is ax and ax.get_title() == "a 0" and len(ax.images) == 1
    fig = Figure(figsize=(6, 2.3))
    assert draw_digits(fig, np.zeros((7, 784)), labels=range(7), ncols=4, title="seven") is fig
    assert len(fig.axes) == 8 and [ax.get_title() for ax in fig.axes[:7]] == [str(i) for i in range(7)]
    assert not fig.axes[7].images and fig._suptitle.get_text() == "seven"


def test_every_drawing_function_takes_the_axes_or_figure_first():
    """One signature for every picture: draw_*(ax, ...) or draw_*(fig, ...), returning it."""
    import ast
    from pathlib import Path

    import helpers

    found = 0
    for path in sorted(Path(helpers.__file__).parent.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level: the public ones
            if isinstance(node, ast.FunctionDef) and node.name.startswith(("draw_", "plot_", "show_")):
                found += 1
                assert node.name.startswith("draw_") or node.name == "show_source", f"{path.name}: {node.name}"
                if node.name.startswith("draw_"):
                    assert node.args.args[0].arg in ("ax", "fig"), f"{path.name}: {node.name}"
    assert found > 20
