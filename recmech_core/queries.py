"""Noisy value queries by binary search, and least-squares latent recovery.

Cai-Daskalakis EC'22, proof of Thm. 2:
- definition: a noisy value query (an answer within eta of t_j) is simulated by binary search on the
price p
  with Yes/No queries t_j >= p. For z in [0,1]^k, (Az)_j lies in [lo_j, hi_j] with
  lo_j = sum_l min(A_jl, 0), hi_j = sum_l max(A_jl, 0), so t_j lies in [lo_j - eps, hi_j + eps].
  Every item gets the same interval length R = ||A||_inf + 2 eps (centred on (lo_j + hi_j)/2,
  which contains that range since hi_j - lo_j <= ||A||_inf), hence the same count
  q = max(0, ceil(log2(R / (2 eta)))) (base 2: each answer halves the interval), and the
  midpoint of the final interval (length R / 2^q <= 2 eta) is within eta of t_j (claim:
  project.search_interval). The paper states log||A||_inf + log(1/eta) + log(1/eps) queries; ours is
  the exact count of this search. With an oracle whose answers are wrong only when |t_j - p| <=
  eta_o the error is <= eta + eta_o (each answer still certifies p <= t_j + eta_o or p >= t_j -
  eta_o) (claim:
  theorem2.noisy_value).
- least squares: z_hat = argmin ||B z - y_hat||_2 with B = QA, i.e. z_hat = P y_hat with
  P = (B^T B)^{-1} B^T, computed from a QR factorisation (never the inverse of B^T B), and
  ||z_hat - z||_inf <= ||P||_inf (eps + eta) (claim: project.certified_delta).
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import linalg

from recmech.core.gate import indices, real
from recmech.core.laws import as_finite_array
from recmech.core.oracles import PriceOracle

__all__ = ["LeastSquares", "SearchPlan", "ValueQueryResult", "depths_for", "item_ranges",
           "noisy_value_queries", "noisy_value_query", "queries_per_item", "search_plan"]


def _positive(value: float, name: str) -> float:
    return real(value, name, low=0.0, low_open=True)


def queries_per_item(R: float, eta: float) -> int:
    """q = max(0, ceil(log2(R / (2 eta)))): halvings until the interval has length <= 2 eta (claim:
    project.noisy_value_count)."""
    R, eta = _positive(R, "R"), _positive(eta, "eta")
    # log2 of the ratio, not of R / (2 eta): that quotient overflows for a subnormal eta
    q = max(0, math.ceil(math.log2(R) - math.log2(eta) - 1.0))
    # log2 rounding can leave one halving short; the guarantee is R / 2^q <= 2 eta exactly
    # (ldexp scales by 2^-q without forming 2^q, which overflows beyond q = 1023) (claim:
    # project.noisy_value_count)
    while math.ldexp(R, -q) > 2 * eta:
        q += 1
    while q > 0 and math.ldexp(R, -(q - 1)) <= 2 * eta:
        q -= 1
    return q


@dataclass(frozen=True)
class SearchPlan:
    """The binary-search intervals [centers - R/2, centers + R/2] of the queried items.

    The paper's plan gives every item the same length R and count q. A per-item plan also
    holds ``widths`` (R_j) and ``depths`` (q_j) per item: item j's final interval has length
    R_j / 2^q_j, so its value is known within ``item_eta``_j = R_j / 2^(q_j + 1). ``R`` and ``q``
    are then the largest R_j and q_j.
    """

    items: np.ndarray
    centers: np.ndarray
    R: float
    q: int
    eps: float
    eta: float
    widths: np.ndarray | None = None
    depths: np.ndarray | None = None

    @property
    def queries(self) -> int:
        if self.depths is not None:
            return int(np.sum(self.depths))
        return int(self.q * len(self.items))

    @property
    def item_eta(self) -> np.ndarray:
        """Per item, the half-length of the final interval: R_j / 2^(q_j + 1)."""
        if self.depths is None:
            return np.full(len(self.items), self.R / 2.0 ** (self.q + 1))
        return np.ldexp(self.widths, -(self.depths + 1))

    def to_dict(self) -> dict:
        return {"items": len(self.items), "R": self.R, "q": self.q, "eps": self.eps,
                "eta": self.eta, "queries": self.queries, "per_item": self.depths is not None}


def item_ranges(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(centers, l1): the midpoint (lo_j + hi_j)/2 and the length hi_j - lo_j = ||A_j||_1 of the
    range [lo_j, hi_j] of (Az)_j over z in [0,1]^k (module docstring)."""
    rows = as_finite_array(rows, "rows", ndim=2)
    with np.errstate(over="ignore"):
        if not np.all(np.isfinite(np.abs(rows).sum(axis=1))):
            raise ValueError("rows: a row's l1 norm ||A_j||_1 exceeds float64")
    lo = np.minimum(rows, 0).sum(axis=1)
    hi = np.maximum(rows, 0).sum(axis=1)
    return 0.5 * (lo + hi), hi - lo


