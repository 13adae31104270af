"""One run of the grader (helpers/cli/grading/child.py) for one student and lesson, confined.

With Debian's bubblewrap (``bwrap``): a read-only view of only what Python and the course
need (the system's /usr, /etc, the Python installation and virtual environment, the
course's ``helpers/`` and the MNIST files; never the class's folder nor the teacher's home),
a fresh in-memory /tmp of ``SCRATCH_MB`` as the one writable place (gone when the run ends),
every namespace unshared (no network; its own process tree, so it can neither see nor signal
the report, and every process it leaves behind dies with it), a new session, all
capabilities dropped, and ``--die-with-parent``. Limits on CPU time, address space (memory),
file size and processes come from ``setrlimit`` before bwrap starts; the report also stops a
run that outlives its wall-clock time. The student's code reaches the child through its
stdin (the teacher's process read the notebook), and its records (never a "done": see
judge.py) come back on a pipe (fd 3), each line carrying a nonce made for this run, at most
``PIPE_MB`` in all; a key sent twice counts for nothing. Each exercise also has a wall-clock
limit (:func:`exercise_wall`) from its ``start`` line. stdout is thrown away and stderr kept
only up to ``FILE_MB``.

Without bwrap, :func:`available` says why, and the report runs nothing unless the teacher
asks for ``--no-sandbox`` (then the same limits apply, but the student's code could write
wherever the teacher can).
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the course's repository
SCRATCH_MB = 64
FILE_MB = 8
PIPE_MB = 48  # the records of one run, at most


@dataclass
class Limits:
    seconds: float = 20.0  # CPU seconds for each exercise (the child stops it)
    lesson_seconds: float = 120.0  # CPU seconds for a whole lesson's run; wall time twice that, and 10 s
    memory_mb: int = 2048
    processes: int = 64


def available() -> str | None:
    """None if bubblewrap works here; else why not, in a sentence for the teacher."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed: on Debian or Ubuntu, `sudo apt-get install bubblewrap`"
    try:
        done = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap does not start ({err})"
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        return (f"bubblewrap cannot make a sandbox here ({why[-1] if why else done.returncode}); user namespaces "
                "may be switched off (sysctl kernel.unprivileged_userns_clone=1), or this is a container "
                "that forbids them")
    return None


def read_only_paths() -> list[Path]:
    """What the sandbox may read: the system, Python, the course's code and the MNIST files."""
    paths = [Path(p) for p in ("/usr", "/etc", "/lib", "/lib64", "/bin", "/sbin")]
    paths += [Path(sys.base_prefix), Path(sys.prefix), ROOT / "helpers"]
    try:
        from helpers.mnist_files import data_dir
        paths.append(data_dir())
    except Exception:
        pass
    if os.environ.get("MNIST_MIRROR"):
        paths.append(Path(os.environ["MNIST_MIRROR"]))
    for p in list(paths):
        if p.is_symlink():
            paths.append(p.resolve())
    seen, kept = set(), []
    for p in paths:
        if p.exists() and str(p) not in seen:
            seen.add(str(p))
            kept.append(p)
    return kept


