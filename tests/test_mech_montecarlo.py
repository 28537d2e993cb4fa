"""Batched mechanism outcomes and Monte Carlo REV / incentives (Sec. 2.1 REV(M, D), eps-BIC, IR).

The vectorised ``outcomes`` of VCG and PostedPrices must agree with ``outcome`` profile by
profile (allocations exactly, payments to 1e-12), ties included; the Monte Carlo intervals must
cover the exact values of ``measure`` on finite instances. Every coverage assertion uses fixed
seeds; its false-alarm probability (over the seed) is at most the stated false_alarm = 1e-9.
"""

import itertools
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recmech.core.batch import BatchOutcome, loop_outcomes
from recmech.core.laws import FiniteLaw, UniformBox
from recmech.core.measure import Population, direct_report, robust_report
from recmech.core.mechanisms import VCG, LatentMechanism, Outcome, PostedPrices
from recmech.core.montecarlo import (
    bernstein_halfwidth,
    hoeffding_halfwidth,
    mean_interval,
    monte_carlo_incentives,
    monte_carlo_revenue,
    payment_bounds,
)
from recmech.core.optimal import TabularMechanism
from recmech.core.robust import RobustifiedMechanism
from recmech.core.valuations import Additive, CDemand, DownwardClosed, UnitDemand

ALPHA = 1e-9


def make_valuation(kind: str, mu: np.ndarray):
    if kind == "unit":
        return UnitDemand(mu)
    if kind == "c2":
        return CDemand(2, mu)
    if kind == "add":
        return Additive(mu)
    return DownwardClosed([tuple(range(min(2, mu.size))), (mu.size - 1,)], mu)


@st.composite
def batch_instance(draw, kinds=("unit", "c2", "add", "family"), m_max=4, n_max=5):
    """A design, valuations and 25 bid profiles; ``coarse`` draws every number from a grid of
    a few values, so exact ties (equal gains, zero gains) are frequent."""
    m, N = draw(st.integers(1, m_max)), draw(st.integers(1, n_max))  # noqa: N806
    k = draw(st.integers(1, 3))
    coarse = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    kind = [draw(st.sampled_from(kinds)) for _ in range(m)]
    if coarse:
        A = rng.choice([0.0, 0.5, 1.0], size=(N, k))
        mus = rng.choice([-0.5, 0.0, 0.5], size=(m, N))
        bids = rng.choice([0.0, 0.5, 1.0], size=(25, m, k))
    else:
        A = rng.uniform(-0.5, 1.0, size=(N, k))
        mus = rng.uniform(-0.3, 0.3, size=(m, N))
        bids = rng.uniform(0, 1, size=(25, m, k))
    return A, [make_valuation(kd, mus[i]) for i, kd in enumerate(kind)], bids, rng


def assert_batch_matches_loop(mech: LatentMechanism, bids: np.ndarray) -> BatchOutcome:
    fast = mech.outcomes(bids)
    slow = loop_outcomes(mech.outcome, bids, mech.N)
    for s, b in enumerate(bids):                  # the loop itself is ``outcome`` per profile
        assert np.array_equal(slow.payments[s], mech.outcome(b).payments)
    differ = np.flatnonzero((fast.alloc_prob != slow.alloc_prob).any(axis=(1, 2)))
    assert differ.size == 0, f"allocations differ at profiles {differ}"
    np.testing.assert_allclose(fast.payments, slow.payments, rtol=0, atol=1e-12)
    return fast


@given(batch_instance(m_max=3, n_max=3))   # downward-closed VCG enumerates (m+1)^N allocations
def test_vcg_batched_equals_per_profile_loop(case):
    A, vals, bids, _ = case
    mech = VCG(A, vals)
    fast = assert_batch_matches_loop(mech, bids)
    if all(isinstance(v, UnitDemand) for v in vals):
        assert fast.lotteries is None            # the vectorised path ran (m <= 4: <= 625 combos)


@given(batch_instance(kinds=("unit",)))
def test_vcg_batched_unit_demand_equals_loop(case):
    A, vals, bids, _ = case
    assert_batch_matches_loop(VCG(A, vals), bids)


@given(batch_instance(kinds=("add",)))
def test_vcg_batched_additive_is_second_price_per_item(case):
    A, vals, bids, _ = case
    assert assert_batch_matches_loop(VCG(A, vals), bids).lotteries is None


@given(batch_instance(kinds=("unit", "c2", "add")))
def test_vcg_batched_c_demand_equals_loop(case):
    A, vals, bids, _ = case
    assert_batch_matches_loop(VCG(A, vals), bids)


