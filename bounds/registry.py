"""The registry: claim id -> bound calculator.

The 23 claim ids of the claim register are kept here as ``CLAIM_IDS``; every one of them has
exactly one calculator, registered with ``@register(claim_id)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from recmech.bounds.records import BoundRecord

CLAIM_IDS: tuple[str, ...] = (
    "definition3",
    "lemma1",
    "theorem1",
    "lemma2",
    "theorem2.noisy_value",
    "theorem2.deterministic",
    "theorem2.gaussian",
    "theorem2.weak_dependence",
    "remark4",
    "proposition1.separable",
    "proposition1.gaussian",
    "proposition1.weak_dependence",
    "proposition1.mechanism",
    "lemma3",
    "lemma4",
    "lemma5",
    "lemma6",
    "lemma7.lower_tail",
    "lemma7.upper_tail",
    "proposition3",
    "lemma8",
    "lemma9",
)


class _Required:
    """Marker for a parameter without a default."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()

REGISTRY: dict[str, Callable[..., BoundRecord]] = {}


def register(claim_id: str) -> Callable[[Callable[..., BoundRecord]], Callable[..., BoundRecord]]:
    """Decorator: register ``func`` as the calculator of ``claim_id`` (one per id)."""
    if claim_id not in CLAIM_IDS:
        raise ValueError(f"claim_id must be one of the claim register; found {claim_id!r}")

    def deco(func: Callable[..., BoundRecord]) -> Callable[..., BoundRecord]:
        if claim_id in REGISTRY and REGISTRY[claim_id] is not func:
            raise ValueError(f"claim_id {claim_id!r} is already registered")
        REGISTRY[claim_id] = func
        func.claim_id = claim_id  # type: ignore[attr-defined]
        return func

    return deco


def claim_ids() -> list[str]:
    """The registered claim ids, in the order of the claim register."""
    return [c for c in CLAIM_IDS if c in REGISTRY]


def _calculator(claim_id: str) -> Callable[..., BoundRecord]:
    if claim_id not in REGISTRY:
        raise ValueError(f"unknown claim id {claim_id!r}; valid ids: {', '.join(claim_ids())}")
    return REGISTRY[claim_id]


def parameters(claim_id: str) -> dict[str, Any]:
    """Parameter name -> default (or ``REQUIRED``) of the calculator of ``claim_id``
    (``strict`` is accepted by every calculator and not listed)."""
    sig = inspect.signature(_calculator(claim_id))
    return {
        name: (REQUIRED if p.default is inspect.Parameter.empty else p.default)
        for name, p in sig.parameters.items()
        if name != "strict"
    }


def describe_parameters(claim_id: str) -> str:
    """One line: the parameters a claim takes, required ones first."""
    params = parameters(claim_id)
    req = [n for n, d in params.items() if d is REQUIRED]
    opt = [f"{n}={d!r}" for n, d in params.items() if d is not REQUIRED]
    return f"{claim_id} takes {', '.join(req) or 'no required parameters'}" + (
        f"; optional {', '.join(opt)}" if opt else "")


def compute(claim_id: str, **params: Any) -> BoundRecord:
    """Run the calculator of ``claim_id`` on keyword parameters (``strict`` passes through).

    Unknown id -> ValueError listing the valid ids; unknown or missing parameter ->
    ValueError listing the accepted ones.
    """
    func = _calculator(claim_id)
    accepted = parameters(claim_id)
    unknown = sorted(set(params) - set(accepted) - {"strict"})
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; "
                         f"{describe_parameters(claim_id)}")
    missing = [n for n, d in accepted.items() if d is REQUIRED and n not in params]
    if missing:
        raise ValueError(f"missing parameter(s) {', '.join(missing)}; "
                         f"{describe_parameters(claim_id)}")
    return func(**params)
