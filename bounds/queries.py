"""Query-protocol bounds: Definition 3, the noisy value query of Thm. 2's proof, Thm. 2's first
bullet (deterministic structure) and Lemma 3 (Varah).

Query counts use base-2 logarithms: each yes/no price query halves the interval that holds the
value, so log2 is the number of halvings. definition: Counts are whole numbers (rounded up, at least
0), the sufficient ones computed in exact rational arithmetic. Norms of inverses and pseudo-inverses
carry a-posteriori rounding bounds (``recmech.bounds.rounding``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

from recmech.bounds.edges import inf_norm_at_most, margins_positive
from recmech.bounds.inputs import (
    array,
    dims,
    inf_norm,
    margins,
    optional_integer,
    real,
    square,
)
from recmech.bounds.logspace import PREC, ceil_log2, mp, to_float
from recmech.bounds.records import BoundRecord, Order, RecordBuilder
from recmech.bounds.registry import register
from recmech.bounds.rounding import (
    certify_pinv,
    certify_scaled,
    gamma,
    least_squares_delta,
    pinv_certificate,
    round_up,
)

__all__ = ["certified_delta", "definition3", "inverse_norm_bounds", "lemma3", "pinv_inf_norm",
           "printed_queries_per_value", "sufficient_queries_per_value", "theorem2_deterministic",
           "theorem2_noisy_value"]


def _positive(name: str, value) -> float:
    x = real(name, value)
    if not x > 0:
        raise ValueError(f"{name} must be > 0; found {x}")
    return x


def printed_queries_per_value(A_inf: float, eta: float, eps: float) -> tuple[float, int]:
    """Thm. 2 proof: log2 ||A||_inf + log2(1/eta) + log2(1/eps) as printed (a real number),
    and the whole count max(0, ceil(.)), decided exactly: the least q >= 0 with
    ||A||_inf / (eta eps) <= 2^q (the float sum of the logs may round onto a whole number:
    A_inf = 1, eta = 1 - 2^-53, eps = 1/4 - 2^-55 gave 2 for ceil(2.0000000000000004)) (claim:
    theorem2.noisy_value, project.noisy_value_count). definition: Inputs must be finite floats > 0
    (each log2 is then within [-1075, 1024], so nothing overflows)."""
    A_inf, eta, eps = (_positive(name, v) for name, v in (("A_inf", A_inf), ("eta", eta),
                                                          ("eps", eps)))
    stated = math.log2(A_inf) - math.log2(eta) - math.log2(eps)
    return stated, ceil_log2(Fraction(A_inf) / (Fraction(eta) * Fraction(eps)))


def sufficient_queries_per_value(A_inf: float, eta: float, eps: float) -> int:
    """The exact number of bisection steps that a noisy value query needs.

    t_j lies within eps of e_j^T A z with z in [0, 1]^k, so t_j lies in a known interval of
    length at most ||A||_inf + 2 eps; after q halvings the midpoint of the remaining interval is
    within (||A||_inf + 2 eps) / 2^(q+1) of t_j (claim: project.search_interval). The count is the
    least q >= 0 with (||A||_inf + 2 eps) <= eta 2^(q+1), i.e. max(0, ceil(log2((||A||_inf + 2 eps)
    / (2 eta)))), computed in exact rational arithmetic (``ceil_log2``): powers of two are not
    rounded the wrong way, and 1 / 5e-324 does not overflow (claim: project.noisy_value_count).
    """
    A_inf, eta, eps = (_positive(name, v) for name, v in (("A_inf", A_inf), ("eta", eta),
                                                          ("eps", eps)))
    return ceil_log2((Fraction(A_inf) + 2 * Fraction(eps)) / (2 * Fraction(eta)))


def pinv_inf_norm(pinv: np.ndarray) -> float | np.ndarray:
    """||P||_inf, the largest absolute row sum, of P = (B^T B)^{-1} B^T (k x l), or of each P in
    a batch (b, k, l) (then an array of b norms)."""
    ndim = dims("pinv", pinv)
    arr = array("pinv", pinv, ndim=3 if ndim == 3 else 2)
    with np.errstate(over="ignore"):
        out = np.abs(arr).sum(axis=-1).max(axis=-1)
    if not np.all(np.isfinite(out)):
        raise ValueError("pinv: a row's l1 norm exceeds float64")
    return out


def certified_delta(pinv: np.ndarray, eps: float, eta: float = 0.0, *,
                    block: np.ndarray | None = None) -> float | np.ndarray:
    """Cai-Daskalakis EC'22, proof of Thm. 2: least squares on the queried block B = QA is an
    (eps, delta)-query protocol (Def. 3) with noise eta for delta = ||P||_inf (eps + eta),
    P = (B^T B)^{-1} B^T (the exact worst case over the eps-box and the noise).

    Without ``block``: ||X||_inf (eps + eta) for the given pseudo-inverse X = ``pinv`` (or a
    batch of them): the exact-arithmetic value, what the ex-ante rate checks compare.

    With ``block`` (B, l x k; one block): an upper bound on ||z - fl(X y)||_inf, the error of
    least squares as run in float64, for every z in [0, 1]^k and every float vector y with
    ||y - Bz||_inf <= eps + eta + r (claim: project.certified_protocol). It accounts for the
    rounding of the pseudo-inverse and of the arithmetic (``recmech.bounds.rounding``: p >=
    ||P||_inf, d >= ||X - P||_inf from the residuals of X, u = 2^-53, gamma_n = n u/(1 - n u))
    (claim: project.certified_protocol):

        T = ||B||_inf + eps + eta                  (a bound on |t_j| = |(Bz)_j + noise|)
        r = (gamma_k + 4u) T                       (t_j and y_j are float64 numbers: the
                                                    type's own rounding and two ulps of the
                                                    value query's float resolution)
        Y = T + r                                  (a bound on ||y||_inf)
        delta = p (eps + eta + r) + d Y + gamma_l ||X||_inf Y,

    from z_hat - z = [fl(Xy) - Xy] + (X - P) y + P (y - Bz) (clipping to [0, 1] only helps),
    rounded up to a float. So a protocol whose noise is below float resolution (eps = 1e-17,
    z near 1: the value query cannot be closer than an ulp, observed error 1.1e-16) is judged
    against a bound that covers it. definition: ValueError when X does not certify (residual >= 1).
    """
    eps, eta = real("eps", eps), real("eta", eta)
    if block is None:
        return pinv_inf_norm(pinv) * (eps + eta)
    cert = certify_pinv(pinv, np.asarray(block, dtype=float), "block")
    return round_up("certified_delta", least_squares_delta(cert, eps, eta),
                    " (eps + eta or the block's scale too large)")


def inverse_norm_bounds(U: np.ndarray, name: str = "U") -> dict[str, mpmath.mpf]:
    """||U^{-1}||_inf and ||U^{-T}||_inf of a regular square U, computed from a float inverse,
    with rigorous a-posteriori error bounds (``recmech.bounds.rounding``), as exact mpf numbers
    (no overflow: ||[[5e-309]]^{-1}|| = 2e308 is fine): ``inv_inf_norm``, ``inv_t_inf_norm``
    (the computed norms), ``inv_inf_err``, ``inv_t_inf_err`` (each true norm is within that of
    the computed one), ``inv_inf_upper``, ``inv_t_inf_upper`` (>= the true norms) (claim: lemma3).
    ValueError naming U when no float inverse certifies (U numerically singular or too badly
    scaled)."""
    U = square(name, U)
    out = {}
    n = U.shape[0]
    inv, direct = pinv_certificate(U, name, invert=True)  # inv: the inverse of 2^shift U
    Us = np.ldexp(U, direct.shift)  # exact: the certificate found this scale exact
    transposed = certify_scaled(inv.T, Us.T, direct.shift, name)  # (U^T)^{-1} = (U^{-1})^T
    for key, X, cert in (("inv_inf", inv, direct), ("inv_t_inf", inv.T, transposed)):
        with mpmath.workprec(PREC):
            scale = mpmath.ldexp(1, cert.shift)  # M^{-1} = 2^shift (2^shift M)^{-1}
            row = mp(float(np.abs(X).sum(axis=1).max())) * scale
            # |true norm - computed norm| <= ||X - M^{-1}|| + the computed row sum's rounding
            # (claim: lemma3)
            out[f"{key}_norm"] = row
            out[f"{key}_err"] = cert.distance + gamma(n) * cert.x_norm + abs(cert.x_norm - row)
            out[f"{key}_upper"] = cert.p_norm
    return out


@register("definition3")
def definition3(block: np.ndarray, eps: float, eta: float = 0.0, *,
                strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Sec. 3, Def. 3, with the least-squares protocol of Thm. 2's proof.

    For the queried block B = QA (l x k, full column rank), least squares is an
    (eps, delta)-query protocol with noise eta for
    delta = ||(B^T B)^{-1} B^T||_inf (eps + eta), computed through the pseudo-inverse (stable;
    never by inverting B^T B). ``certified_delta`` is that delta plus the rounding of the
    pseudo-inverse and of least squares run in float64 (the formula of ``certified_delta``):
    an upper bound on the error the protocol can show, even when eps is below float resolution.
    """
    B = array("block", block, ndim=2)
    eps, eta = real("eps", eps), real("eta", eta)
    rows, k = B.shape
    b = RecordBuilder("definition3", "Sec. 3, Def. 3; proof of Thm. 2",
                      "delta = ||(B^T B)^{-1} B^T||_inf (eps + eta)",
                      {"block": B, "eps": eps, "eta": eta}, strict)
    b.require("eps_nonnegative", "eps >= 0", eps >= 0, f"eps = {eps}")
    b.require("eta_nonnegative", "eta >= 0", eta >= 0, f"eta = {eta}")
    top = float(np.abs(B).max())
    unit = np.ldexp(B, -math.frexp(top)[1]) if top > 0 else B  # scale-free rank and condition
    try:
        with np.errstate(all="ignore"):
            sv = np.linalg.svd(unit, compute_uv=False) if top > 0 else np.zeros(min(rows, k))
    except np.linalg.LinAlgError as exc:
        raise ValueError(f"block: its singular values could not be computed ({exc})") from None
    # numpy's matrix_rank rule: singular values above max(l, k) eps sigma_max count
    rank = int(np.sum(sv > sv.max(initial=0.0) * max(rows, k) * np.finfo(float).eps))
    rank = rank if rows >= k else min(rank, rows)
    b.require("full_column_rank", "B = QA has full column rank k", rank == k,
              f"rank = {rank}, k = {k}, shape = {B.shape}")
    if b.failed:
        return b.build()
    try:
        _, cert = pinv_certificate(B)
    except ValueError as exc:
        b.require("full_column_rank_certified", "the computed pseudo-inverse P certifies "
                  "||P||_inf (residual ||I - PB||_inf < 1)", False, str(exc))
        return b.build()
    why = " (the block's scale or eps + eta too large)"
    with mpmath.workprec(PREC):
        values = {"certified_delta": round_up("definition3: certified_delta",
                                              least_squares_delta(cert, eps, eta), why),
                  "pinv_inf_norm": to_float("definition3: pinv_inf_norm", cert.x_norm,
                                            " (the block is too small in scale)"),
                  "condition_number": to_float("definition3: condition_number",
                                               mp(float(sv[0])) / mp(float(sv[-1])),
                                               " (numerically singular)")}
    return b.build(values=values)


@register("theorem2.noisy_value")
def theorem2_noisy_value(A_inf: float, eta: float, eps: float, *,
                         strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, proof of Thm. 2 (simulating one noisy value query).

    Printed: log||A||_inf + log(1/eta) + log(1/eps) price queries (base 2 here).
    Corrected: max(0, ceil(log2((||A||_inf + 2 eps) / (2 eta)))) queries suffice and are needed
    by bisection on the value interval (see ``sufficient_queries_per_value``). An erratum is
    recorded where the printed count is smaller, e.g. eps >= 1 (claim: theorem2.noisy_value).
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
    and the sufficient bisection count per item. ``delta_certified`` >= ||C^{-1}||_inf (eps+eta),
    the least-squares protocol's exact worst case (a rigorous upper bound from the float
    inverse); the record asserts corrected delta >= delta_certified (Lemma 3 and
    ||C^T||_inf <= 2 max_j |C_jj|) (claim: theorem2.deterministic). Every product is formed in
    mpmath (C = [[1e308]]: alpha beta = 1e616 is no overflow). With ``N`` the naive count N x
    per-item is given for comparison.
    """
    Cm = square("C", C)
    A_inf, eps = real("A_inf", A_inf), real("eps", eps)
    eta_v = eps if eta is None else real("eta", eta)
    N_v = optional_integer("N", N)
    k = Cm.shape[0]
    alpha, beta = margins(Cm)
    c_norm = inf_norm(Cm)
    params = {"C": Cm, "A_inf": A_inf, "eps": eps, "eta": eta_v}
    if N_v is not None:
        params["N"] = N_v
    b = RecordBuilder("theorem2.deterministic", "Thm. 2, first bullet",
                      "delta = 2 (eps + eta) max_j C_jj / (alpha beta); "
                      "queries = k (log2 ||A||_inf + log2(1/eta) + log2(1/eps))", params, strict)
    rows_ok, cols_ok = margins_positive(Cm, alpha, beta)  # the signs decided exactly
    b.require("diagonally_dominant_rows", "alpha = min_i(|C_ii| - sum_{j!=i}|C_ij|) > 0",
              rows_ok and alpha > 0, f"alpha = {alpha}")
    b.require("diagonally_dominant_columns", "beta = min_j(|C_jj| - sum_{i!=j}|C_ij|) > 0",
              cols_ok and beta > 0, f"beta = {beta}")
    b.require("eps_positive", "eps > 0", eps > 0, f"eps = {eps}")
    b.require("eta_positive", "eta > 0", eta_v > 0, f"eta = {eta_v}")
    b.require("A_inf_covers_C", "||A||_inf >= ||C||_inf > 0 (C's rows are rows of A)",
              c_norm > 0 and inf_norm_at_most(Cm, A_inf, c_norm),
              f"A_inf = {A_inf!r}, ||C||_inf = {c_norm!r}")
    if N_v is not None:
        b.require("items_cover_C", "N >= k", N_v >= k, f"N = {N_v}, k = {k}")
    if b.failed:
        return b.build()
    diag = np.diag(Cm)
    max_c, max_abs = float(diag.max()), float(np.abs(diag).max())
    stated, per_item = printed_queries_per_value(A_inf, eta_v, eps)
    needed = sufficient_queries_per_value(A_inf, eta_v, eps)
    why = " (eps + eta too large for alpha beta)"
    with mpmath.workprec(PREC):
        scale = (mp(eps) + mp(eta_v)) / (mp(alpha) * mp(beta))
        delta = to_float("theorem2.deterministic: delta", 2 * mp(max_c) * scale, why)
        corrected_delta = to_float("theorem2.deterministic: corrected delta",
                                   2 * mp(max_abs) * scale, why)
        inverse = inverse_norm_bounds(Cm, "C")
        certified = round_up("theorem2.deterministic: delta_certified",
                             inverse["inv_inf_upper"] * (mp(eps) + mp(eta_v)), why)
    values = {"alpha": alpha, "beta": beta, "delta": delta,
              "queries_per_item": per_item, "queries": k * per_item,
              "delta_certified": certified}
    if N_v is not None:
        values["naive_queries"] = N_v * per_item
    problems = []
    if max_c < max_abs:
        problems.append(f"max_j C_jj = {max_c:.4g} < max_j |C_jj| = {max_abs:.4g} makes the "
                        "printed delta too small (negative diagonal)")
    if per_item < needed:
        problems.append(f"{per_item} queries per item < {needed} needed by bisection")
    return b.build(values=values,
                   corrected={"delta": corrected_delta, "queries_per_item": needed,
                              "queries": k * needed},
                   erratum="; ".join(problems) or None,
                   notes=f"printed per-item count log2 form = {stated:.6g}; log base 2.",
                   orders=(Order(bound="corrected.delta", bounded="values.delta_certified",
                                 why="Lemma 3 and ||C^T||_inf <= 2 max_j |C_jj| (a factor 2 "
                                 "to spare)"),))


@register("lemma3")
def lemma3(U: np.ndarray, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Lemma 3 (Varah 1975, Thm. 1 and Cor. 1).

    U diagonally dominant by rows with margin alpha and by columns with margin beta:
    ||U^{-1}||_inf <= 1/alpha and ||(U^T)^{-1}||_inf <= 1/beta (claim: lemma3). The observed norms
    are given as ``inv_inf_norm`` and ``inv_t_inf_norm`` (from a float inverse; the record asserts
    each bound is above its norm up to the norm's certified rounding and 2 ulps of 1/alpha).
    Margins are correctly rounded sums and the inverse is taken of U scaled by a power of two,
    so U = [[1e308]] gives 1/alpha = 1e-308 >= the norm, not 0.0 (claim: lemma3).
    """
    Um = square("U", U)
    alpha, beta = margins(Um)
    b = RecordBuilder("lemma3", "Lemma 3 (Varah)",
                      "||U^{-1}||_inf <= 1/alpha; ||(U^T)^{-1}||_inf <= 1/beta", {"U": Um}, strict)
    rows_ok, cols_ok = margins_positive(Um, alpha, beta)  # the signs decided exactly
    b.require("diagonally_dominant_rows", "alpha = min_i(|U_ii| - sum_{j!=i}|U_ij|) > 0",
              rows_ok and alpha > 0, f"alpha = {alpha}")
    b.require("diagonally_dominant_columns", "beta = min_j(|U_jj| - sum_{i!=j}|U_ij|) > 0",
              cols_ok and beta > 0, f"beta = {beta}")
    if b.failed:
        return b.build()
    why = " (the margin is below 1 / 1.8e308)"
    with mpmath.workprec(PREC):
        row_bound = to_float("lemma3: inv_inf_bound", 1 / mp(alpha), why)
        col_bound = to_float("lemma3: inv_t_inf_bound", 1 / mp(beta), why)
    norms = inverse_norm_bounds(Um)
    why = " (U is too ill-conditioned or badly scaled for float64)"
    with mpmath.workprec(PREC):
        observed = {key: to_float(f"lemma3: {key}_norm (U)", norms[f"{key}_norm"], why)
                    for key in ("inv_inf", "inv_t_inf")}
        errors = {key: round_up(f"lemma3: {key} error (U)", norms[f"{key}_err"], why)
                  for key in ("inv_inf", "inv_t_inf")}
    tiny = 4 * 2.0**-1074
    orders = tuple(
        Order(bound=f"values.{bound}", bounded=f"values.{key}_norm",
              tol=errors[key] + 4 * 2.0**-53 * value + tiny, why="Lemma 3 (Varah)")
        for bound, key, value in (("inv_inf_bound", "inv_inf", row_bound),
                                  ("inv_t_inf_bound", "inv_t_inf", col_bound)))
    return b.build(values={"alpha": alpha, "beta": beta, "inv_inf_bound": row_bound,
                           "inv_t_inf_bound": col_bound, "inv_inf_norm": observed["inv_inf"],
                           "inv_t_inf_norm": observed["inv_t_inf"]},
                   orders=orders)
