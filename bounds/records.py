"""Bound records: what a calculator returns for one claim id and one parameter point.

A record carries the hypotheses of the claim as checked at the given parameters, the values of
the printed bound (empty when any hypothesis fails), natural-log values for probabilities that
underflow, the O(.) constants used, and, where the printed statement is wrong, the values of a
corrected statement and a one-line erratum.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

__all__ = ["COUNTS", "EXACT_PROBABILITIES", "PROBABILITIES", "BoundRecord", "Hypothesis", "Order",
           "RecordBuilder", "dumps", "jsonable", "summarise"]

# definition: Arrays with at most this many entries are echoed in full in ``params``; larger ones
# are summarised so a record stays printable for |S| in the hundreds of thousands.
_FULL_ARRAY_ENTRIES = 64

_FLOAT_MAX = float(np.finfo(float).max)

# The invariants a record is checked against when it is built (``BoundRecord.__post_init__``),
# by the names every calculator uses:
# - PROBABILITIES: a value in [0, 1]; where ``log_values`` (or ``corrected["log_" + name]``) has
#   the same name, the value is exp(min(log, 0)) (a bound whose log exceeds 0 is vacuous: the
#   probability it gives is 1), or underflows to 0 with a log below -690;
# - definition: EXACT_PROBABILITIES: an exact probability, so also its log is <= 0;
# - definition: COUNTS: whole numbers >= 0 (unless a record lists the name in ``real_keys``: Prop.
# 1's O(.) query expressions are real numbers);
# - every value, log value, corrected value and constant is a finite number within float64.
PROBABILITIES = frozenset({"failure_prob", "bic_failure_prob", "exact_prob"})
EXACT_PROBABILITIES = frozenset({"exact_prob"})
COUNTS = frozenset({"queries", "queries_per_item", "naive_queries", "size", "queries_theorem2",
                    "queries_sufficient", "vacuous", "holds", "holds_coupling"})
_LOG_UNDERFLOW = -690.0  # exp below this is under 1e-300: a float value of 0.0 is consistent


@dataclass(frozen=True)
class Hypothesis:
    """One hypothesis of a claim, checked at the given parameters."""

    name: str
    statement: str
    holds: bool
    detail: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "statement": self.statement, "holds": bool(self.holds),
                "detail": self.detail}


@dataclass(frozen=True, kw_only=True)
class Order:
    """definition: An order the record asserts between two of its numbers: ``bound >= bounded -
    tol``.

    definition: Keys are ``"values.NAME"``, ``"log_values.NAME"`` or ``"corrected.NAME"``; ``tol``
    (absolute, >= 0) is the rounding the computation of ``bounded`` may carry (an a-posteriori
    bound, stated by the calculator);
    ``why`` is the theorem behind it (e.g. "Lemma 3 (Varah)")."""

    bound: str
    bounded: str
    tol: float = 0.0
    why: str = ""


@dataclass(frozen=True, kw_only=True)
class BoundRecord:
    """The bound of one claim id at one parameter point (see the module docstring).

    Built only if its invariants hold (``PROBABILITIES``, ``COUNTS``, finite numbers, its
    ``orders``): otherwise ValueError naming the claim id, the number and the parameters."""

    claim_id: str
    place: str
    formula: str
    params: dict
    hypotheses: tuple[Hypothesis, ...]
    values: dict
    log_values: dict
    constants: dict
    corrected: dict
    erratum: str | None
    notes: str = ""
    real_keys: tuple[str, ...] = ()
    orders: tuple[Order, ...] = ()

    def __post_init__(self) -> None:
        _check_invariants(self)

    @property
    def log_failure_prob(self) -> float:
        """The natural log of the probability the claim bounds (``log_values["failure_prob"]``:
        the one name every calculator with a probability uses); ValueError if it has none."""
        if not self.valid:
            self.value("failure_prob")  # raises, naming the failed hypotheses
        if "failure_prob" not in self.log_values:
            raise ValueError(f"{self.claim_id}: the record states no probability; log values "
                             f"are {sorted(self.log_values)}")
        return float(self.log_values["failure_prob"])

    @property
    def valid(self) -> bool:
        """True when every hypothesis of the claim holds at these parameters."""
        return all(h.holds for h in self.hypotheses)

    def failed(self) -> tuple[Hypothesis, ...]:
        """The hypotheses that do not hold."""
        return tuple(h for h in self.hypotheses if not h.holds)

    def value(self, name: str) -> float:
        """The value ``name``; ValueError naming the failed hypotheses if the record is invalid."""
        if not self.valid:
            broken = "; ".join(f"{h.name} ({h.statement}; {h.detail})" for h in self.failed())
            raise ValueError(f"{self.claim_id}: no value {name!r}, hypotheses fail: {broken}")
        if name not in self.values:
            raise ValueError(
                f"{self.claim_id}: no value {name!r}; values are {sorted(self.values)}")
        return self.values[name]

    def to_dict(self) -> dict:
        """JSON-safe dictionary (numpy and mpmath numbers become floats, or strings if they
        would underflow or overflow a float)."""
        return {
            "claim_id": self.claim_id,
            "place": self.place,
            "formula": self.formula,
            "params": jsonable(self.params),
            "hypotheses": [h.to_dict() for h in self.hypotheses],
            "valid": self.valid,
            "values": jsonable(self.values),
            "log_values": jsonable(self.log_values),
            "constants": jsonable(self.constants),
            "corrected": jsonable(self.corrected),
            "erratum": self.erratum,
            "notes": self.notes,
        }


def _number(x: Any) -> float | None:
    """``x`` as a float when it is a real number (None otherwise); mpf beyond float64 -> inf."""
    if isinstance(x, (bool, np.bool_)):
        return float(x)
    if isinstance(x, mpmath.mpf):
        return float(x) if mpmath.isfinite(x) and abs(x) <= _FLOAT_MAX else math.inf
    if isinstance(x, (int, float, Fraction, np.integer, np.floating)):
        try:
            return float(x)
        except OverflowError:
            return math.inf
    return None


def _check_invariants(rec: BoundRecord) -> None:
    """Raise ValueError naming the number that breaks an invariant of ``rec`` (see
    ``PROBABILITIES``, ``COUNTS``, ``Order``)."""
    where = f"{rec.claim_id} at {jsonable(rec.params)}"

    def fail(key: str, value: Any, what: str) -> None:
        raise ValueError(f"{where}: {key} = {value!r} {what}")

    sections = {"values": rec.values, "log_values": rec.log_values,
                "corrected": rec.corrected, "constants": rec.constants}
    floats: dict[str, dict[str, float]] = {}
    for section, data in sections.items():
        floats[section] = {}
        for name, value in data.items():
            x = _number(value)
            if x is None:
                fail(f"{section}[{name!r}]", value, "is not a number")
            if not math.isfinite(x):
                fail(f"{section}[{name!r}]", value,
                     "is not a finite float64 (NaN, or beyond +-1.8e308)")
            floats[section][name] = x
    for section in ("values", "corrected"):
        data = floats[section]
        for name, x in data.items():
            key = f"{section}[{name!r}]"
            if name in PROBABILITIES and not 0.0 <= x <= 1.0:
                fail(key, x, "is a probability outside [0, 1]")
            if name in COUNTS and name not in rec.real_keys and (x < 0 or x != math.floor(x)):
                fail(key, x, "is a count that is not a whole number >= 0")
            logs = floats["log_values"] if section == "values" else {
                n[4:]: v for n, v in data.items() if n.startswith("log_")}
            if name in PROBABILITIES and name in logs:
                log = logs[name]
                expected = math.exp(min(log, 0.0))
                if not (math.isclose(x, expected, rel_tol=1e-9)
                        or (log < _LOG_UNDERFLOW and x <= 1e-300)):
                    fail(key, x, f"is inconsistent with its log {log!r} "
                         f"(exp(min(log, 0)) = {expected!r})")
    for name, log in floats["log_values"].items():
        if name in EXACT_PROBABILITIES and log > 1e-12:
            fail(f"log_values[{name!r}]", log, "is the log of a probability, but > 0")
    for order in rec.orders:
        lhs, rhs = (_lookup(rec, floats, key) for key in (order.bound, order.bounded))
        if lhs is None or rhs is None:
            continue  # an optional number the record does not carry at this point
        if not lhs >= rhs - order.tol:
            fail(order.bound, lhs, f"is below {order.bounded} = {rhs!r} (tolerance {order.tol!r}"
                 f"), which it bounds ({order.why})")


def _lookup(rec: BoundRecord, floats: dict, key: str) -> float | None:
    section, _, name = key.partition(".")
    if section not in ("values", "log_values", "corrected") or not name:
        raise ValueError(f"{rec.claim_id}: an order names {key!r}; expected 'values.NAME', "
                         "'log_values.NAME' or 'corrected.NAME'")
    return floats[section].get(name)


def jsonable(obj: Any) -> Any:
    """``obj`` as strict JSON data: the project's one converter (records, verdicts, reports).

    numpy scalars and arrays become Python numbers and lists; a ``Fraction`` becomes the nearest
    float; an mpmath number becomes a float, or its 17 significant digits as a string when a
    float would underflow or overflow; a non-finite float becomes the string ``"inf"``,
    ``"-inf"`` or ``"nan"`` (so ``json.dumps(..., allow_nan=False)`` never fails); an object
    with ``to_dict()`` is converted through it; anything else is kept as its text.
    """
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating, Fraction)):
        value = float(obj)
        return value if math.isfinite(value) else str(value)
    if isinstance(obj, mpmath.mpf):
        as_float = float(obj)
        # a nonzero mpf that underflows (or overflows) keeps its digits as a string
        if (as_float == 0.0 and obj != 0) or not math.isfinite(as_float):
            return mpmath.nstr(obj, 17)
        return as_float
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if callable(getattr(obj, "to_dict", None)):
        return jsonable(obj.to_dict())
    return str(obj)


def dumps(obj: Any, indent: int | None = 2) -> str:
    """Strict JSON text of ``obj`` (through ``jsonable``; never NaN or Infinity tokens)."""
    return json.dumps(jsonable(obj), indent=indent, allow_nan=False)


def summarise(value: Any) -> Any:
    """A parameter as echoed in ``params``: scalars as given, small arrays in full, large
    arrays as shape and range."""
    if isinstance(value, (np.ndarray, list, tuple)):
        arr = np.asarray(value, dtype=float)
        if arr.size <= _FULL_ARRAY_ENTRIES:
            return arr.tolist()
        top = float(np.abs(arr).max())
        mean = float(np.mean(arr / top)) * top if top > 0 else 0.0  # no overflow on the way
        return {"shape": list(arr.shape), "min": float(arr.min()), "max": float(arr.max()),
                "mean": mean}
    return jsonable(value)


@dataclass
class RecordBuilder:
    """Collects hypotheses, then builds the frozen record (values dropped if any fails)."""

    claim_id: str
    place: str
    formula: str
    params: dict
    strict: bool = False
    hypotheses: list[Hypothesis] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.strict, (bool, np.bool_)):
            raise TypeError(f"strict must be True or False; found {self.strict!r}")

    def require(self, name: str, statement: str, holds: bool, detail: str = "") -> bool:
        self.hypotheses.append(Hypothesis(name, statement, bool(holds), detail))
        return bool(holds)

    @property
    def failed(self) -> bool:
        return not all(h.holds for h in self.hypotheses)

    def build(self, values: dict | None = None, log_values: dict | None = None,
              constants: dict | None = None, corrected: dict | None = None,
              erratum: str | None = None, notes: str = "", real_keys: tuple[str, ...] = (),
              orders: tuple[Order, ...] = ()) -> BoundRecord:
        broken = [h for h in self.hypotheses if not h.holds]
        if broken and self.strict:
            text = "; ".join(f"{h.name} ({h.statement}; {h.detail})" for h in broken)
            raise ValueError(f"{self.claim_id}: hypothesis fails: {text}")
        ok = not broken
        return BoundRecord(
            claim_id=self.claim_id,
            place=self.place,
            formula=self.formula,
            params={k: summarise(v) for k, v in self.params.items()},
            hypotheses=tuple(self.hypotheses),
            values=dict(values or {}) if ok else {},
            log_values=dict(log_values or {}) if ok else {},
            constants=dict(constants or {}),
            corrected=dict(corrected or {}) if ok else {},
            erratum=erratum if ok else None,
            notes=notes,
            real_keys=tuple(real_keys),
            orders=tuple(orders) if ok else (),
        )
