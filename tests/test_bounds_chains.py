"""Derivation chains over the whole stated domain; each break found is pinned with @example."""

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recmech.bounds.chains import (
    chain_deterministic,
    chain_lemma4_from_6_7,
    chain_lemma5_from_6_8,
    chain_proposition1,
    chain_theorem2_gaussian,
    chain_theorem2_weak_dependence,
)


@given(k=st.integers(1, 40), extra=st.floats(1e-9, 1e4), spread=st.floats(0.0, 1.0))
def test_theorem2_gaussian_chain_holds_on_whole_domain(k, extra, spread):
    """theorem2.gaussian: Lemma 4 -> exponent Tr/(16 rho) >= 4k and delta constant 64."""
    size = 64 * k + 1 + int(extra)
    diag = np.ones(size)
    diag[0] = 1.0 + spread * (size - 64 * k - 1) / (64 * k)  # keeps Tr/rho > 64k
    if diag.sum() / diag.max() <= 64 * k:
        diag[0] = 1.0
    chain = chain_theorem2_gaussian(diag, k)
    assert chain.holds, chain.broken()


@settings(max_examples=30)
@given(k=st.integers(1, 3), inf_norm=st.floats(0.0, 0.9), slack=st.floats(1.0, 3.0))
# inf_norm = 0.1, k = 1 at the edge: |S| = 317 > 256/0.81, sum v^2 = 317 (Lemma 5 gives
# exponent 4.024 < printed 4.458)
@example(k=1, inf_norm=0.1, slack=1.0)
@example(k=1, inf_norm=0.2, slack=1.0)  # found by recmech selftest, seed 4
def test_theorem2_weak_dependence_chain(k, inf_norm, slack):
    """theorem2.weak_dependence: Lemma 5 as printed breaks at the edge whenever inf_norm > 0;
    Lemma 8 + net covers the printed exponent on the whole domain."""
    # |S| just past the edge, in exact arithmetic on the float inf_norm the chain sees (in
    # floats, inf_norm = 0.2 lands |S| = 400 exactly on the strict hypothesis's edge)
    size = math.floor(Fraction(slack) * 256 * k * k / (1 - Fraction(inf_norm)) ** 2) + 1
    chain = chain_theorem2_weak_dependence(np.ones(size), 1.0, k, inf_norm)
    assert chain.step("lemma8_net_exponent_covers_theorem").holds
    assert chain.step("remark4").holds
    if slack == 1.0 and inf_norm > 0.01:
        assert not chain.step("lemma5_exponent_covers_theorem").holds


def test_weak_dependence_lemma5_gap_smallest_case_numbers():
    chain = chain_theorem2_weak_dependence(np.ones(317), 1.0, 1, 0.1)
    step = chain.step("lemma5_exponent_covers_theorem")
    assert float(step.lhs) == pytest.approx(0.9 * 317 / 64)
    assert float(step.rhs) == pytest.approx(0.81 * 317 / 32 - 4)
    assert not chain.holds
    assert chain_theorem2_weak_dependence(np.ones(257), 1.0, 1, 0.0).holds  # inf = 0: fine


@given(st.lists(st.floats(-1.0, 1.0), min_size=4, max_size=4), st.floats(0.1, 5.0),
       st.booleans())
@example([0.0, 0.0, 0.0, 0.0], 1.0, True)  # C = -I: printed ||C^T|| <= 2 max C_jj breaks
# C = I with C[2, 1] = 9.566e-41: float64 margins round 1 - 9.566e-41 to 1, which broke the
# tight Lemma 3 step at the chain's 50 digits (found by the dev profile)
@example([0.0, 0.0, 0.0, 9.566e-41 * 2.5], 1.0, False)
def test_deterministic_chain(offdiag, scale, negative):
    """theorem2.deterministic: Lemma 3 steps hold; the printed max_j C_jj step breaks exactly
    when every |C_jj| maximiser is negative."""
    C = np.diag([scale, -scale if negative else scale, scale])
    C[0, 1], C[1, 0], C[1, 2], C[2, 1] = (x * scale / 2.5 for x in offdiag)
    chain = chain_deterministic(C)
    for name in ("pinv_factor", "lemma3", "column_dominance_abs"):
        assert chain.step(name).holds
    diag = np.diag(C)
    assert chain.step("column_dominance_printed").holds or diag.max() < np.abs(diag).max()


def test_deterministic_chain_breaks_on_minus_one():
    chain = chain_deterministic(np.array([[-1.0]]))
    step = chain.step("column_dominance_printed")
    assert not step.holds and float(step.lhs) == 1.0 and float(step.rhs) == -2.0


def test_lemma4_chain_at_one_seventh_breaks_only_on_the_printed_proof_route():
    chain = chain_lemma4_from_6_7()
    assert {s.name for s in chain.broken()} == {"printed_proof_sigma_max_constant",
                                                "printed_proof_sigma_min_constant"}
    assert float(chain.step("printed_proof_sigma_max_constant").lhs) == pytest.approx(
        7 * math.sqrt(3) / 6)
    assert chain.step("corrected_sigma_max_constant").holds


@given(st.fractions(min_value=Fraction(3, 50), max_value=Fraction(15, 100)))
@example(Fraction(1, 7))
def test_lemma4_corrected_route_holds_on_its_eps_window(eps):
    """lemma4: with the corrected upper tail every eps in [3e^-4, 0.150] gives 2 and 1/4."""
    chain = chain_lemma4_from_6_7(eps)
    assert all(s.holds for s in chain.steps if not s.name.startswith("printed_proof_"))


def test_lemma4_printed_proof_route_is_rescued_by_eps_one_tenth():
    assert chain_lemma4_from_6_7(Fraction(1, 10)).holds


