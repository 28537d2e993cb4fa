"""Proposition 1, settings (1)-(3): accuracy f(eps1) and query counts per setting.

Each record gives the printed O(.) expressions (with explicit unknown constants ``c_f``,
``c_queries``, default 1.0) and the exact numbers Theorem 2 gives for the same choice of S
(``*_theorem2``). Where the derivation from Theorems 1 and 2 does not go through, the record
carries a corrected value and an erratum (see also ``recmech.bounds.chains.chain_proposition1``).
Logs in query counts are base 2. |S| is computed in exact rational arithmetic (so a whole
256 c^4 k^2 / (a^4 (1 - ||INF||)^2) is recognised as whole), every other formula in mpmath (so
eps1 = 1e-300, ||A||_inf = 1e300 gives log2(1e600) = 1993.2, not log2(inf)); a number beyond
float64 is a ValueError naming it.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath

from recmech.bounds.inputs import integer, real
from recmech.bounds.logspace import PREC, mp, to_float
from recmech.bounds.queries import printed_queries_per_value
from recmech.bounds.records import BoundRecord, RecordBuilder
from recmech.bounds.registry import register

__all__ = ["proposition1_gaussian", "proposition1_separable", "proposition1_weak_dependence",
           "weak_dependence_size"]

_LOG2 = math.log(2.0)
_UNKNOWN = "c_f, c_queries are unknown O(.) constants (default 1.0); logs base 2."
# the O(.) query expressions of Prop. 1 are real numbers, not counts
_REAL_QUERIES = ("queries",)


def _log_ratio(A_inf: float, eps1: float) -> mpmath.mpf:
    """max(0, log2(||A||_inf / eps1)), as a difference of logs (the ratio may overflow)."""
    return mpmath.mpf(max(0.0, math.log2(A_inf) - math.log2(eps1)))


def _log_two_minus_4k(claim: str, k: int) -> float:
    """log(2 exp(-4k)) = log 2 - 4k (Remark 4), in float arithmetic as a caller writes it."""
    out = _LOG2 - 4.0 * float(k)
    if not math.isfinite(out):
        raise ValueError(f"{claim}: log failure_prob = log 2 - 4k is beyond float64 (k = {k})")
    return out


def weak_dependence_size(c: float, a: float, k: int, inf_norm: float) -> tuple[Fraction, int]:
    """Prop. 1 (3): X = 256 c^4 k^2 / (a^4 (1 - ||INF||)^2) in exact rationals, and
    |S| = ceil(X)."""
    c, a, inf_norm = real("c", c), real("a", a), real("inf_norm", inf_norm)
    k = integer("k", k)
    if not (a > 0 and inf_norm < 1):
        raise ValueError(f"a must be > 0 and inf_norm < 1; found a = {a}, inf_norm = {inf_norm}")
    exact = 256 * Fraction(c) ** 4 * k**2 / (Fraction(a) ** 4 * (1 - Fraction(inf_norm)) ** 2)
    return exact, math.ceil(exact)


@register("proposition1.separable")
def proposition1_separable(k: int, eps1: float, A_inf: float, c_queries: float = 1.0, *,
                           strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Prop. 1 (1), separability (C = I_k in Thm. 2, first bullet).

    f(eps1) = 4 eps1; queries = c_queries k log2(||A||_inf / eps1). Theorem 2 with C = I
    (alpha = beta = 1) gives exactly delta = 4 eps1 and k ceil(log2 ||A||_inf + 2 log2(1/eps1))
    queries (``queries_theorem2``).
    """
    k = integer("k", k)
    eps1, A_inf, cq = real("eps1", eps1), real("A_inf", A_inf), real("c_queries", c_queries)
    b = RecordBuilder("proposition1.separable", "Prop. 1 (1)",
                      "f(eps1) = 4 eps1; queries = c_queries k log2(||A||_inf/eps1)",
                      {"k": k, "eps1": eps1, "A_inf": A_inf, "c_queries": cq}, strict)
    b.require("latent_dimension", "k >= 1", k >= 1, f"k = {k}")
    b.require("eps1_positive", "eps1 > 0", eps1 > 0, f"eps1 = {eps1}")
    b.require("A_inf_covers_identity", "||A||_inf >= 1 (A contains the rows of I_k)",
              A_inf >= 1, f"A_inf = {A_inf}")
    b.require("constant_positive", "c_queries > 0", cq > 0, f"c_queries = {cq}")
    if b.failed:
        return b.build(constants={"c_queries": cq})
    _, per_item = printed_queries_per_value(A_inf, eps1, eps1)
    with mpmath.workprec(PREC):
        values = {"f_eps1": to_float("proposition1.separable: f_eps1", 4 * mp(eps1)),
                  "queries": to_float("proposition1.separable: queries",
                                      mp(cq) * k * _log_ratio(A_inf, eps1),
                                      " (c_queries k too large)"),
                  "queries_theorem2": k * per_item}
    return b.build(values=values, constants={"c_queries": cq}, notes=_UNKNOWN,
                   real_keys=_REAL_QUERIES)