def depths_for(widths: np.ndarray, eta: float) -> np.ndarray:
    """definition: q_j = the fewest halvings with widths_j / 2^q_j <= 2 eta (``queries_per_item``
    per item)."""
    widths = as_finite_array(widths, "widths", ndim=1)
    eta = real(eta, "eta", low=0.0, low_open=True)
    return np.array([queries_per_item(w, eta) for w in widths],
                    dtype=np.int64)


def search_plan(rows: np.ndarray, items, inf_norm: float, eps: float, eta: float, *,
                per_item: bool = False) -> SearchPlan:
    """The search plan for the items whose rows of A are ``rows``.

    Common length (the paper's count): R = ||A||_inf + 2 eps for every item, ``inf_norm`` being
    ||A||_inf of the whole design (so every design with the same ||A||_inf gives the same count,
    whatever N). ``per_item``: item j's own range, R_j = ||A_j||_1 + 2 eps (its values lie in
    [lo_j - eps, hi_j + eps]), and q_j = the fewest halvings to 2 eta: never more queries.
    """
    rows = as_finite_array(rows, "rows", ndim=2)
    items = indices(items, "items", np.iinfo(np.int64).max)
    if rows.shape[0] != items.shape[0]:
        raise ValueError(f"rows, items: rows must have one row per entry of items ({items.size}); "
                         f"found {rows.shape[0]}")
    eps, eta = _positive(eps, "eps"), _positive(eta, "eta")
    inf_norm = real(inf_norm, "inf_norm", low=0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        centers, row_l1 = item_ranges(rows)
    if not (np.all(np.isfinite(row_l1)) and np.isfinite(inf_norm + 2 * eps)):
        raise ValueError("rows, inf_norm, eps: the search range ||A_j||_1 + 2 eps overflows "
                         "float64")
    if np.any(row_l1 > inf_norm * (1 + 1e-12)):
        raise ValueError(f"inf_norm must be >= every row's l1 norm; found {inf_norm} < "
                         f"{row_l1.max()}")
    R = float(inf_norm) + 2 * eps
    # below the float64 spacing of the interval's ends bisection stalls: its midpoints round to
    # the ends, and the answer cannot come within eta of every value
    half_width = R / 2 if not per_item else (row_l1 + 2 * eps) / 2
    reach = float(np.max(np.abs(centers) + half_width, initial=0.0))
    resolution = 2.0 * float(np.spacing(reach))
    if eta < resolution:
        raise ValueError(f"eta, eps, inf_norm: eta must be >= {resolution:.3g}, twice the "
                         f"float64 spacing at the search interval's end {reach:.6g} (set by "
                         f"the rows, inf_norm = {inf_norm:.6g} and eps = {eps:.6g}; bisection "
                         f"cannot resolve less); found eta = {eta:.3g}")
    if not per_item:
        return SearchPlan(items, centers, R, queries_per_item(R, eta), eps, eta)
    widths = row_l1 + 2 * eps
    depths = depths_for(widths, eta)
    return SearchPlan(items, centers, float(widths.max()) if widths.size else R,
                      int(depths.max(initial=0)), eps, eta, widths, depths)


def _fast_answers(oracle):
    """The oracle's validated-once answerer, when it is one of recmech's price oracles whose
    query entry point is not overridden (``PriceOracle.bind``); else None."""
    if isinstance(oracle, PriceOracle) and type(oracle).accepts_many is PriceOracle.accepts_many:
        return oracle.bind
    return None


def noisy_value_queries(oracle, plan: SearchPlan) -> np.ndarray:
    """Simulate one noisy value query per planned item with q_j price queries each.

    Invariant: every Yes at p certifies p <= t_j + eta_o and every No certifies p >= t_j - eta_o,
    so the final midpoint is within R_j / 2^(q_j+1) + eta_o <= eta + eta_o of t_j (in float64
    too: ``search_plan`` refuses an eta below twice the spacing of the interval's ends, where
    the rounded midpoints would stall) (claim: theorem2.noisy_value).

    Lean: items are validated once per bidder, not per round (first: an ``oracle`` with
    ``accepts_many`` and a ``plan`` with items, by name). The intervals live in three
    buffers updated in place; with per-item depths the items are ordered by depth (deepest
    first), so round r queries a prefix of them (a view, not a copy). One of recmech's oracles
    answers through ``bind`` (its type evaluated once per bidder); any other oracle through
    ``accepts_many`` with a fresh price array each round (it may keep the prices it was shown).
    """
    if not callable(getattr(oracle, "accepts_many", None)) or not hasattr(plan, "items"):
        raise TypeError(f"oracle must answer price queries (accepts_many) and plan be a "
                        f"SearchPlan; found {type(oracle).__name__}, {type(plan).__name__}")
    n_items = len(plan.items)
    if plan.depths is None:
        order = None
        items = plan.items
        active = np.full(plan.q, n_items, dtype=np.int64)
    else:
        order = np.argsort(-plan.depths, kind="stable")
        items = plan.items[order]
        depth_sorted = plan.depths[order]
        # definition: round r queries the items with q_j > r: a prefix of the depth-sorted list
        active = np.searchsorted(-depth_sorted, -np.arange(plan.q), side="left")
    widths = plan.R if plan.widths is None else plan.widths
    centers = plan.centers if order is None else plan.centers[order]
    half = 0.5 * (widths if order is None or np.ndim(widths) == 0 else widths[order])
    low = centers - half
    high = centers + half
    mid = np.empty(n_items)
    no = np.empty(n_items, dtype=bool)
    bind = _fast_answers(oracle)
    answer = bind(items) if bind is not None else None
    for n in active:
        lo, hi, m, nn = low[:n], high[:n], mid[:n], no[:n]
        np.add(lo, hi, out=m)
        m *= 0.5
        yes = answer(m) if answer is not None else oracle.accepts_many(items[:n], m.copy())
        np.copyto(lo, m, where=yes)
        np.logical_not(yes, out=nn)
        np.copyto(hi, m, where=nn)
    y = low
    y += high
    y *= 0.5
    if order is None:
        return y
    out = np.empty(n_items)
    out[order] = y
    return out


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
    j = int(indices([j], "j", 2**62)[0])
    row = as_finite_array(row, "row", ndim=1)
    plan = search_plan(np.atleast_2d(np.asarray(row, dtype=float)), [j], inf_norm, eps, eta)
    before = oracle.queries
    value = float(noisy_value_queries(oracle, plan)[0])
    return ValueQueryResult(int(j), value, oracle.queries - before, plan.R, plan.eta)


class LeastSquares:
    """z_hat = clip(P y, 0, 1) with P = (B^T B)^{-1} B^T from a QR factorisation of B.

    Factor once per mechanism and reuse for every bidder. Clipping never hurts: z lies in
    [0,1]^k and projection onto a box acts coordinatewise, so |clip(a)_j - z_j| <= |a_j - z_j|
    (claim: project.certified_protocol).
    """

    def __init__(self, B) -> None:
        B = as_finite_array(B, "B", ndim=2)
        rows, k = B.shape
        if k == 0:
            raise ValueError("B must have k >= 1 columns (latent dimensions); found 0")
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
