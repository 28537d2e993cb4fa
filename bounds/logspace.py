"""Exact and log-space arithmetic for the calculators: nothing a calculator reports depends on
float64 overflow or underflow on the way.

A formula is evaluated on ``mpmath`` numbers (``mp``: every float64 is an mpf exactly; the
exponent range is unbounded, so 1e308 * 1e308 or 0 * (something huge) stays exact) at ``PREC``
bits, and only the result is turned into a float (``to_float``): a result beyond float64 raises
ValueError naming it, never inf or NaN. Probabilities are carried as natural logs (``prob`` gives
the float, which may underflow to 0.0 where the log does not); exact chi-square tails fall back to
mpmath's regularised incomplete gamma where scipy's float tail underflows. Query counts use exact
rational arithmetic (``ceil_log2``).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
from scipy import stats

from recmech.bounds.inputs import array, real

__all__ = ["PREC", "ceil_log2", "chi2_log_cdf", "chi2_log_sf", "log2", "log_sum_squares", "mp",
           "prob", "to_float"]

PREC = 113  # bits: quadruple precision, so rounding stays far below float64's
_FLOAT_MAX = float(np.finfo(float).max)
_SCIPY_FLOOR = -700.0  # below this scipy's float tail is subnormal or 0: redo it in mpmath


def mp(x: Any) -> mpmath.mpf:
    """``x`` (a float, int, Fraction or mpf) as an mpf, exactly for floats and ints."""
    if x is None or isinstance(x, (bool, np.bool_, str, bytes, np.ndarray, np.timedelta64,
                                   np.datetime64)):
        raise TypeError(f"x must be a real number (float, int, Fraction or mpf); found "
                        f"{type(x).__name__}")
    if isinstance(x, np.floating):  # float16, float32, longdouble: mpf takes float64
        x = float(x)
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    if isinstance(x, (np.integer, int)):
        return mpmath.mpf(int(x))
    return mpmath.mpf(x)


def to_float(name: str, x: Any, why: str = "") -> float:
    """The float64 of ``x``; ValueError naming ``name`` when |x| exceeds float64 (with ``why``,
    the parameters that make it so) or when x is not a finite number."""
    value = mp(x) if not isinstance(x, mpmath.mpf) else x
    if not mpmath.isfinite(value):
        raise ValueError(f"{name} is not a finite number ({mpmath.nstr(value, 6)}){why}")
    if abs(value) > _FLOAT_MAX:
        raise ValueError(f"{name} = {mpmath.nstr(value, 8)} is beyond float64 (|x| <= "
                         f"{_FLOAT_MAX:.6g}){why}")
    return float(value)


def prob(log_p: float) -> float:
    """definition: The probability exp(log_p) of a bound whose natural log is ``log_p``, at most 1
    (a bound
    with log_p >= 0 is vacuous); 0.0 where exp underflows (the log is what counts)."""
    if isinstance(log_p, (bool, np.bool_, np.timedelta64)) or not isinstance(
            log_p, (int, float, np.integer, np.floating, mpmath.mpf)):
        raise TypeError(f"log_p must be a real number; found {type(log_p).__name__}")
    if mpmath.isnan(log_p) or log_p == math.inf:
        raise ValueError(f"log_p must be a log probability (a number < inf); found {log_p}")
    return math.exp(min(log_p, 0.0))


def log2(x: float) -> float:
    """log2 of a positive float (math.log2 is exact for powers of two and never overflows)."""
    x = real("x", x)
    if not x > 0:
        raise ValueError(f"x must be a finite number > 0; found {x}")
    return math.log2(x)


def log_sum_squares(values: np.ndarray) -> float:
    """log(sum_i v_i^2) of a non-zero float array, scaled by its largest |v_i| so neither the
    squares overflow (1e200^2) nor underflow (1e-200^2)."""
    a = np.abs(array("values", values, ndim=1))
    top = float(a.max())
    if top == 0.0:
        raise ValueError("values: log_sum_squares needs a non-zero entry")
    scaled = a / top
    return 2.0 * math.log(top) + math.log(float(np.dot(scaled, scaled)))


def ceil_log2(ratio: Fraction) -> int:
    """definition: max(0, ceil(log2(ratio))) of a positive rational, exactly: the least q >= 0 with
    ratio <= 2^q (no float, so 1e308 / 5e-324 neither overflows nor rounds)."""
    if isinstance(ratio, bool) or not isinstance(ratio, (Fraction, int)):
        raise TypeError(f"ratio must be a Fraction or an int; found {type(ratio).__name__}")
    if ratio <= 0:
        raise ValueError(f"ceil_log2 needs a positive ratio; found {ratio}")
    if ratio <= 1:
        return 0
    q = max(0, ratio.numerator.bit_length() - ratio.denominator.bit_length() - 1)
    while ratio > Fraction(2) ** q:
        q += 1
    return q


def _chi2_mp(n: int, lower: float | None, upper: float | None) -> float:
    # the regularised incomplete gamma P(n/2, x/2) (cdf) or Q(n/2, x/2) (survival), its log in
    # 30 digits: the log is moderate even where the probability underflows float64
    with mpmath.workdps(30):
        a = mpmath.mpf(n) / 2
        lo = 0 if lower is None else mpmath.mpf(lower) / 2
        hi = mpmath.inf if upper is None else mpmath.mpf(upper) / 2
        return float(mpmath.log(mpmath.gammainc(a, lo, hi, regularized=True)))


# mpmath's incomplete gamma fails to converge (n = 14599, x = 2n) or takes minutes (n near
# 1e100) far in the tails; there Lemma 7's isotropic tails (x = n/4 below the mean, x = 2n
# above it) use the series below, which converge geometrically for every n
_SERIES_FROM = 400


def _log_gamma_p_series(a: mpmath.mpf, x: mpmath.mpf) -> mpmath.mpf:
    """log P(a, x) for x < a: P(a, x) = e^-x x^a / Gamma(a + 1) sum_k x^k / prod_{j<=k}(a + j)
    (DLMF 8.7.1); the terms shrink by x / (a + k) < 1, and the sum stops once a term is below
    1e-45 of it (the rest is below that times x/(a - x)) (claim: project.gamma_series)."""
    term = total = mpmath.mpf(1)
    k = 0
    while term > total * mpmath.mpf(10) ** -45:
        k += 1
        term *= x / (a + k)
        total += term
    return -x + a * mpmath.log(x) - mpmath.loggamma(a + 1) + mpmath.log(total)


def _log_gamma_q_series(a: mpmath.mpf, x: mpmath.mpf) -> mpmath.mpf:
    """log Q(a, x) for x >= 2(a - 1), a > 200: Gamma(a, x) = x^(a-1) e^-x sum_{k<K} t_k + R,
    t_k = prod_{j=1..k} (a - j) / x^k (integration by parts, DLMF 8.8.2), with
    0 <= R <= 2 t_K x^(a-1) e^-x while a - K > 1 (the terms shrink by (a - k)/x < 1/2) (claim:
    project.gamma_series)."""
    term = total = mpmath.mpf(1)
    k = 0
    while term > total * mpmath.mpf(10) ** -45:
        k += 1
        term *= (a - k) / x
        total += term
    return (a - 1) * mpmath.log(x) - x + mpmath.log(total) - mpmath.loggamma(a)


def _chi2_series(n: int, x: float, upper: bool) -> float:
    with mpmath.workdps(45):
        a, half = mpmath.mpf(n) / 2, mpmath.mpf(x) / 2
        out = _log_gamma_q_series(a, half) if upper else _log_gamma_p_series(a, half)
        return float(out)


def chi2_log_sf(x: float, n: int) -> float:
    """log Pr[chi2_n >= x]: scipy's float tail; where it underflows (below e^-700), the series
    for x >= 2n - 4 and n > 400 (Lemma 7's upper tail, any n: n = 1e300 gives -1.534e299), else
    mpmath's regularised incomplete gamma (claim: project.gamma_series)."""
    x, n = real("x", x), real("n", n)  # float64 first (n may exceed int64: 1e300)
    if n > _SERIES_FROM and x >= 2 * n - 4 and n > 1e15:
        return _chi2_series(n, x, upper=True)  # n beyond scipy's float arithmetic
    out = float(stats.chi2.logsf(float(x), float(n)))
    if out > _SCIPY_FLOOR:
        return out
    if n > _SERIES_FROM and x >= 2 * n - 4:
        return _chi2_series(n, x, upper=True)
    return _chi2_mp(n, x, None)


def chi2_log_cdf(x: float, n: int) -> float:
    """log Pr[chi2_n <= x]: scipy's float tail; where it underflows, the series for x <= n/2
    (Lemma 7's lower tail, any n), else mpmath's regularised incomplete gamma (claim:
    project.gamma_series)."""
    x, n = real("x", x), real("n", n)  # float64 first (n may exceed int64: 1e300)
    if 2 * mpmath.mpf(x) <= n and n > 1e15:
        return _chi2_series(n, x, upper=False)  # n beyond scipy's float arithmetic
    out = float(stats.chi2.logcdf(float(x), float(n)))
    if out > _SCIPY_FLOOR:
        return out
    if 2 * mpmath.mpf(x) <= n:
        return _chi2_series(n, x, upper=False)
    return _chi2_mp(n, None, x)