@register("proposition1.gaussian")
def proposition1_gaussian(k: int, kappa_Sigma: float, trace_S: float, eps1: float,
                          A_inf: float, c_f: float = 1.0, c_queries: float = 1.0, *,
                          strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Prop. 1 (2), well-conditioned Gaussian archetypes.

    |S| = ceil(64 kappa(Sigma) k); with probability >= 1 - 2 exp(-4k),
    f(eps1) = c_f k sqrt(kappa) / sqrt(Tr Sigma_S) eps1 and
    queries = c_queries kappa k log2(||A||_inf / eps1) (claim: proposition1.gaussian).
    Theorem 2 gives f_theorem2 = 64 sqrt(|S| k)/sqrt(Tr Sigma_S) eps1. Two gaps are recorded:
    interlacing gives Tr/rho >= |S|/kappa >= 64k, but Thm. 2 needs > 64k (equality when
    Sigma_S = s I, i.e. kappa = 1; corrected |S| = 64k + 1); and Thm. 1
    needs f(eps1) >= eps1, false when Tr Sigma_S > 4096 |S| k (corrected f = max(f, eps1)) (claim:
    proposition1.gaussian). (For kappa > 1 the interlacing bound is strict, so only kappa = 1 hits
    the edge: project.interlacing_edge.)
    """
    k = integer("k", k)
    kappa, trace = real("kappa_Sigma", kappa_Sigma), real("trace_S", trace_S)
    eps1, A_inf = real("eps1", eps1), real("A_inf", A_inf)
    cf, cq = real("c_f", c_f), real("c_queries", c_queries)
    constants = {"c_f": cf, "c_queries": cq}
    b = RecordBuilder("proposition1.gaussian", "Prop. 1 (2)",
                      "|S| = 64 kappa k; f(eps1) = c_f k sqrt(kappa)/sqrt(Tr Sigma_S) eps1; "
                      "queries = c_queries kappa k log2(||A||_inf/eps1)",
                      {"k": k, "kappa_Sigma": kappa, "trace_S": trace, "eps1": eps1,
                       "A_inf": A_inf, "c_f": cf, "c_queries": cq}, strict)
    b.require("latent_dimension", "k >= 1", k >= 1, f"k = {k}")
    b.require("condition_number", "kappa(Sigma) >= 1", kappa >= 1, f"kappa = {kappa}")
    b.require("trace_positive", "Tr(Sigma_S) > 0", trace > 0, f"trace_S = {trace}")
    b.require("eps1_positive", "eps1 > 0", eps1 > 0, f"eps1 = {eps1}")
    b.require("A_inf_positive", "||A||_inf > 0", A_inf > 0, f"A_inf = {A_inf}")
    b.require("constants_positive", "c_f > 0 and c_queries > 0", cf > 0 and cq > 0,
              f"c_f = {cf}, c_queries = {cq}")
    if b.failed:
        return b.build(constants=constants)
    size = math.ceil(64 * Fraction(kappa) * k)
    _, per_item = printed_queries_per_value(A_inf, eps1, eps1)
    claim = "proposition1.gaussian"
    with mpmath.workprec(PREC):
        f_thm2_mp = 64 * mpmath.sqrt(mp(size) * k / mp(trace)) * mp(eps1)
        f_thm2 = to_float(f"{claim}: f_theorem2", f_thm2_mp, " (|S| k / Tr too large)")
        values = {"size": size,
                  "f_eps1": to_float(f"{claim}: f_eps1",
                                     mp(cf) * k * mpmath.sqrt(mp(kappa) / mp(trace)) * mp(eps1)),
                  "queries": to_float(f"{claim}: queries",
                                      mp(cq) * mp(kappa) * k * _log_ratio(A_inf, eps1)),
                  "f_theorem2": f_thm2, "queries_theorem2": size * per_item}
        small_f = f_thm2_mp < eps1
    problems = []
    # Tr/rho >= |S|/kappa(Sigma_S) >= |S|/kappa, equality only for Sigma_S = s I (kappa = 1):
    # the strict hypothesis of Thm. 2 can fail only when kappa = 1 and |S| = 64k (claim:
    # project.interlacing_edge)
    edge = kappa == 1 and size <= 64 * k
    if edge:
        problems.append(f"|S| = {size} with Sigma_S = s I gives Tr/rho = 64k; Thm. 2 "
                        "needs > 64k")
    if small_f:
        problems.append(f"f(eps1) = {f_thm2:.4g} < eps1 = {eps1:.4g}: Thm. 1 needs eps >= eps1")
    return b.build(
        values=values, log_values={"failure_prob": _log_two_minus_4k(claim, k)},
        constants=constants,
        corrected={"size": size + 1 if edge else size, "f_theorem2": max(f_thm2, eps1)},
        erratum="; ".join(problems) or None, notes=_UNKNOWN, real_keys=_REAL_QUERIES)


@register("proposition1.weak_dependence")
def proposition1_weak_dependence(k: int, c: float, a: float, inf_norm: float, eps1: float,
                                 A_inf: float, c_f: float = 1.0, c_queries: float = 1.0, *,
                                 strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Prop. 1 (3), weak dependence with variance >= a^2 per item (claim:
    proposition1.weak_dependence).

    |S| = ceil(256 c^4 k^2 / (a^4 (1 - ||INF||)^2)); with probability >= 1 - 2 exp(-4k),
    f(eps1) = c_f sqrt(k)/a eps1 and queries = c_queries c^4 k^2/(a^4 (1-||INF||)^2)
    log2(||A||_inf / eps1) (claim: proposition1.weak_dependence). Theorem 2 at the worst case (all
    variances a^2) gives f_theorem2 = 64 sqrt(k)/a eps1. Gaps recorded: Thm. 2 needs sum v_i^2 > 16
    c^2 k sqrt|S| / (1 - ||INF||), which fails with equality at that |S| when it is whole and all
    v_i^2 = a^2 (corrected |S| = floor(.) + 1); Thm. 1 needs f(eps1) >= eps1, false when a > 64
    sqrt(k) (claim: proposition1.weak_dependence). Both are decided in exact rational arithmetic.
    """
    k = integer("k", k)
    c, a, inf_v = real("c", c), real("a", a), real("inf_norm", inf_norm)
    eps1, A_inf = real("eps1", eps1), real("A_inf", A_inf)
    cf, cq = real("c_f", c_f), real("c_queries", c_queries)
    constants = {"c_f": cf, "c_queries": cq}
    b = RecordBuilder("proposition1.weak_dependence", "Prop. 1 (3)",
                      "|S| = 256 c^4 k^2/(a^4 (1-||INF||)^2); f(eps1) = c_f sqrt(k)/a eps1",
                      {"k": k, "c": c, "a": a, "inf_norm": inf_v, "eps1": eps1, "A_inf": A_inf,
                       "c_f": cf, "c_queries": cq}, strict)
    b.require("latent_dimension", "k >= 1", k >= 1, f"k = {k}")
    b.require("variance_floor", "0 < a <= c (Var theta_i >= a^2, theta_i in [-c, c])",
              0 < a <= c, f"a = {a}, c = {c}")
    b.require("weak_dependence", "0 <= ||INF(theta)||_2 < 1", 0 <= inf_v < 1,
              f"inf_norm = {inf_v}")
    b.require("eps1_positive", "eps1 > 0", eps1 > 0, f"eps1 = {eps1}")
    b.require("A_inf_positive", "||A||_inf > 0", A_inf > 0, f"A_inf = {A_inf}")
    b.require("constants_positive", "c_f > 0 and c_queries > 0", cf > 0 and cq > 0,
              f"c_f = {cf}, c_queries = {cq}")
    if b.failed:
        return b.build(constants=constants)
    exact, size = weak_dependence_size(c, a, k, inf_v)
    _, per_item = printed_queries_per_value(A_inf, eps1, eps1)
    # Thm. 2's strict hypothesis at v_i^2 = a^2: |S| a^2 > 16 c^2 k sqrt|S| / (1 - inf), both
    # sides >= 0, squared: (|S| a^2 (1 - inf))^2 > (16 c^2 k)^2 |S| (claim:
    # proposition1.weak_dependence)
    fa, fc = Fraction(a), Fraction(c)
    strict_holds = (size * fa**2 * (1 - Fraction(inf_v))) ** 2 > (16 * fc**2 * k) ** 2 * size
    small_f = 64 * 64 * k < fa * fa  # 64 sqrt(k)/a < 1 (claim: proposition1.weak_dependence)
    claim = "proposition1.weak_dependence"
    with mpmath.workprec(PREC):
        f_thm2 = to_float(f"{claim}: f_theorem2", 64 * mpmath.sqrt(k) / mp(a) * mp(eps1),
                          " (eps1 / a too large)")
        values = {"size": size,
                  "f_eps1": to_float(f"{claim}: f_eps1",
                                     mp(cf) * mpmath.sqrt(k) / mp(a) * mp(eps1)),
                  "queries": to_float(f"{claim}: queries", mp(cq) * mp(exact) *
                                      _log_ratio(A_inf, eps1), " (c / a too large)"),
                  "f_theorem2": f_thm2, "queries_theorem2": size * per_item}
    problems = []
    if not strict_holds:
        problems.append(f"|S| = {size} with all v_i^2 = a^2 gives sum v_i^2 = 16 c^2 k sqrt|S|"
                        "/(1-||INF||); Thm. 2 needs >")
    if small_f:
        problems.append(f"f(eps1) = {f_thm2:.4g} < eps1 = {eps1:.4g}: Thm. 1 needs eps >= eps1")
    return b.build(
        values=values, log_values={"failure_prob": _log_two_minus_4k(claim, k)},
        constants=constants,
        corrected={"size": math.floor(exact) + 1, "f_theorem2": max(f_thm2, eps1)},
        erratum="; ".join(problems) or None, notes=_UNKNOWN, real_keys=_REAL_QUERIES)
