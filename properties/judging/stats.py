"""Statistical control for Monte Carlo checks: exact Clopper-Pearson bounds.

A Monte Carlo verdict is drawn from k failures in n independent trials. With the two one-sided
Clopper-Pearson bounds at level ``alpha`` each, the true failure probability p lies below the upper
bound with probability >= 1 - alpha and above the lower bound with probability >= 1 - alpha
(exact binomial, no normal approximation) (claim: project.clopper_pearson_duality). A check says
"fails" only if the lower bound exceeds the stated probability (false alarm <= alpha) and "holds"
only if the upper bound is below it (claim: project.clopper_pearson_duality).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy import stats

from recmech.core.gate import flag, real, whole

__all__ = ["DEFAULT_ALPHA", "BinomialBounds", "SampleSize", "clopper_pearson",
           "compare_probability", "power", "sample_size"]

# each test's false-alarm (and false-pass) probability: small enough that a whole report, some
# twenty tests, stays below 1e-8 by the union bound
DEFAULT_ALPHA = 2.5e-10
# trials: far beyond any Monte Carlo run, and a count scipy's binomial quantiles still resolve
# (power(2**63, ...) never returned; 2^64 - 1 as a uint64 gave power 0.0)
MAX_TRIALS = 10**12


@dataclass(frozen=True)
class BinomialBounds:
    """Exact one-sided Clopper-Pearson bounds for a failure probability from k of n trials."""

    k: int
    n: int
    alpha: float
    lower: float
    upper: float

    @property
    def estimate(self) -> float:
        return self.k / self.n

    def to_dict(self) -> dict:
        return {"k": self.k, "n": self.n, "alpha": self.alpha, "lower": self.lower,
                "upper": self.upper, "estimate": self.estimate}


def _count(name: str, value: object, what: str) -> int:
    """A whole, finite count of trials or failures: a Python or numpy int, or an integral float
    (``3.0``); TypeError for bools and non-numbers, ValueError for 2.5, NaN or inf (an infinite
    number of trials certifies nothing: ``clopper_pearson(0, inf)`` would report upper = 0)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a whole number of {what}, not a bool; found {value!r}")
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.timedelta64):
        return int(value)
    if not isinstance(value, Real):
        raise TypeError(f"{name} must be a whole number of {what}; found {value!r}")
    try:  # float64 first: a float16 or longdouble count, NaN, inf
        x = real(value, name)
    except ValueError:
        x = math.nan
    if not math.isfinite(x) or x != math.floor(x):
        raise ValueError(f"{name} must be a finite whole number of {what}; found {value!r}")
    return int(x)


def _trials(value: object) -> int:
    n = _count("n", value, "trials")
    if not 1 <= n <= MAX_TRIALS:
        raise ValueError(f"n must be in [1, {MAX_TRIALS:.0e}] trials; found {n}")
    return n


def _alpha(value: object, name: str = "alpha") -> float:
    """An error level in (0, 1/2), as a float64 (TypeError for a non-number)."""
    x = real(value, name) if not isinstance(value, (float, np.floating)) else float(value)
    if not 0.0 < x < 0.5:  # NaN fails this too
        raise ValueError(f"{name} must be in (0, 1/2); found {x}")
    return x


def clopper_pearson(k: int, n: int, alpha: float = DEFAULT_ALPHA) -> BinomialBounds:
    """One-sided exact bounds: Pr[p < lower] <= alpha and Pr[p > upper] <= alpha (claim:
    project.clopper_pearson_duality).

    lower = Beta^{-1}(alpha; k, n - k + 1) (0 if k = 0),
    upper = Beta^{-1}(1 - alpha; k + 1, n - k) (1 if k = n).
    """
    k, n = _count("k", k, "failures"), _trials(n)
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, n] = [0, {n}]; found {k}")
    alpha = _alpha(alpha)  # a float64: np.longdouble broke scipy's beta quantile
    lower = 0.0 if k == 0 else float(stats.beta.ppf(alpha, k, n - k + 1))
    if k == n:
        upper = 1.0
    elif k == 0:
        # closed form, exact even when alpha is tiny: (1 - p)^n = alpha
        upper = -math.expm1(math.log(alpha) / n)
    else:
        upper = float(stats.beta.isf(alpha, k + 1, n - k))
    return BinomialBounds(k, n, alpha, lower, upper)


def compare_probability(bounds: BinomialBounds, stated: float) -> str:
    """"fails-as-stated" if the lower bound exceeds ``stated``, "holds" if the upper bound is
    below it, "inconclusive" otherwise (``stated`` is the claimed bound on the probability)."""
    if not isinstance(bounds, BinomialBounds):
        raise TypeError(f"bounds must be a BinomialBounds (from clopper_pearson); found "
                        f"{type(bounds).__name__}")
    stated = real(stated, "stated", low=0.0, high=1.0)
    if bounds.lower > stated:
        return "fails-as-stated"
    if bounds.upper <= stated:
        return "holds"
    return "inconclusive"


