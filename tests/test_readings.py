"""Readings of the paper's open definitions: each claim is checked under every reading of the
open points it uses, and the verdicts that depend on the reading are pinned here.

- Definition 2 on null conditioning events: under the positive-probability reading the
  repetition law theta = s (1, ..., 1) has INF = 0, meets Thm. 2's weak-dependence hypotheses at
  k = 2, |S| = 1025, and breaks the theorem on every draw of A; under the product-support reading
  it is outside the hypotheses (||INF|| = |S| - 1) and the theorem holds on what remains.
- Definition 3 read with z in R^k (as printed): no finite protocol works; with z in [0, 1]^k the
  protocols meet their deltas.
- IR of Algorithm 1: fails for true types, holds w.r.t. v^A at the read-out Q(t).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from recmech import bounds
from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.influence import FiniteJointLaw, influence_matrix, spectral_norm
from recmech.properties.claims.readings import CLAIM_POINTS, POINTS, READINGS, variants
from recmech.properties.claims.table import claim, claim_ids
from recmech.properties.cli.main import main
from recmech.properties.judging.checks.registry import run_check
from recmech.properties.report.card import runs_for

NULL = "definition2.null_events"
DOMAIN = "definition3.latent_domain"


def repetition(d: int) -> FiniteJointLaw:
    return FiniteJointLaw(np.array([[-1.0] * d, [1.0] * d]), np.array([0.5, 0.5]))


def test_the_repetition_law_is_weakly_dependent_only_under_the_positive_probability_reading():
    law = repetition(5)
    assert spectral_norm(influence_matrix(law)) == 0.0            # positive-probability
    assert spectral_norm(influence_matrix(law, "maximal")) == pytest.approx(4.0)  # d - 1
    product = FiniteJointLaw(np.array([[a, b] for a in (-1.0, 1.0) for b in (-1.0, 1.0)]),
                             np.array([0.4, 0.1, 0.1, 0.4]))
    # on a law of product support the two readings agree
    assert np.array_equal(influence_matrix(product), influence_matrix(product, "maximal"))


def test_theorem2_weak_dependence_repetition_law_meets_the_hypotheses_and_fails_surely():
    """k = 2, |S| = 1025, c = 1, v_i^2 = 1, INF = 0: the calculator promises failure probability
    2 exp(-1025/128) = 6.7e-4, yet every queried block has rank 1 (z = (1, 0) and (0, 1), or
    (1, 1) and (0, 0), give the same prices), so no protocol succeeds on any draw."""
    rec = bounds.compute("theorem2.weak_dependence", variances=np.ones(1025), c=1.0, k=2,
                         inf_norm=0.0, eps=0.01, A_inf=1.0)
    assert rec.valid and math.exp(rec.log_failure_prob) == pytest.approx(6.66e-4, rel=1e-2)
    gen = np.random.default_rng(0)
    for _ in range(20):
        s = gen.choice([-1.0, 1.0], size=2)
        A = np.outer(np.ones(1025), s)
        assert np.linalg.matrix_rank(A) == 1
        pair = ((1.0, 0.0), (0.0, 1.0)) if s[0] == s[1] else ((1.0, 1.0), (0.0, 0.0))
        assert np.array_equal(A @ np.array(pair[0]), A @ np.array(pair[1]))
    v = run_check("theorem2.weak_dependence", readings={NULL: "positive-probability"})
    assert v.verdict == "fails-as-stated" and v.families["repetition-law"] == "fails"
    assert v.counterexample["failures"] == v.counterexample["draws"]  # every draw
    assert v.slack < 0 and v.corrected.verdict == "holds"  # independent laws still hold


def test_the_repetition_case_is_absent_under_the_product_support_reading():
    v = run_check("theorem2.weak_dependence", readings={NULL: "product-support"})
    assert v.verdict == "holds" and v.families["repetition-law"].startswith("excluded")
    for cid in ("lemma9", "lemma8", "lemma5"):
        held = run_check(cid, readings={NULL: "product-support"})
        failed = run_check(cid, readings={NULL: "positive-probability"})
        assert held.verdict == "holds" and failed.verdict == "fails-as-stated", cid
        assert failed.families["repetition-law"] == "fails"
        assert held.families["repetition-law"].startswith("excluded")


def test_proposition1_weak_dependence_follows_the_reading():
    from tests import readme  # the quick card's records, computed once per test run

    bad = readme.report_verdict("proposition1.weak_dependence", {NULL: "positive-probability"})
    good = readme.report_verdict("proposition1.weak_dependence", {NULL: "product-support"})
    assert bad.verdict == "fails-as-stated" and bad.counterexample["unidentified_draws"] == 200
    assert good.verdict == "rate-only"


def test_definition3_with_z_in_all_of_r_k_fails_for_any_finite_protocol():
    """A protocol with q binary answers has at most 2^q outputs; z far outside the cube is far
    from all of them. The reference protocol on A = I_1: z = 10 reads back 1."""
    d = designs.separable(1, 1, 0)
    proto = protocols.protocol_for("deterministic", d, 0.01)
    from recmech.core.oracles import TruthfulOracle
    from recmech.core.types import LazyType

    z = np.array([10.0])
    out = proto.run(TruthfulOracle(LazyType(d.A, z))).z_hat
    assert abs(out[0] - 10.0) >= 9.0 > proto.certified_delta() / 0.5
    for cid in ("definition3", "theorem2.noisy_value", "theorem2.deterministic",
                "theorem2.gaussian", "proposition1.separable"):
        cube = run_check(cid, readings={DOMAIN: "latent-cube"})
        real = run_check(cid, readings={DOMAIN: "all-real"})
        assert real.verdict == "fails-as-stated" and real.families["far-latent"] == "fails"
        assert cube.families["far-latent"].startswith("excluded")
        assert claim(cid).expected_for({DOMAIN: "all-real"}) == "fails-as-stated"


def test_ir_depends_on_the_valuation_it_is_read_with():
    true = run_check("theorem1", readings={"ir.valuation": "true-types"})
    latent = run_check("theorem1", readings={"ir.valuation": "latent-report"})
    assert true.verdict == "fails-as-stated" and latent.verdict == "rate-only"
    assert latent.families["latent-ir"] == "holds"


def test_every_claim_with_an_open_point_is_checked_under_each_reading():
    for cid, points in CLAIM_POINTS.items():
        seen = {name for v in variants(cid) for name in v.values()}
        assert seen == {r.name for p in points for r in POINTS[p].readings}, cid
    assert len(READINGS) == sum(len(p.readings) for p in POINTS.values())


def test_unknown_or_missing_readings_are_named_errors():
    with pytest.raises(ValueError, match="unknown reading 'bogus'; valid readings: "):
        runs_for(claim_ids(), "bogus")
    with pytest.raises(ValueError, match="no chosen claim has the reading 'product-support'"):
        runs_for(["lemma3"], "product-support")
    with pytest.raises(ValueError, match="has no reading 'all-real' of"):
        run_check("lemma9", readings={DOMAIN: "all-real"})


@pytest.mark.parametrize("argv", [["report", "--reading", "bogus"],
                                  ["report", "--claims", "lemma3", "--reading", "all-real"]])
def test_the_command_refuses_a_reading_in_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "reading" in err[0] and ("valid readings" in err[0]
                                                      or "their readings" in err[0])
