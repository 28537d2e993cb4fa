"""Clopper-Pearson takes whole, finite counts: properties.stats refuses the rest by name."""

import math

import numpy as np
import pytest

from recmech.properties.judging.stats import clopper_pearson


@pytest.mark.parametrize("k,n,error,match", [
    (0, math.inf, ValueError, "n must be a finite whole number of trials"),
    (0, math.nan, ValueError, "n must be a finite whole number"),
    (1.5, 3, ValueError, "k must be a finite whole number of failures"),
    (0, 2.5, ValueError, "n must be"),
    (True, 3, TypeError, "k must be a whole number of failures, not a bool"),
    (0, "10", TypeError, "n must be a whole number of trials"),
    (None, 10, TypeError, "k must be"),
])
def test_counts_must_be_finite_whole_numbers(k, n, error, match):
    """clopper_pearson(0, inf) returned upper = 0.0 (an infinite sample proves p = 0) and a
    non-integer k was accepted."""
    with pytest.raises(error, match=match):
        clopper_pearson(k, n)


def test_integral_floats_and_numpy_ints_are_counts():
    assert clopper_pearson(0, 3.0) == clopper_pearson(0, 3)
    cp = clopper_pearson(np.int64(2), np.int64(10), 1e-3)
    assert isinstance(cp.k, int) and isinstance(cp.n, int) and 0 < cp.lower < cp.upper < 1


def test_alpha_is_checked_by_name():
    with pytest.raises(ValueError, match="alpha must be in"):
        clopper_pearson(0, 10, math.nan)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        clopper_pearson(0, 10, "0.01")
