"""Verdict records: what a claim check found, in one JSON-safe shape shared by every check.

A check (``recmech.properties.checks``) draws instances inside a claim's hypotheses, measures the object
exactly or with a controlled error, compares with the bound of ``recmech.bounds`` for the same parameters
and returns one :class:`Verdict` per claim id of the claim register (CLAIMS.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import Any

import numpy as np

VERDICTS = ("holds", "fails-as-stated", "proof-step-fails", "rate-only", "inconclusive")


def json_safe(value: Any) -> Any:
    """``value`` with numpy scalars/arrays, fractions, mpmath numbers and tuples made JSON-safe.

    Non-finite floats become strings ("inf", "-inf", "nan") so a record never serialises as
    invalid JSON.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else str(v)
    if isinstance(value, Fraction):
        return {"numerator": value.numerator, "denominator": value.denominator,
                "float": float(value)}
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "to_dict"):
        return json_safe(value.to_dict())
    # mpmath numbers (mpf/mpi) and anything else printable: keep the exact digits as text
    return str(value)


@dataclass(frozen=True)
class Verdict:
    """One claim's verdict.

    ``slack`` is ``bound - observed`` (positive = room) unless ``notes`` says it is a log-ratio
    ``log(bound) - log(observed)``. ``false_alarm`` is the probability that this verdict says the
    claim fails although it holds; ``false_pass`` the probability it says "holds" although the
    claim is violated by the stated margin (0.0 for exact computations).
    """

    claim_id: str
    verdict: str
    observed: float | None
    bound: float | None
    slack: float | None
    instances: int
    instance: dict
    counterexample: dict | None
    false_alarm: float | None
    false_pass: float | None
    notes: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}; found {self.verdict!r}")
        if not isinstance(self.claim_id, str) or not self.claim_id:
            raise ValueError(f"claim_id must be a non-empty string; found {self.claim_id!r}")
        if self.instances < 0:
            raise ValueError(f"instances must be >= 0; found {self.instances}")
        for name in ("false_alarm", "false_pass"):
            p = getattr(self, name)
            if p is not None and not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1]; found {p}")

    @property
    def fails(self) -> bool:
        return self.verdict in ("fails-as-stated", "proof-step-fails")

    def to_dict(self) -> dict:
        return {f.name: json_safe(getattr(self, f.name)) for f in fields(self)}
