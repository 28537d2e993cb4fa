"""Ex-ante bounds of Thm. 2 (second and third bullets) and Remark 4.

Failure probabilities are carried as natural logs in ``log_values`` (the float in ``values`` may
underflow to 0.0 for large k; the log never does); every formula is evaluated in mpmath so that
no intermediate overflows (c^4, sum v_i^2 squared, |S| k / Tr) and only a result beyond float64
is an error, by name. Query counts use base 2 (see ``recmech.bounds.queries``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

from recmech.bounds.edges import exact, exact_sum, exceeds_sqrt, sign
from recmech.bounds.inputs import array, dims, integer, optional_integer, real
from recmech.bounds.logspace import PREC, mp, prob, to_float
from recmech.bounds.queries import printed_queries_per_value, sufficient_queries_per_value
from recmech.bounds.records import BoundRecord, RecordBuilder
from recmech.bounds.registry import register

__all__ = ["exact_sqrt", "gaussian_exponent", "remark4", "spectrum", "theorem2_gaussian",
           "theorem2_weak_dependence", "weak_exponent", "weak_variance_threshold"]

_LOG2 = math.log(2.0)
_FLOAT_MAX = float(np.finfo(float).max)


def spectrum(Sigma_S: np.ndarray | list) -> tuple[int, float, float]:
    """(|S|, Tr Sigma_S, rho(Sigma_S)) of a symmetric PSD matrix, or of a diagonal covariance
    given by its 1-D diagonal (the eigenvalues). Computed on Sigma_S / 2^e (exact) so entries
    near 1.8e308 do not overflow the eigen-solver; a trace beyond float64 is a ValueError."""
    arr = array("Sigma_S", Sigma_S, ndim=1 if dims("Sigma_S", Sigma_S) == 1 else 2)
    top = float(np.abs(arr).max())
    exponent = math.frexp(top)[1] if top > 0 else 0
    unit = np.ldexp(arr, -exponent)  # largest |entry| in [1/2, 1); subnormal bits may drop
    if arr.ndim == 1:
        if unit.min() < 0:
            raise ValueError(f"Sigma_S must be positive semidefinite; found a negative "
                             f"diagonal entry {arr.min()}")
        size, tr, top = arr.size, math.fsum(unit), float(unit.max())
    else:
        if arr.shape[0] != arr.shape[1]:
            raise ValueError(f"Sigma_S must be square; found shape {arr.shape}")
        if not np.allclose(unit, unit.T, rtol=0.0, atol=1e-12):
            raise ValueError("Sigma_S must be symmetric (a covariance matrix)")
        try:
            eig = np.linalg.eigvalsh(unit)
        except np.linalg.LinAlgError as exc:
            raise ValueError(f"Sigma_S: its eigenvalues could not be computed ({exc})") from None
        if eig.min() < -1e-10:
            raise ValueError(f"Sigma_S must be positive semidefinite; found eigenvalue "
                             f"{math.ldexp(float(eig.min()), exponent)}")
        size, tr, top = arr.shape[0], math.fsum(np.diag(unit)), float(eig.max())
    with mpmath.workprec(PREC):
        trace = to_float("Sigma_S: its trace", mpmath.ldexp(mp(tr), exponent))
        rho = to_float("Sigma_S: its largest eigenvalue", mpmath.ldexp(mp(top), exponent))
    return size, trace, rho


def effective_rank_exceeds(Sigma_S: np.ndarray | list, bound: int) -> bool:
    """Tr(Sigma_S) > bound rho(Sigma_S) (Thm. 2, second bullet, strict), decided exactly (claim:
    theorem2.gaussian).

    The trace is the exact sum of the diagonal; rho is the exact largest entry of a diagonal
    covariance (1-D, or 2-D with a zero off-diagonal), else the computed largest eigenvalue
    raised by a backward-error bound (n^2 2^-50 ||Sigma_S||_F, far above LAPACK's p(n) u
    ||Sigma_S||_2), so a case within the eigen-solver's rounding of the edge is not established
    and fails, as the strict edge itself does."""
    arr = array("Sigma_S", Sigma_S, ndim=1 if dims("Sigma_S", Sigma_S) == 1 else 2)
    diag = arr if arr.ndim == 1 else np.diag(arr)
    trace = exact_sum(diag)
    if arr.ndim == 1 or not np.any(arr - np.diag(diag)):
        rho = exact(float(diag.max()))
    else:
        _, _, rho_f = spectrum(arr)
        top = float(np.abs(arr).max())
        frob = top * float(np.linalg.norm(arr / top))
        rho = exact(rho_f) + exact(arr.shape[0] ** 2 * 2.0**-50 * frob * (1 + 2.0**-40))
    return bool(rho > 0 and trace > bound * rho)


def exact_sqrt(n: int) -> int | float:
    """sqrt(n): an int when n is a perfect square (exact, so rational edge cases stay exact),
    else the float square root."""
    n = integer("n", n)
    root = math.isqrt(n)
    return root if root * root == n else math.sqrt(n)


def _exactly(name: str, value):
    """A number for the exact formulas: a Fraction or a finite mpf as given, an int within
    float64 as given (exact), anything else as a float64 through the gate."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, mpmath.mpf):
        return value if mpmath.isfinite(value) else real(name, value)
    out = real(name, value)
    return int(value) if isinstance(value, (int, np.integer)) and not isinstance(
        value, (bool, np.bool_)) else out


