"""The students' notebooks in a folder: whose each is, which lesson, and what cannot be read.

Either a folder per student (``class/alice/02_perceptrons.ipynb``, at any depth below it:
``class/alice/week 2/02_perceptrons.ipynb`` is still alice's) or the notebooks side by side,
named after the student (``alice_02_perceptrons.ipynb``, ``j.smith-02_perceptrons.ipynb``,
``02_perceptrons_alice.ipynb``). The lesson is found by its full name (``02_perceptrons``),
so a date in a name is never taken for a lesson. A student with the same lesson twice is
reported as a duplicate, never one copy picked.

Symbolic links: a student's folder may itself be a link (``class/ivy -> /home/ivy``, as a
teacher makes on a hub), but not one into the class's folder. Inside a student's folder, a link
is followed only if it stays in that folder: a link to the course's complete edition, to a
classmate's folder or notebook, or anywhere else is not read, and listed with the problems.
A notebook named at the top of the class's folder is never a link.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

SEPARATORS = " _-."


@dataclass
class Collected:
    notebooks: dict[str, dict[str, Path]] = field(default_factory=dict)  # student -> lesson -> notebook
    duplicates: dict[tuple[str, str], list[Path]] = field(default_factory=dict)  # (student, lesson) -> copies
    ignored: list[tuple[Path, str]] = field(default_factory=list)  # notebooks not read, and why


def natural_key(text: str) -> list:
    """"student 2" before "student 10": numbers in a name compare as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", text)
            if part]


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def walk(folder: Path, refused: list | None = None):
    """Every .ipynb file below ``folder`` that is the student's own (see the module's docstring),
    following a link to a folder once; hidden folders and files (.ipynb_checkpoints) skipped.
    The links not followed are appended to ``refused`` as (path relative to ``folder``, why)."""
    refused = [] if refused is None else refused
    top_real = os.path.realpath(folder)
    seen = set()

    def visit(path: Path, own: str, depth: int):
        real = os.path.realpath(path)
        if real in seen:
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = Path(entry.path)
            link = entry.is_symlink()
            target = os.path.realpath(child) if link else ""
            if link and depth == 0 and not os.path.isdir(child):
                refused.append((child.relative_to(folder), "a link, not a notebook: hand in the file itself"))
                continue
            if link and depth == 0 and (inside(target, top_real) or inside(top_real, target)):
                refused.append((child.relative_to(folder), "a link into the class's folder (another student's?)"))
                continue
            if link and depth > 0 and not inside(target, own):
                refused.append((child.relative_to(folder), "a link that leaves the student's folder"))
                continue
            if os.path.isdir(child):
                yield from visit(child, os.path.realpath(child) if depth == 0 else own, depth + 1)
            elif entry.name.endswith(".ipynb"):
                yield child

    yield from visit(folder, top_real, 0)


def collect(folder: Path, lesson_names: list[str]) -> Collected:
    """The notebooks in ``folder`` by student and lesson; ``lesson_names`` like "02_perceptrons"."""
    names = "|".join(re.escape(n) for n in sorted(lesson_names, key=len, reverse=True))
    pattern = re.compile(f"(?<![A-Za-z0-9])({names})(?![A-Za-z0-9])")
    found: dict[tuple[str, str], list[Path]] = {}
    out, real_seen, refused = Collected(), {}, []
    for path in walk(folder, refused):
        relative = path.relative_to(folder)
        match = pattern.search(path.stem)
        if not match:
            out.ignored.append((relative, "its name has no lesson's name in it (such as 02_perceptrons)"))
            continue
        lesson = match.group(1)[:2]
        if len(relative.parts) > 1:
            student = relative.parts[0]
        else:
            student = (path.stem[: match.start()] + " " + path.stem[match.end():]).strip(SEPARATORS)
            student = re.sub(r"[ _-]{2,}", " ", student)
            if not student:
                out.ignored.append((relative, "a lesson's notebook with no student's name: put it in a folder "
                                              "named after the student"))
                continue
        real = os.path.realpath(path)
        if real_seen.get((student, lesson)) == real:  # the same file reached twice (a link)
            continue
        real_seen.setdefault((student, lesson), real)
        found.setdefault((student, lesson), []).append(relative)
    out.ignored += refused
    for (student, lesson), paths in found.items():
        if len(paths) > 1:
            out.duplicates[(student, lesson)] = paths
        else:
            out.notebooks.setdefault(student, {})[lesson] = folder / paths[0]
    for student in {s for s, _ in out.duplicates}:
        out.notebooks.setdefault(student, {})
    out.notebooks = dict(sorted(out.notebooks.items(), key=lambda item: natural_key(item[0])))
    return out
