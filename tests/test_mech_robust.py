"""Lemma 2's M_tilde (claim ``lemma2``) and Algorithm 1 (claim ``theorem1``): exact IR on every
profile, exact offset averaging against an independent enumeration, exactness of the misreport
grid, revenue -> REV(M_hat) as delta -> 0 with F = F_hat, one protocol run per bidder."""

from types import SimpleNamespace

import numpy as np
import pytest

from recmech.core.laws import FiniteLaw
from recmech.core.measure import Population, direct_report, misreport_grid, robust_report
from recmech.core.optimal import TabularMechanism
from recmech.core.robust import QueryMechanism, RandomGrid, RobustifiedMechanism
from recmech.core.valuations import Additive, UnitDemand


def one_bidder(delta=0.2):
    A = np.array([[1.0], [0.5]])
    law = FiniteLaw(np.array([[0.2], [0.55], [0.9]]), np.array([0.3, 0.3, 0.4]))
    vals = [UnitDemand([0.0, 0.1])]
    inner = TabularMechanism.from_lp(A, vals, [law])
    return A, law, inner, RobustifiedMechanism(inner, [law], delta)


def two_bidders(delta=0.3):
    rng = np.random.default_rng(11)
    A = np.array([[1.0, 0.0], [0.4, 0.6]])
    laws = [FiniteLaw(rng.uniform(0, 1, size=(3, 2)), np.full(3, 1 / 3)) for _ in range(2)]
    vals = [UnitDemand([0.0, 0.0]), Additive([0.0, 0.05])]
    inner = TabularMechanism.from_lp(A, vals, laws)
    return A, laws, inner, RobustifiedMechanism(inner, laws, delta)


def two_bidders_k1(delta):
    A = np.array([[1.0], [0.6]])
    laws = [FiniteLaw(np.array([[0.25], [0.8]]), np.array([0.4, 0.6])),
            FiniteLaw(np.array([[0.1], [0.5], [0.7]]), np.array([0.2, 0.5, 0.3]))]
    vals = [UnitDemand([0.0, 0.1]), Additive([0.0, 0.0])]
    inner = TabularMechanism.from_lp(A, vals, laws)
    return A, laws, inner, RobustifiedMechanism(inner, laws, delta)


def shifted_population(law, A, shift, rng):
    """A true law eps-close to the model: every latent point moved by <= shift in l_inf."""
    pts = np.clip(law.points + rng.uniform(-shift, shift, size=law.points.shape), 0, 1)
    return Population(values=pts @ A.T, reports=pts, probs=law.probs)


def test_lemma2_mtilde_is_exactly_ir_on_every_profile_offset_and_resample():
    rng = np.random.default_rng(0)
    for A, laws, _, mt in (two_bidders(0.3), two_bidders(0.1)):
        for shift in (0.0, 0.05, 0.2):
            pops = [shifted_population(law, A, shift, rng) for law in laws]
            rep = robust_report(mt, pops)
            assert rep.min_expost_utility >= -1e-12
            assert rep.min_interim_utility >= -1e-12


@pytest.mark.parametrize("delta", [0.35, 0.12])
def test_lemma2_fast_exact_measurement_equals_enumeration(delta):
    """robust_report (offset regions x product laws) against direct_report, which calls
    M_tilde.outcome (an independent exact average over offsets and resamples) profile by
    profile, on the same misreport grid (so the BIC gains must agree too)."""
    A, laws, _, mt = two_bidders_k1(delta)
    rng = np.random.default_rng(1)
    pops = [shifted_population(law, A, 0.05, rng) for law in laws]
    fast = robust_report(mt, pops)
    bases = mt.breakpoints(np.vstack([p.reports for p in pops]))
    sub = [misreport_grid(mt, i, bases) for i in range(2)]
    slow = direct_report(mt, pops, candidates=sub)
    assert fast.revenue == pytest.approx(slow.revenue, abs=1e-10)
    for i in range(2):
        assert fast.truthful_utility[i] == pytest.approx(slow.truthful_utility[i], abs=1e-10)
        assert slow.gains[i] == pytest.approx(fast.gains[i], abs=1e-10)


