"""Strict and non-strict hypotheses decided exactly at their edges (claims theorem2.gaussian,
theorem2.weak_dependence, theorem2.deterministic, lemma3, lemma5, remark4, proposition3).

Each bug of the edge report is pinned by a test named after it; then, per hypothesis, hypothesis
draws instances exactly on the edge and one ulp off either way, and the calculator's verdict must
equal the exact (Fraction / 300-digit) oracle's: a strict hypothesis fails on its edge.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.bounds import compute
from recmech.bounds.edges import compare, exact, exact_margins, exact_sum, exceeds_sqrt, sign

EXAMPLES = settings(max_examples=60, deadline=None)
EDGE = st.sampled_from([-1, 0, 1])  # one ulp below, on, one ulp above


def _ulp(x: float, way: int) -> float:
    return x if way == 0 else math.nextafter(x, math.inf if way > 0 else -math.inf)


# ---------------------------------------------------------------- the bugs, pinned by name


def test_bug1_gaussian_effective_rank_edge_is_excluded():
    # Tr/rho is exactly 192 = 64k; fl(sum)/rho is 192.00000000000003
    rec = compute("theorem2.gaussian", Sigma_S=np.full(192, 0.7690716566096392), k=3, eps=0.01,
                  A_inf=1)
    assert not rec.valid
    assert [h.name for h in rec.failed()] == ["effective_rank"]


def test_bug2_weak_variance_below_16_sqrt_258_fails():
    t = 16 * math.sqrt(258)  # math.sqrt rounds down: fl(t) is 7.3e-15 below 16 sqrt(258)
    variances = np.array([1.0] * 256 + [t - 256, 1e-15])
    assert not exceeds_sqrt(exact_sum(variances), Fraction(16), 258)
    rec = compute("theorem2.weak_dependence", variances=variances, c=1, k=1, inf_norm=0,
                  eps=0.1, A_inf=1)
    assert [h.name for h in rec.failed()] == ["sufficient_variance"]


def test_bug3_remark4_margin_is_exact_for_huge_k():
    rec = compute("remark4", k=2**50 + 1, log_failure=-(2.0**52 + 3))
    assert rec.value("holds") == 0
    assert rec.value("margin") == pytest.approx(math.log(2) - 1, rel=1e-15)


def test_bug4_deterministic_A_inf_one_ulp_below_row_sum_fails():
    C = np.array([[3.0, 0.2697867137638703, 0.04097352393619469],
                  [0.016527635528529094, 3.0, 0.9127555772777217],
                  [0.6066357757671799, 0.7294965609839984, 3.0]])
    rounded = float(np.abs(C).sum(axis=1).max())
    exact_norm = max(exact_sum(row) for row in np.abs(C))
    assert Fraction(rounded) < exact_norm  # fl(row sum) is below the exact ||C||_inf
    rec = compute("theorem2.deterministic", C=C, A_inf=rounded, eps=0.1)
    assert [h.name for h in rec.failed()] == ["A_inf_covers_C"]
    assert compute("theorem2.deterministic", C=C, A_inf=math.nextafter(rounded, 9), eps=0.1).valid


def test_bug5_more_than_4096_variances_of_1e308_are_summed_exactly():
    lemma5 = compute("lemma5", variances=np.full(5000, 1e308), c=1e154, n=1)
    assert lemma5.valid and lemma5.value("sigma_max_bound") == pytest.approx(
        2 * math.sqrt(5000) * 1e154, rel=1e-12)
    weak = compute("theorem2.weak_dependence", variances=np.full(5000, 1e308), c=1e154, k=1,
                   inf_norm=0, eps=0.1, A_inf=1)
    assert weak.valid
    assert weak.to_dict()["params"]["sum_variances"].startswith("5.0000000000000001e+311")


def test_remark4_at_fl_log2_minus_4_is_decided_exactly():
    # log 2 - 4 is irrational: fl(log 2 - 4) lies 8.8e-17 above it (fails), the next float
    # below lies under it (holds)
    edge = math.log(2) - 4
    assert compute("remark4", k=1, log_failure=edge).value("holds") == 0
    assert compute("remark4", k=1, log_failure=math.nextafter(edge, -9)).value("holds") == 1


def test_proposition3_holds_exactly_near_zero():
    for x in (0.0, 5e-324, 1e-300, 1e-17, 0.25):
        assert compute("proposition3", x=x).value("holds") == 1


def test_printed_query_count_ceiling_is_decided_exactly():
    # log2(1) + log2(1/(1 - 2^-53)) + log2(1/(1/4 - 2^-55)) = 2.0000000000000004: its float sum
    # rounds to 2.0, whose ceiling 2 is one query short of the printed count 3
    eta, eps = math.nextafter(1.0, 0.0), math.nextafter(0.25, 0.0)
    rec = compute("theorem2.noisy_value", A_inf=1.0, eta=eta, eps=eps)
    assert rec.value("queries") == 3
    assert compute("theorem2.noisy_value", A_inf=1.0, eta=1.0, eps=0.25).value("queries") == 2


def test_exact_helpers():
    assert exact(0.1) == Fraction(3602879701896397, 36028797018963968)
    assert exact(mpmath.mpf(0.1)) == exact(0.1)
    assert exact_sum([1e308] * 3) == 3 * Fraction(1e308)
    assert exact_sum([5e-324, 1.0]) == 1 + Fraction(5e-324)
    assert compare(0.1 + 0.2, ">", 0.3) and not compare(1, "<", 1) and compare(1, "<=", 1)
    with pytest.raises(ValueError, match="op"):
        compare(1, "=<", 2)
    assert sign(lambda: mpmath.iv.log(2) - mpmath.iv.mpf(0.6931471805599453)) == 1
    assert sign(lambda: mpmath.iv.mpf(0)) == 0


# ----------------------------------------------------- edges and one ulp off, against oracles


@EXAMPLES
@given(k=st.integers(1, 4), value=st.floats(1e-300, 1e300), way=EDGE)
def test_gaussian_effective_rank_edge_property(k, value, way):
    """theorem2.gaussian: Tr/rho > 64k (strict). 64k equal entries is the edge; one entry an
    ulp lower is below it, one extra subnormal entry above it."""
    diag = np.full(64 * k, value)
    if way < 0:
        diag[0] = math.nextafter(value, 0.0)
    if way > 0:
        diag = np.append(diag, 5e-324)
    oracle = exact_sum(diag) > 64 * k * exact(float(diag.max()))
    rec = compute("theorem2.gaussian", Sigma_S=diag, k=k, eps=0.1, A_inf=1)
    assert ("effective_rank" not in {h.name for h in rec.failed()}) == oracle == (way > 0)


@EXAMPLES
@given(size=st.integers(500, 3000), k=st.integers(1, 2), inf_norm=st.sampled_from([0.0, 0.25]),
       way=EDGE)
def test_weak_variance_edge_property(size, k, inf_norm, way):
    """theorem2.weak_dependence: sum v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF||) (strict, c = 1),
    at the float threshold and one ulp either side: whole ones and the exact remainder."""
    total = _ulp(16 * k * math.sqrt(size) / (1 - inf_norm), way)
    if total >= size:  # no |S| variances in [0, 1] reach it
        return
    whole = math.floor(total)
    variances = np.zeros(size)
    variances[:whole] = 1.0
    variances[whole] = total - whole  # exact: total and its floor share an exponent
    assert exact_sum(variances) == exact(total)
    oracle = exceeds_sqrt(exact(total) * (1 - exact(inf_norm)), Fraction(16 * k), size)
    rec = compute("theorem2.weak_dependence", variances=variances, c=1, k=k,
                  inf_norm=inf_norm, eps=0.1, A_inf=1)
    assert ("sufficient_variance" not in {h.name for h in rec.failed()}) == oracle


@EXAMPLES
@given(k=st.integers(1, 2**60), way=EDGE)
def test_remark4_edge_property(k, way):
    """remark4: log failure <= log 2 - 4k, at fl(log 2 - 4k) and one ulp either side, against
    a 400-digit oracle."""
    log_failure = _ulp(math.log(2) - 4.0 * k, way)
    with mpmath.workdps(400):
        oracle = mpmath.mpf(log_failure) <= mpmath.log(2) - 4 * mpmath.mpf(k)
        margin = float(mpmath.log(2) - 4 * mpmath.mpf(k) - mpmath.mpf(log_failure))
    rec = compute("remark4", k=k, log_failure=log_failure)
    assert rec.value("holds") == int(oracle)
    assert rec.value("margin") == margin


@EXAMPLES
@given(entries=st.lists(st.floats(1e-3, 1e3), min_size=4, max_size=4), way=EDGE)
def test_deterministic_A_inf_edge_property(entries, way):
    """theorem2.deterministic: ||A||_inf >= ||C||_inf (non-strict), at fl(row sum) and one ulp
    either side, against the exact row sums."""
    off = np.array(entries).reshape(2, 2)
    C = np.array([[1 + off[0].sum(), off[0, 0], off[0, 1]],
                  [off[1, 0], 1 + off[1].sum(), off[1, 1]],
                  [0.0, 0.0, 1.0]]) * 3
    A_inf = _ulp(float(np.abs(C).sum(axis=1).max()), way)
    oracle = exact(A_inf) >= max(exact_sum(row) for row in np.abs(C))
    rec = compute("theorem2.deterministic", C=C, A_inf=A_inf, eps=0.1)
    assert ("A_inf_covers_C" not in {h.name for h in rec.failed()}) == oracle


@EXAMPLES
@given(a=st.floats(1e-3, 1e3), b=st.floats(1e-3, 1e3), way=EDGE)
def test_diagonal_dominance_edge_property(a, b, way):
    """lemma3 / theorem2.deterministic: alpha > 0 (strict), at |U_11| = fl(a + b) and one ulp
    either side, against exact margins (an edge a rounding hides is still decided)."""
    d = _ulp(a + b, way)
    U = np.array([[d, a, b], [0.0, 2 * d, 0.0], [0.0, 0.0, 2 * d]])
    alpha, _ = exact_margins(U)
    rec = compute("lemma3", U=U)
    assert ("diagonally_dominant_rows" not in {h.name for h in rec.failed()}) == (alpha > 0)


# --------------------------------------- every comparison of a parameter with a constant

def _base() -> dict:
    return {
        "definition3": {"block": [[1.0, 0.0], [0.0, 1.0]], "eps": 0.1},
        "lemma1": {"eps": 0.1, "mass_outside": 0.05},
        "theorem1": {"L": 1, "eps1": 0.01, "eps": 0.04, "m": 2, "A_inf": 1},
        "lemma2": {"L": 1, "eps": 0.01, "delta": 0.1, "m": 2, "A_inf": 1},
        "theorem2.noisy_value": {"A_inf": 1, "eta": 0.01, "eps": 0.01},
        "theorem2.weak_dependence": {"variances": [1.0] * 257, "c": 1, "k": 1, "inf_norm": 0.0,
                                     "eps": 0.01, "A_inf": 1},
        "proposition1.separable": {"k": 2, "eps1": 0.01, "A_inf": 1},
        "proposition1.gaussian": {"k": 1, "kappa_Sigma": 1.5, "trace_S": 96, "eps1": 0.01,
                                  "A_inf": 1},
        "proposition1.weak_dependence": {"k": 1, "c": 1, "a": 0.9, "inf_norm": 0.0,
                                         "eps1": 0.01, "A_inf": 1},
        "proposition1.mechanism": {"L": 1, "eps1": 0.01, "f_eps1": 0.04, "m": 2, "A_inf": 1},
        "lemma4": {"trace_d": 1000, "d_max": 1, "n": 2},
        "lemma5": {"variances": [1.0] * 100, "c": 1, "n": 2},
        "lemma6": {"eps": 1 / 7, "n": 3, "a": 2.0, "b": 1.0},
        "lemma7.lower_tail": {"trace_d": 10, "d_max": 1},
        "proposition3": {"x": 0.1},
        "lemma8": {"t": 10, "c": 1, "n": 2, "m": 10},
        "lemma9": {"t": 1, "c": [0.5, 0.5]},
    }


# (claim, parameter, its edge, the statement's answer on the edge, which side holds):
# ``side`` +1: values above the edge satisfy the hypothesis, -1: values below
SIMPLE_EDGES = [
    ("definition3", "eps", 0.0, True, +1), ("lemma1", "eps", 0.0, False, +1),
    ("lemma1", "mass_outside", 0.0, True, +1), ("lemma1", "mass_outside", 1.0, True, -1),
    ("theorem1", "eps1", 0.0, False, +1), ("theorem1", "eps", 0.01, True, +1),
    ("theorem1", "L", 0.0, True, +1), ("theorem1", "A_inf", 0.0, True, +1),
    ("lemma2", "eps", 0.0, True, +1), ("lemma2", "delta", 0.0, False, +1),
    ("theorem2.noisy_value", "eta", 0.0, False, +1),
    ("theorem2.noisy_value", "A_inf", 0.0, False, +1),
    ("theorem2.weak_dependence", "inf_norm", 0.0, True, +1),
    ("proposition1.separable", "A_inf", 1.0, True, +1),
    ("proposition1.separable", "eps1", 0.0, False, +1),
    ("proposition1.gaussian", "kappa_Sigma", 1.0, True, +1),
    ("proposition1.gaussian", "trace_S", 0.0, False, +1),
    ("proposition1.weak_dependence", "a", 1.0, True, -1),
    ("proposition1.weak_dependence", "a", 0.0, False, +1),
    ("proposition1.mechanism", "f_eps1", 0.01, True, +1),
    ("lemma4", "d_max", 1000.0, True, -1), ("lemma4", "d_max", 0.0, False, +1),
    ("lemma4", "trace_d", 1.0, True, +1),
    ("lemma5", "inf_norm", 1.0, False, -1), ("lemma5", "c", 1.0, True, +1),
    ("lemma6", "eps", 1.0, False, -1), ("lemma6", "eps", 0.0, False, +1),
    ("lemma6", "b", 2.0, True, -1), ("lemma6", "b", 0.0, True, +1),
    ("lemma7.lower_tail", "d_max", 10.0, True, -1),
    ("proposition3", "x", 0.25, True, -1), ("proposition3", "x", 0.0, True, +1),
    ("lemma8", "t", 0.0, True, +1), ("lemma8", "inf_norm", 1.0, False, -1),
    ("lemma8", "c", 0.0, False, +1), ("lemma9", "t", 0.0, True, +1),
    ("lemma9", "inf_norm", 1.0, False, -1),
]


@pytest.mark.parametrize("claim,name,edge,on_edge,side", SIMPLE_EDGES,
                         ids=[f"{c}:{n}={e}" for c, n, e, _, _ in SIMPLE_EDGES])
def test_every_simple_edge_and_one_ulp_either_way(claim, name, edge, on_edge, side):
    """The domain table's edges of a parameter against a constant (or another parameter): the
    statement's answer on the edge, the hypothesis holding one ulp inside and failing one ulp
    outside (claim: each calculator's own hypotheses)."""
    params = _base()[claim]
    for way, want in ((0, on_edge), (side, True), (-side, False)):
        value = _ulp(edge, way)
        if name == "c" and claim == "lemma5":  # c^2 >= v_i^2 = 1: the edge is c = 1
            want = way >= 0
        try:
            rec = compute(claim, **{**params, name: value})
        except ValueError as exc:  # the hypotheses hold; the bound itself is beyond float64
            assert want and "beyond float64" in str(exc), (claim, name, value, str(exc))
            continue
        assert rec.valid == want, (claim, name, value, [h.name for h in rec.failed()])
