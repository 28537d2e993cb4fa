"""Prop. 3, Lemma 4 and Remark 4 (Cai-Daskalakis EC'22, Sec. 4.1 and Remark 4)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.bounds import compute
from recmech.properties.claims.table import expected_verdict
from recmech.properties.judging.checks.registry import run_check
from recmech.properties.judging.checks.tails import certify_proposition3, lemma4_log_failure_n1


def test_proposition3_certified_on_its_interval_with_its_three_chained_inequalities():
    certs = certify_proposition3()
    assert set(certs) == {"proposition3", "exp_le_quadratic", "sqrt_ge_quartic",
                          "quartic_ge_quadratic"}
    assert all(c.proven for c in certs.values())
    v = run_check("proposition3")
    assert v.verdict == "holds" == expected_verdict("proposition3")


@settings(max_examples=40)
@given(x=st.floats(min_value=0.0, max_value=0.25))
def test_proposition3_pointwise_sanity(x):
    assert math.exp(-x) / math.sqrt(1 - 2 * x) <= math.sqrt(1 + 2 * x) + 1e-15


def test_lemma4_holds_exact_for_one_column_and_by_monte_carlo():
    v = run_check("lemma4")
    assert v.verdict == "holds" == expected_verdict("lemma4")
    assert v.slack > 0
    assert all(r["verdict"] == "holds" for r in v.extra["monte_carlo"])
    assert v.false_alarm <= 1e-8


@pytest.mark.parametrize("m", [38, 60, 200])
def test_lemma4_one_column_exact_failure_below_the_stated_bound(m):
    d = np.ones(m)
    stated = compute("lemma4", trace_d=float(m), d_max=1.0, n=1).log_values["failure_prob"]
    assert lemma4_log_failure_n1(d) < stated


def test_remark4_holds_at_the_hypothesis_edges():
    v = run_check("remark4")
    assert v.verdict == "holds" == expected_verdict("remark4")
    assert v.slack == 0.0  # tight at the (excluded) edge Tr/rho = 64k
