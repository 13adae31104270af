"""The machinery every lesson's checks share, one concern a module.

``helpers.checks`` re-exports all of it, so a lesson's checks (and a notebook) import
from there: ``from helpers.checks import check_function, Hint``.

    messages    the marks (✓, ✗ Not yet:), praise, ExerciseFailed, hints in two stages, values in words
    stand_ins   exercises not begun: "Not done yet", the course's version standing in (kindly, whose)
    calling     calling a learner's function: by name or position, a time limit, errors in words
    compare     comparing answers with the reference: same, wrong_kind, known slips, check_function
"""
