"""Singular-value bounds of Sec. 4: Lemmas 4-9 and Proposition 3.

Every probability bound is a natural log in ``log_values["failure_prob"]`` (the one name, read
by ``BoundRecord.log_failure_prob``), computed in exact (mpmath) arithmetic so that no exponent
overflows or underflows on the way; the float in ``values`` is min(1, exp(log)) and may
underflow to 0.0, the log never does. An exponent whose log is beyond float64 (e.g. t/c^2 above
1e154 in Lemma 8) is a ValueError naming it, never -inf. Exact chi-square tails come from scipy,
or from mpmath where scipy's float tail underflows (``recmech.bounds.logspace``).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from recmech.bounds.edges import exact, exact_sum, sign
from recmech.bounds.inputs import array, dims, flag, integer, optional_real, real
from recmech.bounds.logspace import (
    PREC,
    chi2_log_cdf,
    chi2_log_sf,
    mp,
    prob,
    to_float,
)
from recmech.bounds.records import BoundRecord, Order, RecordBuilder
from recmech.bounds.registry import register

__all__ = ["lemma4", "lemma5", "lemma6", "lemma7_lower_tail", "lemma7_upper_tail", "lemma8",
           "lemma9", "proposition3"]

_LOG2 = math.log(2.0)


def _log_prob(claim: str, log_p: mpmath.mpf, why: str) -> float:
    """The float log of a probability bound, or ValueError naming it when beyond float64."""
    return to_float(f"{claim}: log failure_prob", log_p, f" ({why})")


def _trace_dmax(b: RecordBuilder, trace: float, d_max: float) -> None:
    b.require("trace_positive", "Tr(D) > 0", trace > 0, f"trace_d = {trace}")
    b.require("d_max_range", "0 < d_max <= Tr(D) (largest diagonal entry of D >= 0)",
              0 < d_max <= trace, f"d_max = {d_max}, trace_d = {trace}")


def _weak(b: RecordBuilder, c: float, inf_v: float) -> None:
    b.require("bounded_coordinates", "c > 0", c > 0, f"c = {c}")
    b.require("weak_dependence", "0 <= ||INF(X)||_2 < 1", 0 <= inf_v < 1, f"inf_norm = {inf_v}")


@register("lemma4")
def lemma4(trace_d: float, d_max: float, n: int, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Lemma 4 (Gaussian columns N(0, Lambda^T D Lambda), U is m x n).

    sigma_max(U) <= 2 sqrt(Tr D) and sigma_min(U) >= sqrt(Tr D)/4 with probability
    >= 1 - 2 exp(-Tr(D)/(8 d_max) + 4n) (claim: lemma4). definition: ``vacuous`` = 1 when the
    failure bound is >= 1 (then ``failure_prob`` is 1; its log keeps the printed exponent).
    """
    trace, d_max = real("trace_d", trace_d), real("d_max", d_max)
    n = integer("n", n)
    b = RecordBuilder("lemma4", "Lemma 4",
                      "sigma_max <= 2 sqrt(Tr D), sigma_min >= sqrt(Tr D)/4 w.p. >= "
                      "1 - 2 exp(-Tr D/(8 d_max) + 4n)",
                      {"trace_d": trace, "d_max": d_max, "n": n}, strict)
    _trace_dmax(b, trace, d_max)
    b.require("columns", "n >= 1", n >= 1, f"n = {n}")
    if b.failed:
        return b.build()
    with mpmath.workprec(PREC):
        log_fail = _log_prob("lemma4", _LOG2 - mp(trace) / (8 * mp(d_max)) + 4 * mp(n),
                             "Tr(D)/d_max or n too large")
    return b.build(values={"sigma_max_bound": 2 * math.sqrt(trace),
                           "sigma_min_bound": math.sqrt(trace) / 4,
                           "failure_prob": prob(log_fail), "vacuous": int(log_fail >= 0)},
                   log_values={"failure_prob": log_fail})


