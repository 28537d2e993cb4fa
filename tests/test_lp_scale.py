"""The revenue LP at scale (Sec. 3 (II), M_hat): the same optimum as an independently written
cutting-plane LP, duplicate support points merged without changing the answer, the chunked
violation search and verification pass equal to the dense s x s computation, and bad options
refused by name."""

import io

import numpy as np
import pytest

from recmech.core import lp_pairs
from recmech.core.bench_lp import additive_grid_instance, baseline_lp, grid_points, scale_table
from recmech.core.laws import FiniteLaw
from recmech.core.mechanisms import all_allocations
from recmech.core.optimal import solve_optimal_lp
from recmech.core.valuations import Additive, UnitDemand


@pytest.mark.parametrize("g", [6, 11])
@pytest.mark.parametrize("method", ["generation", "full"])
def test_revenue_agrees_with_the_independent_cutting_plane_lp(g, method):
    """Two LPs written apart (``recmech.core.bench_lp`` shares no code with the solver) reach
    the same optimum to 1e-9; the returned point is BIC and IR over every pair, and the duality
    gap of the final LP is within 1e-7."""
    res = solve_optimal_lp(*additive_grid_instance(g), method=method)
    assert res.revenue == pytest.approx(baseline_lp(g).revenue, abs=1e-9)
    assert res.max_ic_violation <= 1e-8 and res.max_ir_violation <= 1e-8
    assert res.revenue_bound >= res.revenue - 1e-9
    assert res.revenue_gap <= 1e-7


def duplicated_law(g: int, copies: int, seed: int) -> tuple[FiniteLaw, FiniteLaw]:
    """(law with some grid points repeated and their mass split, the same law merged by hand)."""
    rng = np.random.default_rng(seed)
    pts = grid_points(g)
    probs = rng.uniform(0.5, 1.5, size=pts.shape[0])
    probs /= probs.sum()
    reps = rng.choice(pts.shape[0], size=copies, replace=False)
    split = rng.uniform(0.2, 0.8, size=copies)
    base = probs.copy()
    base[reps] *= split
    copy = probs[reps] * (1 - split)
    copy[:2] *= 0.5                       # the first two points appear three times
    given_pts = np.vstack([pts, pts[reps], pts[reps[:2]]])
    given_probs = np.concatenate([base, copy, copy[:2]])
    order = rng.permutation(given_pts.shape[0])
    return FiniteLaw(given_pts[order], given_probs[order]), FiniteLaw(pts, probs)


def test_duplicate_support_points_are_merged_to_the_same_optimum():
    """Issue 27 (2): a law with repeated points is solved as its merged law (the same LP up to
    relabelling): the same revenue as the hand-merged law and as the unmerged LP, every copy of
    a point plays the same row, and the count of merged points is reported."""
    given, merged = duplicated_law(5, 6, seed=1)
    A, vals = np.eye(2), [Additive([0.0, 0.0])]  # noqa: N806 - the paper's name
    auto = solve_optimal_lp(A, vals, [given])
    by_hand = solve_optimal_lp(A, vals, [merged])
    raw = solve_optimal_lp(A, vals, [given], merge_duplicates=False)
    assert auto.n_merged == 8 and raw.n_merged == 0 and by_hand.n_merged == 0
    assert auto.revenue == pytest.approx(by_hand.revenue, abs=1e-9)
    assert raw.revenue == pytest.approx(by_hand.revenue, abs=1e-9)
    assert auto.n_ic_pairs == by_hand.n_ic_pairs < raw.n_ic_pairs
    pts = auto.table.points[0]
    assert pts.shape == given.points.shape and np.array_equal(pts, given.points)
    for s in range(pts.shape[0]):
        same = np.flatnonzero((pts == pts[s]).all(axis=1))
        assert np.array_equal(auto.table.alloc_probs[same], auto.table.alloc_probs[[s] * same.size])
        assert np.array_equal(auto.table.payments[same], auto.table.payments[[s] * same.size])
    assert auto.max_ic_violation <= 1e-8 and raw.max_ic_violation <= 1e-8


def test_duplicates_are_merged_per_bidder_with_two_bidders():
    given, merged = duplicated_law(2, 2, seed=2)
    A, vals = np.eye(2), [UnitDemand([0.0, 0.0])] * 2  # noqa: N806 - the paper's name
    auto = solve_optimal_lp(A, vals, [given, merged])
    by_hand = solve_optimal_lp(A, vals, [merged, merged])
    assert auto.revenue == pytest.approx(by_hand.revenue, abs=1e-9)
    assert auto.table.alloc_probs.shape[0] == given.points.shape[0] * merged.points.shape[0]


def dense_gains(values, xbar, pbar):
    util = values @ xbar.T - pbar[None, :]
    gain = util - np.diag(util)[:, None]
    np.fill_diagonal(gain, -np.inf)
    return gain


@pytest.mark.parametrize("seed", range(4))
def test_chunked_search_and_verification_equal_the_dense_matrix(seed, monkeypatch):
    """Chunks of 7 entries (so many chunks, some cutting a row): the verification maximum and
    its pair, and the per-type most violated pairs outside the kept ones, equal those of the
    dense s x s gain matrix."""
    rng = np.random.default_rng(seed)
    s, n_a = 23, 3
    values, xbar, pbar = rng.uniform(size=(s, n_a)), rng.uniform(size=(s, n_a)), rng.uniform(size=s)
    dense = dense_gains(values, xbar, pbar)
    monkeypatch.setattr(lp_pairs, "CHUNK_ENTRIES", 7)
    best, a, b = lp_pairs.max_gain(values, xbar, pbar)
    assert best == pytest.approx(dense.max(), abs=1e-12) and dense[a, b] == pytest.approx(best)
    kept = np.unique(lp_pairs.pair_keys(rng.integers(0, s, 40), rng.integers(0, s, 40), s))
    found = lp_pairs.worst_pairs(values, xbar, pbar, kept, 3, 0.05)
    masked = dense.copy()
    masked[np.divmod(kept, s)] = -np.inf
    for t in range(s):
        want = set(np.flatnonzero(masked[t] > 0.05)) if (masked[t] > 0.05).sum() <= 3 else \
            set(np.argsort(masked[t])[-3:])
        assert set(found.sp[found.ss == t]) == want
    assert found.worst == pytest.approx(masked.max(), abs=1e-12)


