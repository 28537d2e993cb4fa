"""Mechanisms for everyday use (issue 27): every mechanism batched and agreeing with its
per-profile outcome, near-ties of an LP menu decided the exact way, every mechanism's own
payment range for Monte Carlo (Cai-Daskalakis EC'22, Sec. 2.1 REV(M, D) and Sec. 3 (II): latent
bids, values v_i^A(z, S) = v_i(A z, S))."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.core.auctions import BundleMenu, SecondPriceReserve, myerson_auction
from recmech.core.batch import loop_outcomes
from recmech.core.bench import lp_instance
from recmech.core.laws import FiniteLaw
from recmech.core.measure import Population, direct_report, robust_report
from recmech.core.mechanisms import VCG, LatentMechanism, PostedPrices
from recmech.core.menus import bundle_values, menu_pick, table_plan, utility_tolerance
from recmech.core.montecarlo import monte_carlo_revenue
from recmech.core.optimal import TabularMechanism
from recmech.core.robust import RobustifiedMechanism
from recmech.core.valuations import Additive, CDemand, DownwardClosed, UnitDemand


def _laws(k: int, m: int, seed: int, size: int = 4) -> list[FiniteLaw]:
    gen = np.random.default_rng(seed)
    return [FiniteLaw(gen.integers(0, 5, size=(size, k)) / 4.0, np.full(size, 1.0 / size))
            for _ in range(m)]


def _instance(seed: int = 0):
    """m = 2 bidders, N = 2 items, k = 2: unit demand and additive, A with a negative entry."""
    A = np.array([[1.0, 0.25], [-0.25, 1.0]])  # noqa: N806
    vals = [UnitDemand([0.0, 0.1]), Additive([0.05, 0.0])]
    return A, vals, _laws(2, 2, seed)


def _mechanisms() -> dict:
    A, vals, laws = _instance()  # noqa: N806
    bundles = [[0], [1], [0, 1]]
    lp = TabularMechanism.from_lp(A, vals, laws)
    return {
        "vcg": VCG(A, vals),
        "posted": PostedPrices(A, vals, [0.5, 0.5]),
        "bundle_menu": BundleMenu(A, vals, bundles, [0.5, 0.5, 1.0]),
        "second_price": SecondPriceReserve(A, vals, reserve=0.25),
        "myerson": myerson_auction(A, vals, laws),
        "tabular_menu": lp,
        "tabular_nearest": TabularMechanism(A, vals, lp.table, off_support="nearest"),
        "robustified": RobustifiedMechanism(VCG(A, vals), laws, 0.5),
    }


MECHANISMS = _mechanisms()
LAWS = _instance()[2]


def _bids(kind: str, n: int = 300, seed: int = 1) -> np.ndarray:
    gen = np.random.default_rng(seed)
    if kind == "random":
        return gen.uniform(0.0, 1.0, size=(n, 2, 2))
    # tie-heavy: a lattice of quarters, where the support points and equal values lie
    return gen.integers(0, 5, size=(n, 2, 2)) / 4.0


@pytest.mark.parametrize("kind", ["random", "ties"])
@pytest.mark.parametrize("name", sorted(MECHANISMS))
def test_batched_outcomes_agree_with_the_per_profile_outcome(name, kind):
    """outcomes(bids) = outcome per profile: the same allocations (exactly; a table also plays
    the same support report for every bidder) and payments to 1e-12, and so the same
    utilities."""
    mech = MECHANISMS[name]
    bids = _bids(kind, 40 if name == "robustified" else 300)
    fast = mech.outcomes(bids)
    slow = loop_outcomes(mech.outcome, bids, mech.N)
    if name.startswith("tabular"):
        plan = table_plan(mech)
        idx = plan.report_indices(bids, mech.off_support)
        assert all(idx[s, i] == mech.report_index(i, bids[s, i])
                   for s in range(bids.shape[0]) for i in range(mech.m))
    assert np.array_equal(fast.alloc_prob, slow.alloc_prob)
    np.testing.assert_allclose(fast.payments, slow.payments, rtol=0, atol=1e-12)
    types = bids @ mech.A.T
    for i, v in enumerate(mech.valuations):
        np.testing.assert_allclose(fast.utilities(i, v, types[:, i]),
                                   slow.utilities(i, v, types[:, i]), rtol=0, atol=1e-12)


def test_myerson_batched_on_a_large_support_equals_the_scan():
    """4,000 support values per bidder (the scan of the per-profile threshold is what made it
    slow): the batched searchsorted gives the same winner and price."""
    gen = np.random.default_rng(5)
    laws = [FiniteLaw(gen.uniform(0, 1, size=(4000, 1)), np.full(4000, 1 / 4000))
            for _ in range(2)]
    mech = myerson_auction(np.eye(1), [UnitDemand([0.0])] * 2, laws)
    bids = np.concatenate([gen.uniform(0, 1, size=(100, 2, 1)),
                           np.stack([laws[0].points[:100], laws[1].points[:100]], axis=1)])
    fast, slow = mech.outcomes(bids), loop_outcomes(mech.outcome, bids, mech.N)
    assert np.array_equal(fast.alloc_prob, slow.alloc_prob)
    np.testing.assert_allclose(fast.payments, slow.payments, rtol=0, atol=1e-12)


def _exact_menu(mech: TabularMechanism) -> tuple[np.ndarray, list, list]:
    """The LP menu in exact rationals: the entries' interim lotteries and prices rounded to the
    nearest fraction of denominator <= 1000 (they differ from the floats by the solver's
    error only; asserted), and the distinct exact entries."""
    plan = table_plan(mech)
    b = plan.bidders[0]
    exact_x = [[Fraction(float(v)).limit_denominator(1000) for v in row] for row in b.xbar]
    exact_p = [Fraction(float(v)).limit_denominator(1000) for v in b.pbar]
    err = max(max(abs(float(e) - v) for e, v in zip(ex, row, strict=True))
              for ex, row in zip(exact_x, b.xbar, strict=True))
    err = max(err, max(abs(float(e) - v) for e, v in zip(exact_p, b.pbar, strict=True)))
    assert 0 < err <= 1e-9          # the floats carry noise, and only noise
    return b.bundles, exact_x, exact_p


def test_lp_menu_near_ties_are_decided_as_in_exact_arithmetic():
    """Item 1: the g = 20 LP menu (additive, two items) on the lattice of 1/40 aligned with its
    grid: lattice points tie entries in exact arithmetic (distinct ones, and copies of one entry
    that the solver's noise, ~1e-10 and far above 1e-12, tells apart). At the table's own
    accuracy every point takes the entry the exact rule takes (the dearest of the exactly tied
    ones), so revenue is the exact one."""
    A, _, laws = lp_instance(20)  # noqa: N806
    vals = [Additive([0.0, 0.0])]
    mech = TabularMechanism.from_lp(A, vals, laws)
    assert 0 < mech.accuracy <= 1e-8
    bundles, ex_x, ex_p = _exact_menu(mech)
    lattice = [(Fraction(a, 40), Fraction(b, 40)) for a in range(41) for b in range(41)]
    pts = np.array([[float(a), float(b)] for a, b in lattice])
    chosen = table_plan(mech).report_indices(pts[:, None, :], "menu")[:, 0]
    exact_revenue, paid, ties = Fraction(0), 0.0, 0
    for (a, b), e, pt in zip(lattice, chosen, pts, strict=True):
        v = [a * bool(m[0]) + b * bool(m[1]) for m in bundles]
        util = [sum(x * w for x, w in zip(row, v, strict=True)) - p
                for row, p in zip(ex_x, ex_p, strict=True)]
        top = max(util)
        tied = [f for f, u in enumerate(util) if u == top]
        ties += len({(tuple(ex_x[f]), ex_p[f]) for f in tied}) > 1
        want = None if top < 0 else max(tied, key=lambda f: ex_p[f])
        if want is None:
            assert e == -1
            continue
        assert e >= 0 and (ex_x[e], ex_p[e]) == (ex_x[want], ex_p[want]), (a, b)
        exact_revenue += ex_p[want]
        paid += float(mech.outcome(pt[None, :]).payments[0])
    assert ties > 0             # distinct exact entries tie on the lattice (63 of 1,681 here)
    assert paid / len(lattice) == pytest.approx(float(exact_revenue) / len(lattice), abs=1e-9)


def test_menu_pick_takes_the_dearest_of_the_tied_and_buys_when_indifferent():
    util = np.array([[0.3, 0.3 - 1e-11, 0.1], [-1e-13, -1.0, -2.0], [-0.5, -0.4, -0.3]])
    prices = np.array([0.2, 0.5, 0.9])
    tol = utility_tolerance(1e-10, 3, np.ones(3))
    assert menu_pick(util, prices, tol).tolist() == [1, 0, -1]
    # at float rounding only (exact prices), neither the 1e-11 gap nor the -1e-13 is a tie
    assert menu_pick(util, prices, utility_tolerance(0.0, 3, np.ones(3))).tolist() == [0, -1, -1]


def _exact_revenue(name: str, mech: LatentMechanism) -> float:
    pops = [Population.latent(law, mech.A) for law in LAWS]
    if name == "robustified":
        return robust_report(mech, pops, misreports=False).revenue
    return direct_report(mech, pops).revenue


@pytest.mark.parametrize("name", sorted(MECHANISMS))
def test_monte_carlo_needs_no_payment_range_and_covers_the_exact_revenue(name):
    """Item 3: every mechanism states its payment range; each sampled payment is checked
    against it, and the interval (false alarm 1e-9) covers the exact revenue."""
    mech = MECHANISMS[name]
    rng = mech.payment_range()
    assert rng.shape == (mech.m, 2) and np.all(rng[:, 0] <= rng[:, 1])
    est = monte_carlo_revenue(mech, LAWS, 400 if name == "robustified" else 4000, 11,
                              false_alarm=1e-9)
    assert est.ci_low <= _exact_revenue(name, mech) <= est.ci_high


def test_a_mechanism_without_a_known_range_says_how():
    class Opaque(LatentMechanism):
        def _outcome(self, bids):
            return VCG(self.A, self.valuations).outcome(bids)

    A, vals, laws = _instance()  # noqa: N806
    with pytest.raises(ValueError, match=r"pass payment_range=\(lo, hi\)"):
        monte_carlo_revenue(Opaque(A, vals), laws, 10, 0)
    est = monte_carlo_revenue(Opaque(A, vals), laws, 10, 0, payment_range=(0.0, 3.0))
    assert est.n_samples == 10


def test_cdemand_bundle_menu_batched_on_a_three_item_instance():
    gen = np.random.default_rng(9)
    A = gen.uniform(-0.2, 1.0, size=(3, 2))  # noqa: N806
    vals = [CDemand(2, [0.0, 0.1, 0.0]), UnitDemand([0.1, 0.0, 0.0]), Additive([0.0] * 3)]
    menu = BundleMenu(A, vals, [[0], [1, 2], [0, 1, 2], [2]], [0.4, 0.6, 1.1, 0.3],
                      order=[2, 0, 1])
    bids = np.concatenate([gen.uniform(0, 1, size=(200, 3, 2)),
                           gen.integers(0, 3, size=(200, 3, 2)) / 2.0])
    fast, slow = menu.outcomes(bids), loop_outcomes(menu.outcome, bids, menu.N)
    assert np.array_equal(fast.alloc_prob, slow.alloc_prob)
    np.testing.assert_allclose(fast.payments, slow.payments, rtol=0, atol=1e-12)


@pytest.mark.parametrize("valuation", [UnitDemand([0.1, -0.2, 0.0, 0.3]),
                                       CDemand(2, [0.0, 0.1, -0.1, 0.2]),
                                       Additive([0.0, -0.3, 0.2, 0.1])])
def test_bundle_values_are_value_batch_of_each_bundle(valuation):
    """The column-by-column values of fixed bundles equal ``value_batch`` exactly (N = 4)."""
    gen = np.random.default_rng(2)
    types = np.concatenate([gen.uniform(-0.5, 1.0, size=(200, 4)),
                            gen.integers(-1, 2, size=(200, 4)) / 2.0])
    bundles = np.array([[b >> j & 1 for j in range(4)] for b in range(16)], dtype=bool)
    got = bundle_values(valuation, types, bundles)
    for e, mask in enumerate(bundles):
        want = valuation.value_batch(types, np.broadcast_to(mask, types.shape))
        assert np.array_equal(got[:, e], want)


def test_payment_range_refuses_a_bad_box_by_name():
    mech = MECHANISMS["vcg"]
    assert mech.payment_range([0.0, 0.0], [1.0, 2.0]).shape == (mech.m, 2)
    with pytest.raises(ValueError, match="lo <= hi"):
        mech.payment_range(1.0, 0.0)
    with pytest.raises(ValueError, match=r"lo must have shape \(2,\)"):
        mech.payment_range([0.0, 0.0, 0.0], 1.0)
    with pytest.raises(TypeError, match="hi must be a real"):
        mech.payment_range(0.0, "1")
    with pytest.raises(ValueError, match=r"bids must be a finite \(n, m, k\)"):
        mech.outcomes(np.zeros((3, 2, 3)))


def _valuation(kind: str, mu: np.ndarray):
    if kind == "unit":
        return UnitDemand(mu)
    if kind == "c2":
        return CDemand(2, mu)
    if kind == "add":
        return Additive(mu)
    return DownwardClosed([(0,), (mu.size - 1,)], mu)


@st.composite
def menu_instances(draw):
    """A design, valuations of every family, a bundle menu and 30 profiles; ``coarse`` draws
    every number from a grid of quarters, so exact ties (equal utilities, zero utilities, values
    on a support point) are frequent."""
    m, N, k = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))  # noqa: N806
    gen = np.random.default_rng(draw(st.integers(0, 2**16)))
    coarse = draw(st.booleans())
    grid = (lambda size: gen.integers(-1, 5, size=size) / 4.0) if coarse else (
        lambda size: gen.uniform(-0.25, 1.0, size=size))
    kinds = [draw(st.sampled_from(["unit", "c2", "add", "family"])) for _ in range(m)]
    vals = [_valuation(kind, grid(N) / 2) for kind in kinds]
    r = draw(st.integers(1, 4))
    bundles = gen.integers(0, 2, size=(r, N)).astype(bool)
    bundles[:, 0] |= ~bundles.any(axis=1)
    bids = np.abs(grid((30, m, k))).clip(0.0, 1.0)
    return grid((N, k)), vals, bundles, np.abs(grid(r)), bids


@settings(max_examples=30, deadline=None)
@given(menu_instances())
def test_batched_menus_and_single_item_auctions_equal_their_loops(case):
    """Property (issue 27, item 4): bundle menus, second price with reserve and Myerson's
    auction give, batched, exactly the per-profile allocations and the payments to 1e-12 on
    random and tie-heavy instances."""
    A, vals, bundles, prices, bids = case  # noqa: N806
    laws = [FiniteLaw.from_samples(bids[:, i]) for i in range(len(vals))]
    for mech in (BundleMenu(A, vals, bundles, prices),
                 SecondPriceReserve(A, vals, reserve=float(prices[0])),
                 myerson_auction(A, vals, laws)):
        fast, slow = mech.outcomes(bids), loop_outcomes(mech.outcome, bids, mech.N)
        assert np.array_equal(fast.alloc_prob, slow.alloc_prob)
        np.testing.assert_allclose(fast.payments, slow.payments, rtol=0, atol=1e-12)
