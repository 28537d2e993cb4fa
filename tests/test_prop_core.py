"""The property-suite core: verdict records, the check registry, exact tails, certificates and
Clopper-Pearson bounds."""

import json
import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import iv
from scipy import stats

from recmech.properties.claims.verdict import VERDICTS, Verdict
from recmech.properties.judging.certify import certify_inequality, certify_nonnegative
from recmech.properties.judging.checks.registry import CHECKS, register_check, run_check
from recmech.properties.judging.exact import (
    chi2_log_sf,
    chi2_sf_mp,
    chi2_sf_poisson,
    imhof_sf,
    ruben_tail,
)
from recmech.properties.judging.stats import clopper_pearson, compare_probability
from recmech.properties.judging.strategies.matrices import chi2_weights


def _verdict(**kw):
    base = dict(claim_id="x", verdict="holds", observed=1.0, bound=2.0, slack=1.0, instances=3,
                instance={"a": np.float64(1.5)}, counterexample=None, false_alarm=0.0,
                false_pass=0.0)
    base.update(kw)
    return Verdict(**base)


def test_verdict_is_json_safe_and_validated():
    v = _verdict(instance={"arr": np.arange(3), "inf": math.inf, "mp": mpmath.mpf(2) ** -2000})
    text = json.dumps(v.to_dict())
    assert '"inf"' in text and "e-603" in text
    with pytest.raises(ValueError, match="verdict must be one of"):
        _verdict(verdict="maybe")
    with pytest.raises(ValueError, match="false_alarm must be a probability"):
        _verdict(false_alarm=1.5)
    assert set(VERDICTS) >= {"holds", "fails-as-stated"}


def test_registry_runs_registered_checks_and_refuses_unknown_ids():
    assert {"lemma3", "lemma6", "lemma7.upper_tail", "proposition3", "lemma9"} <= set(CHECKS)
    with pytest.raises(KeyError, match="no check registered"):
        run_check("no.such.claim")
    with pytest.raises(ValueError, match="profile must be one of"):
        run_check("lemma6", profile="fast")

    with pytest.raises(ValueError, match="not in the claim table"):
        register_check("test.dummy")  # a check needs its claim in the claim table first
    with pytest.raises(ValueError, match="already has a check"):
        register_check("lemma3")(lambda *, subject, budget: _verdict(claim_id="lemma3"))


def test_chi2_tail_oracles_agree_at_the_lemma7_counterexample():
    poisson = chi2_sf_poisson(48, 24, dps=40)
    assert abs(poisson - chi2_sf_mp(48, 24, dps=40)) < mpmath.mpf(10) ** -35
    assert math.exp(chi2_log_sf(48, 24)) == pytest.approx(float(poisson), rel=1e-12)
    assert abs(imhof_sf([1.0] * 24, 48, dps=15) - poisson) < 1e-12


def test_chi2_log_tails_do_not_underflow():
    assert -1600 < chi2_log_sf(20000, 10000) < -1500


@settings(max_examples=5)
@given(d=chi2_weights(n_max=5, ratio_floor=0.2), scale=st.sampled_from([0.5, 1.0, 2.0]))
@example(d=np.ones(3), scale=2.0)
def test_ruben_bracket_contains_the_imhof_value(d, scale):
    x = float(d.sum()) * scale
    b = ruben_tail(d, x, upper=True, rel_width=1e-10)
    p = float(imhof_sf(d, x, dps=15))
    assert math.exp(b.log_lo) * (1 - 1e-9) <= p <= math.exp(b.log_hi) * (1 + 1e-9)


def test_ruben_equal_weights_reduce_to_chi2():
    b = ruben_tail(np.full(7, 0.5), 3.0, upper=False)
    assert math.exp(b.log_hi) == pytest.approx(stats.chi2.cdf(6.0, 7), rel=1e-12)


def test_ruben_and_imhof_tails_match_a_monte_carlo_within_clopper_pearson():
    """Weights (1, 0.5, 0.25, 0.25), event Q >= Tr: 200 000 draws at seed 7; each exact value must
    lie in the two one-sided Clopper-Pearson bounds (false alarm <= 2e-9 per value)."""
    d = np.array([1.0, 0.5, 0.25, 0.25])
    rng = np.random.default_rng(7)
    q = (rng.standard_normal((200_000, 4)) ** 2) @ d
    cp = clopper_pearson(int((q >= d.sum()).sum()), q.size)
    ruben = math.exp(ruben_tail(d, float(d.sum())).log_mid)
    imhof = float(imhof_sf(d, float(d.sum()), dps=15))
    assert cp.lower <= ruben <= cp.upper
    assert cp.lower <= imhof <= cp.upper


def test_clopper_pearson_bounds_are_exact_binomial_quantiles():
    cp = clopper_pearson(0, 1000, 1e-9)
    assert (1 - cp.upper) ** 1000 == pytest.approx(1e-9, rel=1e-9)
    cp = clopper_pearson(10, 100, 1e-9)
    assert stats.binom.sf(9, 100, cp.lower) == pytest.approx(1e-9, rel=1e-6)
    assert stats.binom.cdf(10, 100, cp.upper) == pytest.approx(1e-9, rel=1e-6)
    assert compare_probability(cp, 0.9) == "holds"
    assert compare_probability(cp, 1e-4) == "fails-as-stated"
    with pytest.raises(ValueError, match="k must be in"):
        clopper_pearson(5, 3)


def test_certificate_proves_true_and_refutes_false_inequalities():
    ok = certify_inequality(lambda x: iv.exp(-x) / iv.sqrt(1 - 2 * x),
                            lambda x: iv.sqrt(1 + 2 * x), "1/64", "1/4")
    assert ok.proven and ok.min_margin > 0
    bad = certify_nonnegative(lambda x: x - 0.2, 0, "1/4")
    assert not bad.proven and float(bad.counterexample["x"]) < 0.2


# --- sample sizes of the Monte Carlo checks (recmech.properties.judging.stats.sample_size) ---

def test_sample_size_with_no_failures_is_the_closed_form():
    import math

    from recmech.properties.judging.stats import DEFAULT_ALPHA, sample_size
    for stated in (0.0366, 6.7e-4, 0.2):
        n = sample_size(stated, 0.0).n
        # "holds" with 0 failures iff (1 - stated)^n <= alpha
        assert (1 - stated) ** n <= DEFAULT_ALPHA < (1 - stated) ** (n - 1)
        assert n == math.ceil(math.log(DEFAULT_ALPHA) / math.log1p(-stated))


def test_sample_size_has_the_stated_power_and_is_minimal():
    from recmech.properties.judging.stats import power, sample_size
    for stated, true_p in ((0.05, 0.1), (0.05, 0.02), (1e-3, 3e-3)):
        s = sample_size(stated, true_p, alpha=1e-6, beta=1e-3)
        fails = true_p > stated
        assert s.verdict == ("fails-as-stated" if fails else "holds")
        assert s.power >= 1 - 1e-3
        assert power(s.n - 1, stated, true_p, 1e-6, fails) < 1 - 1e-3


def test_sample_size_rejects_bad_input():
    import pytest

    from recmech.properties.judging.stats import sample_size
    with pytest.raises(ValueError, match="true_p must differ"):
        sample_size(0.1, 0.1)
    with pytest.raises(ValueError, match="stated"):
        sample_size(1.5, 0.1)
    with pytest.raises(ValueError, match="beta"):
        sample_size(0.1, 0.2, beta=0.7)
