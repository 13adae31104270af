"""Fetching, verifying and caching MNIST: against a real HTTP server on 127.0.0.1,
a local mirror folder, and (when MNIST_MIRROR is set or the cache is full) the real data."""

import gzip
import http.server
import os
import threading

import numpy as np
import pytest

from helpers import data
from helpers.data import MnistError, fetch_file


class Server:
    """A real HTTP server on 127.0.0.1 whose answers each test sets per path.

    ``routes[path] = ("ok", body)`` serves body; ``("404", None)`` answers Not Found;
    ``("drop", body)`` promises the whole body, sends half and closes the connection.
    """

    def __init__(self):
        self.routes, self.hits = {}, []
        routes, hits = self.routes, self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                mode, body = routes.get(self.path, ("404", None))
                if mode == "404":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "drop":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args):  # keep test output clean
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def leftovers(folder):
    """Files in the cache folder other than finished ones (e.g. half-written .part files)."""
    return [p.name for p in folder.iterdir() if p.name.endswith(".part") or p.name.startswith(".")]


def test_download_verifies_and_caches(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    path = fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True)
    assert path == tmp_path / "tiny-images-idx3-ubyte.gz" and path.read_bytes() == gz
    # A second call uses the cache and does not touch the network.
    server.hits.clear()
    assert fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True) == path
    assert server.hits == []


