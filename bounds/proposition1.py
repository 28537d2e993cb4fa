"""Proposition 1, settings (1)-(3): accuracy f(eps1) and query counts per setting.

Each record gives the printed O(.) expressions (with explicit unknown constants ``c_f``,
``c_queries``, default 1.0) and the exact numbers Theorem 2 gives for the same choice of S
(``*_theorem2``). Where the derivation from Theorems 1 and 2 does not go through, the record
carries a corrected value and an erratum (see also ``recmech.bounds.chains.chain_proposition1``).
Logs in query counts are base 2.
"""

from __future__ import annotations

import math

from recmech.bounds.inputs import integer, real
from recmech.bounds.queries import printed_queries_per_value
from recmech.bounds.records import BoundRecord, RecordBuilder
from recmech.bounds.registry import register

__all__ = ["proposition1_gaussian", "proposition1_separable", "proposition1_weak_dependence"]

_LOG2 = math.log(2.0)
_UNKNOWN = "c_f, c_queries are unknown O(.) constants (default 1.0); logs base 2."


def _log_ratio(A_inf: float, eps1: float) -> float:
    return max(0.0, math.log2(A_inf / eps1))


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
    return b.build(values={"f_eps1": 4 * eps1, "queries": cq * k * _log_ratio(A_inf, eps1),
                           "queries_theorem2": k * per_item},
                   constants={"c_queries": cq}, notes=_UNKNOWN)


@register("proposition1.gaussian")
def proposition1_gaussian(k: int, kappa_Sigma: float, trace_S: float, eps1: float,
                          A_inf: float, c_f: float = 1.0, c_queries: float = 1.0, *,
                          strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Prop. 1 (2), well-conditioned Gaussian archetypes.

    |S| = ceil(64 kappa(Sigma) k); with probability >= 1 - 2 exp(-4k),
    f(eps1) = c_f k sqrt(kappa) / sqrt(Tr Sigma_S) eps1 and
    queries = c_queries kappa k log2(||A||_inf / eps1).
    Theorem 2 gives f_theorem2 = 64 sqrt(|S| k)/sqrt(Tr Sigma_S) eps1. Two gaps are recorded:
    interlacing gives Tr/rho >= |S|/kappa >= 64k, but Thm. 2 needs > 64k (equality when
    Sigma_S = s I, i.e. kappa = 1; corrected |S| = 64k + 1); and Thm. 1
    needs f(eps1) >= eps1, false when Tr Sigma_S > 4096 |S| k (corrected f = max(f, eps1)).
    (For kappa > 1 the interlacing bound is strict, so only kappa = 1 hits the edge.)
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
    size = math.ceil(64 * kappa * k)
    f_thm2 = 64 * math.sqrt(size * k / trace) * eps1
    _, per_item = printed_queries_per_value(A_inf, eps1, eps1)
    problems = []
    # Tr/rho >= |S|/kappa(Sigma_S) >= |S|/kappa, equality only for Sigma_S = s I (kappa = 1):
    # the strict hypothesis of Thm. 2 can fail only when kappa = 1 and |S| = 64k
    edge = kappa == 1 and size <= 64 * k
    if edge:
        problems.append(f"|S| = {size} with Sigma_S = s I gives Tr/rho = 64k; Thm. 2 "
                        "needs > 64k")
    if f_thm2 < eps1:
        problems.append(f"f(eps1) = {f_thm2:.4g} < eps1 = {eps1:.4g}: Thm. 1 needs eps >= eps1")
    return b.build(
        values={"size": size, "f_eps1": cf * k * math.sqrt(kappa / trace) * eps1,
                "queries": cq * kappa * k * _log_ratio(A_inf, eps1), "f_theorem2": f_thm2,
                "queries_theorem2": size * per_item},
        log_values={"failure_prob": _LOG2 - 4 * k}, constants=constants,
        corrected={"size": size + 1 if edge else size, "f_theorem2": max(f_thm2, eps1)},
        erratum="; ".join(problems) or None, notes=_UNKNOWN)


@register("proposition1.weak_dependence")
def proposition1_weak_dependence(k: int, c: float, a: float, inf_norm: float, eps1: float,
                                 A_inf: float, c_f: float = 1.0, c_queries: float = 1.0, *,
                                 strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Prop. 1 (3), weak dependence with variance >= a^2 per item.

    |S| = ceil(256 c^4 k^2 / (a^4 (1 - ||INF||)^2)); with probability >= 1 - 2 exp(-4k),
    f(eps1) = c_f sqrt(k)/a eps1 and queries = c_queries c^4 k^2/(a^4 (1-||INF||)^2)
    log2(||A||_inf / eps1). Theorem 2 at the worst case (all variances a^2) gives
    f_theorem2 = 64 sqrt(k)/a eps1. Gaps recorded: Thm. 2 needs sum v_i^2 > 16 c^2 k sqrt|S| /
    (1 - ||INF||), which fails with equality at that |S| when it is whole and all v_i^2 = a^2
    (corrected |S| = floor(.) + 1); Thm. 1 needs f(eps1) >= eps1, false when a > 64 sqrt(k).
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
    exact = 256 * c**4 * k**2 / (a**4 * (1 - inf_v) ** 2)
    size = math.ceil(exact)
    f_thm2 = 64 * math.sqrt(k) / a * eps1
    _, per_item = printed_queries_per_value(A_inf, eps1, eps1)
    problems = []
    if size * a * a <= 16 * c * c * k * math.sqrt(size) / (1 - inf_v):
        problems.append(f"|S| = {size} with all v_i^2 = a^2 gives sum v_i^2 = 16 c^2 k sqrt|S|"
                        "/(1-||INF||); Thm. 2 needs >")
    if f_thm2 < eps1:
        problems.append(f"f(eps1) = {f_thm2:.4g} < eps1 = {eps1:.4g}: Thm. 1 needs eps >= eps1")
    return b.build(
        values={"size": size, "f_eps1": cf * math.sqrt(k) / a * eps1,
                "queries": cq * exact * _log_ratio(A_inf, eps1), "f_theorem2": f_thm2,
                "queries_theorem2": size * per_item},
        log_values={"failure_prob": _LOG2 - 4 * k}, constants=constants,
        corrected={"size": math.floor(exact) + 1, "f_theorem2": max(f_thm2, eps1)},
        erratum="; ".join(problems) or None, notes=_UNKNOWN)
