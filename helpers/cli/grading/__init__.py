"""The machinery of ``python -m helpers report`` (helpers/cli/report.py), one concern a module:

    lessons    what the complete edition says: each exercise, its check, the setup it needs
    screen     what an exercise cell may not do (reach into the grader, patch modules)
    collect    the students' notebooks in a folder: who, which lesson, duplicates
    sandbox    one run of the grader per student and lesson, inside bubblewrap, with limits
    child      what runs inside the sandbox: the setup, the student's cells, the checks
    output     the results as a table, CSV, JSON or an HTML page

The teacher's process (everything but ``child``) never runs a student's code: it reads the
notebooks as JSON and hands each exercise's cells to a fresh sandboxed process.
"""