@register("lemma5")
def lemma5(variances: np.ndarray, c: float, n: int, m: int | None = None,
           inf_norm: float = 0.0, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Lemma 5 (bounded weakly dependent columns, U is m x n) (claim: lemma5).

    v^2 = sum_i v_i^2 (m = len(variances) rows, n columns): sigma_max <= 2v and
    sigma_min >= v/4 with probability >= 1 - 2 exp(-(1-||INF||)^2 v^4 / (32 c^4 n m) + 4n) (claim:
    lemma5).
    """
    var = array("variances", variances, ndim=1)
    c, inf_v = real("c", c), real("inf_norm", inf_norm)
    n = integer("n", n)
    rows = var.size if m is None else integer("m", m)
    if rows != var.size:
        raise ValueError(f"m must equal len(variances) (rows of U); found m = {rows}, "
                         f"len(variances) = {var.size}")
    b = RecordBuilder("lemma5", "Lemma 5",
                      "sigma_max <= 2v, sigma_min >= v/4 w.p. >= "
                      "1 - 2 exp(-(1-||INF||)^2 v^4/(32 c^4 n m) + 4n)",
                      {"variances": var, "c": c, "n": n, "m": rows, "inf_norm": inf_v}, strict)
    _weak(b, c, inf_v)
    with mpmath.workprec(PREC):
        c2 = mp(c) ** 2
        b.require("variances_bounded", "0 <= v_i^2 <= c^2",
                  var.min() >= 0 and exact(float(var.max())) <= exact(c) ** 2,
                  f"v_i^2 in [{var.min()}, {var.max()}], c^2 = {mpmath.nstr(c2, 17)}")
        b.require("columns", "n >= 1", n >= 1, f"n = {n}")
        if b.failed:
            return b.build()
        v2 = mp(exact_sum(var))  # exact: 5000 variances of 1e308 overflow math.fsum
        log_fail = _log_prob(
            "lemma5", _LOG2 - (1 - mp(inf_v)) ** 2 * v2**2 / (32 * c2**2 * n * rows) + 4 * n,
            "sum v_i^2 / c^2 or n too large")
        v = mpmath.sqrt(v2)
        values = {"sigma_max_bound": to_float("lemma5: sigma_max_bound", 2 * v),
                  "sigma_min_bound": to_float("lemma5: sigma_min_bound", v / 4),
                  "failure_prob": prob(log_fail), "vacuous": int(log_fail >= 0)}
    return b.build(values=values, log_values={"failure_prob": log_fail})


@register("lemma6")
def lemma6(eps: float, n: int, a: float | None = None, b: float | None = None, *,
           strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Lemma 6 (eps-net of S^{n-1}, after Rudelson).

    An eps-net with at most (3/eps)^n points exists (``log_net_size`` = n log(3/eps)); with
    a = max and b = min of ||Mx|| over the net, sigma_max(M) <= a/(1 - eps) and
    sigma_min(M) >= b - eps/(1 - eps) a (claim: lemma6).
    """
    eps = real("eps", eps)
    n = integer("n", n)
    a_v, b_v = optional_real("a", a), optional_real("b", b)
    params = {"eps": eps, "n": n} | ({} if a_v is None else {"a": a_v}) | (
        {} if b_v is None else {"b": b_v})
    rb = RecordBuilder("lemma6", "Lemma 6",
                       "|net| <= (3/eps)^n; sigma_max <= a/(1-eps); "
                       "sigma_min >= b - eps/(1-eps) a", params, strict)
    rb.require("eps_range", "0 < eps < 1", 0 < eps < 1, f"eps = {eps}")
    rb.require("dimension", "n >= 1", n >= 1, f"n = {n}")
    if (a_v is None) != (b_v is None):
        raise ValueError("a and b must be given together (max and min of ||Mx|| on the net)")
    if a_v is not None:
        rb.require("net_extremes", "0 <= b <= a", 0 <= b_v <= a_v, f"a = {a_v}, b = {b_v}")
    if rb.failed:
        return rb.build()
    with mpmath.workprec(PREC):
        e = mp(eps)
        values = {"log_net_size": to_float("lemma6: log_net_size", n * mpmath.log(3 / e),
                                           " (n too large)")}
        if a_v is not None:
            why = " (a too large for 1 - eps)"
            values.update(
                sigma_max_bound=to_float("lemma6: sigma_max_bound", mp(a_v) / (1 - e), why),
                sigma_min_bound=to_float("lemma6: sigma_min_bound",
                                         mp(b_v) - e / (1 - e) * mp(a_v), why))
    return rb.build(values=values)


def _isotropic_n(trace: float, d_max: float) -> int:
    """n with Tr(D) = n d_max (D = d_max I_n), a whole number up to 1e-9 relative rounding."""
    with mpmath.workprec(PREC):
        ratio = mp(trace) / mp(d_max)
        n = int(mpmath.nint(ratio))
        if n < 1 or abs(ratio - n) > 1e-9 * max(1, ratio):
            raise ValueError(f"isotropic needs Tr(D)/d_max to be a whole number n (D = d I_n); "
                             f"found trace_d/d_max = {mpmath.nstr(ratio, 17)}")
    return n


def _tail_why(trace: float, d_max: float) -> str:
    with mpmath.workprec(PREC):
        return f"trace_d / d_max = {mpmath.nstr(mp(trace) / mp(d_max), 6)} too large"


@register("lemma7.lower_tail")
def lemma7_lower_tail(trace_d: float, d_max: float, isotropic: bool = False, *,
                      strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Lemma 7, first inequality.

    Pr[||Vx||^2 <= Tr(D)/4] <= exp(-Tr(D)/(8 d_max)) for a fixed unit x (claim: lemma7.lower_tail).
    With ``isotropic=True`` (D = d_max I_n) the exact log probability log Pr[chi2_n <= n/4] is given
    (``log_values["exact_prob"]``, mpmath where scipy's tail underflows: finite for every n);
    the record asserts the bound is above it (the lemma holds: a Chernoff bound) (claim:
    lemma7.lower_tail).
    """
    trace, d_max = real("trace_d", trace_d), real("d_max", d_max)
    iso = flag("isotropic", isotropic)
    b = RecordBuilder("lemma7.lower_tail", "Lemma 7, lower tail",
                      "Pr[||Vx||^2 <= Tr D/4] <= exp(-Tr D/(8 d_max))",
                      {"trace_d": trace, "d_max": d_max, "isotropic": iso}, strict)
    _trace_dmax(b, trace, d_max)
    if b.failed:
        return b.build()
    with mpmath.workprec(PREC):
        log_bound = _log_prob("lemma7.lower_tail", -mp(trace) / (8 * mp(d_max)),
                              _tail_why(trace, d_max))
    values = {"threshold": trace / 4, "failure_prob": prob(log_bound)}
    logs = {"failure_prob": log_bound}
    orders = ()
    if iso:
        n = _isotropic_n(trace, d_max)
        logs["exact_prob"] = chi2_log_cdf(n / 4, n)
        orders = (Order(bound="log_values.failure_prob", bounded="log_values.exact_prob",
                        tol=1e-9 * abs(log_bound), why="Lemma 7, lower tail (Chernoff)"),)
    return b.build(values=values, log_values=logs, orders=orders)


@register("lemma7.upper_tail")
def lemma7_upper_tail(trace_d: float, d_max: float, isotropic: bool = False, *,
                      strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Lemma 7, second inequality (printed form is false).

    Printed: Pr[||Vx||^2 >= 2 Tr(D)] <= exp(-Tr(D)/(4 d_max)) (claim: lemma7.upper_tail). False: D =
    I_24 gives Pr[chi2_24 >= 48] = 0.0025241 > exp(-6) = 0.0024788 (24 is the least n with D = I_n
    that breaks it) (claim: lemma7.upper_tail). The printed Chernoff step with t = 2 Tr bounds Pr[>=
    3 Tr], not 2 Tr (claim: lemma7.upper_tail). Corrected: log E exp(lambda d (g^2 - 1)) <= (lambda
    d)^2/(1 - 2 lambda d); with lambda = 1/(4 d_max), Pr[sum d_i g_i^2 >= 2 Tr] <= exp(-Tr/(4 d_max)
    + sum d_i^2/(8 d_max^2)) <= exp(-Tr(D)/(8 d_max)) (claim: lemma7.upper_tail). With
    ``isotropic=True`` the exact log Pr[chi2_n >= 2n] is given (mpmath where scipy's tail
    underflows, so the erratum is reported for every n >= 24, e.g. n = 5000: log Pr = -771.96 >
    printed -1250) and the record asserts the corrected bound is above it (claim:
    lemma7.upper_tail).
    """
    trace, d_max = real("trace_d", trace_d), real("d_max", d_max)
    iso = flag("isotropic", isotropic)
    b = RecordBuilder("lemma7.upper_tail", "Lemma 7, upper tail",
                      "Pr[||Vx||^2 >= 2 Tr D] <= exp(-Tr D/(4 d_max))",
                      {"trace_d": trace, "d_max": d_max, "isotropic": iso}, strict)
    _trace_dmax(b, trace, d_max)
    if b.failed:
        return b.build()
    with mpmath.workprec(PREC):
        ratio = mp(trace) / mp(d_max)
        log_bound = _log_prob("lemma7.upper_tail", -ratio / 4, _tail_why(trace, d_max))
        corrected_log = _log_prob("lemma7.upper_tail: corrected", -ratio / 8,
                                  _tail_why(trace, d_max))
    logs = {"failure_prob": log_bound}
    erratum = ("printed exponent Tr/(4 d_max) is false in general (D = I_24: 0.0025241 > "
               "exp(-6)); its proof bounds Pr[>= 3 Tr]; corrected exponent Tr/(8 d_max)")
    orders = ()
    if iso:
        n = _isotropic_n(trace, d_max)
        exact = chi2_log_sf(2 * n, n)
        logs["exact_prob"] = exact
        erratum = (f"here Pr[chi2_{n} >= {2 * n}] = exp({exact:.6g}) > exp({log_bound:.6g}); "
                   "corrected exponent Tr/(8 d_max)") if exact > log_bound else None
        orders = (Order(bound="corrected.log_failure_prob", bounded="log_values.exact_prob",
                        tol=1e-9 * abs(corrected_log),
                        why="corrected Lemma 7 upper tail (Chernoff with lambda = 1/(4 d_max))"),)
    return b.build(values={"threshold": 2 * trace, "failure_prob": prob(log_bound)},
                   log_values=logs,
                   corrected={"failure_prob": prob(corrected_log),
                              "log_failure_prob": corrected_log},
                   erratum=erratum, orders=orders)


@register("proposition3")
def proposition3(x: float, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Prop. 3 and its proof.

    exp(-x)/sqrt(1 - 2x) <= sqrt(1 + 2x) on [0, 1/4], through
    e^{-x} <= 1 - x + x^2 <= 1 - 2x^2 - 8x^4 <= sqrt(1 - 4x^2) (values ``exp_neg_x``,
    ``quadratic``, ``quartic``, ``sqrt_1m4x2``; ``holds`` = 1 when every link holds) (claim:
    proposition3).
    """
    x = real("x", x)
    b = RecordBuilder("proposition3", "Prop. 3", "exp(-x)/sqrt(1-2x) <= sqrt(1+2x)", {"x": x},
                      strict)
    b.require("x_range", "0 <= x <= 1/4", 0 <= x <= 0.25, f"x = {x}")
    if b.failed:
        return b.build()
    chain = [math.exp(-x), 1 - x + x * x, 1 - 2 * x * x - 8 * x**4, math.sqrt(1 - 4 * x * x)]
    lhs, rhs = math.exp(-x) / math.sqrt(1 - 2 * x), math.sqrt(1 + 2 * x)
    # decided exactly (interval arithmetic on the float x): at x = 0 every side is 1
    iv = mpmath.iv
    exact_chain = [lambda: iv.exp(-iv.mpf(x)), lambda: 1 - iv.mpf(x) + iv.mpf(x) ** 2,
                   lambda: 1 - 2 * iv.mpf(x) ** 2 - 8 * iv.mpf(x) ** 4,
                   lambda: iv.sqrt(1 - 4 * iv.mpf(x) ** 2)]
    holds = x == 0 or (
        sign(lambda: iv.sqrt(1 + 2 * iv.mpf(x)) - iv.exp(-iv.mpf(x)) / iv.sqrt(1 - 2 * iv.mpf(x)))
        >= 0 and all(sign(lambda i=i: exact_chain[i + 1]() - exact_chain[i]()) >= 0
                     for i in range(3)))
    return b.build(values={"lhs": lhs, "rhs": rhs, "holds": int(holds),
                           "exp_neg_x": chain[0], "quadratic": chain[1], "quartic": chain[2],
                           "sqrt_1m4x2": chain[3]})


@register("lemma8")
def lemma8(t: float, c: float, n: int, m: int, inf_norm: float = 0.0, *,
           strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Lemma 8.

    For fixed unit x, E||Ux||^2 = v^2 and
    Pr[| ||Ux||^2 - v^2 | > t] <= 2 exp(-(1 - ||INF||) t^2 / (16 c^4 n m)), the exponent in
    mpmath (c^4 underflows float64 for c = 1e-100; t^2 / c^4 is then a ValueError when its log
    is beyond float64, else exact) (claim: lemma8).
    """
    t, c, inf_v = real("t", t), real("c", c), real("inf_norm", inf_norm)
    n, m = integer("n", n), integer("m", m)
    b = RecordBuilder("lemma8", "Lemma 8",
                      "Pr[| ||Ux||^2 - v^2 | > t] <= 2 exp(-(1-||INF||) t^2/(16 c^4 n m))",
                      {"t": t, "c": c, "n": n, "m": m, "inf_norm": inf_v}, strict)
    b.require("t_nonnegative", "t >= 0", t >= 0, f"t = {t}")
    _weak(b, c, inf_v)
    b.require("dimensions", "n >= 1 and m >= 1", n >= 1 and m >= 1, f"n = {n}, m = {m}")
    if b.failed:
        return b.build()
    with mpmath.workprec(PREC):
        log_p = _log_prob("lemma8",
                          _LOG2 - (1 - mp(inf_v)) * mp(t) ** 2 / (16 * mp(c) ** 4 * n * m),
                          "t / c^2 too large")
    return b.build(values={"failure_prob": prob(log_p), "vacuous": int(log_p >= 0)},
                   log_values={"failure_prob": log_p})


@register("lemma9")
def lemma9(t: float, c: np.ndarray, inf_norm: float = 0.0, *,
           strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Lemma 9 (Chatterjee 2005, Thm. 4.3).

    f with bounded differences c_i and ||INF(X)||_2 < 1:
    Pr[|f - E f| >= t] <= 2 exp(-(1 - ||INF||) t^2 / sum c_i^2) (claim: lemma9). definition: ``c``
    is an array (a scalar is one bounded difference). The exponent is (t / c_max)^2 / sum (c_i /
    c_max)^2 in mpmath, so t = 1e200, c = [1e200] gives 2 exp(-1) = 0.7358, not 0 * inf.
    """
    t, inf_v = real("t", t), real("inf_norm", inf_norm)
    cs = array("c", c, ndim=1) if dims("c", c) else np.array([real("c", c)])
    b = RecordBuilder("lemma9", "Lemma 9 (Chatterjee)",
                      "Pr[|f - Ef| >= t] <= 2 exp(-(1-||INF||) t^2 / sum c_i^2)",
                      {"t": t, "c": cs, "inf_norm": inf_v}, strict)
    b.require("t_nonnegative", "t >= 0", t >= 0, f"t = {t}")
    top = float(np.abs(cs).max())
    b.require("bounded_differences", "c_i >= 0 and sum c_i^2 > 0",
              cs.min() >= 0 and top > 0, f"c in [{cs.min()}, {cs.max()}]")
    b.require("weak_dependence", "0 <= ||INF(X)||_2 < 1", 0 <= inf_v < 1, f"inf_norm = {inf_v}")
    if b.failed:
        return b.build()
    scaled = cs / top  # in [0, 1], max 1: the sum of squares is in [1, d], exact to d ulps
    with mpmath.workprec(PREC):
        ss = mpmath.fsum(mp(x) ** 2 for x in scaled) if scaled.size <= 4096 else mp(
            math.fsum(scaled * scaled))
        log_p = _log_prob("lemma9", _LOG2 - (1 - mp(inf_v)) * (mp(t) / mp(top)) ** 2 / ss,
                          "t / ||c||_2 too large")
    return b.build(values={"failure_prob": prob(log_p), "vacuous": int(log_p >= 0)},
                   log_values={"failure_prob": log_p})
