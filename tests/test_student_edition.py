import json
from pathlib import Path

from helpers.cli.student_edition import main, strip_solutions

NOTEBOOK_01 = Path(__file__).resolve().parent.parent / "notebooks" / "01_meet_the_digits.ipynb"


def test_strip_keeps_indentation_and_the_rest_of_the_cell():
    source = "def f(x):\n    # BEGIN SOLUTION\n    return x + 1\n    # END SOLUTION\n\n\ncheck.f(f)"
    assert strip_solutions(source, "Exercise 2") == (
        'def f(x):\n    raise NotImplementedError("Exercise 2: your code here")\n\n\ncheck.f(f)'
    )


def test_student_edition_of_notebook_01(tmp_path):
    main([str(tmp_path)])
    student = json.loads((tmp_path / NOTEBOOK_01.name).read_text())
    code = ["".join(c["source"]) for c in student["cells"] if c["cell_type"] == "code"]
    assert not any("BEGIN SOLUTION" in c or "reshape(len(images), 784).astype" in c for c in code)
    assert sum('NotImplementedError("Exercise' in c for c in code) == 3
    assert 'NotImplementedError("Exercise 1: your code here")' in "".join(code)
    assert all(not c["outputs"] and c["execution_count"] is None for c in student["cells"] if c["cell_type"] == "code")


# ---------------------------------------------------------------- it never destroys work (issue 10)


def write_notebooks(folder):
    """Two tiny notebooks with a solution each, written by the test."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("01_one.ipynb", "02_two.ipynb"):
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                "source": "def f(x):\n    # BEGIN SOLUTION\n    return x + 1\n    # END SOLUTION\n"}
        (folder / name).write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return folder


def test_refuses_the_folder_the_notebooks_come_from(tmp_path, capsys):
    """N17: before, every solution in the complete edition was stripped (data loss)."""
    source = write_notebooks(tmp_path / "notebooks")
    before = {p.name: p.read_text() for p in source.iterdir()}
    for destination in (source, tmp_path / "notebooks" / ".." / "notebooks"):
        assert main([str(destination), "--notebooks", str(source)]) == 1
        assert "is the folder the notebooks come from" in capsys.readouterr().err
    assert {p.name: p.read_text() for p in source.iterdir()} == before


def test_never_overwrites_a_notebook_someone_changed(tmp_path, capsys):
    """N18: before, a second run overwrote the students' work (data loss)."""
    source, student = write_notebooks(tmp_path / "notebooks"), tmp_path / "student"
    assert main([str(student), "--notebooks", str(source)]) == 0
    assert sorted(p.name for p in student.iterdir()) == [".student_edition.json", "01_one.ipynb", "02_two.ipynb"]
    assert main([str(student), "--notebooks", str(source)]) == 0  # unchanged since written: fine to write again
    worked = student / "01_one.ipynb"
    worked.write_text(worked.read_text().replace("your code here", "my own work"))
    (source / "02_two.ipynb").write_text((source / "02_two.ipynb").read_text().replace("x + 1", "x + 2"))
    capsys.readouterr()
    assert main([str(student), "--notebooks", str(source)]) == 1
    err = capsys.readouterr().err
    assert f"differ from what this command last wrote" in err and str(worked) in err and "02_two" not in err
    assert "my own work" in worked.read_text()  # kept, and nothing else written either
    assert main([str(student), "--notebooks", str(source), "--force"]) == 0
    assert "my own work" not in worked.read_text()
    # a notebook there that the command never wrote (no manifest) is not overwritten either
    other = tmp_path / "other"
    other.mkdir()
    (other / "01_one.ipynb").write_text("a student's own notebook")
    assert main([str(other), "--notebooks", str(source)]) == 1
    assert (other / "01_one.ipynb").read_text() == "a student's own notebook"


def test_unusable_destinations_and_sources_get_messages(tmp_path, capsys):
    """N19: before, a destination that is a file gave a FileExistsError traceback; a
    missing notebooks folder wrote nothing and said nothing."""
    source = write_notebooks(tmp_path / "notebooks")
    (tmp_path / "notes.txt").write_text("a file")
    cases = [
        ([str(tmp_path / "notes.txt")], "notes.txt is a file, not a folder"),
        ([str(tmp_path / "notes.txt" / "student")], "part of that path is a file, not a folder"),
        ([str(tmp_path / "student"), "--notebooks", str(tmp_path / "missing")], "does not exist or is not a folder"),
        ([str(tmp_path / "student"), "--notebooks", str(tmp_path)], "no notebooks (NN_name.ipynb) in"),
    ]
    for argv, message in cases:
        argv = argv if "--notebooks" in argv else argv + ["--notebooks", str(source)]
        assert main(argv) == 1
        assert message in capsys.readouterr().err
    assert not (tmp_path / "student").exists()


# ---------------------------------------------------------------- malformed markers and odd notebooks (issue 21)

import re  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.cli.student_edition import EditionError, student_notebook  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTION = "    return x + 41\n"  # the solution line that must never reach a student


def code(source):
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}