def test_404_then_falls_back_to_the_next_mirror(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    server.routes["/b/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    urls = (server.url + "/a/", server.url + "/b/")
    path = fetch_file(file, tmp_path, urls=urls, quiet=True)
    assert path.read_bytes() == gz
    assert server.hits == ["/a/tiny-images-idx3-ubyte.gz", "/b/tiny-images-idx3-ubyte.gz"]


def test_corrupted_download_is_rejected_and_not_kept(server, tmp_path, tiny_file, no_mirror):
    file, _, raw = tiny_file
    damaged = bytearray(raw)
    damaged[-1] ^= 0xFF  # one pixel changed: still a valid IDX file, wrong contents
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", gzip.compress(bytes(damaged)))
    with pytest.raises(MnistError) as err:
        fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True)
    message = str(err.value)
    assert "tiny-images-idx3-ubyte" in message and "do not match" in message
    assert "MNIST_MIRROR" in message  # says what to do
    assert list(tmp_path.iterdir()) == []  # the bad copy was not kept


def test_corrupted_then_good_mirror(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", b"<html>captive portal</html>")
    server.routes["/b/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    path = fetch_file(file, tmp_path, urls=(server.url + "/a/", server.url + "/b/"), quiet=True)
    assert path.read_bytes() == gz and leftovers(tmp_path) == []


def test_connection_dropped_mid_transfer_leaves_nothing(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("drop", gz)
    with pytest.raises(MnistError, match=r"connection dropped after \d+ .*bytes"):
        fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True)
    assert list(tmp_path.iterdir()) == []
    # ... and the next mirror is tried after a drop.
    server.routes["/b/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    path = fetch_file(file, tmp_path, urls=(server.url + "/a/", server.url + "/b/"), quiet=True)
    assert path.read_bytes() == gz and leftovers(tmp_path) == []


def test_every_source_failing_lists_what_was_tried(server, tmp_path, tiny_file, monkeypatch):
    file, _, _ = tiny_file
    monkeypatch.setenv("MNIST_MIRROR", str(tmp_path / "no-such-usb-stick"))
    urls = (server.url + "/a/", "http://127.0.0.1:9/")  # port 9: nothing listens there
    with pytest.raises(MnistError) as err:
        fetch_file(file, tmp_path / "cache", urls=urls, quiet=True)
    message = str(err.value)
    assert "no-such-usb-stick is not a folder" in message
    assert f"{server.url}/a/tiny-images-idx3-ubyte.gz: HTTP 404" in message
    assert "127.0.0.1:9/tiny-images-idx3-ubyte.gz: could not connect" in message
    assert "internet connection" in message and "MNIST_MIRROR" in message


def test_damaged_cache_is_removed_and_fetched_again(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    (tmp_path / "tiny-images-idx3-ubyte.gz").write_bytes(gz[: len(gz) // 2])
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    path = fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True)
    assert path.read_bytes() == gz


def test_local_mirror_accepts_a_recompressed_or_uncompressed_copy(tmp_path, tiny_file, monkeypatch):
    file, gz, raw = tiny_file
    mirror = tmp_path / "usb"
    mirror.mkdir()
    recompressed = gzip.compress(raw, compresslevel=1, mtime=12345)
    assert recompressed != gz  # different .gz bytes, same contents
    (mirror / "tiny-images-idx3-ubyte.gz").write_bytes(recompressed)
    monkeypatch.setenv("MNIST_MIRROR", str(mirror))
    path = fetch_file(file, tmp_path / "cache", urls=(), quiet=True)
    assert path.read_bytes() == recompressed

    (mirror / "tiny-images-idx3-ubyte.gz").unlink()
    (mirror / "tiny-images-idx3-ubyte").write_bytes(raw)
    path = fetch_file(file, tmp_path / "cache2", urls=(), quiet=True)
    assert path.name == "tiny-images-idx3-ubyte" and path.read_bytes() == raw


def test_local_mirror_with_a_bad_copy_falls_back_to_download(server, tmp_path, tiny_file, monkeypatch):
    file, gz, _ = tiny_file
    mirror = tmp_path / "usb"
    mirror.mkdir()
    (mirror / "tiny-images-idx3-ubyte.gz").write_bytes(gz[:20])
    monkeypatch.setenv("MNIST_MIRROR", str(mirror))
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    path = fetch_file(file, tmp_path / "cache", urls=(server.url + "/a/",), quiet=True)
    assert path.read_bytes() == gz and leftovers(tmp_path / "cache") == []


def test_scale_pixels_and_one_hot():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    X = data.scale_pixels(images)
    assert X.dtype == np.float32 and X.shape == (1, 4)
    np.testing.assert_allclose(X, [[0, 1, 0.2, 0.4]], rtol=1e-6)
    np.testing.assert_array_equal(data.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="between 0 and 9"):
        data.one_hot(np.array([10]))
    with pytest.raises(ValueError, match="1-D array of integer labels"):
        data.one_hot(np.array([[1.0]]))


# --- the real MNIST files -------------------------------------------------------------

real_data = pytest.mark.skipif(
    not os.environ.get("MNIST_MIRROR")
    and not all(data.cached_path(f, data.data_dir()) for f in data.MNIST_FILES.values()),
    reason="set MNIST_MIRROR (or run `make data`) to test the real MNIST files",
)

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@real_data
def test_real_mnist_shapes_counts_and_first_labels():
    mnist = data.load_mnist()
    assert mnist.train_images.shape == (60_000, 28, 28) and mnist.train_images.dtype == np.uint8
    assert mnist.test_images.shape == (10_000, 28, 28)
    assert mnist.train_labels[:6].tolist() == [5, 0, 4, 1, 9, 2]
    assert np.bincount(mnist.train_labels).tolist() == TRAIN_COUNTS
    assert np.bincount(mnist.test_labels).tolist() == TEST_COUNTS


@real_data
def test_real_split():
    train, validation, test = data.load_datasets()
    assert (len(train), len(validation), len(test)) == (50_000, 10_000, 10_000)
    assert train.X.shape == (50_000, 784) and train.X.dtype == np.float32
    assert 0.0 == train.X.min() and train.X.max() == 1.0
    assert train.y.dtype == np.int64 and train.y[:6].tolist() == [5, 0, 4, 1, 9, 2]
    everything, empty, _ = data.load_datasets(n_validation=0, one_hot_labels=True)
    assert everything.y.shape == (60_000, 10) and len(empty) == 0


@real_data
def test_export_makes_a_usable_mirror(tmp_path, monkeypatch):
    copied = data.export_mnist(tmp_path / "usb")
    assert sorted(p.name for p in copied) == sorted(f"{f.name}.gz" for f in data.MNIST_FILES.values())
    assert (tmp_path / "usb" / "SHA256SUMS").read_text().count("\n") == 4
    monkeypatch.setenv("MNIST_MIRROR", str(tmp_path / "usb"))
    paths = data.fetch_mnist(tmp_path / "fresh-cache", quiet=True, urls=())
    assert len(paths) == 4
