"""Latent laws and S_i(x, delta) (Cai-Daskalakis EC'22, Sec. 3 (I) and Lemma 2).

Statistical tests state their false-alarm probability: a KS test rejects only when p < 1e-9.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

from recmech.core.laws import BetaProduct, FiniteLaw, UniformBox, as_generator

FALSE_ALARM = 1e-9


@st.composite
def finite_laws(draw, k_max: int = 3, s_max: int = 12):
    k = draw(st.integers(1, k_max))
    s = draw(st.integers(1, s_max))
    grid = st.sampled_from([0.0, 0.125, 0.25, 0.5, 0.75, 1.0])
    pts = np.array(draw(st.lists(st.lists(grid, min_size=k, max_size=k), min_size=s, max_size=s)))
    w = np.array(draw(st.lists(st.integers(1, 20), min_size=s, max_size=s)), dtype=float)
    return FiniteLaw(pts, w / w.sum())


@given(law=finite_laws(), x0=st.sampled_from([-0.2, 0.0, 0.25, 0.5, 0.75]),
       delta=st.sampled_from([0.25, 0.5, 1.0]), closed=st.booleans())
def test_lemma2_finite_conditional_is_the_exact_renormalised_restriction(law, x0, delta, closed):
    """S_i(x, delta) for a finite law: conditional probabilities equal probs / cube mass exactly."""
    x = np.full(law.k, x0)
    upper = x + delta
    inside = np.all((law.points >= x) & ((law.points <= upper) if closed
                                         else (law.points < upper)), axis=1)
    mass = law.probs[inside].sum()
    assert law.cube_mass(x, delta, closed=closed) == pytest.approx(mass, abs=1e-15)
    if mass == 0:
        with pytest.raises(ValueError, match="x, delta"):
            law.conditional(x, delta, closed=closed)
        return
    cond = law.conditional(x, delta, closed=closed)
    np.testing.assert_array_equal(cond.points, law.points[inside])
    np.testing.assert_allclose(cond.probs, law.probs[inside] / mass, rtol=1e-12)
    draws = law.sample_in_cube(x, delta, rng=3, n=50, closed=closed)
    assert np.all(draws >= x)
    assert np.all(draws <= upper) if closed else np.all(draws < upper)


def test_grid_cells_partition_the_mass_half_open():
    """Half-open cells of a grid partition [0,1]^k: their masses sum to exactly 1."""
    pts = np.array(list(itertools.product([0.0, 0.5, 1.0], repeat=2)))
    law = FiniteLaw(pts, np.full(9, 1 / 9))
    offset, delta = -0.2, 0.5
    starts = offset + delta * np.arange(4)
    total = sum(law.cube_mass(np.array([a, b]), delta)
                for a in starts for b in starts if a <= 1 and b <= 1)
    assert total == pytest.approx(1.0, abs=1e-12)


def _uniform_cdf(a, b):
    return lambda v: np.clip((v - a) / (b - a), 0, 1)


def test_uniform_box_conditional_is_uniform_on_the_intersection():
    """Uniform law given a cube: support is the intersection box; KS p-value >= 1e-9 per axis."""
    law = UniformBox([0.1, 0.0, 0.2], [0.9, 1.0, 0.6])
    x, delta = np.array([-0.1, 0.3, 0.5]), 0.4
    lo, hi = np.maximum(law.lo, x), np.minimum(law.hi, x + delta)
    expected = np.prod((hi - lo) / (law.hi - law.lo))
    assert law.cube_mass(x, delta) == pytest.approx(expected, rel=1e-12)
    draws = law.sample_in_cube(x, delta, rng=11, n=4000)
    assert np.all((draws >= lo) & (draws < hi))
    for j in range(3):
        p = stats.kstest(draws[:, j], _uniform_cdf(lo[j], hi[j])).pvalue
        assert p >= FALSE_ALARM, f"axis {j}: KS p={p} (false alarm <= {FALSE_ALARM})"


@pytest.mark.parametrize("x0,delta", [(0.0, 0.2), (0.85, 0.3), (0.4, 0.05), (0.97, 0.02)])
def test_beta_conditional_is_the_truncated_product(x0, delta):
    """Beta product given a cube: inverse-CDF truncation; KS p-value >= 1e-9 per axis."""
    law = BetaProduct([0.5, 2.0, 5.0], [3.0, 2.0, 0.7])
    x = np.full(3, x0)
    lo, hi = np.clip(x, 0, 1), np.clip(x + delta, 0, 1)
    marg = special.betainc(law.a, law.b, hi) - special.betainc(law.a, law.b, lo)
    assert law.log_cube_mass(x, delta) == pytest.approx(np.log(marg).sum(), rel=1e-6)
    draws = law.sample_in_cube(x, delta, rng=5, n=3000)
    assert np.all((draws >= lo) & (draws <= hi))
    for j in range(3):
        cdf = stats.beta(law.a[j], law.b[j]).cdf
        f_lo, f_hi = cdf(lo[j]), cdf(hi[j])
        p = stats.kstest(draws[:, j], lambda v, c=cdf, a=f_lo, b=f_hi: (c(v) - a) / (b - a)).pvalue
        assert p >= FALSE_ALARM, f"axis {j}: KS p={p}"


def test_beta_tiny_cube_mass_is_carried_in_logs():
    """A cube of mass ~1e-404 is reported as a log, never underflowed to 0."""
    law = BetaProduct(np.full(60, 8.0), np.full(60, 8.0))
    logm = law.log_cube_mass(np.zeros(60), 0.05)
    assert np.isfinite(logm) and logm < np.log(1e-300)
    draws = law.sample_in_cube(np.zeros(60), 0.05, rng=0, n=3)
    assert np.all((draws >= 0) & (draws < 0.05))


def test_unconditional_samples_follow_the_law():
    """Unconditional draws: KS p-value >= 1e-9 against the marginals."""
    law = BetaProduct([2.0], [3.0])
    p = stats.kstest(law.sample(3000, 1)[:, 0], stats.beta(2, 3).cdf).pvalue
    assert p >= FALSE_ALARM
    box = UniformBox([0.2], [0.7])
    p = stats.kstest(box.sample(3000, 2)[:, 0], _uniform_cdf(0.2, 0.7)).pvalue
    assert p >= FALSE_ALARM


def test_same_seed_same_draws():
    law = UniformBox([0, 0], [1, 1])
    np.testing.assert_array_equal(law.sample(5, 7), law.sample(5, 7))
    assert isinstance(as_generator(3), np.random.Generator)
    with pytest.raises(TypeError, match="rng"):
        as_generator(0.5)


@pytest.mark.parametrize("build,name", [
    (lambda: FiniteLaw([[0.1], [0.2]], [0.5, 0.6]), "probs"),
    (lambda: FiniteLaw([[0.1], [0.2]], [1.5, -0.5]), "probs"),
    (lambda: FiniteLaw([[0.1], [0.2]], [0.5 + 2e-9, 0.5]), "probs"),
    (lambda: FiniteLaw([[0.1], [np.nan]], [0.5, 0.5]), "points"),
    (lambda: FiniteLaw([[0.1], [1.5]], [0.5, 0.5]), "points"),
    (lambda: FiniteLaw([[0.1], [0.2]], [1.0]), "probs"),
    (lambda: UniformBox([0.5, 0.0], [0.4, 1.0]), "hi"),
    (lambda: UniformBox([0.0], [np.inf]), "hi"),
    (lambda: BetaProduct([1.0, -1.0], [1.0, 1.0]), "a"),
    (lambda: BetaProduct([1.0], [1.0, 2.0]), "b"),
])
def test_bad_law_parameters_raise_naming_the_parameter(build, name):
    with pytest.raises(ValueError, match=name):
        build()


@pytest.mark.parametrize("x,delta,name", [
    ([1.5, 0.0], 0.2, "x"), ([-0.5, 0.0], 0.5, "x"), ([0.0, 0.0], 0.0, "delta"),
    ([0.0, 0.0], -1.0, "delta"), ([0.0], 0.1, "x"), ([np.nan, 0.0], 0.1, "x"),
])
def test_bad_cubes_raise_naming_x_or_delta(x, delta, name):
    for law in (FiniteLaw([[0.5, 0.5]], [1.0]), UniformBox([0, 0], [1, 1]),
                BetaProduct([1, 1], [1, 1])):
        with pytest.raises(ValueError, match=name):
            law.sample_in_cube(x, delta, rng=0)


def test_zero_mass_cube_raises():
    law = UniformBox([0.0], [0.5])
    assert law.cube_mass([0.6], 0.2) == 0.0
    with pytest.raises(ValueError, match="zero mass"):
        law.sample_in_cube([0.6], 0.2, rng=0)
    with pytest.raises(ValueError, match="zero mass"):
        FiniteLaw([[0.5]], [1.0]).sample_in_cube([0.6], 0.2, rng=0)
