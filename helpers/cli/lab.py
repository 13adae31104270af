"""Open the course in JupyterLab, in the learner's own copy: what ``make lab`` runs.

    python -m helpers lab [JUPYTER LAB OPTIONS...]      (from the course's folder)
    python -m helpers lab --prepare-only                 (steps 1 and 2 only: Binder's postBuild)

1. The student edition (the lessons with the worked solutions taken out, see
   :mod:`helpers.cli.student_edition`) goes into ``student/``, git-ignored. Only notebooks that
   are not there yet are written: a learner's work is never touched, and a lesson added
   to the course later still arrives. (To start a lesson afresh, delete or rename it.)
   A notebook there that JupyterLab could not open (cut short, not a notebook) is renamed
   to NAME.damaged, never deleted, and a fresh copy is written; the command says so.
2. JupyterLab's news pop-up and update check are turned off (``overrides.json`` in this
   Python's JupyterLab settings folder: the course's environment, not the learner's own
   settings).
3. JupyterLab starts on 127.0.0.1 (with ``--allow-root`` when run as root), showing the
   whole course folder, and the link it prints opens notebook 01 of ``student/`` even where
   it cannot start a browser itself (headless, remote, WSL): copy the link into one.

The complete edition, with every solution, stays in ``notebooks/``: reading it is allowed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from helpers.cli import student_edition
from helpers.files import CannotWrite, write_bytes

STUDENT = "student"
FIRST = "01_meet_the_digits.ipynb"
# JupyterLab reads this file in its settings folder (in sys.prefix) before the user's own settings.
OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def settings_folder(prefix: str = sys.prefix) -> Path:
    """JupyterLab's application settings folder for the Python in ``prefix``."""
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings"


def quiet_news(folder: Path | None = None) -> bool:
    """Turn JupyterLab's news pop-up and update check off in ``overrides.json`` (keeping
    any other overrides there); False if that folder cannot be written (a shared hub)."""
    path = (folder or settings_folder()) / "overrides.json"
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        current = {}
    if not isinstance(current, dict):
        current = {}
    merged = dict(current)
    for plugin, values in OVERRIDES.items():
        merged[plugin] = {**(current.get(plugin) if isinstance(current.get(plugin), dict) else {}), **values}
    if merged == current:
        return True
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, (json.dumps(merged, indent=1) + "\n").encode())
    except (OSError, CannotWrite):
        return False
    return True


def damaged(path: Path) -> str | None:
    """Why the learner's notebook ``path`` cannot be opened as JupyterLab opens it (it reads
    it with nbformat, and shows "Unreadable Notebook" when that fails), or None if it can."""
    import nbformat  # here, not at the top: only `make lab` needs it

    if path.is_symlink() and not path.exists():
        return f"it is a link to {os.readlink(path)}, which does not exist"
    if path.is_dir():
        return "it is a folder, not a notebook"
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        return f"it cannot be read ({err.strerror or err})"
    except UnicodeDecodeError:
        return "it is not text (UTF-8), as a notebook is"
    if not text.strip():
        return "it is empty"
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return "it is not valid JSON (cut short while it was being saved?)"
    try:
        nbformat.convert(nbformat.reader.reads(text), 4)
    except Exception as err:  # nbformat raises many kinds; JupyterLab catches them all the same way
        return f"it is JSON but not a notebook JupyterLab can open ({type(err).__name__})"
    return None


def set_aside(root: Path) -> list[str]:
    """Rename each of the learner's notebooks in ``root/student`` that JupyterLab could not
    open (see :func:`damaged`) to NAME.damaged (or NAME.damaged-2, ...), never deleting
    it, so that a fresh copy takes its place; what was done, one line each. An OSError
    (as an EditionError) if one cannot be renamed."""
    done = []
    for source in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        path = root / STUDENT / source.name
        if not (path.exists() or path.is_symlink()) or (why := damaged(path)) is None:
            continue
        aside, n = path.with_name(path.name + ".damaged"), 1
        while aside.exists() or aside.is_symlink():
            n += 1
            aside = path.with_name(f"{path.name}.damaged-{n}")
        try:
            path.rename(aside)
        except OSError as err:
            raise student_edition.EditionError(
                f"{STUDENT}/{path.name} cannot be opened: {why}; and it cannot be renamed aside "
                f"({err.strerror}): rename it yourself and run `make lab` again") from None
        done.append(f"{STUDENT}/{path.name} could not be opened: {why}. It is kept as {STUDENT}/{aside.name} "
                    f"(open that in a text editor to copy your work out) and a fresh copy takes its place.")
    return done


