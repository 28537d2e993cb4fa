"""The certified protocol's plan: which items, and how many price queries on each.

Cai-Daskalakis EC'22, Thm. 2 proof: binary search on item j to precision eta_j, then least
squares z_hat = clip(P y), P = (B^T B)^{-1} B^T of the queried block B = A_S, has error

    ||z_hat - z||_inf <= max_r sum_{j in S} |P_rj| (eps + eta_j) =: delta(S, eta)     (*) (claim:
    project.certified_protocol)

for every type t within eps of Az (the paper's ||P||_inf (eps + eta) when every eta_j = eta).
(*) is the certificate: it holds on every run, whatever t. The plan makes it meet a target
delta with as few queries as it can:

- items: blocks of k rows picked by column-pivoted QR of A^T (``selection.pivoted_items``),
  added one block at a time while the target is out of reach (the floor of (*) over eta is
  ||P||_inf eps) or while one more block lowers the query count;
- per-item ranges: item j is searched on its own range [lo_j - eps, hi_j + eps], of length
  R_j = ||A_j||_1 + 2 eps, not on the common ||A||_inf + 2 eps;
- per-item depths: q_j halvings give eta_j = R_j / 2^(q_j + 1); the fewest total sum_j q_j with
  (*) <= target is found by a common precision level (the coarsest that meets the target) and
  then greedy single-item decrements that keep (*) within the target (claim:
  project.certified_protocol).

Float rounding is part of the certificate: z_hat is computed as fl(P y) with a computed P, so the
plan adds ||P B - I||_inf (the computed P is a left inverse only up to rounding; z in [0,1]^k)
and 2 (|S| + 2) u (||P||_inf y_max + 1) (the product, u = 2^-53) to (*).

How far from the minimum (the ``queries_over_minimum`` bench row). Any protocol that certifies
delta < 1/2 for every z in [0,1]^k (even with t = Az exactly) must give distinct answers to the
n^k points of the grid {0, 1/(n-1), ..., 1}^k whenever 2 delta (n - 1) < 1 (two of them at
l_inf distance 1/(n-1) > 2 delta cannot share an estimate), so it asks at least
k log2 n_delta yes/no questions, n_delta = ceil(1/(2 delta)) (the largest such n, also
when 1/(2 delta) is a whole number); that is >= k log2(1/(2 delta)), the issue's minimum, and
exceeds it by the factor log2 n_delta / log2(1/(2 delta)): 2.13 at delta = 0.362
(``packing_minimum``) (claim: project.packing_floor). So at the paper's a-priori delta of a Gaussian
or weakly dependent design with k = 32 and eps = 1e-3 (64 sqrt(k) eps = 0.362) no protocol stays
within 1.6 of k log2(1/(2 delta)). For this protocol (bisection and least squares on a block S)
there is a second, sharper floor: for any row r with every |P_rj| > 0, AM-GM on (*) gives
2 delta >= sum_j |P_rj| R_j 2^-q_j >= |S| (prod_j |P_rj| R_j 2^-q_j)^(1/|S|), i.e (claim:
project.packing_floor).

    sum_j q_j >= |S| log2(|S| / (2 delta)) + sum_j log2(|P_rj| R_j)            (**) (claim:
    project.packing_floor)
 (``block_floor``): the first |S| log2 |S| + sum log2(|P_rj| R_j) bits are spent locating t_S in
a box of ranges R_j that the cube's image A_S [0,1]^k fills only partly. Gaussian rows have
|P_rj| R_j of order one, so at delta near 1/2 the |S| log2 |S| term dominates.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg

from recmech.core.design import DesignMatrix, row_chunks
from recmech.core.gate import real, real_array, whole
from recmech.core.queries import LeastSquares, SearchPlan, depths_for, item_ranges

__all__ = ["MAX_BLOCKS", "CertifiedPlan", "allocate_depths", "block_floor", "certified_plan",
           "column_peaks", "iter_pivoted_blocks", "packing_minimum", "pivoted_blocks",
           "rounding_allowance"]

MAX_BLOCKS = 8
UNIT = 2.0**-53
MAX_DEPTH = 1100  # halvings: below 2^-1074 every float interval is a point


@dataclass(frozen=True, kw_only=True)
class CertifiedPlan:
    """The items, their search plan and the certificate (*) of the module docstring."""

    items: np.ndarray
    plan: SearchPlan
    solver: LeastSquares
    certified_delta: float
    target: float
    rounding: float
    blocks: int
    tried: dict = field(default_factory=dict)

    @property
    def queries(self) -> int:
        return self.plan.queries

    def to_dict(self) -> dict:
        return {"items": len(self.items), "queries": self.queries, "blocks": self.blocks,
                "certified_delta": self.certified_delta, "target": self.target,
                "rounding": self.rounding, "tried": dict(self.tried)}


def packing_minimum(k: int, delta: float) -> float:
    """k log2 n_delta: the fewest yes/no answers any protocol certifying delta can use (module
    docstring); 0 for delta >= 1/2 (the centre of the cube is within 1/2 of every z) (claim:
    project.packing_floor)."""
    k = whole(k, "k", low=1)
    delta = real(delta, "delta", low=0.0, low_open=True)
    if delta >= 0.5:
        return 0.0
    ratio = 1.0 / (2.0 * delta)
    n = math.ceil(ratio)
    if n == ratio:
        n = int(n)
    return k * math.log2(max(n, 2))


def _design(design: DesignMatrix) -> DesignMatrix:
    if not isinstance(design, DesignMatrix):
        raise TypeError(f"design must be a DesignMatrix; found {type(design).__name__}")
    return design


def iter_pivoted_blocks(design: DesignMatrix) -> Iterator[np.ndarray]:
    """Blocks of k rows, each the first k pivots of column-pivoted QR of the transposed rows not
    chosen yet (``selection.pivoted_items`` block by block), until the rows run out."""
    _design(design)  # checked now, not at the first block

    def blocks() -> Iterator[np.ndarray]:
        k = design.k
        remaining = np.arange(design.N)
        while remaining.size:
            _, _, piv = linalg.qr(design.A[remaining].T, mode="economic", pivoting=True)
            picked = remaining[piv[:min(k, remaining.size)]]
            yield picked
            remaining = np.setdiff1d(remaining, picked, assume_unique=True)

    return blocks()


def pivoted_blocks(design: DesignMatrix, blocks: int) -> list[np.ndarray]:
    """The first ``blocks`` blocks of ``iter_pivoted_blocks`` (fewer if the rows run out)."""
    # definition: at most one block per row
    blocks = whole(blocks, "blocks", low=1, high=_design(design).N)
    return list(itertools.islice(iter_pivoted_blocks(design), blocks))


def column_peaks(design: DesignMatrix) -> np.ndarray:
    """max_j |A_jr| for every column r (in row chunks)."""
    _design(design)
    peak = np.zeros(design.k)
    for a, b in row_chunks(design.N):
        np.maximum(peak, np.abs(design.A[a:b]).max(axis=0), out=peak)
    return peak


def rounding_allowance(solver: LeastSquares, centers: np.ndarray, widths: np.ndarray) -> float:
    """||P B - I||_inf + 2 (|S| + 2) u (||P||_inf y_max + 1) (module docstring)."""
    if not isinstance(solver, LeastSquares):
        raise TypeError(f"solver must be a LeastSquares; found {type(solver).__name__}")
    centers = real_array(centers, "centers", 1, (solver.B.shape[0],))
    widths = real_array(widths, "widths", 1, (solver.B.shape[0],), low=0.0)
    P, B = solver.pinv, solver.B
    left = float(np.max(np.abs(P @ B - np.eye(B.shape[1])).sum(axis=1)))
    y_max = float(np.max(np.abs(centers) + widths / 2.0))
    n = B.shape[0]
    return left + 2.0 * (n + 2) * UNIT * (solver.pinv_inf_norm * y_max + 1.0)


def _certificate(abs_p: np.ndarray, widths: np.ndarray, depths: np.ndarray, eps: float) -> float:
    return float(np.max(abs_p @ (eps + np.ldexp(widths, -(depths + 1)))))


def allocate_depths(abs_p: np.ndarray, widths: np.ndarray, eps: float,
                    budget: float) -> np.ndarray | None:
    """Depths q_j (ints >= 0) with max_r sum_j |P_rj| (eps + R_j 2^-(q_j+1)) <= ``budget`` and
    few queries sum_j q_j (module docstring), or None when even q -> infinity misses it (claim:
    project.certified_protocol)."""
    abs_p = real_array(abs_p, "abs_p", 2, low=0.0)
    widths = real_array(widths, "widths", 1, (abs_p.shape[1],), low=0.0)
    eps, budget = real(eps, "eps", low=0.0), real(budget, "budget")
    floor = float(np.max(abs_p.sum(axis=1))) * eps
    if not floor < budget:
        return None
    top = float(widths.max())
    depths = None
    for level in range(MAX_DEPTH):
        eta = math.ldexp(top, -(level + 1))
        if eta <= 0:
            break
        trial = depths_for(widths, eta)
        if _certificate(abs_p, widths, trial, eps) <= budget:
            depths = trial
            break
    if depths is None:
        return None
    sums = abs_p @ (eps + np.ldexp(widths, -(depths + 1)))
    changed = True
    while changed:
        changed = False
        # one halving less on item j doubles its eta_j: adds |P_:j| R_j 2^-(q_j+1)
        steps = np.ldexp(widths, -(depths + 1))
        order = np.argsort((abs_p * steps[None, :]).max(axis=0), kind="stable")
        for j in order:
            if depths[j] == 0:
                continue
            grown = sums + abs_p[:, j] * math.ldexp(float(widths[j]), -int(depths[j]) - 1)
            if float(grown.max()) <= budget:
                sums = grown
                depths[j] -= 1
                changed = True
    # the incremental sums drift by rounding: the final certificate is recomputed
    while _certificate(abs_p, widths, depths, eps) > budget:
        depths += 1
    return depths


def block_floor(abs_p: np.ndarray, widths: np.ndarray, delta: float) -> float:
    """The bound (**) of the module docstring on sum_j q_j for this block: max over rows r with
    every |P_rj| > 0 of |S| log2(|S| / (2 delta)) + sum_j log2(|P_rj| R_j) (-inf if none)
    (claim: project.packing_floor)."""
    abs_p = real_array(abs_p, "abs_p", 2, low=0.0)
    widths = real_array(widths, "widths", 1, (abs_p.shape[1],), low=0.0)
    delta = real(delta, "delta", low=0.0, low_open=True)
    n = abs_p.shape[1]
    best = -math.inf
    for row in abs_p:
        if np.all(row > 0):
            best = max(best, n * math.log2(n / (2.0 * delta)) + float(np.log2(row * widths).sum()))
    return best


def certified_plan(design: DesignMatrix, eps: float, target: float, *, eta: float | None = None,
                   max_blocks: int = MAX_BLOCKS) -> CertifiedPlan:
    """The plan of the module docstring: pivoted blocks, per-item ranges, per-item depths (or
    one precision ``eta`` for every item), certificate (*) + rounding <= ``target`` (claim:
    project.certified_protocol).

    Raises ValueError naming the target and the smallest reachable value when no block count up
    to ``max_blocks`` reaches it, and the bound (eps + eta) / min_r max_j |A_jr| below which no
    item set can: for any S, P B = I gives 1 = sum_j P_rj A_jr <= ||P||_inf max_j |A_jr| (claim:
    project.certified_protocol).
    """
    eps = real(eps, "eps", low=0.0, low_open=True)
    target = real(target, "delta", low=0.0, low_open=True)
    fixed = None if eta is None else real(eta, "eta", low=0.0, low_open=True)
    max_blocks = whole(max_blocks, "max_blocks", low=1)
    best: CertifiedPlan | None = None
    floors: dict[int, float] = {}
    tried: dict[int, int | None] = {}
    chosen: list[np.ndarray] = []
    for b, block in enumerate(itertools.islice(iter_pivoted_blocks(design), max_blocks), start=1):
        chosen.append(block)
        items = np.concatenate(chosen)
        try:
            solver = LeastSquares(design.rows(items))
        except ValueError:
            tried[b] = None
            continue
        abs_p = np.abs(solver.pinv)
        centers, l1 = item_ranges(solver.B)
        widths = l1 + 2 * eps
        if not np.all(np.isfinite(widths)):
            raise ValueError("eps: the search ranges ||A_j||_1 + 2 eps overflow float64")
        rounding = rounding_allowance(solver, centers, widths)
        floors[b] = solver.pinv_inf_norm * (eps + (fixed or 0.0)) + rounding
        if fixed is None:
            depths = allocate_depths(abs_p, widths, eps, target - rounding)
        else:
            depths = depths_for(widths, fixed)
            if _certificate(abs_p, widths, depths, eps) + rounding > target:
                depths = None
        tried[b] = None if depths is None else int(depths.sum())
        if depths is not None:
            cert = _certificate(abs_p, widths, depths, eps) + rounding
            plan = SearchPlan(items, centers, float(widths.max()), int(depths.max(initial=0)),
                              eps, float(np.ldexp(widths, -(depths + 1)).max()), widths, depths)
            cand = CertifiedPlan(items=items, plan=plan, solver=solver, certified_delta=cert,
                                 target=target, rounding=rounding, blocks=b, tried=tried)
            if best is not None and cand.queries >= best.queries:
                break
            best = cand
        elif best is not None:
            break
    if best is None:
        reach = min(floors.values()) if floors else math.inf
        any_set = (eps + (fixed or 0.0)) / float(column_peaks(design).min())
        with_eta = "" if fixed is None else f", eta = {fixed:.6g}"
        raise ValueError(
            f"delta: the target {target:.6g} is below the smallest certified delta this "
            f"protocol reaches with eps = {eps:.6g}{with_eta}"
            f": {reach:.6g} (||P||_inf (eps + eta) over {len(floors)} pivoted block set(s), as "
            f"eta -> 0 when not fixed); no item set certifies less than {any_set:.6g} "
            "(= (eps + eta) / min_r max_j |A_jr|)")
    return CertifiedPlan(items=best.items, plan=best.plan, solver=best.solver,
                         certified_delta=best.certified_delta, target=target,
                         rounding=best.rounding, blocks=best.blocks, tried=dict(tried))
