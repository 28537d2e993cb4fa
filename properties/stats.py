"""Statistical control for Monte Carlo checks: exact Clopper-Pearson bounds.

A Monte Carlo verdict is drawn from k failures in n independent trials. With the two one-sided
Clopper-Pearson bounds at level ``alpha`` each, the true failure probability p lies below the upper
bound with probability >= 1 - alpha and above the lower bound with probability >= 1 - alpha
(exact binomial, no normal approximation). A check says "fails" only if the lower bound exceeds
the stated probability (false alarm <= alpha) and "holds" only if the upper bound is below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

DEFAULT_ALPHA = 1e-9


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


def clopper_pearson(k: int, n: int, alpha: float = DEFAULT_ALPHA) -> BinomialBounds:
    """One-sided exact bounds: Pr[p < lower] <= alpha and Pr[p > upper] <= alpha.

    lower = Beta^{-1}(alpha; k, n - k + 1) (0 if k = 0),
    upper = Beta^{-1}(1 - alpha; k + 1, n - k) (1 if k = n).
    """
    if isinstance(k, bool) or isinstance(n, bool):
        raise TypeError("k and n must be ints, not bools")
    if n < 1:
        raise ValueError(f"n must be >= 1 trials; found {n}")
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, n] = [0, {n}]; found {k}")
    if not 0.0 < alpha < 0.5:
        raise ValueError(f"alpha must be in (0, 1/2); found {alpha}")
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
    if bounds.lower > stated:
        return "fails-as-stated"
    if bounds.upper <= stated:
        return "holds"
    return "inconclusive"
