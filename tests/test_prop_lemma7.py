"""Lemma 7 (Cai-Daskalakis EC'22, Sec. 4.1): exact tails of ||Vx||^2 ~ sum_i d_i g_i^2.

lemma7.upper_tail is false as printed (erratum); its corrected statement holds; the lower tail
holds as printed.
"""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recmech.properties.claims.errata import ERRATA
from recmech.properties.claims.table import expected_verdict
from recmech.properties.judging.checks.registry import run_check
from recmech.properties.judging.checks.tails import (
    check_lemma7_upper_tail_corrected,
    lemma7_upper_counterexample,
)
from recmech.properties.judging.exact import chi2_log_sf, ruben_tail
from recmech.properties.judging.profiles import budget
from recmech.properties.judging.strategies.matrices import chi2_weights
from recmech.properties.subject.resolved import Subject


def test_lemma7_upper_tail_fails_as_stated_with_smallest_counterexample_I24():
    v = run_check("lemma7.upper_tail")
    assert v.verdict == "fails-as-stated" == expected_verdict("lemma7.upper_tail")
    assert v.counterexample["trace_d"] == 24
    assert v.counterexample["exact_prob"].startswith("0.0025241297")
    assert v.false_alarm == 0.0


def test_lemma7_upper_tail_erratum_counterexample_still_fails_the_printed_bound():
    cex = lemma7_upper_counterexample(24)
    assert cex["violates"]
    assert cex["log_exact_prob"] > cex["log_printed_bound"] == -6.0
    assert ERRATA["lemma7.upper_tail"][0].counterexample["smallest_iid_n"] == 24


@settings(max_examples=30)
@given(n=st.integers(min_value=24, max_value=10_000))
@example(n=24)  # the smallest iid counterexample, found by the exact sweep of the check
def test_lemma7_upper_tail_printed_bound_fails_for_every_iid_n_from_24(n):
    assert chi2_log_sf(2.0 * n, n) > -n / 4


def test_lemma7_upper_tail_printed_bound_holds_for_iid_n_below_24():
    assert all(chi2_log_sf(2.0 * n, n) < -n / 4 for n in range(1, 24))


@settings(max_examples=20)
@given(d=chi2_weights(n_max=30, ratio_floor=0.1))
@example(d=np.ones(24))  # the erratum's counterexample: corrected bound must hold there
def test_lemma7_upper_tail_corrected_exp_minus_tr_over_8dmax_holds(d):
    tr = float(d.sum())
    assert ruben_tail(d, 2 * tr, upper=True).log_hi < -tr / 8


def test_lemma7_upper_tail_corrected_statement_holds_on_the_whole_domain():
    v = check_lemma7_upper_tail_corrected(subject=Subject(), budget=budget("quick"))
    assert v.verdict == "holds" and v.slack > 0
    assert v.extra["three_trace_worst_slack"] > 0  # what the printed proof does show


def test_lemma7_lower_tail_holds():
    v = run_check("lemma7.lower_tail")
    assert v.verdict == "holds" == expected_verdict("lemma7.lower_tail")
    assert v.slack > 0.5  # the Chernoff rate at 1/4 is 0.318 > 1/8: room grows with n


@settings(max_examples=15)
@given(d=chi2_weights(n_max=40, ratio_floor=0.1))
def test_lemma7_lower_tail_exact_probability_below_bound(d):
    tr = float(d.sum())
    assert ruben_tail(d, tr / 4, upper=False).log_hi < -tr / 8 + 1e-12
    assert math.isfinite(tr)


@pytest.mark.parametrize("n", [1, 2, 3, 24, 25, 2239, 2240, 14599, 10**5 + 1, 10**6])
def test_the_oracles_chi2_tails_agree_with_the_calculators_own(n):
    """Two independent computations of Lemma 7's isotropic tails (the checks' closed forms and
    the calculators' series / mpmath) agree to 1e-12 relative, far into the underflow."""
    from recmech.bounds import logspace
    from recmech.properties.judging.exact import chi2_log_cdf

    for x in (2 * n, 3 * n + 7):
        assert chi2_log_sf(x, n) == pytest.approx(logspace.chi2_log_sf(x, n), rel=1e-12)
    for x in (n / 4, n / 10):
        assert chi2_log_cdf(x, n) == pytest.approx(logspace.chi2_log_cdf(x, n), rel=1e-12)


def test_the_closed_form_refuses_more_terms_than_it_can_hold():
    from recmech.properties.judging.exact import CLOSED_FORM_MAX_N, log_chi2_upper_closed

    with pytest.raises(ValueError, match="degrees of freedom"):
        log_chi2_upper_closed(4.0 * CLOSED_FORM_MAX_N, CLOSED_FORM_MAX_N + 1)