def markdown(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


MALFORMED = {
    "no markers after an exercise heading": (
        [markdown("### Exercise 1 — add 41\nWrite it."), code("def f(x):\n" + SOLUTION + "\n\ncheck.f(f)")],
        "cell 2", "the code cell after the heading '### Exercise 1' but has no solution block"),
    "no markers in a cell that calls a check": (
        [markdown("Add 41."), code("def f(x):\n" + SOLUTION + "\n\ncheck.f(f)")],
        "cell 2", "it calls check.f(...) but neither it nor the code cell before it has a solution block"),
    "markers in a markdown cell": (
        [markdown("The answer:\n# BEGIN SOLUTION\n" + SOLUTION + "# END SOLUTION\n")],
        "cell 1", "a markdown cell holds a solution marker"),
    "markers in a raw cell": (
        [{"cell_type": "raw", "metadata": {}, "source": "# BEGIN SOLUTION\n" + SOLUTION + "# END SOLUTION\n"}],
        "cell 1", "a raw cell holds a solution marker"),
    "END before BEGIN": (
        [code("def f(x):\n    # END SOLUTION\n" + SOLUTION + "    # BEGIN SOLUTION\n")],
        "cell 1", "line 2 has '# END SOLUTION' with no '# BEGIN SOLUTION' before it"),
    "nested markers": (
        [code("def f(x):\n    # BEGIN SOLUTION\n    y = 1\n    # BEGIN SOLUTION\n" + SOLUTION
              + "    # END SOLUTION\n    # END SOLUTION\n")],
        "cell 1", "line 4 opens a solution block inside the one opened on line 2: blocks cannot be nested"),
    "a missing END": (
        [code("x = 1"), code("def f(x):\n    # BEGIN SOLUTION\n" + SOLUTION)],
        "cell 2", "line 2 opens a solution block that no '# END SOLUTION' closes"),
    "an END at the end of a code line": (
        [code("def f(x):\n    # BEGIN SOLUTION\n" + SOLUTION.rstrip() + "  # END SOLUTION\n")],
        "cell 1", "looks like a solution marker but is not one: a marker is a line of its own"),
    "a marker misspelt": (
        [code("def f(x):\n    #BEGIN SOLUTION\n" + SOLUTION + "    # END SOLUTION\n")],
        "cell 1", "line 2, '#BEGIN SOLUTION', looks like a solution marker but is not one"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_markers_are_refused_naming_the_notebook_and_the_cell(case, tmp_path, capsys):
    """Before (issue 21): the first four kept the solution in the student edition silently
    (exit 0); a missing END gave "error: unbalanced solution markers in: <the cell>" naming
    no notebook (and a ValueError traceback in `make lab`). Now: exit 1, nothing written."""
    cells, cell, words = MALFORMED[case]
    source = tmp_path / "notebooks"
    source.mkdir()
    (source / "03_three.ipynb").write_text(json.dumps(notebook(*cells)), encoding="utf-8")
    assert main([str(tmp_path / "student"), "--notebooks", str(source)]) == 1
    err = capsys.readouterr().err
    assert f"{source / '03_three.ipynb'}, {cell} (" in err and words in err, err
    assert "nothing was written" in err and "Traceback" not in err
    assert not (tmp_path / "student").exists()


def odd_notebooks(folder: Path) -> dict[str, str]:
    """Notebook files that are not what the command can copy: {file name: words of the message}."""
    folder.mkdir()
    cases = {
        "01_v3.ipynb": (json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [
            {"cells": [{"cell_type": "code", "input": "x = 1", "outputs": []}]}]}),
            "it is an old notebook (format 3); this command reads format 4. Convert it with `jupyter nbconvert"),
        "02_no_source.ipynb": (json.dumps(notebook({"cell_type": "code", "metadata": {}, "outputs": []})),
                               "cell 1 has no \"source\" (its text)"),
        "03_null_source.ipynb": (json.dumps(notebook(markdown("# Title"), code(None))),
                                 "cell 2 has no \"source\" (its text)"),
        "04_not_text.ipynb": ('{"cells": [{"source": ["%s"]}]}' % "é".encode("latin-1").decode("latin-1"),
                              "it is not a notebook: it is not text (UTF-8)"),
        "05_not_json.ipynb": ("my notes", "it is not a notebook: it is not valid JSON (Expecting value: line 1"),
        "06_cut_short.ipynb": (json.dumps(notebook(code("x = 1")))[:30], "it is not valid JSON"),
        "07_empty.ipynb": ("", "it is empty, not a notebook"),
        "08_a_list.ipynb": ("[1, 2]", "its JSON is not an object with \"cells\""),
        "09_bad_cell.ipynb": (json.dumps(notebook("x = 1")), "cell 1 is not a cell"),
        "10_bad_type.ipynb": (json.dumps(notebook({"cell_type": "picture", "source": ""})),
                              "cell 1 has the cell_type 'picture'"),
    }
    for name, (text, _) in cases.items():
        data = text.encode("latin-1") if name == "04_not_text.ipynb" else text.encode("utf-8")
        (folder / name).write_bytes(data)
    (folder / "11_x.ipynb").mkdir()
    words = {name: message for name, (_, message) in cases.items()}
    words["11_x.ipynb"] = "it is a folder, not a notebook"
    return words


def test_odd_notebooks_get_a_message_naming_the_file(tmp_path, capsys):
    """Before (issue 21): tracebacks (KeyError 'cells', KeyError 'source', AttributeError on
    None, IsADirectoryError), and "error: Expecting value: line 1 column 1 (char 0)" with no
    file named. Now one message naming every such file, exit 1, nothing written."""
    words = odd_notebooks(tmp_path / "notebooks")
    assert main([str(tmp_path / "student"), "--notebooks", str(tmp_path / "notebooks")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"these {len(words)} notebooks; nothing was written" in err
    for name, message in words.items():
        line = next((line for line in err.splitlines() if f"{tmp_path / 'notebooks' / name}:" in line), "")
        assert message in line, (name, err)
    assert not (tmp_path / "student").exists()


def solution_lines(source: str) -> tuple[list[str], list[str]]:
    """(lines inside solution blocks, lines outside), stripped: the test's own reading of the markers."""
    inside, outside, within = [], [], False
    for line in source.split("\n"):
        if line.strip() in ("# BEGIN SOLUTION", "# END SOLUTION"):
            within = line.strip() == "# BEGIN SOLUTION"
        elif line.strip():
            (inside if within else outside).append(line.strip())
    return inside, outside


def assert_no_solution_survives(original: dict, student: dict) -> int:
    """No line of a solution block is in the student's cell more often than outside the
    blocks in the original; no marker, no output anywhere. The number of solution lines."""
    checked = 0
    for cell, copy in zip(original["cells"], student["cells"], strict=True):
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        left = [line.strip() for line in "".join(copy["source"]).split("\n")]
        inside, outside = solution_lines(text) if cell["cell_type"] == "code" else ([], [])
        for line in inside:
            assert left.count(line) <= outside.count(line), f"the solution line {line!r} survived"
        checked += len(inside)
        assert "SOLUTION" not in "".join(copy["source"]) or cell["cell_type"] != "code"
        assert not copy.get("outputs")
    return checked


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_no_line_of_any_solution_survives_in_any_notebook(path):
    original = json.loads(path.read_text(encoding="utf-8"))
    assert assert_no_solution_survives(original, student_notebook(original, path.name)) > 0


def test_generated_notebooks_are_refused_or_stripped_of_every_solution_line():
    """300 notebooks of random cells: markers in any order and place, at any indentation,
    in markdown, exercise headings, check calls. Each is refused (naming the cell) or its
    student edition holds no line of a solution block."""
    rng = np.random.default_rng(21)
    pieces = ["# BEGIN SOLUTION", "# END SOLUTION", "    # BEGIN SOLUTION", "    # END SOLUTION",
              "x = secret_{}", "    return secret_{}", "check.f(f)", "def f(x):", "#  END SOLUTION",
              "y = 1  # END SOLUTION", ""]
    refused = stripped = 0
    for n in range(300):
        cells = []
        for c in range(rng.integers(1, 5)):
            lines = [pieces[i].format(f"{n}_{c}_{j}") for j, i in enumerate(rng.integers(0, len(pieces), 6))]
            if rng.random() < 0.6:  # a well-formed cell, as authors write them, half the time
                indent = "    " if rng.random() < 0.7 else ""
                lines = (["def f(x):"] if indent else []) + [f"{indent}# BEGIN SOLUTION"] + [
                    f"{indent}secret_{n}_{c}_{j} = {j}" for j in range(rng.integers(0, 3))] + [
                    f"{indent}# END SOLUTION", "", "check.f(f)"][: rng.integers(1, 4) + 1]
                lines = lines if any("END" in line for line in lines) else lines + [f"{indent}# END SOLUTION"]
            kind = rng.choice(["code", "code", "code", "markdown"])
            if kind == "markdown":
                cells.append(markdown("### Exercise 1 — x\n" if rng.random() < 0.3 else "\n".join(lines)))
            else:
                cells.append(code("\n".join(lines)))
        original = notebook(*cells)
        try:
            student = student_notebook(original, f"gen{n}.ipynb")
        except EditionError as err:
            assert re.match(rf"gen{n}\.ipynb, cell \d+ ", str(err)), err
            refused += 1
            continue
        assert_no_solution_survives(original, student)
        stripped += 1
    assert refused > 50 and stripped > 50, (refused, stripped)  # both paths were tried


def test_the_edition_checks_its_own_output(monkeypatch):
    """Should the stripping ever leave a solution line, nothing is written: the command
    checks its own output (check_edition) and says so."""
    from helpers.cli import student_edition

    monkeypatch.setattr(student_edition, "strip_solutions", lambda source, exercise: source.replace("# ", "#: "))
    original = notebook(code("def f(x):\n    # BEGIN SOLUTION\n" + SOLUTION + "    # END SOLUTION\n"))
    with pytest.raises(EditionError, match=r"one.ipynb, cell 1 .*would still hold the solution line "
                                           r"'return x \+ 41'; nothing was written"):
        student_notebook(original, "one.ipynb")
