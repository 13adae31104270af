"""What runs inside the sandbox, once per student and lesson: ``python -m helpers.cli.grading.child``.

It only COMPUTES; it decides nothing. It reads its plan, as JSON, from stdin (the teacher's
process wrote it: the nonce of this run, the lesson's slug, and for each exercise the
course's setup statements it needs, the student's cells, the course's stub of the exercise
and how to call the check), then, for each exercise in order:

1. says ``start KEY`` on file descriptor 3 (the teacher's process stops an exercise that
   runs too long by the clock, not only by CPU time), and starts the exercise's CPU timer;
2. runs the setup statements not run yet (the course's code, from the complete edition);
3. runs the student's exercise cells, each compiled under a file name of its own, so that a
   function the student wrote is known by where its code comes from;
4. calls the course's check with a *recorder* in place of each of the student's functions:
   every call the check makes is recorded as plain data (a fingerprint of its inputs, the
   inputs afterwards if the function changed them, what it returned or raised; see plain.py),
   and the values the check is given are recorded the same way;
5. writes the record, as one line ``nonce + JSON``, to file descriptor 3.

The verdict is made elsewhere (judge.py): a process that never ran student code calls the
real check again with a replayer that gives back the recorded answers, call by call, and
refuses a call whose inputs differ from the recorded ones. So whatever the student's code does
in here (patch NumPy, the checks, this module, forge lines) can spoil its own record, never
make a verdict. What this process can still say itself is only bad news ("not done",
"wrong", "not checked"): the teacher's process never takes "done" from it.

If an exercise is not done, or its cells failed, the course's stub is run and the check puts
the course's version in its place (as it does in the notebook), so that the next exercises
are graded on their own.
"""

from __future__ import annotations

import importlib
import json
import linecache
import os
import signal
import sys
import types


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


def forbidden_names(spec: dict) -> set[str]:
    """The course's functions a student's answer may not call: the check's name and the
    exercise's function names, with and without a ``my_`` (my_backprop: Network.backprop)."""
    names = {spec["name"], *spec["args"], *spec.get("named", {}).values()}
    return names | {n[3:] for n in names if n.startswith("my_")}


