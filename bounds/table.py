"""``recmech table``: bound tables for every claim id.

    recmech table CLAIM_ID --param k=8 --param eps=1e-3 --grid N=1e3,1e5,1e7 --format md
    recmech table                       # the headline table of Theorem 2

One row per grid point (the cartesian product of all ``--grid`` options) with the outputs of the
claim's calculator and the status of its hypotheses. Formats: ``md`` (default), ``csv``,
``json`` (the list of ``BoundRecord.to_dict()``), ``latex`` (booktabs tabular).

Values: numbers (``8``, ``1e-3``), lists ``1,1,1``, matrices ``2,1;1,3`` (rows split by ``;``),
``true``/``false``. Scalar conveniences for array parameters:
- ``theorem2.gaussian``: ``size=``, ``trace=`` (default size), ``rho=`` (default trace/size) build
  a diagonal Sigma_S with that size, trace and largest eigenvalue;
- ``theorem2.weak_dependence``, ``lemma5``: ``size=``, ``variance=`` (default 1) build
  ``variances`` = variance repeated size times;
- ``theorem2.deterministic`` (``C``), ``definition3`` (``block``), ``lemma3`` (``U``):
  ``k=`` builds the identity I_k;
- ``lemma9``: ``d=`` repeats a scalar ``c`` d times.
Bad input prints one line on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import math
import re
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from recmech.bounds.headline import headline_rows
from recmech.bounds.records import BoundRecord
from recmech.bounds.registry import claim_ids, compute, describe_parameters

FORMATS = ("md", "csv", "json", "latex")
_INT = re.compile(r"^[+-]?\d+$")


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _number(name: str, text: str) -> int | float:
    text = text.strip()
    if _INT.match(text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"cannot parse {text!r} as a number for {name}") from None
    if math.isnan(value):
        raise UsageError(f"{name} must not be NaN")
    return value


def parse_value(name: str, text: str) -> Any:
    """A scalar, a list ``a,b,c``, a matrix ``a,b;c,d`` or a boolean."""
    if text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    if ";" in text:
        rows = [[_number(name, t) for t in row.split(",")] for row in text.split(";")]
        if len({len(r) for r in rows}) != 1:
            raise UsageError(f"matrix {name} has rows of different lengths: {text!r}")
        return np.array(rows, dtype=float)
    if "," in text:
        return np.array([_number(name, t) for t in text.split(",")], dtype=float)
    if not text.strip():
        raise UsageError(f"empty value for {name}")
    return _number(name, text)


def _split_assignment(option: str, text: str) -> tuple[str, str]:
    if "=" not in text:
        raise UsageError(f"{option} expects NAME=VALUE; found {text!r}")
    name, value = text.split("=", 1)
    if not name.strip():
        raise UsageError(f"{option} expects NAME=VALUE; found {text!r}")
    return name.strip(), value


def _diagonal_covariance(size: int, trace: float, rho: float) -> np.ndarray:
    if size == 1:
        return np.array([trace])
    rest = (trace - rho) / (size - 1)
    if not 0 <= rest <= rho:
        raise UsageError(f"no diagonal covariance has size={size}, trace={trace}, rho={rho} "
                         "(need rho <= trace <= size rho)")
    diag = np.full(size, rest)
    diag[0] = rho
    return diag


def _whole(name: str, value: Any) -> int:
    if isinstance(value, np.ndarray) or float(value) != int(value) or value < 1:
        raise UsageError(f"{name} must be a whole number >= 1; found {value!r}")
    return int(value)


def expand_conveniences(claim_id: str, params: dict) -> dict:
    """Replace the scalar conveniences of the module docstring by the array they stand for."""
    p = dict(params)
    if claim_id == "theorem2.gaussian" and "Sigma_S" not in p and "size" in p:
        size = _whole("size", p.pop("size"))
        trace = float(p.pop("trace", size))
        rho = float(p.pop("rho", trace / size))
        p["Sigma_S"] = _diagonal_covariance(size, trace, rho)
    elif claim_id in ("theorem2.weak_dependence", "lemma5") and "variances" not in p \
            and "size" in p:
        p["variances"] = np.full(_whole("size", p.pop("size")), float(p.pop("variance", 1.0)))
    elif claim_id in ("theorem2.deterministic", "definition3", "lemma3"):
        key = {"theorem2.deterministic": "C", "definition3": "block", "lemma3": "U"}[claim_id]
        if key not in p and "k" in p:
            p[key] = np.eye(_whole("k", p.pop("k")))
    elif claim_id == "lemma9" and "d" in p:
        p["c"] = np.full(_whole("d", p.pop("d")), float(p["c"]) if "c" in p else 1.0)
    return p


def record_row(record: BoundRecord, shown: dict) -> dict:
    """One table row: the grid parameters, hypothesis status, values, logs, corrections."""
    row: dict[str, Any] = dict(shown)
    row["valid"] = record.valid
    row["failed"] = " ".join(h.name for h in record.failed())
    row.update(record.values)
    row.update({f"log_{k}": v for k, v in record.log_values.items()})
    row.update({f"corrected_{k}": v for k, v in record.corrected.items()})
    row["erratum"] = record.erratum or ""
    return row


def _columns(rows: list[dict]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        cols += [c for c in row if c not in cols]
    return cols


def _cell(value: Any, exact: bool) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if exact else f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        return ";".join(",".join(repr(float(x)) for x in np.atleast_1d(r)) for r in value)
    return str(value)


def _latex_escape(text: str) -> str:
    repl = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}"}
    return "".join(repl.get(ch, ch) for ch in text)


def render(rows: list[dict], fmt: str, records: list[BoundRecord] | None = None) -> str:
    """Render rows as md, csv, latex; json renders ``records`` (or the rows) as a list."""
    if fmt == "json":
        payload = [r.to_dict() for r in records] if records is not None else rows
        return json.dumps(payload, indent=2, default=_json_default)
    cols = _columns(rows)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_cell(row.get(c, ""), exact=True) for c in cols])
        return buf.getvalue().rstrip("\n")
    if fmt == "latex":
        lines = [r"\begin{tabular}{" + "l" * len(cols) + "}", r"\toprule",
                 " & ".join(_latex_escape(c) for c in cols) + r" \\", r"\midrule"]
        lines += [" & ".join(_latex_escape(_cell(row.get(c, ""), exact=False)) for c in cols)
                  + r" \\" for row in rows]
        lines += [r"\bottomrule", r"\end{tabular}"]
        return "\n".join(lines)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_cell(row.get(c, ""), exact=False).replace("|", "/")
                                for c in cols) + " |" for row in rows]
    return "\n".join(lines)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def build_table(claim_id: str, params: dict, grids: dict) -> tuple[list[dict], list[BoundRecord]]:
    """Run ``claim_id`` at every point of the cartesian product of ``grids`` (with ``params``)."""
    if claim_id not in claim_ids():
        raise UsageError(f"unknown claim id {claim_id!r}; valid ids: {', '.join(claim_ids())}")
    names = list(grids)
    rows, records = [], []
    for point in itertools.product(*(grids[n] for n in names)):
        shown = dict(zip(names, point, strict=True))
        merged = expand_conveniences(claim_id, {**params, **shown})
        try:
            record = compute(claim_id, **merged)
        except (ValueError, TypeError) as exc:
            raise UsageError(str(exc).splitlines()[0]) from None
        rows.append(record_row(record, shown))
        records.append(record)
    return rows, records


def _parser() -> _Parser:
    parser = _Parser(prog="recmech table", add_help=True,
                     description="Bound tables (no CLAIM_ID: the headline table of Thm. 2).")
    parser.add_argument("claim_id", nargs="?", help="a claim id, e.g. theorem2.gaussian")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...")
    parser.add_argument("--format", choices=FORMATS, default="md")
    return parser


def run(argv: Sequence[str]) -> str:
    """The table as text; raises UsageError on bad input."""
    args = _parser().parse_args(list(argv))
    if args.claim_id is None:
        if args.param or args.grid:
            raise UsageError("--param/--grid need a CLAIM_ID; valid ids: "
                             + ", ".join(claim_ids()))
        return render(headline_rows(), args.format)
    params: dict[str, Any] = {}
    for text in args.param:
        name, value = _split_assignment("--param", text)
        params[name] = parse_value(name, value)
    grids: dict[str, list] = {}
    for text in args.grid:
        name, value = _split_assignment("--grid", text)
        points = [t for t in value.split(",") if t.strip()]
        if not points:
            raise UsageError(f"empty grid for {name}")
        grids[name] = [_number(name, t) for t in points]
    if args.claim_id in claim_ids():
        clash = sorted(set(params) & set(grids))
        if clash:
            raise UsageError(f"{', '.join(clash)} given both as --param and --grid")
    rows, records = build_table(args.claim_id, params, grids)
    if not rows:
        raise UsageError(f"no rows; {describe_parameters(args.claim_id)}")
    return render(rows, args.format, records)


def main(argv: list[str]) -> int:
    """Entry point of ``recmech table``: prints the table, returns the exit code."""
    try:
        text = run(argv)
    except UsageError as exc:
        print(f"recmech table: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # argparse --help
        return int(exc.code or 0)
    print(text)
    return 0
