"""Presentation: every table and JSON document the ``recmech`` command writes.

One Markdown table helper, one CSV and one LaTeX (booktabs) renderer, and JSON through the
project's one converter (``recmech.bounds.records.dumps``: strict JSON, non-finite numbers as
strings; imported when JSON is asked for, so the command line starts without the calculators).
The packages below compute records; this module only turns them into text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["contract_markdown", "FORMATS", "cell", "csv_table", "dict_table", "latex_table",
"markdown_table"]

FORMATS = ("md", "csv", "json", "latex")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]],
                   pipe: str = "\\|") -> str:
    """A Markdown table; a ``|`` inside a cell is written as ``pipe`` (escaped by default)."""
    def line(cells: Sequence[Any]) -> str:
        return "| " + " | ".join(str(c).replace("|", pipe) for c in cells) + " |"

    return "\n".join([line(header), "|" + "---|" * len(header), *(line(r) for r in rows)])


def csv_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (no trailing newline)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return buf.getvalue().rstrip("\n")


def _latex_escape(text: str) -> str:
    repl = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}"}
    return "".join(repl.get(ch, ch) for ch in text)


def latex_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A booktabs ``tabular`` with one left-aligned column per header entry."""
    lines = [r"\begin{tabular}{" + "l" * len(header) + "}", r"\toprule",
             " & ".join(_latex_escape(str(c)) for c in header) + r" \\", r"\midrule"]
    lines += [" & ".join(_latex_escape(str(c)) for c in row) + r" \\" for row in rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def cell(value: Any, exact: bool) -> str:
    """One table cell: booleans as true/false, floats as ``repr`` (``exact``) or 6 significant
    digits, arrays as ``a,b;c,d`` (the syntax ``recmech table`` parses back)."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if exact else f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        return ";".join(",".join(repr(float(x)) for x in np.atleast_1d(r)) for r in value)
    return str(value)


def dict_table(rows: list[dict], fmt: str, records: Sequence[Any] | None = None) -> str:
    """Rows of dicts (columns: the union of their keys, in first-seen order) as md, csv or
    latex; json renders ``records`` (their ``to_dict()``), or the rows, as a list."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}; found {fmt!r}")
    if fmt == "json":
        from recmech.bounds.records import dumps

        return dumps(list(records) if records is not None else rows)
    cols: list[str] = []
    for row in rows:
        cols += [c for c in row if c not in cols]
    exact = fmt == "csv"
    body = [[cell(row.get(c, ""), exact) for c in cols] for row in rows]
    if fmt == "csv":
        return csv_table(cols, body)
    if fmt == "latex":
        return latex_table(cols, body)
    return markdown_table(cols, body, pipe="/")


def contract_markdown(uses: Mapping[str, tuple[str, ...]]) -> str:
    """The README's contract table: part, signature, what it must return, the claim ids whose
    checks use it (``uses``: claim id -> parts, from the check registry) and the part's own
    judgements (``recmech.properties.guard.parts``)."""
    from recmech.properties.guard.parts.registry import PART_CHECKS, part_check_ids
    from recmech.properties.subject.contract import PARTS

    part_check_ids()  # registers every judgement
    rows = []
    for part in PARTS.values():
        if part.name == "bounds":
            used = "as `compute`, for the ids it lists"
        else:
            used = ", ".join(f"`{c}`" for c, parts in uses.items() if part.name in parts)
            own = [pc.check_id for pc in PART_CHECKS.values() if pc.part == part.name]
            if part.name == "compute":
                own = ["`part.compute.<claim id>`", "`tight.<claim id>`"]
            else:
                own = [f"`{c}`" for c in own]
            used = "; ".join(x for x in (used, ", ".join(own)) if x)
        rows.append([f"`{part.name}`", f"`{part.signature}`", part.returns, used or "none"])
    return markdown_table(["part", "signature", "returns", "judged by (claim ids; own "
                                                            "judgements)"], rows)
