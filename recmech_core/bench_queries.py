"""Bench measurements of the query protocols: queries against the minimum, and overhead per bidder
against a bare numpy baseline (``recmech bench``, issue 15).

Queries (Cai-Daskalakis EC'22, Thm. 2): for each design family and k, the theorem's item set
(its own protocol, eta = eps), the certified protocol at its default target (the paper's a-priori
delta, ``recmech.core.protocols.certified_protocol``) and the certified protocol at the theorem
set's own certified delta (same accuracy, like for like). Each count is divided by the
information-theoretic minimum k log2(1/(2 delta)) at the run's certified delta, and by the
packing minimum k log2 n_delta (``recmech.core.certified.packing_minimum``).

The adaptive protocol (``recmech.core.adaptive``) runs at the same two targets, the paper's
a-priori delta and the theorem set's certified delta; its counts are divided by the same two
minima at the target (each run's certificate is checked against the target, and the ratio is
taken at the target, not at a luckier run's certificate), and its seconds per bidder (wall
clock and CPU) are the median over the bidders.

Overhead: one bidder's protocol run (price oracle, lazy type, bisection, least squares) against
a bare numpy loop doing the same work on the same bidders: the type's values on the queried
items (the same lazy evaluation), q rounds of comparisons with np.where, and clip(P y).
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass

import numpy as np

from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.certified import block_floor, packing_minimum
from recmech.core.laws import BetaProduct, as_generator
from recmech.core.oracles import TruthfulOracle
from recmech.core.types import CloseTypeLaw

__all__ = ["QUERY_KS", "QUERY_SETTINGS", "BaselineTiming", "DeltaPoint", "QueryCell",
           "bare_numpy_bidders", "delta_sweep", "minimum_ratio", "protocol_over_baseline",
           "query_cell"]

QUERY_SETTINGS = ("separable", "diagonally_dominant", "gaussian", "weak_dependence")
QUERY_KS = (2, 8, 32)


def minimum_ratio(queries: int, k: int, delta: float) -> float | None:
    """definition: queries / (k log2(1/(2 delta))), None when delta >= 1/2 (the minimum is 0)."""
    minimum = k * math.log2(1.0 / (2.0 * delta))
    return None if minimum <= 0 else queries / minimum


def _types(protocol, n: int, rng) -> list:
    law = CloseTypeLaw(BetaProduct(np.full(protocol.design.k, 2.0),
                                   np.full(protocol.design.k, 2.0)),
                       protocol.design, protocol.eps, perturbation="uniform", corruption="none")
    gen = as_generator(rng)
    return [law.sample(gen) for _ in range(n)]


def _observed(protocol, bidders: int, seed: int) -> tuple[int, float]:
    """(queries counted at the oracle, worst error) over a few bidders; the error must lie
    within the certificate (a failed run is a bug, not a number)."""
    used, worst = 0, 0.0
    for z, t in _types(protocol, bidders, seed):
        oracle = TruthfulOracle(t)
        result = protocol.run(oracle)
        used = max(used, oracle.queries)
        worst = max(worst, float(np.max(np.abs(result.z_hat - z))))
        if worst > result.certified_delta:
            raise RuntimeError(f"{protocol.setting}: error {worst} above the certified delta "
                               f"{result.certified_delta}")
    return used, worst


@dataclass(frozen=True, kw_only=True)
class QueryCell:
    """One (family, k) cell of the query table."""

    setting: str
    k: int
    N: int
    eps: float
    theorem_queries: int | None
    theorem_items: int | None
    theorem_delta: float | None
    paper_delta: float | None
    certified_queries: int | None
    certified_items: int | None
    certified_delta: float | None
    same_delta_queries: int | None
    same_delta_delta: float | None
    certified_floor: float | None = None
    same_delta_floor: float | None = None
    adaptive_queries: int | None = None
    adaptive_delta: float | None = None
    adaptive_certified: float | None = None
    adaptive_seconds: float | None = None
    adaptive_cpu_seconds: float | None = None
    adaptive_mode: str | None = None
    adaptive_same_queries: int | None = None
    adaptive_same_delta: float | None = None
    adaptive_same_certified: float | None = None
    adaptive_same_seconds: float | None = None
    adaptive_same_cpu_seconds: float | None = None
    adaptive_same_mode: str | None = None
    note: str = ""

    def ratios(self) -> dict:
        """queries over k log2(1/(2 delta)) (and over the packing minimum) of each protocol."""
        out = {}
        for key, q, d in (("theorem", self.theorem_queries, self.theorem_delta),
                          ("certified", self.certified_queries, self.certified_delta),
                          ("certified_at_theorem_delta", self.same_delta_queries,
                           self.same_delta_delta),
                          ("adaptive", self.adaptive_queries, self.adaptive_delta),
                          ("adaptive_at_theorem_delta", self.adaptive_same_queries,
                           self.adaptive_same_delta)):
            out[key] = None if q is None else minimum_ratio(q, self.k, d)
            pack = None if q is None or d >= 0.5 else packing_minimum(self.k, d)
            out[f"{key}_over_packing"] = None if not pack else q / pack
        for key, floor, d in (("certified", self.certified_floor, self.certified_delta),
                              ("certified_at_theorem_delta", self.same_delta_floor,
                               self.same_delta_delta)):
            # the block's own floor (**) of recmech.core.certified over the minimum
            out[f"{key}_block_floor"] = (None if floor is None or not math.isfinite(floor)
                                         else minimum_ratio(math.ceil(floor), self.k, d))
        return out

    def to_dict(self) -> dict:
        return dict(asdict(self), ratios=self.ratios())


def query_cell(setting: str, k: int, N: int, eps: float = 1e-3, seed: int = 0,  # noqa: N803
               bidders: int = 3) -> QueryCell:
    """The three protocols of the module docstring on one freshly drawn design."""
    design = designs.design_for(setting, N, k, seed)
    notes = []
    theorem = None
    try:
        theorem = protocols.protocol_for(protocols.FAMILY_SETTING[design.family], design, eps)
    except ValueError as exc:
        notes.append(f"theorem's set: {exc}")
    if theorem is not None and theorem.a_priori_delta is None:
        notes.append("theorem's set: hypothesis fails at this N")
    th_q = th_d = None
    if theorem is not None:
        th_q, _ = _observed(theorem, bidders, seed + 1)
        th_d = theorem.certified_delta()
    cert_q = cert_d = cert_items = same_q = same_d = cert_floor = same_floor = None
    paper = protocols.paper_delta(design, eps)[1]
    if paper is not None:
        cert = protocols.protocol_for("certified", design, eps)
        cert_q, _ = _observed(cert, bidders, seed + 2)
        cert_d, cert_items = cert.certified_delta(), len(cert.items)
        cert_floor = _floor(cert)
    if th_d is not None:
        same = protocols.protocol_for("certified", design, eps, delta=th_d)
        same_q, _ = _observed(same, bidders, seed + 3)
        same_d = same.certified_delta()
        same_floor = _floor(same)
    adaptive = {}
    if paper is not None:
        adaptive.update(_adaptive(design, eps, None, bidders, seed + 4, ""))
    if th_d is not None:
        adaptive.update(_adaptive(design, eps, th_d, bidders, seed + 5, "same_"))
    return QueryCell(setting=setting, k=k, N=N, eps=eps, theorem_queries=th_q,
                     theorem_items=None if theorem is None else len(theorem.items),
                     theorem_delta=th_d, paper_delta=paper, certified_queries=cert_q,
                     certified_items=cert_items, certified_delta=cert_d,
                     same_delta_queries=same_q, same_delta_delta=same_d,
                     certified_floor=cert_floor, same_delta_floor=same_floor,
                     note="; ".join(notes), **adaptive)


def _adaptive(design, eps: float, delta: float | None, bidders: int, seed: int,
              prefix: str) -> dict:
    """The adaptive protocol's fields of a cell at target ``delta`` (None: the paper's): the
    most queries counted at the oracle, the largest certified delta (each run's is checked
    against the target and its error against it), the median wall-clock and CPU seconds per
    bidder (CPU time: the machine may be shared) and the mode chosen for the design."""
    proto = protocols.protocol_for("adaptive", design, eps, delta=delta)
    used, certs, seconds, cpu = 0, [], [], []
    for z, t in _types(proto, bidders, seed):
        oracle = TruthfulOracle(t)
        start, start_cpu = time.perf_counter(), time.process_time()
        result = proto.run(oracle)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        err = float(np.max(np.abs(result.z_hat - z)))
        if err > result.certified_delta or result.certified_delta > proto.target:
            raise RuntimeError(f"adaptive: error {err}, certified {result.certified_delta}, "
                               f"target {proto.target}")
        used = max(used, oracle.queries)
        certs.append(result.certified_delta)
    return {f"adaptive_{prefix}queries": used, f"adaptive_{prefix}delta": proto.target,
            f"adaptive_{prefix}certified": max(certs),
            f"adaptive_{prefix}seconds": statistics.median(seconds),
            f"adaptive_{prefix}cpu_seconds": statistics.median(cpu),
            f"adaptive_{prefix}mode": proto.mode}


def _floor(protocol) -> float | None:
    """(**) of ``recmech.core.certified`` for the protocol's block at its certified delta (None
    where no row of P is free of zeros: the AM-GM bound is then void)."""
    floor = block_floor(np.abs(protocol.pinv), protocol.plan.widths, protocol.certified_delta())
    return floor if math.isfinite(floor) else None


def bare_numpy_bidders(protocol, pairs) -> list[np.ndarray]:
    """The baseline: the same values, comparisons and least squares with plain numpy."""
    plan, pinv, items = protocol.plan, protocol.pinv, protocol.items
    out = []
    for _, t in pairs:
        values = t.items(items)
        low = plan.centers - plan.R / 2
        high = plan.centers + plan.R / 2
        for _ in range(plan.q):
            mid = 0.5 * (low + high)
            yes = values >= mid
            low = np.where(yes, mid, low)
            high = np.where(yes, high, mid)
        out.append(np.clip(pinv @ (0.5 * (low + high)), 0.0, 1.0))
    return out


@dataclass(frozen=True, kw_only=True)
class BaselineTiming:
    """Seconds per bidder of the protocol and of the baseline (medians over rounds)."""

    setting: str
    protocol_seconds: float
    baseline_seconds: float
    items: int
    rounds: int
    bidders: int

    @property
    def ratio(self) -> float:
        return self.protocol_seconds / self.baseline_seconds

    def to_dict(self) -> dict:
        return dict(asdict(self), ratio=self.ratio)


def protocol_over_baseline(protocol, bidders: int, rounds: int, seed: int = 1,
                           label: str | None = None) -> BaselineTiming:
    """Interleaved rounds (after a warm-up) of ``protocol.run`` and ``bare_numpy_bidders`` on the
    same fresh bidders (each measured on its own copy: a lazy type keeps its last answers); the
    two estimates are asserted equal."""
    gen = np.random.default_rng(seed)
    ours, base = [], []
    for r in range(rounds + 1):
        pairs = _types(protocol, bidders, gen)
        twins = [(z, type(t)(t.A, t.z, t.noise)) for z, t in pairs]
        start = time.perf_counter()
        got = [protocol.run(TruthfulOracle(t)).z_hat for _, t in pairs]
        mid = time.perf_counter()
        want = bare_numpy_bidders(protocol, twins)
        end = time.perf_counter()
        if protocol.plan.depths is None and not all(
                np.array_equal(a, b) for a, b in zip(got, want, strict=True)):
            raise RuntimeError(f"{protocol.setting}: the baseline disagrees with the protocol")
        if r:
            ours.append((mid - start) / bidders)
            base.append((end - mid) / bidders)
    return BaselineTiming(setting=label or protocol.setting,
                          protocol_seconds=statistics.median(ours),
                          baseline_seconds=statistics.median(base), items=len(protocol.items),
                          rounds=rounds, bidders=bidders)


@dataclass(frozen=True, kw_only=True)
class DeltaPoint:
    """Queries per bidder at one delta (``delta_sweep``): a protocol's count at the delta it
    certifies, or the packing bound (``protocol`` "packing")."""

    protocol: str
    delta: float
    queries: float

    def to_dict(self) -> dict:
        return asdict(self)


def delta_sweep(setting: str, k: int, N: int, eps: float = 1e-3,  # noqa: N803
                deltas: tuple[float, ...] | None = None, bidders: int = 3,
                seed: int = 0) -> list[DeltaPoint]:
    """Queries against delta on one design of ``setting``: the theorem's item set as its
    bisection precision eta runs over eps 2^i (at its certified delta), the certified protocol
    and the adaptive one at each target of ``deltas`` (default: 8 points from the theorem
    set's certified delta to the paper's a-priori delta, geometric) and the packing bound
    k log2 n_delta (``recmech.core.certified.packing_minimum``)."""
    design = designs.design_for(setting, N, k, seed)
    family_setting = protocols.FAMILY_SETTING[design.family]
    theorem = protocols.protocol_for(family_setting, design, eps)
    if deltas is None:
        low = theorem.certified_delta()
        high = protocols.paper_delta(design, eps)[1] or 0.45
        deltas = tuple(float(d) for d in np.geomspace(low, min(high, 0.45), 8))
    out = []
    for i in range(9):
        eta = eps * 2.0**i
        proto = protocols.protocol_for(family_setting, design, eps, eta=eta)
        if proto.certified_delta() < 0.5:
            out.append(DeltaPoint(protocol="theorem", delta=proto.certified_delta(),
                                  queries=float(proto.queries)))
    for d in deltas:
        cert = protocols.protocol_for("certified", design, eps, delta=d)
        out.append(DeltaPoint(protocol="certified", delta=cert.certified_delta(),
                              queries=float(cert.queries)))
        fields = _adaptive(design, eps, d, bidders, seed + 4, "")
        out.append(DeltaPoint(protocol="adaptive", delta=d,
                              queries=float(fields["adaptive_queries"])))
        out.append(DeltaPoint(protocol="packing", delta=d, queries=packing_minimum(k, d)))
    return out
