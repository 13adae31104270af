"""The verdicts, made by a process that never runs student code: ``python -I -c ...judge``.

The sandboxed child (child.py) ran the student's cells and called each check with a recorder
in place of the student's function; its record is plain data (plain.py). Here the course's
real check is called again, on the same deterministic inputs, with a *replayer* in place of
the student's function: each call gives back what the student's function returned (or raises
what it raised) in the sandbox, after checking that the call's inputs are the recorded ones,
and leaves the inputs as the student's function left them. The replayer's code is the
student's own, compiled (never run), so the checks that read an answer's source or signature
read the real thing. Whatever the student's code did inside the sandbox, the verdict and its
one-line reason are the check's own, made here.

Input (stdin, JSON): {"slug", "marker", "exercises": the plan's, "records": {key: record}}.
Output (stdout, JSON): {key: [status, reason]} for every exercise with a record.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import io
import json
import linecache
import os
import sys
import types

from . import plain
from .child import first_line


class Tampered(BaseException):
    """The check's calls are not the recorded ones: the sandbox's record was meddled with."""


class Raised(BaseException):
    """What a student's function raised that is not an Exception (SystemExit, ...)."""


def exception(raised: dict) -> BaseException:
    """An exception like the one the student's function raised: its type by name (a built-in
    Exception, or one of the same name), its arguments."""
    from helpers.checks.common import calling
    name = str(raised.get("type", "Exception"))
    try:
        args = plain.decode(raised.get("args"))
        args = tuple(args) if isinstance(args, list) else (str(raised.get("message", "")),)
    except (plain.NotPlain, ValueError, TypeError):
        args = (str(raised.get("message", "")),)
    if raised.get("time_up"):
        return calling._TimeUp()
    if raised.get("not_implemented"):
        return NotImplementedError(*args)
    if name == "KeyboardInterrupt":
        return KeyboardInterrupt()
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            return kind(*args)
        except Exception:
            return kind(str(raised.get("message", "")))
    if isinstance(kind, type) and issubclass(kind, BaseException):
        return Raised(name)
    if not name.isidentifier():
        name = "Exception"
    return type(name, (Exception,), {})(*args)


class Replayer:
    """Stands for the student's function in the check: the recorded answers, call by call."""

    def __init__(self, function: types.FunctionType, calls: list) -> None:
        self.__wrapped__, self.calls, self.next = function, calls, 0
        self.__name__ = function.__name__

    def __getattr__(self, name):
        return getattr(self.__wrapped__, name)

    def take(self, args: tuple, kwargs: dict) -> dict:
        if self.next >= len(self.calls):
            raise Tampered("the check made a call the record does not have")
        call = self.calls[self.next]
        self.next += 1
        if type(call) is not dict or call.get("in") != plain.digest(plain.encode([list(args), kwargs], objects=True)):
            raise Tampered("the check's call had other inputs than the recorded one")
        if "after" in call:  # the student's function changed its inputs: so do we
            after = plain.decode(call["after"], objects=True)
            if not (type(after) is list and len(after) == 2):
                raise Tampered("a record that no recorder makes")
            for old, new in zip([*args, *kwargs.values()], [*after[0], *after[1].values()]):
                change(old, new)
        return call

    def __call__(self, *args, **kwargs):
        call = self.take(args, kwargs)
        if "raise" in call:
            raise exception(call["raise"])
        return plain.decode(call["out"])


def change(old, new) -> None:
    """Make ``old`` (an input the check passed) what the student's function left it as."""
    import numpy as np
    if type(old) is np.ndarray and type(new) is np.ndarray and old.shape == new.shape:
        old[...] = new
    elif type(old) is list and type(new) is list:
        old[:] = new
    elif type(old) is dict and type(new) is dict:
        old.clear()
        old.update(new)
    elif type(old).__module__.startswith("helpers.") and type(new) is type(old):
        vars(old).clear()
        vars(old).update(vars(new))


def replay_invoke(learner, arguments: dict):
    """calling._invoke in this process: an arity error is raised here, where the check looks for it."""
    from helpers.checks.common.calling import takes_names
    by_name = takes_names(learner, arguments)
    if isinstance(learner, Replayer) and learner.next < len(learner.calls):
        call = learner.calls[learner.next]
        if type(call) is dict and isinstance(call.get("raise"), dict) and call["raise"].get("by_call"):
            learner.take(() if by_name else tuple(arguments.values()), dict(arguments) if by_name else {})
            raise TypeError(str(call["raise"].get("message", "")))
    return learner(**arguments) if by_name else learner(*arguments.values())


class Placeholder:
    """A name the student's namespace had, standing for a value the check does not get."""

    def __repr__(self) -> str:
        return "<a value of the notebook>"


