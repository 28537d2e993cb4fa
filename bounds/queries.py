"""Query-protocol bounds: Definition 3, the noisy value query of Thm. 2's proof, Thm. 2's first
bullet (deterministic structure) and Lemma 3 (Varah).

Query counts use base-2 logarithms: each yes/no price query halves the interval that holds the
value, so log2 is the number of halvings. Counts are whole numbers (rounded up, at least 0).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from recmech.bounds.inputs import array, inf_norm, integer, margins, real, square
from recmech.bounds.records import BoundRecord, RecordBuilder
from recmech.bounds.registry import register

__all__ = ["certified_delta", "definition3", "lemma3", "pinv_inf_norm",
           "printed_queries_per_value", "sufficient_queries_per_value", "theorem2_deterministic",
           "theorem2_noisy_value"]


def printed_queries_per_value(A_inf: float, eta: float, eps: float) -> tuple[float, int]:
    """Thm. 2 proof: log2 ||A||_inf + log2(1/eta) + log2(1/eps) as printed (a real number),
    and the whole count max(0, ceil(.)). Inputs must be > 0."""
    stated = math.log2(A_inf) - math.log2(eta) - math.log2(eps)
    return stated, max(0, math.ceil(stated))


def sufficient_queries_per_value(A_inf: float, eta: float, eps: float) -> int:
    """The exact number of bisection steps that a noisy value query needs.

    t_j lies within eps of e_j^T A z with z in [0, 1]^k, so t_j lies in a known interval of
    length at most ||A||_inf + 2 eps; after q halvings the midpoint of the remaining interval is
    within (||A||_inf + 2 eps) / 2^(q+1) of t_j. The count is the least q >= 0 with
    (||A||_inf + 2 eps) <= eta 2^(q+1), i.e. max(0, ceil(log2((||A||_inf + 2 eps) / (2 eta)))),
    computed in exact rational arithmetic so that powers of two are not rounded the wrong way.
    """
    length = Fraction(A_inf) + 2 * Fraction(eps)
    tol = Fraction(eta)
    q = max(0, math.floor(math.log2(float(length / (2 * tol)))) - 2) if length > 2 * tol else 0
    while length > tol * 2 ** (q + 1):
        q += 1
    return q


def pinv_inf_norm(pinv: np.ndarray) -> float | np.ndarray:
    """||P||_inf, the largest absolute row sum, of P = (B^T B)^{-1} B^T (k x l), or of each P in
    a batch (b, k, l) (then an array of b norms)."""
    return np.abs(np.asarray(pinv, dtype=float)).sum(axis=-1).max(axis=-1)


def certified_delta(pinv: np.ndarray, eps: float, eta: float = 0.0) -> float | np.ndarray:
    """Cai-Daskalakis EC'22, proof of Thm. 2: least squares on the queried block B = QA is an
    (eps, delta)-query protocol (Def. 3) with noise eta for delta = ||P||_inf (eps + eta),
    P = (B^T B)^{-1} B^T (the exact worst case over the eps-box and the noise). ``pinv`` is P,
    or a batch of them."""
    return pinv_inf_norm(pinv) * (eps + eta)


@register("definition3")
def definition3(block: np.ndarray, eps: float, eta: float = 0.0, *,
                strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Sec. 3, Def. 3, with the least-squares protocol of Thm. 2's proof.

    For the queried block B = QA (l x k, full column rank), least squares is an
    (eps, delta)-query protocol with noise eta for
    delta = ||(B^T B)^{-1} B^T||_inf (eps + eta), computed through the pseudo-inverse (stable;
    never by inverting B^T B).
    """
    B = array("block", block, ndim=2)
    eps, eta = real("eps", eps), real("eta", eta)
    rows, k = B.shape
    b = RecordBuilder("definition3", "Sec. 3, Def. 3; proof of Thm. 2",
                      "delta = ||(B^T B)^{-1} B^T||_inf (eps + eta)",
                      {"block": B, "eps": eps, "eta": eta}, strict)
    b.require("eps_nonnegative", "eps >= 0", eps >= 0, f"eps = {eps}")
    b.require("eta_nonnegative", "eta >= 0", eta >= 0, f"eta = {eta}")
    rank = int(np.linalg.matrix_rank(B)) if rows >= k else rows
    b.require("full_column_rank", "B = QA has full column rank k", rank == k,
              f"rank = {rank}, k = {k}, shape = {B.shape}")
    if b.failed:
        return b.build()
    pinv = np.linalg.pinv(B)
    factor = float(pinv_inf_norm(pinv))
    return b.build(values={"certified_delta": float(certified_delta(pinv, eps, eta)),
                           "pinv_inf_norm": factor,
                           "condition_number": float(np.linalg.cond(B))})


