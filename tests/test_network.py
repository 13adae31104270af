"""The Network class: sizes and shapes, the conventions notebooks rely on, checks of bad
input (and their messages), prediction, and saving / loading without pickle."""

import pickle

import numpy as np
import pytest

from helpers.images import random_shift, shift
from helpers.network import Network
from helpers.saving import load, save


@pytest.fixture
def net():
    return Network([784, 100, 10], seed=0)


def small(**kwargs):
    return Network([4, 3, 2], seed=1, **kwargs)


def test_79510_parameters_and_shapes(net):
    assert net.n_params == 79_510 == 784 * 100 + 100 + 100 * 10 + 10
    assert [w.shape for w in net.weights] == [(100, 784), (10, 100)]
    assert [b.shape for b in net.biases] == [(100,), (10,)]
    assert all(a.dtype == np.float32 for a in net.weights + net.biases)
    assert net.weights[0][7].reshape(28, 28).shape == (28, 28)  # hidden unit 7 as a picture
    assert Network([784, 30, 10]).n_params == 23_860


def test_feedforward_is_z_equals_a_wT_plus_b():
    net = Network([3, 4, 2], dtype=np.float64, seed=2)
    X = np.random.default_rng(0).random((5, 3))
    sig = lambda z: 1 / (1 + np.exp(-z))
    expected = sig(sig(X @ net.weights[0].T + net.biases[0]) @ net.weights[1].T + net.biases[1])
    np.testing.assert_allclose(net.feedforward(X), expected, rtol=1e-12)
    # one example at a time, Nielsen's column-vector way, gives the same numbers
    x = X[0].reshape(3, 1)
    column = sig(net.weights[1] @ sig(net.weights[0] @ x + net.biases[0][:, None]) + net.biases[1][:, None])
    np.testing.assert_allclose(net.feedforward(X[:1])[0], column[:, 0], rtol=1e-12)


def test_init_scales():
    normal = Network([784, 100, 10], init="normal", dtype=np.float64, seed=0)
    scaled = Network([784, 100, 10], init="scaled", dtype=np.float64, seed=0)
    assert abs(normal.weights[0].std() - 1) < 0.01
    assert abs(scaled.weights[0].std() - 1 / np.sqrt(784)) < 0.001
    assert abs(scaled.weights[1].std() - 1 / np.sqrt(100)) < 0.01


def test_copy_is_independent_and_leaves_the_original_alone():
    net = Network([5, 4, 3], seed=7)
    state = net.rng.bit_generator.state
    twin = net.copy(np.float64)
    assert net.rng.bit_generator.state == state and twin.rng is not net.rng
    assert twin.weights[0].dtype == np.float64 and net.weights[0].dtype == np.float32
    twin.weights[0][0, 0] += 1
    assert twin.weights[0][0, 0] != net.weights[0][0, 0]
    assert twin.rng.random() == net.rng.random()  # the same stream continues in both


def test_same_seed_same_network_and_float64_on_request():
    a, b, c = Network([5, 4, 3], seed=7), Network([5, 4, 3], seed=7), Network([5, 4, 3], seed=8)
    assert all(np.array_equal(x, y) for x, y in zip(a.weights + a.biases, b.weights + b.biases))
    assert not np.array_equal(a.weights[0], c.weights[0])
    d = Network([5, 4, 3], seed=7, dtype=np.float64)
    assert d.weights[0].dtype == np.float64
    np.testing.assert_allclose(d.weights[0], a.weights[0], rtol=1e-6)  # same draws, rounded
    r = Network([5, 4, 3], rng=np.random.default_rng(7))
    assert np.array_equal(r.weights[0], a.weights[0])


def test_float32_stays_float32(net):
    X = np.random.default_rng(0).random((6, 784))  # float64 input
    Y = np.eye(10)[[0, 1, 2, 3, 4, 5]]
    assert net.feedforward(X).dtype == np.float32
    nabla_w, nabla_b = net.gradients(X, Y)  # backprop is the bare maths: gradients checks and casts
    assert all(g.dtype == np.float32 for g in nabla_w + nabla_b)
    net.SGD((X.astype(np.float32), np.arange(6)), 1, 2, 0.5, lmbda=1.0)
    assert all(a.dtype == np.float32 for a in net.weights + net.biases)


