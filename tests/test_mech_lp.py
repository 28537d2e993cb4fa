"""The revenue-optimal BIC/IR LP (Sec. 3 (II), M_hat): Myerson's values, certificates, constraint
generation, and optimality against VCG and posted prices on the same finite instance."""

import numpy as np
import pytest

from recmech.core.laws import FiniteLaw
from recmech.core.measure import Population, direct_report
from recmech.core.mechanisms import VCG, PostedPrices, tabulate
from recmech.core.optimal import TabularMechanism, solve_optimal_lp
from recmech.core.valuations import Additive, UnitDemand


def uniform_grid_law(n: int) -> FiniteLaw:
    return FiniteLaw((np.arange(1, n + 1) / n)[:, None], np.full(n, 1.0 / n))


@pytest.mark.parametrize("bidders, myerson", [(1, 0.25), (2, 5 / 12)])
def test_lp_matches_myerson_on_uniform_grid(bidders, myerson):
    """V uniform on {1/n, ..., 1}: discrete virtual values 2V - 1 (no ironing), so the optimum is
    E[max_i (2V_i - 1)^+] exactly; V = ceil(nU)/n >= U with V - U <= 1/n and the map is
    2-Lipschitz in l_inf, hence 0 <= REV_n - Myerson(U[0,1]) <= 2/n."""
    n = 20
    law = uniform_grid_law(n)
    res = solve_optimal_lp(np.eye(1), [UnitDemand([0.0])] * bidders, [law] * bidders)
    v = law.points[:, 0]
    phi = np.maximum(2 * v - 1, 0.0)
    exact = phi.mean() if bidders == 1 else np.maximum.outer(phi, phi).mean()
    assert res.revenue == pytest.approx(exact, abs=1e-8)
    assert 0.0 <= res.revenue - myerson <= 2.0 / n


def test_myerson_gap_shrinks_as_grid_refines():
    revs = [solve_optimal_lp(np.eye(1), [UnitDemand([0.0])], [uniform_grid_law(n)]).revenue
            for n in (5, 20, 80)]
    gaps = [r - 0.25 for r in revs]
    assert gaps[0] > gaps[1] > gaps[2] >= 0.0
    assert gaps[2] <= 2 / 80


def grid_law(g: int) -> FiniteLaw:
    c = (np.arange(g) + 0.5) / g
    pts = np.array([(a, b) for a in c for b in c])
    return FiniteLaw(pts, np.full(len(pts), 1.0 / len(pts)))


def test_constraint_generation_reaches_the_full_lp_optimum():
    law = grid_law(6)
    full = solve_optimal_lp(np.eye(2), [UnitDemand([0.0, 0.0])], [law], method="full")
    gen = solve_optimal_lp(np.eye(2), [UnitDemand([0.0, 0.0])], [law], method="generation",
                           per_type=2)
    assert gen.revenue == pytest.approx(full.revenue, abs=1e-9)
    assert gen.n_ic_constraints < full.n_ic_constraints
    for res in (full, gen):
        assert res.status == 0
        assert res.max_residual <= 1e-8 and res.max_ic_violation <= 1e-8
        assert res.max_ir_violation <= 1e-8


def two_bidder_instance():
    rng = np.random.default_rng(3)
    A = np.array([[1.0, 0.2], [0.3, 0.9]])
    laws = [FiniteLaw(rng.uniform(0, 1, size=(4, 2)), np.full(4, 0.25)) for _ in range(2)]
    vals = [UnitDemand([0.0, 0.1]), Additive([0.05, 0.0])]
    return A, vals, laws


