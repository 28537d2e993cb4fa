"""What users read: the report card, Markdown/LaTeX tables, figures and the bound-table
parameters (typing, grids, conveniences).

May import: every room below it (claims, subject, judging, engine, guard).
"""

__all__: list[str] = []
