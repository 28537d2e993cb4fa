"""A guard people can trust: each false alarm, missed fault and wrong reason found by pointing
the guard at real libraries, pinned (the before is in each test's docstring).

Deterministic: fixed inputs and derandomized searches; no statistical assertion is made here.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from recmech.bounds import compute
from recmech.core.mechanisms import LatentMechanism, Outcome
from recmech.core.optimal import TabularMechanism
from recmech.properties.guard.parts.calculators import compare_records
from recmech.properties.guard.parts.linalg import least_squares_cases, spectral_cases
from recmech.properties.guard.parts.mechanisms import mechanism_instances
from recmech.properties.guard.run import check_implementation
from recmech.properties.judging.tolerances import TOLERANCES, tolerance, tolerance_markdown
from recmech.properties.subject.outside import read_pinv
from tests.panel import float32_lstsq, norms

ROOT = Path(__file__).resolve().parents[1]


def _records(impl, *ids: str, profile: str = "quick") -> dict:
    return {r.claim_id: r for r in check_implementation(impl, claims=list(ids), on_fail=None,
                                                        profile=profile)}


# -- bug 1: one IR tolerance for the same quantity ---------------------------------------------

class _ShiftedPayments(LatentMechanism):
    """The optimal LP mechanism charging ``shift`` more on every profile: a least ex-post
    utility of -shift, what an interior-point LP at default tolerances leaves."""

    def __init__(self, A, valuations, laws, shift: float) -> None:  # noqa: N803
        inner = TabularMechanism.from_lp(A, valuations, laws)
        super().__init__(inner.A, inner.valuations)
        self.inner, self.shift = inner, shift

    def _outcome(self, bids: np.ndarray) -> Outcome:
        out = self.inner.outcome(bids)
        return Outcome(lottery=out.lottery, payments=out.payments + self.shift)


def _shifted(shift: float) -> SimpleNamespace:
    return SimpleNamespace(latent_mechanism=lambda A, v, laws: _ShiftedPayments(A, v, laws,
                                                                                 shift))


def test_lemma2_and_the_part_judgement_agree_on_a_mechanism_ir_to_the_solver_tolerance():
    """Before: lemma2 failed a least ex-post utility of -8.7e-10 (its check asked >= -1e-12)
    while part.latent_mechanism accepted it (1e-8 V); both now read ``mechanism.ir_bic``."""
    near = _records(_shifted(8.7e-10), "lemma2", "part.latent_mechanism")
    assert {k: r.status for k, r in near.items()} == {"lemma2": "passed",
                                                      "part.latent_mechanism": "passed"}
    far = _records(_shifted(1e-3), "lemma2", "part.latent_mechanism")
    assert {k: r.status for k, r in far.items()} == {"lemma2": "failed",
                                                     "part.latent_mechanism": "failed"}
    assert "mechanism.ir_bic" in TOLERANCES
    assert "lemma2" in TOLERANCES["mechanism.ir_bic"].used_by


# -- bug 2: the reference's LP does not depend on HiGHS state left in the process --------------

def test_an_outside_part_running_highs_with_default_threads_first_changes_no_verdict():
    """Before: after highspy ran with default threads, the reference's LP (threads = 1) ended in
    'Not Set' and part.latent_mechanism failed with LPFailure. Run in a fresh process: HiGHS's
    scheduler is process-wide, the outside part runs first."""
    code = ("from recmech.properties.guard.run import check_implementation\n"
            "from tests.panel.highspy_first import impl, _run_highs_with_default_threads\n"
            "_run_highs_with_default_threads()\n"
            "r, = check_implementation(impl, claims=['part.latent_mechanism'], on_fail=None)\n"
            "print(r.status, r.reason)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1].startswith("passed"), done.stdout


# -- bug 3: the printed formula of Definition 3 is not "tighter" ------------------------------

def _printed_definition3(claim_id, **params):
    rec = compute(claim_id, **params)
    if claim_id != "definition3" or not rec.valid:
        return rec
    printed = rec.values["pinv_inf_norm"] * (params["eps"] + params.get("eta", 0.0))
    return SimpleNamespace(valid=True, values={**rec.values, "certified_delta": printed},
                           log_values=rec.log_values, corrected=rec.corrected)


def test_a_calculator_returning_definition3s_printed_formula_is_exact_not_tighter():
    """Before: ||P||_inf (eps + eta) = 0 at eps = eta = 0 was "tighter than the paper" against
    the reference's 4e-14 rounding allowance (a relative-only tolerance)."""
    res = compare_records("definition3", {"block": np.eye(2), "eps": 0.0, "eta": 0.0},
                          _printed_definition3)
    assert res["diff"] <= 1 and res["tight"] <= 1 and not res["detail"]["problems"]
    recs = _records(SimpleNamespace(compute=_printed_definition3), "part.compute.definition3",
                    "tight.definition3")
    assert all(r.status == "passed" for r in recs.values()), {k: r.reason for k, r in
                                                              recs.items()}
    # a value below the printed formula by more than the allowance is still caught
    low = res["detail"]
    assert low["claim_id"] == "definition3"

    def _half(claim_id, **params):
        rec = _printed_definition3(claim_id, **params)
        if claim_id == "definition3" and rec.valid:
            rec.values["certified_delta"] = rec.values["certified_delta"] / 2
        return rec

    caught = compare_records("definition3", {"block": np.eye(2), "eps": 0.1, "eta": 0.0}, _half)
    assert caught["diff"] > 1 and any("tighter" in p for p in caught["detail"]["problems"])


