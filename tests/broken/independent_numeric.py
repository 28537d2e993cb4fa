"""A correct implementation of the numerical parts, written from the paper, not from recmech.core.

- ``least_squares``: Householder QR written out (reflectors applied to B and Y), then back
  substitution; a ValueError for a block of lower numerical rank (the argmin is not unique);
- ``spectral_norm``: the square root of the largest eigenvalue of the smaller Gram matrix of M
  scaled by a power of two (no underflow for tiny norms);
- ``influence_matrix``: Definition 2 by grouping the support on x_{-i-j} with numpy, conditional
  laws of X_i for each value of X_j inside a group (positive-probability events only);
- ``value_queries``: bisection on each item's own interval [lo_j - eps, hi_j + eps] (so rows of
  small norm need fewer halvings than ||A||_inf + 2 eps would), never more than Thm. 2's count;
- ``bounds``: calculators for Lemma 3, Lemma 7 (both tails), Lemma 8, Lemma 9 and the noisy value
  query of Thm. 2, from the statements (printed values; the corrected ones where the paper's
  errata need them), with the same hypotheses.
"""

from __future__ import annotations

import math
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
from scipy import stats

from recmech.bounds.records import RecordBuilder

EPS = np.finfo(float).eps


def least_squares(B, Y) -> np.ndarray:  # noqa: N803
    R = np.array(B, dtype=float)
    Z = np.array(Y, dtype=float).reshape(R.shape[0], -1)
    rows, k = R.shape
    if rows < k:
        raise ValueError(f"B must have at least k = {k} rows; found {rows}")
    for col in range(k):
        x = R[col:, col]
        alpha = -math.copysign(np.linalg.norm(x), x[0] if x[0] != 0 else 1.0)
        v = x.copy()
        v[0] -= alpha
        norm_v = np.linalg.norm(v)
        if norm_v == 0:
            continue
        v /= norm_v
        R[col:, col:] -= 2.0 * np.outer(v, v @ R[col:, col:])
        Z[col:] -= 2.0 * np.outer(v, v @ Z[col:])
    diag = np.abs(np.diag(R[:k]))
    if diag.min() <= diag.max() * max(rows, k) * EPS:
        raise ValueError("B must have full column rank: the least-squares solution is not unique")
    out = np.zeros((k, Z.shape[1]))
    for i in range(k - 1, -1, -1):
        out[i] = (Z[i] - R[i, i + 1:k] @ out[i + 1:]) / R[i, i]
    return out.reshape(k) if np.ndim(Y) == 1 else out


def spectral_norm(M) -> float:  # noqa: N803
    M = np.asarray(M, dtype=float)
    if M.size == 0 or not np.any(M):
        return 0.0
    # scaled by a power of two first (exact): the Gram matrix of a matrix of norm 1e-300
    # underflows to zero, of norm 1e200 overflows
    shift = math.frexp(float(np.abs(M).max()))[1]
    M = np.ldexp(M, -shift)
    gram = M.T @ M if M.shape[1] <= M.shape[0] else M @ M.T
    return math.ldexp(math.sqrt(max(float(np.linalg.eigvalsh(gram)[-1]), 0.0)), shift)


def influence_matrix(law) -> np.ndarray:
    pts, probs = np.asarray(law.support, dtype=float), np.asarray(law.probs, dtype=float)
    d = pts.shape[1]
    out = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            if i == j:
                continue
            rest = [c for c in range(d) if c not in (i, j)]
            if rest:
                group = np.unique(pts[:, rest], axis=0, return_inverse=True)[1].reshape(-1)
            else:
                group = np.zeros(len(pts), dtype=np.int64)
            xi_values, xi = np.unique(pts[:, i], return_inverse=True)
            for g in np.unique(group):
                here = group == g
                xj_values, xj = np.unique(pts[here, j], return_inverse=True)
                if xj_values.size < 2:
                    continue
                table = np.zeros((xj_values.size, xi_values.size))
                np.add.at(table, (xj, xi[here].reshape(-1)), probs[here])
                table /= table.sum(axis=1, keepdims=True)
                tv = 0.5 * np.abs(table[:, None, :] - table[None, :, :]).sum(axis=2)
                out[i, j] = max(out[i, j], float(tv.max()))
    return out


