"""The command-line tools: train, predict and bench, run as a learner would run them."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import image_files, images
from helpers.cli import predict
from helpers.network import Network
from helpers.saving import load, save
from tests.conftest import real_data

ROOT = Path(__file__).resolve().parent.parent


def run(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())


def write_png(path, pixels):
    Image.fromarray(np.round(np.asarray(pixels) * 255).astype(np.uint8), mode="L").save(path)


@pytest.fixture
def brightness_model(tmp_path):
    """A 784-2 network that answers 1 when the image's mean pixel is above 0.5, else 0."""
    net = Network([784, 2], output="linear", dtype=np.float64, seed=0)
    net.weights[0][:] = 0
    net.weights[0][1] = 1.0
    net.biases[0][:] = [392.0, 0.0]
    save(net, tmp_path / "bright.npz")
    return tmp_path / "bright.npz"


def test_predict_inverts_light_backgrounds(tmp_path, brightness_model, capsys):
    dark = np.zeros((28, 28)); dark[5:20, 10:14] = 1.0  # white digit on black, mean < 0.5
    light = 1 - dark  # black pen on white paper: inverted to the dark one before predicting
    write_png(tmp_path / "dark.png", dark)
    write_png(tmp_path / "light.png", light)
    np.testing.assert_allclose(image_files.load_image(tmp_path / "light.png"), image_files.load_image(tmp_path / "dark.png"))
    assert image_files.load_image(tmp_path / "dark.png").max() == 1  # white ink on black, like MNIST
    assert predict.main([str(brightness_model), str(tmp_path / "dark.png"), str(tmp_path / "light.png")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{tmp_path / 'dark.png'}: 0 (confidence 1.00)"
    assert out[1] == f"{tmp_path / 'light.png'}: 0 (confidence 1.00)"


def test_predict_reads_with_a_model_of_layers_on_images(tmp_path, capsys):
    """The same brightness rule as a Sequential that takes (1, 28, 28) images: predict
    shapes the picture as the model wants it."""
    from helpers.layers import Dense, Flatten, Sequential

    model = Sequential([Flatten(), Dense(784, 2, rng=0)], input_shape=(1, 28, 28), dtype=np.float64)
    model.layers[1].w[:] = 0
    model.layers[1].w[1] = 1.0
    model.layers[1].b[:] = [392.0, 0.0]
    save(model, tmp_path / "layers.npz")
    dark = np.zeros((28, 28)); dark[5:20, 10:14] = 1.0
    write_png(tmp_path / "dark.png", dark)
    assert predict.main([str(tmp_path / "layers.npz"), str(tmp_path / "dark.png")]) == 0
    assert capsys.readouterr().out == f"{tmp_path / 'dark.png'}: 0 (confidence 1.00)\n"
    save(Sequential([Flatten(), Dense(12, 2)], input_shape=(1, 3, 4)), tmp_path / "small.npz")
    assert predict.main([str(tmp_path / "small.npz"), str(tmp_path / "dark.png")]) == 2
    assert "the network takes 12 inputs, expected 784 (28x28 images)" in capsys.readouterr().err


def test_predict_rejects_non_images_and_models_that_are_not_networks(tmp_path, brightness_model, capsys):
    write_png(tmp_path / "blank.png", np.zeros((32, 40)))  # any size is read now, but this one is empty
    (tmp_path / "notes.png").write_text("not an image")
    assert predict.main([str(brightness_model), str(tmp_path / "blank.png"), str(tmp_path / "notes.png")]) == 1
    out, err = capsys.readouterr()
    assert "blank.png: no digit found" in out
    assert "notes.png: cannot read it as an image" in err
    assert predict.main([str(tmp_path / "notes.png"), str(tmp_path / "blank.png")]) == 2
    assert "is not a saved network: a network is saved as an .npz (zip) archive" in capsys.readouterr().err
    assert predict.main([str(tmp_path / "nowhere.npz"), str(tmp_path / "blank.png")]) == 2
    assert "nowhere.npz: there is no such file (the saved network)" in capsys.readouterr().err


# ----------------------------------------------------------------- hostile and unusual image files
# (tests/HOSTILE_INPUTS.md, section "Images and predict")

DIGIT = np.zeros((28, 28), dtype=np.float32)  # a thick 7: a bar and a slope
DIGIT[5:9, 6:22] = 1.0
for _row in range(9, 24):
    DIGIT[_row, 19 - (_row - 9) // 2 : 23 - (_row - 9) // 2] = 1.0


def reads_as_the_digit(pixels) -> bool:
    """True if ``pixels`` (what load_image returned) is DIGIT prepared the MNIST way."""
    expected = images.preprocess(1 - DIGIT).reshape(1, 784)
    return np.abs(pixels - expected).mean() < 0.02


def hostile_files(folder) -> dict:
    """Small files a user could hand to predict, by name, written here and now."""
    from helpers.lessons.your_own_handwriting import paper_photo

    rng = np.random.default_rng(0)
    files = {}

    def save(name, image, **options):
        image.save(folder / name, **options)
        files[name] = folder / name

    save("huge10k.png", Image.new("L", (10_000, 10_000), 255))  # 120 KB, 100 megapixels
    save("huge20k.png", Image.new("L", (20_000, 20_000), 255))  # 440 KB, past Pillow's own bomb limit
    for name, content in (("notes.png", b"not an image"), ("empty.png", b"")):
        (folder / name).write_bytes(content)
        files[name] = folder / name
    buffer = io.BytesIO()
    Image.fromarray(paper_photo(DIGIT, rng, scale=8)).save(buffer, "PNG")
    (folder / "cut-short.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    files["cut-short.png"] = folder / "cut-short.png"
    with open(folder / "enormous.png", "wb") as f:  # 101 MB (sparse: no disk used)
        f.truncate(101 * 2**20)
    files["enormous.png"] = folder / "enormous.png"
    transparent = np.zeros((28, 28, 4), np.uint8)
    transparent[..., 3] = np.round(DIGIT * 255)  # black ink on a transparent page, as canvases export
    save("transparent.png", Image.fromarray(transparent))
    for name, value in (("white.png", 255), ("black.png", 0), ("grey.png", 128)):
        save(name, Image.new("L", (28, 28), value))
    save("blank-page.jpg", Image.fromarray(paper_photo(np.zeros(784), rng)), quality=85)
    save("light-on-grey.png", Image.fromarray(np.round(190 + 60 * DIGIT).astype(np.uint8)))
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to view": the phone was held sideways
    save("sideways.jpg", Image.fromarray(np.round(np.rot90(1 - DIGIT) * 255).astype(np.uint8)), exif=exif, quality=95)
    save("scan16.png", Image.fromarray(np.round(60000 - 55000 * DIGIT).astype(np.uint16)))
    save("float.tif", Image.fromarray((0.95 - 0.85 * DIGIT).astype(np.float32)))
    nan = (1 - DIGIT).astype(np.float32)
    nan[3, 3] = np.nan
    save("nan.tif", Image.fromarray(nan))
    palette = Image.fromarray(np.round((1 - DIGIT) * 255).astype(np.uint8)).convert("P")
    save("palette.gif", palette)
    return files


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return hostile_files(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name, message", [
    ("huge10k.png", "the image is 10,000x10,000 pixels (100 megapixels), more than the 60 megapixels read here"),
    ("huge20k.png", "the image has 400,000,000 pixels (400 megapixels), more than the 60 megapixels read here"),
    ("notes.png", "cannot read it as an image (it is not a picture file that Pillow knows"),
    ("empty.png", "the file is empty (0 bytes)"),
    ("cut-short.png", "cannot read it as an image: the file is damaged or cut short"),
    ("enormous.png", "the file is 101 MB, more than the 100 MB a picture of a digit needs"),
    ("nan.tif", "the image has pixels that are not numbers (NaN or infinite)"),
])
def test_bad_image_files_get_a_message_not_a_guess(hostile, brightness_model, capsys, name, message):
    assert predict.main([str(brightness_model), str(hostile[name])]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"error: {hostile[name]}: ") and message in err
    assert "Traceback" not in err
    assert predict.main(["--json", str(brightness_model), str(hostile[name])]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer == {"file": str(hostile[name]), "verdict": "error", "digit": None, "outputs": None,
                      "message": answer["message"]} and message in answer["message"]


@pytest.mark.parametrize("name", ["white.png", "black.png", "grey.png", "blank-page.jpg"])
def test_pictures_without_a_digit_are_read_as_no_digit(hostile, brightness_model, capsys, name):
    assert predict.main([str(brightness_model), str(hostile[name])]) == 1
    out, err = capsys.readouterr()
    assert err == "" and out == f"{hostile[name]}: no digit found: the picture is blank or all one shade" + \
        out.split("all one shade", 1)[1]
    assert predict.main(["--json", str(brightness_model), str(hostile[name])]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["verdict"] == "no digit" and answer["digit"] is None and answer["outputs"] is None


def test_missing_files_and_folders_get_a_message(tmp_path, brightness_model, capsys):
    assert predict.main([str(brightness_model), str(tmp_path / "nowhere.png"), str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "nowhere.png: there is no such file" in err and "it is a folder, not an image file" in err


@pytest.mark.parametrize("name", ["transparent.png", "light-on-grey.png", "sideways.jpg", "scan16.png", "float.tif", "palette.gif"])
def test_unusual_but_good_images_read_as_the_digit(hostile, name):
    assert reads_as_the_digit(image_files.load_image(hostile[name]))


def test_uploads_are_read_from_bytes_like_files(hostile):
    assert reads_as_the_digit(image_files.load_image(hostile["transparent.png"].read_bytes()))
    with pytest.raises(ValueError, match="cannot read it as an image"):
        image_files.load_image(b"GIF89a and then nothing")


def test_a_huge_picture_is_refused_before_it_is_decoded(hostile, brightness_model):
    """Peak memory of the whole command, read from the child's own VmHWM (as in tests/test_data.py)."""
    script = ("import sys; from helpers.cli import predict; status = predict.main(sys.argv[1:]); "
              "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1], file=sys.stderr); "
              "sys.exit(status)")
    result = subprocess.run([sys.executable, "-c", script, str(brightness_model), str(hostile["huge10k.png"]),
                             str(hostile["huge20k.png"])], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stderr.count("megapixels read here") == 2
    peak_mb = int(result.stderr.splitlines()[-1]) / 1024
    assert peak_mb < 200, f"peak memory {peak_mb:.0f} MB"  # before: 897 MB for the 10,000 x 10,000 PNG


# ----------------------------------------------------------------- digits on paper, photographed


@real_data
def test_predict_reads_digits_photographed_on_paper(tmp_path):
    """The paper-style test set: test digits enlarged 6 to 14 times, written in ink on an
    off-white, unevenly lit, grainy page, off-centre with a margin, in six ways (pen and
    pencil, PNG and JPEG, pale ink on grey paper, a drawing with a transparent background).
    The command must read them about as well as the network reads the digits themselves."""
    from helpers.data import load_datasets
    from helpers.lessons.your_own_handwriting import paper_photo

    train, _, test = load_datasets()
    net = Network([784, 100, 10], init="scaled", seed=0)
    net.SGD(train, 3, 10, 3.0, seed=1)
    save(net, tmp_path / "model.npz")
    rng = np.random.default_rng(2026)
    ways = [("pen", "png"), ("pen", "jpg"), ("pencil", "png"), ("pencil", "jpg"), ("light", "png"), ("drawing", "png")]
    chosen = rng.choice(len(test.X), 15 * len(ways), replace=False)
    paths, labels = [], []
    for k, i in enumerate(chosen):
        style, kind = ways[k % len(ways)]
        photo = paper_photo(test.X[i], rng, style=style)
        assert max(photo.shape[:2]) > 28 * 6 * 1.3 and photo.dtype == np.uint8
        path = tmp_path / f"{k:03d}-{style}.{kind}"
        Image.fromarray(photo).save(path, **({"quality": int(rng.integers(70, 95))} if kind == "jpg" else {}))
        paths.append(str(path))
        labels.append(int(test.y[i]))
    result = run("helpers", "predict", "--json", str(tmp_path / "model.npz"), *paths)
    readings = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == (0 if all(r["verdict"] == "digit" for r in readings) else 1), result.stderr
    assert [r["file"] for r in readings] == paths and not any(r["verdict"] == "error" for r in readings)
    read = [r["digit"] for r in readings]  # None for "not sure": counted as not right
    right = np.array(read) == np.array(labels)
    on_the_digits = net.accuracy(test.X[chosen], test.y[chosen])
    print(f"predict on {len(paths)} paper-style photos: {right.mean():.1%} right; the network on the same "
          f"digits as 28x28 MNIST images: {on_the_digits:.1%}")
    for style, _ in ways:
        assert right[[k for k in range(len(paths)) if ways[k % len(ways)][0] == style]].mean() >= 0.8, style
    assert right.mean() >= 0.9 and right.mean() >= on_the_digits - 0.05


@real_data
def test_train_then_predict_from_the_command_line(tmp_path):
    model = tmp_path / "model.npz"
    result = run("helpers", "train", "--sizes", "784", "30", "10", "--cost", "cross_entropy", "--init", "scaled",
                 "--eta", "1.0", "--epochs", "1", "--limit", "2000", "--augment", "1", "--schedule", "halve_every:1",
                 "--save", str(model), "--quiet")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "79,510" not in lines[0] and "23,860 parameters; training on 2,000 images" in lines[0]
    assert lines[1].startswith("epoch 1/1, eta 1, validation ") and " test " in lines[1] and lines[1].endswith(" s")
    test_accuracy = float(lines[1].split(" test ")[1].split("%")[0])
    assert 60 < test_accuracy <= 100
    assert lines[-1] == f"saved to {model}"

    from helpers.data import load_datasets
    _, _, test = load_datasets()
    net = load(model)
    paths = []
    for i in range(3):
        write_png(tmp_path / f"digit{i}.png", test.X[i].reshape(28, 28))
        paths.append(str(tmp_path / f"digit{i}.png"))
    write_png(tmp_path / "inverted0.png", 1 - test.X[0].reshape(28, 28))
    result = run("helpers", "predict", str(model), *paths, str(tmp_path / "inverted0.png"))
    assert result.returncode == 0, result.stderr
    digits = [int(line.split(": ")[1].split(" ")[0]) for line in result.stdout.splitlines()]
    assert digits[:3] == net.predict(test.X[:3]).tolist()
    assert digits[3] == digits[0]  # the inverted copy reads as the same digit
    assert all("(confidence 0." in line or "(confidence 1.00)" in line for line in result.stdout.splitlines())


@real_data
def test_train_the_cnn_recipe_then_predict(tmp_path):
    """--model cnn: notebook 11's network with its own recipe (Adam, decay 0.8, batches of
    64, 1-pixel shifts); options given replace the recipe's; the saved model predicts."""
    model = tmp_path / "cnn.npz"
    result = run("helpers", "train", "--model", "cnn", "--epochs", "2", "--limit", "1000", "--save", str(model),
                 "--quiet", timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Sequential(Conv2D(c_in=1, c_out=16, k=5)") and "18,378 parameters" in lines[0]
    assert lines[1].startswith("epoch 1/2, eta 0.002, ") and lines[2].startswith("epoch 2/2, eta 0.0016, ")
    assert 50 < float(lines[2].split(" test ")[1].split("%")[0]) <= 100  # 1,000 images, 2 epochs: ~85 %
    net = load(model)
    from helpers.lessons.convolutions import cnn
    assert net.architecture() == cnn().architecture()  # the notebook's network, one definition
    from helpers.data import load_datasets
    _, _, test = load_datasets()
    write_png(tmp_path / "digit.png", test.X[0].reshape(28, 28))
    result = run("helpers", "predict", str(model), str(tmp_path / "digit.png"))
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split(": ")[1].split(" ")[0]) == net.predict(test.X[:1].reshape(1, 1, 28, 28))[0]


@pytest.mark.parametrize("options, message", [
    (["--sizes", "784", "30", "10"], "--sizes is for the dense network; the CNN's layers are fixed"),
    (["--lmbda", "5"], "--lmbda is for the dense network"),
    (["-m", "100000"], "--mini-batch-size 100000 is too large for the CNN's layers in float32"),
    (["--schedule", "decay:2"], "unknown schedule 'decay:2'"),
])
def test_train_cnn_refuses_what_does_not_apply(options, message):
    result = run("helpers", "train", "--model", "cnn", "--quiet", *options, timeout=60)
    assert result.returncode == 2 and result.stdout == "" and f"error: {message}" in result.stderr


def test_train_reports_bad_options():
    result = run("helpers", "train", "--schedule", "sometimes", "--epochs", "1")
    assert result.returncode == 2
    assert "unknown schedule 'sometimes'" in result.stderr
    result = run("helpers", "train", "--cost", "hinge")
    assert result.returncode == 2 and "invalid choice: 'hinge'" in result.stderr


@real_data
def test_bench_quick_prints_json():
    result = run("helpers", "bench", "--quick", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["quick"] is True and report["epoch_examples"] == 50_000
    configs = {(r["dtype"], r["mini_batch_size"]) for r in report["results"]}
    assert configs == {("float32", 10), ("float32", 100), ("float64", 10), ("float64", 100)}
    for r in report["results"] + [report["naive"]]:
        assert r["seconds_per_epoch"] > 0
        assert r["examples_per_second"] == pytest.approx(50_000 / r["seconds_per_epoch"], rel=0.01)
    f32_mb10 = next(r for r in report["results"] if r["dtype"] == "float32" and r["mini_batch_size"] == 10)
    speedup = report["naive"]["seconds_per_epoch"] / f32_mb10["seconds_per_epoch"]
    assert report["speedup_float32_mb10_vs_naive"] == pytest.approx(speedup, rel=0.01, abs=0.01)
    assert 50 < report["peak_memory_mb"] < 4000 and 0 < report["training_traced_peak_mb"] < report["peak_memory_mb"]
    assert "scaled" in report["scaled"]
    cnn = report["cnn"]
    assert cnn["epoch_examples"] == 60_000 and cnn["n_params"] == 18_378 and cnn["layers"].startswith("Sequential(Conv2D")
    assert cnn["examples_per_second"] == pytest.approx(60_000 / cnn["seconds_per_epoch"], rel=0.01)


# ---------------------------------------------------------------- train and bench: hostile options (issue 10)


@pytest.mark.parametrize("options, message", [
    (["--augment", "-3"], "--augment must be between 0 and 4 pixels, got -3"),
    (["--augment", "40"], "--augment must be between 0 and 4 pixels, got 40: the digits sit in the middle 20x20"),
    (["--seed", "-1"], "--seed must be a whole number >= 0, got -1"),
    (["--epochs", "-1"], "--epochs must be a whole number >= 0, got -1"),
    (["--mini-batch-size", "0"], "--mini-batch-size must be a whole number >= 1, got 0"),
    (["--eta", "nan"], "--eta (the learning rate) must be a number > 0, got nan"),
    (["--sizes", "784", "600000", "10"], "--sizes: sizes [784, 600000, 10] make 477,000,010 weights and biases, more than the 5,000,000"),
    (["--sizes", "100", "10"], "--sizes must start with 784 (28x28 pixels) and end with 10"),
    (["--sizes", "784", *["1"] * 1500, "10"], "--sizes: sizes has 1,502 layers, more than the 1,000 a network here"),
    (["--sizes", "784", "6000", "10", "-m", "5000"], "--mini-batch-size 5000 is too large for layers of 6,794 neurons in float32"),
    (["--save", "/proc/model.npz"], "cannot save to /proc/model.npz: files cannot be created in /proc"),
])
def test_train_checks_every_option_before_loading_the_data(options, message, tmp_path):
    """N11-N15: before, --augment -3 was ignored, --augment 40 trained to 10 %, --seed -1
    said "expected non-negative integer", 784-600000-10 took 5.8 GB, and an unwritable
    --save failed with a traceback after the whole run. Now each is refused at once (no data needed)."""
    result = run("helpers", "train", "--epochs", "1", "--quiet", *options, timeout=60)
    assert result.returncode == 2 and result.stdout == ""  # nothing trained
    assert f"error: {message}" in result.stderr and "Traceback" not in result.stderr


def test_train_save_into_a_file_path_is_refused_before_training(tmp_path):
    (tmp_path / "notes.txt").write_text("a file")
    result = run("helpers", "train", "--save", str(tmp_path / "notes.txt" / "model.npz"), "--quiet", timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert "cannot save to" in result.stderr and "part of that path is a file, not a folder" in result.stderr
    result = run("helpers", "train", "--save", str(tmp_path), "--quiet", timeout=60)
    assert result.returncode == 2 and "it is a folder; give a file name" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # the check leaves nothing behind


def test_bench_without_data_or_with_bad_repeats_says_so(monkeypatch, capsys):
    """N16: before, a MnistError traceback, and for --repeats -1 a traceback about "epochs"."""
    from helpers.cli import bench
    from helpers.data import MnistError

    def no_data(*args, **kwargs):
        raise MnistError("Could not get a verified copy of train-images-idx3-ubyte.")

    monkeypatch.setattr(bench, "load_datasets", no_data)
    assert bench.main(["--quick"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the benchmark trains on MNIST, which is not available here.\nCould not get")
    for repeats in ("-1", "0"):
        assert bench.main(["--quick", "--repeats", repeats]) == 2
        assert f"error: --repeats must be a whole number >= 1, got {repeats}" in capsys.readouterr().err


# ---------------------------------------------------------------- one entry point: python -m helpers NAME


def test_python_m_helpers_lists_the_commands_and_runs_each():
    from helpers.cli import COMMANDS

    result = run("helpers", "--help", timeout=60)
    assert result.returncode == 0
    for name in COMMANDS:
        assert f"\n  {name} " in result.stdout
    result = run("helpers", "predict", "--help", timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("usage: python -m helpers predict")
    result = run("helpers.cli.train", "--help", timeout=60)  # each command also runs on its own
    assert result.returncode == 0 and result.stdout.startswith("usage: python -m helpers train")


def test_python_m_helpers_without_a_known_command_says_which_there_are():
    result = run("helpers", timeout=60)
    assert result.returncode == 2 and "commands:" in result.stderr and result.stdout == ""
    result = run("helpers", "trian", timeout=60)
    assert result.returncode == 2 and "error: no command 'trian'" in result.stderr and "  train " in result.stderr


def test_the_digits_script_is_the_same_entry_point():
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"digits": "helpers.cli:main"}
    script = Path(sys.executable).parent / "digits"
    if not script.exists():
        pytest.skip("the digits script is installed by `pip install -e .` (make .venv/.installed)")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "  report " in result.stdout
