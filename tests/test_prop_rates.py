"""Prop. 1 (2) and (3) (claim ids proposition1.gaussian, proposition1.weak_dependence): the rate
checks return ``rate-only``, settle the probability part for k <= 2 at false alarm 1e-9, and can
fail: a calculator whose Theorem-2 constant is too small is caught."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from recmech.bounds import compute
from recmech.bounds.records import BoundRecord
from recmech.properties.claims.table import claim
from recmech.properties.judging.checks.rates import SLOPE_TOL, certified_per_eps, three_point
from recmech.properties.judging.checks.registry import run_check
from recmech.properties.judging.profiles import profile_name

RATE_IDS = ("proposition1.gaussian", "proposition1.weak_dependence")


# The rate statements as the paper means them: under the product-support reading of
# Definition 2 (under positive-probability Prop. 1 (3) has an erratum, tests/test_readings.py).
PRODUCT = {"definition2.null_events": "product-support"}


def _readings(claim_id: str) -> dict[str, str]:
    return {k: PRODUCT.get(k, v) for k, v in claim(claim_id).default_readings.items()}


@pytest.fixture(scope="module")
def verdicts():
    # the quick card's records (one run of every check per test run: tests.readme.report_rows)
    from tests import readme

    return {cid: readme.report_verdict(cid, _readings(cid)) for cid in RATE_IDS}


@pytest.mark.parametrize("claim_id", RATE_IDS)
def test_rate_claims_follow_their_rate(verdicts, claim_id):
    v = verdicts[claim_id]
    assert v.verdict == claim(claim_id).expected_for(_readings(claim_id)) == "rate-only"
    # accuracy and query counts over the stated rate never grow along a swept parameter
    for slopes in (v.instance["slopes_f"], v.instance["slopes_queries"]):
        assert slopes and max(slopes.values()) <= SLOPE_TOL, slopes
    # the empirical constant stays below the one Theorem 2 gives at Prop. 1's |S|
    assert 0 < v.observed <= v.bound
    assert v.false_alarm <= 1e-9


@pytest.mark.parametrize("claim_id", RATE_IDS)
def test_probability_part_is_settled_for_k_up_to_2(verdicts, claim_id):
    prob = verdicts[claim_id].instance["probability"]
    for k in (1, 2):
        p = prob[k]
        assert p["verdict"] == "holds"
        assert p["clopper_pearson"]["upper"] < p["stated"] == pytest.approx(2 * math.exp(-4 * k))


def test_certified_delta_matches_the_pseudo_inverse():
    gen = np.random.default_rng(0)
    B = gen.standard_normal((5, 40, 3))
    expected = [2 * np.abs(np.linalg.pinv(b)).sum(axis=1).max() for b in B]
    np.testing.assert_allclose(certified_per_eps(B), expected, rtol=1e-10)


def test_k1three_point_blocks_certify_exactly_two_eps():
    # for k = 1 and entries in {-1, 0, 1}: P = B^T/||B||^2 and ||B||_1 = ||B||_2^2, so
    # ||P||_inf (eps + eta) = 2 eps whatever a is; the rate sqrt(k)/a is loose in a
    gen = np.random.default_rng(1)
    B = three_point(0.6, 1.0)((50, 300, 1), gen)
    np.testing.assert_allclose(certified_per_eps(B), 2.0, rtol=1e-12)


def _shrunk(claim_id: str, factor: float):
    def fake(cid, **params):
        rec = compute(cid, **params)
        if cid != claim_id:
            return rec
        vals = {**rec.values, "f_theorem2": rec.values["f_theorem2"] / factor}
        corr = {**rec.corrected, "f_theorem2": rec.corrected["f_theorem2"] / factor}
        return BoundRecord(**{**rec.__dict__, "values": vals, "corrected": corr})
    return SimpleNamespace(compute=fake)


@pytest.mark.parametrize("claim_id,factor", [
    ("proposition1.gaussian", 64.0),
    # the same sweep again on the weakly dependent designs (a minute): thorough only; the quick
    # run keeps the Gaussian case of this test and the claim's own quick verdict
    pytest.param("proposition1.weak_dependence", 40.0, marks=pytest.mark.skipif(
        profile_name() != "thorough", reason="the second sweep of a shrunk constant: thorough")),
])
def test_a_calculator_with_too_small_a_constant_is_caught(claim_id, factor):
    v = run_check(claim_id, impl=_shrunk(claim_id, factor), readings=_readings(claim_id))
    assert v.verdict == "fails-as-stated"
    assert v.counterexample["probability"]
    assert v.slack < 0 and v.observed > v.bound  # the failure rate's estimate over 2 e^{-4k}
