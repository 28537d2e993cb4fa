"""Laws beyond the cube (issue 27, item 5): a bare array of samples is an empirical law, and
the standard continuous laws in currency units are latent laws on [0,1]^k with the design
A diag(s) (Cai-Daskalakis EC'22, Sec. 3 (I): latent types in [0,1]^k, types A z)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from recmech.core.auctions import BundleMenu
from recmech.core.laws import FiniteLaw, as_finite_law, as_latent_law
from recmech.core.mechanisms import PostedPrices
from recmech.core.montecarlo import hoeffding_halfwidth, monte_carlo_revenue
from recmech.core.optimal import solve_optimal_lp
from recmech.core.scaled_laws import BetaLaw, ExponentialLaw, TruncatedNormalLaw, UniformLaw
from recmech.core.valuations import Additive, UnitDemand

LAWS = {
    "exponential": (ExponentialLaw([1.0, 2.0], upper=[20.0, 10.0]),
                    [stats.expon(scale=1.0), stats.expon(scale=0.5)]),
    "uniform": (UniformLaw([1.0, 0.0], [3.0, 2.0]),
                [stats.uniform(1.0, 2.0), stats.uniform(0.0, 2.0)]),
    "truncated_normal": (TruncatedNormalLaw(1.0, 0.5, 0.0, 2.0, k=2),
                         [stats.norm(1.0, 0.5)] * 2),
    "beta": (BetaLaw([2.0, 0.5], [3.0, 0.5], scale=[10.0, 4.0]),
             [stats.beta(2.0, 3.0, scale=10.0), stats.beta(0.5, 0.5, scale=4.0)]),
}


def test_a_bare_array_of_samples_is_its_empirical_law_everywhere():
    gen = np.random.default_rng(0)
    samples = gen.integers(0, 4, size=(500, 2)) / 4.0
    law = as_latent_law(samples)
    assert isinstance(law, FiniteLaw) and law.points.shape[0] <= 16
    assert law.probs.sum() == pytest.approx(1.0, abs=1e-12)
    A, vals = np.eye(2), [UnitDemand([0.0, 0.0])]  # noqa: N806
    assert solve_optimal_lp(A, vals, [samples]).revenue == pytest.approx(
        solve_optimal_lp(A, vals, [FiniteLaw.from_samples(samples)]).revenue, abs=1e-12)
    est = monte_carlo_revenue(PostedPrices(A, vals, [0.5, 0.5]), [samples], 100, 1)
    assert est.n_samples == 100
    with pytest.raises(TypeError, match=r"np.asarray it or use FiniteLaw.from_samples"):
        as_finite_law(samples.tolist(), "laws[0]")
    with pytest.raises(ValueError, match=r"laws\[0\] \(an array of samples, read as their "
                                         r"empirical law\).*\[0,1\]\^k"):
        as_finite_law(samples * 4.0, "laws[0]")


@pytest.mark.parametrize("name", sorted(LAWS))
def test_scaled_laws_live_on_the_cube_and_follow_their_marginals(name):
    """z = x / s in [0,1]^k; Pr[z_l <= 1/2] matches the truncated marginal's CDF at s_l / 2
    (Hoeffding, false alarm 1e-9 per coordinate); the cube masses of a partition sum to 1;
    draws conditioned on a cube stay in it."""
    law, dists = LAWS[name]
    n = 20_000
    z = law.sample(n, 3)
    assert z.shape == (n, 2) and z.min() >= 0.0 and z.max() <= 1.0
    half = hoeffding_halfwidth(n, 1.0, 1e-9)
    for j, d in enumerate(dists):
        lo, hi = law.lo[j], law.hi[j]
        cut = law.scale[j] / 2
        exact = (d.cdf(max(cut, lo)) - d.cdf(lo)) / (d.cdf(hi) - d.cdf(lo))
        assert abs(np.mean(z[:, j] <= 0.5) - exact) <= half
    cells = [(a / 4, b / 4) for a in range(4) for b in range(4)]
    assert sum(law.cube_mass(c, 0.25) for c in cells) == pytest.approx(1.0, abs=1e-12)
    inside = law.sample_in_cube([0.25, 0.5], 0.25, 4, n=500)
    assert np.all((inside >= [0.25, 0.5]) & (inside < [0.5, 0.75]))
    assert np.allclose(law.design(np.eye(2)), np.diag(law.scale))


def test_grand_bundling_of_exponential_items_in_currency():
    """Two Exp(1) items, additive, one grand bundle at p = golden ratio (the optimal grand
    bundle price): revenue p Pr[x_1 + x_2 >= p] = p (1 + p) e^-p (Gamma(2) tail). The law is
    cut at 40 (tail mass e^-40 per item, far below the interval's width); the design
    A diag(s) gives types in currency, and the menu states its own payment range."""
    law = ExponentialLaw(1.0, upper=40.0, k=2)
    assert np.all(law.tail_mass <= math.exp(-40.0) * (1 + 1e-12))
    p = (1 + math.sqrt(5)) / 2
    menu = BundleMenu(law.design(np.eye(2)), [Additive([0.0, 0.0])], [[0, 1]], [p])
    est = monte_carlo_revenue(menu, [law], 40_000, 7, false_alarm=1e-9)
    assert est.ci_low <= p * (1 + p) * math.exp(-p) <= est.ci_high


def test_scaled_laws_refuse_a_support_they_cannot_scale():
    with pytest.raises(ValueError, match="lo must be >= 0"):
        TruncatedNormalLaw(0.0, 1.0, -1.0, 1.0, k=1)
    with pytest.raises(ValueError, match="hi must be > lo"):
        UniformLaw([1.0], [1.0])
    with pytest.raises(ValueError, match="rate must be > 0"):
        ExponentialLaw(0.0, 5.0)
    with pytest.raises(ValueError, match="rate must give one value or one per coordinate"):
        ExponentialLaw([1.0, 1.0], [5.0, 5.0, 5.0])
    with pytest.raises(TypeError, match="rate must be a real"):
        ExponentialLaw("1", 5.0)
    # numbers repeat over the coordinates the longest parameter gives
    assert BetaLaw(2.0, 3.0, scale=[1.0, 2.0]).k == 2 and UniformLaw(0.0, [1.0, 2.0]).k == 2
