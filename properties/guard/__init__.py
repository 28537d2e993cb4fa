"""The guard: someone else's implementation judged against the paper's guarantees, through the
claim checks and directly, part by part, against the reference (``guard.parts``); the guard run
(``check_implementation``, ``parametrize_with_checks``), the pytest plugin and xfails files.

May import: every room below it (claims, subject, judging, engine). Never the report or the
command line.
"""

__all__: list[str] = []
