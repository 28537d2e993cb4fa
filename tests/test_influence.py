"""recmech.core.influence: the influence matrix INF(X) of Definition 2 (Cai-Daskalakis EC'22)."""

import itertools
import math

import numpy as np
import pytest

from recmech.core.influence import FiniteJointLaw, influence_matrix, spectral_norm


def _product_law(marginals):
    pts, probs = [], []
    for combo in itertools.product(*[list(enumerate(m)) for m in marginals]):
        pts.append([v for v, _ in combo])
        probs.append(math.prod(p for _, p in combo))
    return FiniteJointLaw(np.array(pts, dtype=float), np.array(probs))


def test_independent_coordinates_have_zero_influence():
    law = _product_law([[0.3, 0.7], [0.5, 0.2, 0.3], [0.9, 0.1]])
    # conditionals equal the marginals up to float rounding of the normalisation
    assert np.allclose(influence_matrix(law), 0.0, atol=1e-12)


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.8, 1.0])
def test_correlated_pair_has_influence_abs_2p_minus_1(p):
    # X_1 uniform on {-1, 1}, X_2 = X_1 with probability p, else -X_1
    pts = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    law = FiniteJointLaw(pts, np.array([p / 2, p / 2, (1 - p) / 2, (1 - p) / 2]))
    q = abs(2 * p - 1)
    assert np.allclose(influence_matrix(law), [[0, q], [q, 0]], atol=1e-12)


def _ising_chain(d, beta):
    pts = np.array(list(itertools.product([-1.0, 1.0], repeat=d)))
    energy = beta * np.sum(pts[:, :-1] * pts[:, 1:], axis=1)
    w = np.exp(energy)
    return FiniteJointLaw(pts, w / w.sum())


@pytest.mark.parametrize(("d", "beta"), [(3, 0.3), (4, 0.5), (5, 0.2)])
def test_ising_chain_influence_matches_the_conditional_formula(d, beta):
    """Brute force: Pr[X_i = 1 | rest] = 1 / (1 + exp(-2 beta (x_{i-1} + x_{i+1}))), so only
    neighbours influence, with sup over the other neighbour of the change in that probability."""
    law = _ising_chain(d, beta)

    def p_up(field):
        return 1 / (1 + math.exp(-2 * beta * field))

    expected = np.zeros((d, d))
    for i in range(d):
        for j in (i - 1, i + 1):
            if not 0 <= j < d:
                continue
            other = [k for k in (i - 1, i + 1) if k != j and 0 <= k < d]
            fields = [0.0] if not other else [-1.0, 1.0]
            expected[i, j] = max(abs(p_up(f + 1) - p_up(f - 1)) for f in fields)
    assert np.allclose(influence_matrix(law), expected, atol=1e-12)


def test_repetition_law_has_zero_influence_under_positive_probability_conditionals():
    law = FiniteJointLaw(np.array([[0.0, 0, 0], [1, 1, 1]]), np.array([0.5, 0.5]))
    assert np.array_equal(influence_matrix(law), np.zeros((3, 3)))


def test_spectral_norm_is_the_largest_singular_value():
    m = np.array([[0.0, 0.6], [0.6, 0.0]])
    assert spectral_norm(m) == pytest.approx(0.6)


def test_bad_laws_are_refused_with_the_parameter_named():
    with pytest.raises(ValueError, match="probs must sum to 1"):
        FiniteJointLaw(np.zeros((2, 2)), np.array([0.5, 0.6]))
    with pytest.raises(ValueError, match="probs must be >= 0"):
        FiniteJointLaw(np.zeros((2, 2)), np.array([1.5, -0.5]))
    with pytest.raises(TypeError, match="law must be a FiniteJointLaw"):
        influence_matrix(np.zeros((2, 2)))


def test_duplicate_atoms_are_merged_and_null_atoms_dropped():
    law = FiniteJointLaw(np.array([[0.0], [0.0], [1.0]]), np.array([0.25, 0.75, 0.0]))
    assert law.support.shape == (1, 1) and law.probs[0] == pytest.approx(1.0)