@dataclass(frozen=True)
class SampleSize:
    """Draws a Monte Carlo check needs: with ``n`` draws, a true probability ``true_p`` leads to
    the verdict ``verdict`` with probability >= 1 - ``beta``, while the opposite verdict on the
    other side of ``stated`` keeps its error <= ``alpha`` (Clopper-Pearson) (claim:
    project.clopper_pearson_duality)."""

    n: int
    stated: float
    true_p: float
    alpha: float
    beta: float
    verdict: str
    power: float

    def to_dict(self) -> dict:
        return {"n": self.n, "stated": self.stated, "true_p": self.true_p, "alpha": self.alpha,
                "beta": self.beta, "verdict": self.verdict, "power": self.power}


def _check_probabilities(stated: float, true_p: float, alpha: float,
                         beta: float) -> tuple[float, float, float, float]:
    """The four as float64: probabilities in [0, 1], error levels in (0, 1/2)."""
    return (real(stated, "stated", low=0.0, high=1.0), real(true_p, "true_p", low=0.0, high=1.0),
            _alpha(alpha), _alpha(beta, "beta"))


def _critical(n: int, stated: float, alpha: float, fails: bool) -> int | None:
    """The critical count of the verdict: the least K with Pr_{Bin(n, stated)}[X >= K] < alpha
    ("fails"), or the largest K with Pr_{Bin(n, stated)}[X <= K] <= alpha ("holds"); None when
    no count qualifies (claim: project.clopper_pearson_duality). Found from scipy's quantile and
    settled exactly on its neighbours (the quantile is a float computation; the conditions are
    checked as stated)."""
    if fails:
        def good(k: int) -> bool:
            return 0 <= k <= n and float(stats.binom.sf(k - 1, n, stated)) < alpha

        guess = int(stats.binom.isf(alpha, n, stated)) + 1
        cands = [k for k in range(max(0, guess - 3), min(n, guess + 3) + 1) if good(k)]
        if not cands:
            return None
        k = min(cands)
        while k - 1 >= 0 and good(k - 1):
            k -= 1
        return k

    def good(k: int) -> bool:  # noqa: F811 - the other branch's condition
        return 0 <= k <= n and float(stats.binom.cdf(k, n, stated)) <= alpha

    guess = int(stats.binom.ppf(alpha, n, stated))
    cands = [k for k in range(max(0, guess - 3), min(n, guess + 3) + 1) if good(k)]
    if not cands:
        return None
    k = max(cands)
    while k + 1 <= n and good(k + 1):
        k += 1
    return k


def power(n: int, stated: float, true_p: float, alpha: float, fails: bool) -> float:
    """Pr_{K ~ Bin(n, true_p)}[the check's verdict is "fails" (resp. "holds")].

    By Clopper-Pearson duality, lower(K) > stated iff Pr_{Bin(n, stated)}[X >= K] < alpha, and
    upper(K) <= stated iff Pr_{Bin(n, stated)}[X <= K] <= alpha: the verdict is decided by one
    critical count (``_critical``), so the power is one binomial tail (claim:
    project.clopper_pearson_duality). definition: ``n`` is at most ``MAX_TRIALS``.
    """
    n = _trials(n)
    stated, true_p, alpha, _ = _check_probabilities(stated, true_p, alpha, 0.25)
    fails = flag(fails, "fails")
    k = _critical(n, stated, alpha, fails)
    if k is None:
        return 0.0
    return float(stats.binom.sf(k - 1, n, true_p) if fails else stats.binom.cdf(k, n, true_p))


def sample_size(stated: float, true_p: float, alpha: float = DEFAULT_ALPHA,
                beta: float = DEFAULT_ALPHA, n_max: int = 10**8) -> SampleSize:
    """The smallest n (found by doubling, then bisection; the power at n is verified) such that
    a true failure probability ``true_p`` is told apart from the ``stated`` bound: "fails" with
    probability >= 1 - beta when true_p > stated (detecting a violation), "holds" with
    probability >= 1 - beta when true_p < stated (confirming the claim); exact binomial (claim:
    project.clopper_pearson_duality)."""
    stated, true_p, alpha, beta = _check_probabilities(stated, true_p, alpha, beta)
    n_max = whole(n_max, "n_max", low=1, high=MAX_TRIALS)
    if true_p == stated:
        raise ValueError(f"true_p must differ from stated = {stated}; found {true_p}")
    fails = true_p > stated
    lo, hi = 0, 1
    while power(hi, stated, true_p, alpha, fails) < 1 - beta:
        lo, hi = hi, hi * 2
        if hi > n_max:
            raise ValueError(f"more than n_max = {n_max} draws are needed to tell {true_p} from "
                             f"{stated} at alpha = {alpha}, beta = {beta}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if power(mid, stated, true_p, alpha, fails) >= 1 - beta:
            hi = mid
        else:
            lo = mid
    return SampleSize(hi, stated, true_p, alpha, beta, "fails-as-stated" if fails else "holds",
                      power(hi, stated, true_p, alpha, fails))
