"""The protocol claim checks (recmech.properties.judging.checks.protocols) return the expected
verdicts.

definition3, theorem2.gaussian (Clopper-Pearson), theorem2.weak_dependence under the
product-support reading of Definition 2, and proposition1.separable hold (z in the latent
cube); theorem2.noisy_value and theorem2.deterministic fail as printed, with the smallest
counterexamples recorded.
"""

from __future__ import annotations

import pytest

from recmech.properties.judging.checks.registry import run_check


@pytest.mark.parametrize(("claim_id", "readings"), [
    ("definition3", None), ("theorem2.gaussian", None), ("proposition1.separable", None),
    ("theorem2.weak_dependence", {"definition2.null_events": "product-support"})])
def test_protocol_claims_hold(claim_id, readings):
    v = run_check(claim_id, readings=readings)
    assert v.verdict == "holds", v.to_dict()
    assert v.instances > 0 and v.slack >= 0


def test_theorem2_noisy_value_printed_count_fails_for_large_eps():
    """||A||_inf = 1, eps = 1, eta = 1/2: printed 0 + 1 + 0 = 1 query leaves error 3/4 > 1/2."""
    v = run_check("theorem2.noisy_value")
    assert v.verdict == "fails-as-stated"
    cex = v.counterexample
    assert cex["printed_queries"] == 1 and cex["needed_queries"] == 2
    assert cex["error_with_printed"] == pytest.approx(0.75)


def test_theorem2_deterministic_printed_delta_negative_for_negative_diagonal():
    """C = [[-1]], eps = 0.01: printed delta = -0.04 < 0 < measured error <= corrected 0.04."""
    v = run_check("theorem2.deterministic")
    assert v.verdict == "fails-as-stated"
    cex = v.counterexample
    assert cex["C"] == [[-1.0]]
    assert cex["printed_delta"] == pytest.approx(-0.04)
    assert 0 < cex["error"] <= 0.02 * (1 + 1e-9)
    assert cex["corrected_delta"] == pytest.approx(0.04)
    assert "True" in v.notes