def test_predict_evaluate_accuracy():
    net = Network([2, 2], output="linear", dtype=np.float64, seed=0)
    net.weights[0][:] = [[1, 0], [0, 1]]
    net.biases[0][:] = 0
    X = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 4.0]])
    assert net.predict(X).tolist() == [0, 1, 0] and net.predict(X).dtype == np.int64
    assert net.evaluate(X, np.array([0, 1, 1])) == 2
    assert net.evaluate(X, np.eye(2)[[0, 1, 1]]) == 2
    assert net.accuracy(X, np.array([0, 1, 1])) == pytest.approx(2 / 3)


def test_untrained_network_scores_about_ten_percent(net):
    X = np.random.default_rng(0).random((2000, 784))
    y = np.random.default_rng(1).integers(0, 10, 2000)
    assert 0.05 < net.accuracy(X, y) < 0.15


def test_cost_includes_nielsens_l2_term():
    net = small(dtype=np.float64)
    X = np.random.default_rng(0).random((3, 4))
    Y = np.eye(2)[[0, 1, 1]]
    plain = net.cost(X, Y)
    a = net.feedforward(X)
    assert plain == pytest.approx(np.mean(0.5 * ((a - Y) ** 2).sum(axis=1)))
    l2 = 0.5 * (2.0 / 3) * sum((w**2).sum() for w in net.weights)
    assert net.cost(X, Y, lmbda=2.0) == pytest.approx(plain + l2)
    net.lmbda = 2.0
    assert net.cost(X, Y) == pytest.approx(plain + l2)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sizes": [784]}, r"at least two layers.*\[784\]"),
        ({"sizes": [784, 0, 10]}, "at least one neuron"),
        ({"sizes": "784"}, "list of whole numbers"),
        ({"sizes": [784, 10.5]}, "list of whole numbers"),
        ({"cost": "hinge"}, r"unknown cost 'hinge': expected one of 'quadratic', 'cross_entropy'"),
        ({"activation": "tanh"}, r"unknown activation 'tanh': expected one of 'sigmoid', 'relu'"),
        ({"output": "relu"}, r"unknown output activation 'relu': expected one of 'sigmoid', 'softmax', 'linear'"),
        ({"init": "xavier"}, r"unknown init 'xavier': expected one of 'normal', 'scaled'"),
        ({"dtype": np.int32}, "unknown dtype"),
        ({"lmbda": -1}, "lmbda"),
        ({"seed": 1, "rng": np.random.default_rng(1)}, "either seed or rng"),
    ],
)
def test_bad_constructor_arguments(kwargs, match):
    kwargs = {"sizes": [784, 30, 10], **kwargs}
    with pytest.raises(ValueError, match=match):
        Network(kwargs.pop("sizes"), **kwargs)


def test_bad_X(net):
    with pytest.raises(ValueError, match=r"2-D array with one example per row, shape \(n, 784\); got shape \(784,\)"):
        net.feedforward(np.zeros(784))
    with pytest.raises(ValueError, match=r"must have 784 columns .* got 28 \(shape \(5, 28\)\)"):
        net.predict(np.zeros((5, 28)))
    with pytest.raises(ValueError, match=r"784 columns"):
        net.cost(np.zeros((2, 783)), np.eye(10)[:2])


def test_bad_Y(net):
    X = np.zeros((3, 784))
    with pytest.raises(ValueError, match=r"one-hot rows of shape \(3, 10\) to match X, got shape \(3,\)"):
        net.cost(X, np.array([1, 2, 3]))
    with pytest.raises(ValueError, match=r"shape \(3, 10\) to match X, got shape \(2, 10\)"):
        net.gradients(X, np.eye(10)[:2])
    not_one_hot = np.eye(10)[:3].copy()
    not_one_hot[0, 5] = 1  # two ones in a row
    with pytest.raises(ValueError, match="one-hot: each row all 0 except a single 1"):
        net.gradients(X, not_one_hot)
    with pytest.raises(ValueError, match="one-hot"):
        net.cost(X, np.full((3, 10), 0.1))