@register("theorem2.noisy_value")
def theorem2_noisy_value(A_inf: float, eta: float, eps: float, *,
                         strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, proof of Thm. 2 (simulating one noisy value query).

    Printed: log||A||_inf + log(1/eta) + log(1/eps) price queries (base 2 here).
    Corrected: max(0, ceil(log2((||A||_inf + 2 eps) / (2 eta)))) queries suffice and are needed
    by bisection on the value interval (see ``sufficient_queries_per_value``). An erratum is
    recorded where the printed count is smaller, e.g. eps >= 1.
    """
    A_inf, eta, eps = real("A_inf", A_inf), real("eta", eta), real("eps", eps)
    b = RecordBuilder("theorem2.noisy_value", "proof of Thm. 2",
                      "queries = log2 ||A||_inf + log2(1/eta) + log2(1/eps)",
                      {"A_inf": A_inf, "eta": eta, "eps": eps}, strict)
    b.require("A_inf_positive", "||A||_inf > 0", A_inf > 0, f"A_inf = {A_inf}")
    b.require("eta_positive", "eta > 0", eta > 0, f"eta = {eta}")
    b.require("eps_positive", "eps > 0", eps > 0, f"eps = {eps}")
    if b.failed:
        return b.build()
    stated, count = printed_queries_per_value(A_inf, eta, eps)
    needed = sufficient_queries_per_value(A_inf, eta, eps)
    erratum = None
    if count < needed:
        erratum = (f"printed count {stated:.4g} -> {count} queries is too few: bisection over "
                   f"an interval of length ||A||_inf + 2 eps needs {needed}")
    return b.build(values={"queries_stated": stated, "queries": count},
                   corrected={"queries_sufficient": needed}, erratum=erratum,
                   notes="log base 2: each yes/no price query halves the value interval.")


@register("theorem2.deterministic")
def theorem2_deterministic(C: np.ndarray, A_inf: float, eps: float, eta: float | None = None,
                           N: int | None = None, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Thm. 2, first bullet (deterministic structure).

    A^T = [C^T H^T] Pi with C (k x k) diagonally dominant by rows (margin alpha) and columns
    (margin beta): an (eps, delta)-query protocol with, as printed,
    delta = 2 (eps + eta) max_j C_jj / (alpha beta)   (= 4 max_j C_jj / (alpha beta) eps, eta = eps)
    and k (log2 ||A||_inf + log2(1/eta) + log2(1/eps)) queries (eta defaults to eps).
    Corrected: max_j |C_jj| in place of max_j C_jj (C = [[-1]] gives delta = -4 eps as printed),
    and the sufficient bisection count per item. ``delta_certified`` = ||C^{-1}||_inf (eps+eta)
    is the least-squares protocol's exact worst case. With ``N`` the naive count N x per-item is
    given for comparison.
    """
    Cm = square("C", C)
    A_inf, eps = real("A_inf", A_inf), real("eps", eps)
    eta_v = eps if eta is None else real("eta", eta)
    N_v = None if N is None else integer("N", N)
    k = Cm.shape[0]
    alpha, beta = margins(Cm)
    c_norm = inf_norm(Cm)
    params = {"C": Cm, "A_inf": A_inf, "eps": eps, "eta": eta_v}
    if N_v is not None:
        params["N"] = N_v
    b = RecordBuilder("theorem2.deterministic", "Thm. 2, first bullet",
                      "delta = 2 (eps + eta) max_j C_jj / (alpha beta); "
                      "queries = k (log2 ||A||_inf + log2(1/eta) + log2(1/eps))", params, strict)
    b.require("diagonally_dominant_rows", "alpha = min_i(|C_ii| - sum_{j!=i}|C_ij|) > 0",
              alpha > 0, f"alpha = {alpha}")
    b.require("diagonally_dominant_columns", "beta = min_j(|C_jj| - sum_{i!=j}|C_ij|) > 0",
              beta > 0, f"beta = {beta}")
    b.require("eps_positive", "eps > 0", eps > 0, f"eps = {eps}")
    b.require("eta_positive", "eta > 0", eta_v > 0, f"eta = {eta_v}")
    b.require("A_inf_covers_C", "||A||_inf >= ||C||_inf > 0 (C's rows are rows of A)",
              A_inf >= c_norm > 0, f"A_inf = {A_inf}, ||C||_inf = {c_norm}")
    if N_v is not None:
        b.require("items_cover_C", "N >= k", N_v >= k, f"N = {N_v}, k = {k}")
    if b.failed:
        return b.build()
    diag = np.diag(Cm)
    max_c, max_abs = float(diag.max()), float(np.abs(diag).max())
    scale = (eps + eta_v) / (alpha * beta)
    stated, per_item = printed_queries_per_value(A_inf, eta_v, eps)
    needed = sufficient_queries_per_value(A_inf, eta_v, eps)
    values = {"alpha": alpha, "beta": beta, "delta": 2 * max_c * scale,
              "queries_per_item": per_item, "queries": k * per_item,
              "delta_certified": inf_norm(np.linalg.inv(Cm)) * (eps + eta_v)}
    if N_v is not None:
        values["naive_queries"] = N_v * per_item
    problems = []
    if max_c < max_abs:
        problems.append(f"max_j C_jj = {max_c:.4g} < max_j |C_jj| = {max_abs:.4g} makes the "
                        "printed delta too small (negative diagonal)")
    if per_item < needed:
        problems.append(f"{per_item} queries per item < {needed} needed by bisection")
    return b.build(values=values,
                   corrected={"delta": 2 * max_abs * scale, "queries_per_item": needed,
                              "queries": k * needed},
                   erratum="; ".join(problems) or None,
                   notes=f"printed per-item count log2 form = {stated:.6g}; log base 2.")


@register("lemma3")
def lemma3(U: np.ndarray, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Lemma 3 (Varah 1975, Thm. 1 and Cor. 1).

    U diagonally dominant by rows with margin alpha and by columns with margin beta:
    ||U^{-1}||_inf <= 1/alpha and ||(U^T)^{-1}||_inf <= 1/beta. The observed norms are
    given as ``inv_inf_norm`` and ``inv_t_inf_norm``.
    """
    Um = square("U", U)
    alpha, beta = margins(Um)
    b = RecordBuilder("lemma3", "Lemma 3 (Varah)",
                      "||U^{-1}||_inf <= 1/alpha; ||(U^T)^{-1}||_inf <= 1/beta", {"U": Um}, strict)
    b.require("diagonally_dominant_rows", "alpha = min_i(|U_ii| - sum_{j!=i}|U_ij|) > 0",
              alpha > 0, f"alpha = {alpha}")
    b.require("diagonally_dominant_columns", "beta = min_j(|U_jj| - sum_{i!=j}|U_ij|) > 0",
              beta > 0, f"beta = {beta}")
    if b.failed:
        return b.build()
    inv = np.linalg.inv(Um)
    return b.build(values={"alpha": alpha, "beta": beta, "inv_inf_bound": 1 / alpha,
                           "inv_t_inf_bound": 1 / beta, "inv_inf_norm": inf_norm(inv),
                           "inv_t_inf_norm": inf_norm(inv.T)})