# -- bug 4: a precision shortfall is not rank deficiency --------------------------------------

def test_a_float32_least_squares_passes_the_claim_and_fails_its_part_judgement():
    """Before: theorem2.gaussian failed a float32 least squares with "certified delta infinite"
    (|P B - I| > 1e-8 read as rank deficiency); its worst error is about 2 eps against an
    a-priori 64 eps. Now the identification error joins the worst error, and the part
    judgement says float32 is not float64-accurate."""
    recs = _records(float32_lstsq, "theorem2.gaussian", "part.least_squares")
    assert recs["theorem2.gaussian"].status == "passed", recs["theorem2.gaussian"].reason
    assert recs["part.least_squares"].status == "failed"
    assert "infinite" not in recs["part.least_squares"].reason


# -- bug 5: instances at users' sizes, across the stated domain -------------------------------

def test_the_searched_domains_reach_users_sizes_and_signed_entries():
    """Before: spectral norms never above 6 x 6, least squares never above 45 rows, A >= 0."""
    assert max(max(M.shape) for _, M in spectral_cases()) >= 200
    assert min(max(M.shape) for _, M in spectral_cases()) == 1
    assert any(not np.any(M) for _, M in spectral_cases())
    assert max(B.shape[0] for _, B, _ in least_squares_cases()) >= 2000
    assert any(np.any(inst["A"] < 0) for inst in mechanism_instances(3, 20226))


def test_a_randomized_spectral_norm_estimate_is_caught():
    """Before: scipy.linalg.interpolative.estimate_spectral_norm, 5-16 % low from 20 x 20 up,
    passed quick and thorough."""
    rec = _records(norms.interpolative_norm, "part.spectral_norm")["part.spectral_norm"]
    assert rec.status == "failed"


# -- bug 6: a refusal does not end a judgement ------------------------------------------------

def _refuses_one_by_one(low: float):
    def spectral_norm(M):  # noqa: N803
        M = np.asarray(M)
        if M.shape == (1, 1):
            raise ValueError("refuses a 1 x 1 matrix")
        return (1 - low) * np.linalg.norm(M, 2)
    return SimpleNamespace(spectral_norm=spectral_norm)


def test_after_a_refusal_the_part_is_still_judged_on_every_other_input():
    """Before: after one PartError the part was never called again."""
    good = _records(_refuses_one_by_one(0.0), "part.spectral_norm")["part.spectral_norm"]
    assert good.status == "failed"
    cex = good.verdict.counterexample
    assert "1 x 1" in cex["error"] and cex["errors"] >= 2  # both 1 x 1 fixed matrices, drawn ones
    assert cex["worst_answered_score"] is not None and cex["worst_answered_score"] <= 1
    assert good.verdict.instances >= len(spectral_cases())
    bad = _records(_refuses_one_by_one(0.05), "part.spectral_norm")["part.spectral_norm"]
    assert bad.verdict.counterexample["worst_answered_score"] > 1


