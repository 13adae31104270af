"""The report's results as a table (at most 100 columns), CSV, JSON or one HTML page.

``results`` is {student: {exercise key ("02.3"): (status, reason)}}, ``titles`` {key: title};
students are in natural order (student 2 before student 10) as :func:`collect.collect` gives.
"""

from __future__ import annotations

import csv
import html
import io
import textwrap

STATUSES = ("done", "wrong", "not done", "not checked")
MARKS = {"done": "✓", "wrong": "✗", "not done": "○", "not checked": "?"}  # DejaVu draws all four
# Okabe and Ito's colour-blind-safe colours (the marks carry the meaning too)
COLOURS = {"done": "#009E73", "wrong": "#D55E00", "not done": "#F0E442", "not checked": "#BBBBBB"}
WIDTH = 100


def key_order(key: str) -> tuple[str, int]:
    lesson, _, number = key.partition(".")
    return lesson, int(number) if number.isdigit() else 0


def all_keys(results: dict, titles: dict) -> list[str]:
    return sorted(set(titles) | {k for found in results.values() for k in found}, key=key_order)


# C0 and C1 controls (a newline, ESC of the terminal's escape sequences, DEL) and the marks that
# reorder text (bidi overrides): a student's name or reason must not move the cursor, clear the
# screen, set the clipboard or forge a row. Each becomes "?".
def printable(text) -> str:
    """``text`` with every character Python calls unprintable (controls, format marks, line and
    paragraph separators) replaced by "?": safe to print to a terminal."""
    return "".join(c if c.isprintable() else "?" for c in str(text))


