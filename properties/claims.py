"""The claim table: what "a claim" is, in one place.

Each row joins, for one claim id of the register (CLAIMS.md), the paper place and statement and
whether it is an O(.) statement (``recmech.bounds.registry.CLAIM_REGISTER``), its bound
calculator (``recmech.bounds``), its check and the contract parts the check judges
(``recmech.properties.checks``), and its erratum and proof gap (``recmech.properties.errata``).
The report card, the guard, the pytest plugin, the command line and the README's tables read
this table and nothing else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from recmech.bounds.registry import CLAIM_REGISTER, REGISTRY, ClaimEntry
from recmech.properties.errata import ERRATA, PROOF_GAPS, Erratum

__all__ = ["Claim", "claim", "claim_ids", "claim_table", "expected_verdict"]


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One claim: register entry, calculator, check, contract parts, erratum and proof gap."""

    entry: ClaimEntry
    calculator: Callable
    check: Callable
    parts: tuple[str, ...]
    erratum: Erratum | None = None
    proof_gap: Erratum | None = None

    @property
    def claim_id(self) -> str:
        return self.entry.claim_id

    @property
    def place(self) -> str:
        return self.entry.place

    @property
    def statement(self) -> str:
        return self.entry.statement

    @property
    def rate_only(self) -> bool:
        return self.entry.rate_only

    @property
    def expected(self) -> str:
        """The verdict the report card expects: the erratum's when the printed statement is
        false, "rate-only" for an O(.) statement (its constant is open), else "holds"."""
        if self.erratum is not None:
            return self.erratum.verdict
        return "rate-only" if self.rate_only else "holds"

    @property
    def corrected_expected(self) -> str | None:
        """What the corrected statement of an erratum must give (None: no erratum)."""
        if self.erratum is None:
            return None
        return "rate-only" if self.rate_only else "holds"

    def to_dict(self) -> dict:
        return {"claim_id": self.claim_id, "place": self.place, "statement": self.statement,
                "rate_only": self.rate_only, "expected": self.expected, "parts": list(self.parts),
                "erratum": None if self.erratum is None else self.erratum.to_dict(),
                "proof_gap": None if self.proof_gap is None else self.proof_gap.to_dict()}


@functools.lru_cache(maxsize=1)
def claim_table() -> Mapping[str, Claim]:
    """Claim id -> Claim, in the register's order. Every register id has a calculator and a
    check, and every check and erratum names a register id (an error otherwise)."""
    import recmech.properties.checks  # noqa: F401  (registers every check)
    from recmech.properties.checks.registry import CHECK_PARTS, CHECKS

    strays = sorted((set(CHECKS) | set(ERRATA) | set(PROOF_GAPS)) - set(CLAIM_REGISTER))
    missing = sorted(c for c in CLAIM_REGISTER if c not in CHECKS or c not in REGISTRY)
    if strays or missing:
        raise RuntimeError(f"the claim table is inconsistent: ids outside the register "
                           f"{strays}; register ids without a calculator or check {missing}")
    return MappingProxyType({
        cid: Claim(entry=entry, calculator=REGISTRY[cid], check=CHECKS[cid],
                   parts=CHECK_PARTS[cid], erratum=ERRATA.get(cid),
                   proof_gap=PROOF_GAPS.get(cid))
        for cid, entry in CLAIM_REGISTER.items()})


def claim_ids() -> list[str]:
    """Every claim id, in the register's order."""
    return list(CLAIM_REGISTER)


def claim(claim_id: str) -> Claim:
    """The row of ``claim_id``; ValueError listing the valid ids otherwise."""
    table = claim_table()
    if claim_id not in table:
        raise ValueError(f"unknown claim id {claim_id!r}; valid ids: {', '.join(table)}")
    return table[claim_id]


def expected_verdict(claim_id: str) -> str:
    """The verdict the report card expects for ``claim_id`` (``Claim.expected``)."""
    return claim(claim_id).expected