def test_bad_training_arguments(net):
    X, y = np.zeros((20, 784), np.float32), np.zeros(20, np.int64)
    with pytest.raises(ValueError, match=r"eta \(the learning rate\) must be a number > 0, got 0"):
        net.SGD((X, y), 1, 10, 0)
    with pytest.raises(ValueError, match=r"eta .* must be a number > 0, got -3.0"):
        net.SGD((X, y), 1, 10, -3.0)
    with pytest.raises(ValueError, match=r"mini_batch_size must be a whole number >= 1, got 0"):
        net.SGD((X, y), 1, 0, 3.0)
    with pytest.raises(ValueError, match=r"unknown optimizer 'rmsprop': expected one of 'sgd', 'adam'"):
        net.SGD((X, y), 1, 10, 3.0, optimizer="rmsprop")
    with pytest.raises(ValueError, match=r"unknown schedule 'cosine'.*halve_on_plateau"):
        net.SGD((X, y), 1, 10, 3.0, schedule="cosine", validation_data=(X, y))
    with pytest.raises(ValueError, match="needs validation_data"):
        net.SGD((X, y), 1, 10, 3.0, schedule="halve_on_plateau")
    with pytest.raises(ValueError, match=r"labels must be between 0 and 9, got 0..10"):
        net.SGD((X, np.r_[y[:-1], 10]), 1, 10, 3.0)
    with pytest.raises(ValueError, match=r"20 rows in X but 19 labels"):
        net.SGD((X, y[:-1]), 1, 10, 3.0)
    with pytest.raises(ValueError, match=r"training_data.*784 columns|784 columns"):
        net.SGD((X[:, :100], y), 1, 10, 3.0)
    with pytest.raises(ValueError, match=r"schedule's eta for epoch 1"):
        net.SGD((X, y), 2, 10, 3.0, schedule=lambda epoch: 3.0 - 3.0 * epoch)


# ---------------------------------------------------------------- save and load


def test_save_load_round_trip(tmp_path):
    for kwargs in ({}, {"activation": "relu", "output": "softmax", "cost": "cross_entropy", "dtype": np.float64, "lmbda": 0.5}):
        net = Network([784, 30, 10], seed=3, **kwargs)
        save(net, tmp_path / "net.npz")
        back = load(tmp_path / "net.npz")
        assert repr(back) == repr(net) and back.lmbda == net.lmbda and back.sizes == net.sizes
        assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(net.weights + net.biases, back.weights + back.biases))
        X = np.random.default_rng(0).random((4, 784))
        np.testing.assert_array_equal(back.feedforward(X), net.feedforward(X))
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]  # no temporary files left
    with np.load(tmp_path / "net.npz", allow_pickle=False) as f:
        assert all(f[k].dtype != object for k in f.files)


def test_failed_save_leaves_nothing_behind(tmp_path, monkeypatch):
    net = small()
    def broken(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        save(net, tmp_path / "net.npz")
    assert list(tmp_path.iterdir()) == []


def test_load_rejects_a_truncated_file(tmp_path):
    save(small(), tmp_path / "net.npz")
    data = (tmp_path / "net.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.npz is not a readable saved network"):
        load(tmp_path / "cut.npz")


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    arrays.update(changes)
    np.savez(path, **arrays)


def test_load_rejects_a_tampered_file(tmp_path):
    path = tmp_path / "net.npz"
    save(small(), path)
    _rewrite(path, w0=np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match=r"'w0' has shape \(3, 5\) and dtype float32, expected \(3, 4\) and float32"):
        load(path)
    save(small(), path)
    _rewrite(path, b1=np.zeros(2, np.float64))
    with pytest.raises(ValueError, match=r"'b1' has shape \(2,\) and dtype float64, expected \(2,\) and float32"):
        load(path)
    save(small(), path)
    _rewrite(path, cost=np.array("hinge"))
    with pytest.raises(ValueError, match="not a valid saved network: unknown cost 'hinge'"):
        load(path)
    save(small(), path)
    _rewrite(path, extra=np.zeros(1))
    with pytest.raises(ValueError, match="not a valid saved network: entries"):
        load(path)


class Boom:
    """Unpickling this would run code: the test fails if that ever happens."""

    def __reduce__(self):
        return (pytest.fail, ("a pickle was unpickled!",))


def test_load_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    save(small(), path)
    _rewrite(path, w0=np.array([Boom()], dtype=object))
    with pytest.raises(ValueError, match="not a readable saved network: it holds pickled Python objects, which are never loaded"):
        load(path)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ValueError, match=r"single.npy is not a saved network: .*\.npz \(zip\) archive"):
        load(single)
    plain = tmp_path / "plain.pickle"
    plain.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ValueError, match="plain.pickle is not a saved network"):
        load(plain)