def gaussian_exponent(trace, rho):
    """Thm. 2, second bullet: the failure probability is 2 exp(-Tr(Sigma_S) / (16 rho(Sigma_S)));
    this is the exponent Tr / (16 rho) (exact for Fraction inputs)."""
    trace, rho = _exactly("trace", trace), _exactly("rho", rho)
    if not rho > 0:
        raise ValueError(f"rho must be > 0; found {rho}")
    return trace / (16 * rho)


def weak_variance_threshold(c, k: int, size: int, inf_norm):
    """Thm. 2, third bullet: the hypothesis sum_S v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF||); this is
    its right-hand side (exact for Fraction inputs and a square |S|) (claim:
    theorem2.weak_dependence)."""
    c, inf_norm = _exactly("c", c), _exactly("inf_norm", inf_norm)
    k, size = integer("k", k), integer("size", size)
    if not inf_norm < 1:
        raise ValueError(f"inf_norm must be < 1; found {inf_norm}")
    return 16 * c * c * k * exact_sqrt(size) / (1 - inf_norm)


def weak_exponent(sum_variances, c, k: int, size: int, inf_norm):
    """Thm. 2, third bullet: the failure probability is 2 exp(-(1 - ||INF||) (sum v_i^2)^2 /
    (64 c^4 k |S|)); this is the exponent (exact for Fraction inputs)."""
    sum_variances, c = _exactly("sum_variances", sum_variances), _exactly("c", c)
    inf_norm, k, size = _exactly("inf_norm", inf_norm), integer("k", k), integer("size", size)
    if not (c != 0 and k > 0 and size > 0):
        raise ValueError(f"c, k and size must be nonzero; found c = {c}, k = {k}, size = {size}")
    return (1 - inf_norm) * sum_variances**2 / (64 * c**4 * k * size)


def _query_values(size: int, A_inf: float, eps: float, eta: float,
                  N: int | None) -> tuple[dict, dict]:
    _, per_item = printed_queries_per_value(A_inf, eta, eps)
    needed = sufficient_queries_per_value(A_inf, eta, eps)
    values = {"queries_per_item": per_item, "queries": size * per_item}
    if N is not None:
        values["naive_queries"] = N * per_item
    return values, {"queries_per_item": needed, "queries": size * needed}


def _delta(claim: str, size: int, k: int, total: mpmath.mpf, eps: float, eta: float) -> float:
    """32 sqrt(|S| k / total) (eps + eta) (= 64 sqrt(|S| k)/sqrt(total) eps at eta = eps)."""
    return to_float(f"{claim}: delta", 32 * mpmath.sqrt(size * mp(k) / total) * (mp(eps) + mp(eta)),
                    " (|S| k / total variance too large for eps)")


def _require_protocol_scale(b, eps: float, eta: float, A_inf: float, N: int | None,
                            size: int) -> None:
    """definition: The hypotheses both ex-ante settings of Thm. 2 share: accuracies, scale, |S| <=
    N."""
    b.require("eps_positive", "eps > 0", eps > 0, f"eps = {eps}")
    b.require("eta_positive", "eta > 0", eta > 0, f"eta = {eta}")
    b.require("A_inf_positive", "||A||_inf > 0", A_inf > 0, f"A_inf = {A_inf}")
    if N is not None:
        b.require("items_cover_S", "N >= |S|", N >= size, f"N = {N}, |S| = {size}")


