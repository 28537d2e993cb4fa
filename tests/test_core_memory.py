"""Lean designs, selections, lazy types and the integer-flow Prokhorov distance.

The chunked, in-place generators must draw exactly what the one-shot formulas draw; the lean
selections must pick what the plain formulas pick; a lazy type must answer as A z + e whatever
it remembers; the integer max flow must give the transport LP's distance.
"""

import tracemalloc

import numpy as np
import pytest

from recmech.core import design as designs
from recmech.core import prokhorov as pk
from recmech.core.selection import GAUSSIAN_RATIO, gaussian_items, weak_dependence_items
from recmech.core.types import LazyType, UniformOffsets

N_BIG = 70_001  # more than one chunk of CHUNK_ROWS rows


def test_chunks_cover_a_design_with_more_than_one_chunk():
    assert N_BIG > designs.CHUNK_ROWS


@pytest.mark.parametrize("permute", [True, False])
def test_separable_and_dominant_designs_are_the_one_shot_draw(permute):
    k, seed = 5, 11
    C = np.eye(k) + 0.1 * (np.ones((k, k)) - np.eye(k)) / k
    for make, block, scale in ((lambda: designs.separable(k, N_BIG, seed, permute=permute),
                                np.eye(k), 1.0),
                               (lambda: designs.diagonally_dominant(C, N_BIG, seed,
                                                                    permute=permute),
                                C, float(np.max(np.abs(np.diag(C)))))):
        gen = np.random.default_rng(seed)
        stacked = np.vstack([block, scale * gen.dirichlet(np.ones(k), size=N_BIG - k)])
        pos = gen.permutation(N_BIG) if permute else np.arange(N_BIG)
        want = np.empty_like(stacked)
        want[pos] = stacked
        got = make()
        assert np.array_equal(got.A, want)
        assert np.array_equal(got.meta["block_rows"], pos[:k])
        assert got.inf_norm == float(np.max(np.abs(want).sum(axis=1)))


def test_gaussian_and_weak_designs_are_the_one_shot_draw():
    k, seed = 3, 4
    g = np.random.default_rng(seed).standard_normal((N_BIG, k))
    unit = designs.gaussian(N_BIG, k, seed)
    assert np.array_equal(unit.A, g)
    # unit scales cost O(1) memory and cannot be written to
    assert unit.meta["scales"].strides == (0,) and not unit.meta["scales"].flags.writeable
    sd = np.linspace(0.5, 2.0, N_BIG)
    assert np.array_equal(designs.gaussian(N_BIG, k, seed, scales=sd).A, sd[:, None] * g)
    ints = np.random.default_rng(seed).integers(0, 2, size=(N_BIG, k))
    weak = designs.weakly_dependent(N_BIG, k, 0.7, seed)
    assert np.array_equal(weak.A, 0.7 * (2.0 * ints - 1.0))
    assert np.allclose(weak.meta["variances"], 0.49) and weak.meta["variances"].shape == (N_BIG,)


def test_design_rejects_a_nan_in_a_later_chunk():
    A = np.ones((N_BIG, 2))
    A[-1, 1] = np.nan
    with pytest.raises(ValueError, match="A must have finite entries"):
        designs.DesignMatrix(A)
    with pytest.raises(ValueError, match="A must have finite entries"):
        LazyType(A, [0.1, 0.2])


def _shortest_run_reference(d, k):
    """The plain formula: for every start, the shortest run with sum > 64 k d_start."""
    N = d.size
    order = np.argsort(-d, kind="stable")
    ds = d[order]
    prefix = np.concatenate([[0.0], np.cumsum(ds)])
    ends = np.searchsorted(prefix, prefix[:-1] + GAUSSIAN_RATIO * k * ds, side="right")
    lengths = np.where((ends <= N) & (ds > 0), ends - np.arange(N), N + 1)
    start = int(np.argmin(lengths))
    return np.sort(order[start:start + int(lengths[start])])


@pytest.mark.parametrize("scales", ["unit", "equal", "random"])
def test_gaussian_items_match_the_plain_formula(scales):
    k = 2
    sd = {"unit": None, "equal": np.full(N_BIG, 0.5),
          "random": np.random.default_rng(2).uniform(0.1, 1.0, N_BIG)}[scales]
    d = designs.gaussian(N_BIG, k, 0, scales=sd)
    sel = gaussian_items(d)
    var = np.ones(N_BIG) if sd is None else sd**2
    assert np.array_equal(sel.items, _shortest_run_reference(var, k))
    assert sel.hypothesis_holds
    assert np.array_equal(gaussian_items(d, size=40).items,
                          np.sort(np.argsort(-var, kind="stable")[:40]))


