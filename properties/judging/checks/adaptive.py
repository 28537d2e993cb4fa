"""The adaptive protocol's guarantee (project claim ``project.adaptive_protocol``).

``protocol_for("adaptive", design, eps, delta=..., eta=...)`` (``recmech.core.adaptive``)
promises: every run ends with a certified delta at most its target, and ||z - Q(t)||_inf is at
most that certified delta, for every type t within eps of Az (z in [0, 1]^k) and every oracle
whose noise is at most eta (checked: project.adaptive_protocol). Its soundness rests on one
invariant: z stays in the consistent set
K after every answer (then z lies in the certified box [lo, hi] and |z_hat - z| <= width / 2)
(checked: project.adaptive_protocol).

The answers are adversarial, not sampled. A protocol that adapts has no fixed worst vertex (it
picks its items from the answers), so each instance runs the protocol against types and
oracles that push every answer to the edge of what is allowed:

- ``up``: t = Az + eps and an oracle that says Yes whenever |t_j - p| <= eta: every Yes cut
  a_j.z >= p - eps - eta passes through z itself (the tightest cut the answers allow); (checked:
  project.adaptive_protocol)
- ``down``: t = Az - eps and No within eta: every No cut passes through z;
- ``tilt``: t_j = (Az)_j + eps sign(a_j.w) for a direction w (+-e_r of a drawn r, or a drawn
  vector), the oracle pushing the same way within eta: the answers of a latent moved along w;
- ``flip``: hashed offsets uniform in [-eps, eps] and the wrong answer within eta.

Outside protocols (the contract's ``adaptive_protocol(design, eps, delta, eta)``, under the
guard) meet the same adversaries at the same targets (the paper's a-priori delta given as a
number). They are seen only through the oracle and what ``run`` returns: the error must be
within the target, and within the run's own ``certified_delta`` where it reports one (which must
itself be at most the target), with the relative rounding of the one tolerance table
(``query_protocol.error``); a reported ``queries`` must equal the price queries counted at the
oracle (checked: project.adaptive_protocol). A target the protocol refuses with a ValueError is
a skipped draw, not a failure: a protocol may certify less than the reference can.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.adaptive import candidate_pool, slack_floor
from recmech.core.oracles import NoisyOracle, TruthfulOracle
from recmech.core.query_protocol import target_delta
from recmech.core.types import ConstantOffsets, LazyType, Offsets, UniformOffsets
from recmech.properties.claims.verdict import Verdict
from recmech.properties.judging.checks.pieces import merge_tightest, search_specs, tightest_piece
from recmech.properties.judging.checks.registry import register_chunks
from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.strategies.matrices import SEEDS
from recmech.properties.judging.tolerances import TOLERANCES
from recmech.properties.subject.calls import PartError, PartValueError
from recmech.properties.subject.outside import outside_z_hat
from recmech.properties.subject.resolved import Subject

__all__ = ["ADVERSARIES", "FAMILIES", "K_MAX", "TiltOffsets", "adversarial_runs",
           "outside_runs"]

FAMILIES = ("separable", "diagonally_dominant", "gaussian", "weak_dependence")
ADVERSARIES = ("up", "down", "tilt", "flip")
K_MAX = 12  # the search's largest k (each instance runs the protocol four times)
REL = TOLERANCES["query_protocol.error"].at(delta=1.0)  # relative, the one table's row


class TiltOffsets(Offsets):
    """e_j = eps sign(a_j.w): the type of a latent moved along w, within eps of Az."""

    def __init__(self, design, w: np.ndarray, eps: float) -> None:
        self.A, self.w, self.bound = design.A, np.asarray(w, dtype=float), float(eps)

    def at(self, idx):
        s = np.sign(self.A[np.asarray(idx, dtype=np.int64)] @ self.w)
        s[s == 0] = 1.0
        return self.bound * s


def _oracle(design, eps: float, z: np.ndarray, how: str, eta_o: float, w: np.ndarray,
            seed: int):
    if how == "up":
        t, push = LazyType(design, z, ConstantOffsets(eps)), "up"
    elif how == "down":
        t, push = LazyType(design, z, ConstantOffsets(-eps)), "down"
    elif how == "tilt":
        t = LazyType(design, z, TiltOffsets(design, w, eps))
        sign = np.sign(design.A @ w) if design.N <= 4096 else None

        def push(j, p, v):
            s = float(np.sign(design.A[j] @ w)) if sign is None else float(sign[j])
            return s >= 0
    else:
        t, push = LazyType(design, z, UniformOffsets(eps, seed)), "flip"
    return NoisyOracle(t, eta_o, push) if eta_o else TruthfulOracle(t)


def adversarial_runs(proto, z: np.ndarray, eta_o: float, w: np.ndarray, seed: int) -> dict:
    """The four adversaries of the module docstring on one latent: the largest error, the
    largest certificate, whether z stayed in every certified box, and the query counts."""
    worst_err, worst_cert, inside, counted, reported = 0.0, 0.0, True, [], []
    least = np.inf
    for how in ADVERSARIES:
        oracle = _oracle(proto.design, proto.eps, z, how, eta_o, w, seed)
        got = proto.interact(oracle)
        worst_err = max(worst_err, float(np.max(np.abs(got.z_hat - z))))
        worst_cert = max(worst_cert, got.certified_delta)
        least = min(least, got.certified_delta)
        inside = inside and bool(np.all(got.low <= z) and np.all(z <= got.high))
        counted.append(oracle.queries)
        reported.append(got.queries)
    return {"error": worst_err, "certified": worst_cert, "least_certified": least,
            "inside": inside,
            "queries": max(counted), "counted_equals_reported": counted == reported}


def outside_runs(factory, design, eps: float, target: float, z: np.ndarray, eta_o: float,
                 w: np.ndarray, seed: int) -> dict:
    """The four adversaries against an outside protocol ``factory(design, eps, target,
    eta=eta_o)`` (module docstring): the largest error, the largest and least reported
    certificate (None when a run reports none) and the query counts."""
    proto = factory(design, eps, target, eta=eta_o)
    worst_err, certs, counted, reported = 0.0, [], [], []
    for how in ADVERSARIES:
        oracle = _oracle(design, eps, z, how, eta_o, w, seed)
        got = proto.run(oracle)
        worst_err = max(worst_err, float(np.max(np.abs(
            outside_z_hat(got, design.k, "adaptive_protocol") - z))))
        cert = getattr(got, "certified_delta", None)
        if cert is not None:
            try:
                cert = float(cert)
            except (TypeError, ValueError):
                raise PartError("adaptive_protocol (its run)",
                                f"returned certified_delta {cert!r}, not a number") from None
            certs.append(cert if cert == cert else np.inf)  # NaN certifies nothing
        counted.append(oracle.queries)
        q = getattr(got, "queries", None)
        reported.append(oracle.queries if q is None else q)
    return {"error": worst_err, "certified": max(certs) if certs else None,
            "least_certified": min(certs) if certs else None, "queries": max(counted),
            "counted_equals_reported": counted == reported, "outside": True}


@st.composite
def _instances(draw, k_max: int):
    family = draw(st.sampled_from(FAMILIES))
    k = draw(st.integers(1, k_max))
    seed = draw(SEEDS)
    eps = draw(st.sampled_from([1e-4, 1e-3, 0.01, 0.05]))
    paper = draw(st.booleans()) or family == "separable"
    if family == "weak_dependence":
        N = 300 * k * k if paper else k + draw(st.integers(0, 60))  # noqa: N806
    elif family == "gaussian" and paper:
        N = 64 * k + 1 + draw(st.integers(0, 60))  # noqa: N806
    else:
        N = k + draw(st.integers(0, 200))  # noqa: N806
    factor = draw(st.sampled_from([2.0, 4.0, 30.0, 300.0]))
    noise = draw(st.sampled_from([0.0, 0.5, 1.0]))
    corner = draw(st.booleans())
    gen = np.random.default_rng(seed)
    z = (np.array(draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=k, max_size=k)))
         if corner else gen.random(k))
    axis = draw(st.booleans())
    w = np.zeros(k)
    if axis:
        w[draw(st.integers(0, k - 1))] = draw(st.sampled_from([1.0, -1.0]))
    else:
        w = gen.standard_normal(k)
    return {"family": family, "k": k, "N": N, "seed": seed, "eps": eps, "paper": paper,
            "factor": factor, "eta_o": noise * eps, "z": z, "w": w}


def _run(inst: dict, subject: Subject | None = None) -> dict | None:
    """The instance's adversarial runs (on the subject's ``adaptive_protocol`` when it is an
    outside one), or None when its design has rank below k (no protocol identifies z), its
    target is refused by name as out of reach, or an outside protocol refuses it."""
    design = designs.design_for(inst["family"], inst["N"], inst["k"], inst["seed"], c=0.5)
    if np.linalg.matrix_rank(design.A) < inst["k"]:
        return None
    eps, eta_o = inst["eps"], inst["eta_o"]
    factory = None if subject is None else subject.outside("adaptive_protocol")
    floor = delta = None
    if not inst["paper"] or factory is not None:
        # the pool's slack floor: no protocol asking about the pool goes below it
        floor = slack_floor(design.rows(candidate_pool(design)), eps + eta_o)
    if not inst["paper"]:  # a user's target: a factor above the floor
        delta = min(0.45, inst["factor"] * floor)
    if factory is not None:
        try:
            target = target_delta(design, eps, delta)[2]
        except ValueError:  # no a-priori delta of the paper for this design
            return None
        if target <= floor:
            return None
        try:
            rec = outside_runs(factory, design, eps, target, inst["z"], eta_o, inst["w"],
                               inst["seed"])
        except PartValueError:  # the protocol refused the target: it certifies less
            return None
        return {**rec, "target": target, "floor": floor}
    try:
        proto = protocols.protocol_for("adaptive", design, eps, eta=eta_o, delta=delta)
    except ValueError as exc:
        if "out of reach" in str(exc) or "no a-priori delta" in str(exc):
            return None
        raise
    try:
        rec = adversarial_runs(proto, inst["z"], eta_o, inst["w"], inst["seed"])
    except RuntimeError as exc:  # a run that could not certify its target: a failure
        return {"error": np.inf, "certified": np.inf, "least_certified": np.inf,
                "inside": False, "queries": None, "counted_equals_reported": False,
                "stalled": str(exc), "target": proto.target, "floor": proto.floor}
    return {**rec, "target": proto.target, "floor": proto.floor}


def _bad(rec: dict) -> bool:
    if rec.get("outside"):
        cert, err, target = rec["certified"], rec["error"], rec["target"]
        return bool(err > target * (1.0 + REL) or not rec["counted_equals_reported"]
                    or (cert is not None and (err > cert * (1.0 + REL)
                                              or cert > target * (1.0 + REL))))
    return bool(rec["error"] > rec["certified"] or rec["certified"] > rec["target"]
                or rec["least_certified"] < rec["floor"]
                or not rec["inside"] or not rec["counted_equals_reported"])


def _shown(inst: dict, rec: dict) -> dict:
    return {**{k: v for k, v in inst.items() if k not in ("z", "w")},
            "z": [float(x) for x in inst["z"]], "w": [float(x) for x in inst["w"]], **rec}


def _plan(subject: Subject, budget: Budget, readings) -> list[dict]:
    return search_specs("search", max(10, int(budget.size("project.search")) // 3), budget)


def _k_max(budget: Budget) -> int:
    return min(K_MAX, int(budget.size("project.certified_k")))


def _excess(rec: dict) -> float:
    """How far a run is from failing: its error over its certificate (an outside run without
    one: over its target), its certificate over its target (each - 1); a run that stalled is
    infinitely far off."""
    if "stalled" in rec:
        return np.inf
    cert = rec["certified"] if rec["certified"] is not None else rec["target"]
    return max(rec["error"] / cert - 1.0, cert / rec["target"] - 1.0)


def _piece(subject: Subject, budget: Budget, readings, spec: dict) -> dict:
    """One search piece: its tightest instance, every failing one and the draws skipped."""
    return tightest_piece(_instances(_k_max(budget)), lambda inst: _run(inst, subject),
                          _excess, _bad, _shown, spec["examples"],
                          label="adaptive error / certificate - 1")

def _merge(subject: Subject, budget: Budget, readings, partials: list) -> Verdict:
    """The adversaries of the module docstring against the run's certificate and target."""
    shown, bad, instances, skipped = merge_tightest(partials)
    bound = None if shown is None else (shown["certified"] if shown["certified"] is not None
                                        else shown["target"])
    return Verdict.exact(
        "project.adaptive_protocol", not bad,
        observed=None if shown is None else shown["error"], bound=bound,
        slack=-1.0 if bad else (0.0 if shown is None else bound - shown["error"]),
        instances=instances, instance=shown,
        counterexample={"cases": bad} if bad else None,
        notes=f"adversaries {', '.join(ADVERSARIES)} per instance (module docstring); families "
              f"{', '.join(FAMILIES)}, k <= {_k_max(budget)}, eps in {{1e-4, 1e-3, 0.01, "
              "0.05}, the paper's delta or a user's target (2, 4, 30 or 300 x the pool's slack "
              "floor), oracle noise 0, eps/2, eps; a run that stalls counts as failing; "
              "observed / bound = the error and certificate of the tightest instance; "
              f"{skipped} draws skipped (design of rank < k, or a target refused by name); an "
              "outside protocol: its error against the target and its own certificate")


register_chunks("project.adaptive_protocol", plan=_plan, run=_piece, merge=_merge,
                parts=("adaptive_protocol",))
