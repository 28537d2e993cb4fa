"""Every claim id's calculator, fuzzed as a hostile user would, and every repro pinned.

For each claim id of the register, hypothesis draws keyword parameters by the parameter's kind
(a real, a count, a flag, a vector, a matrix): mostly well-typed values from the extremes of
float64 (0, -0, 5e-324, 1e-300, 1e300, 1.8e308, huge counts, arrays of 5000 equal entries so the
hypotheses can hold), sometimes hostile ones (NaN, +-inf, ints beyond 1.8e308, complex numbers,
text, bools, None, ragged lists, complex or object arrays, mpf and Fraction beyond float64).
Every call must end in one of two ways:
- a ValueError or TypeError whose message names the parameter (or the claim id and the number
  that is out of range), or
- a record whose invariants hold (``BoundRecord`` checks them when it is built; the test checks
  them again from outside) and whose ``to_dict()`` is strict JSON (``allow_nan=False``).
Anything else (another exception, a numpy overflow or invalid-value warning, a NaN) fails.

Sizes: the profile's hypothesis settings, with ``FUZZ_EXAMPLES`` examples per claim id (quick 100,
dev 300, thorough 2000; ``RECMECH_FUZZ_EXAMPLES=N`` overrides). ``RECMECH_FUZZ_COUNTS=PATH``
writes the counts of a run (inputs, named errors, records, per claim id) as JSON to PATH.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recmech.bounds import compute
from recmech.bounds.records import COUNTS, EXACT_PROBABILITIES, PROBABILITIES, dumps
from recmech.bounds.registry import CLAIM_IDS, REQUIRED, parameters
from recmech.properties.judging.profiles import profile_name

FUZZ_EXAMPLES = int(os.environ.get("RECMECH_FUZZ_EXAMPLES") or
                    {"quick": 100, "dev": 300, "thorough": 2000}[profile_name()])
OUTCOMES: Counter = Counter()

EXTREMES = [0.0, -0.0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e-200, 1e-100, 1e-17, 1e-9,
            1e-3, 0.1, 0.25, 0.5, 0.9, 1.0, 2.0, 14.0, 64.0, 1e9, 1e100, 1e200, 1e300,
            1.7976931348623157e308, -1.0, -1e-300, -1e308]
HUGE_INTS = [10**309, -(10**309), 2**1024, 10**400]

hostile = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf] + HUGE_INTS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.complex_numbers(max_magnitude=10.0, allow_nan=False),
    st.sampled_from(["1.5", "no", "", "nan", b"1", None, True, False, (), {}]),
    st.builds(Fraction, st.integers(-(10**400), 10**400), st.integers(1, 10)),
    st.sampled_from([mpmath.mpf("1e400"), mpmath.mpf("-1e400"), mpmath.nan, mpmath.mpf("1e-400")]),
    st.sampled_from([[1.0, math.nan], [[1.0, 2.0], [3.0]], [[1 + 1j]], np.array([[1 + 0j]]),
                     np.array([True]), np.array(["1.0"]), np.array([10**400], dtype=object),
                     np.zeros((0,)), np.zeros((2, 0)), np.array(1.5), [[[1.0]]]]),
)
reals = st.one_of(st.sampled_from(EXTREMES),
                  st.floats(min_value=1e-6, max_value=10.0),
                  st.floats(allow_nan=False, allow_infinity=False),
                  st.integers(-5, 10**6))
counts = st.one_of(st.integers(0, 8), st.sampled_from([0, 1, 24, 257, 5000, 10**9, 10**18,
                                                       10**300, -1]),
                   st.sampled_from([1.0, 8.0, 1e6, 1e300]))


@st.composite
def vectors(draw, nonnegative: bool = False):
    """A 1-D array: a few extreme entries, or many equal ones (so sums can pass thresholds)."""
    value = st.sampled_from([x for x in EXTREMES if not nonnegative or x >= 0])
    if draw(st.booleans()):
        return np.array(draw(st.lists(value | st.floats(0.0, 4.0), min_size=1, max_size=6)))
    return np.full(draw(st.integers(1, 5000)), draw(value | st.floats(0.01, 4.0)))


@st.composite
def matrices(draw, square: bool = True):
    """A small matrix: diagonally dominant with extreme scale, or arbitrary extreme entries."""
    k = draw(st.integers(1, 4))
    rows = k if square else k + draw(st.integers(0, 4))
    scale = draw(st.sampled_from([1.0, 1e-308, 1e-200, 1e-100, 1e100, 1e300, 1e308]))
    if draw(st.booleans()):
        off = np.array(draw(st.lists(st.floats(-1.0, 1.0), min_size=rows * k,
                                     max_size=rows * k))).reshape(rows, k)
        M = off / (2 * k)
        M[:k] += np.diag(draw(st.lists(st.sampled_from([1.0, -1.0, 2.0]), min_size=k,
                                       max_size=k)))
        with np.errstate(over="ignore", under="ignore"):
            return M * scale
    entries = st.sampled_from(EXTREMES) | st.floats(-4.0, 4.0)
    return np.array(draw(st.lists(entries, min_size=rows * k, max_size=rows * k))).reshape(
        rows, k)


@st.composite
def covariances(draw):
    if draw(st.booleans()):
        return draw(vectors(nonnegative=True))
    k = draw(st.integers(1, 5))
    G = np.array(draw(st.lists(st.floats(-2.0, 2.0), min_size=k * k, max_size=k * k)))
    G = G.reshape(k, k)
    return G @ G.T * draw(st.sampled_from([1.0, 1e-300, 1e300]))


moderate_reals = st.sampled_from([1e-3, 0.01, 0.1, 0.5, 0.9, 1.0, 2.0]) | st.floats(1e-3, 4.0)
moderate_counts = st.integers(1, 4)


def kind_of(claim_id: str, name: str, moderate: bool) -> st.SearchStrategy:
    """The well-typed strategy of a parameter, by its name (and claim, for ``c``); ``moderate``
    keeps values where the claims' hypotheses can hold, else the extremes of float64."""
    if name in ("block",):
        return matrices(square=False)
    if name in ("C", "U"):
        return matrices()
    if name == "Sigma_S":
        return covariances()
    if name == "variances":
        return vectors(nonnegative=True)
    if name == "c" and claim_id == "lemma9":
        return vectors(nonnegative=True) | reals
    if name == "isotropic":
        return st.booleans()
    if name in ("k", "n", "m", "N"):
        return moderate_counts if moderate and name != "N" else counts
    if name in ("inf_norm",) and moderate:
        return st.sampled_from([0.0, 0.1, 0.5])
    return moderate_reals if moderate else reals


