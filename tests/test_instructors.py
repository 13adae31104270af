"""INSTRUCTORS.md's generated section is up to date with the checks it is generated from."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("common_mistakes", ROOT / "tools" / "common_mistakes.py")
common_mistakes = importlib.util.module_from_spec(spec)
spec.loader.exec_module(common_mistakes)


def test_the_common_mistakes_section_is_generated_from_the_checks_as_they_are():
    guide = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    assert common_mistakes.BEGIN in guide and common_mistakes.END in guide, "INSTRUCTORS.md lost its generated section"
    written = common_mistakes.BEGIN + guide.split(common_mistakes.BEGIN, 1)[1].split(common_mistakes.END, 1)[0]
    written += common_mistakes.END + "\n"
    assert written == common_mistakes.section(), (
        "INSTRUCTORS.md's common mistakes are out of date with helpers/checks/: "
        "run `.venv/bin/python tools/common_mistakes.py --write`")


def test_every_slip_is_found_with_its_exercise_and_words():
    slips = [s for path in sorted((ROOT / "helpers" / "checks").glob("*.py")) for s in common_mistakes.slips_of(path)]
    assert len(slips) >= 30
    assert all(exercise and wrong and message and message != "…" for exercise, wrong, message in slips)
    assert ("half_adder", "tuple(reversed(ref.half_adder(x1, x2)))",
            "the two bits are the right ones but swapped: return (sum, carry), the sum bit first.") in slips
