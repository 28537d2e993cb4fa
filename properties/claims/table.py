"""The claim table: what "a claim" is, in one place.

Each row joins, for one claim id, the paper place and statement and whether it is an O(.)
statement (``recmech.bounds.registry.CLAIM_REGISTER`` for the paper's claims,
``recmech.properties.claims.project`` for the project's own ``project.*``), its bound calculator
(``recmech.bounds``), the open points of the paper it depends on and their readings
(``claims.readings``), and its errata and proof gaps (``claims.errata``). The claims its proof
uses are in ``claims.graph``. A claim's check and the contract parts it judges are registered one
room up, under the same id (``recmech.properties.judging.checks.registry``: ``CHECKS``,
``CHECK_PARTS``), which checks that the two name the same ids.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from recmech.bounds.registry import CLAIM_REGISTER, REGISTRY, ClaimEntry
from recmech.properties.claims.errata import ERRATA, PROOF_GAPS, Erratum, errata_of, proof_gaps_of
from recmech.properties.claims.project import PROJECT_CLAIMS
from recmech.properties.claims.readings import CLAIM_POINTS, default_readings, variants

__all__ = ["Claim", "claim", "claim_ids", "claim_table", "expected_verdict"]


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One claim: register entry, calculator (None for a project claim), open points, errata
    and proof gaps."""

    entry: ClaimEntry
    calculator: Callable | None
    errata: tuple[Erratum, ...] = ()
    proof_gaps: tuple[Erratum, ...] = ()
    points: tuple[str, ...] = ()

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
    def source(self) -> str:
        """"paper" or "project" (an inequality recmech's own code asserts)."""
        return "project" if self.claim_id.startswith("project.") else "paper"

    @property
    def variants(self) -> list[dict[str, str]]:
        """The reading assignments the claim is checked under (defaults first)."""
        return variants(self.claim_id)

    def errata_under(self, readings: Mapping[str, str]) -> tuple[Erratum, ...]:
        """The errata that hold under the reading assignment."""
        return tuple(e for e in self.errata if e.applies(readings))

    def expected_for(self, readings: Mapping[str, str]) -> str:
        """The verdict the report card expects under ``readings``: an erratum's when one holds
        there, "rate-only" for an O(.) statement (its constant is open), else "holds"."""
        errata = self.errata_under(readings)
        if errata:
            return errata[0].verdict
        return "rate-only" if self.rate_only else "holds"

    def corrected_expected_for(self, readings: Mapping[str, str]) -> str | None:
        """What the corrected statement must give under ``readings`` (None: no erratum)."""
        if not self.errata_under(readings):
            return None
        return "rate-only" if self.rate_only else "holds"

    @property
    def default_readings(self) -> dict[str, str]:
        return default_readings(self.claim_id)

    @property
    def expected(self) -> str:
        """The expected verdict under the default readings."""
        return self.expected_for(self.default_readings)

    @property
    def corrected_expected(self) -> str | None:
        return self.corrected_expected_for(self.default_readings)

    @property
    def erratum(self) -> Erratum | None:
        """The first erratum under the default readings (None: the printed statement holds
        there)."""
        errata = self.errata_under(self.default_readings)
        return errata[0] if errata else None

    def to_dict(self) -> dict:
        return {"claim_id": self.claim_id, "place": self.place, "statement": self.statement,
                "source": self.source, "rate_only": self.rate_only,
                "points": list(self.points), "variants": self.variants,
                "expected": {"+".join(v.values()) or "default": self.expected_for(v)
                             for v in self.variants},
                "errata": [e.to_dict() for e in self.errata],
                "proof_gaps": [g.to_dict() for g in self.proof_gaps]}


@functools.lru_cache(maxsize=1)
def claim_table() -> Mapping[str, Claim]:
    """Claim id -> Claim: the paper's claims in the register's order, then the project's. Every
    paper claim has a calculator, and every erratum, proof gap and open point names a claim (an
    error otherwise)."""
    entries = {**CLAIM_REGISTER, **PROJECT_CLAIMS}
    strays = sorted((set(ERRATA) | set(PROOF_GAPS) | set(CLAIM_POINTS)) - set(entries))
    missing = sorted(c for c in CLAIM_REGISTER if c not in REGISTRY)
    if strays or missing or set(CLAIM_REGISTER) & set(PROJECT_CLAIMS):
        raise RuntimeError(f"the claim table is inconsistent: ids without a register entry "
                           f"{strays}; register ids without a calculator {missing}")
    return MappingProxyType({
        cid: Claim(entry=entry, calculator=REGISTRY.get(cid), errata=errata_of(cid),
                   proof_gaps=proof_gaps_of(cid), points=CLAIM_POINTS.get(cid, ()))
        for cid, entry in entries.items()})


def claim_ids(source: str | None = None) -> list[str]:
    """Every claim id, the paper's in the register's order, then the project's (``source``:
    "paper" or "project" for one kind only)."""
    return [cid for cid, row in claim_table().items() if source in (None, row.source)]


def claim(claim_id: str) -> Claim:
    """The row of ``claim_id``; ValueError listing the valid ids otherwise."""
    table = claim_table()
    if claim_id not in table:
        raise ValueError(f"unknown claim id {claim_id!r}; valid ids: {', '.join(table)}")
    return table[claim_id]


def expected_verdict(claim_id: str) -> str:
    """The verdict the report card expects for ``claim_id`` (``Claim.expected``)."""
    return claim(claim_id).expected
