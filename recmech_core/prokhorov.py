"""The exact l_inf-Prokhorov distance between finitely supported laws, through Lemma 1.

Cai-Daskalakis EC'22, Sec. 2.2, Definition 1 (with d the l_inf distance) and Lemma 1 (Strassen):
d_P(F, F_hat) <= eps iff some coupling gamma of F and F_hat has
Pr_gamma[||x - y||_inf > eps] <= eps (claim: lemma1).

For finite laws P = sum_a p_a delta_{x_a}, Q = sum_b q_b delta_{y_b} let

    definition: g(eps) = min over couplings of Pr[||x - y||_inf > eps] = 1 - maxflow(eps),

definition: maxflow(eps) being the largest mass a transport plan can move along the pairs with
||x_a - y_b||_inf <= eps (capacities p_a at the sources, q_b at the sinks). Then

    definition: d_P(P, Q) = inf{eps > 0 : g(eps) <= eps}.

Convention at the breakpoints. Definition 1 uses open neighbourhoods A^eps = {x : d(x, A) < eps};
Lemma 1 the strict event ||x - y|| > eps. g is a non-increasing, right-continuous step function
whose jumps sit at the pairwise distances d_1 < d_2 < ... (the pair (a, b) becomes usable at
eps = d_ab, inclusive) (claim: lemma1). On [d_q, d_{q+1}) g is constant G_q, so the feasible
set {eps : g(eps) <= eps} is a closed half-line and its left end is (claim: lemma1)

    d_P = min_q max(d_q, G_q),  with d_0 = 0.

Definition 1 read literally with open neighbourhoods gives the deficiency
max_A [P(A) - Q(A^eps)] constant on (d_q, d_{q+1}] instead; its feasible set may then lose its left
end point, but the infimum is the same number, and ``prokhorov_brute_force`` computes it that way,
independently of the flow (the tests compare the two).

Computation. maxflow(eps) is a bipartite max flow (source -> a with capacity p_a, a -> b for
close pairs, b -> sink with capacity q_b). When every mass is a multiple of 1/D for an integer D
(empirical laws: D = the sample sizes' lcm), it is solved exactly in integers by Dinic's
algorithm (scipy.sparse.csgraph.maximum_flow); otherwise by the transport LP (HiGHS). The first
q with G_q <= d_q is found by a galloping search from eps = 0 (steps 1, 2, 4, ...) and then
bisection, so every flow is solved on at most twice as many pairs as the answer needs (a plain
bisection starts at the median distance, with half of all pairs) (claim: lemma1).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import optimize, sparse
from scipy.sparse import csgraph

from recmech.core.gate import probabilities, real, real_array

__all__ = ["FLOW_TOL", "MAX_SCALE", "SCALE_TOL", "Coupling", "breakpoint_search",
           "coupling_far_mass", "integer_scale", "law_arrays", "linf_distances",
           "prokhorov_brute_force", "prokhorov_distance", "sorted_pairs"]

# definition: Masses from the flow LP are exact up to the solver's feasibility tolerance;
# comparisons of g(eps) <= eps allow this much so that a tie at a breakpoint is not lost to
# rounding.
FLOW_TOL = 1e-9

# scipy's integer max flow works in int32: the total capacity D must stay below 2^31.
MAX_SCALE = 2**30
# definition: masses are rounded to multiples of 1/D only when that moves them (all together) by at
# most this much, so the integer flow is the float problem's up to a tenth of FLOW_TOL
SCALE_TOL = FLOW_TOL / 10


def _as_law(points, probs, name: str) -> tuple[np.ndarray, np.ndarray]:
    pts = real_array(points, f"{name}: points")
    if pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2 or pts.shape[0] == 0:
        raise ValueError(f"{name}: points must be (s, d) with s >= 1; found {pts.shape}")
    pr = probabilities(probs, f"{name}: probs", pts.shape[0])
    return pts, pr


def law_arrays(law, name: str = "law") -> tuple[np.ndarray, np.ndarray]:
    """(points, probs) of a finite law given as an object with ``.points``/``.probs`` or a pair."""
    if hasattr(law, "points") and hasattr(law, "probs"):
        return _as_law(law.points, law.probs, name)
    if isinstance(law, tuple) and len(law) == 2:
        return _as_law(law[0], law[1], name)
    raise TypeError(f"{name} must be a finite law (points, probs) or have .points/.probs; "
                    f"found {type(law).__name__}")


def linf_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The matrix ||x_a - y_b||_inf, shape (len(x), len(y))."""
    x, y = real_array(x, "x", 2), real_array(y, "y", 2)
    if x.shape[1] == 0:
        raise ValueError("x, y: points need at least one coordinate; found dimension 0")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"the two laws live in different dimensions: {x.shape[1]} vs "
                         f"{y.shape[1]}")
    # one coordinate at a time: O(len(x) len(y)) memory instead of an (s, t, d) temporary
    out = np.abs(x[:, None, 0] - y[None, :, 0])
    gap = np.empty_like(out)
    for j in range(1, x.shape[1]):
        np.subtract(x[:, None, j], y[None, :, j], out=gap)
        np.abs(gap, out=gap)
        np.maximum(out, gap, out=out)
    return out