# ---------------------------------------------------------------- augmentation


def test_random_shift_moves_images_by_at_most_two_pixels():
    rng = np.random.default_rng(0)
    image = np.zeros((28, 28), np.float32)
    image[10:15, 12:16] = 1
    X = np.repeat(image.reshape(1, 784), 200, axis=0)
    shifted = random_shift(X, rng, max_shift=2)
    assert shifted.shape == X.shape and shifted.dtype == np.float32
    assert np.all(shifted.sum(axis=1) == image.sum())  # nothing falls off: the blob is inside
    seen = set()
    for row in shifted:
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if np.array_equal(row.reshape(28, 28), shift(image, dy, dx))]
        assert len(matches) == 1
        seen.add(matches[0])
    assert len(seen) == 25  # every shift from -2 to 2 in both directions happens


def test_shift_fills_with_black():
    image = np.arange(9.0).reshape(3, 3)
    assert shift(image, 1, 0).tolist() == [[0, 0, 0], [0, 1, 2], [3, 4, 5]]
    assert shift(image, 0, -1).tolist() == [[1, 2, 0], [4, 5, 0], [7, 8, 0]]


def test_load_rejects_a_file_that_is_not_an_npz_without_suggesting_pickle(tmp_path):
    from helpers.network import Network

    path = tmp_path / "model.npz"
    path.write_bytes(b"garbage that is not a zip archive\n")
    with pytest.raises(ValueError, match=r"not a saved network: .*\.npz \(zip\) archive, but this file starts with 67 61 72 62") as err:
        load(path)
    assert "allow_pickle" not in str(err.value) and "pickle.load" not in str(err.value)


def test_save_creates_the_folder(tmp_path):
    from helpers.network import Network

    path = tmp_path / "models" / "tiny.npz"
    save(Network([4, 3, 2], seed=0), path)
    assert load(path).sizes == [4, 3, 2]


# ---------------------------------------------------------------- hostile files and inputs (issue 10)
# Each test writes its own small hostile file; tests/HOSTILE_INPUTS.md lists them (N1, N2, ...).

import io
import os
import stat
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path


def npy_bytes(array):
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def npy_header(descr, shape):
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": descr, "fortran_order": False, "shape": shape})
    return out.getvalue()


def settings(sizes):
    return {"format": np.array("digits-from-scratch network v1"), "sizes": np.array(sizes, np.int64),
            "activation": np.array("sigmoid"), "output": np.array("sigmoid"), "cost": np.array("quadratic"),
            "init": np.array("normal"), "dtype": np.array("float32"), "lmbda": np.array(0.0)}


def parameters(sizes):
    arrays = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        arrays[f"w{l}"], arrays[f"b{l}"] = np.zeros((n_out, n_in), np.float32), np.zeros(n_out, np.float32)
    return arrays


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as z:
        for key, value in members.items():
            z.writestr(key + ".npy", value if isinstance(value, bytes) else npy_bytes(value))
    return path


def big_sizes_file(path):
    """98 KB: declares [784, 600000, 10] but holds the arrays of a 784-30-10 network."""
    return write_zip(path, {**settings([784, 600000, 10]), **parameters([784, 30, 10])})


def terabyte_header_file(path):
    """8 KB: w0's .npy header declares a 1,000,000 x 1,000,000 float32 array (4 TB)."""
    members = {**settings([784, 10]), **parameters([784, 10])}
    members["w0"] = npy_header("<f4", (1_000_000, 1_000_000)) + bytes(1000)
    return write_zip(path, members)


def huge_members_file(path, sizes=(784, 60_000, 10)):
    """200 KB: a consistent network of 47 million parameters, its arrays deflated zeros (190 MB)."""
    sizes = list(sizes)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for key, value in settings(sizes).items():
            z.writestr(key + ".npy", npy_bytes(value))
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            for key, shape in ((f"w{l}", (n_out, n_in)), (f"b{l}", (n_out,))):
                with z.open(key + ".npy", "w", force_zip64=True) as f:
                    f.write(npy_header("<f4", shape))
                    left, chunk = int(np.prod(shape)) * 4, bytes(1 << 22)
                    while left > 0:
                        f.write(chunk[: min(left, len(chunk))])
                        left -= len(chunk)
    return path


