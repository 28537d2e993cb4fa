"""Batched vs looped Monte Carlo, exact Prokhorov vs the plain LP, LP all pairs vs generation."""

import pytest

from recmech.core.bench import (
    lp_instance,
    mc_instance,
    prokhorov_instance,
    prokhorov_plain_lp,
)
from recmech.core.optimal import solve_optimal_lp
from recmech.core.prokhorov import prokhorov_distance

montecarlo = pytest.importorskip("recmech.core.montecarlo")


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "looped"])
@pytest.mark.parametrize("kind", ["posted", "vcg"])
def test_monte_carlo_revenue(benchmark, timing, kind, batched):
    """Revenue of posted prices / VCG (m = 3, k = 4) over the same profiles, two ways."""
    mech, laws = mc_instance(kind)
    n = 4096 if timing else 256
    est = benchmark(montecarlo.monte_carlo_revenue, mech, laws, n, 5, batched=batched)
    other = montecarlo.monte_carlo_revenue(mech, laws, n, 5, batched=not batched)
    assert est.mean == pytest.approx(other.mean, abs=1e-9)
    assert est.ci_low <= est.mean <= est.ci_high


@pytest.mark.parametrize("method", ["max_flow", "plain_lp"])
def test_prokhorov_exact_distance(benchmark, timing, method):
    """d_P of two empirical laws of 1000 points (200 in the smoke run), both ways agree."""
    p, q = prokhorov_instance(1000 if timing else 200)
    solve = prokhorov_distance if method == "max_flow" else prokhorov_plain_lp
    d = benchmark.pedantic(solve, args=(p, q), rounds=3 if timing else 1, iterations=1)
    other = prokhorov_plain_lp(p, q) if method == "max_flow" else prokhorov_distance(p, q)
    assert d == pytest.approx(other, abs=1e-9)
    assert 0 < d < 1


@pytest.mark.parametrize("method", ["full", "generation"])
def test_optimal_lp_all_pairs_vs_generation(benchmark, timing, method):
    """1 bidder x 2 items x 400 latent types (36 in the smoke run): the same optimum to 1e-9."""
    A, vals, laws = lp_instance(20 if timing else 6)  # noqa: N806
    res = benchmark.pedantic(solve_optimal_lp, args=(A, vals, laws), kwargs={"method": method},
                             rounds=2 if timing else 1, iterations=1)
    other = solve_optimal_lp(A, vals, laws, method="generation" if method == "full" else "full")
    assert res.revenue == pytest.approx(other.revenue, abs=1e-9)
    assert res.max_ic_violation <= 1e-8


@pytest.mark.parametrize("grid", [40, 60])
def test_optimal_lp_default_solve_at_scale(benchmark, timing, grid):
    """g = 40 (1,600 types) and g = 60 (3,600 types) solve with the defaults (issue 15: the
    40 x 40 grid used to raise RuntimeError); g = 60 is timed in the thorough benchmarks."""
    if grid == 60 and not timing:
        pytest.skip("g = 60 runs with --benchmark-enable (recmech bench measures it too)")
    A, vals, laws = lp_instance(grid)  # noqa: N806
    res = benchmark.pedantic(solve_optimal_lp, args=(A, vals, laws), rounds=1, iterations=1)
    assert res.method == "generation" and res.max_ic_violation <= 1e-8
    assert res.max_residual <= 1e-8 and res.revenue > 0
