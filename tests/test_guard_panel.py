"""The guard on a panel of real libraries (``tests/panel``, thin adapters: call shape only):
correct routines raise no alarm, faulty ones are caught with the input that shows the fault, and
every verdict is checked independently against 60-digit answers (mpmath) or an independently
written LP.

| library | part | verdict |
|---|---|---|
| numpy.linalg.lstsq; scipy.linalg.lstsq (gelsd, gelsy, gelss) | least_squares | no alarm |
| numpy.linalg.norm(ord=2) | spectral_norm | no alarm |
| scipy.optimize.linprog (highs-ipm, highs-ds) written independently | latent_mechanism | no alarm |
| scipy.sparse.linalg.svds(k=1) | spectral_norm | caught: refuses 1 x 1 and zero matrices |
| scipy.linalg.interpolative.estimate_spectral_norm | spectral_norm | caught: low |
| numpy.linalg.lstsq in float32 | least_squares | caught by part.least_squares only |

Deterministic: fixed inputs and derandomized searches; no statistical assertion is made here.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from recmech.core.measure import Population, direct_report
from recmech.core.optimal import TabularMechanism
from recmech.properties.guard.parts.linalg import least_squares_cases, spectral_cases
from recmech.properties.guard.parts.mechanisms import mechanism_instances
from recmech.properties.guard.run import check_implementation
from recmech.properties.judging.tolerances import mechanism_value_scale, tolerance
from tests.broken import independent_mechanisms
from tests.panel import linprog_mechanism, norms, numpy_lstsq, scipy_lstsq

CORRECT = {
    "numpy.linalg.lstsq": numpy_lstsq,
    "scipy.linalg.lstsq gelsd": scipy_lstsq.gelsd,
    "scipy.linalg.lstsq gelsy": scipy_lstsq.gelsy,
    "scipy.linalg.lstsq gelss": scipy_lstsq.gelss,
    "numpy.linalg.norm(ord=2)": norms.numpy_norm,
    "linprog highs-ipm": linprog_mechanism.highs_ipm,
    "linprog highs-ds": linprog_mechanism.highs_ds,
}
DIGITS = 60


def _exact_least_squares(B: np.ndarray, y: np.ndarray) -> list:
    """argmin ||B z - y||_2 in 60-digit arithmetic (the normal equations: kappa^2 <= 1e16 loses
    at most 16 of the 60 digits)."""
    with mpmath.workdps(DIGITS):
        Bm, ym = mpmath.matrix(B.tolist()), mpmath.matrix(y.tolist())
        return list(mpmath.lu_solve(Bm.T * Bm, Bm.T * ym))


def _exact_spectral_norm(M: np.ndarray) -> mpmath.mpf:
    with mpmath.workdps(DIGITS):
        Mm = mpmath.matrix(M.tolist())
        G = Mm.T * Mm if M.shape[0] >= M.shape[1] else Mm * Mm.T
        return mpmath.sqrt(max(max(mpmath.eigsy(G)[0]), 0))


@pytest.mark.parametrize("name", list(CORRECT))
def test_a_correct_library_raises_no_alarm(name):
    results = check_implementation(CORRECT[name], on_fail=None)
    ran = [r for r in results if r.status != "skipped"]
    assert ran, "the library is judged by at least one id"
    assert [(r.claim_id, r.reason) for r in ran if r.status != "passed"] == []


def _small_full_rank_cases():
    for label, B, Y in least_squares_cases():
        s = np.linalg.svd(B, compute_uv=False)
        if B.shape[0] <= 20 and Y.ndim == 1 and s[-1] > 0 and s[0] / s[-1] <= 1e8:
            yield label, B, Y


@pytest.mark.parametrize("name", [n for n in CORRECT if "lstsq" in n])
def test_the_least_squares_passes_are_right_in_60_digits(name):
    solve = CORRECT[name].least_squares
    for label, B, y in _small_full_rank_cases():
        exact = _exact_least_squares(B, y)
        got = np.asarray(solve(B, y), dtype=float)
        s = np.linalg.svd(B, compute_uv=False)
        z = np.array([float(v) for v in exact])
        r = float(np.linalg.norm(y - B @ z))
        tol = tolerance("least_squares.z", l_rows=B.shape[0], k=B.shape[1], kappa=s[0] / s[-1],
                        z_norm=float(np.linalg.norm(z)), y_norm=float(np.linalg.norm(y)),
                        s_max=s[0], r_norm=r)
        with mpmath.workdps(DIGITS):
            err = mpmath.sqrt(sum((mpmath.mpf(float(g)) - e) ** 2
                                  for g, e in zip(got, exact, strict=True)))
        assert err <= tol, (label, float(err), tol)


def test_the_spectral_norm_pass_and_both_catches_are_right_in_60_digits():
    for label, M in spectral_cases():
        if max(M.shape) > 6:
            continue
        exact = _exact_spectral_norm(M)
        got = norms.numpy_norm.spectral_norm(M)
        assert abs(mpmath.mpf(float(got)) - exact) <= tolerance(
            "spectral_norm", n=max(M.shape), norm=float(exact)), label
    # svds: caught on the 1 x 1 matrix, which it refuses (a real refusal, not the guard's)
    rec, = check_implementation(norms.svds_norm, claims=["part.spectral_norm"], on_fail=None)
    assert rec.status == "failed" and "[[0.3]]" in rec.verdict.counterexample["error"]
    with pytest.raises(ValueError):
        norms.svds_norm.spectral_norm(np.array([[0.3]]))
    # the randomized estimate: the counterexample's exact norm is farther than the tolerance
    rec, = check_implementation(norms.interpolative_norm, claims=["part.spectral_norm"],
                                on_fail=None)
    assert rec.status == "failed"
    M = np.asarray(rec.verdict.counterexample["M"])
    exact = _exact_spectral_norm(M)
    assert abs(mpmath.mpf(rec.verdict.counterexample["outside"]) - exact) > tolerance(
        "spectral_norm", n=max(M.shape), norm=float(exact))


@pytest.mark.parametrize("name", ["linprog highs-ipm", "linprog highs-ds"])
def test_the_mechanism_passes_agree_with_an_independent_lp_and_exact_incentives(name):
    """The revenue equals the independently written LP of the catalogue's correct
    implementation, and BIC / ex-post IR hold exactly over the support within the solver
    tolerance (recmech.core.measure enumerates every profile and report)."""
    for inst in mechanism_instances(3, 20226):
        A, vals, laws = inst["A"], inst["valuations"], inst["laws"]
        mech = CORRECT[name].latent_mechanism(A, vals, laws)
        other = independent_mechanisms.LinearProgram(A, vals, laws)
        rep = direct_report(mech, [Population.latent(law, A) for law in laws])
        tol = tolerance("mechanism.ir_bic", scale=mechanism_value_scale(A, vals))
        assert rep.kappa <= tol and rep.min_expost_utility >= -tol, inst["label"]
        assert abs(rep.revenue - other.revenue) <= tolerance("mechanism.revenue",
                                                             optimum=other.revenue)
        ref = TabularMechanism.from_lp(A, vals, laws).lp.revenue
        assert abs(ref - other.revenue) <= tolerance("mechanism.revenue", optimum=ref)
