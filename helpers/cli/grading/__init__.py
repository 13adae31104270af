"""The machinery of ``python -m helpers report`` (helpers/cli/report.py), one concern a module:

    lessons    what the complete edition says: each exercise, its check, the setup it needs
    screen     what an exercise cell may not do (reach into the grader, patch modules)
    collect    the students' notebooks in a folder: who, which lesson, duplicates
    sandbox    one run of the grader per student and lesson, inside bubblewrap, with limits
    child      what runs inside the sandbox: the setup, the student's cells, the checks
               called with a recorder in place of the student's function
    plain      what crosses the sandbox's wall: plain data only, exact types, as JSON
    judge      the verdicts: the real checks again, in a process with no student code,
               the recorded answers played back
    output     the results as a table, CSV, JSON or an HTML page

The teacher's process and the judge (everything but ``child``) never run a student's code:
the teacher's reads the notebooks as JSON and hands each exercise's cells to a fresh
sandboxed process, whose records it hands to the judge.
"""