@given(batch_instance(), st.data())
def test_posted_prices_batched_equals_per_profile_loop(case, data):
    A, vals, bids, rng = case
    N, m = A.shape[0], len(vals)  # noqa: N806
    prices = rng.choice([0.0, 0.25, 0.5], size=N) if data.draw(st.booleans()) \
        else rng.uniform(-0.1, 1.0, size=N)
    order = data.draw(st.permutations(range(m)))
    assert assert_batch_matches_loop(PostedPrices(A, vals, prices, order), bids).lotteries is None


@given(batch_instance())
def test_valuation_batch_helpers_equal_one_type_methods(case):
    A, vals, bids, rng = case
    types = bids[:, 0, :] @ A.T
    masks = rng.uniform(size=types.shape) < 0.7
    for v in vals:
        best = v.best_subset_batch(types, masks)
        value = v.value_batch(types, masks)
        for r in range(types.shape[0]):
            assert np.array_equal(best[r], v.best_subset(types[r], masks[r]))
            assert value[r] == pytest.approx(v.value(types[r], masks[r]), abs=1e-12)


def test_vcg_batch_on_a_large_instance_falls_back_to_the_loop():
    rng = np.random.default_rng(0)
    A = rng.uniform(size=(6, 2))
    vals = [CDemand(2, rng.uniform(-0.2, 0.2, 6)) for _ in range(3)]   # 22^3 combos > limit
    out = assert_batch_matches_loop(VCG(A, vals), rng.uniform(size=(10, 3, 2)))
    assert out.lotteries is not None


def test_batch_outcome_values_need_lotteries_when_the_mechanism_randomises():
    alloc = np.zeros((1, 1, 2))
    alloc[0, 0] = [0.5, 0.5]
    out = BatchOutcome(alloc_prob=alloc, payments=np.zeros((1, 1)))
    with pytest.raises(ValueError, match="randomises"):
        out.expected_values(0, UnitDemand([1.0, 1.0]), np.zeros((1, 2)))
    lot = ((0.5, np.array([[True, False]])), (0.5, np.array([[False, True]])))
    kept = BatchOutcome(alloc_prob=alloc, payments=np.array([[0.25]]), lotteries=(lot,))
    # unit demand: E[v] = 1 over the lottery, while v(marginals) would be ill-defined
    assert kept.utilities(0, UnitDemand([1.0, 1.0]), np.zeros((1, 2)))[0] == pytest.approx(0.75)
    json.dumps(kept.to_dict())


# --- Monte Carlo revenue ----------------------------------------------------------------------

def finite_instance():
    rng = np.random.default_rng(3)
    A = rng.uniform(0, 1, (3, 2))
    vals = [UnitDemand([0.0, 0.1, 0.2]), Additive([0.0, 0.0, 0.1]), CDemand(2, [0.1, 0.0, 0.0])]
    laws = [FiniteLaw(rng.uniform(size=(3, 2)), [0.2, 0.3, 0.5]),
            FiniteLaw(rng.uniform(size=(2, 2)), [0.6, 0.4]),
            FiniteLaw(rng.uniform(size=(2, 2)), [0.5, 0.5])]
    return A, vals, laws


@pytest.mark.parametrize("kind", ["vcg", "posted"])
def test_mc_revenue_interval_covers_exact_revenue_and_paths_agree(kind):
    A, vals, laws = finite_instance()
    mech = VCG(A, vals) if kind == "vcg" else PostedPrices(A, vals, [0.5, 0.6, 0.4], (2, 0, 1))
    exact = direct_report(mech, [Population.latent(law, A) for law in laws]).revenue
    est = monte_carlo_revenue(mech, laws, 6000, 1, false_alarm=ALPHA, batch_size=1000)
    assert est.ci_low <= exact <= est.ci_high, (exact, est.to_dict())
    # the interval says something: at most a sixth of the revenue on either side
    assert est.ci_high - est.ci_low < exact / 3
    assert sum(est.per_bidder) == pytest.approx(est.mean, abs=1e-12)
    json.dumps(est.to_dict())
    # same rng, same draws: the per-profile loop gives the same numbers
    fast = monte_carlo_revenue(mech, laws, 1200, 2, batch_size=500)
    slow = monte_carlo_revenue(mech, laws, 1200, 2, batched=False, batch_size=500)
    assert slow.mean == pytest.approx(fast.mean, abs=1e-12)
    assert slow.ci_low == pytest.approx(fast.ci_low, abs=1e-12)


