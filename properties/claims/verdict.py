"""Verdict records: what a claim check found, in one JSON-safe shape shared by every check.

A check (``recmech.properties.judging.checks``) draws instances inside a claim's hypotheses,
measures the
object exactly or with a controlled error, compares with the bound of ``recmech.bounds`` for the
same parameters and returns one :class:`Verdict` per claim id of the claim register (CLAIMS.md).
Records are built by keyword only; ``Verdict.exact`` and ``Verdict.statistical`` are the common
shapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from recmech.bounds.records import jsonable

__all__ = ["VERDICTS", "Corrected", "Verdict"]

VERDICTS = ("holds", "fails-as-stated", "proof-step-fails", "rate-only", "inconclusive")


def _check_verdict(name: str, value: str) -> None:
    if value not in VERDICTS:
        raise ValueError(f"{name} must be one of {VERDICTS}; found {value!r}")


@dataclass(frozen=True, kw_only=True)
class Corrected:
    """The verdict of an erratum's corrected statement, checked on the same instances as the
    printed one (and the instance that breaks it, if any)."""

    verdict: str
    counterexample: dict | None = None

    def __post_init__(self) -> None:
        _check_verdict("corrected verdict", self.verdict)

    @classmethod
    def of(cls, ok: bool, counterexample: dict | None = None) -> Corrected:
        """"holds" when ``ok``, else "fails-as-stated" with ``counterexample``."""
        return cls(verdict="holds" if ok else "fails-as-stated",
                   counterexample=None if ok else counterexample)

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "counterexample": jsonable(self.counterexample)}

    @classmethod
    def from_dict(cls, data: dict) -> Corrected:
        return cls(verdict=data["verdict"], counterexample=data.get("counterexample"))


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """One claim's verdict.

    ``slack`` is ``bound - observed`` (positive = room) unless ``notes`` says it is a log-ratio
    ``log(bound) - log(observed)``. ``false_alarm`` is the probability that this verdict says the
    claim fails although it holds; ``false_pass`` the probability it says "holds" although the
    claim is violated by the stated margin (0.0 for exact computations; None when the check does
    not control it). ``corrected`` is the verdict of the corrected statement of an erratum.
    ``families`` names the instance families the check ran (family -> "fails", "holds", or
    "excluded: why"), so a failure upstream in the claim graph can be traced to a check that
    covers it. ``slack`` is negative exactly when the claim fails on the instance it names.
    """

    claim_id: str
    verdict: str
    instances: int
    false_alarm: float | None
    false_pass: float | None
    observed: float | None = None
    bound: float | None = None
    slack: float | None = None
    instance: dict = field(default_factory=dict)
    counterexample: dict | None = None
    notes: str = ""
    corrected: Corrected | None = None
    families: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_verdict("verdict", self.verdict)
        if not isinstance(self.claim_id, str) or not self.claim_id:
            raise ValueError(f"claim_id must be a non-empty string; found {self.claim_id!r}")
        if self.instances < 0:
            raise ValueError(f"instances must be >= 0; found {self.instances}")
        for name in ("false_alarm", "false_pass"):
            p = getattr(self, name)
            if p is not None and not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1]; found {p}")
        if self.slack is not None and not math.isnan(self.slack) and (
                (self.fails and self.slack >= 0) or (self.verdict == "holds" and self.slack < 0)):
            raise ValueError(f"slack must be negative exactly when the claim fails: verdict "
                             f"{self.verdict!r} with slack {self.slack!r} ({self.claim_id})")
        if self.corrected is not None and not isinstance(self.corrected, Corrected):
            raise TypeError(f"corrected must be a Corrected record; found "
                            f"{type(self.corrected).__name__}")

    @classmethod
    def exact(cls, claim_id: str, ok: bool, *, instances: int, counterexample: Any = None,
              **fields_: Any) -> Verdict:
        """An exact verdict (no sampling error either way): "holds" when ``ok``, else
        "fails-as-stated" with ``counterexample``."""
        return cls(claim_id=claim_id, verdict="holds" if ok else "fails-as-stated",
                   instances=instances, false_alarm=0.0, false_pass=0.0,
                   counterexample=None if ok else counterexample, **fields_)

    @classmethod
    def statistical(cls, claim_id: str, verdict: str, *, instances: int, alpha: float,
                    **fields_: Any) -> Verdict:
        """definition: A Monte Carlo verdict whose false alarm and false pass are each at most
        ``alpha``."""
        return cls(claim_id=claim_id, verdict=verdict, instances=instances, false_alarm=alpha,
                   false_pass=alpha, **fields_)

    @property
    def fails(self) -> bool:
        return self.verdict in ("fails-as-stated", "proof-step-fails")

    def to_dict(self) -> dict:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Verdict:
        """The verdict ``to_dict`` wrote (numbers as JSON gives them back: ``to_dict`` of the
        result equals ``data``)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"data has fields no Verdict has: {unknown}")
        fields_ = dict(data)
        if fields_.get("corrected") is not None:
            fields_["corrected"] = Corrected.from_dict(fields_["corrected"])
        for name in ("observed", "bound", "slack"):
            if isinstance(fields_.get(name), str):  # non-finite numbers travel as text
                fields_[name] = float(fields_[name])
        return cls(**fields_)