def test_lemma2_misreport_grid_is_exact_against_dense_reports():
    """sup over all latent reports = max over the breakpoint grid (multilinearity): no dense
    random report does better than the grid's best."""
    A, law, _, mt = one_bidder(0.3)
    rng = np.random.default_rng(2)
    pop = shifted_population(law, A, 0.1, rng)
    fast = robust_report(mt, [pop])
    dense = direct_report(mt, [pop], candidates=[rng.uniform(-0.5, 1.5, size=(150, 1))])
    assert np.all(dense.gains[0] <= fast.gains[0] + 1e-10)
    assert fast.kappa > 0          # the instance has a profitable deviation to find


def test_lemma2_revenue_tends_to_mhat_as_delta_shrinks_with_f_equal_f_hat():
    """With F = F_hat and delta below the support's l_inf separation every cell holds one point,
    b' = b, and the only loss is the rebate: REV(M_hat) - REV(M_tilde) <= m L ||A||_inf 2 delta."""
    A, laws, inner, _ = two_bidders()
    rev_hat = inner.lp.revenue
    pops = [Population.latent(law, A) for law in laws]
    gaps = []
    for delta in (0.5, 0.05, 0.005, 0.0005):
        rep = robust_report(RobustifiedMechanism(inner, laws, delta), pops, misreports=False)
        assert rep.min_expost_utility >= -1e-12
        gaps.append(rev_hat - rep.revenue)
    lip = max(v.lipschitz for v in inner.valuations)
    a_inf = np.abs(A).sum(axis=1).max()
    assert gaps[-1] <= 2 * lip * a_inf * 2 * 0.0005 + 1e-12
    assert gaps[-1] < gaps[-2] < gaps[1]
    assert min(gaps) >= -1e-9


def test_sample_equals_exact_outcome_at_the_drawn_offset():
    A, law, _, mt = one_bidder(0.01)     # every cell holds at most one support point
    bids = np.array([[0.55]])
    out = mt.sample(bids, rng=7)
    grid = RandomGrid.draw(1, 0.01, np.random.default_rng(7))
    exact = mt.outcome_at(bids, grid.offset)
    assert out.payments == pytest.approx(exact.payments, abs=1e-12)


class CountingOracle:
    """A truthful price oracle that hides its type and logs who asks what."""

    def __init__(self, t):
        self._t = np.asarray(t, dtype=float)
        self.queries = 0
        self.protocol_runs = 0

    def accepts(self, j, p):
        self.queries += 1
        return bool(self._t[j] >= p)


class BisectionProtocol:
    """A toy query protocol for A = I: bisection on each t_j in [0, 1] with price queries."""

    def __init__(self, k, steps=30):
        self.k, self.steps = k, steps

    def run(self, oracle):
        oracle.protocol_runs += 1
        z = np.zeros(self.k)
        for j in range(self.k):
            lo, hi = 0.0, 1.0
            for _ in range(self.steps):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if oracle.accepts(j, mid) else (lo, mid)
            z[j] = lo
        return SimpleNamespace(z_hat=z, queries=self.k * self.steps)


def test_theorem1_algorithm1_runs_each_protocol_once_through_the_oracle_only():
    A = np.eye(2)
    laws = [FiniteLaw(np.array([[0.2, 0.8], [0.7, 0.3]]), np.array([0.5, 0.5]))] * 2
    vals = [UnitDemand([0.0, 0.0])] * 2
    inner = TabularMechanism.from_lp(A, vals, laws)
    alg = QueryMechanism(inner, laws, BisectionProtocol(2), eps=0.01)
    assert alg.delta == pytest.approx(np.sqrt(2 * 0.01))
    oracles = [CountingOracle([0.7, 0.3]), CountingOracle([0.2, 0.8])]
    run = alg.run(oracles, rng=3)
    assert [o.protocol_runs for o in oracles] == [1, 1]
    assert run.queries == (60, 60) and [o.queries for o in oracles] == [60, 60]
    assert np.allclose(run.reports, [[0.7, 0.3], [0.2, 0.8]], atol=1e-8)
    assert run.outcome.payments.shape == (2,)


def test_bad_delta_eps_and_laws_raise():
    A, law, inner, _ = one_bidder()
    for delta in (0.0, -0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="delta"):
            RobustifiedMechanism(inner, [law], delta)
    with pytest.raises(ValueError, match="eps"):
        QueryMechanism(inner, [law], BisectionProtocol(1), eps=2.0)
    with pytest.raises(ValueError, match="eps"):
        QueryMechanism(inner, [law], BisectionProtocol(1), eps=0.0)
    with pytest.raises(ValueError, match="one latent law per bidder"):
        RobustifiedMechanism(inner, [law, law], 0.1)
