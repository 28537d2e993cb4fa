"""Readings: where the paper leaves a definition or a quantifier open, each way of settling it is
a named reading, and every claim that uses the open point is checked under each of them.

Cai-Daskalakis EC'22 leaves three points open that change verdicts:

- ``definition2.null_events`` (Sec. 2.2, Def. 2): the influence alpha_{i,j} is a sup of total
  variation distances between conditionals of X_i given X_{-i}; on a law whose support is not a
  product set some conditioning events are null and the conditionals do not exist.
  ``positive-probability``: the sup runs over events of positive probability only (so the
  repetition law X_1 = ... = X_d has INF = 0); ``product-support``: the conditioning values range
  over the product of the marginal supports and a null event counts as distance 1 (so a
  dependence hidden in null events shows, and the lemmas apply to product-support laws).
- ``definition3.latent_domain`` (Sec. 3, Def. 3): an (eps, delta)-query protocol must satisfy
  ||z - Q(t)||_inf <= delta "for any t in R^N and z in R^k with ||t - Az||_inf <= eps".
  ``latent-cube``: z ranges over the latent support [0, 1]^k (what Thm. 2's proof uses: "for
  each item j, |e_j^T Az| <= ||A||_inf for all z in [0, 1]^k"); ``all-real``: z ranges over R^k,
  as printed (claim: definition3).
- ``ir.valuation`` (Sec. 2.1, IR; Thm. 1 (2), Prop. 1): Algorithm 1 "is IR". definition:
``true-types``:
  u_i(t_i, M(t)) >= 0 with the bidder's own valuation v_i(t_i, .) for every type profile, as
  Sec. 2.1 defines IR; ``latent-report``: IR with respect to the latent valuation v^A at the
  protocol's read-out Q(t_i), which is what the proof inherits from Lemma 2.

The first reading of each point is the default: the one the report card and the guard use when a
single verdict is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["CLAIM_POINTS", "POINTS", "READINGS", "OpenPoint", "Reading", "default_readings",
           "readings_of", "variants"]


@dataclass(frozen=True, kw_only=True)
class Reading:
    """One way of settling an open point."""

    name: str
    point: str
    statement: str

    def to_dict(self) -> dict:
        return {"name": self.name, "point": self.point, "statement": self.statement}


@dataclass(frozen=True, kw_only=True)
class OpenPoint:
    """A definition or quantifier the paper leaves open, and its readings (the first is the
    default)."""

    name: str
    place: str
    question: str
    readings: tuple[Reading, ...]

    @property
    def default(self) -> Reading:
        return self.readings[0]

    def to_dict(self) -> dict:
        return {"name": self.name, "place": self.place, "question": self.question,
                "readings": [r.to_dict() for r in self.readings]}


def _point(name: str, place: str, question: str, *readings: tuple[str, str]) -> OpenPoint:
    return OpenPoint(name=name, place=place, question=question, readings=tuple(
        Reading(name=r, point=name, statement=s) for r, s in readings))


POINTS: Mapping[str, OpenPoint] = MappingProxyType({p.name: p for p in (
    _point("definition2.null_events", "Sec. 2.2, Def. 2",
           "conditionals of X_i given X_{-i} on events of probability 0",
           ("positive-probability", "the sup runs over conditioning events of positive "
            "probability only"),
           ("product-support", "conditioning values range over the product of the marginal "
            "supports; a null conditioning event counts as total variation 1")),
    _point("definition3.latent_domain", "Sec. 3, Def. 3",
           "the latent vectors z the (eps, delta) guarantee quantifies over",
           ("latent-cube", "z in [0, 1]^k, the latent support (Thm. 2's proof)"),
           ("all-real", "z in R^k, as printed")),
    _point("ir.valuation", "Sec. 2.1 (IR); Thm. 1 (2); Prop. 1",
           "the valuation with which Algorithm 1 is individually rational",
           ("true-types", "v_i(t_i, .) of the true N-dimensional type, every type profile "
            "(Sec. 2.1)"),
           ("latent-report", "v^A at the protocol's read-out Q(t_i) (what Lemma 2 gives)")),
)})

READINGS: Mapping[str, Reading] = MappingProxyType(
    {r.name: r for p in POINTS.values() for r in p.readings})

# which open points each claim's statement uses
CLAIM_POINTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "lemma9": ("definition2.null_events",),
    "lemma8": ("definition2.null_events",),
    "lemma5": ("definition2.null_events",),
    "theorem2.weak_dependence": ("definition2.null_events", "definition3.latent_domain"),
    "proposition1.weak_dependence": ("definition2.null_events",),
    "project.marginal_influence": ("definition2.null_events",),
    "definition3": ("definition3.latent_domain",),
    "theorem2.noisy_value": ("definition3.latent_domain",),
    "theorem2.deterministic": ("definition3.latent_domain",),
    "theorem2.gaussian": ("definition3.latent_domain",),
    "proposition1.separable": ("definition3.latent_domain",),
    "theorem1": ("ir.valuation",),
    "proposition1.mechanism": ("ir.valuation",),
})


def default_readings(claim_id: str) -> dict[str, str]:
    """Open point -> its default reading, for the points ``claim_id`` uses."""
    return {p: POINTS[p].default.name for p in CLAIM_POINTS.get(claim_id, ())}


def variants(claim_id: str) -> list[dict[str, str]]:
    """The reading assignments a claim is checked under: the defaults, then each other reading
    of each point with the rest at their defaults (one verdict per reading)."""
    base = default_readings(claim_id)
    out = [base]
    for point in CLAIM_POINTS.get(claim_id, ()):
        for r in POINTS[point].readings[1:]:
            out.append({**base, point: r.name})
    return out


def readings_of(claim_id: str) -> tuple[str, ...]:
    """Every reading name relevant to ``claim_id`` (defaults first)."""
    return tuple(r.name for p in CLAIM_POINTS.get(claim_id, ()) for r in POINTS[p].readings)
