"""Measure the notebooks for a class: run time, each kernel's peak memory, how run time grows
when several run at once, and a reading-time estimate.

    .venv/bin/python tools/measure_notebooks.py                 # everything (about 15 minutes on 2 cores)
    .venv/bin/python tools/measure_notebooks.py --notebooks 01,05 --levels 1,2

1. Each notebook runs top to bottom in a fresh ``python3`` kernel (nbclient), one at a
   time; the time is the wall-clock time of the whole run, kernel start included. A last
   cell, added to the copy that runs, reads the kernel's own peak resident memory (VmHWM
   in /proc/self/status, Linux) before the kernel exits.
2. Then ``--levels`` copies of one notebook (``--concurrent``, default 05) run at once,
   each in its own process and kernel, as students starting the same lesson together
   would: the slowest copy's time and the mean, against the time of one alone.
3. Reading time, from the notebook's text: ``words / 150 + 8 * exercises`` minutes
   (150 words a minute for technical prose read with care, code included; 8 minutes to
   do and check one exercise), rounded to 5 minutes.

It prints Markdown tables (for INSTRUCTORS.md) and writes the numbers to
build/measurements.json. The kernels get the caller's environment: BLAS threads are not
limited, as for a student (``make test`` limits them to one each).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "measurements.json"
PEAK = 'print("VmHWM", open("/proc/self/status").read().split("VmHWM:")[1].split()[0])'
WORDS_PER_MINUTE, MINUTES_PER_EXERCISE = 150, 8


def run_one(path: Path, timeout: int = 900) -> dict:
    """Run a notebook in a fresh kernel: seconds and the kernel's peak memory in MB."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK))
    started = time.perf_counter()
    NotebookClient(notebook, kernel_name="python3", timeout=timeout,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - started
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    kilobytes = int(re.search(r"VmHWM (\d+)", text).group(1))
    return {"seconds": round(seconds, 1), "peak_mb": round(kilobytes / 1024)}


def run_in_process(path: Path) -> dict:
    """run_one in a process of its own (so that runs at once are truly parallel)."""
    done = subprocess.run([sys.executable, __file__, "--run-one", str(path)], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def reading(path: Path) -> dict:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in notebook["cells"])
    words = len(re.findall(r"[A-Za-z0-9_]+", text))
    exercises = len(re.findall(r"^### Exercise \d+", text, re.M))
    minutes = words / WORDS_PER_MINUTE + MINUTES_PER_EXERCISE * exercises
    return {"words": words, "exercises": exercises, "reading_minutes": int(5 * max(1, round(minutes / 5)))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", default="", help="numbers to measure, e.g. 01,05 (default: all)")
    parser.add_argument("--concurrent", default="05", help="the notebook run several times at once (default 05)")
    parser.add_argument("--levels", default="1,2,4,8", help="how many at once (default 1,2,4,8)")
    parser.add_argument("--skip-single", action="store_true", help="only the runs at once")
    parser.add_argument("--run-one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        print(json.dumps(run_one(Path(args.run_one))))
        return 0
    chosen = {n.strip() for n in args.notebooks.split(",") if n.strip()}
    paths = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if not chosen or p.name[:2] in chosen]
    result = {"machine": {"cores": os.cpu_count(), "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
                          "when": time.strftime("%Y-%m-%d %H:%M")}, "notebooks": {}, "at_once": {}}
    print("| # | notebook | run time | kernel peak memory | words | exercises | reading time (estimate) |")
    print("|---|---|---|---|---|---|---|")
    for path in paths:
        row = reading(path)
        if not args.skip_single:
            row |= run_in_process(path)
        result["notebooks"][path.name] = row
        run = f"{row['seconds']:.0f} s" if "seconds" in row else "-"
        peak = f"{row['peak_mb']} MB" if "peak_mb" in row else "-"
        print(f"| {path.name[:2]} | {path.stem[3:]} | {run} | {peak} | {row['words']:,} | {row['exercises']} | "
              f"{row['reading_minutes']} min |", flush=True)
    target = next(p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if p.name.startswith(args.concurrent))
    print(f"\n{target.name}, several copies at once, each in its own kernel:\n")
    print("| at once | slowest | mean | slowest / one alone | peak memory of each kernel |")
    print("|---|---|---|---|---|")
    alone = None
    for n in [int(x) for x in args.levels.split(",")]:
        with ThreadPoolExecutor(n) as pool:
            runs = list(pool.map(run_in_process, [target] * n))
        slowest, mean = max(r["seconds"] for r in runs), statistics.mean(r["seconds"] for r in runs)
        alone = alone or slowest
        result["at_once"][n] = {"notebook": target.name, "runs": runs}
        print(f"| {n} | {slowest:.0f} s | {mean:.0f} s | {slowest / alone:.1f}x | "
              f"{max(r['peak_mb'] for r in runs)} MB |", flush=True)
    result["machine"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    print(f"\nload average (1, 5, 15 min) at start {result['machine']['load_average_at_start']}, "
          f"at end {result['machine']['load_average_at_end']}, on {os.cpu_count()} cores")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
