"""The command-line tools: train, predict and bench, run as a learner would run them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import predict
from helpers.network import Network
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
    net.save(tmp_path / "bright.npz")
    return tmp_path / "bright.npz"


def test_predict_inverts_light_backgrounds(tmp_path, brightness_model, capsys):
    dark = np.zeros((28, 28)); dark[5:20, 10:14] = 1.0  # white digit on black, mean < 0.5
    light = 1 - dark  # black pen on white paper: inverted to the dark one before predicting
    write_png(tmp_path / "dark.png", dark)
    write_png(tmp_path / "light.png", light)
    assert predict.load_image(tmp_path / "light.png").mean() == pytest.approx(dark.mean())
    assert predict.main([str(brightness_model), str(tmp_path / "dark.png"), str(tmp_path / "light.png")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{tmp_path / 'dark.png'}: 0 (confidence 1.00)"
    assert out[1] == f"{tmp_path / 'light.png'}: 0 (confidence 1.00)"


def test_predict_rejects_wrong_sizes_and_non_images(tmp_path, brightness_model, capsys):
    write_png(tmp_path / "big.png", np.zeros((32, 40)))
    (tmp_path / "notes.png").write_text("not an image")
    assert predict.main([str(brightness_model), str(tmp_path / "big.png"), str(tmp_path / "notes.png")]) == 2
    err = capsys.readouterr().err
    assert "big.png: the image is 40x32 pixels, expected 28x28" in err
    assert "notes.png: cannot read it as an image" in err
    assert predict.main([str(tmp_path / "notes.png"), str(tmp_path / "big.png")]) == 2
    assert "is not a saved network: a network is saved as an .npz (zip) archive" in capsys.readouterr().err


@real_data
def test_train_then_predict_from_the_command_line(tmp_path):
    model = tmp_path / "model.npz"
    result = run("helpers.train", "--sizes", "784", "30", "10", "--cost", "cross_entropy", "--init", "scaled",
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
    net = Network.load(model)
    paths = []
    for i in range(3):
        write_png(tmp_path / f"digit{i}.png", test.X[i].reshape(28, 28))
        paths.append(str(tmp_path / f"digit{i}.png"))
    write_png(tmp_path / "inverted0.png", 1 - test.X[0].reshape(28, 28))
    result = run("helpers.predict", str(model), *paths, str(tmp_path / "inverted0.png"))
    assert result.returncode == 0, result.stderr
    digits = [int(line.split(": ")[1].split(" ")[0]) for line in result.stdout.splitlines()]
    assert digits[:3] == net.predict(test.X[:3]).tolist()
    assert digits[3] == digits[0]  # the inverted copy reads as the same digit
    assert all("(confidence 0." in line or "(confidence 1.00)" in line for line in result.stdout.splitlines())


def test_train_reports_bad_options():
    result = run("helpers.train", "--schedule", "sometimes", "--epochs", "1")
    assert result.returncode == 2
    assert "unknown schedule 'sometimes'" in result.stderr
    result = run("helpers.train", "--cost", "hinge")
    assert result.returncode == 2 and "invalid choice: 'hinge'" in result.stderr


@real_data
def test_bench_quick_prints_json():
    result = run("helpers.bench", "--quick", "--repeats", "1")
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
