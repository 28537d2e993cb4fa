"""The certified protocol's guarantee (project claim ``project.certified_protocol``).

``protocol_for("certified", design, eps, delta=...)`` (``recmech.core.certified``) promises one
thing: on every run its error is within its certificate, ||z - Q(t)||_inf <= certified delta
<= the target (by default the paper's a-priori delta of the design's setting), for every type t
within eps of Az, z in [0, 1]^k, and an oracle whose eta_o-noise pushes either way
(``certified_delta(eta_o)``) (claim: project.certified_protocol).

"Every type" is checked exactly, not by sampling the box: each noisy value query is a bisection,
a non-decreasing function of t_j, and clip(P y) is monotone in each y_j, so the largest error
of coordinate r in either direction is attained at the vertex t_j = (Az)_j + s sign(P_rj)
(eps + eta_o), s = +-1 (an oracle answering "up" within eta_o acts exactly as the type
t + eta_o) (claim: project.certified_protocol). ``every_vertex_error`` runs the protocol on those 2k
vertices.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.certified import pivoted_blocks
from recmech.core.oracles import NoisyOracle, TruthfulOracle
from recmech.core.queries import LeastSquares
from recmech.core.types import LazyType, SparseOffsets
from recmech.properties.claims.verdict import Verdict
from recmech.properties.judging.checks.pieces import merge_tightest, search_specs, tightest_piece
from recmech.properties.judging.checks.registry import register_chunks
from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.strategies.matrices import SEEDS
from recmech.properties.subject.resolved import Subject

__all__ = ["FAMILIES", "every_vertex_error"]

FAMILIES = ("separable", "diagonally_dominant", "gaussian", "weak_dependence")


def every_vertex_error(proto, z: np.ndarray, eta_o: float) -> tuple[float, int]:
    """max over the 2k worst vertices (module docstring) of ||z - Q(t)||_inf, and the price
    queries the oracle counted on the last run."""
    worst, used = 0.0, 0
    signs = np.sign(proto.pinv)
    signs[signs == 0] = 1.0
    for r in range(proto.design.k):
        for s in (1.0, -1.0):
            push = s * signs[r]
            t = LazyType(proto.design, z, SparseOffsets(proto.items, push * proto.eps))
            adversary = {int(j): int(p) for j, p in zip(proto.items, push, strict=True)}
            oracle = NoisyOracle(t, eta_o, adversary) if eta_o else TruthfulOracle(t)
            result = proto.run(oracle)
            used = oracle.queries
            worst = max(worst, float(np.max(np.abs(result.z_hat - z))))
    return worst, used


@st.composite
def _instances(draw, k_max: int):
    family = draw(st.sampled_from(FAMILIES))
    k = draw(st.integers(1, k_max))
    seed = draw(SEEDS)
    eps = draw(st.sampled_from([1e-13, 1e-4, 1e-3, 0.01, 0.05]))
    paper = draw(st.booleans()) or family == "separable"
    if family == "weak_dependence":
        N = 300 * k * k if paper else k + draw(st.integers(0, 60))  # noqa: N806
    elif family == "gaussian" and paper:
        N = 64 * k + 1 + draw(st.integers(0, 60))  # noqa: N806
    else:
        N = k + draw(st.integers(0, 200))  # noqa: N806
    factor = draw(st.sampled_from([1.01, 1.5, 4.0, 100.0]))
    noise = draw(st.sampled_from([0.0, 0.5, 1.0]))
    corner = draw(st.booleans())
    z = (np.array(draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=k, max_size=k)))
         if corner else np.random.default_rng(seed).random(k))
    return {"family": family, "k": k, "N": N, "seed": seed, "eps": eps, "paper": paper,
            "factor": factor, "eta_o": noise * eps, "z": z}


def _run(inst: dict) -> dict | None:
    """The instance's certified run, or None when no k items of its design identify z (rank
    of A below k: outside every protocol's domain) or the target is below what float64
    rounding allows (the protocol refuses it, naming the smallest reachable delta)."""
    design = designs.design_for(inst["family"], inst["N"], inst["k"], inst["seed"], c=0.5)
    if np.linalg.matrix_rank(design.A) < inst["k"]:
        return None
    delta = None
    if not inst["paper"]:
        # a user's target: a factor above the first pivoted block's floor ||P||_inf eps
        block = pivoted_blocks(design, 1)[0]
        delta = inst["factor"] * LeastSquares(design.rows(block)).pinv_inf_norm * inst["eps"]
    try:
        proto = protocols.protocol_for("certified", design, inst["eps"], delta=delta)
    except ValueError as exc:
        if "below the smallest certified delta" in str(exc):
            return None  # a target under the rounding floor: refused by name, as documented
        raise
    target = proto.selection.stats["target"]
    err, used = every_vertex_error(proto, inst["z"], inst["eta_o"])
    bound = proto.certified_delta(inst["eta_o"])
    return {"error": err, "certified": bound, "certified_noiseless": proto.certified_delta(),
            "target": target, "paper_delta": proto.a_priori_delta if inst["paper"] else None,
            "queries": proto.queries, "counted": used,
            "planned": int(proto.plan.depths.sum())}


def _bad(rec: dict) -> bool:
    return bool(rec["error"] > rec["certified"] or rec["certified_noiseless"] > rec["target"]
                or not rec["queries"] == rec["counted"] == rec["planned"]
                or (rec["paper_delta"] is not None and rec["target"] != rec["paper_delta"]))


def _shown(inst: dict, rec: dict) -> dict:
    return {**{k: v for k, v in inst.items() if k != "z"}, "z": [float(x) for x in inst["z"]],
            **rec}


def _certified_plan(subject: Subject, budget: Budget, readings) -> list[dict]:
    return search_specs("search", budget.size("project.search"), budget)


def _excess(rec: dict) -> float:
    """How far a run is from failing: its error over its certificate, its noiseless certificate
    over its target (each - 1)."""
    return max(rec["error"] / rec["certified"] - 1.0,
               rec["certified_noiseless"] / rec["target"] - 1.0)


def _certified_run(subject: Subject, budget: Budget, readings, spec: dict) -> dict:
    """One search piece: its tightest instance, every failing one and the draws skipped."""
    return tightest_piece(_instances(int(budget.size("project.certified_k"))), _run, _excess,
                          _bad, _shown, spec["examples"], label="error / certificate - 1")

def _certified_merge(subject: Subject, budget: Budget, readings, partials: list) -> Verdict:
    """The worst vertex of the eps-box (exact, module docstring) against the certificate, on
    searched families, k, eps, targets, oracle noise and latent points (corners included)."""
    shown, bad, instances, skipped = merge_tightest(partials)
    k_max = int(budget.size("project.certified_k"))
    return Verdict.exact(
        "project.certified_protocol", not bad,
        observed=None if shown is None else shown["error"],
        bound=None if shown is None else shown["certified"],
        slack=-1.0 if bad else (0.0 if shown is None else shown["certified"] - shown["error"]),
        instances=instances, instance=shown,
        counterexample={"cases": bad} if bad else None,
        notes=f"every 2k worst vertices of the eps-box per instance (exact); families "
              f"{', '.join(FAMILIES)}, k <= {k_max}, eps in {{1e-13, 1e-4, 1e-3, 0.01, 0.05}}, "
              "the paper's delta or a user's target, oracle noise 0, eps/2, eps; observed / "
              "bound = the error and certificate of the tightest instance; "
              f"{skipped} draws skipped (design of rank < k, or a target below the rounding "
              "floor: refused by name)")


# in chunks: the search in pieces
register_chunks("project.certified_protocol", plan=_certified_plan, run=_certified_run,
                merge=_certified_merge, parts=())