@dataclass(frozen=True)
class Coupling:
    """A coupling of two finite laws (Lemma 1): ``plan[a, b]`` = Pr[(x_a, y_b)].

    ``far_mass`` = Pr_plan[||x - y||_inf > eps], the quantity Lemma 1 bounds by eps (claim: lemma1).
    """

    plan: np.ndarray
    eps: float
    far_mass: float

    def to_dict(self) -> dict:
        return {"plan": self.plan.tolist(), "eps": float(self.eps),
                "far_mass": float(self.far_mass)}


def integer_scale(p: np.ndarray, q: np.ndarray) -> int | None:
    """definition: The least D <= MAX_SCALE with every mass within SCALE_TOL (in total) of a
    multiple of 1/D.

    definition: Found from the continued-fraction approximations of the distinct masses (at most 64
    of them; None beyond, or when no such D exists).
    """
    p, q = real_array(p, "p", 1, low=0.0), real_array(q, "q", 1, low=0.0)
    masses = np.unique(np.concatenate([p, q]))
    masses = masses[masses > 0]
    if masses.size > 64:
        return None
    scale = 1
    for m in masses:
        scale = math.lcm(scale, Fraction(float(m)).limit_denominator(1 << 20).denominator)
        if scale > MAX_SCALE:
            return None
    err = (np.abs(p * scale - np.round(p * scale)).sum()
           + np.abs(q * scale - np.round(q * scale)).sum()) / scale
    return scale if err <= SCALE_TOL else None


def _pair_flow_integer(p: np.ndarray, q: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                       scale: int):
    """Integer max flow (Dinic) along the pairs (rows[e], cols[e]) with masses p, q scaled by
    ``scale`` and rounded; returns scipy's MaximumFlowResult (value in units of 1/scale)."""
    n_p, n_q = p.size, q.size
    sink = n_p + n_q + 1
    cap_p = np.round(p * scale).astype(np.int32)
    cap_q = np.round(q * scale).astype(np.int32)
    # source 0, x_a at 1 + a, y_b at 1 + n_p + b, sink last; a close pair never carries more than
    # min(p_a, q_b) <= scale, so ``scale`` is an infinite capacity there (claim: lemma1)
    tails = np.concatenate([np.zeros(n_p, dtype=np.int64), 1 + rows, 1 + n_p + np.arange(n_q)])
    heads = np.concatenate([1 + np.arange(n_p), 1 + n_p + cols, np.full(n_q, sink)])
    caps = np.concatenate([cap_p, np.full(rows.size, scale, dtype=np.int32), cap_q])
    graph = sparse.csr_array((caps, (tails, heads)), shape=(sink + 1, sink + 1))
    return csgraph.maximum_flow(graph, 0, sink, method="dinic")


def _max_close_flow_integer(p: np.ndarray, q: np.ndarray, close: np.ndarray,
                            scale: int) -> tuple[float, np.ndarray]:
    """The max flow of ``_max_close_flow`` with masses p * scale, q * scale rounded to integers."""
    rows, cols = np.nonzero(close)
    res = _pair_flow_integer(p, q, rows, cols, scale)
    plan = np.zeros(close.shape)
    flow = res.flow.tocsr()
    plan[rows, cols] = np.asarray(flow[1 + rows, 1 + p.size + cols]).ravel() / scale
    return float(res.flow_value) / scale, np.clip(plan, 0.0, None)


