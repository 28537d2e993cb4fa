"""Lemma 3 (Varah) and Lemma 6 (eps-nets) (Cai-Daskalakis EC'22, proof of Thm. 2 and Sec. 4)."""

import numpy as np
from hypothesis import example, given, settings

from recmech.properties.claims.table import expected_verdict
from recmech.properties.judging.checks.linalg import cube_net, lemma6_constants, varah_ratios
from recmech.properties.judging.checks.registry import run_check
from recmech.properties.judging.strategies.matrices import diagonally_dominant


def test_lemma3_holds():
    v = run_check("lemma3")
    assert v.verdict == "holds" == expected_verdict("lemma3")
    assert v.observed <= 1 + 1e-12


@settings(max_examples=25)
@given(u=diagonally_dominant(n_max=60, by="both"))
@example(u=np.diag([3.0, -2.0, 5.0]))  # tight: ||U^{-1}||_inf alpha = 1 for diagonal U
def test_lemma3_varah_bounds_on_doubly_dominant_matrices(u):
    r = varah_ratios(u)
    assert r["ratio_rows"] <= 1 + r["tol"]
    assert r["ratio_cols"] <= 1 + r["tol"]


@settings(max_examples=15)
@given(u=diagonally_dominant(n_max=60, by="rows"))
def test_lemma3_rows_only_dominance_bounds_the_inverse_row_norm(u):
    r = varah_ratios(u)
    assert r["ratio_rows"] <= 1 + r["tol"]


def test_lemma6_constants_at_eps_one_seventh_are_exact():
    c = lemma6_constants()
    assert c["sigma_max_constant"] and c["sigma_min_constant"] and c["net_log_constant"]


def test_lemma6_explicit_nets_cover_the_sphere_and_are_small():
    eps = 1 / 7
    rng = np.random.default_rng(3)
    for n in (2, 3):
        net, radius = cube_net(n, eps)
        assert radius < eps and len(net) <= (3 / eps) ** n
        x = rng.standard_normal((20_000, n))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        nearest = np.min(np.linalg.norm(x[:, None, :] - net[None, :, :], axis=2), axis=1)
        assert nearest.max() <= radius + 1e-12


def test_lemma6_holds():
    v = run_check("lemma6")
    assert v.verdict == "holds" == expected_verdict("lemma6")
