"""Bound tables for every claim id (``recmech table``): parameters typed as text, the scalar
conveniences for array parameters, and one row per grid point.

    recmech table CLAIM_ID --param k=8 --param eps=1e-3 --grid N=1e3,1e5,1e7 --format md
    recmech table                       # the headline table of Theorem 2

One row per grid point (the cartesian product of all ``--grid`` options) with the outputs of the
claim's calculator and the status of its hypotheses. The command line renders the rows (md, csv,
latex) or the records (json).

Values: numbers (``8``, ``1e-3``), lists ``1,1,1``, matrices ``2,1;1,3`` (rows split by ``;``),
``true``/``false``. Scalar conveniences for array parameters:
- ``theorem2.gaussian``: ``size=``, ``trace=`` (default size), ``rho=`` (default trace/size) build
  a diagonal Sigma_S with that size, trace and largest eigenvalue;
- ``theorem2.weak_dependence``, ``lemma5``: ``size=``, ``variance=`` (default 1) build
  ``variances`` = variance repeated size times;
- ``theorem2.deterministic`` (``C``), ``definition3`` (``block``), ``lemma3`` (``U``):
  ``k=`` builds the identity I_k;
- ``lemma9``: ``d=`` repeats a scalar ``c`` d times.
Bad input raises ``UsageError`` (one line; the command exits with code 2).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from recmech.bounds.headline import headline_rows
from recmech.bounds.inputs import integer, mapping, real
from recmech.bounds.inputs import text as text_gate
from recmech.bounds.records import BoundRecord
from recmech.bounds.registry import claim_ids, compute, describe_parameters

__all__ = ["MAX_CONVENIENCE_SIZE", "UsageError", "build_table", "expand_conveniences",
           "parse_value", "record_row", "table_rows"]

_INT = re.compile(r"^[+-]?\d+$")


class UsageError(ValueError):
    """Bad command-line input: reported as one line, exit code 2."""


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
    if value == 0.0 and _nonzero(text):
        raise UsageError(f"{name}={text} underflows float64 to 0 (the least positive float64 is "
                         "5e-324); give 0 or a representable number")
    return value


def _nonzero(text: str) -> bool:
    """Whether the decimal ``text`` names a number other than 0 (1e-400 does)."""
    try:
        return Decimal(text) != 0
    except InvalidOperation:
        return False


def parse_value(name: str, text: str) -> Any:
    """A scalar, a list ``a,b,c``, a matrix ``a,b;c,d`` or a boolean."""
    for label, value in (("name", name), ("text", text)):
        if not isinstance(value, str):
            raise TypeError(f"{label} must be text; found {type(value).__name__} {value!r}")
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


# definition: the scalar conveniences build arrays of this many entries at most (8 bytes each)
MAX_CONVENIENCE_SIZE = 10**7


def _whole(name: str, value: Any) -> int:
    try:
        out = integer(name, value, minimum=1)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a whole number >= 1; found {value!r}") from None
    if out > MAX_CONVENIENCE_SIZE:
        raise UsageError(f"{name} must be at most {MAX_CONVENIENCE_SIZE:.0e} (it builds an "
                         f"array of that many entries); found {value!r}")
    return out


def _scalar(name: str, value: Any) -> float:
    try:
        return real(name, value)
    except (TypeError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def expand_conveniences(claim_id: str, params: dict) -> dict:
    """Replace the scalar conveniences of the module docstring by the array they stand for."""
    claim_id, p = text_gate("claim_id", claim_id), dict(mapping("params", params))
    if claim_id == "theorem2.gaussian" and "Sigma_S" not in p and "size" in p:
        size = _whole("size", p.pop("size"))
        trace = _scalar("trace", p.pop("trace", size))
        rho = _scalar("rho", p.pop("rho", trace / size))
        p["Sigma_S"] = _diagonal_covariance(size, trace, rho)
    elif claim_id in ("theorem2.weak_dependence", "lemma5") and "variances" not in p \
            and "size" in p:
        p["variances"] = np.full(_whole("size", p.pop("size")),
                                 _scalar("variance", p.pop("variance", 1.0)))
    elif claim_id in ("theorem2.deterministic", "definition3", "lemma3"):
        key = {"theorem2.deterministic": "C", "definition3": "block", "lemma3": "U"}[claim_id]
        if key not in p and "k" in p:
            p[key] = np.eye(_whole("k", p.pop("k")))
    elif claim_id == "lemma9" and "d" in p:
        p["c"] = np.full(_whole("d", p.pop("d")), _scalar("c", p["c"]) if "c" in p else 1.0)
    return p


def record_row(record: BoundRecord, shown: dict) -> dict:
    """One table row: the grid parameters, hypothesis status, values, logs, corrections."""
    if not isinstance(record, BoundRecord):
        raise TypeError(f"record must be a BoundRecord; found {type(record).__name__}")
    row: dict[str, Any] = dict(mapping("shown", shown))
    row["valid"] = record.valid
    row["failed"] = " ".join(h.name for h in record.failed())
    row.update(record.values)
    row.update({f"log_{k}": v for k, v in record.log_values.items()})
    row.update({f"corrected_{k}": v for k, v in record.corrected.items()})
    row["erratum"] = record.erratum or ""
    return row


def build_table(claim_id: str, params: dict, grids: dict) -> tuple[list[dict], list[BoundRecord]]:
    """Run ``claim_id`` at every point of the cartesian product of ``grids`` (with ``params``)."""
    claim_id, params, grids = (text_gate("claim_id", claim_id), mapping("params", params),
                               mapping("grids", grids))
    if claim_id not in claim_ids():
        raise UsageError(f"unknown claim id {claim_id!r}; valid ids: {', '.join(claim_ids())}")
    names = list(grids)
    rows, records = [], []
    for point in itertools.product(*(grids[n] for n in names)):
        shown = dict(zip(names, point, strict=True))
        try:
            record = compute(claim_id, **expand_conveniences(claim_id, {**params, **shown}))
        except (ValueError, TypeError) as exc:
            raise UsageError(str(exc).splitlines()[0]) from None
        rows.append(record_row(record, shown))
        records.append(record)
    return rows, records


def table_rows(claim_id: str | None, params: Sequence[str] = (), grids: Sequence[str] = ()
               ) -> tuple[list[dict], list[BoundRecord] | None]:
    """The rows (and records) of ``recmech table``: ``params`` are ``NAME=VALUE`` texts,
    ``grids`` ``NAME=V1,V2,...`` texts; no claim id gives the headline table (no records)."""
    if claim_id is not None:
        text_gate("claim_id", claim_id)
    for label, given in (("params", params), ("grids", grids)):
        if isinstance(given, str) or not all(isinstance(t, str) for t in given):
            raise TypeError(f"{label} must be a sequence of NAME=VALUE texts; found {given!r}")
    if claim_id is None:
        if params or grids:
            raise UsageError("--param/--grid need a CLAIM_ID; valid ids: "
                             + ", ".join(claim_ids()))
        return headline_rows(), None
    values: dict[str, Any] = {}
    for text in params:
        name, value = _split_assignment("--param", text)
        if name in values:
            raise UsageError(f"--param {name} is given twice")
        values[name] = parse_value(name, value)
    points: dict[str, list] = {}
    for text in grids:
        name, value = _split_assignment("--grid", text)
        if name in points:
            raise UsageError(f"--grid {name} is given twice")
        cells = [t for t in value.split(",") if t.strip()]
        if not cells:
            raise UsageError(f"empty grid for {name}")
        points[name] = [_number(name, t) for t in cells]
    if claim_id in claim_ids():
        clash = sorted(set(values) & set(points))
        if clash:
            raise UsageError(f"{', '.join(clash)} given both as --param and --grid")
    rows, records = build_table(claim_id, values, points)
    if not rows:
        raise UsageError(f"no rows; {describe_parameters(claim_id)}")
    return rows, records