@pytest.mark.parametrize("equal", [True, False])
def test_weak_dependence_items_match_the_plain_formula(equal):
    k, c = 2, 1.0
    v2 = np.full(N_BIG, 0.8) if equal else np.random.default_rng(3).uniform(0.5, 1.0, N_BIG)
    d = designs.DesignMatrix(np.ones((N_BIG, k)), "weakly_dependent",
                             {"c": c, "variances": v2, "influence_norm": 0.1})
    order = np.argsort(-v2, kind="stable")
    prefix = np.cumsum(v2[order])
    m = np.arange(1, N_BIG + 1)
    size = int(np.flatnonzero((prefix > 16 * c**2 * k * np.sqrt(m) / 0.9) & (m >= k))[0]) + 1
    sel = weak_dependence_items(d)
    assert np.array_equal(sel.items, np.sort(order[:size]))
    assert sel.stats["sum_variances"] == prefix[size - 1]  # bit for bit
    assert weak_dependence_items(d, size=N_BIG).stats["sum_variances"] == prefix[-1]


def test_lazy_type_remembers_only_what_it_may():
    A = np.random.default_rng(0).normal(size=(50, 3))
    t = LazyType(designs.DesignMatrix(A), [0.1, 0.5, 0.9], UniformOffsets(0.05, 7))
    idx = np.array([3, 7, 7, 41])
    want = A[idx] @ np.array([0.1, 0.5, 0.9]) + UniformOffsets(0.05, 7).at(idx)
    first = t.items(idx)
    first[:] = 99.0  # the caller's copy: the memo must not change
    assert np.allclose(t.items(idx.copy()), want, rtol=0, atol=1e-15)
    assert np.allclose(t.items(idx[::-1]), want[::-1], rtol=0, atol=1e-15)
    assert np.allclose(t.items(idx), want, rtol=0, atol=1e-15)
    with pytest.raises(ValueError):
        t.z[0] = 0.3  # z is fixed: the memo relies on it
    assert np.shares_memory(t.A, A)  # a design's A is used as is, not copied


@pytest.mark.parametrize("family", ["separable", "gaussian", "weak"])
def test_design_generation_allocates_little_beyond_A(family):
    """tracemalloc peak while drawing an N = 10^6, k = 8 design (64 MB) is at most 1.2 |A|:
    the generators never hold a second N x k array (the old ones held three or four)."""
    N, k = 10**6, 8
    make = {"separable": lambda: designs.separable(k, N, 0),
            "gaussian": lambda: designs.gaussian(N, k, 0),
            "weak": lambda: designs.weakly_dependent(N, k, 1.0, 0)}[family]
    tracemalloc.start()
    try:
        d = make()
        _ = d.inf_norm
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 1.2 * d.A.nbytes, peak / d.A.nbytes


def _lp_distance(p_law, q_law):
    x, p = pk.law_arrays(p_law)
    y, q = pk.law_arrays(q_law)
    cands, rows, cols, counts = pk.sorted_pairs(pk.linf_distances(x, y))

    def big_g(i):
        close = np.zeros((p.size, q.size), dtype=bool)
        close[rows[:counts[i]], cols[:counts[i]]] = True
        return max(0.0, 1.0 - pk._max_close_flow_lp(p, q, close)[0])

    return pk.breakpoint_search(cands, big_g)


@pytest.mark.parametrize("seed", range(4))
def test_integer_flow_distance_equals_the_lp_distance(seed):
    gen = np.random.default_rng(seed)
    n, m = 30, 24
    p_law = (gen.random((n, 2)), np.full(n, 1 / n))
    w = gen.integers(1, 5, size=m).astype(float)
    q_law = (gen.beta(2, 2, (m, 2)), w / w.sum())
    assert pk.integer_scale(*[pk.law_arrays(law)[1] for law in (p_law, q_law)]) is not None
    assert pk.prokhorov_distance(p_law, q_law) == pytest.approx(_lp_distance(p_law, q_law),
                                                                abs=1e-9)
    flow_int = pk._max_close_flow(p_law[1], q_law[1] / q_law[1].sum(),
                                  pk.linf_distances(p_law[0], q_law[0]) <= 0.2,
                                  pk.integer_scale(p_law[1], q_law[1] / q_law[1].sum()))
    flow_lp = pk._max_close_flow_lp(p_law[1], q_law[1] / q_law[1].sum(),
                                    pk.linf_distances(p_law[0], q_law[0]) <= 0.2)
    assert flow_int[0] == pytest.approx(flow_lp[0], abs=1e-9)
    plan = flow_int[1]  # a transport plan along close pairs moving exactly the flow
    assert plan.sum() == pytest.approx(flow_int[0], abs=1e-12)
    assert np.all(plan.sum(axis=1) <= p_law[1] + 1e-12)
    assert np.all(plan.sum(axis=0) <= q_law[1] / q_law[1].sum() + 1e-12)


def test_integer_scale_only_for_masses_on_a_common_grid():
    assert pk.integer_scale(np.full(4, 0.25), np.array([0.1, 0.2, 0.7])) == 20
    w = np.random.default_rng(0).random(80)
    assert pk.integer_scale(w / w.sum(), np.array([1.0])) is None  # 80 distinct masses
    odd = np.array([1 / np.pi, 1 - 1 / np.pi])
    scale = pk.integer_scale(odd, np.array([1.0]))
    # accepted only because a common 1/D moves the masses by <= SCALE_TOL in total
    assert scale is None or np.abs(odd * scale - np.round(odd * scale)).sum() / scale \
        <= pk.SCALE_TOL
