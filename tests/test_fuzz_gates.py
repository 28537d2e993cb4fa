"""The input gates at their hostile edges: masked arrays, ndarray subclasses, non-float64 dtypes,
datetime values, helpers that had no gate, limits checked before any work (claims: every
calculator's domain; recmech.core.gate and recmech.bounds.inputs).

Each bug of the edge report is pinned by a test named after it. Then hypothesis checks the array
rule as a property: a float64 input and the same numbers given as np.matrix, as a masked array
with nothing masked, as float32 / float16 / longdouble or as an object array give the same record
(no dtype or subclass leaks into a result), and a masked entry is always refused by name.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.bounds import compute
from recmech.bounds.records import dumps
from recmech.core import gate
from recmech.core.design import weakly_dependent
from recmech.core.laws import UniformBox
from recmech.core.mechanisms import PostedPrices, all_allocations
from recmech.core.montecarlo import hoeffding_halfwidth, monte_carlo_incentives, monte_carlo_revenue
from recmech.core.prokhorov import coupling_far_mass, linf_distances
from recmech.core.protocols import weak_dependence_protocol
from recmech.core.queries import LeastSquares, item_ranges
from recmech.core.robust import box_minimum
from recmech.core.selection import weak_dependence_required
from recmech.core.valuations import Additive, UnitDemand
from recmech.properties.cli.main import main
from recmech.properties.judging.exact import imhof_sf, log_add, ruben_tail
from recmech.properties.judging.stats import clopper_pearson, power

pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")

# ------------------------------------------------------------------- the bugs, pinned by name


def test_bug6_ruben_tail_of_a_float32_threshold_brackets_the_exact_tail():
    with mpmath.workdps(25):
        exact = float(mpmath.log(imhof_sf([1.0, 2.0], 3.0, dps=25)))
    bracket = ruben_tail([1, 2], np.float32(3.0))
    assert bracket == ruben_tail([1, 2], 3.0)
    assert bracket.log_lo <= exact <= bracket.log_hi


def test_bug6_log_add_of_a_float16_is_computed_in_float64():
    assert log_add(np.float16(-1), -2) == log_add(-1.0, -2.0) == pytest.approx(
        math.log(math.exp(-1) + math.exp(-2)), rel=1e-15)
    assert log_add(-math.inf, -2.0) == -2.0
    with pytest.raises(ValueError, match="a must be a finite"):
        log_add(math.nan, 0.0)


def test_bug7_moments_that_would_overflow_are_refused_by_name():
    mech = PostedPrices([[1e160]], [UnitDemand([0.0])], prices=[1e160])
    law = UniformBox([0.0], [1.0])
    with pytest.raises(ValueError, match="would overflow float64"):
        monte_carlo_incentives(mech, [law], 100, 1, misreports=[[0.5]])
    with pytest.raises(ValueError, match="would overflow float64"):
        monte_carlo_revenue(mech, [law], 100, 1)


def test_bug8_a_masked_entry_is_refused_by_both_gates():
    masked = np.ma.masked_array([1e300, 1.0], mask=[True, False])
    with pytest.raises(ValueError, match="c is a masked array with 1 masked entry"):
        compute("lemma9", t=1, c=masked)
    with pytest.raises(ValueError, match="p is a masked array"):
        gate.probabilities(np.ma.masked_array([0.7, 0.3, 0.7], mask=[0, 0, 1]), "p")
    # nothing masked: the data, exactly as the plain array
    plain = compute("lemma9", t=3, c=[1.0, 1.0])
    assert compute("lemma9", t=3, c=np.ma.masked_array([1.0, 1.0])).to_dict() == plain.to_dict()
    assert plain.value("failure_prob") == pytest.approx(2 * math.exp(-4.5), rel=1e-12)


def test_bug8_matrix_and_timedelta_and_caller_dtypes():
    assert type(gate.real_array(np.matrix([[1.0, 2.0]]), "x")) is np.ndarray
    U = [[2.0, 1.0], [0.0, 3.0]]
    assert compute("lemma3", U=np.matrix(U)).to_dict() == compute("lemma3", U=U).to_dict()
    for bad in (np.timedelta64(3, "s"), np.array([np.timedelta64(3, "s")])):
        with pytest.raises(TypeError, match="t must be real.*timedelta"):
            compute("lemma8", t=bad, c=1, n=1, m=1)
        with pytest.raises(TypeError, match="x must be real.*timedelta"):
            gate.real_array(bad, "x")
    with pytest.raises(TypeError, match="n must be real.*timedelta"):
        gate.whole(np.timedelta64(3, "s"), "n")
    # computed in float64, not in the caller's float16 (which gave 392.0)
    assert weak_dependence_required(1, 1, np.float16(600), 0) == \
        weak_dependence_required(1.0, 1, 600.0, 0.0) == 16 * math.sqrt(600)


def test_bug9_every_listed_helper_is_gated():
    assert linf_distances([[0.0, 1.0]], [[2.0, 0.5]]).tolist() == [[2.0]]
    assert box_minimum([[1.0, -1.0]], [0, 0], [1, 1]).tolist() == [-1.0]
    cases = [
        (lambda: item_ranges([]), ValueError, "rows"),
        (lambda: LeastSquares(np.zeros((3, 0))), ValueError, "B must have k >= 1 columns"),
        (lambda: hoeffding_halfwidth(10, 1.0, -0.0), ValueError, "alpha"),
        (lambda: power(1000.5, 0.1, 0.2, 1e-3, True), ValueError, "n must be a finite whole"),
        (lambda: weak_dependence_protocol(weakly_dependent(600, 1, 1e-160, 0), 0.1),
         ValueError, "c must be >= 1e-75"),
        (lambda: coupling_far_mass(([[0.0]], [1.0]), ([[0.0]], [1.0]), "0.5"), TypeError,
         "eps must be a real number"),
        (lambda: Additive([1e308] * 2), ValueError, "mu"),
        (lambda: Additive([1.0, 1.0]).value(np.array([1e308, 1e308]), [0, 1]), ValueError, "t"),
        (lambda: linf_distances(np.zeros((2, 0)), np.zeros((1, 0))), ValueError, "dimension 0"),
        (lambda: box_minimum([[1e308, 1e308]], [0, 0], [1, 1]), ValueError, "exceeds float64"),
    ]
    for call, kind, text in cases:
        with pytest.raises(kind, match=text):
            call()
    assert clopper_pearson(3, 10, np.longdouble(0.05)) == clopper_pearson(3, 10, 0.05)


def test_bug10_limits_are_checked_before_any_work():
    with pytest.raises(ValueError, match=r"\(m\+1\)\^N"):
        all_allocations(2, 2**40)
    with pytest.raises(ValueError, match=r"\(m\+1\)\^N"):
        all_allocations(1, 10**400)
    for n in (2**63, np.uint64(2**64 - 1)):
        with pytest.raises(ValueError, match="n must be in"):
            power(n, 0.1, 0.2, 1e-3, True)


def test_bug11_a_parameter_that_underflows_is_refused_by_name(capsys):
    for param in ("eps=1e-400", "eps=[1e-400]"):
        assert main(["table", "lemma6", "--param", param, "--param", "n=2"]) == 2
        assert "eps=1e-400 underflows float64 to 0" in capsys.readouterr().err
    assert main(["table", "lemma6", "--param", "eps=0", "--param", "n=2"]) == 0


# ------------------------------------------------------- the array rule, as a property

values = st.lists(st.floats(-1e3, 1e3, allow_nan=False, width=16), min_size=4, max_size=4)


def _as(kind: str, arr: np.ndarray):
    return {"float64": arr, "matrix": np.matrix(arr), "masked": np.ma.masked_array(arr),
            "float32": arr.astype(np.float32), "float16": arr.astype(np.float16),
            "longdouble": arr.astype(np.longdouble), "object": arr.astype(object),
            "list": arr.tolist()}[kind]


KINDS = st.sampled_from(["matrix", "masked", "float32", "float16", "longdouble", "object",
                         "list"])


@settings(max_examples=60, deadline=None)
@given(entries=values, kind=KINDS)
def test_an_array_gives_the_same_record_whatever_its_class_or_dtype(entries, kind):
    """lemma3 / theorem2.deterministic / definition3 (matrices) and lemma9 (a vector): the
    same numbers as np.matrix, masked without a mask, float16/32, longdouble, objects or a
    list give the float64 record (entries are float16 numbers, so every dtype holds them)."""
    as16 = lambda a: a.astype(np.float16).astype(float)  # noqa: E731 - every dtype holds these
    U = as16(np.array(entries, dtype=float).reshape(2, 2) + np.diag([3e3, 3e3]))
    for claim, params in (("lemma3", {"U": U}), ("definition3", {"block": U, "eps": 0.1}),
                          ("theorem2.deterministic", {"C": U, "A_inf": 1e4, "eps": 0.1})):
        name = next(iter(params))
        want = dumps(compute(claim, **params))
        assert dumps(compute(claim, **{**params, name: _as(kind, U)})) == want
    c = as16(np.abs(np.array(entries, dtype=float)) + 1.0)
    if kind == "matrix":  # np.matrix is 2-d always: a vector parameter refuses it by name
        with pytest.raises(ValueError, match="c must be a 1-dimensional array"):
            compute("lemma9", t=2.0, c=np.matrix(c))
        return
    assert dumps(compute("lemma9", t=2.0, c=_as(kind, c))) == dumps(compute("lemma9", t=2.0, c=c))


@settings(max_examples=120, deadline=None)
@given(entries=values, where=st.integers(0, 3))
def test_a_masked_entry_is_always_refused_by_name(entries, where):
    mask = np.zeros(4, dtype=bool)
    mask[where] = True
    arr = np.ma.masked_array(np.abs(np.array(entries, dtype=float)) + 1.0, mask=mask)
    with pytest.raises(ValueError, match="c is a masked array"):
        compute("lemma9", t=2.0, c=arr)
    with pytest.raises(ValueError, match="x is a masked array"):
        gate.real_array(arr, "x")
    with pytest.raises(ValueError, match="variances is a masked array"):
        compute("lemma5", variances=arr, c=1e3, n=1)