@st.composite
def claim_params(draw, claim_id: str) -> dict:
    """Keyword parameters for ``compute(claim_id, ...)``: half the draws moderate (well-typed
    values where the hypotheses can hold), half extreme (each parameter hostile with
    probability 1/8); optional parameters sometimes left out."""
    moderate = draw(st.booleans())
    out = {}
    for name, default in parameters(claim_id).items():
        if default is not REQUIRED and draw(st.integers(0, 3)) == 0:
            continue
        hostile_now = not moderate and draw(st.integers(0, 7)) == 0
        out[name] = draw(hostile if hostile_now else kind_of(claim_id, name, moderate))
    if moderate:
        # steer into each claim's hypotheses: enough equal variances, a <= c, Tr/rho > 64k
        size = draw(st.integers(300, 5000))
        v = draw(st.sampled_from([0.25, 1.0, 4.0]))
        if "variances" in out:
            out["variances"] = np.full(size, v)
            out["c"] = float(np.sqrt(v)) * draw(st.sampled_from([1.0, 1.5]))
            out.pop("m", None)
        if "Sigma_S" in out:
            out["Sigma_S"] = np.full(size, v)
        if claim_id == "proposition1.weak_dependence":
            out["a"] = out["c"] * draw(st.sampled_from([1.0, 0.75, 0.5]))
    if claim_id.startswith("lemma7") and draw(st.booleans()):
        # D = d I_n: Tr(D) = n d_max, so the exact isotropic tails are reached
        d = draw(st.sampled_from([1.0, 0.5, 1e-300, 1e300, 3.0]))
        out.update(d_max=d, trace_d=d * draw(st.integers(1, 10**6) | st.sampled_from(
            [23, 24, 2240, 4646, 5000, 10**12])))
    if draw(st.integers(0, 9)) == 0:
        out["strict"] = draw(st.booleans() | hostile)
    return out