# -- bug 7: a float32 answer is read in k + 4 right-hand sides --------------------------------

def test_a_float32_least_squares_is_read_fast_not_column_by_column():
    """Before: every block fell back to reading the pseudo-inverse column by column (481 s for
    a quick guard where float64 took 16 s)."""
    calls = []

    def counted(B, Y):  # noqa: N803
        calls.append(np.asarray(Y).shape)
        return float32_lstsq.least_squares(B, Y)

    B = np.random.default_rng(3).standard_normal((1025, 3))
    P = read_pinv(counted, B, np.random.default_rng(0))
    assert sum(shape[1] for shape in calls) == 3 + 4
    assert np.abs(P @ B - np.eye(3)).max() < 1e-5


# -- the table --------------------------------------------------------------------------------

def test_the_tolerance_table_is_one_table_and_renders():
    table = tolerance_markdown()
    assert all(f"`{q}`" in table for q in TOLERANCES)
    assert tolerance("spectral_norm", n=10, norm=2.0) == 64 * 10 * 2.0**-53 * 2.0
    with pytest.raises(ValueError, match="quantity"):
        tolerance("no such quantity")
    assert math.isclose(tolerance("mechanism.ir_bic", scale=1.0), 1e-6)


# -- every hypothesis of the theorem a part claims ----------------------------------------------

def _small_gaussian_set(design, eps, setting, eta=None):
    from recmech.core import protocols

    if setting == "gaussian":  # |S| = 2k: Tr(Sigma_S) / rho(Sigma_S) = 2k, not > 64k
        return protocols.gaussian_protocol(design, eps, S=np.arange(min(2 * design.k,
                                                                         design.N)), eta=eta)
    return protocols.protocol_for(setting, design, eps, eta)


def test_a_protocol_querying_a_set_outside_its_settings_hypothesis_is_caught():
    """Before: only the certificate of the queried block and the count were judged; a Gaussian
    protocol on |S| = 2k items (the trace condition needs |S| > 64k) is now caught by name."""
    rec, = check_implementation(SimpleNamespace(query_protocol=_small_gaussian_set),
                                claims=["part.query_protocol"], on_fail=None)
    assert rec.status == "failed"
    assert "gaussian setting's hypothesis" in str(rec.verdict.counterexample)


# -- an outsider's path ------------------------------------------------------------------------

class _WrongShapeProtocol:
    def __init__(self, design, eps, setting, eta=None):
        self.k = design.k

    def run(self, oracle):
        oracle.accepts(0, 0.5)
        return np.zeros(self.k + 1)


def test_a_bad_outside_answer_in_a_claim_check_is_a_verdict_naming_the_part_not_a_traceback():
    impl = SimpleNamespace(query_protocol=_WrongShapeProtocol,
                           least_squares=lambda B, Y: "not an array")
    for rec in check_implementation(impl, claims=["definition3", "theorem2.deterministic"],
                                    on_fail=None):
        assert rec.status == "failed"
        assert "Traceback" not in rec.reason, rec.reason
        assert "part " in rec.reason and ("query_protocol" in rec.reason or
                                          "least_squares" in rec.reason), rec.reason


def test_an_implementation_is_named_by_its_module_path():
    rec, = check_implementation(norms.numpy_norm, claims=["part.spectral_norm"], on_fail=None)
    assert rec.implementation == "tests.panel.norms"


def test_check_implementation_reports_progress_after_each_id():
    seen = []
    check_implementation(norms.numpy_norm, claims=["part.spectral_norm", "lemma5"],
                         on_fail=None, progress=lambda what, done, total: seen.append(
                             (what.split(":")[0], done, total)))
    assert seen == [("part.spectral_norm", 1, 2), ("lemma5", 2, 2)]


def test_every_judged_part_has_a_row_in_the_domain_table():
    from recmech.properties.guard.parts.domains import PART_DOMAINS, domain_markdown
    from recmech.properties.guard.parts.registry import PART_CHECKS

    assert {pc.part for pc in PART_CHECKS.values()} - {"bounds"} <= set(PART_DOMAINS)
    assert domain_markdown().count("\n") == len(PART_DOMAINS) + 2
