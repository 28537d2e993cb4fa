"""definition3: the certified delta bounds the error of least squares as run in float64.

``recmech.bounds.queries.certified_delta(pinv, eps, eta, block=B)`` states the formula; the
certificate behind it (``recmech.bounds.rounding``) is checked here against exact rational
arithmetic: the true pseudo-inverse P of a small block, the true error of fl(X y).
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recmech.bounds import compute
from recmech.bounds.queries import certified_delta
from recmech.bounds.rounding import certify_pinv


def _exact_pinv(B: np.ndarray) -> list[list[Fraction]]:
    """(B^T B)^{-1} B^T in exact rationals (k <= 2 here)."""
    rows = [[Fraction(float(x)) for x in r] for r in B]
    k = len(rows[0])
    G = [[sum(r[i] * r[j] for r in rows) for j in range(k)] for i in range(k)]
    if k == 1:
        inv = [[1 / G[0][0]]]
    else:
        det = G[0][0] * G[1][1] - G[0][1] * G[1][0]
        inv = [[G[1][1] / det, -G[0][1] / det], [-G[1][0] / det, G[0][0] / det]]
    return [[sum(inv[i][m] * r[m] for m in range(k)) for r in rows] for i in range(k)]


def _exact(x) -> Fraction:
    """An mpf as the exact rational it is (its decimal text would round)."""
    man, exp = x.man_exp
    return Fraction(man) * Fraction(2) ** exp


def _norm(M) -> Fraction:
    return max(sum(abs(x) for x in row) for row in M)


def _blocks():
    return st.tuples(st.integers(1, 2), st.integers(0, 3), st.integers(0, 2**32 - 1),
                     st.sampled_from([1.0, 1e-3, 1e5, 2.0**-600, 2.0**600]))


def _block(k: int, extra: int, seed: int, scale: float) -> np.ndarray:
    gen = np.random.default_rng(seed)
    B = gen.standard_normal((k + extra, k))
    B[:k] += 3 * np.eye(k)  # full column rank, condition at most moderate
    return B * scale


@settings(max_examples=40)
@given(_blocks())
@example((1, 0, 0, 1.0))
def test_certificate_bounds_the_exact_pseudo_inverse(case):
    """definition3 (rounding): p >= ||P||_inf and d >= ||X - P||_inf for the exact P."""
    B = _block(*case)
    X = np.linalg.pinv(B)
    cert = certify_pinv(X, B)
    P = _exact_pinv(B)
    diff = [[Fraction(float(X[i, j])) - P[i][j] for j in range(B.shape[0])]
            for i in range(B.shape[1])]
    assert _exact(cert.p_norm) >= _norm(P)
    assert _exact(cert.distance) >= _norm(diff)


@settings(max_examples=60)
@given(_blocks(), st.sampled_from([0.0, 1e-20, 1e-17, 1e-9, 1e-3]),
       st.integers(0, 2**32 - 1))
def test_certified_delta_bounds_the_float_least_squares_error(case, eps, seed):
    """definition3: ||z - fl(X y)||_inf <= certified delta for y within eps of Bz, z in [0,1]^k,
    with the true error computed exactly (z and fl(X y) are floats, so exact rationals)."""
    B = _block(*case)
    gen = np.random.default_rng(seed)
    z = gen.uniform(size=B.shape[1])
    X = np.linalg.pinv(B)
    # the worst vertex for the row of X with the largest l1 norm, rounded to float64
    r = int(np.argmax(np.abs(X).sum(axis=1)))
    y = B @ z + eps * np.sign(X[r])
    z_hat = X @ y
    err = max(abs(Fraction(float(a)) - Fraction(float(b))) for a, b in zip(z_hat, z,
                                                                           strict=True))
    bound = certified_delta(X, eps, 0.0, block=B)
    assert err <= Fraction(bound)
    # and it is the paper's delta up to rounding: within 1e-12 relative or 1e-10 absolute
    plain = float(certified_delta(X, eps, 0.0))
    assert bound >= plain
    assert bound <= plain * (1 + 1e-12) + 1e-10 * float(np.abs(B).max() * np.abs(X).max() + 1)


def test_certified_delta_covers_the_float_resolution_of_an_exact_instance():
    """definition3: B = I_3 is exact, yet with eps = eta = 1e-17 a value query cannot land
    closer to t_j than an ulp (observed 1.1e-16 against the exact-arithmetic 2e-17): the core
    now refuses such an eta by name, and at the smallest eta it accepts the certified delta
    (rounding included) covers the observed error."""
    from recmech.core.design import separable
    from recmech.core.protocols import protocol_for
    from recmech.properties.subject.outside import worst_vertex_oracle

    with pytest.raises(ValueError, match="eta must be >="):
        protocol_for("deterministic", separable(3, 5, 0, permute=True), 1e-17)
    eps = 5e-16  # just above twice the float spacing at 1, the interval's end
    for seed in range(12):
        d = separable(3, 5, seed, permute=True)
        proto = protocol_for("deterministic", d, eps)
        z = np.random.default_rng(seed).uniform(size=3)
        oracle = worst_vertex_oracle(d, proto.items, proto.pinv, eps, z, 0.0)
        err = float(np.max(np.abs(proto.run(oracle).z_hat - z)))
        rec = compute("definition3", block=d.rows(proto.items), eps=eps, eta=eps)
        assert err <= rec.value("certified_delta")


def test_certified_delta_refuses_a_pinv_that_is_not_one():
    B = np.array([[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="does not certify"):
        certified_delta(np.zeros((2, 2)), 0.1, block=B)
    with pytest.raises(ValueError, match="pinv must have shape"):
        certified_delta(np.zeros((3, 2)), 0.1, block=B)
    # the calculator records a block whose pseudo-inverse does not certify as a failed hypothesis
    rec = compute("definition3", block=[[1.0, 1.0], [1.0, 1.0 + 2.0**-52]], eps=0.1)
    assert not rec.valid


def test_certified_delta_is_scale_free_at_the_ends_of_float64():
    small = compute("definition3", block=[[1e308]], eps=1.0, eta=1.0)
    assert small.value("pinv_inf_norm") == 1e-308
    assert 2e-308 <= small.value("certified_delta") <= 1e-14
    big = compute("definition3", block=[[1e-308], [2e-308]], eps=1e-300, eta=0.0)
    assert big.value("pinv_inf_norm") == pytest.approx(3 / 5e-308)
    with pytest.raises(ValueError, match="certified_delta"):
        compute("definition3", block=[[1e-308]], eps=10.0, eta=0.0)  # delta = 1e309
