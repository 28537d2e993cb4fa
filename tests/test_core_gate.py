"""The input gate of recmech.core (recmech.core.gate): each check's range is exact at its ends,
and a refusal names the parameter (the fuzz tests, tests/test_fuzz_core.py, throw hostile values
at the constructors that call it)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recmech.core import gate


def test_a_seed_is_a_whole_number_in_0_to_2_to_the_128_minus_1():
    assert gate.seed(0) == 0 and gate.seed(np.uint64(7)) == 7
    assert gate.seed(2**128 - 1) == 2**128 - 1
    for bad, error in ((2**128, ValueError), (-1, ValueError), (1.0, TypeError),
                       (True, TypeError), ("3", TypeError)):
        with pytest.raises(error, match="rng"):
            gate.seed(bad)


def test_real_ends_open_and_closed():
    assert gate.real(1.0, "x", low=1.0) == 1.0 and gate.real(2, "x", high=2.0) == 2.0
    for kwargs in ({"low": 1.0, "low_open": True}, {"high": 1.0, "high_open": True}):
        with pytest.raises(ValueError, match=r"x must be [<>] 1\.0"):
            gate.real(1.0, "x", **kwargs)
    for bad, error in ((math.nan, ValueError), (math.inf, ValueError), (10**400, ValueError),
                       (1j, TypeError), (np.bool_(True), TypeError), (None, TypeError)):
        with pytest.raises(error, match="x must be"):
            gate.real(bad, "x")


def test_probabilities_and_indices_at_their_ends():
    assert gate.probabilities([0.25, 0.75], "probs", size=2).tolist() == [0.25, 0.75]
    for bad in ([0.5, 0.6], [-0.1, 1.1], [0.5], [[0.5, 0.5]]):
        with pytest.raises(ValueError, match="probs"):
            gate.probabilities(bad, "probs", size=2)
    assert gate.indices([0, 4], "items", 5).tolist() == [0, 4]
    for bad in ([5], [-1]):
        with pytest.raises(ValueError, match=r"items must lie in \[0, 5\)"):
            gate.indices(bad, "items", 5)
