"""The BIC pairs of the revenue LP, searched in chunks: seeds, most violated pairs, verification.

Cai-Daskalakis EC'22, Sec. 3 (II): M_hat must be BIC w.r.t. D_hat_z, i.e. for every bidder i and
pair of support points (s, s') the interim gain

    G_i[s, s'] = U_i(s -> s') - U_i(s -> s),   U_i(s -> s') = V_i[s] . xbar_i[s'] - pbar_i[s'],

is <= 0 (definition: BIC), where xbar_i[s'] (over bidder i's bundles) and pbar_i[s'] are
bidder i's interim lottery and payment when reporting s' against truthful others. G_i has
s_i^2 entries (10^8 at 10^4 types), so nothing here holds it whole: every search walks the
rows s in chunks of ``rows_per_chunk`` and keeps only what it returns (the rows it selects,
or a maximum), so memory grows with s_i * chunk and with the rows kept, not with s_i^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["CHUNK_ENTRIES", "PairSearch", "max_gain", "nearest_pairs", "pair_keys",
           "rows_per_chunk", "worst_pairs"]

CHUNK_ENTRIES = 1 << 21  # definition: entries of one chunk of G (16 MiB of float64)


def rows_per_chunk(s: int) -> int:
    """definition: rows of an (s, s) matrix that fit in ``CHUNK_ENTRIES`` entries (at least 1)."""
    return max(1, CHUNK_ENTRIES // max(1, s))


def pair_keys(ss: np.ndarray, sp: np.ndarray, s: int) -> np.ndarray:
    """definition: the int64 key s * ss + sp of each pair (ss[r], sp[r])."""
    return np.asarray(ss, dtype=np.int64) * s + np.asarray(sp, dtype=np.int64)


def _factors(values: np.ndarray, xbar: np.ndarray,
             pbar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L, R) with G = L R^T: L = [V, -1, -U_own], R = [xbar, pbar, 1], one product per chunk."""
    own = np.einsum("sa,sa->s", values, xbar) - pbar
    ones = np.ones((values.shape[0], 1))
    return (np.hstack([values, -ones, -own[:, None]]),
            np.ascontiguousarray(np.hstack([xbar, pbar[:, None], ones]).T))


def _gain_chunk(left: np.ndarray, right: np.ndarray, lo: int, hi: int) -> np.ndarray:
    gain = left[lo:hi] @ right
    gain[np.arange(hi - lo), np.arange(lo, hi)] = -np.inf
    return gain


def max_gain(values: np.ndarray, xbar: np.ndarray, pbar: np.ndarray) -> tuple[float, int, int]:
    """The exact verification pass: max over every pair s != s' of G[s, s'], and its pair.

    ``values`` (s, n_a) is V_i, ``xbar`` (s, n_a) and ``pbar`` (s,) the interim lottery and
    payment. Returns (max gain, s, s'); (-inf, -1, -1) for a single support point.
    """
    s = values.shape[0]
    left, right = _factors(values, xbar, pbar)
    best, arg = -np.inf, (-1, -1)
    step = rows_per_chunk(s)
    for lo in range(0, s, step):
        hi = min(s, lo + step)
        gain = _gain_chunk(left, right, lo, hi)
        flat = int(np.argmax(gain))
        r, c = divmod(flat, s)
        if gain[r, c] > best:
            best, arg = float(gain[r, c]), (lo + r, c)
    return best, arg[0], arg[1]


@dataclass(frozen=True, kw_only=True)
class PairSearch:
    """Pairs (ss, sp) whose gain exceeds the tolerance, and the worst gain seen outside ``kept``."""

    ss: np.ndarray
    sp: np.ndarray
    worst: float


def worst_pairs(values: np.ndarray, xbar: np.ndarray, pbar: np.ndarray, kept: np.ndarray,
                per_type: int, tol: float) -> PairSearch:
    """For every type s, its ``per_type`` largest gains G[s, s'] over the pairs not in ``kept``
    (sorted int64 keys, ``pair_keys``), those above ``tol``; chunked over s (module docstring)."""
    s = values.shape[0]
    left, right = _factors(values, xbar, pbar)
    step = rows_per_chunk(s)
    k = min(per_type, s - 1)
    out_s, out_p, worst = [], [], -np.inf
    for lo in range(0, s if k > 0 else 0, step):
        hi = min(s, lo + step)
        gain = _gain_chunk(left, right, lo, hi)
        a, b = np.searchsorted(kept, [lo * s, hi * s])
        if b > a:
            r, c = np.divmod(kept[a:b], s)
            gain[r - lo, c] = -np.inf
        row_max = gain.max(axis=1)
        worst = max(worst, float(row_max.max()))
        # only the types with a violated pair are ranked (usually few once rounds settle)
        bad_rows = np.flatnonzero(row_max > tol)
        if bad_rows.size == 0:
            continue
        sub = gain[bad_rows]
        top = np.argpartition(sub, -k, axis=1)[:, -k:] if k < s else np.argsort(sub, axis=1)
        rows = np.repeat(bad_rows, top.shape[1])
        cols = top.ravel()
        g = sub[np.repeat(np.arange(bad_rows.size), top.shape[1]), cols]
        bad = g > tol
        out_s.append(rows[bad] + lo)
        out_p.append(cols[bad])
    empty = np.zeros(0, dtype=np.int64)
    return PairSearch(ss=np.concatenate(out_s) if out_s else empty,
                      sp=np.concatenate(out_p) if out_p else empty, worst=worst)


def nearest_pairs(points: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The seed rows: each support point towards its ``count`` l1-nearest other points (on a
    lattice in [0,1]^k, 2k of them are its axis neighbours), chunked; ties at the k-th distance
    are broken by the k-d tree's search (deterministic)."""
    s = points.shape[0]
    k = min(count, s - 1)
    if k <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    _, near = cKDTree(points).query(points, k=k + 1, p=1)
    near = np.asarray(near, dtype=np.int64).reshape(s, k + 1)
    ss = np.repeat(np.arange(s), k + 1)
    # a point's own index comes back among its nearest (distance 0) and is dropped; a point
    # with duplicates may lose another at distance 0 instead, hence the cap of k per point
    keep = near.ravel() != ss
    ss, sp = ss[keep], near.ravel()[keep]
    first = np.r_[True, ss[1:] != ss[:-1]]
    rank = np.arange(ss.size) - np.maximum.accumulate(np.where(first, np.arange(ss.size), 0))
    return ss[rank < k], sp[rank < k]