HOSTILE_MODELS = {
    "big_sizes": (big_sizes_file, r"sizes \[784, 600000, 10\] make 477,000,010 weights and biases, more than the 5,000,000"),
    "terabyte_header": (terabyte_header_file, r"'w0' declares \(1000000, 1000000\) float32 \(4,000,000,000,000 bytes\) but holds"),
    "huge_members": (huge_members_file, r"its entries hold 190,\d{3},\d{3} bytes, more than any network here can need"),
}


@pytest.mark.parametrize("name", HOSTILE_MODELS)
def test_load_checks_declared_sizes_before_reading_or_building(tmp_path, name):
    """N2: before, [784, 600000, 10] cost 5.6 GB (a random network was drawn first), the
    terabyte header a MemoryError, the huge members 3.7 GB. Now: a message, almost no memory."""
    make, match = HOSTILE_MODELS[name]
    path = make(tmp_path / f"{name}.npz")
    assert path.stat().st_size < 400_000
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"{name}.npz is not a valid saved network: {match}"):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20


def test_small_hostile_models_never_use_much_memory(tmp_path):
    """N2, measured as the issue asks: the peak resident memory (VmHWM) of a process that
    loads each hostile file, and the largest network a 77 KB file may hold, is far below 1 GB."""
    paths = [make(tmp_path / f"{name}.npz") for name, (make, _) in HOSTILE_MODELS.items()]
    big = tmp_path / "largest.npz"  # 784-6000-10 float64, deflated zeros: it loads
    sizes = [784, 6000, 10]
    arrays = {**settings(sizes), "dtype": np.array("float64")}
    arrays.update({k: v.astype(np.float64) for k, v in parameters(sizes).items()})
    np.savez_compressed(big, **arrays)
    assert big.stat().st_size < 10_000_000
    child = (
        "import sys\nfrom helpers.saving import load\n"
        "for p in sys.argv[1:]:\n"
        "    try:\n        print(load(p).n_params)\n"
        "    except ValueError as e:\n        print('refused')\n"
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')))\n"
    )
    ROOT = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", child, *map(str, paths + [big])], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120)
    lines = done.stdout.split()
    assert lines[:-1] == ["refused"] * 3 + ["4770010"]
    assert int(lines[-1]) < 300 * 1024  # kB; 110 MB here (5.6 GB before)


@pytest.mark.parametrize("key", ["format", "sizes"])
def test_a_member_that_is_not_npy_gets_a_message(tmp_path, key):
    """N3: before, AttributeError ('bytes' object has no attribute 'dtype')."""
    members = {**settings([4, 3, 2]), **parameters([4, 3, 2])}
    members[key] = b"hello, not an array"
    path = write_zip(tmp_path / "model.npz", members)
    with pytest.raises(ValueError, match=rf"model.npz is not a valid saved network: '{key}' is not a .npy array \(the magic string is not correct"):
        load(path)


def test_load_refuses_oversized_text_and_sizes_entries(tmp_path):
    members = {**settings([4, 3, 2]), **parameters([4, 3, 2])}
    members["format"] = npy_header("<U1000", ()) + bytes(4000)
    with pytest.raises(ValueError, match=r"'format' should be a text entry \(at most 100 characters\)"):
        load(write_zip(tmp_path / "a.npz", members))
    members = {**settings([4, 3, 2]), **parameters([4, 3, 2]), "sizes": np.ones(5000, np.int64)}
    with pytest.raises(ValueError, match=r"'sizes' should be a 1-D array of at most 1000 whole numbers, got shape \(5000,\)"):
        load(write_zip(tmp_path / "b.npz", members))
    members = {**settings([4, 3, 2]), **parameters([4, 3, 2])}
    members["b0"] = npy_bytes(np.zeros(3, np.float32))[:-8]  # shorter than its header says
    with pytest.raises(ValueError, match=r"'b0' declares \(3,\) float32 \(12 bytes\) but holds"):
        load(write_zip(tmp_path / "c.npz", members))


def test_loading_draws_no_random_weights(tmp_path, monkeypatch):
    import helpers.network

    save(small(), tmp_path / "net.npz")

    class NoDraws:
        def standard_normal(self, *args, **kwargs):
            raise AssertionError("random weights drawn while loading")

    monkeypatch.setattr(helpers.network, "make_rng", lambda seed=None, rng=None: NoDraws())
    assert load(tmp_path / "net.npz").sizes == [4, 3, 2]


