"""Which items to query: the sets Q of the three settings of Thm. 2, and one for any A.

Cai-Daskalakis EC'22, Thm. 2:
- deterministic (first bullet): the k rows forming the diagonally dominant block C;
- Gaussian (second bullet): S with Tr(Sigma_S) / rho(Sigma_S) > 64k (claim: theorem2.gaussian);
- weak dependence (third bullet): S with ||INF(theta_S)||_2 < 1 and
  sum_{i in S} v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF(theta_S)||_2), INF(theta_S) that of the
  marginal law of theta_S (claim: theorem2.weak_dependence);
- assumption-free (ours): rows picked by column-pivoted QR of A^T, which keeps the chosen block
  well conditioned; its quality is certified a posteriori by ||(B^T B)^{-1} B^T||_inf.
Each selector returns an ``ItemSelection`` saying whether the setting's hypothesis holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy import linalg

from recmech.core.design import (
    CHUNK_ROWS,
    DesignMatrix,
    constant_value,
    dominance_margins,
)
from recmech.core.gate import indices
from recmech.core.influence import FiniteJointLaw, influence_matrix, spectral_norm

__all__ = ["GAUSSIAN_RATIO", "WEAK_CONSTANT", "ItemSelection", "covariance_diagonal",
           "diagonal_block", "gaussian_items", "marginal_influence_norm", "pivoted_items",
           "trace_and_rho", "weak_dependence_items", "weak_dependence_required"]

# Thm. 2, second bullet: Tr(Sigma_S) / rho(Sigma_S) > 64 k (claim: theorem2.gaussian)
GAUSSIAN_RATIO = 64
# Thm. 2, third bullet: sum v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF||) (claim:
# theorem2.weak_dependence)
WEAK_CONSTANT = 16


@dataclass(frozen=True)
class ItemSelection:
    """A set of items to query, the setting it was chosen for, and its hypothesis statistics."""

    items: np.ndarray
    setting: str
    hypothesis_holds: bool
    stats: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"items": len(self.items), "setting": self.setting,
                "hypothesis_holds": self.hypothesis_holds, "stats": dict(self.stats)}


def _check_design(design) -> DesignMatrix:
    if not isinstance(design, DesignMatrix):
        raise TypeError(f"design must be a DesignMatrix; found {type(design).__name__}")
    return design


def _check_size(size, low: int, high: int) -> int | None:
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise TypeError(f"size must be an int; found {type(size).__name__}")
    if not low <= size <= high:
        raise ValueError(f"size must be in [{low}, {high}] (k <= |S| <= N); found {size}")
    return int(size)


def diagonal_block(design: DesignMatrix) -> ItemSelection:
    """The k rows of the diagonally dominant block C (Thm. 2, first bullet).

    Taken from ``design.meta["block_rows"]`` when the design records it; otherwise found: for
    each archetype l, the row with the largest row-dominance margin at l,
    |A_jl| - sum_{m != l} |A_jm|. definition: Either way the block is checked for dominance by rows
    and columns; ``hypothesis_holds`` says whether it is (alpha > 0 and beta > 0).
    """
    design = _check_design(design)
    if "block_rows" in design.meta:
        rows = np.asarray(design.meta["block_rows"], dtype=np.int64)
    else:
        absA = np.abs(design.A)
        margins = 2 * absA - absA.sum(axis=1, keepdims=True)
        rows = np.argmax(margins, axis=0).astype(np.int64)
    C = design.A[rows]
    alpha, beta = dominance_margins(C)
    holds = bool(alpha > 0 and beta > 0 and np.unique(rows).size == design.k)
    return ItemSelection(rows, "deterministic", holds,
                         {"alpha": alpha, "beta": beta,
                          "max_abs_diag": float(np.max(np.abs(np.diag(C))))})


def covariance_diagonal(design: DesignMatrix) -> np.ndarray:
    """diag(Sigma) of a Gaussian design (from meta "Sigma" or "scales")."""
    design = _check_design(design)
    if "Sigma" in design.meta:
        return np.diag(np.asarray(design.meta["Sigma"], dtype=float)).copy()
    if "scales" in design.meta:
        return np.asarray(design.meta["scales"], dtype=float) ** 2
    raise ValueError("design must be a Gaussian design with meta 'Sigma' or 'scales'; "
                     f"found meta keys {sorted(design.meta)}")


def _variances_at(design: DesignMatrix, items: np.ndarray) -> np.ndarray:
    """diag(Sigma)[items] without forming diag(Sigma) for all N items."""
    if "Sigma" in design.meta or "scales" not in design.meta:
        return covariance_diagonal(design)[items]
    return np.asarray(design.meta["scales"], dtype=float)[items] ** 2


def trace_and_rho(design: DesignMatrix, items) -> tuple[float, float]:
    """(Tr(Sigma_S), rho(Sigma_S)) for the principal submatrix on ``items``."""
    design = _check_design(design)
    items = indices(items, "items", design.N)
    if "Sigma" in design.meta:
        sub = np.asarray(design.meta["Sigma"], dtype=float)[np.ix_(items, items)]
        return float(np.trace(sub)), float(np.linalg.eigvalsh(sub)[-1])
    d = _variances_at(design, items)
    return float(d.sum()), float(d.max())


def _constant_diagonal(design: DesignMatrix) -> float | None:
    """The common variance when Sigma = s^2 I is given by equal ``scales`` (else None)."""
    if "Sigma" in design.meta or "scales" not in design.meta:
        return None
    s = constant_value(np.asarray(design.meta["scales"], dtype=float))
    return None if s is None else s * s


def _shortest_run(d: np.ndarray, k: int, N: int) -> tuple[np.ndarray, int, int]:
    """(ranking, start, length): the shortest run of the variance ranking that passes.

    Starts are scanned in chunks so that only the ranking, the sorted variances and their
    prefix sums are O(N) (the per-start ``need``/``ends`` arrays are not).
    """
    order = np.argsort(-d, kind="stable")
    ds = d[order]
    prefix = np.concatenate([[0.0], np.cumsum(ds)])
    best_len, start = N + 1, 0
    for a in range(0, N, CHUNK_ROWS):
        b = min(a + CHUNK_ROWS, N)
        need = prefix[a:b] + GAUSSIAN_RATIO * k * ds[a:b]
        ends = np.searchsorted(prefix, need, side="right")
        lengths = np.where((ends <= N) & (ds[a:b] > 0), ends - np.arange(a, b), N + 1)
        i = int(np.argmin(lengths))
        if lengths[i] < best_len:
            best_len, start = int(lengths[i]), a + i
    length = best_len if best_len <= N else N - start
    return order, start, length


def gaussian_items(design: DesignMatrix, size: int | None = None) -> ItemSelection:
    """A set S with Tr(Sigma_S) / rho(Sigma_S) > 64k (Thm. 2, second bullet), greedily (claim:
    theorem2.gaussian).

    Items are ranked by variance (largest first); for each candidate top item the smallest run
    of the ranking below it whose variance sum exceeds 64k times the top variance is found (the
    ratio for diagonal Sigma), and the shortest run is kept. For a full Sigma the exact
    rho(Sigma_S) is then checked and the run extended while it fails. ``size`` fixes |S|
    (the top-variance items). With equal scales every run has the same length, the least L
    with L s^2 > 64k s^2, and the first L items (the stable ranking) are taken without O(N)
    work or memory (claim: theorem2.gaussian).
    """
    design = _check_design(design)
    k, N = design.k, design.N
    size = _check_size(size, k, N)
    const = _constant_diagonal(design)
    if const is not None:
        if size is not None:
            chosen = np.arange(size)
        elif const > 0:
            # L = floor(64k) + 1 in exact arithmetic; the sum is re-checked as trace_and_rho does
            length = min(int(GAUSSIAN_RATIO * k) + 1, N)
            while length < N and not np.full(length, const).sum() > GAUSSIAN_RATIO * k * const:
                length += 1
            chosen = np.arange(length)
        else:
            chosen = np.arange(N)
    elif size is not None:
        d = covariance_diagonal(design)
        chosen = np.sort(np.argsort(-d, kind="stable")[:size])
    else:
        order, start, length = _shortest_run(covariance_diagonal(design), k, N)
        chosen = order[start:start + length]
        if "Sigma" in design.meta:
            while True:
                tr, rho = trace_and_rho(design, chosen)
                if tr > GAUSSIAN_RATIO * k * rho or start + len(chosen) >= N:
                    break
                chosen = order[start:start + len(chosen) + 1]
        chosen = np.sort(chosen)
    tr, rho = trace_and_rho(design, chosen)
    holds = bool(rho > 0 and tr > GAUSSIAN_RATIO * k * rho)
    return ItemSelection(chosen, "gaussian", holds, {"trace": tr, "rho": rho,
                                                     "ratio": tr / rho if rho > 0 else 0.0,
                                                     "required_ratio": GAUSSIAN_RATIO * k})


def marginal_influence_norm(design: DesignMatrix, items=None,
                            stated: float | None = None) -> tuple[float | None, str]:
    """(||INF(theta_S)||_2, its source) for S = ``items``: INF of Definition 2 for the marginal
    law of theta_S, which integrates out the coordinates outside S.

    It is not the principal block of INF(theta), and the whole vector's norm does not bound it:
    a law on {0, 1}^3 has ||INF(theta_{1,3})||_2 = 157/247 > ||INF(theta)||_2 = 0.6333
    (checked: project.marginal_influence). Sources, in order: "stated" (the caller's ``stated``
    norm for this S), "independent" (0.0: the design's coordinates are independent, so are a
    marginal's), "law" (the design's finite law of theta: its marginal on S, Definition 2 with a
    null conditioning event counted as total variation 1, the product-support reading under which
    Lemma 9 holds), else (None, "unstated").
    """
    design = _check_design(design)
    if stated is not None:
        value = float(stated)
        if not 0 <= value < math.inf:
            raise ValueError(f"influence_norm must be a finite number >= 0; found {stated}")
        return value, "stated"
    if design.meta.get("independent", False):
        return 0.0, "independent"
    law = design.meta.get("law")
    if law is not None and items is not None:
        cols = np.asarray(items, dtype=np.int64)
        sub = FiniteJointLaw(law.support[:, cols], law.probs)
        return spectral_norm(influence_matrix(sub, "maximal")), "law"
    return None, "unstated"


def _variance_run(v2: np.ndarray, order, c: float, k: int, N: int, size: int | None,
                  infl: float) -> tuple[int, float]:
    """(|S|, sum_S v_i^2): the shortest prefix of the variance ranking that passes with
    ||INF|| = ``infl``, or the prefix of length ``size``. The prefix sums are scanned in chunks
    and the scan stops at the first |S| that passes."""
    search = size is None and 1 - infl > 0
    target = N if size is None else size
    carry, total = 0.0, 0.0
    for a in range(0, N, CHUNK_ROWS):
        b = min(a + CHUNK_ROWS, N)
        # prefix sums continued from the previous chunk's last one: bit-for-bit np.cumsum's
        run = np.empty(b - a + 1)
        run[0] = carry
        run[1:] = v2[a:b] if order is None else v2[order[a:b]]
        np.cumsum(run, out=run)
        prefix, carry = run[1:], float(run[-1])
        if search:
            m = np.arange(a + 1, b + 1)
            ok = np.flatnonzero((prefix > weak_dependence_required(c, k, m, infl)) & (m >= k))
            if ok.size:
                target, search = a + int(ok[0]) + 1, False
        if target <= b:
            total = float(prefix[target - 1 - a])
            break
    return target, total


def weak_dependence_items(design: DesignMatrix, size: int | None = None, *,
                          influence_norm: float | None = None) -> ItemSelection:
    """A set S with sum_S v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF(theta_S)||_2) (Thm. 2, third
    bullet) (claim: theorem2.weak_dependence).

    The largest-variance items are taken, as few as the condition allows (the left side grows
    faster than sqrt|S| while the added variances stay large). ||INF(theta_S)||_2 is that of
    the marginal law of theta_S (``marginal_influence_norm``): 0 for independent coordinates,
    computed from the design's ``law`` when it has one (the search is repeated with the chosen
    S's norm until it is stable), else the caller's ``influence_norm`` stated for the chosen S.
    Without any of these the design's whole-vector ||INF(theta)||_2 only guides the search and
    ``hypothesis_holds`` is False, with ``influence_source`` "unstated" in the record: the
    marginal's norm can be larger (checked: project.marginal_influence). With equal variances
    the ranking is the identity (no O(N) sort).
    """
    design = _check_design(design)
    if "variances" not in design.meta or "c" not in design.meta:
        raise ValueError("design must be a weakly dependent design with meta 'c', 'variances' "
                         f"and 'influence_norm'; found meta keys {sorted(design.meta)}")
    k, N = design.k, design.N
    size = _check_size(size, k, N)
    c = float(design.meta["c"])
    whole = float(design.meta.get("influence_norm", np.inf))
    v2 = np.asarray(design.meta["variances"], dtype=float)
    order = None if constant_value(v2) is not None else np.argsort(-v2, kind="stable")
    infl, source = marginal_influence_norm(design, None, influence_norm)
    guide, seen = (whole if infl is None else infl), set()
    while True:
        target, total = _variance_run(v2, order, c, k, N, size, guide)
        chosen = np.arange(target) if order is None else np.sort(order[:target])
        infl, source = marginal_influence_norm(design, chosen, influence_norm)
        if infl is None or infl == guide or size is not None or infl in seen:
            break
        seen.add(guide)
        guide = infl
    if infl is None:
        required, holds = math.inf, False
    else:
        required = float(weak_dependence_required(c, k, target, infl))
        # decided exactly: (1 - ||INF||) sum v_i^2 > 16 c^2 k sqrt|S|, squared (sqrt rounds
        # down, so the float comparison could call a sum just below the edge enough) (claim:
        # theorem2.weak_dependence)
        lhs = Fraction(total) * (1 - Fraction(infl)) if infl < 1 else Fraction(0)
        holds = bool(lhs > 0 and lhs * lhs > (WEAK_CONSTANT * Fraction(c) ** 2 * k) ** 2
                     * target)
    return ItemSelection(chosen, "weak_dependence", holds,
                         {"sum_variances": total, "required": required,
                          "influence_norm": infl, "influence_source": source,
                          "whole_influence_norm": whole, "c": c})


def weak_dependence_required(c: float, k: int, size, influence_norm: float):
    """Thm. 2, third bullet: the hypothesis holds iff sum_S v_i^2 exceeds this,
    16 c^2 k sqrt(|S|) / (1 - ||INF||); inf when ||INF|| >= 1 (no |S| meets it) (claim:
    theorem2.weak_dependence). ``size`` may
    be an array of |S| values (the result is then an array)."""
    from recmech.core.gate import real, real_array, whole

    c = real(c, "c", low=0.0, low_open=True)  # float64 before any arithmetic
    k, influence_norm = whole(k, "k", low=1), real(influence_norm, "influence_norm", low=0.0)
    size = real_array(size, "size", low=1.0) if np.ndim(size) else real(size, "size", low=1.0)
    slack = 1 - influence_norm
    if slack <= 0:
        return np.full(np.shape(size), np.inf) if np.ndim(size) else math.inf
    return WEAK_CONSTANT * c**2 * k * np.sqrt(size) / slack


def pivoted_items(design: DesignMatrix, size: int | None = None) -> ItemSelection:
    """Rows chosen by column-pivoted QR of A^T (no hypothesis on A).

    definition: The first k pivots of A^T pick k rows that are as linearly independent as the greedy
    volume rule can make them; for size > k further blocks of k pivots are taken from the rows
    not chosen yet, so the block only gains conditioning. ``hypothesis_holds`` is True when the
    chosen block has full column rank.
    """
    design = _check_design(design)
    k, N = design.k, design.N
    size = _check_size(size, k, N)
    size = k if size is None else size
    remaining = np.arange(N)
    chosen: list[np.ndarray] = []
    count = 0
    while count < size:
        take = min(k, size - count)
        _, _, piv = linalg.qr(design.A[remaining].T, mode="economic", pivoting=True)
        picked = remaining[piv[:take]]
        chosen.append(picked)
        count += take
        remaining = np.setdiff1d(remaining, picked, assume_unique=True)
    items = np.sort(np.concatenate(chosen))
    rank = int(np.linalg.matrix_rank(design.A[items]))
    return ItemSelection(items, "pivoted", rank == k, {"rank": rank})