@register("theorem2.gaussian")
def theorem2_gaussian(Sigma_S: np.ndarray, k: int, eps: float, A_inf: float,
                      eta: float | None = None, N: int | None = None, *,
                      strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Thm. 2, second bullet (Gaussian archetypes).

    Archetypes iid N(0, Sigma); for S with Tr(Sigma_S)/rho(Sigma_S) > 64k, with probability
    >= 1 - 2 exp(-Tr(Sigma_S)/(16 rho(Sigma_S))) an (eps, delta)-query protocol with
    delta = 64 sqrt(|S| k) / sqrt(Tr Sigma_S) * eps  (= 32 sqrt(|S| k)/sqrt(Tr) (eps + eta))
    using |S| (log2 ||A||_inf + log2(1/eta) + log2(1/eps)) queries (eta defaults to eps) (claim:
    theorem2.gaussian). ``Sigma_S`` is a symmetric PSD |S| x |S| array, or a 1-D array: the diagonal
    of a diagonal covariance. ``log_values['failure_prob']`` = log 2 - Tr/(16 rho).
    """
    size, trace, rho = spectrum(Sigma_S)
    k = integer("k", k)
    eps, A_inf = real("eps", eps), real("A_inf", A_inf)
    eta_v = eps if eta is None else real("eta", eta)
    N_v = optional_integer("N", N)
    params = {"Sigma_S": Sigma_S, "size": size, "trace": trace, "rho": rho, "k": k, "eps": eps,
              "A_inf": A_inf, "eta": eta_v}
    if N_v is not None:
        params["N"] = N_v
    b = RecordBuilder("theorem2.gaussian", "Thm. 2, second bullet",
                      "delta = 64 sqrt(|S| k)/sqrt(Tr Sigma_S) eps; failure <= "
                      "2 exp(-Tr/(16 rho)); queries = |S| (log2 ||A||_inf + 2 log2(1/eps))",
                      params, strict)
    b.require("latent_dimension", "k >= 1", k >= 1, f"k = {k}")
    ratio = trace / rho if rho > 0 else 0.0
    b.require("effective_rank", "Tr(Sigma_S)/rho(Sigma_S) > 64k (strict)",
              effective_rank_exceeds(Sigma_S, 64 * k), f"Tr/rho = {ratio:.17g}, 64k = {64 * k}")
    _require_protocol_scale(b, eps, eta_v, A_inf, N_v, size)
    if b.failed:
        return b.build()
    with mpmath.workprec(PREC):
        log_fail = to_float("theorem2.gaussian: log failure_prob",
                            _LOG2 - gaussian_exponent(mp(trace), mp(rho)))
        delta = _delta("theorem2.gaussian", size, k, mp(trace), eps, eta_v)
    values, corrected = _query_values(size, A_inf, eps, eta_v, N_v)
    values.update(delta=delta, failure_prob=prob(log_fail), size=size)
    return b.build(values=values, log_values={"failure_prob": log_fail}, corrected=corrected,
                   notes="log base 2 for query counts; corrected = sufficient bisection count.")


@register("theorem2.weak_dependence")
def theorem2_weak_dependence(variances: np.ndarray, c: float, k: int, inf_norm: float,
                             eps: float, A_inf: float, eta: float | None = None,
                             N: int | None = None, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Thm. 2, third bullet (bounded, weakly dependent archetypes) (claim:
    theorem2.weak_dependence).

    theta_i in [-c, c], mean 0, v_i^2 = Var theta_i (``variances``, i in S),
    ||INF(theta_S)||_2 = inf_norm < 1 and sum v_i^2 > 16 c^2 k sqrt|S| / (1 - inf_norm): with
    probability >= 1 - 2 exp(-(1 - inf_norm)(sum v_i^2)^2 / (64 c^4 k |S|)) an (eps, delta)-query
    protocol with delta = 64 sqrt(|S| k)/sqrt(sum v_i^2) eps, |S| (log2 ||A||_inf + 2 log2(1/eps))
    queries (claim: theorem2.weak_dependence). The proof derives the exponent from Lemma 5, which
    does not give it when inf_norm > 0 near the edge of the hypothesis; Lemma 8 with the net of
    Lemma 6 does (see ``recmech.bounds.chains.chain_theorem2_weak_dependence``), so the statement
    stands (claim:
    theorem2.weak_dependence).
    """
    var = array("variances", variances, ndim=1)
    c, inf_v = real("c", c), real("inf_norm", inf_norm)
    k = integer("k", k)
    eps, A_inf = real("eps", eps), real("A_inf", A_inf)
    eta_v = eps if eta is None else real("eta", eta)
    N_v = optional_integer("N", N)
    size = var.size
    with mpmath.workprec(PREC):
        exact_total = exact_sum(var)  # 5000 variances of 1e308 sum beyond float64: exactly
        total = mp(exact_total)
        c2 = mp(c) ** 2
        params = {"variances": var, "size": size,
                  "sum_variances": total if total > _FLOAT_MAX else float(total), "c": c, "k": k,
                  "inf_norm": inf_v, "eps": eps, "A_inf": A_inf, "eta": eta_v}
        if N_v is not None:
            params["N"] = N_v
        b = RecordBuilder("theorem2.weak_dependence", "Thm. 2, third bullet",
                          "delta = 64 sqrt(|S| k)/sqrt(sum v_i^2) eps; failure <= "
                          "2 exp(-(1-||INF||)(sum v_i^2)^2/(64 c^4 k |S|))", params, strict)
        b.require("latent_dimension", "k >= 1", k >= 1, f"k = {k}")
        b.require("weak_dependence", "0 <= ||INF(theta_S)||_2 < 1", 0 <= inf_v < 1,
                  f"inf_norm = {inf_v}")
        b.require("bounded_coordinates", "c > 0 and 0 <= v_i^2 <= c^2 (theta_i in [-c, c])",
                  c > 0 and var.min() >= 0 and exact(float(var.max())) <= exact(c) ** 2,
                  f"c = {c}, v_i^2 in [{var.min()}, {var.max()}]")
        need = (weak_variance_threshold(mp(c), k, size, mp(inf_v)) if 0 <= inf_v < 1
                else mpmath.inf)
        b.require("sufficient_variance", "sum v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF||) (strict)",
                  0 <= inf_v < 1 and exceeds_sqrt(exact_total * (1 - exact(inf_v)),
                                                   16 * exact(c) ** 2 * k, size),
                  f"sum v_i^2 = {mpmath.nstr(total, 7)}, threshold = "
                  f"{mpmath.nstr(need, 7)}")
        _require_protocol_scale(b, eps, eta_v, A_inf, N_v, size)
        if b.failed:
            return b.build()
        exponent = weak_exponent(total, mp(c), k, size, mp(inf_v))
        log_fail = to_float("theorem2.weak_dependence: log failure_prob", _LOG2 - exponent,
                            " (sum v_i^2 / c^2 too large)")
        delta = _delta("theorem2.weak_dependence", size, k, total, eps, eta_v)
        lemma5_exp = (1 - mp(inf_v)) ** 2 * total**2 / (32 * c2**2 * k * size) - 4 * k
        gap = lemma5_exp < exponent
    values, corrected = _query_values(size, A_inf, eps, eta_v, N_v)
    values.update(delta=delta, failure_prob=prob(log_fail), size=size)
    notes = "log base 2 for query counts."
    if gap:
        notes += (" Proof gap: Lemma 5 gives exponent "
                  f"{mpmath.nstr(lemma5_exp, 7)} < printed {mpmath.nstr(exponent, 7)}; "
                  "Lemma 8 + net suffices.")
    return b.build(values=values, log_values={"failure_prob": log_fail}, corrected=corrected,
                   notes=notes)


@register("remark4")
def remark4(k: int, log_failure: float, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Remark 4: both ex-ante failure probabilities are <= 2 exp(-4k) (claim:
    remark4).

    Given a setting's natural-log failure bound ``log_failure``, ``holds`` is 1 when
    log_failure <= bound_log = log 2 - 4k (claim: remark4).
    """
    k = integer("k", k)
    log_failure = real("log_failure", log_failure)
    b = RecordBuilder("remark4", "Remark 4", "log failure <= log 2 - 4k",
                      {"k": k, "log_failure": log_failure}, strict)
    b.require("latent_dimension", "k >= 1", k >= 1, f"k = {k}")
    if b.failed:
        return b.build()
    # decided exactly: log_failure <= log 2 - 4k in interval arithmetic (log 2 is irrational,
    # so the float edge fl(log 2 - 4k) is never on it); the margin is the exact one, rounded
    # (claim: remark4)
    holds = sign(lambda: mpmath.iv.log(2) - 4 * mpmath.iv.mpf(k)
                 - mpmath.iv.mpf(log_failure)) >= 0
    with mpmath.workprec(2 * 1100 + k.bit_length()):  # every float and 4k exactly
        bound = to_float("remark4: bound_log", mpmath.log(2) - 4 * mp(k), f" (k = {k})")
        margin = to_float("remark4: margin", mpmath.log(2) - 4 * mp(k) - mp(log_failure),
                          f" (k = {k}, log_failure = {log_failure})")
    return b.build(values={"holds": int(holds), "bound_log": bound, "margin": margin},
                   log_values={"bound_log": bound},
                   erratum=None if holds else
                   f"log failure {log_failure:.6g} > log 2 - 4k = {bound:.6g}")
