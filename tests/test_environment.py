"""The install files agree with each other, and `import helpers` works as promised."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def requirement_lines(text: str) -> list[str]:
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def environment_yml_pip_list() -> list[str]:
    """The entries of the `- pip:` list in environment.yml (parsed by hand: no YAML library needed)."""
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*- pip:\s*$", line))
    indent = len(lines[start + 1]) - len(lines[start + 1].lstrip())
    entries = []
    for line in lines[start + 1 :]:
        if line.strip().startswith("#") or not line.strip():
            continue
        if len(line) - len(line.lstrip()) < indent:
            break
        entries.append(line.strip()[2:].split("#")[0].strip())
    return entries


def test_environment_yml_and_requirements_txt_list_the_same_packages():
    requirements = requirement_lines((ROOT / "requirements.txt").read_text())
    pip_list = environment_yml_pip_list()
    assert "-e ." in pip_list, "environment.yml must install the helpers package (`- -e .`) for Binder"
    assert sorted(p for p in pip_list if p != "-e .") == sorted(requirements), (
        "environment.yml's pip list and requirements.txt have drifted apart: make them list the same packages"
    )


def test_environment_yml_pins_python_and_brings_pip():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*- python=3\.1[1-9]\s*$", text, re.M)
    assert re.search(r"^\s*- pip\s*$", text, re.M)


def test_pyproject_takes_its_dependencies_from_requirements_txt():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "dependencies" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["dependencies"]["file"] == ["requirements.txt"]


def test_import_helpers_from_the_repository_root_with_plain_python():
    result = subprocess.run(
        [sys.executable, "-c", "import helpers.data, helpers.idx; print(helpers.__version__)"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert result.stdout.strip() == __import__("helpers").__version__


def test_readme_shows_the_two_commands_the_makefile_provides():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.M)
    assert "helpers lab" in makefile  # which starts JupyterLab like this:
    from helpers.cli import lab
    line = " ".join(lab.command(ROOT, []))
    assert "--ip=127.0.0.1" in line and "/lab/tree/student/01_meet_the_digits.ipynb" in line
    assert ("--allow-root" in line) == (os.geteuid() == 0)
    for text in (makefile, line, (ROOT / "helpers" / "cli" / "lab.py").read_text()):  # token auth is left on
        assert "NotebookApp.token=''" not in text and "ServerApp.token=''" not in text
