"""Fetching, verifying and caching MNIST: against a real HTTP server on 127.0.0.1,
a local mirror folder, and (when MNIST_MIRROR is set or the cache is full) the real data."""

import errno
import gzip
import http.server
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import data, idx, images, mnist_files
from helpers.cli.data import main as data_command
from helpers.mnist_files import MnistError, fetch_file
from tests.conftest import real_data, gzip_bomb

REPO = Path(__file__).resolve().parent.parent


class Server:
    """A real HTTP server on 127.0.0.1 whose answers each test sets per path.

    ``routes[path] = ("ok", body)`` serves body; ``("404", None)`` answers Not Found;
    ``("drop", body)`` promises the whole body, sends half and closes the connection;
    ``("slow", body)`` waits 0.3 s first; ``("trickle", body)`` sends a byte every 20 ms;
    ``("silent", body)`` sends the headers and then nothing; ``("nolength", body)`` sends
    the body without a Content-Length.
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
                if mode == "slow":
                    time.sleep(0.3)
                self.send_response(200)
                if mode != "nolength":
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode in ("trickle", "silent"):
                    try:
                        for i in range(len(body)):
                            time.sleep(0.02)
                            if mode == "trickle":
                                self.wfile.write(body[i : i + 1])
                                self.wfile.flush()
                    except OSError:  # the client gave up
                        pass
                    self.close_connection = True
                    return
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


def test_a_download_reports_to_the_progress_display_it_is_given(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    calls = []

    class Display:  # the progress-display protocol of helpers.progress, writing down what it is told
        def start(self, total):
            calls.append(("start", total))

        def update(self, n=1, status=None):
            calls.append(("update", n))

        def close(self):
            calls.append(("close",))

    fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True, progress=Display())
    assert calls[0] == ("start", 1) and calls[-1] == ("close",)  # a tiny file: 1 KiB at most
    assert sum(n for kind, *rest in calls if kind == "update" for n in rest) == len(gz) // 1024
    calls.clear()
    fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True, progress=Display())
    assert calls == []  # cached: nothing to show


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


def test_a_cache_no_one_may_write_reads_the_mirror_in_place(tmp_path, tiny_file, monkeypatch):
    """A hub's shared, read-only install: the course's data/ cannot be written, and every
    student's MNIST_MIRROR names one read-only folder. Its verified copy is read where it is
    (issue 16). (A path under a file stands for the unwritable folder: root may write anywhere.)"""
    file, gz, _ = tiny_file
    mirror = tmp_path / "shared-mnist"
    mirror.mkdir()
    (mirror / "tiny-images-idx3-ubyte.gz").write_bytes(gz)
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("MNIST_MIRROR", str(mirror))
    assert fetch_file(file, tmp_path / "a-file" / "data", urls=(), quiet=True) == mirror / "tiny-images-idx3-ubyte.gz"
    (mirror / "tiny-images-idx3-ubyte.gz").write_bytes(gz[:-4])  # damaged: never read in place
    with pytest.raises(MnistError, match="cannot be a folder"):
        fetch_file(file, tmp_path / "a-file" / "data", urls=(), quiet=True)


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
    copied = mnist_files.export_mnist(tmp_path / "usb")
    assert sorted(p.name for p in copied) == sorted(f"{f.name}.gz" for f in mnist_files.MNIST_FILES.values())
    assert (tmp_path / "usb" / "SHA256SUMS").read_text().count("\n") == 4
    monkeypatch.setenv("MNIST_MIRROR", str(tmp_path / "usb"))
    paths = mnist_files.fetch_mnist(tmp_path / "fresh-cache", quiet=True, urls=())
    assert len(paths) == 4


# --- hostile and broken input (see tests/HOSTILE_INPUTS.md) ----------------------------

def tiny_script(file, body):
    """Python source for a child process that knows the tiny file and runs ``body``."""
    return (
        "import sys, time\nfrom pathlib import Path\nfrom helpers import mnist_files\n"
        f"file = mnist_files.MnistFile({file.name!r}, {file.sha256!r}, {file.shape!r})\n" + body
    )


def test_concurrent_processes_repair_a_damaged_cache_once(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "tiny-images-idx3-ubyte.gz").write_bytes(gz[: len(gz) // 2])  # damaged
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("slow", gz)  # slow: the processes overlap
    go = tmp_path / "go"
    body = (
        "go = Path(sys.argv[1])\nwhile not go.exists(): time.sleep(0.002)\n"
        "print(mnist_files.fetch_file(file, Path(sys.argv[2]), urls=(sys.argv[3],), quiet=True))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MNIST_MIRROR"}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", tiny_script(file, body), str(go), str(cache), server.url + "/a/"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(3)
    ]
    time.sleep(0.5)  # all three have started and wait for the signal
    go.touch()
    results = [child.communicate(timeout=20) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], "\n".join(err for _, err in results)
    assert {out.strip() for out, _ in results} == {str(cache / "tiny-images-idx3-ubyte.gz")}
    assert (cache / "tiny-images-idx3-ubyte.gz").read_bytes() == gz
    assert server.hits == ["/a/tiny-images-idx3-ubyte.gz"]  # one repaired it; the others waited and re-checked
    assert leftovers(cache) == []  # no lock file or .part left behind


def test_a_waiter_finds_the_copy_the_lock_holder_installed(server, tmp_path, tiny_file, no_mirror):
    # The same in one process, step by step: the cache is repaired while this call waits
    # for the lock, so it must return the new copy, not delete it.
    file, gz, _ = tiny_file
    (tmp_path / "tiny-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8bdamaged")
    holder = mnist_files._repair_lock(tmp_path, file, say=lambda msg: None)
    holder.__enter__()

    def repair_then_release():
        time.sleep(0.2)
        (tmp_path / "tiny-images-idx3-ubyte.gz").write_bytes(gz)
        holder.__exit__(None, None, None)

    threading.Thread(target=repair_then_release).start()
    path = fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True)
    assert path.read_bytes() == gz and server.hits == [] and leftovers(tmp_path) == []


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


@pytest.fixture
def tiny_mnist(monkeypatch, tmp_path, tiny_file, no_mirror):
    """MNIST made of the one tiny file, cached in tmp_path/cache (DIGITS_DATA_DIR)."""
    file, gz, _ = tiny_file
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{file.name}.gz").write_bytes(gz)
    monkeypatch.setattr(mnist_files, "MNIST_FILES", {"tiny": file})
    monkeypatch.setenv("DIGITS_DATA_DIR", str(cache))
    return cache


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_cache_and_export_files_get_the_umask_mode(server, tmp_path, tiny_file, tiny_mnist, umask, mask, mode):
    file, gz, _ = tiny_file
    umask(mask)
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    downloaded = fetch_file(file, tmp_path / "fresh", urls=(server.url + "/a/",), quiet=True)
    copied = fetch_file(file, tmp_path / "fresh2", mirror=tiny_mnist, urls=(), quiet=True)
    exported = mnist_files.export_mnist(tmp_path / "usb")
    for path in [downloaded, copied, *exported, tmp_path / "usb" / "SHA256SUMS"]:
        assert oct(path.stat().st_mode & 0o777) == oct(mode), path


def test_gzip_bomb_in_the_cache_is_rejected_and_removed(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    (tmp_path / "tiny-images-idx3-ubyte.gz").write_bytes(gzip_bomb(1 << 16, member=1 << 16))  # ~100 bytes -> 64 KB
    with pytest.raises(MnistError, match=r"decompresses to more than the 64-byte file .*\(removed\)"):
        fetch_file(file, tmp_path, urls=(), quiet=True)
    assert list(tmp_path.iterdir()) == []  # not kept for the next run to trip over
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    (tmp_path / "tiny-images-idx3-ubyte.gz").write_bytes(gzip_bomb(1 << 16, member=1 << 16))
    assert fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True).read_bytes() == gz


def test_gzip_bomb_in_a_mirror_or_a_download_is_not_kept(server, tmp_path, tiny_file, monkeypatch):
    file, _, _ = tiny_file
    bomb = gzip_bomb(1 << 16, member=1 << 16)
    mirror = tmp_path / "usb"
    mirror.mkdir()
    (mirror / "tiny-images-idx3-ubyte.gz").write_bytes(bomb)
    monkeypatch.setenv("MNIST_MIRROR", str(mirror))
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", bomb)
    with pytest.raises(MnistError) as err:
        fetch_file(file, tmp_path / "cache", urls=(server.url + "/a/",), quiet=True)
    message = str(err.value)
    assert message.count("decompresses to more than the 64-byte file") == 2  # the mirror's copy and the download
    assert list((tmp_path / "cache").iterdir()) == []


def test_oversized_mirror_file_is_not_copied(tmp_path, tiny_file, monkeypatch):
    file, gz, _ = tiny_file
    mirror = tmp_path / "usb"
    mirror.mkdir()
    (mirror / "tiny-images-idx3-ubyte.gz").write_bytes(gz + bytes(5000))
    monkeypatch.setenv("MNIST_MIRROR", str(mirror))
    with pytest.raises(MnistError, match=r"larger than any copy of tiny-images-idx3-ubyte can be \(1,088 bytes\); not copied"):
        fetch_file(file, tmp_path / "cache", urls=(), quiet=True)
    assert list((tmp_path / "cache").iterdir()) == []


def test_downloads_are_capped_at_the_known_size(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    huge = gz + bytes(5000)
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("ok", huge)  # Content-Length says too much: not even started
    server.routes["/b/tiny-images-idx3-ubyte.gz"] = ("nolength", huge)  # no length given: stopped at the cap
    with pytest.raises(MnistError) as err:
        fetch_file(file, tmp_path, urls=(server.url + "/a/", server.url + "/b/"), quiet=True)
    message = str(err.value)
    assert f"{server.url}/a/tiny-images-idx3-ubyte.gz: the server promises 5,{len(huge) - 5000:03d} bytes" in message
    assert f"{server.url}/b/tiny-images-idx3-ubyte.gz: sent more than 1,088 bytes" in message
    assert list(tmp_path.iterdir()) == []


def test_a_trickling_server_is_abandoned_at_the_deadline(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("trickle", gz)  # a byte every 20 ms: never a timeout
    server.routes["/b/tiny-images-idx3-ubyte.gz"] = ("ok", gz)
    started = time.monotonic()
    with pytest.raises(MnistError) as err:
        fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True, timeout=0.5, deadline=0.4)
    assert time.monotonic() - started < 1.5
    assert f"{server.url}/a/tiny-images-idx3-ubyte.gz: too slow: gave up after 0.4 s with " in str(err.value)
    assert list(tmp_path.iterdir()) == []
    # ... and the next mirror is tried after it.
    path = fetch_file(file, tmp_path, urls=(server.url + "/a/", server.url + "/b/"), quiet=True, deadline=0.4)
    assert path.read_bytes() == gz


def test_a_silent_server_times_out(server, tmp_path, tiny_file, no_mirror):
    file, gz, _ = tiny_file
    server.routes["/a/tiny-images-idx3-ubyte.gz"] = ("silent", gz)
    with pytest.raises(MnistError, match=r"/a/tiny-images-idx3-ubyte\.gz: timed out"):
        fetch_file(file, tmp_path, urls=(server.url + "/a/",), quiet=True, timeout=0.3)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def make_read_only(monkeypatch):
    """Make a folder read-only: with chmod where that stops this user (not root), else by
    making every call that would change the folder fail as a read-only one does."""
    folders = []

    def denied(path):
        return any(Path(os.path.abspath(path)).is_relative_to(f) for f in folders)

    def guard(real):
        def call(path, *args, **kwargs):
            if denied(path):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real(path, *args, **kwargs)
        return call

    def make(folder):
        folder = Path(folder).resolve()
        folder.chmod(0o555)
        probe = folder / ".probe"
        try:
            probe.touch()
        except PermissionError:
            return  # chmod works for this user
        probe.unlink()
        folders.append(folder)
        for name in ("open", "mkdir", "unlink", "replace", "rename"):
            monkeypatch.setattr(os, name, guard(getattr(os, name)))

    yield make
    for folder in folders:
        folder.chmod(0o755)


def test_read_only_cache_with_a_damaged_file_says_so(tmp_path, tiny_file, no_mirror, make_read_only):
    file, gz, _ = tiny_file
    cache = tmp_path / "hub-data"
    cache.mkdir()
    (cache / "tiny-images-idx3-ubyte.gz").write_bytes(gz[:30])
    make_read_only(cache)
    try:
        with pytest.raises(MnistError) as err:
            fetch_file(file, cache, urls=("http://127.0.0.1:9/",), quiet=True)
    finally:
        cache.chmod(0o755)
    message = str(err.value)
    assert "tiny-images-idx3-ubyte.gz: the gzip data is damaged" in message
    assert f"It cannot be replaced: {cache} is not writable (Permission denied)" in message
    assert "DIGITS_DATA_DIR" in message and "internet" not in message
    assert (cache / "tiny-images-idx3-ubyte.gz").exists()  # nothing of anyone's was removed


def test_read_only_cache_with_good_files_still_works(tmp_path, tiny_file, no_mirror, make_read_only):
    file, gz, _ = tiny_file
    (tmp_path / "tiny-images-idx3-ubyte.gz").write_bytes(gz)
    make_read_only(tmp_path)
    try:
        assert fetch_file(file, tmp_path, urls=(), quiet=True).read_bytes() == gz
    finally:
        tmp_path.chmod(0o755)


def test_unreadable_cached_file_says_so(tmp_path, tiny_file, no_mirror, monkeypatch):
    file, gz, _ = tiny_file
    path = tmp_path / "tiny-images-idx3-ubyte.gz"
    path.write_bytes(gz)
    path.chmod(0o000)
    try:
        open(path, "rb").close()
        # Root reads it anyway: make the reader see what another user would.
        def refuse(p, *args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(p))
        monkeypatch.setattr(idx, "open", refuse, raising=False)
    except PermissionError:
        pass
    try:
        with pytest.raises(MnistError) as err:
            fetch_file(file, tmp_path, urls=(), quiet=True)
    finally:
        path.chmod(0o644)
    message = str(err.value)
    assert f"The cached copy {path} cannot be read (Permission denied)" in message
    assert f"chmod a+r {path}" in message and "DIGITS_DATA_DIR" in message and "internet" not in message
    assert path.read_bytes() == gz  # not someone's damaged file: left alone


def test_cache_path_that_is_a_file_says_so(tmp_path, tiny_file, no_mirror, monkeypatch, capsys):
    file, _, _ = tiny_file
    not_a_folder = tmp_path / "mnist.zip"
    not_a_folder.write_bytes(b"PK")
    monkeypatch.setenv("DIGITS_DATA_DIR", str(not_a_folder))
    with pytest.raises(MnistError) as err:
        fetch_file(file, urls=("http://127.0.0.1:9/",), quiet=True)
    message = str(err.value)
    assert f"{not_a_folder} (the cache folder, set by DIGITS_DATA_DIR) is a file, not a folder" in message
    assert "internet" not in message
    # A path *inside* a file, and the command line, too.
    monkeypatch.setenv("DIGITS_DATA_DIR", str(not_a_folder / "data"))
    monkeypatch.setattr(mnist_files, "MNIST_FILES", {"tiny": file})
    monkeypatch.setattr(mnist_files, "MIRROR_URLS", ())
    assert data_command(["--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "part of that path is a file" in err and "internet" not in err


@pytest.mark.parametrize("where", ["a file", "/proc", "read-only", "inside a file"])
def test_export_to_an_unusable_place_gives_a_message(tmp_path, tiny_mnist, capsys, make_read_only, where):
    destination = {
        "a file": tmp_path / "handout.txt",
        "/proc": Path("/proc"),
        "read-only": tmp_path / "shared",
        "inside a file": tmp_path / "handout.txt" / "mnist",
    }[where]
    (tmp_path / "handout.txt").write_text("not a folder")
    if where == "/proc" and not Path("/proc").is_dir():
        pytest.skip("no /proc on this system")
    if where == "read-only":
        destination.mkdir()
        make_read_only(destination)
    assert data_command(["--export", str(destination), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: Cannot export to {destination}: ") and "Traceback" not in err
    assert "choose a folder you can write to" in err
    expected = {
        "a file": "is a file, not a folder",
        "/proc": "files cannot be created in /proc",
        "read-only": "is not writable (Permission denied)",
        "inside a file": "part of that path is a file",
    }[where]
    assert expected in err
    assert (tmp_path / "handout.txt").read_text() == "not a folder"


def test_export_works_and_is_verified(tmp_path, tiny_mnist, tiny_file, capsys):
    file, gz, _ = tiny_file
    assert data_command(["--export", str(tmp_path / "usb")]) == 0
    assert (tmp_path / "usb" / "tiny-images-idx3-ubyte.gz").read_bytes() == gz
    assert "Exported 1 files" in capsys.readouterr().out


# Peak memory of the child itself: VmHWM belongs to the process's own address space,
# unlike getrusage's ru_maxrss, which Linux carries over from the parent across exec.
PEAK_SCRIPT = """
import sys
from helpers import mnist_files
for file in mnist_files.MNIST_FILES.values():
    try:
        mnist_files.fetch_file(file, urls=(), quiet=True)
        sys.exit(f"accepted a hostile {file.name}")
    except mnist_files.MnistError as err:
        print(str(err).splitlines()[1], file=sys.stderr)
