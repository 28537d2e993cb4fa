"""eps1-close true type laws through Lemma 1's coupling (Cai-Daskalakis EC'22, Sec. 2.2).

Lemma 1: d_P(D_i, A o D_hat_z,i) <= eps1 iff a coupling has Pr[||t - Az||_inf > eps1] <= eps1.
The statistical test rejects only if the Clopper-Pearson lower bound at level 1e-9 exceeds eps1
(false-alarm probability <= 1e-9).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from recmech.core import design as designs
from recmech.core.laws import BetaProduct, FiniteLaw, UniformBox
from recmech.core.oracles import TruthfulOracle
from recmech.core.protocols import deterministic_protocol
from recmech.core.types import CloseTypeLaw, LazyType, UniformOffsets, hashed_uniform

FALSE_ALARM = 1e-9


def _cp_lower(successes: int, n: int, alpha: float) -> float:
    """One-sided Clopper-Pearson lower confidence bound at level 1 - alpha."""
    return 0.0 if successes == 0 else float(stats.beta.ppf(alpha, successes, n - successes + 1))


@settings(max_examples=20)
@given(corruption=st.sampled_from(["adversarial", "shift", "uniform", "none"]),
       eps1=st.sampled_from([0.01, 0.1, 0.3]), rate_frac=st.sampled_from([1.0, 0.5]),
       seed=st.integers(0, 1000))
def test_lemma1_finite_latent_coupling_fraction_is_exact_and_at_most_eps1(
        corruption, eps1, rate_frac, seed):
    """lemma1: for a finite latent law the coupling's Pr[||t - Az|| > eps1] is computed exactly
    (sum over the support) and is <= eps1."""
    d = designs.separable(2, 30, seed)
    pts = np.array([[0.5, 0.5], [0.1, 0.9], [0.45, 0.55]])
    latent = FiniteLaw(pts, [0.5, 0.3, 0.2])
    law = CloseTypeLaw(latent, d, eps1, corruption=corruption, rate=rate_frac * eps1)
    exact = law.exact_outside_probability()
    assert exact is not None and 0 <= exact <= law.coupling_fraction <= eps1
    if corruption == "adversarial":
        far = np.where(pts < 0.5, 1.0, 0.0)
        gaps = np.abs((far - pts) @ d.A.T).max(axis=1)
        assert exact == pytest.approx(law.rate * latent.probs[gaps > eps1].sum(), abs=1e-15)


@pytest.mark.parametrize("perturbation", ["uniform", "adversarial", "none"])
def test_lemma1_close_branch_stays_within_eps1(perturbation):
    """Without corruption every draw has ||t - Az||_inf <= eps1 (checked exactly on all items)."""
    d = designs.separable(3, 200, 1)
    proto = deterministic_protocol(d, 0.05)
    law = CloseTypeLaw(UniformBox([0, 0, 0], [1, 1, 1]), d, 0.05, perturbation=perturbation,
                       corruption="none", target=proto)
    for z, t in law.sample_many(30, 2):
        assert t.distance(z) <= 0.05 + 1e-15
    assert law.coupling_fraction == 0.0


def test_lemma1_sampled_coupling_fraction_clopper_pearson():
    """lemma1 for a continuous latent law: the measured fraction outside eps1 is consistent with
    <= eps1 (reject only if the 1e-9 Clopper-Pearson lower bound exceeds eps1)."""
    d = designs.separable(2, 40, 4)
    eps1 = 0.1
    law = CloseTypeLaw(BetaProduct([2, 2], [2, 2]), d, eps1, corruption="adversarial")
    rep = law.coupling_report(600, rng=9)
    assert rep.outside > 0, "the corruption branch must actually be exercised"
    assert _cp_lower(rep.outside, rep.n, FALSE_ALARM) <= eps1, rep.to_dict()


def test_adversarial_corruption_moves_the_protocol_output_far():
    """The adversarial corruption t = Az' fools the protocol: its output is z', not z."""
    d = designs.separable(2, 40, 4)
    proto = deterministic_protocol(d, 0.01)
    law = CloseTypeLaw(FiniteLaw([[0.2, 0.8]], [1.0]), d, 0.5, corruption="adversarial",
                       rate=0.5, perturbation="none")
    errors = [np.max(np.abs(proto.run(TruthfulOracle(t)).z_hat - z))
              for z, t in law.sample_many(40, 3)]
    assert max(errors) >= 0.7 and min(errors) <= 0.05


def test_lazy_type_is_consistent_item_by_item():
    """A lazy type is a fixed vector: repeated and batched evaluations agree."""
    A = np.random.default_rng(0).standard_normal((50, 3))
    t = LazyType(A, [0.1, 0.2, 0.3], UniformOffsets(0.05, 17))
    dense = t.dense()
    assert t.item(7) == t.item(7) == pytest.approx(dense[7])
    np.testing.assert_array_equal(t.items([3, 49, 3]), dense[[3, 49, 3]])
    assert np.max(np.abs(dense - A @ np.array([0.1, 0.2, 0.3]))) <= 0.05
    u = hashed_uniform(5, np.arange(20000))
    assert stats.kstest(u, "uniform").pvalue >= FALSE_ALARM


@pytest.mark.parametrize("kwargs,name", [
    ({"eps1": 0.0}, "eps1"), ({"eps1": 1.5}, "eps1"), ({"eps1": 0.1, "rate": 0.2}, "rate"),
    ({"eps1": 0.1, "perturbation": "adversarial"}, "target"),
    ({"eps1": 0.1, "corruption": "bogus"}, "corruption"),
])
def test_bad_type_law_input_raises_naming_the_parameter(kwargs, name):
    d = designs.separable(2, 10, 0)
    with pytest.raises(ValueError, match=name):
        CloseTypeLaw(UniformBox([0, 0], [1, 1]), d, **kwargs)
    with pytest.raises(ValueError, match="latent"):
        CloseTypeLaw(UniformBox([0], [1]), d, 0.1)