def _named(message: str, claim_id: str, params: dict) -> bool:
    names = list(params) + [claim_id, "strict"]
    return any(re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", message) for n in names)


def _is_number(x) -> bool:
    return isinstance(x, (int, float, Fraction, np.integer, np.floating, mpmath.mpf)) and \
        not isinstance(x, bool)


def assert_record_invariants(rec) -> None:
    """The invariants of a record, checked from outside: finite numbers, probabilities in
    [0, 1] consistent with their logs, whole counts, strict JSON, no values when invalid."""
    text = json.dumps(rec.to_dict(), allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(dumps(rec))["claim_id"] == rec.claim_id
    if not rec.valid:
        assert rec.values == {} and rec.log_values == {} and rec.corrected == {}
        assert rec.failed(), "an invalid record names the hypotheses that fail"
        return
    for section in (rec.values, rec.log_values, rec.corrected, rec.constants):
        for key, value in section.items():
            assert _is_number(value), (key, value)
            assert math.isfinite(float(value)), (key, value)
    for section in (rec.values, rec.corrected):
        for key, value in section.items():
            if key in PROBABILITIES:
                assert 0.0 <= value <= 1.0, (key, value)
            if key in COUNTS and key not in rec.real_keys:
                assert float(value) == math.floor(float(value)) >= 0, (key, value)
    for key, log in rec.log_values.items():
        if key in rec.values and key in PROBABILITIES:
            expected = math.exp(min(log, 0.0))
            assert math.isclose(rec.values[key], expected, rel_tol=1e-9) or (
                log < -690 and rec.values[key] <= 1e-300), (key, log, rec.values[key])
        if key in EXACT_PROBABILITIES:
            assert log <= 1e-12, (key, log)


def run_one(claim_id: str, params: dict) -> str:
    """One fuzz call: "named_error", "valid_record" or "invalid_record" (a record whose
    hypotheses fail, named in it); anything else raises (and fails the test)."""
    try:
        rec = compute(claim_id, **params)
    except (ValueError, TypeError) as exc:
        assert _named(str(exc), claim_id, params), f"unnamed error: {exc}"
        return "named_error"
    assert_record_invariants(rec)
    return "valid_record" if rec.valid else "invalid_record"


@pytest.fixture(scope="module", autouse=True)
def _write_counts():
    yield
    path = os.environ.get("RECMECH_FUZZ_COUNTS")
    if path:
        per_claim: dict = {}
        for (cid, outcome), n in sorted(OUTCOMES.items()):
            per_claim.setdefault(cid, {})[outcome] = n
        total = Counter()
        for (_, outcome), n in OUTCOMES.items():
            total[outcome] += n
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"examples_per_claim": FUZZ_EXAMPLES, "inputs": sum(total.values()),
                       "named_errors": total["named_error"],
                       "records": total["valid_record"] + total["invalid_record"],
                       "valid_records": total["valid_record"],
                       "invalid_records": total["invalid_record"], "anything_else": 0,
                       "per_claim": per_claim}, fh, indent=1)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("claim_id", CLAIM_IDS)
