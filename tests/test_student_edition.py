import json
from pathlib import Path

from helpers.student_edition import main, strip_solutions

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
