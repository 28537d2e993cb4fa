"""Noisy value queries by binary search, and least-squares latent recovery.

Cai-Daskalakis EC'22, proof of Thm. 2:
- a noisy value query (an answer within eta of t_j) is simulated by binary search on the price p
  with Yes/No queries t_j >= p. For z in [0,1]^k, (Az)_j lies in [lo_j, hi_j] with
  lo_j = sum_l min(A_jl, 0), hi_j = sum_l max(A_jl, 0), so t_j lies in [lo_j - eps, hi_j + eps].
  Every item gets the same interval length R = ||A||_inf + 2 eps (centred on (lo_j + hi_j)/2,
  which contains that range since hi_j - lo_j <= ||A||_inf), hence the same count
  q = max(0, ceil(log2(R / (2 eta)))) (base 2: each answer halves the interval), and the
  midpoint of the final interval (length R / 2^q <= 2 eta) is within eta of t_j. The paper states
  log||A||_inf + log(1/eta) + log(1/eps) queries; ours is the exact count of this search.
  With an oracle whose answers are wrong only when |t_j - p| <= eta_o the error is
  <= eta + eta_o (each answer still certifies p <= t_j + eta_o or p >= t_j - eta_o).
- least squares: z_hat = argmin ||B z - y_hat||_2 with B = QA, i.e. z_hat = P y_hat with
  P = (B^T B)^{-1} B^T, computed from a QR factorisation (never the inverse of B^T B), and
  ||z_hat - z||_inf <= ||P||_inf (eps + eta).
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import linalg

from recmech.core.laws import as_finite_array

__all__ = ["LeastSquares", "SearchPlan", "ValueQueryResult", "noisy_value_queries",
           "noisy_value_query", "queries_per_item", "search_plan"]


def _positive(value: float, name: str) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be finite and > 0; found {value}")
    return value


def queries_per_item(R: float, eta: float) -> int:
    """q = max(0, ceil(log2(R / (2 eta)))): halvings until the interval has length <= 2 eta."""
    R, eta = _positive(R, "R"), _positive(eta, "eta")
    q = max(0, math.ceil(math.log2(R / (2 * eta))))
    # log2 rounding can leave one halving short; the guarantee is R / 2^q <= 2 eta exactly
    while R / 2.0**q > 2 * eta:
        q += 1
    while q > 0 and R / 2.0 ** (q - 1) <= 2 * eta:
        q -= 1
    return q


@dataclass(frozen=True)
class SearchPlan:
    """The binary-search intervals [centers - R/2, centers + R/2] of the queried items."""

    items: np.ndarray
    centers: np.ndarray
    R: float
    q: int
    eps: float
    eta: float

    @property
    def queries(self) -> int:
        return int(self.q * len(self.items))

    def to_dict(self) -> dict:
        return {"items": len(self.items), "R": self.R, "q": self.q, "eps": self.eps,
                "eta": self.eta, "queries": self.queries}


def search_plan(rows: np.ndarray, items, inf_norm: float, eps: float, eta: float) -> SearchPlan:
    """The common-length search plan for the items whose rows of A are ``rows``.

    ``inf_norm`` is ||A||_inf of the whole design (so every design with the same ||A||_inf gives
    the same count, whatever N).
    """
    rows = as_finite_array(rows, "rows", ndim=2)
    items = np.asarray(items, dtype=np.int64).reshape(-1)
    if rows.shape[0] != items.shape[0]:
        raise ValueError(f"rows must have one row per item ({items.size}); found {rows.shape[0]}")
    eps, eta = _positive(eps, "eps"), _positive(eta, "eta")
    row_l1 = np.abs(rows).sum(axis=1)
    if np.any(row_l1 > inf_norm * (1 + 1e-12)):
        raise ValueError(f"inf_norm must be >= every row's l1 norm; found {inf_norm} < "
                         f"{row_l1.max()}")
    centers = 0.5 * (np.minimum(rows, 0).sum(axis=1) + np.maximum(rows, 0).sum(axis=1))
    R = float(inf_norm) + 2 * eps
    return SearchPlan(items, centers, R, queries_per_item(R, eta), eps, eta)


def noisy_value_queries(oracle, plan: SearchPlan) -> np.ndarray:
    """Simulate one noisy value query per planned item with q price queries each.

    Invariant: every Yes at p certifies p <= t_j + eta_o and every No certifies p >= t_j - eta_o,
    so the final midpoint is within R / 2^(q+1) + eta_o <= eta + eta_o of t_j.
    """
    low = plan.centers - plan.R / 2
    high = plan.centers + plan.R / 2
    for _ in range(plan.q):
        mid = 0.5 * (low + high)  # a fresh array: an oracle may keep the prices it was shown
        yes = oracle.accepts_many(plan.items, mid)
        low = np.where(yes, mid, low)
        high = np.where(yes, high, mid)
    return 0.5 * (low + high)


@dataclass(frozen=True)
class ValueQueryResult:
    """One simulated noisy value query (Thm. 2 proof, theorem2.noisy_value)."""

    item: int
    value: float
    queries: int
    interval: float
    eta: float

    def to_dict(self) -> dict:
        return asdict(self)


def noisy_value_query(oracle, j: int, row, inf_norm: float, eps: float,
                      eta: float) -> ValueQueryResult:
    """One noisy value query for item j (row = A_j): value within eta (+ the oracle's noise)."""
    plan = search_plan(np.atleast_2d(np.asarray(row, dtype=float)), [j], inf_norm, eps, eta)
    before = oracle.queries
    value = float(noisy_value_queries(oracle, plan)[0])
    return ValueQueryResult(int(j), value, oracle.queries - before, plan.R, plan.eta)


class LeastSquares:
    """z_hat = clip(P y, 0, 1) with P = (B^T B)^{-1} B^T from a QR factorisation of B.

    Factor once per mechanism and reuse for every bidder. Clipping never hurts: z lies in
    [0,1]^k and projection onto a box acts coordinatewise, so |clip(a)_j - z_j| <= |a_j - z_j|.
    """

    def __init__(self, B) -> None:
        B = as_finite_array(B, "B", ndim=2)
        rows, k = B.shape
        if rows < k:
            raise ValueError(f"B must have at least k={k} rows (queried items); found {rows}")
        s = np.linalg.svd(B, compute_uv=False)
        if s[-1] <= s[0] * max(rows, k) * np.finfo(float).eps:
            raise ValueError(f"B must have full column rank k={k} (the latent is not identified "
                             f"from these items); found singular values {s[0]} .. {s[-1]}")
        Q, Rf = np.linalg.qr(B)
        self.B = B
        self.pinv = linalg.solve_triangular(Rf, Q.T)
        self.singular_values = s

    @functools.cached_property
    def pinv_inf_norm(self) -> float:
        """||(B^T B)^{-1} B^T||_inf = max_r sum_i |P_ri| (once per factorisation)."""
        return float(np.max(np.abs(self.pinv).sum(axis=1)))

    def raw(self, y) -> np.ndarray:
        """The unconstrained least-squares solution P y."""
        y = as_finite_array(y, "y", ndim=1, shape=(self.B.shape[0],))
        return self.pinv @ y

    def estimate(self, y) -> np.ndarray:
        return np.clip(self.raw(y), 0.0, 1.0)