def value_queries(oracle, items, rows, inf_norm, eps, eta) -> np.ndarray:
    items = np.asarray(items, dtype=np.int64).reshape(-1)
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    low = np.minimum(rows, 0).sum(axis=1) - eps
    high = np.maximum(rows, 0).sum(axis=1) + eps
    while True:
        open_ = (high - low) > 2 * eta
        if not open_.any():
            return 0.5 * (low + high)
        mid = 0.5 * (low[open_] + high[open_])
        yes = np.asarray(oracle.accepts_many(items[open_], mid), dtype=bool)
        low[open_] = np.where(yes, mid, low[open_])
        high[open_] = np.where(yes, high[open_], mid)


# -- calculators ---------------------------------------------------------------------------------

def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a real number; found {value!r}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be finite; found {value!r}")
    return float(value)


def _whole(name: str, value) -> int:
    x = _number(name, value)
    if x != int(x) or x < 0:
        raise ValueError(f"{name} must be a whole number >= 0; found {value!r}")
    return int(x)


def _exp(log_p: float) -> float:
    """A probability bound's value: min(1, e^log_p) (a record's probabilities lie in [0, 1];
    the log keeps the printed exponent)."""
    return math.exp(min(log_p, 0.0)) if log_p > -745 else 0.0


def lemma3(U):  # noqa: N803
    U = np.asarray(U, dtype=float)
    if U.ndim != 2 or U.shape[0] != U.shape[1] or U.size == 0 or not np.all(np.isfinite(U)):
        raise ValueError(f"U must be a finite square matrix; found shape {U.shape}")
    mag = np.abs(U)
    off_rows, off_cols = mag.sum(axis=1) - np.diag(mag), mag.sum(axis=0) - np.diag(mag)
    alpha = float(np.min(np.diag(mag) - off_rows))
    beta = float(np.min(np.diag(mag) - off_cols))
    b = RecordBuilder("lemma3", "Lemma 3", "||U^-1||_inf <= 1/alpha", {"U": U})
    b.require("diagonally_dominant_rows", "alpha > 0", alpha > 0)
    b.require("diagonally_dominant_columns", "beta > 0", beta > 0)
    if b.failed:
        return b.build()
    inv = np.linalg.solve(U, np.eye(U.shape[0]))
    return b.build(values={"alpha": alpha, "beta": beta, "inv_inf_bound": 1 / alpha,
                           "inv_t_inf_bound": 1 / beta,
                           "inv_inf_norm": float(np.abs(inv).sum(axis=1).max()),
                           "inv_t_inf_norm": float(np.abs(inv).sum(axis=0).max())})


def _tail(claim_id: str, trace_d, d_max, isotropic: bool, upper: bool):
    trace, top = _number("trace_d", trace_d), _number("d_max", d_max)
    b = RecordBuilder(claim_id, "Lemma 7", "Pr <= exp(-Tr/(c d_max))",
                      {"trace_d": trace, "d_max": top, "isotropic": bool(isotropic)})
    b.require("trace_positive", "Tr(D) > 0", trace > 0)
    b.require("d_max_range", "0 < d_max <= Tr(D)", 0 < top <= trace)
    if b.failed:
        return b.build()
    log_p = -trace / ((4 if upper else 8) * top)  # the printed exponents
    logs = {"failure_prob": log_p}
    if isotropic:
        n = round(trace / top)
        if abs(trace / top - n) > 1e-9 * max(1.0, trace / top):
            raise ValueError("isotropic needs Tr(D)/d_max to be a whole number")
        logs["exact_prob"] = float(stats.chi2.logsf(2 * n, n) if upper
                                   else stats.chi2.logcdf(n / 4, n))
    values = {"threshold": 2 * trace if upper else trace / 4, "failure_prob": _exp(log_p)}
    if not upper:
        return b.build(values=values, log_values=logs)
    fixed = -trace / (8 * top)  # the corrected exponent (the errata register)
    return b.build(values=values, log_values=logs,
                   corrected={"failure_prob": _exp(fixed), "log_failure_prob": fixed})