def _max_close_flow_lp(p: np.ndarray, q: np.ndarray, close: np.ndarray) -> tuple[float, np.ndarray]:
    """Max mass movable along ``close`` pairs, and a plan achieving it (HiGHS transport LP)."""
    rows, cols = np.nonzero(close)
    plan = np.zeros(close.shape)
    if rows.size == 0:
        return 0.0, plan
    n_e = rows.size
    eidx = np.arange(n_e)
    a_ub = sparse.vstack([
        sparse.csr_matrix((np.ones(n_e), (rows, eidx)), shape=(p.size, n_e)),
        sparse.csr_matrix((np.ones(n_e), (cols, eidx)), shape=(q.size, n_e)),
    ]).tocsr()
    res = optimize.linprog(-np.ones(n_e), A_ub=a_ub, b_ub=np.concatenate([p, q]),
                           bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(f"the max-flow LP of the Prokhorov coupling failed: {res.message}")
    plan[rows, cols] = np.clip(res.x, 0.0, None)
    return float(-res.fun), plan


def _max_close_flow(p: np.ndarray, q: np.ndarray, close: np.ndarray,
                    scale: int | None = None) -> tuple[float, np.ndarray]:
    """Max mass movable along ``close`` pairs and a plan: integer Dinic if ``scale``, else LP."""
    if scale is None or not close.any():
        return _max_close_flow_lp(p, q, close)
    return _max_close_flow_integer(p, q, close, scale)


def coupling_far_mass(p_law, q_law, eps: float) -> Coupling:
    """g(eps) of Lemma 1 and an optimal coupling: min over couplings of Pr[||x - y||_inf > eps]
    (claim: lemma1).

    The plan moves the max-flow mass along close pairs (distance <= eps) and the rest
    arbitrarily (product of the leftover marginals), so its rows/columns are exactly p and q (claim:
    lemma1).
    """
    eps = real(eps, "eps", low=0.0)
    x, p = law_arrays(p_law, "p_law")
    y, q = law_arrays(q_law, "q_law")
    dist = linf_distances(x, y)
    flow, plan = _max_close_flow(p, q, dist <= eps, integer_scale(p, q))
    left_p = np.clip(p - plan.sum(axis=1), 0.0, None)
    left_q = np.clip(q - plan.sum(axis=0), 0.0, None)
    rest = left_p.sum()
    if rest > 0:
        plan = plan + np.outer(left_p, left_q) / rest
    far = float(plan[dist > eps].sum())
    return Coupling(plan=plan, eps=float(eps), far_mass=max(far, 1.0 - flow - FLOW_TOL, 0.0))


def breakpoint_search(cands: np.ndarray, big_g) -> float:
    """min_q max(d_q, G_q) over sorted candidates d_0 = 0 < d_1 < ... (module docstring) (claim:
    lemma1).

    ``big_g(i)`` = G_i = g(d_i), non-increasing, with G_last <= d_last (claim: lemma1). The first q
    with G_q <= d_q is found by galloping from q = 0 (steps 1, 2, 4, ...) and then bisection, with
    each G evaluated at most once; the answer is min(d_{q*}, G_{q*-1}), capped at 1 (claim: lemma1).
    """
    cands = real_array(cands, "cands", 1)
    if cands.size == 0 or not callable(big_g):
        raise TypeError("cands must be a non-empty array and big_g a function of an index")
    memo: dict[int, float] = {}

    def g(i: int) -> float:
        if i not in memo:
            memo[i] = big_g(i)
        return memo[i]

    def passes(i: int) -> bool:
        return g(i) <= cands[i] + FLOW_TOL

    last = cands.size - 1
    if passes(0):
        return 0.0
    lo, hi, step = 0, last, 1
    while lo + step < last:              # gallop: invariant G(lo) > d_lo (claim: lemma1)
        if passes(lo + step):
            hi = lo + step
            break
        lo += step
        step *= 2
    while hi - lo > 1:                   # invariant: G(lo) > d_lo, G(hi) <= d_hi (claim: lemma1)
        mid = (lo + hi) // 2
        if passes(mid):
            hi = mid
        else:
            lo = mid
    return float(min(cands[hi], g(lo), 1.0))


def sorted_pairs(dist: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(cands, rows, cols, counts): the pairs by increasing distance, and for each candidate
    eps = cands[i] (0 and the distinct distances) the number counts[i] of pairs within eps, so
    the close pairs at cands[i] are rows[:counts[i]], cols[:counts[i]] (one sort for all eps)
    (claim: lemma1)."""
    dist = real_array(dist, "dist", 2, low=0.0)
    if dist.size == 0:
        raise ValueError(f"dist must be non-empty; found shape {dist.shape}")
    flat = dist.ravel()
    order = np.argsort(flat)             # ties in any order: counts take all of a tie at once
    ranked = flat[order]
    new = np.empty(ranked.size, dtype=bool)
    new[0] = True
    np.not_equal(ranked[1:], ranked[:-1], out=new[1:])
    cands = ranked[new]
    if cands[0] != 0.0:
        cands = np.concatenate([[0.0], cands])
    counts = np.searchsorted(ranked, cands, side="right")
    rows, cols = np.divmod(order, dist.shape[1])
    return cands, rows, cols, counts


def prokhorov_distance(p_law, q_law) -> float:
    """d_P(P, Q) in l_inf for finite laws, exactly: min_q max(d_q, G_q) (module docstring).

    G_q = g(d_q) is non-increasing in q and d_q increasing (``breakpoint_search``) (claim: lemma1).
    The flows are integer max flows when the masses are multiples of a common 1/D
    (``integer_scale``), else transport LPs. Always in [0, 1].
    """
    x, p = law_arrays(p_law, "p_law")
    y, q = law_arrays(q_law, "q_law")
    cands, rows, cols, counts = sorted_pairs(linf_distances(x, y))
    scale = integer_scale(p, q)

    def big_g(i: int) -> float:
        r, c = rows[:counts[i]], cols[:counts[i]]
        if scale is None or r.size == 0:
            close = np.zeros((p.size, q.size), dtype=bool)
            close[r, c] = True
            flow = _max_close_flow_lp(p, q, close)[0]
        else:
            flow = _pair_flow_integer(p, q, r, c, scale).flow_value / scale
        return max(0.0, 1.0 - flow)

    return breakpoint_search(cands, big_g)


def prokhorov_brute_force(p_law, q_law, max_support: int = 12) -> float:
    """d_P straight from Definition 1 (open neighbourhoods), by enumerating every subset.

    For finite laws only A intersected with a support matters, so the condition is checked for all
    subsets S of supp P (P(S) <= Q(S^eps) + eps) and all T of supp Q (Q(T) <= P(T^eps) + eps)
    (claim: lemma1). The deficiency is constant for eps in (d_q, d_{q+1}] and the infimum is min_q
    max(d_q, D_q). Exponential: for tests on tiny supports only.
    """
    x, p = law_arrays(p_law, "p_law")
    y, q = law_arrays(q_law, "q_law")
    if max(p.size, q.size) > max_support:
        raise ValueError(f"max_support: brute force enumerates 2^s subsets; supports of size "
                         f"{p.size}, {q.size} exceed {max_support}")
    dist = linf_distances(x, y)
    cands = np.unique(np.concatenate([[0.0], dist.ravel()]))
    best = 1.0
    for i, d_lo in enumerate(cands):
        # any eps in (d_lo, next] sees exactly the pairs with distance <= d_lo as "< eps" (claim:
        # lemma1)
        near = dist <= d_lo
        deficiency = 0.0
        for mass, other, adj in ((p, q, near), (q, p, near.T)):
            for r in range(1, mass.size + 1):
                for sub in itertools.combinations(range(mass.size), r):
                    reach = adj[list(sub)].any(axis=0)
                    deficiency = max(deficiency, mass[list(sub)].sum() - other[reach].sum())
        # on (d_lo, d_hi] the feasible eps are those >= deficiency (claim: lemma1)
        d_hi = cands[i + 1] if i + 1 < cands.size else np.inf
        if deficiency <= d_hi:
            best = min(best, max(d_lo, deficiency))
    return float(best)