def test_a_network_from_given_weights_and_biases():
    w, b = [np.ones((3, 4)), np.ones((2, 3))], [np.zeros(3), np.zeros(2)]
    net = Network([4, 3, 2], weights=w, biases=b)
    assert net.weights[0].dtype == np.float32 and np.array_equal(net.weights[0], w[0])
    net.weights[0][0, 0] = 5
    assert w[0][0, 0] == 1  # copied
    with pytest.raises(ValueError, match=r"the network's weights\[1\] has shape \(3, 2\), but sizes \[4, 3, 2\] need \(2, 3\)"):
        Network([4, 3, 2], weights=[w[0], w[1].T], biases=b)
    with pytest.raises(ValueError, match=r"the network has 1 biases arrays, but sizes \[4, 3, 2\] need 2"):
        Network([4, 3, 2], weights=w, biases=b[:1])


def test_saved_files_get_the_umask_mode(tmp_path):
    """N1: before, mode 0600 (mkstemp's) whatever the umask: others on a hub could not read a shared model."""
    old = os.umask(0o022)
    try:
        for umask, mode in ((0o022, 0o644), (0o002, 0o664), (0o077, 0o600)):
            os.umask(umask)
            save(small(), tmp_path / f"net{umask:o}.npz")
            assert stat.S_IMODE((tmp_path / f"net{umask:o}.npz").stat().st_mode) == mode
    finally:
        os.umask(old)


def test_save_converts_other_dtypes_and_refuses_what_load_would_refuse(tmp_path):
    """N4: before, save() wrote all three files and load() refused them."""
    net = small()
    net.weights[0] = net.weights[0].astype(np.float64)  # e.g. a hand-made matrix
    save(net, tmp_path / "f64.npz")
    back = load(tmp_path / "f64.npz")
    assert back.weights[0].dtype == np.float32 and np.array_equal(back.weights[0], net.weights[0].astype(np.float32))
    net = small()
    net.weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"cannot save the network to .*nan.npz: the network's weights\[0\] holds NaN or infinite values \(did training diverge\?\)"):
        save(net, tmp_path / "nan.npz")
    net = small()
    net.weights[0] = np.zeros((3, 5), np.float32)
    with pytest.raises(ValueError, match=r"weights\[0\] has shape \(3, 5\), but sizes \[4, 3, 2\] need \(3, 4\)"):
        save(net, tmp_path / "shape.npz")
    net = small()
    net.biases.append(np.zeros(2, np.float32))
    with pytest.raises(ValueError, match=r"has 3 biases arrays, but sizes \[4, 3, 2\] need 2"):
        save(net, tmp_path / "layers.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f64.npz"]  # nothing written for the refused ones


def test_save_to_an_unusable_place_says_why(tmp_path):
    (tmp_path / "notes.txt").write_text("a file")
    for path, match in ((tmp_path, "it is a folder; give a file name"),
                        (tmp_path / "notes.txt" / "net.npz", "part of that path is a file, not a folder"),
                        (Path("/proc/net.npz"), r"files cannot be created in /proc")):
        with pytest.raises(ValueError, match=f"cannot save to {path}: {match}"):
            save(small(), path)


def test_nan_and_infinite_rows_are_named():
    """N6, N7: before, one NaN pixel made SGD say "eta too large", and predict answered 0."""
    net = small()
    X = np.random.default_rng(0).random((20, 4)).astype(np.float32)
    y = np.arange(20) % 2
    X[3, 1], X[17, 0] = np.nan, -np.inf
    with pytest.raises(ValueError, match=r"X in training_data has NaN or infinite values in 2 of 20 rows \(rows 3, 17\)"):
        net.SGD((X, y), 1, 5, 0.1)
    with pytest.raises(ValueError, match=r"X in validation_data has NaN or infinite values in 2 of 20 rows"):
        net.SGD((X[[0, 1]], y[:2]), 1, 5, 0.1, validation_data=(X, y))
    with pytest.raises(ValueError, match=r"^X has NaN or infinite values in 1 of 2 rows \(row 0\)"):
        net.predict(X[[3, 4]])
    for call in (net.feedforward, lambda X: net.cost(X, np.eye(2)[y]), lambda X: net.accuracy(X, y)):
        with pytest.raises(ValueError, match="NaN or infinite values"):
            call(X)
    huge = np.full((2, 4), 1e38, np.float32)  # finite, though its row sums overflow
    assert net.predict(huge).shape == (2,)


