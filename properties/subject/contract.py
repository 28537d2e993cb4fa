"""The contract of outside parts: what another implementation may provide for the guard to judge.

Written once, here. An *implementation* is any object (a module, a ``types.SimpleNamespace``, a
class instance) with some of these parts as attributes; every part is optional. The guard
(``recmech.properties.guard.run``), the pytest plugin and the README's contract table all read
``PARTS``; ``recmech.properties.report.render.contract_markdown`` renders the README table.

A part is judged only from outside: what goes in, what comes back, and which price queries reach
the oracle; internals are never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = ["PARTS", "SOLVER_TOLERANCE", "Part", "provided_parts", "provides"]

# An outside M_hat may come from an LP solved to primal and dual feasibility 1e-7 (HiGHS's and
# scipy.optimize.linprog's default); the guard's IR/BIC and revenue tolerances are derived from
# it (recmech.properties.judging.tolerances).
SOLVER_TOLERANCE = 1e-7


@dataclass(frozen=True, kw_only=True)
class Part:
    """One part of the contract: its call signature and what it must return."""

    name: str
    signature: str
    returns: str

    def to_dict(self) -> dict:
        return {"name": self.name, "signature": self.signature, "returns": self.returns}


PARTS: Mapping[str, Part] = MappingProxyType({p.name: p for p in (
    Part(name="compute", signature="compute(claim_id, **params) -> BoundRecord",
         returns="the printed bound of every claim id, parameters as in "
                 "`recmech.bounds.registry.parameters(claim_id)`: `values`/`log_values` hold the "
                 "printed statement (errata included: the paper's formula, not a repaired one), "
                 "`corrected` the corrected one where the errata register has it"),
    Part(name="bounds", signature="bounds = {claim_id: fn(**params) -> BoundRecord}",
         returns="per-claim calculators (a mapping, not a callable); they win over `compute` "
                 "for the ids they list"),
    Part(name="value_queries",
         signature="value_queries(oracle, items, rows, inf_norm, eps, eta) -> values",
         returns="one noisy value query per item by price queries `oracle.accepts_many(items, "
                 "prices)` / `oracle.accepts(j, p)` (Thm. 2 proof); `rows` are the rows A_j of "
                 "the items, `inf_norm` = ||A||_inf; judged by the error against eta + the "
                 "oracle's noise and by the price queries counted at the oracle. `oracle` "
                 "answers 'is t_j >= p?' (True/False), `items` an int array, `rows` "
                 "(len(items), k) of either sign"),
    Part(name="least_squares", signature="least_squares(B, Y) -> Z",
         returns="argmin_Z ||B Z - Y||_2, unclipped: a vector y (l,) -> (k,), a matrix "
                 "Y (l, r) -> (k, r)"),
    Part(name="query_protocol", signature="query_protocol(design, eps, setting, eta=None)",
         returns="an object with `run(oracle) -> z_hat` (an array, or an object with `.z_hat`); "
                 "`setting` is deterministic, gaussian, weak_dependence or pivoted; the queried "
                 "items are learnt by recording the oracle and must satisfy the setting's "
                 "hypothesis. `design` is a `recmech.core.design.DesignMatrix`: `A` (N, k), "
                 "`N`, `k`, `inf_norm`, `rows(items)`, `meta` (deterministic: `block_rows`, "
                 "`C`; gaussian: `scales` or `Sigma`; weak_dependence: `c`, `variances`, "
                 "`influence_norm`)"),
    Part(name="adaptive_protocol",
         signature="adaptive_protocol(design, eps, delta, eta=0.0)",
         returns="an object with `run(oracle)` certifying `delta` for every type within eps of "
                 "Az and every oracle whose noise is at most `eta`: it returns z_hat (an array, "
                 "or an object with `.z_hat`, optionally `.certified_delta` <= delta, its own "
                 "certificate, and `.queries`, the price queries it asked); it may ask about any "
                 "item in any order and refuse a target it cannot certify with a ValueError. "
                 "`design` as for `query_protocol`"),
    Part(name="robustify", signature="robustify(inner, laws, delta)",
         returns="Lemma 2's M_tilde around M_hat = `inner` and the model laws: a mechanism "
                 "whose `outcome(bids)` is the exact `recmech.core.mechanisms.Outcome` "
                 "(expectation over its own randomness) for bids of shape (m, k); optionally "
                 "`outcome_at(bids, offset)`, the exact outcome for one grid offset r in "
                 "[0, delta)^k (expectation over the resample), judged per offset region. "
                 "`inner` is a `recmech.core.mechanisms.LatentMechanism` (`A`, `valuations`, "
                 "`outcome(bids)`), `laws` one `recmech.core.laws.FiniteLaw` per bidder"),
    Part(name="latent_mechanism", signature="latent_mechanism(A, valuations, laws)",
         returns="M_hat, BIC and IR for the model laws, judged through `outcome(bids)`; its "
                 "revenue is compared with the optimum (the reference's LP); an LP solved to "
                 "feasibility 1e-7 (HiGHS's default) is within the guard's tolerances. `A` is "
                 "the (N, k) design (entries of either sign), `valuations` one "
                 "`recmech.core.valuations` object per bidder (`UnitDemand`, `Additive`, "
                 "`CDemand`: `v.value(types, S)`, `v.mu`), `laws` one "
                 "`recmech.core.laws.FiniteLaw` per bidder (`points` (s, k), `probs` (s,))"),
    Part(name="influence_matrix", signature="influence_matrix(law) -> INF(X)",
         returns="the (d, d) influence matrix of Definition 2 for a "
                 "`recmech.core.influence.FiniteJointLaw` (`support` (s, d), `probs` (s,))"),
    Part(name="spectral_norm", signature="spectral_norm(M) -> float", returns="||M||_2"),
)})

# the parts a check can declare it uses ("bounds" is how ``compute`` may be provided)
CHECK_PARTS_ALLOWED = tuple(p for p in PARTS if p != "bounds")


def _bounds_map(impl: Any) -> Mapping:
    table = getattr(impl, "bounds", None)
    return table if isinstance(table, Mapping) else {}


def provides(impl: Any, name: str, claim_id: str | None = None) -> bool:
    """Whether ``impl`` provides the part ``name`` (for ``compute``, a ``bounds`` mapping counts:
    for ``claim_id`` when one is given)."""
    if name not in PARTS:
        raise ValueError(f"name must be one of {tuple(PARTS)}; found {name!r}")
    if impl is None:
        return False
    if name in ("compute", "bounds"):
        if name == "compute" and callable(getattr(impl, "compute", None)):
            return True
        table = _bounds_map(impl)
        return bool(table) if claim_id is None else claim_id in table
    return callable(getattr(impl, name, None))


def provided_parts(obj: Any) -> tuple[str, ...]:
    """The parts of the contract ``obj`` provides."""
    return tuple(p for p in PARTS if provides(obj, p))
