"""Lemma 1 (claim ``lemma1``): the exact l_inf-Prokhorov distance through the coupling of Lemma 1
agrees with Definition 1 evaluated by brute force over all subsets; metric sanity; TV distance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.core.measure import tv_distance
from recmech.core.prokhorov import (
    coupling_far_mass,
    prokhorov_brute_force,
    prokhorov_distance,
)


@st.composite
def tiny_law(draw, k=2):
    s = draw(st.integers(1, 4))
    # coordinates on a coarse grid so that ties between distances and masses really occur
    pts = np.array([[draw(st.integers(0, 8)) / 8 for _ in range(k)] for _ in range(s)])
    w = np.array([draw(st.integers(1, 6)) for _ in range(s)], dtype=float)
    return pts, w / w.sum()


@settings(max_examples=60)
@given(tiny_law(), tiny_law())
def test_lemma1_flow_distance_equals_definition1_brute_force(p, q):
    """lemma1: inf{eps : min_coupling Pr[||x-y|| > eps] <= eps} = Definition 1 (all subsets)."""
    assert prokhorov_distance(p, q) == pytest.approx(prokhorov_brute_force(p, q), abs=1e-9)


@settings(max_examples=30)
@given(tiny_law(), tiny_law())
def test_lemma1_distance_is_symmetric_in_unit_interval_and_certified(p, q):
    """lemma1: d_P symmetric, in [0, 1], and a coupling with far mass <= d_P exists at d_P."""
    d = prokhorov_distance(p, q)
    assert d == pytest.approx(prokhorov_distance(q, p), abs=1e-9)
    assert 0.0 <= d <= 1.0
    assert coupling_far_mass(p, q, d).far_mass <= d + 1e-9


def test_lemma1_zero_on_equal_laws_and_known_values():
    pts = np.array([[0.1, 0.2], [0.7, 0.4]])
    law = (pts, np.array([0.25, 0.75]))
    assert prokhorov_distance(law, law) == 0.0
    # shift every point by 0.03 in l_inf: d_P = 0.03 (coupling moves all mass 0.03)
    shifted = (pts + np.array([0.03, -0.01]), np.array([0.25, 0.75]))
    assert prokhorov_distance(law, shifted) == pytest.approx(0.03, abs=1e-12)
    # move mass 0.1 far away (distance 1): d_P = 0.1
    far = (np.array([[0.0], [1.0]]), np.array([0.9, 0.1]))
    assert prokhorov_distance(far, (np.array([[0.0]]), np.array([1.0]))) == pytest.approx(0.1)
    # two point masses at distance 0.6: d_P = min(1, 0.6) = 0.6 (coupling far mass 1 > 0.5)
    a, b = (np.array([[0.2]]), np.array([1.0])), (np.array([[0.8]]), np.array([1.0]))
    assert prokhorov_distance(a, b) == pytest.approx(0.6)


def test_lemma1_breakpoint_convention_open_neighbourhoods():
    """At eps = d_ab a pair is close for g (<=) and not for Definition 1's open A^eps; both give
    the same infimum: masses 1/2 moved 0.5 away -> d_P = 0.5 exactly."""
    p = (np.array([[0.0], [0.5]]), np.array([0.5, 0.5]))
    q = (np.array([[0.5], [1.0]]), np.array([0.5, 0.5]))
    assert prokhorov_distance(p, q) == pytest.approx(0.5)
    assert prokhorov_brute_force(p, q) == pytest.approx(0.5)


def test_tv_distance_merges_points_and_rejects_bad_laws():
    p = (np.array([[0.1], [0.2]]), np.array([0.5, 0.5]))
    q = (np.array([[0.2], [0.3]]), np.array([0.5, 0.5]))
    assert tv_distance(p, q) == pytest.approx(0.5)
    assert tv_distance(p, p) == 0.0
    with pytest.raises(ValueError, match="probs"):
        prokhorov_distance((np.array([[0.1]]), np.array([0.5])), p)
    with pytest.raises(ValueError, match="eps"):
        coupling_far_mass(p, q, -1.0)
