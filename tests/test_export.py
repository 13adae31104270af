"""`python -m helpers export`: the offline page and the ONNX file give the course's answers.

- ONNX: ONNX Runtime, an independent implementation of every operator, gives the same
  outputs as our NumPy forward pass within 1e-5 on the 10,000 test digits, for dense
  networks of every output kind, a model of Dense and Activation layers, and a small CNN
  made of the engine's own layers (Conv2D, ReLU, MaxPool2D, Flatten, Dense).
- The page, in headless Chromium (Playwright): for a few hundred pictures (test digits
  photographed on paper in six ways, drawings on its canvas, pictures with no digit), its
  answer equals `predict`'s, its outputs agree within 1e-4 and its 28x28 input within
  1/255 per pixel of helpers.images.
- Bad input: a file that is not a network, a network the page cannot run, a destination
  that cannot be written, a missing onnx package: a message, and nothing written.

The ONNX and browser tests are skipped, with the reason, where onnxruntime or Playwright
and Chromium are missing, unless DIGITS_REQUIRE_ONNX=1 / DIGITS_REQUIRE_BROWSER=1 (as in
.ci/run, which installs them from requirements-dev.txt).
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import exporting
from helpers.cli import export
from helpers.image_files import read_image
from helpers.images import resample
from helpers.reading import outputs_of as confidences, read_pixels
from helpers.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPool2D, Sequential
from helpers.network import Network
from helpers.saving import save
from tests.conftest import real_data

try:
    import onnxruntime
except ImportError:
    onnxruntime = None
try:
    from playwright.sync_api import sync_playwright
except ImportError:
    sync_playwright = None

CHROMIUM = shutil.which("chromium")
NEED_ONNX = pytest.mark.skipif(onnxruntime is None and os.environ.get("DIGITS_REQUIRE_ONNX") != "1",
                               reason="onnxruntime is not installed: pip install -r requirements-dev.txt")
BROWSER_MISSING = [why for why, missing in (
    ("Playwright is not installed: pip install -r requirements-dev.txt", sync_playwright is None),
    ("no `chromium` on PATH: apt-get install chromium", CHROMIUM is None)) if missing]
NEED_BROWSER = pytest.mark.skipif(bool(BROWSER_MISSING) and os.environ.get("DIGITS_REQUIRE_BROWSER") != "1",
                                  reason="; ".join(BROWSER_MISSING))


def small_cnn(rng) -> Sequential:
    """A small convolutional network of the engine's layers, its weights drawn from ``rng``
    (He's initialisation: the sizes of z a trained network has)."""
    return Sequential([Conv2D(1, 6, 5, rng=rng), Activation("relu"), MaxPool2D(2),
                       Conv2D(6, 8, 3, rng=rng), Activation("relu"), MaxPool2D(2), Flatten(),
                       Dense(8 * 5 * 5, 32, "relu", rng=rng), Dropout(0.3, rng=rng), Dense(32, 10, rng=rng)],
                      input_shape=(1, 28, 28))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# ----------------------------------------------------------------------------- ONNX


def ort_outputs(model, X):
    assert onnxruntime is not None, "onnxruntime is not installed: pip install -r requirements-dev.txt"
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(exporting.onnx_model(model).SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["pixels"]
    assert [o.name for o in session.get_outputs()] == ["output", "confidences"]
    return session.run(None, {"pixels": X.reshape((len(X),) + exporting.input_shape(model)).astype(model.dtype)})


@real_data
@NEED_ONNX
def test_onnxruntime_agrees_with_our_networks_on_the_10000_test_digits():
    from helpers.data import load_datasets

    train, _, test = load_datasets()
    rng = np.random.default_rng(19)
    trained = Network([784, 100, 10], init="scaled", seed=0)
    trained.SGD((train.X[:10_000], train.y[:10_000]), 1, 10, 3.0, seed=1)  # a real network's sizes of z
    models = {
        "784-100-10, trained briefly": trained,
        "relu, softmax outputs": Network([784, 64, 32, 10], activation="relu", output="softmax",
                                         cost="cross_entropy", init="scaled", seed=2),
        "linear outputs, float64": Network([784, 30, 10], output="linear", cost="cross_entropy", init="scaled",
                                           dtype=np.float64, seed=3),
        "Dense and Activation layers": Sequential([Dense(784, 50, rng=rng), Activation("sigmoid"),
                                                   Dense(50, 10, rng=rng)]),
        "a small CNN": small_cnn(rng),
    }
    for name, model in models.items():
        output, confidence = ort_outputs(model, test.X)
        ours = model.feedforward(test.X) if isinstance(model, Network) else model.logits(test.X.reshape(-1, 1, 28, 28)
                                                                                          if model.input_shape != (784,)
                                                                                          else test.X)
        assert output.dtype == model.dtype and output.shape == (10_000, 10)
        # The logits can be large: compare them relative to their size; the confidences (in [0, 1]) as they are.
        assert np.abs(output - ours).max() <= 1e-5 * max(1.0, np.abs(ours).max()), name
        assert np.abs(confidence - confidences(model, test.X)).max() <= 1e-5, name
        assert np.mean(confidence.argmax(axis=1) == confidences(model, test.X).argmax(axis=1)) >= 0.9999, name


def test_the_onnx_graph_is_the_models_steps():
    """Without onnxruntime: the steps each model becomes (what both the page and ONNX run)."""
    rng = np.random.default_rng(0)
    ops = [s["op"] for s in exporting.steps(small_cnn(rng))]
    assert ops == ["conv", "relu", "maxpool", "conv", "relu", "maxpool", "flatten", "dense", "relu", "dense"]
    net = Network([784, 30, 10], output="softmax", cost="cross_entropy", seed=0)
    assert [s["op"] for s in exporting.steps(net)] == ["dense", "sigmoid", "dense", "softmax"]
    assert not exporting.softmax_on_top(net) and exporting.softmax_on_top(small_cnn(rng))


def test_without_the_onnx_package_the_command_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    save(Network([784, 10], seed=0), tmp_path / "m.npz")
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` now fails, as where it is not installed
    assert export.main([str(tmp_path / "m.npz"), "--onnx", str(tmp_path / "m.onnx"), "--html",
                        str(tmp_path / "p.html")]) == 2
    assert "pip install onnx" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]  # neither file written


# ----------------------------------------------------------------------------- bad input


@pytest.fixture
def saved(tmp_path):
    save(Network([784, 20, 10], seed=0), tmp_path / "net.npz")
    return tmp_path / "net.npz"


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("not a network"), "not a"),
    (lambda p: np.savez(p, w=np.zeros(3)), ""),
    (lambda p: save(Network([20, 10], seed=0), p), "28x28 pictures"),
    (lambda p: save(Network([784, 5], seed=0), p), "ten digits"),
    (lambda p: save(Sequential([Dense(784, 10)]).copy(), p), None),  # fine: a page and ONNX
    (lambda p: save(Sequential([Flatten(), Dense(784, 3)], input_shape=(1, 28, 28)), p), "ten digits"),
    (lambda p: save(Network([784, 1300, 10], init="scaled", seed=0), p), "more than the 1,000,000"),
])
def test_models_the_page_cannot_run_get_a_message_and_nothing_is_written(tmp_path, capsys, make, message):
    model = tmp_path / "model.npz"
    make(model)
    status = export.main([str(model), "--html", str(tmp_path / "page.html")])
    if message is None:
        assert status == 0 and (tmp_path / "page.html").stat().st_size > 10_000
        return
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("error: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "page.html").exists() and not leftovers(tmp_path)


def test_destinations_that_cannot_be_written_get_a_message(tmp_path, saved, capsys):
    (tmp_path / "folder").mkdir()
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "old.html").write_text("the old page")
    for dest, words in [(tmp_path / "folder", "it is a folder"), (tmp_path / "a-file" / "page.html", "is a file")]:
        assert export.main([str(saved), "--html", str(dest)]) == 2
        assert words in capsys.readouterr().err
    # A page that cannot be made leaves the old file as it was.
    save(Network([784, 5], seed=0), tmp_path / "five.npz")
    assert export.main([str(tmp_path / "five.npz"), "--html", str(tmp_path / "old.html")]) == 2
    assert (tmp_path / "old.html").read_text() == "the old page" and not leftovers(tmp_path)
    assert export.main([str(tmp_path / "missing.npz"), "--html", str(tmp_path / "p.html")]) == 2
    assert "no such file" in capsys.readouterr().err
    # the network itself as the destination (a slip of the tab key) is refused, and the network kept
    before = saved.read_bytes()
    assert export.main([str(saved), "--html", str(saved)]) == 2
    assert "a name of their own" in capsys.readouterr().err and saved.read_bytes() == before
    assert export.main([str(saved), "--html", str(tmp_path / "x"), "--onnx", str(tmp_path / "x")]) == 2
    assert "a name of their own" in capsys.readouterr().err and not (tmp_path / "x").exists()
    with pytest.raises(SystemExit):  # neither --html nor --onnx: argparse's usage message
        export.main([str(saved)])


def test_a_write_that_fails_half_way_leaves_nothing(tmp_path, saved, monkeypatch, capsys):
    real = exporting.page_html

    def failing(model):  # the disk fills up while the page is written
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(exporting, "page_html", failing)
    with pytest.raises(OSError):
        exporting.save_page(exporting.Network([784, 10], seed=0), tmp_path / "p.html")
    monkeypatch.setattr(exporting, "page_html", real)
    assert not (tmp_path / "p.html").exists() and not leftovers(tmp_path)


def test_the_page_is_one_small_file_that_asks_for_nothing_from_outside(tmp_path, saved):
    net = Network([784, 100, 10], seed=0)
    size = exporting.save_page(net, tmp_path / "p.html")
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert size == len(html.encode()) < 1_000_000, size
    assert "http://" not in html and "https://" not in html and "/*MODEL*/" not in html
    assert 'id="answer"' in html and 'id="photo"' in html and "default-src 'none'" in html
    # the weights in the page are the network's, as float32
    model = exporting.page_model(net)
    w0 = np.frombuffer(base64.b64decode(model["steps"][0]["w"]["data"]), "<f4").reshape(100, 784)
    assert np.array_equal(w0, net.weights[0])


# ----------------------------------------------------------------------------- the page in Chromium


def python_reading(model, source) -> dict:
    """What `predict` says about the picture ``source`` (a path or the bytes of a file), with
    the 28x28 picture the network read (None when there was none)."""
    try:
        pixels = read_image(source)
    except ValueError as err:
        return {"verdict": "error", "message": str(err)}
    r, steps = read_pixels(model, pixels)
    return {"verdict": r.verdict, "digit": r.digit, "message": r.message,
            "outputs": None if r.outputs is None else np.array(r.outputs),
            "input": None if steps is None else steps["centred"].ravel()}


def pictures(test, rng, n_per_style: int) -> list[tuple[str, bytes]]:
    """Test digits photographed on paper in six ways (see paper_photo), ``n_per_style`` of
    each, and pictures with no digit (or two): (name, file bytes)."""
    from helpers.lessons.your_own_handwriting import non_digits, paper_photo

    ways = [("pen", "PNG"), ("pen", "JPEG"), ("pencil", "PNG"), ("pencil", "JPEG"), ("light", "PNG"), ("drawing", "PNG")]
    chosen = rng.choice(len(test.X), n_per_style * len(ways), replace=False)
    out = []

    def add(name, pixels, kind="PNG"):
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, kind, **({"quality": int(rng.integers(70, 95))} if kind == "JPEG" else {}))
        out.append((name, buffer.getvalue()))

    for k, i in enumerate(chosen):
        style, kind = ways[k % len(ways)]
        # mostly 4 to 8 times MNIST's size (quick to read); every ninth 14 times, on a page large enough
        # to be read at reduced size (helpers.image_files: Pillow's reduce, which the page copies)
        scale = 14.0 if k % 9 == 0 else float(rng.uniform(4, 8))
        add(f"test digit {i}, {style}, {kind}", paper_photo(test.X[i], rng, style=style, scale=scale), kind)
    # Large photos: read at reduced size. A JPEG of at least 1120 pixels both ways Pillow decodes
    # at 1/2 size inside the JPEG decoder, which a browser cannot: the page averages 2x2 blocks
    # instead, so its input differs a little ("large JPEG": a looser bound on the outputs).
    for k in range(3):
        photo = paper_photo(test.X[chosen[k]], rng, scale=35, style=("pen", "pencil")[k % 2])
        add(f"large JPEG {photo.shape}", photo, "JPEG")
    add("large PNG", paper_photo(test.X[chosen[3]], rng, scale=35), "PNG")
    exif, buffer = Image.Exif(), io.BytesIO()
    exif[0x0112] = 6  # stored on its side; the tag says: turn it a quarter clockwise to show it
    Image.fromarray(np.rot90(paper_photo(test.X[chosen[4]], rng), 1).copy()).save(buffer, "JPEG", exif=exif)
    out.append(("a photo on its side with an EXIF orientation", buffer.getvalue()))
    # Not one digit (helpers.reading's refusals): dots, blocks, dashes, crosses, scrawls, and
    # two or more test digits side by side, drawn in black on a white page with a margin.
    for kind, ink in non_digits(4, rng, test.X[chosen[:40]]):
        add(f"not a digit: {kind}", np.round((1 - np.pad(ink, 12)) * 255).astype(np.uint8))
    for k in range(3):  # a white digit on a transparent background: shown on black (images._page_behind)
        big = np.asarray(Image.fromarray(np.round(test.X[chosen[5 + k]].reshape(28, 28) * 255).astype(np.uint8))
                         .resize((140, 140), Image.BICUBIC))
        white = np.zeros((180, 160, 4), np.uint8)
        white[..., :3], white[20:160, 10:150, 3] = 255, big
        add(f"a white digit on transparency {k}", white)
    add("a blank page", paper_photo(np.zeros(784), rng), "JPEG")
    add("one flat shade", np.full((200, 300), 180, np.uint8))
    speck = np.full((400, 400), 240, np.uint8)
    speck[200:203, 100:103] = 20
    add("a speck", speck)
    add("grain only", np.clip(rng.normal(200, 2, (300, 300)), 0, 255).astype(np.uint8))
    add("a 6x6 picture", np.zeros((6, 6), np.uint8))
    out.append(("not an image", b"digits from scratch, as text"))
    narrow = resample(test.X[chosen[:2]].reshape(2, 28, 28), 28, 14)  # two digits, each half as wide
    add("two digits side by side", paper_photo(np.concatenate(list(narrow), axis=1), rng))
    return out


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def open_page(chromium, path: Path):
    # bypass_csp: the page forbids eval, which Playwright's waiting uses (the page itself needs none)
    page = chromium.new_page(bypass_csp=True)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(path.as_uri())
    return page, errors


def page_reading(page, name: str, data: bytes, count: int) -> dict:
    page.set_input_files("#photo", files=[{"name": name, "mimeType": "image/png", "buffer": data}])
    page.wait_for_selector(f'#answer[data-readings="{count}"]', state="attached", timeout=30_000)
    return page.evaluate("window.lastReading")


def compare(model, page, items) -> dict:
    """Read every picture in the page and with `predict`; the largest differences."""
    worst = {"input": 0.0, "outputs": 0.0, "large JPEG input": 0.0, "large JPEG outputs": 0.0, "ms": [], "verdicts": {}}
    for count, (name, data) in enumerate(items, start=1):
        ours, theirs = python_reading(model, data), page_reading(page, name, data, count)
        assert theirs["verdict"] == ours["verdict"], (name, ours["message"], theirs["message"])
        worst["verdicts"][ours["verdict"]] = worst["verdicts"].get(ours["verdict"], 0) + 1
        if ours["verdict"] == "error":
            continue
        assert theirs["digit"] == ours["digit"] and theirs["message"] == ours["message"], name
        kind = "large JPEG " if name.startswith("large JPEG") else ""
        for key in ("input", "outputs"):
            assert (theirs[key] is None) == (ours[key] is None), (name, key)
            if ours[key] is not None:
                difference = float(np.abs(np.array(theirs[key]) - ours[key]).max())
                worst[kind + key] = max(worst[kind + key], difference)
        if ours["verdict"] == "digit":
            worst["ms"].append(theirs["ms"])
    return worst


@real_data
@NEED_BROWSER
def test_the_page_reads_pictures_as_predict_does(tmp_path, chromium):
    from helpers.data import load_datasets

    train, _, test = load_datasets()
    net = Network([784, 100, 10], init="scaled", seed=0)
    net.SGD((train.X[:20_000], train.y[:20_000]), 1, 10, 3.0, seed=1)
    size = exporting.save_page(net, tmp_path / "page.html")
    page, errors = open_page(chromium, tmp_path / "page.html")
    items = pictures(test, np.random.default_rng(2026), 34)
    start = time.perf_counter()
    worst = compare(net, page, items)
    elapsed = time.perf_counter() - start
    assert not errors, errors
    print(f"\nthe page ({size / 1e6:.2f} MB) on {len(items)} pictures ({worst['verdicts']}): answers equal to "
          f"predict's; 28x28 input within {worst['input']:.2g}, outputs within {worst['outputs']:.2g} (large JPEGs: "
          f"{worst['large JPEG input']:.2g} and {worst['large JPEG outputs']:.2g}); "
          f"{statistics.median(worst['ms']):.0f} ms per picture in the page (median), {elapsed:.0f} s in all")
    assert worst["input"] <= 1 / 255 and worst["outputs"] <= 1e-4
    assert worst["large JPEG input"] <= 1 / 255 and worst["large JPEG outputs"] <= 1e-3
    # every verdict comes up, each for enough pictures
    assert worst["verdicts"].get("digit", 0) >= 180 and worst["verdicts"].get("no digit", 0) >= 10
    assert worst["verdicts"].get("several digits", 0) >= 5 and worst["verdicts"].get("not sure", 0) >= 3
    assert worst["verdicts"].get("error", 0) == 2  # the 6x6 picture and the file that is not an image


@NEED_BROWSER
def test_a_small_cnn_in_the_page_gives_its_outputs(tmp_path, chromium):
    """A model of layers with convolutions: the page's forward pass against Sequential's,
    on pictures with no data needed (digits drawn as thick strokes on a page)."""
    model = small_cnn(np.random.default_rng(7))
    exporting.save_page(model, tmp_path / "cnn.html")
    page, errors = open_page(chromium, tmp_path / "cnn.html")
    rng, items = np.random.default_rng(8), []
    for k in range(12):
        picture = np.full((160, 120), 235, np.uint8)
        top, left = rng.integers(10, 60), rng.integers(10, 40)
        picture[top : top + 80, left + 30 : left + 30 + rng.integers(6, 14)] = 30  # a stroke down
        picture[top : top + 8, left : left + 60 * (k % 2)] = 30  # and one across, on every other
        buffer = io.BytesIO()
        Image.fromarray(picture).save(buffer, "PNG")
        items.append((f"strokes {k}", buffer.getvalue()))
    worst = compare(model, page, items)
    assert not errors, errors
    assert sum(worst["verdicts"].values()) == 12 and worst["input"] <= 1 / 255 and worst["outputs"] <= 1e-4


@NEED_BROWSER
def test_a_digit_drawn_on_the_page_is_read_as_predict_reads_the_canvas(tmp_path, chromium):
    net = Network([784, 30, 10], init="scaled", seed=0)
    exporting.save_page(net, tmp_path / "page.html")
    page, errors = open_page(chromium, tmp_path / "page.html")
    box = page.locator("#canvas").bounding_box()
    strokes = [[(140, 40), (140, 240)], [(80, 60), (200, 60), (110, 240)], [(90, 90), (190, 90), (190, 200), (90, 200), (90, 90)]]
    for count, stroke in enumerate(strokes, start=1):
        page.click("#clear")
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
        page.mouse.up()
        page.wait_for_selector(f'#answer[data-readings="{2 * count}"]', state="attached")  # Clear counts as one
        theirs = page.evaluate("window.lastReading")
        png = base64.b64decode(page.evaluate("document.getElementById('canvas').toDataURL()").split(",", 1)[1])
        ours = python_reading(net, png)
        assert (theirs["verdict"], theirs["digit"], theirs["message"]) == (ours["verdict"], ours["digit"], ours["message"])
        assert np.abs(np.array(theirs["input"]) - ours["input"]).max() <= 1 / 255
        assert np.abs(np.array(theirs["outputs"]) - ours["outputs"]).max() <= 1e-4
        shown = page.text_content("#answer")
        assert shown == (str(ours["digit"]) if ours["verdict"] == "digit" else ours["verdict"])
        assert page.text_content("#message") == ours["message"]
    assert not errors, errors
