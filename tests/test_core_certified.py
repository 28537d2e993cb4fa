"""The certified protocol: its guarantee is its certificate (project claim, issue 15).

For every design family and k up to 32: ||z - Q(t)||_inf <= certified delta <= target for every
type t within eps of Az (and an oracle whose eta_o-noise pushes either way). "Every type" is
exact here: each noisy value query is a bisection, a non-decreasing function of t_j, and
clip(P y) is monotone in each y_j coordinatewise, so the largest error in coordinate r (either
direction) is attained at the vertex t_j = (Az)_j + s sign(P_rj) (eps + eta_o), s = +-1. The
test runs the protocol on all 2k such vertices (an oracle answering "up" within eta_o acts as
the type t + eta_o exactly), so it checks the worst case over the whole eps-box.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.certified import (
    allocate_depths,
    block_floor,
    packing_minimum,
    pivoted_blocks,
)
from recmech.core.oracles import TruthfulOracle
from recmech.core.queries import LeastSquares, item_ranges, noisy_value_queries, search_plan
from recmech.core.types import LazyType
from recmech.properties.judging.checks.certified import FAMILIES, every_vertex_error


def _first_block_floor(design, eps: float) -> float:
    block = pivoted_blocks(design, 1)[0]
    return LeastSquares(design.rows(block)).pinv_inf_norm * eps


@settings(max_examples=40, deadline=None)
@given(family=st.sampled_from(FAMILIES), k=st.integers(1, 32), extra=st.integers(0, 200),
       seed=st.integers(0, 2**16), eps=st.sampled_from([1e-4, 1e-3, 0.01, 0.05]),
       paper=st.booleans(), factor=st.floats(1.01, 1000.0),
       noise=st.sampled_from([0.0, 0.5, 1.0]), data=st.data())
def test_certified_error_is_within_its_certificate_on_every_vertex(
        family, k, extra, seed, eps, paper, factor, noise, data):
    """project claim: observed error <= certified delta <= target, exactly, on the whole box."""
    paper = paper and (family != "weak_dependence" or k <= 3)
    N = k + extra
    if paper and family == "gaussian":
        N = max(N, 64 * k + 1)
    if paper and family == "weak_dependence":
        N = 300 * k * k
    design = designs.design_for(family, N, k, seed, c=0.5)
    # a design of rank < k identifies z from no item set (found by recmech selftest, seed 2)
    assume(np.linalg.matrix_rank(design.A) == k)
    delta = None if paper else factor * _first_block_floor(design, eps)
    proto = protocols.protocol_for("certified", design, eps, delta=delta)
    target = proto.selection.stats["target"]
    assert proto.certified_delta() <= target
    if paper:
        assert target == proto.a_priori_delta
    z = np.array(data.draw(st.lists(st.floats(0, 1), min_size=k, max_size=k)))
    eta_o = noise * eps
    err, used = every_vertex_error(proto, z, eta_o)
    bound = proto.certified_delta(eta_o)
    assert err <= bound, f"{family} k={k}: worst vertex error {err} > certified {bound}"
    assert used == proto.queries == int(proto.plan.depths.sum())


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("k", [2, 8])
def test_certified_beats_the_theorems_item_set_at_its_own_delta(family, k):
    """Same certified accuracy as Thm. 2's set, far fewer queries (the issue's table)."""
    N = 300 * k * k if family == "weak_dependence" else 3000
    design = designs.design_for(family, N, k, 3)
    theorem = protocols.protocol_for(protocols.FAMILY_SETTING[design.family], design, 1e-3)
    delta = theorem.certified_delta()
    ours = protocols.protocol_for("certified", design, 1e-3, delta=delta)
    assert ours.certified_delta() <= delta
    assert ours.queries <= theorem.queries
    minimum = k * math.log2(1 / (2 * ours.certified_delta()))
    assert ours.queries / minimum <= 1.6


def test_separable_certified_protocol_is_one_block_of_identity_rows():
    design = designs.separable(4, 500, 1)
    proto = protocols.protocol_for("certified", design, 1e-3)
    assert sorted(proto.items) == sorted(design.meta["block_rows"])
    assert proto.selection.stats["blocks"] == 1
    assert proto.certified_delta() <= 4e-3 == pytest.approx(proto.a_priori_delta)
    # per-item ranges: each row of I has range 1, not ||A||_inf (also 1 here), and q = 8 < 9
    assert proto.queries == 4 * 8 < protocols.protocol_for("deterministic", design, 1e-3).queries


def test_unreachable_target_names_the_target_and_the_smallest_reachable_value():
    design = designs.separable(3, 50, 0)
    with pytest.raises(ValueError, match=r"delta: the target 0\.0005 .* 0\.001.*no item set"):
        protocols.protocol_for("certified", design, 1e-3, delta=5e-4)
    with pytest.raises(ValueError, match="delta must be > 0"):
        protocols.protocol_for("certified", design, 1e-3, delta=-1.0)
    with pytest.raises(ValueError, match="certified protocol only"):
        protocols.protocol_for("pivoted", design, 1e-3, delta=0.1)
    given = designs.DesignMatrix(np.eye(3))
    with pytest.raises(ValueError, match="no a-priori delta"):
        protocols.protocol_for("certified", given, 1e-3)
    assert protocols.protocol_for("certified", given, 1e-3, delta=0.01).certified_delta() <= 0.01


@settings(max_examples=30, deadline=None)
@given(k=st.integers(1, 6), n=st.integers(0, 6), seed=st.integers(0, 2**16),
       factor=st.floats(1.05, 50.0))
def test_allocated_depths_are_feasible_and_no_single_item_can_lose_a_query(k, n, seed, factor):
    """The plan meets its budget, and removing one halving from any item breaks it."""
    gen = np.random.default_rng(seed)
    B = gen.normal(size=(k + n, k))
    abs_p = np.abs(np.linalg.pinv(B))
    widths = np.abs(B).sum(axis=1) + 0.02
    eps = 0.01
    budget = factor * float(abs_p.sum(axis=1).max()) * eps
    depths = allocate_depths(abs_p, widths, eps, budget)

    def cert(q):
        return float(np.max(abs_p @ (eps + np.ldexp(widths, -(q + 1)))))

    assert cert(depths) <= budget
    for j in np.flatnonzero(depths > 0):
        fewer = depths.copy()
        fewer[j] -= 1
        assert cert(fewer) > budget
    # (**) of recmech.core.certified bounds every feasible allocation from below
    assert depths.sum() >= block_floor(abs_p, widths, cert(depths)) - 1e-9
    assert allocate_depths(abs_p, widths, eps, float(abs_p.sum(axis=1).max()) * eps) is None


@pytest.mark.parametrize(("delta", "n"), [(0.362, 2), (0.25, 2), (0.2, 3), (0.1, 5), (0.01, 50),
                                          (0.3, 2), (1 / 6, 3)])
def test_packing_minimum_counts_grid_points_further_than_two_delta_apart(delta, n):
    """k log2 n: n points {0, 1/(n-1), ..., 1} per axis, spacing > 2 delta, n + 1 would not be."""
    assert 1 / (n - 1) > 2 * delta and not 1 / n > 2 * delta
    assert packing_minimum(3, delta) == pytest.approx(3 * math.log2(n))
    assert packing_minimum(3, delta) >= 3 * math.log2(1 / (2 * delta)) - 1e-12
    assert packing_minimum(2, 0.5) == 0.0


@settings(max_examples=25, deadline=None)
@given(k=st.integers(1, 5), extra=st.integers(0, 30), seed=st.integers(0, 2**16),
       eta=st.sampled_from([1e-3, 0.02, 0.3]), data=st.data())
def test_lean_bisection_agrees_with_a_plain_one_item_at_a_time_search(k, extra, seed, eta, data):
    """The in-place, per-item-depth bisection gives the answers and counts of the plain search,
    and the fast path (validated once) the same as an oracle asked through accepts_many."""
    design = designs.gaussian(k + extra, k, seed)
    items = np.arange(k + extra)
    z = np.array(data.draw(st.lists(st.floats(0, 1), min_size=k, max_size=k)))
    t = LazyType(design, z)
    values = t.items(items)
    for per_item in (False, True):
        plan = search_plan(design.A, items, design.inf_norm, 0.01, eta, per_item=per_item)
        fast = TruthfulOracle(t)
        got = noisy_value_queries(fast, plan)

        class Plain:  # an outside oracle: only accepts_many
            queries = 0

            def accepts_many(self, idx, prices):
                self.queries += len(idx)
                return t.items(idx) >= prices

        plain = Plain()
        assert np.array_equal(noisy_value_queries(plain, plan), got)
        assert fast.queries == plain.queries == plan.queries
        centers, l1 = item_ranges(design.A)
        widths = l1 + 0.02 if per_item else np.full(items.size, plan.R)
        depths = plan.depths if per_item else np.full(items.size, plan.q)
        for j in items:
            lo, hi = centers[j] - widths[j] / 2, centers[j] + widths[j] / 2
            for _ in range(depths[j]):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if values[j] >= mid else (lo, mid)
            assert got[j] == 0.5 * (lo + hi)
            assert abs(got[j] - values[j]) <= eta


def test_the_property_suite_checks_the_certificate_and_catches_a_shrunk_one(monkeypatch):
    """project.certified_protocol holds, and fails when the certificate claims half of itself."""
    from recmech.properties.judging.checks.registry import run_check

    assert run_check("project.certified_protocol").verdict == "holds"
    honest = protocols.QueryProtocol.certified_delta
    monkeypatch.setattr(protocols.QueryProtocol, "certified_delta",
                        lambda self, noise=0.0: 0.5 * honest(self, noise))
    v = run_check("project.certified_protocol")
    assert v.verdict == "fails-as-stated" and v.counterexample["cases"]