def test_zero_examples_get_a_message():
    """N8: before, backprop and gradients raised ZeroDivisionError. (backprop itself is the
    bare maths now, unchecked: gradients is its checked door.)"""
    net = small(lmbda=1.0)
    X, Y = np.zeros((0, 4)), np.zeros((0, 2))
    for call, what in ((net.gradients, "gradient"), (net.cost, "cost")):
        with pytest.raises(ValueError, match=f"the {what} of no examples is not defined: X has 0 rows"):
            call(X, Y)
    with pytest.raises(ValueError, match="there is nothing to train on: X in training_data has 0 rows"):
        net.SGD((X, np.zeros(0, int)), 1, 10, 0.1)
    assert net.predict(X).shape == (0,)  # predicting nothing is fine


@pytest.mark.parametrize("seed", [1.5, -1, "a", True, [1.0]])
def test_bad_seed(seed):
    """N10: before, NumPy's TypeError or "expected non-negative integer"."""
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0 \(or None for a random start\), got"):
        Network([4, 3, 2], seed=seed)
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0"):
        small().SGD((np.zeros((4, 4)), np.zeros(4, int)), 1, 2, 0.1, seed=seed)


def test_a_backprop_given_to_the_network_is_what_training_uses():
    """Network(..., backprop=fn): the documented way to train with a learner's backprop;
    the network's own backprop (the maths) stays the course's."""
    calls = []

    def mine(net, X, Y):
        calls.append(len(X))
        nabla_w, nabla_b = net.backprop(X, Y)
        return [2 * g for g in nabla_w], [2 * g for g in nabla_b]  # twice the step: visible in the weights

    X, y = np.random.default_rng(0).random((20, 4)), np.arange(20) % 2
    plain, doubled = Network([4, 3, 2], seed=0), Network([4, 3, 2], seed=0, backprop=mine)
    plain.SGD((X, y), 1, 5, 0.2, seed=1)
    doubled.SGD((X, y), 1, 5, 0.4 / 2, seed=1)
    assert calls == [5, 5, 5, 5]
    twice = Network([4, 3, 2], seed=0)
    twice.SGD((X, y), 1, 5, 0.4, seed=1)
    for a, b in zip(doubled.weights, twice.weights):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    same_weights = Network([4, 3, 2], weights=doubled.weights, biases=doubled.biases)
    for a, b in zip(doubled.backprop(X[:3], np.eye(2)[y[:3]])[0], same_weights.backprop(X[:3], np.eye(2)[y[:3]])[0]):
        np.testing.assert_array_equal(a, b)  # its own backprop is still the course's
    with pytest.raises(ValueError, match="backprop must be a function"):
        Network([4, 3, 2], backprop="mine")


def test_what_can_be_made_can_be_saved_and_loaded_one_limit_on_layers(tmp_path):
    """Issue 21: `train --sizes 784 (1,500 ones) 10` trained, then could not save;
    Network([784] + [2] * 999 + [10]) was made but refused when saved (at 0e00c9a; before
    that it saved and then refused to load). Now a network or model of more than MAX_LAYERS
    layers is refused when it is made, with the limit saving and loading share, and the
    largest allowed saves and loads."""
    from helpers.layers import Dense, Sequential
    from helpers.validation import MAX_LAYERS

    with pytest.raises(ValueError, match=r"sizes has 1,001 layers, more than the 1,000 a network here may have"):
        Network([784] + [2] * 999 + [10])
    with pytest.raises(ValueError, match=r"the model would have 1,001 layers, more than the 1,000 a model here"):
        Sequential([Dense(784, 2)] + [Dense(2, 2, "sigmoid") for _ in range(MAX_LAYERS - 1)] + [Dense(2, 10)])
    net = Network([784] + [2] * (MAX_LAYERS - 2) + [10], seed=0)
    save(net, tmp_path / "deep.npz")
    assert load(tmp_path / "deep.npz").sizes == net.sizes
    model = Sequential([Dense(784, 2)] + [Dense(2, 2, "sigmoid") for _ in range(MAX_LAYERS - 2)] + [Dense(2, 10)])
    save(model, tmp_path / "deep_model.npz")
    assert len(load(tmp_path / "deep_model.npz").layers) == MAX_LAYERS