def test_lp_mechanism_is_bic_ir_and_beats_vcg_and_posted_prices():
    """Exact interim BIC gains and ex-post IR of the LP table, recomputed independently of the LP
    by enumeration; its revenue >= every other BIC-IR mechanism's on the same instance."""
    A, vals, laws = two_bidder_instance()
    opt = TabularMechanism.from_lp(A, vals, laws, off_support="error")
    pops = [Population.latent(law, A) for law in laws]
    rep = direct_report(opt, pops)
    assert rep.kappa <= 1e-8
    assert rep.min_expost_utility >= -1e-8
    assert rep.revenue == pytest.approx(opt.lp.revenue, abs=1e-8)
    for other in (VCG(A, vals), PostedPrices(A, vals, prices=[0.4, 0.5]),
                  PostedPrices(A, vals, prices=[0.7, 0.3], order=[1, 0])):
        other_rev = direct_report(other, pops).revenue
        assert opt.lp.revenue >= other_rev - 1e-9
    table = tabulate(opt, laws)
    assert np.allclose(table.payments, opt.table.payments)


def test_lp_rejects_laws_off_the_unit_cube_and_bad_options():
    class Law:
        points = np.array([[1.5]])
        probs = np.array([1.0])

    with pytest.raises(ValueError, match=r"\[0,1\]\^k"):
        solve_optimal_lp(np.eye(1), [UnitDemand([0.0])], [Law()])
    with pytest.raises(ValueError, match="method"):
        solve_optimal_lp(np.eye(1), [UnitDemand([0.0])], [uniform_grid_law(3)], method="x")
    with pytest.raises(ValueError, match="one finite law per bidder"):
        solve_optimal_lp(np.eye(1), [UnitDemand([0.0])] * 2, [uniform_grid_law(3)])


def test_off_support_menu_keeps_latent_types_truthful_for_one_bidder():
    """off_support='menu' (one bidder): a latent type off the support picks its best menu entry,
    so no latent report beats the truthful one (checked on a dense set of reports)."""
    A, vals = np.eye(2), [UnitDemand([0.0, 0.0])]
    law = grid_law(3)
    mech = TabularMechanism.from_lp(A, vals, [law], off_support="menu")
    rng = np.random.default_rng(0)
    types = rng.uniform(0, 1, size=(6, 2))
    pop = Population(values=types @ A.T, reports=types, probs=np.full(6, 1 / 6))
    rep = direct_report(mech, [pop], candidates=[rng.uniform(-0.2, 1.2, size=(60, 2))])
    assert rep.kappa <= 1e-9
    assert rep.min_expost_utility >= -1e-12


def test_an_lp_no_strategy_settles_names_its_size_and_every_status():
    """recmech.core.highs: never a wrong optimum; the error names the LP and the statuses."""
    from scipy import sparse

    from recmech.core.highs import STRATEGIES, HighsLP, LPFailure

    # x >= 0 by its bound and x <= -1 by its row: no strategy can settle it
    lp = HighsLP([1.0], [0.0], [np.inf], sparse.csr_matrix([[1.0]]), [-1.0], "toy LP")
    with pytest.raises(LPFailure, match=r"toy LP: no solver settled the LP with 1 variables "
                                        r"and 1 rows.*Infeasible"):
        lp.solve()
    assert len(STRATEGIES) >= 3


def test_a_strategy_that_stops_early_falls_back_to_the_next(monkeypatch):
    """An iteration limit on the first strategy: the next one settles the same optimum."""
    from recmech.core import highs

    limited = (("dual simplex, no iterations", {"solver": "simplex",
                                                "simplex_iteration_limit": 0}),)
    restored = tuple((label, dict(opts, simplex_iteration_limit=2**31 - 1))
                     for label, opts in highs.STRATEGIES)
    monkeypatch.setattr(highs, "STRATEGIES", limited + restored)
    law = uniform_grid_law(4)
    res = solve_optimal_lp(np.eye(1), [UnitDemand([0.0])], [law])
    assert "no iterations" not in res.message and res.max_ic_violation <= 1e-8
    monkeypatch.undo()
    assert res.revenue == pytest.approx(
        solve_optimal_lp(np.eye(1), [UnitDemand([0.0])], [law]).revenue, abs=1e-12)
