"""The registered checks of ``lemma1``, ``lemma2``, ``theorem1`` and ``proposition1.mechanism``."""

from recmech.properties.judging.checks.registry import run_check, run_check_verdicts


def test_lemma1_check_holds_exactly():
    v = run_check("lemma1")
    assert v.verdict == "holds" and v.observed <= 1e-9


def test_lemma2_check_is_rate_only_with_exact_ir():
    v = run_check("lemma2")
    assert v.verdict == "rate-only"
    assert v.instance["min_expost_utility"] >= -1e-12
    assert all(k >= 0 for k in v.instance["kappa"])


def test_theorem1_and_proposition1_report_the_ir_failure_for_true_types():
    for cid in ("theorem1", "proposition1.mechanism"):
        ir, rate = run_check_verdicts(cid)
        assert ir.claim_id == cid and ir.verdict == "fails-as-stated"
        assert ir.counterexample["min_truthful_utility"] < 0
        assert rate.verdict == "rate-only" and rate.instances >= 5