print(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1])  # KiB
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc/self/status (Linux)")
def test_small_hostile_files_never_use_much_memory(tmp_path):
    # Every MNIST file replaced by something that expands or claims a lot, 10 MB in all.
    cache = tmp_path / "cache"
    cache.mkdir()
    files = mnist_files.MNIST_FILES
    (cache / f"{files['train_images'].name}.gz").write_bytes(gzip_bomb(4 << 30, member=16 << 20))  # 4 MB -> 4 GB
    (cache / files["train_labels"].name).write_bytes(bytes(3 << 20))  # plain, 3 MB (more than 60,008 bytes)
    header = bytes([0, 0, 8, 3]) + (2**31).to_bytes(4, "big") * 3  # claims 2^93 pixels
    (cache / f"{files['test_images'].name}.gz").write_bytes(gzip.compress(header + bytes(1000)))
    (cache / f"{files['test_labels'].name}.gz").write_bytes(gzip_bomb(1 << 30, member=16 << 20))  # 1 MB -> 1 GB
    assert sum(p.stat().st_size for p in cache.iterdir()) < 10_000_000
    env = {k: v for k, v in os.environ.items() if k != "MNIST_MIRROR"} | {"DIGITS_DATA_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    messages = done.stderr.splitlines()
    assert len(messages) == 4 and all("(removed)" in m for m in messages), done.stderr
    assert "decompresses to more than the 47,040,016-byte file" in messages[0]
    assert "3,145,728 bytes, more than the 60,008-byte file" in messages[1]
    assert "do not match t10k-images-idx3-ubyte" in messages[2]
    assert "too large to be a compressed copy of the 10,008-byte file" in messages[3]
    assert list(cache.iterdir()) == []
    peak_mb = int(done.stdout.split()[-1]) / 1024
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB"  # the limit asked for is 1 GB; about 140 MB is usual


# ----------------------------------------------------------------- small digits (notebook 10)


@pytest.mark.parametrize("side", [0, 29, 2.5])
def test_small_digits_refuses_a_side_it_cannot_shrink_to(side):
    X, y = np.zeros((20, 784), np.float32), np.arange(20) % 10
    with pytest.raises(ValueError, match="side must be a whole number from 1 to 28"):
        data.small_digits(1, side=side, data=(X, y))


def test_small_digits_are_balanced_distinct_and_repeatable():
    rng = np.random.default_rng(1)
    X = rng.random((300, 784)).astype(np.float32)
    X[:, 0] = np.arange(300) / 300  # each image told apart by its first pixel
    y = np.arange(300) % 10
    small = data.small_digits(20, side=20, rng=2, data=(X, y))
    assert small.X.shape == (200, 400) and small.X.dtype == np.float32 and small.y.dtype == np.int64
    assert np.all(np.bincount(small.y, minlength=10) == 20)
    # every chosen image is one of the originals, shrunk, with its own label, and none twice
    shrunk = images.resample(X.reshape(-1, 28, 28), 20, 20).reshape(-1, 400)
    where = [int(np.flatnonzero(np.all(np.isclose(shrunk, row), axis=1))[0]) for row in small.X]
    assert len(set(where)) == 200 and np.array_equal(y[where], small.y)
    again = data.small_digits(20, side=20, rng=2, data=(X, np.eye(10)[y]))  # one-hot labels work too
    np.testing.assert_array_equal(again.X, small.X)
    assert not np.array_equal(data.small_digits(20, rng=3, data=(X, y)).X, small.X)
    with pytest.raises(ValueError, match="only 30"):
        data.small_digits(31, data=(X, y))
    with pytest.raises(ValueError, match="n_per_class"):
        data.small_digits(0, data=(X, y))


@real_data
def test_small_digits_from_mnist_is_the_size_of_the_classic_set():
    small = data.small_digits(rng=0)
    assert small.X.shape == (5_000, 400) and np.all(np.bincount(small.y) == 500)
    assert 0 <= small.X.min() and small.X.max() <= 1