@pytest.mark.parametrize("inner_kind", ["vcg", "lp"])
def test_mc_revenue_of_robustified_mechanism_covers_exact_revenue(inner_kind):
    A = np.array([[1.0], [0.6]])
    laws = [FiniteLaw(np.array([[0.25], [0.8]]), np.array([0.4, 0.6])),
            FiniteLaw(np.array([[0.1], [0.5], [0.7]]), np.array([0.2, 0.5, 0.3]))]
    vals = [UnitDemand([0.0, 0.1]), Additive([0.0, 0.0])]
    inner = VCG(A, vals) if inner_kind == "vcg" else TabularMechanism.from_lp(A, vals, laws)
    mt = RobustifiedMechanism(inner, laws, 0.2)
    exact = robust_report(mt, [Population.latent(law, A) for law in laws], misreports=False)
    est = monte_carlo_revenue(mt, laws, 2000, 5, false_alarm=ALPHA)
    assert est.ci_low <= exact.revenue <= est.ci_high, (exact.revenue, est.to_dict())
    lo, hi = est.payment_range
    assert lo < 0 < hi                 # the IR rebate can make a payment negative
    assert est.ci_high - est.ci_low < 0.1 * (hi - lo)


def test_mc_revenue_on_a_continuous_law_is_consistent_with_the_loop():
    rng = np.random.default_rng(7)
    A = rng.uniform(0, 1, (20, 4))
    vals = [UnitDemand(rng.uniform(-0.2, 0.2, 20)) for _ in range(3)]
    laws = [UniformBox(np.zeros(4), np.ones(4))] * 3
    mech = VCG(A, vals)
    fast = monte_carlo_revenue(mech, laws, 500, 2)
    slow = monte_carlo_revenue(mech, laws, 500, 2, batched=False)
    assert fast.mean == pytest.approx(slow.mean, abs=1e-12)
    assert fast.variance == pytest.approx(slow.variance, abs=1e-12)


def test_interval_width_shrinks_like_one_over_sqrt_n():
    for n in (100, 1000, 12345):
        assert hoeffding_halfwidth(4 * n, 2.0, ALPHA) == pytest.approx(
            hoeffding_halfwidth(n, 2.0, ALPHA) / 2, rel=1e-14)
        # the empirical Bernstein leading term scales the same way; its range term as 1/(n-1)
        lead = bernstein_halfwidth(n, 0.3, 0.0, ALPHA)
        assert bernstein_halfwidth(4 * n, 0.3, 0.0, ALPHA) == pytest.approx(lead / 2, rel=1e-14)
        tail = bernstein_halfwidth(n, 0.0, 2.0, ALPHA)
        assert tail == pytest.approx(7 * 2.0 * np.log(4 / ALPHA) / (3 * (n - 1)), rel=1e-14)
    # the estimate's half-width is the formula at its own variance (intersection at alpha/2)
    A, vals, laws = finite_instance()
    est = monte_carlo_revenue(VCG(A, vals), laws, 4000, 9)
    span = est.payment_range[1] - est.payment_range[0]
    half = min(hoeffding_halfwidth(4000, span, ALPHA / 2),
               bernstein_halfwidth(4000, est.variance, span, ALPHA / 2))
    assert est.ci_high - est.mean == pytest.approx(half, rel=1e-12)
    low, high = mean_interval(0.5, 0.0, 10, 0.0, 1.0, ALPHA)   # wider than the range: clipped
    assert (low, high) == (0.0, 1.0)


# --- Monte Carlo incentives -------------------------------------------------------------------

def exact_interim(mech, laws, i, z_true, report) -> float:
    """U_i(A z_true; report) by enumeration over the others' finite laws."""
    others = [j for j in range(mech.m) if j != i]
    total = 0.0
    for idx in itertools.product(*(range(laws[j].probs.size) for j in others)):
        bids = np.zeros((mech.m, mech.k))
        bids[i] = report
        w = 1.0
        for j, s in zip(others, idx, strict=True):
            bids[j] = laws[j].points[s]
            w *= laws[j].probs[s]
        total += w * mech.outcome(bids).utility(i, mech.valuations[i], mech.A @ z_true)
    return total


class FirstPrice(LatentMechanism):
    """One item to the highest latent bid at a price equal to that bid: not BIC (shading)."""

    def _outcome(self, bids):
        win = int(np.argmax(bids[:, 0]))
        alloc = np.zeros((self.m, 1), dtype=bool)
        alloc[win, 0] = True
        pay = np.zeros(self.m)
        pay[win] = bids[win, 0]
        return Outcome(lottery=((1.0, alloc),), payments=pay)


def test_mc_incentives_interim_intervals_cover_exact_gains_and_utilities():
    A, vals, laws = finite_instance()
    mech = VCG(A, vals)
    types = laws[0].points
    mis = np.vstack([laws[1].points, [[0.0, 0.0], [1.0, 1.0]]])
    est = monte_carlo_incentives(mech, laws, 1000, 4, misreports=mis, types=types,
                                 false_alarm=ALPHA, batch_size=700)
    assert est.mode == "interim" and est.n_intervals == 3 * 3 * 4 + 3 * 3
    for i in range(3):
        for q, z in enumerate(types):
            truth = exact_interim(mech, laws, i, z, z)
            assert est.utility_low[i, q] <= truth <= est.utility_high[i, q]
            for r, b in enumerate(mis):
                gain = exact_interim(mech, laws, i, z, b) - truth
                assert est.gain_low[i, q, r] <= gain <= est.gain_high[i, q, r]
    # VCG is DSIC and IR: no certified violation, and the bounds are informative
    assert est.bic_violation_low <= 0 and est.ir_min_high >= 0
    assert est.bic_violation_high < 0.25 * np.ptp(est.utility_range, axis=1).min()
    json.dumps(est.to_dict())