def command(python: str, mpl_cache: Path | None, seccomp: bool = False) -> list[str]:
    args = ["bwrap", *(["--seccomp", "4"] if seccomp else []), "--unshare-all", "--die-with-parent",
            "--new-session", "--cap-drop", "ALL",
            "--hostname", "sandbox", "--dev", "/dev", "--size", str(SCRATCH_MB << 20), "--tmpfs", "/tmp",
            "--chdir", "/tmp", "--clearenv"]
    for path in read_only_paths():
        args += ["--ro-bind", str(path), str(path)]
    if mpl_cache is not None:
        args += ["--ro-bind", str(mpl_cache), "/run/mpl-cache"]
    env = {"HOME": "/tmp", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
           "MPLCONFIGDIR": "/tmp/mpl", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
    for name in ("MNIST_MIRROR", "DIGITS_DATA_DIR"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    for name, value in env.items():
        args += ["--setenv", name, value]
    args += ["--remount-ro", "/"]  # the sandbox's own root (where bwrap made mount points) too
    return args + ["--", python, "-I", "-c", BOOT]


# The child's first lines: the course's package is found by its path (-I ignores the
# environment), and matplotlib's font list is copied in rather than rebuilt (seconds each run).
BOOT = (f"import sys, shutil, os; sys.path.insert(0, {str(ROOT)!r}); "
        "os.path.isdir('/run/mpl-cache') and shutil.copytree('/run/mpl-cache', '/tmp/mpl'); "
        "from helpers.cli.grading.child import main; sys.exit(main())")


# --- no new processes: a seccomp filter for bwrap --------------------------------------------
# RLIMIT_NPROC does not bind root (the kernel exempts uid 0, even inside a user namespace), and
# counts all of a user's processes. So the sandboxed program may start threads but no process:
# fork, vfork and clone without CLONE_THREAD fail with EAGAIN, clone3 with ENOSYS (the C library
# then falls back to clone). A fork bomb, or a process left running, cannot even begin.
# Architectures: x86-64 and AArch64 (elsewhere no filter, and RLIMIT_NPROC alone).

SYSCALLS = {"x86_64": (0xC000003E, {"fork": 57, "vfork": 58, "clone": 56, "clone3": 435}),
            "aarch64": (0xC00000B7, {"clone": 220, "clone3": 435})}
CLONE_THREAD = 0x00010000
EAGAIN, ENOSYS = 11, 38


def no_processes_filter() -> bytes | None:
    """The BPF program (struct sock_filter[]) for bwrap's --seccomp; None on other machines."""
    import platform
    import struct
    machine = platform.machine()
    if machine not in SYSCALLS:
        return None
    arch, numbers = SYSCALLS[machine]
    allow, eagain, enosys = 0x7FFF0000, 0x00050000 | EAGAIN, 0x00050000 | ENOSYS
    LD, JEQ, JSET, RET = 0x20, 0x15, 0x45, 0x06
    program = [(LD, 0, 0, 4),  # seccomp_data.arch
               (JEQ, 1, 0, arch),
               (RET, 0, 0, enosys),  # another ABI (32-bit calls on x86-64): Python never uses one
               (LD, 0, 0, 0)]  # seccomp_data.nr
    for name in ("fork", "vfork"):
        if name in numbers:
            program += [(JEQ, 0, 1, numbers[name]), (RET, 0, 0, eagain)]
    program += [(JEQ, 0, 1, numbers["clone3"]), (RET, 0, 0, enosys),
                (JEQ, 0, 4, numbers["clone"]),  # not clone: on to the last instruction
                (LD, 0, 0, 16),  # the low half of args[0], clone's flags
                (JSET, 0, 1, CLONE_THREAD),
                (RET, 0, 0, allow),
                (RET, 0, 0, eagain),  # clone without CLONE_THREAD: a new process
                (RET, 0, 0, allow)]
    return b"".join(struct.pack("<HBBI", *instruction) for instruction in program)


def font_cache(folder: Path) -> Path | None:
    """A matplotlib font list made once for the whole report (trusted), copied into each run."""
    try:
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env={**os.environ,
                       "MPLCONFIGDIR": str(folder)}, capture_output=True, timeout=300, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return folder


def limit(limits: Limits):
    def apply() -> None:
        cpu = int(limits.lesson_seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb << 20, limits.memory_mb << 20))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_MB << 20, FILE_MB << 20))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


@dataclass
class Outcome:
    verdicts: dict[str, tuple[str, str]]  # key -> (status, reason): what the child said itself (never "done")
    ready: bool  # the child had the course's side in place (its checks imported) before any student code
    finished: bool  # the child said it reached the end
    why: str  # when not finished: what stopped it
    cpu_seconds: float  # as the child measured itself (the grader's part included)
    stderr: str = ""  # its first 4,000 characters
    records: dict = field(default_factory=dict)  # key -> the child's record of the check's calls (judge.py)


