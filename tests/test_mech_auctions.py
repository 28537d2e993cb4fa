"""Mechanisms researchers use (issue 15): bundle menus, second price with reserve, Myerson's
auction, laws from samples, one set of law types, a currency scale, and the tabular
mechanism's off-support menu with ties to the higher price (Cai-Daskalakis EC'22, Sec. 3 (II):
latent bids, values v_i^A(z, S) = v_i(A z, S))."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.core.auctions import (
    BundleMenu,
    SecondPriceReserve,
    ironed_virtual_values,
    myerson_auction,
)
from recmech.core.design import scale_design
from recmech.core.laws import FiniteLaw
from recmech.core.measure import Population, direct_report
from recmech.core.mechanisms import MechanismTable, tabulate
from recmech.core.montecarlo import monte_carlo_revenue
from recmech.core.optimal import TabularMechanism, solve_optimal_lp
from recmech.core.robust import RobustifiedMechanism
from recmech.core.valuations import Additive, UnitDemand


@st.composite
def finite_laws(draw, k: int = 1, max_support: int = 4):
    s = draw(st.integers(1, max_support))
    pts = draw(st.lists(st.integers(0, 20), min_size=s, max_size=s, unique=True))
    weights = np.array(draw(st.lists(st.integers(1, 9), min_size=s, max_size=s)), dtype=float)
    return FiniteLaw(np.array(pts, dtype=float)[:, None] / 20, weights / weights.sum())


@settings(max_examples=25, deadline=None)
@given(laws=st.lists(finite_laws(), min_size=1, max_size=3), mu=st.sampled_from([0.0, -0.2]))
def test_myerson_revenue_is_the_lp_optimum_and_it_is_dsic_and_ir(laws, mu):
    """Myerson 1981 / Elkind 2007: the ironed-virtual-value auction attains the optimal BIC, IR
    revenue (the LP of ``optimal``) on independent finite laws, truthfully and with IR."""
    A = np.array([[1.0]])
    vals = [UnitDemand([mu])] * len(laws)
    lp = solve_optimal_lp(A, vals, laws)
    auction = myerson_auction(A, vals, laws)
    pops = [Population.latent(law, A) for law in laws]
    grid = np.linspace(0, 1, 21)[:, None]
    report = direct_report(auction, pops, candidates=[grid] * len(laws))
    assert report.revenue == pytest.approx(lp.revenue, abs=1e-9)
    assert report.kappa == 0.0 and report.min_expost_utility >= 0.0


def test_ironing_pools_a_non_monotone_virtual_value():
    # values 1, 2, 3 with probs 0.2, 0.6, 0.2: phi = (1 - 0.8/0.2, 2 - 0.2/0.6, 3) = (-3, 5/3, 3)
    assert ironed_virtual_values([1, 2, 3], [0.2, 0.6, 0.2]) == pytest.approx([-3, 5 / 3, 3])
    # values 1, 2, 3 with probs 0.6, 0.1, 0.3: phi = (1 - 0.4/0.6, 2 - 0.3/0.1, 3) is not
    # monotone: the first two are pooled at their weighted mean
    phi = np.array([1 - 0.4 / 0.6, 2 - 0.3 / 0.1, 3])
    pooled = (0.6 * phi[0] + 0.1 * phi[1]) / 0.7
    assert ironed_virtual_values([1, 2, 3], [0.6, 0.1, 0.3]) == pytest.approx(
        [pooled, pooled, 3.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        ironed_virtual_values([1, 1], [0.5, 0.5])


def test_second_price_with_reserve_pays_the_larger_of_reserve_and_second_value():
    A = np.array([[1.0]])
    mech = SecondPriceReserve(A, [UnitDemand([0.0])] * 3, reserve=0.3)
    out = mech.outcome(np.array([[0.5], [0.9], [0.4]]))
    assert out.payments.tolist() == [0.0, 0.5, 0.0] and out.lottery[0][1][1, 0]
    assert mech.outcome(np.array([[0.1], [0.35], [0.2]])).payments.tolist() == [0.0, 0.3, 0.0]
    assert mech.outcome(np.array([[0.1], [0.2], [0.25]])).payments.sum() == 0.0
    law = FiniteLaw(np.linspace(0, 1, 6)[:, None], np.full(6, 1 / 6))
    pops = [Population.latent(law, A)] * 3
    rep = direct_report(mech, pops, candidates=[np.linspace(0, 1, 11)[:, None]] * 3)
    assert rep.kappa == 0.0 and rep.min_expost_utility >= 0.0


def test_bundle_menu_breaks_ties_to_the_higher_price_whatever_the_listing_order():
    A = np.eye(2)
    vals = [Additive([0.0, 0.0])]
    bundles = [[0], [0, 1], [1]]
    prices = [0.5, 1.0, 0.5]
    law = FiniteLaw(np.array([[0.5, 0.5], [0.75, 0.25], [1.0, 1.0], [0.2, 0.9]]),
                    np.full(4, 0.25))
    revenues = []
    for perm in ([0, 1, 2], [2, 1, 0], [1, 0, 2]):
        menu = BundleMenu(A, vals, [bundles[p] for p in perm], [prices[p] for p in perm])
        # (0.5, 0.5): utility 0 for {0}, {1} and {0, 1}: takes the bundle at 1.0
        assert menu.outcome(np.array([[0.5, 0.5]])).payments[0] == 1.0
        revenues.append(direct_report(menu, [Population.latent(law, A)]).revenue)
    assert revenues[0] == revenues[1] == revenues[2]


def _permuted(table: MechanismTable, perm: np.ndarray) -> MechanismTable:
    """The same one-bidder table with its support listed in the order ``perm``."""
    return MechanismTable(points=(table.points[0][perm],), probs=(table.probs[0][perm],),
                          allocations=table.allocations, alloc_probs=table.alloc_probs[perm],
                          payments=table.payments[perm])


def test_tabular_menu_off_the_support_does_not_depend_on_the_support_order():
    """Type (0.75, 0.25) is indifferent between item 0 at 0.5 and item 1 at 0 (utility 0.25
    each); it buys the dearer entry whatever order the support is listed in (before, the first
    listed entry won, so revenue depended on the order)."""
    A, vals = np.eye(2), [UnitDemand([0.0, 0.0])]
    table = MechanismTable(
        points=(np.array([[0.5, 0.0], [0.75, 0.5]]),), probs=(np.array([0.5, 0.5]),),
        allocations=np.array([[[True, False]], [[False, True]]]),
        alloc_probs=np.array([[1.0, 0.0], [0.0, 1.0]]), payments=np.array([[0.5], [0.0]]))
    paid = []
    for perm in ([0, 1], [1, 0]):
        mech = TabularMechanism(A, vals, _permuted(table, np.array(perm)))
        paid.append(float(mech.outcome(np.array([[0.75, 0.25]])).payments[0]))
    assert paid == [0.5, 0.5]


def test_from_samples_merges_duplicates_and_every_api_takes_the_same_law_types():
    gen = np.random.default_rng(0)
    distinct = np.array([[0.1, 0.2], [0.5, 0.5], [0.9, 0.3]])
    rows = distinct[gen.integers(0, 3, size=300)]
    law = FiniteLaw.from_samples(rows)
    assert law.points.shape == (3, 2)
    counts = np.array([np.sum(np.all(rows == p, axis=1)) for p in law.points])
    assert np.array_equal(law.probs, counts / 300)
    A, vals = np.eye(2), [UnitDemand([0.0, 0.0])]
    pair = (law.points, law.probs)
    assert solve_optimal_lp(A, vals, [pair]).revenue == pytest.approx(
        solve_optimal_lp(A, vals, [law]).revenue, abs=1e-12)
    mech = TabularMechanism.from_lp(A, vals, [pair])
    assert tabulate(mech, [pair]).payments.shape == (3, 1)
    est = monte_carlo_revenue(mech, [pair], 200, rng=1)
    assert est.ci_low <= mech.lp.revenue <= est.ci_high
    assert RobustifiedMechanism(mech, [pair], 0.5).laws[0].points.shape == (3, 2)
    with pytest.raises(TypeError, match=r"laws\[0\] must be a finite law"):
        solve_optimal_lp(A, vals, ["uniform"])


def test_currency_scale_gives_types_in_currency():
    A = np.array([[1.0, 0.0], [0.5, 0.5]])
    dollars = np.array([[20.0, 40.0], [50.0, 10.0], [20.0, 40.0]])
    law = FiniteLaw.from_samples(dollars, scale=[50.0, 40.0])
    assert law.points.max() <= 1.0 and law.probs.tolist() == pytest.approx([2 / 3, 1 / 3])
    scaled = scale_design(A, [50.0, 40.0])
    assert np.allclose(np.sort(law.points @ scaled.T, axis=0),
                       np.sort(np.unique(dollars, axis=0) @ A.T, axis=0))
    with pytest.raises(ValueError, match="scale must be > 0"):
        scale_design(A, [1.0, 0.0])