def test_the_verification_pass_catches_a_planted_violation():
    """Lower one type's interim price below the optimum's: a neighbour now gains by reporting
    it, and the exact pass names that violation and its size."""
    g = 5
    res = solve_optimal_lp(*additive_grid_instance(g))
    allocs = all_allocations(1, 2, include_empty=False)[:, 0, :]
    values = grid_points(g) @ allocs.T.astype(float)
    xbar, pbar = res.table.alloc_probs, res.table.payments[:, 0].copy()
    before, _, _ = lp_pairs.max_gain(values, xbar, pbar)
    assert before <= 1e-8
    victim = int(np.argmax(pbar))
    pbar[victim] -= 0.05
    after, s, s_prime = lp_pairs.max_gain(values, xbar, pbar)
    assert s_prime == victim and after >= 0.05 - 1e-8
    assert after == pytest.approx(dense_gains(values, xbar, pbar).max(), abs=1e-12)


def test_seed_rows_are_the_axis_neighbours_on_a_lattice():
    ss, sp = lp_pairs.nearest_pairs(grid_points(4), 4)
    d = np.abs(grid_points(4)[ss] - grid_points(4)[sp]).sum(axis=1)
    inner = [5, 6, 9, 10]
    for s in inner:
        assert np.allclose(d[ss == s], 0.25)
    assert np.bincount(ss).tolist() == [4] * 16


def test_progress_reports_each_round_when_asked_and_is_silent_by_default(capsys):
    stream = io.StringIO()
    res = solve_optimal_lp(*additive_grid_instance(12), progress=stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == res.rounds and "BIC rows" in lines[0] and "worst violation" in lines[0]
    calls = []
    solve_optimal_lp(*additive_grid_instance(4), progress=lambda *a: calls.append(a))
    assert calls and calls[-1][2] == 500
    solve_optimal_lp(*additive_grid_instance(4))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("kwargs, error, match", [
    ({"merge_duplicates": "yes"}, TypeError, "merge_duplicates"),
    ({"progress": 5}, TypeError, "progress"),
    ({"initial": -1}, ValueError, "initial"),
    ({"per_type": 0}, ValueError, "per_type"),
    ({"ic_tol": 0.0}, ValueError, "ic_tol"),
])
def test_bad_options_are_refused_by_name(kwargs, error, match):
    with pytest.raises(error, match=match):
        solve_optimal_lp(*additive_grid_instance(3), **kwargs)


def test_the_baseline_refuses_a_bad_grid_and_the_table_reads_its_runs():
    with pytest.raises(ValueError, match="g must be"):
        baseline_lp(1)
    runs = [{"kind": k, "g": g, "bidders": 1, "types": g * g, "cpu_seconds": c, "peak_mb": 100.0,
             "revenue": 0.5} for k, g, c in (("ours", 10, 1.0), ("baseline", 10, 2.0),
                                             ("ours", 20, 4.0), ("baseline", 20, 8.0))]
    table = scale_table(runs + [{"kind": "ours", "g": 15, "bidders": 2, "types": 225,
                                 "stopped_after": 900.0}])
    assert "15 x 15, 2 bidder(s), ours: stopped after 900 s wall" in table
    assert "| 20 x 20 | 400 | 4.00 | 8.00 | 0.50 |" in table
    assert "types^1.00 (ours" in table


def test_the_bench_rows_measure_both_solves_in_their_own_processes_and_compare_revenues():
    """``recmech bench``'s LP scale rows on a 6 x 6 grid: both solves run in fresh processes,
    their revenues agree (else the row refuses to report a ratio), and every key is filled."""
    from recmech.core import bench_lp

    runs = [bench_lp.run_measure("ours", 6), bench_lp.run_measure("baseline", 6),
            bench_lp.run_measure("ours", 4, 2)]
    rows, ratios = bench_lp.lp_scale_rows(runs)
    assert set(ratios) >= {"lp_cpu_over_baseline", "lp_peak_memory_mb", "lp_two_bidders_seconds",
                           "lp_generation_seconds"}
    assert ratios["lp_cpu_over_baseline"]["6"] > 0 and ratios["lp_peak_memory_mb"]["6"] > 0
    assert "4" in ratios["lp_two_bidders_seconds"]
    assert any("independent cutting-plane" in r.ratio for r in rows)
    stopped = {"kind": "ours", "g": 5, "bidders": 2, "types": 25, "stopped_after": 1.0}
    rows, ratios = bench_lp.lp_scale_rows(runs + [stopped])
    assert ratios["lp_two_bidders_seconds"]["5"] is None
    assert any(r.measured is None and r.met is False and "stopped after 1 s" in r.note
               for r in rows)
    runs[1] = dict(runs[1], revenue=runs[1]["revenue"] + 1e-6)
    with pytest.raises(RuntimeError, match="LP revenues differ at g = 6"):
        bench_lp.lp_scale_rows(runs)