def run(plan: dict, limits: Limits, sandboxed: bool = True, mpl_cache: Path | None = None) -> Outcome:
    """Run the child on ``plan`` (see child.py) and collect its verdicts; never raises for
    anything the student's code does."""
    nonce = secrets.token_hex(16)
    plan = {**plan, "nonce": nonce, "seconds": limits.seconds}
    python = sys.executable
    program = no_processes_filter() if sandboxed else None
    argv = command(python, mpl_cache, program is not None) if sandboxed else [python, "-I", "-c", BOOT]
    read_end, write_end = os.pipe()  # both close on exec; the child's fd 3 is a copy
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as bpf:
        stdin.write(json.dumps(plan).encode())
        stdin.seek(0)
        bpf.write(program or b"")
        bpf.seek(0)
        env = None if sandboxed else {"HOME": tempfile.gettempdir(), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg",
                                      "OPENBLAS_NUM_THREADS": "1", **{k: os.environ[k] for k in
                                      ("MNIST_MIRROR", "DIGITS_DATA_DIR") if k in os.environ}}
        pipe_fd, bpf_fd = write_end, bpf.fileno()

        def setup() -> None:  # in the new process, before bwrap starts: fd 3 the pipe, fd 4 the filter
            import fcntl
            high_pipe = fcntl.fcntl(pipe_fd, fcntl.F_DUPFD_CLOEXEC, 10)
            high_bpf = fcntl.fcntl(bpf_fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(high_pipe, 3)
            os.dup2(high_bpf, 4)
            limit(limits)()
        try:
            process = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=errors,
                                       preexec_fn=setup, start_new_session=True, env=env,
                                       close_fds=False)  # Python's own fds are not inheritable (PEP 446)
        except OSError as err:
            os.close(read_end)
            os.close(write_end)
            return Outcome({}, False, False, f"the grader could not start ({err})", 0.0)
        os.close(write_end)
        starts = frozenset((nonce + json.dumps({"start": e["key"]})).encode() for e in plan["exercises"])
        lines, why = read_lines(read_end, process, limits.lesson_seconds * 2 + 10, starts, exercise_wall(limits))
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill(process)
        errors.seek(0)
        tail = errors.read(4000).decode(errors="replace")
    verdicts, records, ready, finished, cpu, seen = {}, {}, False, False, 0.0, set()
    for line in lines:
        if not line.startswith(nonce):
            continue  # not from the grader: ignored
        try:
            message = json.loads(line[len(nonce):])
        except ValueError:
            continue
        if type(message) is not dict:
            continue
        if message.get("ready") is True:
            ready = True
        elif message.get("end") is True:
            finished = True
            cpu = message.get("cpu") if isinstance(message.get("cpu"), float) else 0.0  # a measure, not a verdict
        elif isinstance(message.get("key"), str) and len(message["key"]) <= 10:
            key = message["key"]
            if key in seen:  # only a cell that found the pipe sends twice: neither counts
                verdicts[key] = ("not checked", "two results for one exercise (a cell that forges them?): "
                                                "look at it by hand")
                records.pop(key, None)
                continue
            seen.add(key)
            said = message.get("verdict")
            if isinstance(said, list) and len(said) == 2 and said[0] in NOT_DONE and isinstance(said[1], str):
                verdicts[key] = (said[0], said[1][:300])
            elif "verdict" not in message:
                records[key] = message
    if not finished and not why:
        why = stopped_why(process.returncode, tail)
    return Outcome(verdicts, ready, finished, why, cpu, tail, records)


NOT_DONE = ("not done", "wrong", "not checked")  # what the child may say itself: "done" only the judge says


def exercise_wall(limits: Limits) -> float:
    """Wall-clock seconds one exercise may take (setup, cells and check) before its run is stopped."""
    return 2 * limits.seconds + 15


def read_lines(fd: int, process: subprocess.Popen, wall: float, starts: frozenset = frozenset(),
               each: float | None = None) -> tuple[list[str], str]:
    """The lines the child wrote to the pipe, at most PIPE_MB; stops it after ``wall`` seconds in
    all, or ``each`` seconds after it said ``start`` of an exercise (each exercise's first start
    only: a forged one gains nothing)."""
    import selectors
    data, now = b"", time.monotonic()
    deadline, why, started, scanned = now + wall, "", set(), 0
    exercise_deadline = now + each if each else deadline
    with selectors.DefaultSelector() as selector, os.fdopen(fd, "rb", buffering=0) as pipe:
        selector.register(pipe, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if now >= min(deadline, exercise_deadline):
                why = (f"stopped after {wall:g} s of wall-clock time (sleeping, or waiting on something)"
                       if now >= deadline else
                       f"an exercise was stopped after {each:g} s of wall-clock time (sleeping, or waiting on "
                       "something)")
                kill(process)
                break
            if not selector.select(min(min(deadline, exercise_deadline) - now, 1.0)):
                continue
            chunk = pipe.read(1 << 20)
            if not chunk:
                break
            data += chunk
            if len(data) > PIPE_MB << 20:
                why = f"the grader's pipe got more than {PIPE_MB} MB: stopped"
                kill(process)
                break
            if each and starts:  # a new exercise started: its own wall-clock time
                end = data.rfind(b"\n")
                for line in data[scanned:end + 1].split(b"\n"):
                    if line in starts and line not in started:
                        started.add(line)
                        exercise_deadline = time.monotonic() + each
                scanned = max(scanned, end + 1)
    return data.decode("utf-8", errors="replace").splitlines(), why


def kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # bwrap and everything in its session
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.kill()
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass


def stopped_why(code: int | None, stderr: str) -> str:
    """What ended a child that did not reach its end, in words."""
    if code is not None and code < 0:
        name = {signal.SIGXCPU: "it used up its CPU time", signal.SIGKILL: "it was killed (out of time or memory)",
                signal.SIGXFSZ: f"it wrote a file of more than {FILE_MB} MB",
                signal.SIGSEGV: "Python crashed"}.get(-code, f"signal {-code}")
        return f"the run stopped: {name}"
    lines = [line for line in stderr.splitlines() if line.strip()]
    if lines and "MemoryError" in stderr:
        return f"the run stopped: out of memory (more than the {Limits.memory_mb} MB allowed)"
    if code == 0 or code is None:
        return "the run ended before its last exercise (the cell ended Python?)"
    return f"the run stopped (exit status {code}): {lines[-1][:150] if lines else 'no message'}"
