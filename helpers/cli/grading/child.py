"""What runs inside the sandbox, once per student and lesson: ``python -m helpers.cli.grading.child``.

It reads its plan, as JSON, from stdin (the teacher's process wrote it: the nonce of this run,
the lesson's slug, and for each exercise the course's setup statements it needs, the
student's cells, the course's stub of the exercise and how to call the check), then, for
each exercise in order:

1. runs the setup statements not run yet (the course's code, from the complete edition);
2. runs the student's exercise cells, each compiled under a file name of its own, so that a
   function the student wrote is known by where its code comes from;
3. calls the course's check itself (the check undecorated: "not done" is an exception, not a
   printed line) on the student's function or value, watching whether the student's code
   calls the course's own function of the same name;
4. writes the verdict at once, as one line ``nonce + JSON``, to file descriptor 3: a pipe to
   the teacher's process, which ignores every line without the nonce. Nothing printed counts.

Everything this module needs after the student's code has run (the pipe, ``json.dumps``, the
check functions) is taken before it runs, so a cell that rebinds a module's attribute does
not reach it; the screen (helpers/cli/grading/screen.py) refuses the cells that would reach
further. If an exercise is not done, or its cells failed, the course's stub is run and the
check puts the course's version in its place (as it does in the notebook), so that the next
exercises are graded on their own.
"""

from __future__ import annotations

import importlib
import json
import linecache
import os
import signal
import sys


class TimeUp(BaseException):
    """An exercise ran longer than its time."""


def first_line(text: str) -> str:
    import re
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= 200 else line[:197] + "..."


def raised_not_implemented(err: BaseException) -> bool:
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, NotImplementedError):
            return True
        err = err.__cause__ or err.__context__
    return False


def main() -> int:
    plan = json.loads(sys.stdin.read())
    sys.stdin.close()
    nonce, slug, marker = plan.pop("nonce"), plan["slug"], plan["marker"]
    out = os.fdopen(3, "w", encoding="utf-8", closefd=True)
    dumps, write, flush = json.dumps, out.write, out.flush

    def tell(key: str, status: str, reason: str = "") -> None:
        write(nonce + dumps({"key": key, "status": status, "reason": reason}) + "\n")
        flush()

    import numpy as np  # noqa: F401  (the checks use it: imported while nothing can interfere)
    module = importlib.import_module(f"helpers.checks.{slug}")
    from helpers.checks import ExerciseFailed, ExerciseNotDone
    from helpers.checks.common.grading import call_check, not_own
    checks = {e["check"]["name"]: getattr(module, e["check"]["name"], None) for e in plan["exercises"]}
    checks = {name: getattr(c, "__wrapped__", c) for name, c in checks.items()}  # undecorated: no stand-in printing
    write(nonce + dumps({"ready": True}) + "\n")  # the course's side is in place
    flush()
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    seconds = float(plan["seconds"])

    def time_up(signum, frame):
        raise TimeUp()

    # CPU time, not wall time: the checks time a learner's function with the wall-clock timer
    # (SIGALRM) and clear it afterwards. A cell that sleeps is stopped by the teacher's process.
    signal.signal(signal.SIGVTALRM, time_up)

    def run(code: str, filename: str) -> None:
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)  # for inspect.getsource
        exec(compile(code, filename, "exec"), namespace)

    def place_stand_ins(exercise: dict) -> None:
        """The course's stub of the exercise, then its check: the check puts the course's version
        in place of the stub, for the exercises after this one."""
        try:
            run(exercise["stub"], f"<course stub {exercise['key']}>")
            spec = exercise["check"]
            args = [namespace.get(a, ...) for a in spec["args"]]
            named = {k: namespace.get(n, ...) for k, n in spec.get("named", {}).items()}
            checks[spec["name"]](*args, **spec["constants"], **named)
        except ExerciseNotDone as err:
            for name, value in err.stand_ins.items():
                namespace[name] = value
        except BaseException:  # the course's own stub and check: nothing to grade here
            pass

    done_setup: set[int] = set()
    for exercise in plan["exercises"]:
        key, name = exercise["key"], exercise["check"]["name"]
        for position, code in exercise["setup"]:
            if position not in done_setup:
                done_setup.add(position)
                try:
                    run(code, f"<course setup {position}>")
                except Exception:
                    pass  # a statement that needs what was left out; the exercise will say what it missed
        if checks[name] is None:  # the course's fault, not the student's
            tell(key, "not checked", f"the course has no check `{name}` in helpers.checks.{slug}")
            continue
        if exercise.get("refused"):
            tell(key, "not checked", exercise["refused"])
            place_stand_ins(exercise)
            continue
        verdict = None
        signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
        try:
            for number, code in exercise["cells"]:
                run(code, f"{marker} {key} cell {number}>")
            verdict = judge(exercise, namespace, checks[name], marker, not_own, call_check, ExerciseNotDone,
                            ExerciseFailed)
        except TimeUp:
            verdict = ("wrong", f"stopped after {seconds:g} s of CPU time: a loop that never ends?")
        except ExerciseNotDone as err:
            verdict = ("not done", first_line(str(err)))
        except BaseException as err:  # the student's cell itself failed
            if raised_not_implemented(err):
                verdict = ("not done", "the stub's `raise NotImplementedError` is still there")
            elif isinstance(err, SystemExit | KeyboardInterrupt):
                verdict = ("wrong", f"the cell ended Python ({type(err).__name__})")
            else:
                verdict = ("wrong", f"the cell raised {type(err).__name__}: {first_line(str(err))}")
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        tell(key, *verdict)
        if verdict[0] != "done":
            place_stand_ins(exercise)
    import resource
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    write(nonce + dumps({"end": True, "cpu": sum(u.ru_utime + u.ru_stime for u in used)}) + "\n")
    flush()
    return 0


def judge(exercise, namespace, check, marker, not_own, call_check, ExerciseNotDone, ExerciseFailed) -> tuple[str, str]:
    """The verdict of one exercise, its cells having run: the check called by the grader on the
    student's own answer (helpers/checks/common/grading.py says what counts as their own)."""
    spec = exercise["check"]

    def is_students(code) -> bool:
        return code.co_filename.startswith(marker)

    given = {}
    for where, arg in [(None, a) for a in spec["args"]] + list(spec.get("named", {}).items()):
        if arg not in namespace:
            return ("not done", f"`{arg}` is not defined: was the exercise's cell deleted or renamed?")
        why = not_own(namespace[arg], arg, is_students)
        if why:
            return ("not done", why)
        given[where or len(given)] = namespace[arg]
    args = tuple(v for k, v in given.items() if isinstance(k, int))
    kwargs = {**spec["constants"], **{k: v for k, v in given.items() if isinstance(k, str)}}
    try:
        called = call_check(check, args, kwargs, is_students)
    except ExerciseNotDone as err:
        return ("not done", first_line(str(err)))
    except ExerciseFailed as err:
        return ("wrong", first_line(str(err)) or "the check failed")
    except Exception as err:
        return ("wrong", f"{type(err).__name__}: {first_line(str(err))}")
    if called:
        return ("not done", f"it calls the course's own `{called[0]}` rather than doing the work itself")
    return ("done", "")


if __name__ == "__main__":
    sys.exit(main())