@given(st.fractions(min_value=Fraction(3, 50), max_value=Fraction(15, 100)))
def test_lemma5_chain_holds_on_its_eps_window(eps):
    """lemma5: Lemma 8 + Lemma 6 give 2v and v/4 with failure rate covering the printed one."""
    assert chain_lemma5_from_6_8(eps).holds


def test_lemma5_chain_at_the_papers_net_radius():
    """The default is the paper's eps = 1/7 (Sec. 4.2), inside the window."""
    assert chain_lemma5_from_6_8().holds
    assert chain_lemma5_from_6_8().steps == chain_lemma5_from_6_8(Fraction(1, 7)).steps


def test_lemma5_chain_fails_outside_window():
    assert not chain_lemma5_from_6_8(Fraction(1, 2)).holds  # sqrt(2)/(1/2) > 2
    assert not chain_lemma5_from_6_8(Fraction(1, 100)).holds  # ln 300 > 4


@given(k=st.integers(1, 20), kappa=st.floats(1.0, 50.0), trace_factor=st.floats(1e-3, 1e4))
@example(k=1, kappa=1.0, trace_factor=1.0)  # |S| = 64k and Sigma = I: Tr/rho = 64k, not > 64k
@example(k=1, kappa=2.0, trace_factor=1e4)  # Tr = 1e4 |S|: f(eps1) = 0.64 eps1 < eps1
def test_proposition1_gaussian_chain(k, kappa, trace_factor):
    """proposition1.gaussian: the strict hypothesis breaks iff kappa = 1; Thm. 1's eps >= eps1
    breaks iff Tr > 4096 |S| k."""
    size = math.ceil(64 * kappa * k)
    trace = trace_factor * size
    chain = chain_proposition1("gaussian", k=k, kappa_Sigma=kappa, trace_S=trace)
    assert chain.step("theorem2_hypothesis_strict").holds == (kappa > 1)
    assert chain.step("theorem1_eps_at_least_eps1").holds == (trace <= 4096 * size * k)
    assert chain.step("remark4").holds


@given(k=st.integers(1, 6), c=st.floats(0.5, 200.0), ratio=st.floats(0.05, 1.0),
       inf_norm=st.floats(0.0, 0.9))
@example(k=1, c=1.0, ratio=1.0, inf_norm=0.0)  # |S| = 256: sum v^2 = 16 c^2 k sqrt|S| exactly
@example(k=1, c=100.0, ratio=1.0, inf_norm=0.5)  # a = 100 > 64: f(eps1) = 0.64 eps1
def test_proposition1_weak_dependence_chain(k, c, ratio, inf_norm):
    """proposition1.weak_dependence: Thm. 1's eps >= eps1 breaks iff a > 64 sqrt(k)."""
    a = ratio * c
    chain = chain_proposition1("weak_dependence", k=k, c=c, a=a, inf_norm=inf_norm)
    assert chain.step("theorem1_eps_at_least_eps1").holds == (64 * math.sqrt(k) >= a)
    # |S| = 256 c^4 k^2 / (a^4 (1 - inf)^2) in exact rationals: the strict hypothesis of Thm. 2
    # fails exactly when this is a whole number (at the worst case v_i^2 = a^2); a float
    # computation of it misses whole values that round to a non-integer
    exact = 256 * Fraction(c) ** 4 * k**2 / (Fraction(a) ** 4 * (1 - Fraction(inf_norm)) ** 2)
    assert chain.step("theorem2_hypothesis_strict").holds == (exact.denominator != 1)


def test_proposition1_weak_dependence_edge_numbers():
    chain = chain_proposition1("weak_dependence", k=1, c=1.0, a=1.0, inf_norm=0.0)
    step = chain.step("theorem2_hypothesis_strict")
    assert float(step.lhs) == float(step.rhs) == 256.0 and not step.holds


def test_proposition1_separable_chain_and_bad_setting():
    assert chain_proposition1("separable", k=3).holds
    with pytest.raises(ValueError, match="setting must be"):
        chain_proposition1("cauchy", k=1)


def test_chain_refuses_parameters_outside_hypotheses_and_serialises():
    with pytest.raises(ValueError, match="Tr/rho > 64k"):
        chain_theorem2_gaussian(np.ones(64), 1)
    with pytest.raises(ValueError, match="sum v_i"):
        chain_theorem2_weak_dependence(np.ones(256), 1.0, 1, 0.0)
    with pytest.raises(ValueError, match="diagonally dominant"):
        chain_deterministic(np.ones((2, 2)))
    data = json.loads(json.dumps(chain_lemma4_from_6_7().to_dict()))
    assert data["holds"] is False and len(data["steps"]) == 5


def test_proposition1_weak_dependence_edge_with_influence():
    # |S| = 256/(1 - 0.5)^2 = 1024 is whole: 16 sqrt(1024)/(1 - 0.5) = 1024 = |S| a^2, not >
    step = chain_proposition1("weak_dependence", k=1, c=1.0, a=1.0, inf_norm=0.5).step(
        "theorem2_hypothesis_strict")
    assert float(step.lhs) == float(step.rhs) == 1024.0 and not step.holds


def test_proposition1_separable_delta_constant_comes_from_the_calculator():
    step = chain_proposition1("separable", k=2).step("delta_constant")
    assert float(step.lhs) == float(step.rhs) == 4.0 and step.holds


def test_deterministic_chain_needs_both_margins_positive():
    # rows: margins 0, 2, 2 (alpha = 0); columns: 2, 1, 1 (beta = 1); upper triangular, regular
    with pytest.raises(ValueError, match="alpha = 0.0, beta = 1.0"):
        chain_deterministic(np.array([[2.0, 1.0, 1.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]]))
