"""The exact l_inf-Prokhorov distance between finitely supported laws, through Lemma 1.

Cai-Daskalakis EC'22, Sec. 2.2, Definition 1 (with d the l_inf distance) and Lemma 1 (Strassen):
d_P(F, F_hat) <= eps iff some coupling gamma of F and F_hat has
Pr_gamma[||x - y||_inf > eps] <= eps.

For finite laws P = sum_a p_a delta_{x_a}, Q = sum_b q_b delta_{y_b} let

    g(eps) = min over couplings of Pr[||x - y||_inf > eps] = 1 - maxflow(eps),

maxflow(eps) being the largest mass a transport plan can move along the pairs with
||x_a - y_b||_inf <= eps (capacities p_a at the sources, q_b at the sinks). Then

    d_P(P, Q) = inf{eps > 0 : g(eps) <= eps}.

Convention at the breakpoints. Definition 1 uses open neighbourhoods A^eps = {x : d(x, A) < eps};
Lemma 1 the strict event ||x - y|| > eps. g is a non-increasing, right-continuous step function
whose jumps sit at the pairwise distances d_1 < d_2 < ... (the pair (a, b) becomes usable at
eps = d_ab, inclusive). On [d_q, d_{q+1}) g is constant G_q, so the feasible set {eps : g(eps) <=
eps} is a closed half-line and its left end is

    d_P = min_q max(d_q, G_q),  with d_0 = 0.

Definition 1 read literally with open neighbourhoods gives the deficiency
max_A [P(A) - Q(A^eps)] constant on (d_q, d_{q+1}] instead; its feasible set may then lose its left
end point, but the infimum is the same number, and ``prokhorov_brute_force`` computes it that way,
independently of the flow (the tests compare the two).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse

# Masses from the flow LP are exact up to the solver's feasibility tolerance; comparisons of
# g(eps) <= eps allow this much so that a tie at a breakpoint is not lost to rounding.
FLOW_TOL = 1e-9


def _as_law(points, probs, name: str) -> tuple[np.ndarray, np.ndarray]:
    pts = np.asarray(points, dtype=float)
    if pts.ndim == 1:
        pts = pts[:, None]
    pr = np.asarray(probs, dtype=float)
    if pts.ndim != 2 or pr.ndim != 1 or pts.shape[0] != pr.shape[0] or pts.shape[0] == 0:
        raise ValueError(f"{name}: points must be (s, d) and probs (s,) with s >= 1; found "
                         f"{pts.shape} and {pr.shape}")
    if not (np.all(np.isfinite(pts)) and np.all(np.isfinite(pr))):
        raise ValueError(f"{name}: points and probs must be finite (no NaN/inf)")
    if np.any(pr < 0) or abs(pr.sum() - 1.0) > 1e-9:
        raise ValueError(f"{name}: probs must be >= 0 and sum to 1; found min {pr.min()}, "
                         f"sum {pr.sum()!r}")
    return pts, pr / pr.sum()


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
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"the two laws live in different dimensions: {x.shape[1]} vs "
                         f"{y.shape[1]}")
    return np.abs(x[:, None, :] - y[None, :, :]).max(axis=2)


@dataclass(frozen=True)
class Coupling:
    """A coupling of two finite laws (Lemma 1): ``plan[a, b]`` = Pr[(x_a, y_b)].

    ``far_mass`` = Pr_plan[||x - y||_inf > eps], the quantity Lemma 1 bounds by eps.
    """

    plan: np.ndarray
    eps: float
    far_mass: float

    def to_dict(self) -> dict:
        return {"plan": self.plan.tolist(), "eps": float(self.eps),
                "far_mass": float(self.far_mass)}


def _max_close_flow(p: np.ndarray, q: np.ndarray, close: np.ndarray) -> tuple[float, np.ndarray]:
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


def coupling_far_mass(p_law, q_law, eps: float) -> Coupling:
    """g(eps) of Lemma 1 and an optimal coupling: min over couplings of Pr[||x - y||_inf > eps].

    The plan moves the max-flow mass along close pairs (distance <= eps) and the rest
    arbitrarily (product of the leftover marginals), so its rows/columns are exactly p and q.
    """
    if not np.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be finite and >= 0; found {eps}")
    x, p = law_arrays(p_law, "p_law")
    y, q = law_arrays(q_law, "q_law")
    dist = linf_distances(x, y)
    flow, plan = _max_close_flow(p, q, dist <= eps)
    left_p = np.clip(p - plan.sum(axis=1), 0.0, None)
    left_q = np.clip(q - plan.sum(axis=0), 0.0, None)
    rest = left_p.sum()
    if rest > 0:
        plan = plan + np.outer(left_p, left_q) / rest
    far = float(plan[dist > eps].sum())
    return Coupling(plan=plan, eps=float(eps), far_mass=max(far, 1.0 - flow - FLOW_TOL, 0.0))


def prokhorov_distance(p_law, q_law) -> float:
    """d_P(P, Q) in l_inf for finite laws, exactly: min_q max(d_q, G_q) (module docstring).

    G_q = g(d_q) is non-increasing in q and d_q increasing, so the first q with G_q <= d_q is
    found by bisection; the answer is min(d_{q*}, G_{q*-1}). Always in [0, 1].
    """
    x, p = law_arrays(p_law, "p_law")
    y, q = law_arrays(q_law, "q_law")
    dist = linf_distances(x, y)
    cands = np.unique(np.concatenate([[0.0], dist.ravel()]))

    def big_g(i: int) -> float:
        flow, _ = _max_close_flow(p, q, dist <= cands[i])
        return max(0.0, 1.0 - flow)

    lo, hi = 0, cands.size - 1          # big_g(hi) == 0 <= cands[hi]
    if big_g(0) <= cands[0] + FLOW_TOL:
        return 0.0
    while hi - lo > 1:                   # invariant: G(lo) > d_lo, G(hi) <= d_hi
        mid = (lo + hi) // 2
        if big_g(mid) <= cands[mid] + FLOW_TOL:
            hi = mid
        else:
            lo = mid
    return float(min(cands[hi], big_g(lo), 1.0))


def prokhorov_brute_force(p_law, q_law, max_support: int = 12) -> float:
    """d_P straight from Definition 1 (open neighbourhoods), by enumerating every subset.

    For finite laws only A intersected with a support matters, so the condition is checked for all
    subsets S of supp P (P(S) <= Q(S^eps) + eps) and all T of supp Q (Q(T) <= P(T^eps) + eps).
    The deficiency is constant for eps in (d_q, d_{q+1}] and the infimum is min_q max(d_q, D_q).
    Exponential: for tests on tiny supports only.
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
        # any eps in (d_lo, next] sees exactly the pairs with distance <= d_lo as "< eps"
        near = dist <= d_lo
        deficiency = 0.0
        for mass, other, adj in ((p, q, near), (q, p, near.T)):
            for r in range(1, mass.size + 1):
                for sub in itertools.combinations(range(mass.size), r):
                    reach = adj[list(sub)].any(axis=0)
                    deficiency = max(deficiency, mass[list(sub)].sum() - other[reach].sum())
        # on (d_lo, d_hi] the feasible eps are those >= deficiency
        d_hi = cands[i + 1] if i + 1 < cands.size else np.inf
        if deficiency <= d_hi:
            best = min(best, max(d_lo, deficiency))
    return float(best)