def check_folder(root: Path) -> None:
    """An EditionError, with what to do, if ``root/student`` is a broken link or a file."""
    folder = root / STUDENT
    if folder.is_symlink() and not folder.exists():
        raise student_edition.EditionError(
            f"{STUDENT} is a link to {os.readlink(folder)}, which does not exist (a drive not connected?). "
            f"Connect it and run `make lab` again; or, to start afresh, rename the link "
            f"(mv {STUDENT} {STUDENT}.old) and run `make lab` again. Nothing was changed.")
    if folder.exists() and not folder.is_dir():
        raise student_edition.EditionError(
            f"{STUDENT} is a file, not the folder of your notebooks: rename it (mv {STUDENT} {STUDENT}.old) "
            f"and run `make lab` again. Nothing was changed.")


def prepare(root: Path) -> tuple[list[str], list[str]]:
    """Set aside the learner's notebooks that cannot be opened, then write the notebooks
    ``root/student`` does not have (yet, or any more): (what was set aside, the names written)."""
    check_folder(root)
    repaired = set_aside(root) if (root / STUDENT).is_dir() else []
    return repaired, sorted(student_edition.write_edition(root / "notebooks", root / STUDENT, missing_only=True))


def command(root: Path, extra: list[str]) -> list[str]:
    """The ``jupyter lab`` command line: 127.0.0.1, the course folder, notebook 01 in the link."""
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    line = [jupyter, "lab", "--ip=127.0.0.1", f"--ServerApp.root_dir={root}",
            # The link JupyterLab prints is this page: notebook 01 opens from the link alone.
            f"--LabApp.default_url=/lab/tree/{STUDENT}/{FIRST}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        line.append("--allow-root")  # containers and Binder-like machines run as root on purpose
    return line + extra


def main(argv: list[str] | None = None) -> int:
    extra = sys.argv[1:] if argv is None else argv
    if extra[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    prepare_only = extra[:1] == ["--prepare-only"]
    root = Path.cwd()
    if not (root / "notebooks" / FIRST).exists():
        print(f"error: no notebooks/{FIRST} here ({root}): run `make lab` in the course's folder", file=sys.stderr)
        return 2
    try:
        repaired, written = prepare(root)
    except (student_edition.EditionError, OSError) as err:
        print(f"error: cannot write your copy of the notebooks in {root / STUDENT}: {err}", file=sys.stderr)
        if isinstance(err, student_edition.NotebookError):
            print("The fault is in the course's notebooks/, not in your work. If you changed that notebook, "
                  "undo the change (`git diff notebooks/` shows it); if not, tell whoever runs the course.",
                  file=sys.stderr)
        return 1
    for line in repaired:
        print(line)
    if written:
        print(f"Your own copy of the notebooks, with the exercises to do: {STUDENT}/ "
              f"({len(written)} new: {', '.join(written)}).")
    print(f"Your work is in {STUDENT}/ and is never overwritten; the worked solutions are in notebooks/.")
    if not quiet_news():
        print("(JupyterLab's news pop-up could not be turned off here: this Python's folder is read-only.)")
    if prepare_only:
        return 0
    print(f"Starting JupyterLab. If no browser opens, copy the link below that starts with http://127.0.0.1 "
          f"into one: it opens {STUDENT}/{FIRST}. Stop JupyterLab with Ctrl+C.", flush=True)
    line = command(root, extra)
    os.execv(line[0], line) if os.path.isabs(line[0]) else os.execvp(line[0], line)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