def main() -> int:
    plan = json.loads(sys.stdin.read())
    sys.stdin.close()
    nonce, slug, marker = plan.pop("nonce"), plan["slug"], plan["marker"]
    out = os.fdopen(3, "w", encoding="utf-8", closefd=True)
    dumps, write, flush = json.dumps, out.write, out.flush

    def tell(message: dict) -> None:
        write(nonce + dumps(message) + "\n")
        flush()

    import numpy as np  # noqa: F401  (the checks use it: imported while nothing can interfere)
    from . import plain
    from helpers.checks import ExerciseNotDone
    from helpers.checks.common import calling
    module = importlib.import_module(f"helpers.checks.{slug}")
    from helpers.checks.common.grading import COURSE, learner_called, not_own  # the course's functions, taken now
    checks = {e["check"]["name"]: getattr(module, e["check"]["name"], None) for e in plan["exercises"]}
    checks = {name: getattr(c, "__wrapped__", c) for name, c in checks.items()}  # undecorated: no stand-in printing
    watched = {e["key"]: {code: name for code, name in COURSE.items() if name in forbidden_names(e["check"])}
               for e in plan["exercises"]}
    encode, digest, TimeUpInCheck = plain.encode, plain.digest, calling._TimeUp
    tell({"ready": True})  # the course's side is in place
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

    def is_students(code) -> bool:
        return code.co_filename.startswith(marker)

    class Recorder:
        """Stands for a student's function in the check's call: records each call as plain data."""

        def __init__(self, function, calls: list) -> None:
            self.__wrapped__, self.calls = function, calls
            self.__name__ = getattr(function, "__name__", "your function")

        def __getattr__(self, name):
            return getattr(self.__wrapped__, name)

        def __call__(self, *args, **kwargs):
            before = encode([list(args), kwargs], objects=True)
            record = {"in": digest(before)}
            self.calls.append(record)
            try:
                got = self.__wrapped__(*args, **kwargs)
            except BaseException as err:
                tb = err.__traceback__
                while tb is not None and tb.tb_next is not None:
                    tb = tb.tb_next
                arguments = encode(list(err.args)) if isinstance(err.args, tuple) else None
                record["raise"] = {"type": type(err).__name__[:60], "args": arguments, "message": str(err)[:2000],
                                   "not_implemented": isinstance(err, NotImplementedError),
                                   "time_up": isinstance(err, TimeUpInCheck), "ours": isinstance(err, TimeUp),
                                   "by_call": tb is not None and tb.tb_frame.f_code is Recorder.__call__.__code__}
                after = encode([list(args), kwargs], objects=True)
                if digest(after) != record["in"]:
                    record["after"] = after
                raise
            record["out"] = encode(got)
            after = encode([list(args), kwargs], objects=True)
            if digest(after) != record["in"]:
                record["after"] = after
            return got

    def describe_function(value) -> dict:
        code = value.__code__
        names, stack = set(), [code]
        while stack:
            c = stack.pop()
            names.update(c.co_names)
            stack += [k for k in c.co_consts if isinstance(k, types.CodeType)]
        found = {}
        for name in sorted(names):
            if name not in namespace:
                continue
            v = namespace[name]
            if isinstance(v, types.FunctionType) and is_students(v.__code__):
                found[name] = {"student": [v.__name__, v.__code__.co_filename, v.__code__.co_firstlineno]}
            elif isinstance(v, types.FunctionType) and str(getattr(v, "__module__", "")).startswith("helpers."):
                found[name] = {"course": [v.__module__, v.__qualname__]}
            else:
                found[name] = {"value": True}
        return {"name": value.__name__, "filename": code.co_filename, "line": code.co_firstlineno, "globals": found}

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

    def record(exercise: dict) -> tuple[dict, bool]:
        """The exercise's record, its cells having run; and whether the check passed in here."""
        spec, key = exercise["check"], exercise["key"]
        values, functions, calls = {}, {}, {}
        given = []
        for where, arg in [(None, a) for a in spec["args"]] + list(spec.get("named", {}).items()):
            if arg not in namespace:
                return {"key": key, "verdict": ["not done", f"`{arg}` is not defined: was the exercise's cell "
                                                            "deleted or renamed?"]}, False
            value = namespace[arg]
            why = not_own(value, arg, is_students)
            if why:
                return {"key": key, "verdict": ["not done", why]}, False
            slot = where or arg
            if callable(value):
                calls[slot] = []
                functions[slot] = describe_function(value)
                given.append((where, Recorder(value, calls[slot])))
            else:
                values[slot] = encode(value)
                given.append((where, value))
        args = tuple(v for k, v in given if k is None)
        kwargs = {**spec["constants"], **{k: v for k, v in given if k is not None}}
        forbidden, called = watched[key], []

        def watch(frame, event, arg):
            if event == "call" and frame.f_code in forbidden and learner_called(frame, is_students):
                called.append(forbidden[frame.f_code])

        passed = False
        sys.setprofile(watch)
        try:
            checks[spec["name"]](*args, **kwargs)
            passed = True
        except TimeUp:
            raise
        except BaseException:  # the judge will say what went wrong, from the record
            pass
        finally:
            sys.setprofile(None)
        return {"key": key, "values": values, "functions": functions, "calls": calls,
                "course_called": sorted(set(called))}, passed

    done_setup: set[int] = set()
    for exercise in plan["exercises"]:
        key, name = exercise["key"], exercise["check"]["name"]
        tell({"start": key})
        if checks[name] is None:  # the course's fault, not the student's
            tell({"key": key, "verdict": ["not checked", f"the course has no check `{name}` in helpers.checks.{slug}"]})
            continue
        if exercise.get("refused"):
            tell({"key": key, "verdict": ["not checked", exercise["refused"]]})
            place_stand_ins(exercise)
            continue
        passed = False
        signal.setitimer(signal.ITIMER_VIRTUAL, seconds)  # the course's setup counts too
        try:
            for position, code in exercise["setup"]:
                if position not in done_setup:
                    done_setup.add(position)
                    try:
                        run(code, f"<course setup {position}>")
                    except Exception:
                        pass  # a statement that needs what was left out; the exercise will say what it missed
            for number, code in exercise["cells"]:
                run(code, f"{marker} {key} cell {number}>")
            message, passed = record(exercise)
        except TimeUp:
            message = {"key": key, "verdict": ["wrong", f"stopped after {seconds:g} s of CPU time: a loop that never "
                                                        "ends?"]}
        except ExerciseNotDone as err:
            message = {"key": key, "verdict": ["not done", first_line(str(err))]}
        except BaseException as err:  # the student's cell itself failed
            if raised_not_implemented(err):
                verdict = ["not done", "the stub's `raise NotImplementedError` is still there"]
            elif isinstance(err, SystemExit | KeyboardInterrupt):
                verdict = ["wrong", f"the cell ended Python ({type(err).__name__})"]
            else:
                verdict = ["wrong", f"the cell raised {type(err).__name__}: {first_line(str(err))}"]
            message = {"key": key, "verdict": verdict}
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        tell(message)
        if not passed:
            place_stand_ins(exercise)
    import resource
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    tell({"end": True, "cpu": sum(u.ru_utime + u.ru_stime for u in used)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