@settings(max_examples=FUZZ_EXAMPLES, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzz_every_claim_gives_a_named_error_or_a_sound_record(claim_id, data):
    """Every claim id: hostile and extreme parameters give a named ValueError/TypeError or a
    record whose invariants hold and that serialises as strict JSON."""
    params = data.draw(claim_params(claim_id), label="params")
    outcome = run_one(claim_id, params)
    OUTCOMES[(claim_id, outcome)] += 1


# -- the repros, pinned: each gives the correct value or a named error ---------------------------

def test_lemma7_upper_tail_reports_the_erratum_where_the_float_tail_underflowed():
    """lemma7.upper_tail: the exact tail of chi2_n at 2n underflowed float64 for n >= 4646, so
    no erratum was reported exactly where the printed bound fails (true log -771.96 vs -1250)."""
    rec = compute("lemma7.upper_tail", trace_d=5000.0, d_max=1.0, isotropic=True)
    assert rec.erratum is not None and "exp(-771.964)" in rec.erratum
    assert rec.log_values["exact_prob"] == pytest.approx(-771.963842196222, rel=1e-12)
    assert rec.log_values["failure_prob"] == -1250.0
    assert rec.log_values["exact_prob"] <= rec.corrected["log_failure_prob"]  # corrected holds
    for n in (4646, 14599, 10**5, 10**12, 10**100):
        big = compute("lemma7.upper_tail", trace_d=float(n), d_max=1.0, isotropic=True)
        assert big.erratum is not None and math.isfinite(big.log_values["exact_prob"])


def test_lemma7_lower_tail_log_never_underflows():
    """lemma7.lower_tail: log Pr[chi2_n <= n/4] went to -inf from n = 2240."""
    for n, expected in ((2240, None), (5000, -1595.2793932034624), (10**100, -3.18147e99)):
        rec = compute("lemma7.lower_tail", trace_d=float(n), d_max=1.0, isotropic=True)
        exact = rec.log_values["exact_prob"]
        assert math.isfinite(exact) and exact <= rec.log_values["failure_prob"]
        if expected is not None:
            assert exact == pytest.approx(expected, rel=1e-5)


def test_lemma9_huge_t_and_c_give_two_over_e():
    """lemma9: t = 1e200, c = [1e200] gave probability 0.0 and log NaN (t^2 and c^2 overflow);
    the bound is 2 exp(-t^2 / sum c_i^2) = 2/e = 0.7358."""
    rec = compute("lemma9", t=1e200, c=[1e200])
    assert rec.value("failure_prob") == pytest.approx(2 / math.e, rel=1e-15)
    assert rec.log_values["failure_prob"] == pytest.approx(math.log(2) - 1, rel=1e-15)
    tiny = compute("lemma9", t=1e-200, c=[1e-200, 1e-200])  # the squares underflow
    assert tiny.log_values["failure_prob"] == pytest.approx(math.log(2) - 0.5, rel=1e-15)


def test_theorem2_deterministic_at_the_top_of_float64():
    """theorem2.deterministic: C = [[1e308]] gave delta NaN (2 C_jj overflowed the margins and
    alpha beta overflowed). alpha = beta = 1e308, delta = 2 * 1e308 * 2 eps / 1e616."""
    rec = compute("theorem2.deterministic", C=[[1e308]], A_inf=1e308, eps=1.0)
    assert rec.value("alpha") == rec.value("beta") == 1e308
    assert rec.value("delta") == pytest.approx(4e-308, rel=1e-12)
    assert rec.value("delta_certified") == pytest.approx(2e-308, rel=1e-12)
    # and at the bottom: alpha beta = 1e-400 underflowed to 0 (ZeroDivisionError)
    low = compute("theorem2.deterministic", C=[[1e-200]], A_inf=1.0, eps=1e-3)
    assert low.value("delta") == pytest.approx(4e197, rel=1e-12)


def test_lemma3_varah_bound_at_the_top_of_float64_is_not_zero():
    """lemma3: U = [[1e308]] reported 1/alpha = 0.0 (alpha overflowed to inf), below the norm
    1e-308 it bounds."""
    rec = compute("lemma3", U=[[1e308]])
    assert rec.value("inv_inf_bound") == pytest.approx(1e-308, rel=1e-12)
    assert rec.value("inv_inf_bound") >= rec.value("inv_inf_norm") * (1 - 1e-12)
    with pytest.raises(ValueError, match="inv_inf_bound"):  # 1/alpha = 2e323: no float64
        compute("lemma3", U=[[5e-324]])


def test_proposition1_separable_query_count_through_logs():
    """proposition1.separable: eps1 = 1e-300, A_inf = 1e300 gave inf queries (A_inf/eps1
    overflows); the count is k log2(1e600) = 1993.16 for k = 1."""
    rec = compute("proposition1.separable", k=1, eps1=1e-300, A_inf=1e300)
    assert rec.value("queries") == pytest.approx(600 * math.log2(10), rel=1e-12)
    assert rec.value("queries_theorem2") == math.ceil(math.log2(1e300) - 2 * math.log2(1e-300))


def test_lemma4_failure_probability_is_a_probability():
    """lemma4: n = 1e9 reported a failure probability of 1e304; the bound 2 exp(4e9) is
    vacuous: probability 1, log kept as printed."""
    rec = compute("lemma4", trace_d=1.0, d_max=1.0, n=10**9)
    assert rec.value("failure_prob") == 1.0 and rec.value("vacuous") == 1
    assert rec.log_values["failure_prob"] == pytest.approx(4e9 + math.log(2) - 0.125)


def test_theorem1_bic_failure_probability_is_at_most_one():
    """theorem1: eps1 = 14 reported a failure probability of 14."""
    rec = compute("theorem1", L=1.0, eps1=14.0, eps=14.0, m=1, A_inf=1.0)
    assert rec.value("bic_failure_prob") == 1.0
    assert compute("theorem1", L=1.0, eps1=0.01, eps=0.02, m=1, A_inf=1.0).value(
        "bic_failure_prob") == 0.01


@pytest.mark.parametrize("claim_id,params", [
    ("lemma2", {"L": 0.0, "eps": 1e300, "delta": 1e-300, "m": 10, "A_inf": 1e300}),
    ("theorem1", {"L": 0.0, "eps1": 1e-3, "eps": 1e300, "m": 10, "A_inf": 1e300}),
    ("proposition1.mechanism", {"L": 0.0, "eps1": 1e-3, "f_eps1": 1e300, "m": 10,
                                "A_inf": 1e300}),
])
def test_zero_times_infinity_is_zero_not_nan(claim_id, params):
    """lemma2, theorem1, proposition1.mechanism: L = 0 times an overflowing product gave NaN
    kappa; exactly, every term carries the factor L = 0."""
    rec = compute(claim_id, **params)
    key = "eta" if claim_id == "proposition1.mechanism" else "kappa"
    assert rec.value(key) == 0.0 and rec.value("revenue_loss") == 0.0
    with pytest.raises(ValueError, match=rf"{re.escape(claim_id)}: {key} .* beyond float64"):
        compute(claim_id, **{**params, "L": 1.0})  # the true kappa is 1e600+: no float64


def test_underflowing_fourth_powers_are_exact_or_named():
    """lemma8 (c^4), proposition1.weak_dependence (a^4), theorem2.deterministic (alpha beta):
    powers that underflow float64 raised ZeroDivisionError."""
    with pytest.raises(ValueError, match=r"lemma8: log failure_prob = -6\.25e\+398 is beyond"):
        compute("lemma8", t=1.0, c=1e-100, n=1, m=1)
    rec = compute("lemma8", t=1e-150, c=1e-100, n=1, m=1)
    assert rec.log_values["failure_prob"] == pytest.approx(math.log(2) - 6.25e98, rel=1e-12)
    small = compute("proposition1.weak_dependence", k=1, c=1e-100, a=1e-100, inf_norm=0.0,
                    eps1=1e-3, A_inf=1.0)
    assert small.value("size") == 256 and small.corrected["size"] == 257  # exactly whole
    # 256e400 items: no float64 count (its query expression is the first number to say so)
    with pytest.raises(ValueError, match="proposition1.weak_dependence: .* beyond float64"):
        compute("proposition1.weak_dependence", k=1, c=1.0, a=1e-100, inf_norm=0.0,
                eps1=1e-3, A_inf=1.0)


def test_noisy_value_counts_with_subnormal_eta_are_exact():
    """theorem2.noisy_value: eta = 5e-324 raised OverflowError (a float ratio of 6e323)."""
    rec = compute("theorem2.noisy_value", A_inf=1.0, eps=1.0, eta=5e-324)
    ratio = Fraction(3) / (2 * Fraction(5e-324))
    assert rec.corrected["queries_sufficient"] == math.ceil(math.log2(3)) + 1074 - 1
    assert 2 ** (rec.corrected["queries_sufficient"] - 1) < ratio <= 2 ** rec.corrected[
        "queries_sufficient"]
    assert rec.value("queries") == math.ceil(-math.log2(5e-324))


def test_isotropic_ratio_beyond_float64_is_named():
    """lemma7: ceil/round of an infinite Tr(D)/d_max raised OverflowError."""
    with pytest.raises(ValueError, match="lemma7.lower_tail: log failure_prob"):
        compute("lemma7.lower_tail", trace_d=1e308, d_max=1e-300, isotropic=True)


@pytest.mark.parametrize("call,error,name", [
    (lambda: compute("lemma4", trace_d=10**400, d_max=1.0, n=1), ValueError, "trace_d"),
    (lambda: compute("lemma4", trace_d=1.0, d_max=1.0, n=10**400), ValueError, "n"),
    (lambda: compute("definition3", block=[[1 + 2j]], eps=0.1), TypeError, "block"),
    (lambda: compute("definition3", block=np.array([[1 + 0j]]), eps=0.1), TypeError, "block"),
    (lambda: compute("lemma9", t=1.0, c="1.5"), TypeError, "c"),
    (lambda: compute("lemma7.upper_tail", trace_d=24.0, d_max=1.0, isotropic="no"), TypeError,
     "isotropic"),
    (lambda: compute("lemma8", t=True, c=1.0, n=1, m=1), TypeError, "t"),
    (lambda: compute("lemma8", t=1.0, c=1.0, n=1, m=1, inf_norm=math.nan), ValueError,
     "inf_norm"),
    (lambda: compute("lemma1", eps=math.inf, mass_outside=0.1), ValueError, "eps"),
    (lambda: compute("lemma1", eps=0.1, mass_outside=0.1, strict="yes"), TypeError, "strict"),
    (lambda: compute("theorem2.gaussian", Sigma_S=[mpmath.mpf("1e400")], k=1, eps=0.1,
                     A_inf=1.0), ValueError, "Sigma_S"),
])
def test_bad_input_is_refused_by_name(call, error, name):
    """The input gate: huge ints, complex, text, bools, NaN, inf refused by name."""
    with pytest.raises(error, match=rf"(?<![\w.]){re.escape(name)}(?!\w)"):
        call()


def test_table_json_of_an_underflowing_tail_is_strict():
    """recmech table ... --format json wrote NaN / -Infinity."""
    from recmech.bounds.table import table_rows
    rows, records = table_rows("lemma7.upper_tail", ["d_max=1", "isotropic=true"],
                               ["trace_d=24,5000,100000"])
    text = dumps(records)
    assert "NaN" not in text and "Infinity" not in text
    assert all(r["erratum"] for r in rows)
    assert json.loads(dumps(rows))[1]["log_exact_prob"] == pytest.approx(-771.963842196222)
