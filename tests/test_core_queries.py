"""Binary search as a noisy value query, least squares, item selection (Thm. 2 proof)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recmech.core import design as designs
from recmech.core import selection
from recmech.core.oracles import NoisyOracle, StrategicOracle, TruthfulOracle
from recmech.core.queries import LeastSquares, noisy_value_query, queries_per_item
from recmech.core.types import ConstantOffsets, LazyType


@given(row=st.lists(st.floats(-3, 3), min_size=1, max_size=4),
       u=st.floats(0, 1), eps=st.sampled_from([1e-3, 0.02, 0.3]),
       eta=st.sampled_from([1e-4, 0.01, 0.5]), eta_o=st.sampled_from([0.0, 0.01, 0.2]),
       adversary=st.sampled_from(["up", "down", "flip"]))
def test_theorem2_noisy_value_error_and_exact_count(row, u, eps, eta, eta_o, adversary):
    """theorem2.noisy_value: q = ceil(log2(R / 2 eta)) price queries give |answer - t_j| <= eta
    + eta_o for every t_j in [lo_j - eps, hi_j + eps], R = ||A||_inf + 2 eps."""
    row = np.array(row)
    lo, hi = np.minimum(row, 0).sum(), np.maximum(row, 0).sum()
    inf_norm = np.abs(row).sum() + 0.5
    t_j = lo - eps + u * (hi - lo + 2 * eps)
    A = row[None, :]
    t = LazyType(A, np.zeros(len(row)), ConstantOffsets(t_j))
    oracle = NoisyOracle(t, eta_o, adversary) if eta_o else TruthfulOracle(t)
    res = noisy_value_query(oracle, 0, row, inf_norm, eps, eta)
    R = inf_norm + 2 * eps
    q = max(0, math.ceil(math.log2(R / (2 * eta))))
    assert res.queries == oracle.queries == q == queries_per_item(R, eta)
    assert abs(res.value - t_j) <= (eta + eta_o) * (1 + 1e-12)


def test_query_count_is_minimal():
    """q halvings reach length <= 2 eta and q - 1 do not (base-2 count, no slack)."""
    for R, eta in [(1.02, 0.01), (4.0, 1.0), (1.0, 0.5), (3.0, 1e-9)]:
        q = queries_per_item(R, eta)
        assert R / 2**q <= 2 * eta
        assert q == 0 or R / 2 ** (q - 1) > 2 * eta


def test_strategic_oracle_answers_as_its_report():
    A = np.eye(2)
    honest, report = LazyType(A, [0.2, 0.2]), LazyType(A, [0.9, 0.9])
    o = StrategicOracle(honest, report)
    assert o.accepts(0, 0.5) and not TruthfulOracle(honest).accepts(0, 0.5)
    assert o.queries == 1


@given(seed=st.integers(0, 10**6), l_extra=st.integers(0, 6), k=st.integers(1, 4))
def test_least_squares_matches_pinv_and_clipping_never_hurts(seed, l_extra, k):
    """P = (B^T B)^{-1} B^T via QR equals the pseudo-inverse; |clip(a) - z| <= |a - z|."""
    gen = np.random.default_rng(seed)
    B = gen.standard_normal((k + l_extra, k))
    ls = LeastSquares(B)
    np.testing.assert_allclose(ls.pinv, np.linalg.pinv(B), atol=1e-8 * (1 + ls.pinv_inf_norm))
    z = gen.uniform(size=k)
    y = B @ z + gen.uniform(-1, 1, size=k + l_extra)
    raw, clipped = ls.raw(y), ls.estimate(y)
    assert np.all(np.abs(clipped - z) <= np.abs(raw - z) + 1e-15)
    assert np.all((clipped >= 0) & (clipped <= 1))


def test_least_squares_rejects_rank_deficient_block():
    with pytest.raises(ValueError, match="B"):
        LeastSquares(np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]))
    with pytest.raises(ValueError, match="B"):
        LeastSquares(np.ones((1, 2)))


def test_diagonal_block_is_found_without_meta():
    """The deterministic selection finds the block C even when the design does not record it."""
    d = designs.separable(4, 300, 3)
    bare = designs.DesignMatrix(d.A)
    found = selection.diagonal_block(bare)
    assert found.hypothesis_holds
    assert set(found.items) == set(d.meta["block_rows"])


def test_gaussian_selection_meets_the_ratio_with_fewest_items():
    """Sigma = I: Tr/rho = |S|, so the smallest S has 64k + 1 items (Thm. 2, second bullet)."""
    d = designs.gaussian(1000, 3, 0)
    sel = selection.gaussian_items(d)
    assert sel.hypothesis_holds and len(sel.items) == 64 * 3 + 1
    scales = np.concatenate([np.full(10, 10.0), np.ones(990)])
    sel2 = selection.gaussian_items(designs.gaussian(1000, 3, 0, scales=scales))
    tr, rho = selection.trace_and_rho(designs.gaussian(1000, 3, 0, scales=scales), sel2.items)
    assert sel2.hypothesis_holds and tr > 64 * 3 * rho and len(sel2.items) == 193


def test_gaussian_selection_with_full_covariance_checks_rho_exactly():
    gen = np.random.default_rng(0)
    M = gen.standard_normal((400, 400)) / 40
    Sigma = np.eye(400) + M @ M.T
    d = designs.gaussian(400, 2, 1, Sigma=Sigma)
    sel = selection.gaussian_items(d)
    tr, rho = selection.trace_and_rho(d, sel.items)
    assert sel.hypothesis_holds == (tr > 128 * rho) and sel.hypothesis_holds


def test_weak_dependence_selection_is_the_smallest_valid_prefix():
    """+-c coordinates: sum v_i^2 = m c^2 > 16 c^2 k sqrt m iff m > 256 k^2."""
    d = designs.weakly_dependent(2000, 2, 1.0, 0)
    sel = selection.weak_dependence_items(d)
    assert sel.hypothesis_holds and len(sel.items) == 256 * 4 + 1


def test_pivoted_selection_has_full_rank():
    d = designs.gaussian(500, 5, 2)
    for size in (5, 12):
        sel = selection.pivoted_items(d, size)
        assert len(np.unique(sel.items)) == size and sel.hypothesis_holds


@pytest.mark.parametrize("call,name", [
    (lambda: designs.separable(5, 3, 0), "k"),
    (lambda: designs.gaussian(3, 0, 0), "k"),
    (lambda: designs.DesignMatrix(np.array([[1.0, np.nan]])), "A"),
    (lambda: designs.DesignMatrix(np.ones(3)), "A"),
    (lambda: designs.diagonally_dominant(np.array([[1.0, 2.0], [0.0, 1.0]]), 5, 0), "C"),
    (lambda: designs.diagonally_dominant(np.ones((2, 3)), 5, 0), "C"),
    (lambda: designs.separable(2, 5, 0, H=np.ones((2, 2))), "H"),
    (lambda: designs.gaussian(4, 2, 0, scales=-np.ones(4)), "scales"),
    (lambda: designs.gaussian(2, 1, 0, Sigma=np.array([[1.0, 2.0], [0.0, 1.0]])), "Sigma"),
    (lambda: designs.weakly_dependent(5, 2, 0.0, 0), "c"),
    (lambda: designs.weakly_dependent(5, 2, 1.0, 0, sampler=lambda n, k, g: np.ones((n, k))),
     "variances"),
    (lambda: NoisyOracle(LazyType(np.eye(2), [0, 0]), -1.0), "eta"),
    (lambda: queries_per_item(1.0, 0.0), "eta"),
])
def test_bad_input_raises_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@given(scale=st.sampled_from([1e-3, 1.0, 1e3, 1e12]), over=st.floats(1.0, 1e6),
       eps=st.sampled_from([0.0, 1e-3, 0.5]), frac=st.floats(0.0, 1.0),
       per_item=st.booleans())
def test_bisection_reaches_every_eta_it_accepts_in_float64(scale, over, eps, frac, per_item):
    """noisy_value_queries' invariant, |answer - t_j| <= eta, holds in float64 for every eta
    search_plan accepts, down to its resolution limit (twice the spacing of the interval's
    ends); below the limit the plan is refused by name."""
    from recmech.core.queries import noisy_value_queries, search_plan

    row = np.array([[scale]])
    eps = eps * scale if eps else 1e-300
    reach = abs(scale / 2) + (scale + 2 * eps) / 2
    eta = 2 * float(np.spacing(reach)) * over
    plan = search_plan(row, [0], scale, eps, eta, per_item=per_item)
    # the plan's final half-length R_j / 2^(q_j + 1) (scaling by powers of two: exact)
    assert 0 < plan.item_eta[0] <= eta
    lo, hi = plan.centers[0] - plan.R / 2, plan.centers[0] + plan.R / 2
    t = lo + frac * (hi - lo)
    got = noisy_value_queries(TruthfulOracle(LazyType(np.ones((1, 1)), [t])), plan)[0]
    assert abs(got - t) <= eta
    with pytest.raises(ValueError, match="eta must be >="):
        search_plan(row, [0], scale, eps, 2 * float(np.spacing(reach)) * 0.49,
                    per_item=per_item)
