"""project.payment_range: every mechanism's stated payment range contains its payments (the
range Monte Carlo's intervals rely on), and the check fails when a range is too narrow."""

from __future__ import annotations

import numpy as np
import pytest

from recmech.core.mechanisms import VCG
from recmech.properties.judging.checks.registry import run_check


def test_every_mechanism_pays_within_its_stated_range():
    verdict = run_check("project.payment_range")
    assert verdict.verdict == "holds" and verdict.instances > 5000


def test_a_range_that_misses_a_payment_fails_the_claim(monkeypatch):
    real = VCG.payment_range

    def narrow(self, lo=0.0, hi=1.0):
        rng = np.asarray(real(self, lo, hi), dtype=float).copy()
        rng[:, 1] *= 0.5  # the Clarke payment can reach the bidder's value
        return rng

    monkeypatch.setattr(VCG, "payment_range", narrow)
    verdict = run_check("project.payment_range")
    assert verdict.verdict == "fails-as-stated"
    assert verdict.counterexample["mechanism"] == "VCG" and verdict.observed > 1e-3


@pytest.mark.parametrize("claim_id", ["project.payment_range"])
def test_the_claim_is_in_the_table_with_its_place(claim_id):
    from recmech.properties.claims.table import claim

    assert "payment_range" in claim(claim_id).place
