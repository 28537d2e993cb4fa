"""Every number a calculator returns, re-evaluated at 50 digits (claims lemma1, lemma2, lemma4,
lemma5, lemma6, lemma7.lower_tail, lemma7.upper_tail, lemma8, lemma9, theorem1,
theorem2.noisy_value, theorem2.gaussian, theorem2.weak_dependence, remark4): hypothesis draws
parameters log-uniformly over float64's whole range, and each call must end in a
ValueError/TypeError naming a parameter (or the number beyond float64), or in a record whose
every value agrees with the printed formula evaluated in mpmath at 50 digits, within the rounding
of the inputs' scale (a few ulps of the largest term: the formulas cancel large terms, e.g.
log 2 - Tr/(8 d_max) + 4n) and whose validity is the exact hypothesis. No silent wrong answer,
no raw exception.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from pathlib import Path

import mpmath
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.bounds import compute
from recmech.bounds.edges import exact, exact_sum, exceeds_sqrt

DPS = 50
ULPS = 2.0**-48  # relative to the largest term: 32 ulps
OUTCOMES: Counter = Counter()

magnitude = st.builds(lambda m, e: math.ldexp(m, e), st.floats(0.5, 1.0), st.integers(-1000, 1000))
small_count = st.integers(1, 10**6)


def mp(x) -> mpmath.mpf:
    return mpmath.mpf(x) if not isinstance(x, int) else mpmath.mpf(int(x))


def _close(got: float, want: mpmath.mpf, scale: mpmath.mpf) -> bool:
    return abs(mp(got) - want) <= ULPS * (abs(want) + scale) + mpmath.mpf(2.0**-1074)


def _prob_close(got: float, log_want: mpmath.mpf) -> bool:
    want = mpmath.exp(min(log_want, 0))
    if want < 1e-300:
        return got <= 1e-300
    return abs(mp(got) - want) <= 1e-12 * want * max(1, abs(log_want))


def _check(claim: str, params: dict, oracle) -> None:
    try:
        rec = compute(claim, **params)
    except (ValueError, TypeError) as exc:
        text = str(exc)
        assert any(name in text for name in [claim, *params]), text
        OUTCOMES["named error"] += 1
        return
    with mpmath.workdps(DPS):
        valid, numbers = oracle(**params)
        assert rec.valid == valid, (claim, params, rec.failed())
        if not valid:
            OUTCOMES["invalid, as the exact hypothesis says"] += 1
            return
        for key, (want, scale, kind) in numbers.items():
            section, name = key.split(".")
            got = getattr(rec, section)[name]
            ok = _prob_close(got, want) if kind == "prob" else _close(got, want, scale)
            assert ok, (claim, params, key, got, mpmath.nstr(want, 20))
    OUTCOMES["record agrees at 50 digits"] += 1


LOG2 = mpmath.log(2)


def _lemma4(trace_d, d_max, n):
    if not (trace_d > 0 and 0 < d_max <= trace_d and n >= 1):
        return False, {}
    t, d = mp(trace_d), mp(d_max)
    log = mpmath.log(2) - t / (8 * d) + 4 * n
    return True, {"log_values.failure_prob": (log, t / (8 * d) + 4 * n, "log"),
                  "values.failure_prob": (log, 0, "prob"),
                  "values.sigma_max_bound": (2 * mpmath.sqrt(t), 0, "value"),
                  "values.sigma_min_bound": (mpmath.sqrt(t) / 4, 0, "value")}


@settings(max_examples=150, deadline=None)
@given(trace_d=magnitude, ratio=magnitude, n=small_count)
def test_lemma4_at_50_digits(trace_d, ratio, n):
    _check("lemma4", {"trace_d": trace_d, "d_max": trace_d / ratio if ratio else trace_d,
                      "n": n}, _lemma4)


def _lemma8(t, c, n, m, inf_norm):
    if not (t >= 0 and c > 0 and 0 <= inf_norm < 1 and n >= 1 and m >= 1):
        return False, {}
    e = (1 - mp(inf_norm)) * mp(t) ** 2 / (16 * mp(c) ** 4 * n * m)
    return True, {"log_values.failure_prob": (LOG2 - e, e, "log"),
                  "values.failure_prob": (LOG2 - e, 0, "prob")}


@settings(max_examples=150, deadline=None)
@given(t=magnitude, c=magnitude, n=small_count, m=small_count,
       inf_norm=st.sampled_from([0.0, 0.5, 0.999]))
def test_lemma8_at_50_digits(t, c, n, m, inf_norm):
    _check("lemma8", {"t": t, "c": c, "n": n, "m": m, "inf_norm": inf_norm}, _lemma8)


def _lemma9(t, c, inf_norm):
    c = np.asarray(c, dtype=float)
    if not (t >= 0 and c.min() >= 0 and c.max() > 0 and 0 <= inf_norm < 1):
        return False, {}
    e = (1 - mp(inf_norm)) * mp(t) ** 2 / mpmath.fsum(mp(x) ** 2 for x in c)
    return True, {"log_values.failure_prob": (LOG2 - e, e, "log"),
                  "values.failure_prob": (LOG2 - e, 0, "prob")}


@settings(max_examples=150, deadline=None)
@given(t=magnitude, c=st.lists(magnitude, min_size=1, max_size=6),
       inf_norm=st.sampled_from([0.0, 0.5]))
def test_lemma9_at_50_digits(t, c, inf_norm):
    _check("lemma9", {"t": t, "c": c, "inf_norm": inf_norm}, _lemma9)


def _lemma5(variances, c, n, inf_norm):
    var = np.asarray(variances, dtype=float)
    if not (c > 0 and 0 <= inf_norm < 1 and var.min() >= 0
            and exact(float(var.max())) <= exact(c) ** 2 and n >= 1):
        return False, {}
    v2 = mp(exact_sum(var))
    e = (1 - mp(inf_norm)) ** 2 * v2**2 / (32 * mp(c) ** 4 * n * var.size)
    return True, {"log_values.failure_prob": (LOG2 - e + 4 * n, e + 4 * n, "log"),
                  "values.sigma_max_bound": (2 * mpmath.sqrt(v2), 0, "value"),
                  "values.sigma_min_bound": (mpmath.sqrt(v2) / 4, 0, "value")}


@settings(max_examples=150, deadline=None)
@given(variances=st.lists(magnitude, min_size=1, max_size=6), c=magnitude, n=st.integers(1, 50),
       inf_norm=st.sampled_from([0.0, 0.5]))
def test_lemma5_at_50_digits(variances, c, n, inf_norm):
    _check("lemma5", {"variances": variances, "c": c, "n": n, "inf_norm": inf_norm}, _lemma5)


def _gaussian(Sigma_S, k, eps, A_inf):
    diag = np.asarray(Sigma_S, dtype=float)
    tr, rho = exact_sum(diag), exact(float(diag.max()))
    if not (k >= 1 and rho > 0 and tr > 64 * k * rho and eps > 0 and A_inf > 0):
        return False, {}
    t, r = mp(tr), mp(rho)
    log = LOG2 - t / (16 * r)
    delta = 32 * mpmath.sqrt(diag.size * mp(k) / t) * 2 * mp(eps)
    return True, {"log_values.failure_prob": (log, t / (16 * r), "log"),
                  "values.delta": (delta, 0, "value")}


@settings(max_examples=100, deadline=None)
@given(base=magnitude, spread=st.lists(st.floats(0.5, 1.0), min_size=64, max_size=200),
       k=st.integers(1, 3), eps=magnitude)
def test_theorem2_gaussian_at_50_digits(base, spread, k, eps):
    Sigma_S = np.array(spread) * base
    _check("theorem2.gaussian", {"Sigma_S": Sigma_S, "k": k, "eps": eps, "A_inf": 1.0},
           _gaussian)


def _weak(variances, c, k, inf_norm, eps, A_inf):
    var = np.asarray(variances, dtype=float)
    total = exact_sum(var)
    if not (k >= 1 and 0 <= inf_norm < 1 and c > 0 and var.min() >= 0
            and exact(float(var.max())) <= exact(c) ** 2
            and exceeds_sqrt(total * (1 - exact(inf_norm)), 16 * exact(c) ** 2 * k, var.size)
            and eps > 0 and A_inf > 0):
        return False, {}
    v = mp(total)
    e = (1 - mp(inf_norm)) * v**2 / (64 * mp(c) ** 4 * k * var.size)
    delta = 32 * mpmath.sqrt(var.size * mp(k) / v) * 2 * mp(eps)
    return True, {"log_values.failure_prob": (LOG2 - e, e, "log"),
                  "values.delta": (delta, 0, "value")}


@settings(max_examples=100, deadline=None)
@given(c=magnitude, fill=st.floats(0.5, 1.0), size=st.integers(1, 3000), k=st.integers(1, 2),
       inf_norm=st.sampled_from([0.0, 0.5]), eps=magnitude)
def test_theorem2_weak_dependence_at_50_digits(c, fill, size, k, inf_norm, eps):
    variances = np.full(size, fill * c * c)
    _check("theorem2.weak_dependence", {"variances": variances, "c": c, "k": k,
                                        "inf_norm": inf_norm, "eps": eps, "A_inf": 1.0}, _weak)


def _remark4(k, log_failure):
    margin = LOG2 - 4 * mp(k) - mp(log_failure)
    return True, {"values.margin": (margin, 4 * mp(k) + abs(mp(log_failure)), "value"),
                  "values.holds": (mpmath.mpf(int(margin >= 0)), 0, "value")}


@settings(max_examples=150, deadline=None)
@given(k=st.integers(1, 2**60), delta=st.floats(-1e3, 1e3))
def test_remark4_at_50_digits(k, delta):
    log_failure = math.log(2) - 4.0 * k + delta
    with mpmath.workdps(400):  # the margin itself: exactly, before the 50-digit comparison
        margin = mpmath.log(2) - 4 * mpmath.mpf(k) - mpmath.mpf(log_failure)
    rec = compute("remark4", k=k, log_failure=log_failure)
    assert rec.value("holds") == int(margin >= 0)
    assert rec.value("margin") == float(margin)
    _check("remark4", {"k": k, "log_failure": log_failure}, _remark4)


def _lemma6(eps, n, a, b):
    if not (0 < eps < 1 and n >= 1 and 0 <= b <= a):
        return False, {}
    e = mp(eps)
    return True, {"values.log_net_size": (n * mpmath.log(3 / e), 0, "value"),
                  "values.sigma_max_bound": (mp(a) / (1 - e), 0, "value"),
                  "values.sigma_min_bound": (mp(b) - e / (1 - e) * mp(a),
                                             mp(b) + e / (1 - e) * mp(a), "value")}


@settings(max_examples=150, deadline=None)
@given(eps=st.floats(1e-300, 1.0, exclude_max=True), n=small_count, a=magnitude,
       ratio=st.floats(0.0, 1.0))
def test_lemma6_at_50_digits(eps, n, a, ratio):
    _check("lemma6", {"eps": eps, "n": n, "a": a, "b": a * ratio}, _lemma6)


def _tails(trace_d, d_max):
    if not (trace_d > 0 and 0 < d_max <= trace_d):
        return False, {}
    r = mp(trace_d) / mp(d_max)
    return True, {"log_values.failure_prob": (-r / 8, 0, "value")}


def _upper(trace_d, d_max):
    valid, _ = _tails(trace_d, d_max)
    if not valid:
        return False, {}
    r = mp(trace_d) / mp(d_max)
    return True, {"log_values.failure_prob": (-r / 4, 0, "value"),
                  "corrected.log_failure_prob": (-r / 8, 0, "value")}


@settings(max_examples=150, deadline=None)
@given(trace_d=magnitude, ratio=magnitude)
def test_lemma7_tails_at_50_digits(trace_d, ratio):
    params = {"trace_d": trace_d, "d_max": trace_d / ratio}
    _check("lemma7.lower_tail", params, _tails)
    _check("lemma7.upper_tail", params, _upper)


def _lemma1(eps, mass_outside):
    if not (eps > 0 and 0 <= mass_outside <= 1):
        return False, {}
    slack = mp(eps) - mp(mass_outside)
    return True, {"values.slack": (slack, mp(eps), "value"),
                  "values.holds_coupling": (mpmath.mpf(int(slack >= 0)), 0, "value")}


@settings(max_examples=100, deadline=None)
@given(eps=magnitude, mass=st.floats(0.0, 1.0))
def test_lemma1_at_50_digits(eps, mass):
    _check("lemma1", {"eps": eps, "mass_outside": mass}, _lemma1)


def _theorem1(L, eps1, eps, m, A_inf):
    if not (eps1 > 0 and eps >= eps1 and L >= 0 and m >= 1 and A_inf >= 0):
        return False, {}
    grid = mpmath.sqrt(m * mp(eps))
    terms = [mp(L) * mp(eps1), mp(A_inf) * mp(L) * m * mp(eps), mp(A_inf) * mp(L) * grid]
    kappa = mpmath.fsum(terms)
    return True, {"values.kappa": (kappa, 0, "value"), "values.delta_grid": (grid, 0, "value"),
                  "values.revenue_loss": (m * kappa, 0, "value")}


@settings(max_examples=100, deadline=None)
@given(L=magnitude, eps1=magnitude, ratio=st.floats(1.0, 1e6), m=st.integers(1, 100),
       A_inf=magnitude)
def test_theorem1_at_50_digits(L, eps1, ratio, m, A_inf):
    _check("theorem1", {"L": L, "eps1": eps1, "eps": eps1 * ratio, "m": m, "A_inf": A_inf},
           _theorem1)


def _lemma2(L, eps, delta, m, A_inf):
    if not (eps >= 0 and delta > 0 and L >= 0 and m >= 1 and A_inf >= 0):
        return False, {}
    me = m * mp(eps)
    kappa = mp(A_inf) * mp(L) * (me + mp(delta) + me / mp(delta))
    return True, {"values.kappa": (kappa, 0, "value"),
                  "values.revenue_loss": (m * kappa, 0, "value"),
                  "values.best_delta": (mpmath.sqrt(me), 0, "value")}


@settings(max_examples=100, deadline=None)
@given(L=magnitude, eps=magnitude, delta=magnitude, m=st.integers(1, 100), A_inf=magnitude)
def test_lemma2_at_50_digits(L, eps, delta, m, A_inf):
    _check("lemma2", {"L": L, "eps": eps, "delta": delta, "m": m, "A_inf": A_inf}, _lemma2)


def _noisy_value(A_inf, eta, eps):
    if not (A_inf > 0 and eta > 0 and eps > 0):
        return False, {}
    stated = (mpmath.log(mp(A_inf)) - mpmath.log(mp(eta)) - mpmath.log(mp(eps))) / mpmath.log(2)
    ratio = (exact(A_inf) + 2 * exact(eps)) / (2 * exact(eta))  # the least q with ratio <= 2^q
    q = 0
    while ratio > 2**q:
        q += 1
    return True, {"values.queries_stated": (stated, abs(mpmath.log(mp(A_inf))) + abs(
                      mpmath.log(mp(eta))) + abs(mpmath.log(mp(eps))), "value"),
                  "values.queries": (mpmath.mpf(max(0, math.ceil(float(stated)))), 0, "value"),
                  "corrected.queries_sufficient": (mpmath.mpf(q), 0, "value")}


@settings(max_examples=100, deadline=None)
@given(A_inf=magnitude, eta=st.builds(lambda m, e: math.ldexp(m, e), st.floats(0.5, 1.0),
                                      st.integers(-60, 60)), eps=magnitude)
def test_theorem2_noisy_value_at_50_digits(A_inf, eta, eps):
    _check("theorem2.noisy_value", {"A_inf": A_inf, "eta": eta, "eps": eps}, _noisy_value)


def test_the_oracle_saw_every_outcome():
    """Run last in this module (pytest keeps file order): the counts of the draws above
    (``RECMECH_ORACLE_COUNTS=PATH`` writes them as JSON)."""
    if os.environ.get("RECMECH_ORACLE_COUNTS"):
        Path(os.environ["RECMECH_ORACLE_COUNTS"]).write_text(json.dumps(dict(OUTCOMES)))
    assert OUTCOMES["record agrees at 50 digits"] > 100
    assert OUTCOMES["named error"] + OUTCOMES["invalid, as the exact hypothesis says"] > 0
