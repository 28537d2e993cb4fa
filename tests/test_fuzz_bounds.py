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

Sizes: the profile's hypothesis settings, with ``FUZZ_EXAMPLES`` examples per claim id (quick 40,
dev 150, thorough 1000; ``RECMECH_FUZZ_EXAMPLES=N`` overrides). ``RECMECH_FUZZ_COUNTS=PATH``
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
from recmech.properties.profiles import profile_name

FUZZ_EXAMPLES = int(os.environ.get("RECMECH_FUZZ_EXAMPLES") or
                    {"quick": 40, "dev": 150, "thorough": 1000}[profile_name()])
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