def csv_cell(text) -> str:
    """A CSV cell a spreadsheet shows as text: one starting with = + - @ (a formula) gets a '."""
    text = printable(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def cut(text: str, width: int) -> str:
    """``text`` on one line of at most ``width``: a name or reason with a line break or a terminal
    escape in it (a folder called "mallory\nalice ... 3/3") cannot forge a row."""
    text = printable(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def summary(results: dict, titles: dict) -> str:
    """One row per student: exercises done of each lesson's, and the total."""
    keys = all_keys(results, titles)
    lessons = sorted({k.split(".")[0] for k in keys})
    name_width = min(24, max([7] + [len(s) for s in results]))
    head = "student".ljust(name_width) + "".join(f"{printable(lesson):>6}" for lesson in lessons) + "   total"
    lines = [head, "-" * len(head)]
    for student, found in results.items():
        cells, done, total = [], 0, 0
        for lesson in lessons:
            mine = [k for k in keys if k.startswith(lesson + ".")]
            d = sum(found.get(k, ("",))[0] == "done" for k in mine)
            graded = [k for k in mine if k in found]
            cells.append(f"{d}/{len(mine)}" if graded else "-")
            done, total = done + d, total + len(mine)
        lines.append(cut(student, name_width).ljust(name_width) + "".join(f"{c:>6}" for c in cells)
                     + f"{done:>5}/{total}")
    lines.append("")
    lines.append("Exercises done of each lesson's; - : the notebook was not collected.")
    lines.append("`--lesson NN` shows one lesson's exercises, with the reasons.")
    return "\n".join(lines)


def lesson_table(results: dict, titles: dict, lesson: str) -> str:
    """One lesson: student x exercise, then what each exercise is, then the reasons."""
    keys = [k for k in all_keys(results, titles) if k.startswith(lesson + ".")]
    name_width = min(24, max([7] + [len(s) for s in results]))
    column = max(11, *(len(k) for k in keys)) if keys else 11
    head = "student".ljust(name_width) + "".join(f"  {k:<{column}}" for k in keys) + "  done"
    lines = [head, "-" * len(head)]
    reasons = []
    for student, found in results.items():
        row = [found[k][0] if k in found else "-" for k in keys]
        done = sum(r == "done" for r in row)
        lines.append(cut(student, name_width).ljust(name_width) + "".join(f"  {r:<{column}}" for r in row)
                     + f"  {done}/{len(keys)}")
        reasons += [(student, k, found[k][1]) for k in keys if k in found and found[k][1]]
    lines.append("")
    lines += [cut(f"  {k}  {titles.get(k, '')}", WIDTH) for k in keys]
    if reasons:
        lines += ["", "Why:"]
        for student, key, reason in reasons:
            lines += textwrap.wrap(cut(f"{student}, {key}: {reason}", 400), WIDTH, initial_indent="  ",
                                   subsequent_indent="      ")
    return "\n".join(lines)


def counts(results: dict) -> str:
    n = {s: sum(r[0] == s for found in results.values() for r in found.values()) for s in STATUSES}
    return ", ".join(f"{v} {s}" for s, v in n.items())


def as_csv(results: dict, titles: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "lesson", "exercise", "title", "status", "reason"])
    for student, found in results.items():
        for key in sorted(found, key=key_order):
            status, reason = found[key]
            writer.writerow([csv_cell(cell) for cell in (student, key.split(".")[0], key, titles.get(key, ""), status,
                                                         reason)])
    return out.getvalue()


def as_json(results: dict, titles: dict, problems: list[str]) -> dict:
    return {"students": {student: {key: {"title": titles.get(key, ""), "status": s, "reason": r}
                                   for key, (s, r) in sorted(found.items(), key=lambda x: key_order(x[0]))}
                         for student, found in results.items()},
            "problems": problems}


def as_html(results: dict, titles: dict, problems: list[str], title: str = "Progress report") -> str:
    """A page: a grid of students x exercises, coloured and marked by status, each cell's reason
    on hover, totals per student (right) and per exercise (bottom)."""
    keys = all_keys(results, titles)
    e = html.escape
    rows = []
    head = "".join(f'<th title="{e(titles.get(k, ""))}">{e(k)}</th>' for k in keys)
    rows.append(f"<tr><th>student</th>{head}<th>done</th></tr>")
    for student, found in results.items():
        cells = []
        for k in keys:
            status, reason = found.get(k, ("", "not collected"))
            tip = f"{k} {titles.get(k, '')}: {status or 'not collected'}" + (f" — {reason}" if reason else "")
            cells.append(f'<td class="{e(status.replace(" ", "-")) or "none"}" title="{e(tip)}">'
                         f'{MARKS.get(status, "")}</td>')
        done = sum(found.get(k, ("",))[0] == "done" for k in keys)
        rows.append(f"<tr><th class=name>{e(student)}</th>{''.join(cells)}<td class=total>{done}/{len(keys)}</td></tr>")
    per = "".join(f"<td class=total>{sum(f.get(k, ('',))[0] == 'done' for f in results.values())}</td>" for k in keys)
    rows.append(f"<tr><th>done</th>{per}<td></td></tr>")
    style = "".join(f"td.{s.replace(' ', '-')}{{background:{c}}}" for s, c in COLOURS.items())
    legend = " ".join(f'<span class="{s.replace(" ", "-")}" style="background:{COLOURS[s]};padding:0 .4em">'
                      f"{MARKS[s]} {s}</span>" for s in STATUSES)
    problem_list = "".join(f"<li>{e(p)}</li>" for p in problems)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:"DejaVu Sans","Liberation Sans",sans-serif}}table{{border-collapse:collapse}}
th,td{{border:1px solid #888;padding:.2em .5em;text-align:center}}
th.name{{text-align:left;white-space:nowrap;position:sticky;left:0;background:#fff}}
td.none{{background:#fff}}{style}</style></head><body>
<h1>{e(title)}</h1><p>{legend} &nbsp; Point at a cell for the reason.</p>
<table>{''.join(rows)}</table>
{f'<h2>Problems</h2><ul>{problem_list}</ul>' if problems else ''}
<p>{e(counts(results))}</p></body></html>
"""
