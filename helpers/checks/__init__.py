"""Exercise self-checks: run a learner's function against the reference and answer kindly.

Each lesson has its own module of named checks (``helpers.checks.meet_the_digits`` for notebook
01, ...), built on :func:`check_function`. A check either prints one line of praise or
stops the notebook with a message that says which input was tried, what was expected,
what came back, and a hint. The message is shown without a Python traceback, because
the traceback would point into this file, not at the learner's mistake.

The pieces, one of each: :func:`call_learner` calls a learner's function (by name, else
by position) and puts what went wrong into words; :func:`check_function` runs it on a
list of cases against the reference, recognising known slips (:func:`explain_slip`),
answers in named parts such as ``(sum, carry)`` and inputs changed in place. So a
lesson's module of checks reads as a list of exercises: cases, reference, slips, hint.
Reading the learner's code (which names it uses) is in :mod:`helpers.source`.
The machinery lives in :mod:`helpers.checks.common`, one concern a module (messages,
stand_ins, calling, compare); every public name is imported here, so a lesson's checks
and the notebooks import from ``helpers.checks``.

Also, for every check: the marks are a green ✓ and a red "✗ Not yet:" (symbols DejaVu
Sans draws, so no emoji font is needed, and a word as well as a colour); a :class:`Hint`
comes in stages (a pointer first, the next step after a second failure, the whole solution
only on request, ``solution(name)``); an answer of the wrong kind (text for a number, a list, a set, a dict
or a generator for an array) is named as such (:func:`wrong_kind`); and a learner's
function that runs longer than :data:`TIME_LIMIT` seconds is stopped with a hint.
"""

from helpers.checks.common.calling import TIME_LIMIT, call_learner, takes_names, warnings_as_errors
from helpers.checks.common.compare import SAID, check_function, check_value, explain_slip, same, wrong_kind
from helpers.checks.common.messages import (FAILED, GREEN, HINTS, PASSED, RED, RESET, WIDTH, ExerciseFailed, Hint,
                                            describe, hint_text, kind_of, marked, praise, recipe, reset_hints,
                                            solution)
from helpers.checks.common.stand_ins import (NOT_DONE, STAND_IN, ExerciseNotDone, fingerprint, is_stand_in, kindly,
                                             kindly_all, stand_in, stub_message, whose)

__all__ = [
    "FAILED", "GREEN", "HINTS", "NOT_DONE", "PASSED", "RED", "RESET", "SAID", "STAND_IN", "TIME_LIMIT", "WIDTH",
    "ExerciseFailed", "ExerciseNotDone", "Hint", "call_learner", "check_function", "check_value", "describe",
    "explain_slip", "fingerprint", "hint_text", "is_stand_in", "kind_of", "kindly", "kindly_all", "marked", "praise",
    "recipe", "reset_hints", "solution", "same", "stand_in", "stub_message", "takes_names", "warnings_as_errors", "whose",
    "wrong_kind",
]
