"""Exact tail probabilities of weighted chi-square sums, in natural-log form.

Cai-Daskalakis EC'22, Lemma 7 and its proof: for a fixed unit x, ||Vx||^2 has the law of
Q = sum_i d_i g_i^2 with g_i iid N(0, 1). Its tails are computed here without sampling:

- equal weights (d_i = d): Q/d ~ chi2_n, via ``scipy.stats.chi2`` (``logsf``/``logcdf``), and for
  even n the closed Poisson form Pr[chi2_n >= x] = e^{-x/2} sum_{j < n/2} (x/2)^j / j!, evaluated in
  mpmath at any precision (claim: project.chi2_closed_forms);
- general weights, fast and with a rigorous truncation bracket: Ruben's mixture representation
  (Ruben 1962, Ann. Math. Statist. 33, eq. 2.5) with beta = min_i d_i:
  Pr[Q <= x] = sum_k a_k Pr[chi2_{n+2k} <= x / beta],  a_k >= 0,  sum_k a_k = 1,
  a_0 = prod_i sqrt(beta / d_i),  a_k = (1 / 2k) sum_{r<k} G_{k-r} a_r,
  G_j = sum_i (1 - beta/d_i)^j;
  truncating after K terms leaves an unknown part in [0, 1 - sum_{k<K} a_k] (every chi2 probability
  lies in [0, 1]), which is carried as the width of the returned bracket (claim:
  project.ruben_bracket);
- general weights, as an independent oracle: Imhof's inversion formula
  (Imhof 1961, Biometrika 48, eq. 3.2)
  Pr[Q > x] = 1/2 + (1/pi) int_0^inf sin(theta(u)) / (u rho(u)) du,
  theta(u) = (1/2) sum_i atan(d_i u) - x u / 2,  rho(u) = prod_i (1 + d_i^2 u^2)^{1/4},
  integrated with mpmath at a working precision high enough that the cancellation against 1/2
  leaves the requested significant digits (claim: project.ruben_bracket).

The checks' oracle on purpose does not share code with ``recmech.bounds.logspace``, the
calculators' own log tails (series and mpmath where scipy underflows): the two are computed
independently and compared (tests/test_prop_lemma7.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import mpmath
import numpy as np
from scipy import special, stats

from recmech.core.gate import flag, real, real_array, whole

__all__ = ["TailBracket", "chi2_log_cdf", "chi2_log_sf", "chi2_sf_mp", "chi2_sf_poisson",
           "imhof_sf", "log_add", "log_lower_tail", "log_upper_tail", "ruben_tail"]


# n/2 float terms: 80 MB at the limit
CLOSED_FORM_MAX_N = 2 * 10**7
MAX_DF = 10**15  # degrees of freedom: far beyond any check, and exact as a float
MAX_DPS = 10**4  # mpmath digits: a caller's 10^9 would not return
MAX_TERMS = 10**6


def _df(n, name: str = "n") -> int:
    return whole(n, name, low=1, high=MAX_DF)


def _dps(dps) -> int:
    return whole(dps, "dps", low=1, high=MAX_DPS)


def _weights(d: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = real_array(d, "d", 1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"d must be a non-empty 1-d array of weights; found shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"d must have finite entries > 0 (a diagonal covariance); found {arr}")
    return arr


def _equal(arr: np.ndarray) -> bool:
    return bool(np.all(arr == arr[0]))


def _log_sum_exp(v: np.ndarray) -> float:
    top = float(np.max(v))
    return top + math.log(float(np.sum(np.exp(v - top))))


def log_chi2_upper_closed(x: float, n: int) -> float:
    """log Pr[chi2_n >= x] in closed form, every term positive (no cancellation, no underflow):
    Q(n/2, y), y = x/2, is e^{-y} sum_{j<m} y^j / j! for n = 2m, and
    erfc(sqrt y) + e^{-y} sum_{j<m} y^{j+1/2} / Gamma(j + 3/2) for n = 2m + 1 (claim:
    project.chi2_closed_forms)."""
    if n > CLOSED_FORM_MAX_N:
        raise ValueError(f"n = {n}: the closed form sums n/2 terms; at most "
                         f"{CLOSED_FORM_MAX_N:,} degrees of freedom")
    y = x / 2.0
    m = n // 2
    j = np.arange(m, dtype=float)
    if n % 2 == 0:
        terms = j * math.log(y) - special.gammaln(j + 1) - y if m else np.array([-math.inf])
        return _log_sum_exp(terms)
    terms = (j + 0.5) * math.log(y) - special.gammaln(j + 1.5) - y
    erfc = math.log(2.0) + float(special.log_ndtr(-math.sqrt(x)))  # erfc(sqrt y)
    return _log_sum_exp(np.append(terms, erfc)) if m else erfc


def log_chi2_lower_series(x: float, n: int) -> float:
    """log Pr[chi2_n <= x] by the series P(a, y) = e^{-y} y^a sum_{j>=0} y^j / Gamma(a + j + 1),
    a = n/2, y = x/2, summed in log space until the terms fall below 1e-17 of the sum (for
    y < a + 1 the terms decrease at least geometrically, ratio y / (a + 1)) (claim:
    project.chi2_closed_forms)."""
    a, y = n / 2.0, x / 2.0
    if not y < a + 1:
        raise ValueError(f"the lower-tail series needs x/2 < n/2 + 1; found x = {x}, n = {n}")
    ratio = y / (a + 1)
    count = max(1, int(math.ceil(math.log(1e-17) / math.log(ratio))) + 2) if ratio > 0 else 1
    j = np.arange(count, dtype=float)
    terms = -y + (a + j) * math.log(y) - special.gammaln(a + j + 1)
    return _log_sum_exp(terms)


def chi2_log_sf(x: float, n: int) -> float:
    """log Pr[chi2_n >= x] (continuous law, so >= and > agree): scipy's log survival, and the
    closed form ``log_chi2_upper_closed`` where scipy's float tail underflows (claim:
    project.chi2_closed_forms)."""
    x, n = real(x, "x", low=0.0), _df(n)
    out = float(stats.chi2.logsf(x, n))
    if out < -700:
        return log_chi2_upper_closed(x, n)
    return out


def chi2_log_cdf(x: float, n: int) -> float:
    """log Pr[chi2_n <= x]: scipy's log cdf, and the series ``log_chi2_lower_series`` where it
    underflows (claim: project.chi2_closed_forms)."""
    x, n = real(x, "x", low=0.0, low_open=True), _df(n)
    out = float(stats.chi2.logcdf(x, n))
    if out < -700:
        return log_chi2_lower_series(x, n)
    return out


def chi2_sf_mp(x: float | mpmath.mpf, n: int, dps: int = 50) -> mpmath.mpf:
    """Pr[chi2_n >= x] in mpmath at ``dps`` digits: the regularised upper incomplete gamma (claim:
    project.chi2_closed_forms).

    For even n this equals the finite Poisson sum e^{-x/2} sum_{j < n/2} (x/2)^j / j! (claim:
    project.chi2_closed_forms).
    """
    x = x if isinstance(x, mpmath.mpf) and mpmath.isfinite(x) and x >= 0 else real(x, "x", low=0.0)
    n, dps = _df(n), _dps(dps)
    with mpmath.workdps(dps):
        return +mpmath.gammainc(mpmath.mpf(n) / 2, mpmath.mpf(x) / 2, mpmath.inf, regularized=True)


def chi2_sf_poisson(x: int | mpmath.mpf, n: int, dps: int = 50) -> mpmath.mpf:
    """Pr[chi2_n >= x] for even n by the closed Poisson sum (an independent oracle) (claim:
    project.chi2_closed_forms)."""
    x = x if isinstance(x, mpmath.mpf) and mpmath.isfinite(x) and x >= 0 else real(x, "x", low=0.0)
    n, dps = whole(n, "n", low=2, high=CLOSED_FORM_MAX_N), _dps(dps)
    if n % 2:
        raise ValueError(f"n must be even and >= 2 for the Poisson form; found {n}")
    with mpmath.workdps(dps):
        h = mpmath.mpf(x) / 2
        return mpmath.exp(-h) * mpmath.fsum(h**j / mpmath.factorial(j) for j in range(n // 2))


def imhof_sf(d: Sequence[float] | np.ndarray, x: float, dps: int = 30) -> mpmath.mpf:
    """Pr[sum_i d_i g_i^2 > x] by Imhof's formula (see module docstring), in mpmath (claim:
    project.ruben_bracket).

    ``dps`` significant digits are carried; the result is accurate to about 10^(-dps+5) in
    absolute terms, so tails far below that need a larger ``dps``.
    """
    w = _weights(d)
    x, dps = real(x, "x", low=0.0, low_open=True), _dps(dps)
    with mpmath.workdps(dps):
        lam = [mpmath.mpf(float(v)) for v in w]
        xm = mpmath.mpf(float(x))

        def integrand(u):
            if u == 0:
                # limit u -> 0 of sin(theta)/(u rho) = (sum d_i - x) / 2
                return (mpmath.fsum(lam) - xm) / 2
            theta = mpmath.fsum(mpmath.atan(v * u) for v in lam) / 2 - xm * u / 2
            rho = mpmath.exp(mpmath.fsum(mpmath.log1p((v * u) ** 2) for v in lam) / 4)
            return mpmath.sin(theta) / (u * rho)

        # theta(u) -> n pi/4 - x u/2: the integrand oscillates with period 4 pi / x
        period = 4 * mpmath.pi / xm
        integral = mpmath.quadosc(integrand, [0, mpmath.inf], period=period)
        return mpmath.mpf(0.5) + integral / mpmath.pi


@dataclass(frozen=True)
class TailBracket:
    """A probability p known to lie in [exp(log_lo), exp(log_hi)] (natural logs)."""

    log_lo: float
    log_hi: float
    terms: int

    @property
    def log_mid(self) -> float:
        return 0.5 * (self.log_lo + self.log_hi)

    def to_dict(self) -> dict:
        return {"log_lo": self.log_lo, "log_hi": self.log_hi, "terms": self.terms}


def ruben_tail(d: Sequence[float] | np.ndarray, x: float, upper: bool = True,
               rel_width: float = 1e-9, max_terms: int = 20000) -> TailBracket:
    """Bracket of Pr[Q >= x] (``upper``) or Pr[Q <= x] for Q = sum_i d_i g_i^2 (Ruben's series)
    (claim: project.ruben_bracket).

    The bracket's relative width is at most ``rel_width``; ValueError if ``max_terms`` terms do
    not reach it (weights too spread: min d / max d tiny) rather than a number that looks exact
    (claim: project.ruben_bracket).
    """
    w = _weights(d)
    x = real(x, "x", low=0.0, low_open=True)  # float64: numpy 2 keeps a float32's arithmetic
    upper = flag(upper, "upper")
    rel_width = real(rel_width, "rel_width", low=0.0, high=1.0, low_open=True)
    max_terms = whole(max_terms, "max_terms", low=1, high=MAX_TERMS)
    beta = float(w.min())
    ratio = 1.0 - beta / w
    log_a0 = 0.5 * float(np.sum(np.log(beta / w)))
    if log_a0 < -700:
        raise ValueError(f"d is too spread for Ruben's series (log a_0 = {log_a0}); use imhof_sf")
    n = w.size
    y = x / beta
    rho = float(ratio.max())
    a = [math.exp(log_a0)]
    g = [0.0]
    total_p = 0.0
    k = 0
    while True:
        if k > 0:
            g.append(float(np.sum(ratio**k)))
            a.append(float(np.dot(np.asarray(g[k:0:-1]), np.asarray(a[:k]))) / (2 * k))
        df = n + 2 * k
        # chdtrc/chdtr are the chi2 survival/cdf ufuncs (no per-call distribution overhead)
        pk = float(special.chdtrc(df, y) if upper else special.chdtr(df, y))
        total_p += a[k] * pk
        k += 1
        rest = _ruben_remainder(log_a0, n, rho, k)
        if not upper:
            # the lower tail Pr[chi2_df <= y] decreases in df: later terms are at most pk each
            # (claim: project.ruben_bracket)
            rest *= pk
        if total_p > 0 and rest <= rel_width * total_p:
            break
        if k >= max_terms:
            raise ValueError(f"Ruben's series did not reach relative width {rel_width} in "
                             f"{max_terms} terms (min d / max d = {beta / w.max():.3g})")
    return TailBracket(math.log(total_p), math.log(total_p + rest), k)


def _ruben_remainder(log_a0: float, n: int, rho: float, k: int) -> float:
    """Upper bound of sum_{j >= k} a_j: coefficientwise a_j <= a_0 C(j + n/2 - 1, j) rho^j
    (prod_i (1 - rho_i z)^{-1/2} is dominated by (1 - rho z)^{-n/2}, rho = max rho_i), whose
    tail is a_0 (1 - rho)^{-n/2} Pr[NegBin(n/2, 1 - rho) >= k] (in log space: no cancellation)
    (claim: project.ruben_bracket)."""
    if rho <= 0.0:
        return 0.0
    log_tail = float(stats.nbinom.logsf(k - 1, n / 2, 1.0 - rho))
    return math.exp(min(0.0, log_a0 - (n / 2) * math.log1p(-rho) + log_tail))


def log_upper_tail(d: Sequence[float] | np.ndarray, x: float) -> float:
    """definition: log Pr[sum_i d_i g_i^2 >= x]: chi2 for equal weights, Imhof otherwise."""
    w = _weights(d)
    x = real(x, "x", low=0.0, low_open=True)
    if _equal(w):
        return chi2_log_sf(x / w[0], w.size)
    p = imhof_sf(w, x)
    if p <= 0:
        raise ValueError(f"Imhof tail at x={x} is below its working precision; raise dps")
    return float(mpmath.log(p))


def log_lower_tail(d: Sequence[float] | np.ndarray, x: float) -> float:
    """definition: log Pr[sum_i d_i g_i^2 <= x]: chi2 for equal weights, Imhof otherwise."""
    w = _weights(d)
    x = real(x, "x", low=0.0, low_open=True)
    if _equal(w):
        return chi2_log_cdf(x / w[0], w.size)
    p = 1 - imhof_sf(w, x)
    if p <= 0:
        raise ValueError(f"Imhof lower tail at x={x} is below its working precision; raise dps")
    return float(mpmath.log(p))


def log_add(a: float, b: float) -> float:
    """log(e^a + e^b) without overflow or underflow (a log may be -inf: a zero probability;
    both are taken as float64, so a float16 is not added in its own precision)."""
    a, b = (_log(v, name) for v, name in ((a, "a"), (b, "b")))
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    hi, lo = max(a, b), min(a, b)
    return hi + math.log1p(math.exp(lo - hi))


def _log(value, name: str) -> float:
    """A natural log: a real number, or -inf (the log of 0)."""
    if isinstance(value, (float, np.floating)) and float(value) == -math.inf:
        return -math.inf
    return real(value, name)