def lemma7_lower_tail(trace_d, d_max, isotropic=False):
    return _tail("lemma7.lower_tail", trace_d, d_max, isotropic, upper=False)


def lemma7_upper_tail(trace_d, d_max, isotropic=False):
    return _tail("lemma7.upper_tail", trace_d, d_max, isotropic, upper=True)


def lemma8(t, c, n, m, inf_norm=0.0):
    t, c, inf_v = _number("t", t), _number("c", c), _number("inf_norm", inf_norm)
    n, m = _whole("n", n), _whole("m", m)
    b = RecordBuilder("lemma8", "Lemma 8", "2 exp(-(1-||INF||) t^2/(16 c^4 n m))",
                      {"t": t, "c": c, "n": n, "m": m, "inf_norm": inf_v})
    b.require("t_nonnegative", "t >= 0", t >= 0)
    b.require("bounded_coordinates", "c > 0", c > 0)
    b.require("weak_dependence", "0 <= ||INF|| < 1", 0 <= inf_v < 1)
    b.require("dimensions", "n, m >= 1", n >= 1 and m >= 1)
    if b.failed:
        return b.build()
    log_p = math.log(2) - (1 - inf_v) * t**2 / (16 * c**4 * n * m)
    return b.build(values={"failure_prob": _exp(log_p), "vacuous": int(log_p >= 0)},
                   log_values={"failure_prob": log_p})


def lemma9(t, c, inf_norm=0.0):
    t, inf_v = _number("t", t), _number("inf_norm", inf_norm)
    cs = np.atleast_1d(np.asarray(c, dtype=float))
    if cs.ndim != 1 or cs.size == 0 or not np.all(np.isfinite(cs)):
        raise ValueError(f"c must be a non-empty finite vector; found {c!r}")
    total = float(np.dot(cs, cs))
    b = RecordBuilder("lemma9", "Lemma 9", "2 exp(-(1-||INF||) t^2 / sum c_i^2)",
                      {"t": t, "c": cs, "inf_norm": inf_v})
    b.require("t_nonnegative", "t >= 0", t >= 0)
    b.require("bounded_differences", "c_i >= 0, sum c_i^2 > 0", cs.min() >= 0 and total > 0)
    b.require("weak_dependence", "0 <= ||INF|| < 1", 0 <= inf_v < 1)
    if b.failed:
        return b.build()
    log_p = math.log(2) - (1 - inf_v) * t * t / total
    return b.build(values={"failure_prob": _exp(log_p), "vacuous": int(log_p >= 0)},
                   log_values={"failure_prob": log_p})


def theorem2_noisy_value(A_inf, eta, eps):  # noqa: N803
    A_inf, eta, eps = _number("A_inf", A_inf), _number("eta", eta), _number("eps", eps)
    b = RecordBuilder("theorem2.noisy_value", "proof of Thm. 2",
                      "log2 ||A|| + log2 1/eta + log2 1/eps", {"A_inf": A_inf, "eta": eta,
                                                             "eps": eps})
    b.require("A_inf_positive", "A_inf > 0", A_inf > 0)
    b.require("eta_positive", "eta > 0", eta > 0)
    b.require("eps_positive", "eps > 0", eps > 0)
    if b.failed:
        return b.build()
    stated = math.log2(A_inf) - math.log2(eta) - math.log2(eps)
    span, halvings = Fraction(A_inf) + 2 * Fraction(eps), 0
    while span > Fraction(eta) * 2 ** (halvings + 1):  # halvings until the interval <= 2 eta
        halvings += 1
    return b.build(values={"queries_stated": stated, "queries": max(0, math.ceil(stated))},
                   corrected={"queries_sufficient": halvings})


impl = SimpleNamespace(
    least_squares=least_squares, spectral_norm=spectral_norm, influence_matrix=influence_matrix,
    value_queries=value_queries,
    bounds={"lemma3": lemma3, "lemma7.lower_tail": lemma7_lower_tail,
            "lemma7.upper_tail": lemma7_upper_tail, "lemma8": lemma8, "lemma9": lemma9,
            "theorem2.noisy_value": theorem2_noisy_value})