def test_mc_incentives_ex_ante_paths_agree_and_cover():
    A, vals, laws = finite_instance()
    mech = PostedPrices(A, vals, [0.5, 0.6, 0.4])
    mis = np.array([[0.2, 0.9], [0.9, 0.2]])
    fast = monte_carlo_incentives(mech, laws, 1500, 8, misreports=mis)
    slow = monte_carlo_incentives(mech, laws, 1500, 8, misreports=mis, batched=False)
    np.testing.assert_allclose(fast.gain, slow.gain, atol=1e-12)
    np.testing.assert_allclose(fast.utility_low, slow.utility_low, atol=1e-12)
    assert fast.mode == "ex-ante" and fast.types is None
    for i in range(3):
        truth = sum(p * exact_interim(mech, laws, i, z, z)
                    for z, p in zip(laws[i].points, laws[i].probs, strict=True))
        assert fast.utility_low[i, 0] <= truth <= fast.utility_high[i, 0]
        for r, b in enumerate(mis):
            gain = sum(p * exact_interim(mech, laws, i, z, b) for z, p in
                       zip(laws[i].points, laws[i].probs, strict=True)) - truth
            assert fast.gain_low[i, 0, r] <= gain <= fast.gain_high[i, 0, r]


def test_mc_incentives_certify_a_bic_violation_of_first_price():
    A = np.ones((1, 1))
    vals = [Additive([0.0]) for _ in range(2)]
    mech = FirstPrice(A, vals)
    laws = [UniformBox([0.0], [1.0])] * 2
    with pytest.raises(ValueError, match="payment_range"):
        monte_carlo_incentives(mech, laws, 100, 0, misreports=[[0.5]])
    est = monte_carlo_incentives(mech, laws, 4000, 0, misreports=[[0.3]], types=[[0.9]],
                                 payment_range=(0.0, 1.0), false_alarm=ALPHA)
    # exact: truthful 0.9 - 0.9 = 0; bid 0.3 wins w.p. 0.3 with gain 0.6: interim gain 0.18
    assert est.gain_low[0, 0, 0] <= 0.18 <= est.gain_high[0, 0, 0]
    assert est.bic_violation_low > 0.05     # certified: not eps-BIC for any eps < 0.05


# --- bad input --------------------------------------------------------------------------------

def test_bad_input_names_the_parameter():
    A, vals, laws = finite_instance()
    mech = VCG(A, vals)
    for n in (0, -3, 1):
        with pytest.raises(ValueError, match="n_samples"):
            monte_carlo_revenue(mech, laws, n, 0)
    for fa in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="false_alarm"):
            monte_carlo_revenue(mech, laws, 10, 0, false_alarm=fa)
    with pytest.raises(ValueError, match="laws must give one"):
        monte_carlo_revenue(mech, laws[:2], 10, 0)
    with pytest.raises(ValueError, match=r"laws\[1\]"):
        monte_carlo_revenue(mech, [laws[0], UniformBox([0.0] * 3, [1.0] * 3), laws[2]], 10, 0)
    with pytest.raises(ValueError, match="misreports"):
        monte_carlo_incentives(mech, laws, 10, 0, misreports=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="types"):
        monte_carlo_incentives(mech, laws, 10, 0, misreports=np.zeros((1, 2)), types=[0.1, 0.2])
    for bad in (np.zeros((4, 3, 3)), np.zeros((3, 2)), np.full((2, 3, 2), np.nan)):
        with pytest.raises(ValueError, match="bids"):
            mech.outcomes(bad)
        with pytest.raises(ValueError, match="bids"):
            PostedPrices(A, vals, np.zeros(3)).outcomes(bad)
    for bad_range in ((1.0, 0.0), (0.0, np.inf), [(0.0, 1.0)] * 2, (np.nan, 1.0)):
        with pytest.raises(ValueError, match=r"payment_range must be finite \(lo, hi\) pairs"):
            monte_carlo_revenue(mech, laws, 50, 0, payment_range=bad_range)
    with pytest.raises(ValueError, match="payment_range"):   # a payment outside the given range
        monte_carlo_revenue(mech, laws, 50, 0, payment_range=(0.0, 1e-6))
    with pytest.raises(ValueError, match="payment_range"):
        monte_carlo_revenue(mech, laws, 50, 0, payment_range=(1.0, 0.0))
    assert payment_bounds(mech).shape == (3, 2)