def compiled_functions(cells: list, marker: str, key: str) -> dict:
    """{(name, filename, first line): function} of the student's cells, compiled, never run
    (their globals have no builtins: nothing here calls them)."""
    found = {}
    for number, code in cells:
        filename = f"{marker} {key} cell {number}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        try:
            module = compile(code, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        stack = [module]
        while stack:
            c = stack.pop()
            for k in c.co_consts:
                if isinstance(k, types.CodeType):
                    stack.append(k)
                    found[(k.co_name, k.co_filename, k.co_firstlineno)] = k
    return found


def argument(record: dict, slot: str, codes: dict):
    """The check's argument for ``slot``: a replayer, or the recorded value."""
    if slot in record.get("functions", {}):
        described = record["functions"][slot]
        code = codes.get((described.get("name"), described.get("filename"), described.get("line")))
        if code is None:
            raise Tampered("the recorded function is not in the student's cells")
        namespace = {"__builtins__": {}}
        for name, what in (described.get("globals") or {}).items():
            if not isinstance(name, str) or type(what) is not dict:
                continue
            if "student" in what and isinstance(what["student"], list):
                inner = codes.get(tuple(what["student"]))
                namespace[name] = types.FunctionType(inner, namespace) if inner else Placeholder()
            elif "course" in what and isinstance(what["course"], list) and len(what["course"]) == 2:
                module = str(what["course"][0])
                value = sys.modules.get(module) if module.startswith("helpers.") else None  # loaded: never imported
                for part in str(what["course"][1]).split(".") if value is not None else ():
                    value = getattr(value, part, None)
                namespace[name] = value if isinstance(value, types.FunctionType) else Placeholder()
            else:
                namespace[name] = Placeholder()
        calls = record.get("calls", {}).get(slot)
        return Replayer(types.FunctionType(code, namespace), calls if isinstance(calls, list) else [])
    if slot in record.get("values", {}):
        return plain.decode(record["values"][slot])
    raise Tampered("the record lacks one of the check's arguments")


def verdict(exercise: dict, record: dict, check, marker: str) -> tuple[str, str]:
    from helpers.checks import ExerciseFailed, ExerciseNotDone
    spec, key = exercise["check"], exercise["key"]
    if record.get("course_called"):
        return ("not done", f"it calls the course's own `{record['course_called'][0]}` rather than doing the work "
                            "itself")
    codes = compiled_functions(exercise["cells"], marker, key)
    try:
        args = [argument(record, a, codes) for a in spec["args"]]
        named = {k: argument(record, k, codes) for k in spec.get("named", {})}
    except Tampered as err:
        return ("not checked", f"the sandbox's record does not match the student's cells ({err}): look at it by hand")
    except plain.NotPlain as err:
        return ("wrong", f"the answer is {err.kind}: the exercise asks for numbers, text or arrays")
    except ValueError:
        return ("not checked", "the sandbox's record is not plain data: look at it by hand")
    replayers = [a for a in [*args, *named.values()] if isinstance(a, Replayer)]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check(*args, **spec["constants"], **named)
    except Tampered as err:
        return ("not checked", f"the check's calls do not match the sandbox's record ({err}): look at it by hand")
    except plain.NotPlain as err:
        name = replayers[0].__name__ if replayers else "the answer"
        return ("wrong", f"`{name}` returned {err.kind}: the exercise asks for numbers, text or arrays")
    except Raised as err:
        return ("wrong", f"the function raised {err}")
    except ExerciseNotDone as err:
        return ("not done", first_line(str(err)))
    except ExerciseFailed as err:
        return ("wrong", first_line(str(err)) or "the check failed")
    except ValueError as err:
        return ("wrong", f"{type(err).__name__}: {first_line(str(err))}")
    except Exception as err:
        return ("wrong", f"{type(err).__name__}: {first_line(str(err))}")
    if any(r.next != len(r.calls) for r in replayers):
        return ("not checked", "the sandbox recorded calls the check does not make: look at it by hand")
    return ("done", "")


def judge(job: dict) -> dict[str, list[str]]:
    from helpers.checks.common import calling
    calling._invoke = replay_invoke  # in this process only: it never runs a student's code
    module = importlib.import_module(f"helpers.checks.{job['slug']}")
    verdicts = {}
    for exercise in job["exercises"]:
        record = job["records"].get(exercise["key"])
        if type(record) is not dict:
            continue
        check = getattr(module, exercise["check"]["name"], None)
        check = getattr(check, "__wrapped__", check)
        try:
            verdicts[exercise["key"]] = list(verdict(exercise, record, check, job["marker"]))
        except (RecursionError, MemoryError, KeyError, TypeError, AttributeError) as err:
            verdicts[exercise["key"]] = ["not checked", f"the record could not be replayed ({type(err).__name__})"]
    return verdicts


def main() -> int:
    job = json.loads(sys.stdin.buffer.read())
    result = judge(job)
    os.write(1, json.dumps(result).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())


BOOT = ("import sys; sys.path.insert(0, {root!r}); sys.dont_write_bytecode = True; "
        "from helpers.cli.grading.judge import main; sys.exit(main())")


def decide(plan: dict, records: dict, memory_mb: int = 2048, seconds: float = 120.0) -> tuple[dict, str]:
    """({key: (status, reason)}, why not, if it failed): the judge run in a fresh Python process
    (not sandboxed: it runs the course's code only, on the records as data)."""
    import resource
    import subprocess
    from .sandbox import ROOT
    if not records:
        return {}, ""
    job = json.dumps({"slug": plan["slug"], "marker": plan["marker"], "exercises": plan["exercises"],
                      "records": records}).encode()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    env = {"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PYTHONHASHSEED": "0", "HOME": os.environ.get("HOME", "/tmp")}
    try:
        done = subprocess.run([sys.executable, "-I", "-c", BOOT.format(root=str(ROOT))], input=job,
                              capture_output=True, timeout=seconds, env=env, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return {}, f"the judge took more than {seconds:g} s"
    except OSError as err:
        return {}, f"the judge could not start ({err})"
    try:
        result = json.loads(done.stdout)
    except ValueError:
        tail = done.stderr.decode(errors="replace").strip().splitlines()
        return {}, f"the judge failed: {tail[-1][:150] if tail else done.returncode}"
    return {k: (str(v[0]), str(v[1])[:300]) for k, v in result.items()}, ""
