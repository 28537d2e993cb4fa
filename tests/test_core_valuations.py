"""Constrained-additive valuations (Cai-Daskalakis EC'22, Definitions 4-5)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recmech.core.valuations import Additive, CDemand, DownwardClosed, UnitDemand

N = 5
values = st.lists(st.integers(-4, 4).map(lambda v: v / 2), min_size=N, max_size=N).map(np.array)
masks = st.lists(st.booleans(), min_size=N, max_size=N).map(lambda m: np.array(m, dtype=bool))
families = st.lists(st.lists(st.integers(0, N - 1), max_size=3, unique=True).map(tuple),
                    min_size=1, max_size=5)


def _brute(feasible, mu, t, bundle) -> float:
    """Definition 5 by enumeration: max over T in I, T subset S, of sum_{j in T} (mu_j + t_j)."""
    items = np.flatnonzero(bundle)
    best = 0.0
    for r in range(len(items) + 1):
        for T in itertools.combinations(items, r):
            if feasible(T):
                best = max(best, float(sum(mu[j] + t[j] for j in T)))
    return best


@given(mu=values, t=values, bundle=masks, c=st.integers(1, 3), fam=families)
def test_definition5_value_equals_brute_force(mu, t, bundle, c, fam):
    """value(t, S) = max over T in I cap 2^S (empty set allowed) for every family kind."""
    cases = [
        (UnitDemand(mu), lambda T: len(T) <= 1),
        (CDemand(c, mu), lambda T: len(T) <= c),
        (Additive(mu), lambda T: True),
    ]
    dc = DownwardClosed(fam, mu)
    cases.append((dc, lambda T: any(set(T) <= set(m) for m in fam) or not T))
    for val, feasible in cases:
        expected = _brute(feasible, mu, t, bundle)
        assert val.value(t, bundle) == pytest.approx(expected, abs=1e-12)
        best = val.best_subset(t, bundle)
        assert not np.any(best & ~bundle)
        assert feasible(tuple(np.flatnonzero(best)))
        assert float(np.sum((mu + t)[best])) == pytest.approx(expected, abs=1e-12)


@given(mu=values, t=values, s=values, bundle=masks, fam=families)
def test_definition4_lipschitz_constant_is_max_feasible_size(mu, t, s, bundle, fam):
    """|v(t, S) - v(t', S)| <= L ||t - t'||_inf with L = max |T| over T in I."""
    for val in (UnitDemand(mu), CDemand(2, mu), Additive(mu), DownwardClosed(fam, mu)):
        gap = abs(val.value(t, bundle) - val.value(s, bundle))
        assert gap <= val.lipschitz * np.max(np.abs(t - s)) + 1e-12
    assert DownwardClosed(fam, mu).lipschitz == max(len(m) for m in fam)


def test_lazy_type_and_index_bundles():
    """A type with items(idx) is evaluated only on the bundle; index bundles equal masks."""

    class Probe:
        asked: list = []

        def items(self, idx):
            self.asked.append(np.array(idx))
            return np.asarray(idx, dtype=float) / 10

    mu = np.zeros(10**6)
    v = CDemand(2, mu)
    probe = Probe()
    assert v.value(probe, np.array([3, 999_999, 7])) == pytest.approx(99_999.9 + 0.7)
    assert sum(a.size for a in probe.asked) == 3


def test_downward_closed_keeps_maximal_sets_and_membership():
    dc = DownwardClosed([(0, 1), (1,), (2, 3, 4)], np.zeros(5))
    assert dc.maximal_sets == ((0, 1), (2, 3, 4))
    assert dc.contains((3, 4)) and dc.contains(()) and not dc.contains((0, 2))


@pytest.mark.parametrize("build,name", [
    (lambda: UnitDemand([1.0, np.nan]), "mu"),
    (lambda: CDemand(0, [1.0]), "c"),
    (lambda: DownwardClosed([(0, 5)], np.zeros(3)), "family"),
    (lambda: DownwardClosed([(1, 1)], np.zeros(3)), "family"),
])
def test_bad_valuation_input_raises_naming_the_parameter(build, name):
    with pytest.raises(ValueError, match=name):
        build()


def test_bad_type_or_bundle_raises():
    v = Additive(np.zeros(3))
    with pytest.raises(ValueError, match="t"):
        v.value(np.zeros(4), np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="bundle"):
        v.value(np.zeros(3), np.ones(4, dtype=bool))
    with pytest.raises(ValueError, match="bundle"):
        v.value(np.zeros(3), np.array([0, 3]))
