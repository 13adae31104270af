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
