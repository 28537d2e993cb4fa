"""The project claims the inventory of asserted facts registered, and the code they changed.

project.marginal_influence: ||INF(theta_S)||_2 <= ||INF(theta)||_2 is false (INF(theta_S) is the
influence matrix of the marginal law, Def. 2), so the weak-dependence item selection computes the
marginal's norm or requires it to be stated.
"""

import itertools
from fractions import Fraction

import numpy as np
import pytest

from recmech.core import design as designs
from recmech.core import protocols, selection
from recmech.core.influence import FiniteJointLaw, influence_matrix, spectral_norm
from recmech.properties.claims.errata import errata_of, proof_gaps_of
from recmech.properties.claims.table import claim, expected_verdict
from recmech.properties.cli.main import main
from recmech.properties.judging.checks.inventory import (
    MARGINAL_COUNTEREXAMPLE,
    NEW_CLAIMS,
    exact_influence,
    marginal_gap,
    norm_exceeds,
)

CE = MARGINAL_COUNTEREXAMPLE
CUBE = list(itertools.product((0, 1), repeat=3))


@pytest.mark.parametrize("null_events", ["ignore", "maximal"])
def test_project_marginal_influence_fails_on_the_pinned_law_exactly(null_events):
    gap = marginal_gap(CE["points"], CE["weights"], null_events)
    assert gap["exact"] and gap["S"] == CE["S"] == [0, 2]
    assert gap["marginal_inf"] == [[0, Fraction(471, 1081)], [Fraction(157, 247), 0]]
    assert gap["whole_inf"] == [[0, Fraction(1, 38), Fraction(11, 24)],
                                [Fraction(1, 66), 0, Fraction(31, 90)],
                                [Fraction(47, 80), Fraction(7, 30), 0]]
    assert gap["marginal_norm"] == pytest.approx(157 / 247, abs=1e-15)
    assert 0.6333 < gap["whole_norm"] < 0.63332 < 157 / 247


def test_project_marginal_influence_repetition_law_under_positive_probability():
    gap = marginal_gap([(0, 0, 0), (1, 1, 1)], [1, 1], "ignore")
    assert gap["whole_norm"] == 0.0 and gap["marginal_norm"] == 1.0 and gap["exact"]


@pytest.mark.parametrize("null_events", ["ignore", "maximal"])
@pytest.mark.parametrize("seed", range(6))
def test_exact_influence_equals_the_float_influence_matrix(null_events, seed):
    w = np.random.default_rng(seed).integers(0, 5, size=8).tolist()
    w = w if any(w) else [1] * 8
    law = FiniteJointLaw(np.array(CUBE, dtype=float), np.array(w, dtype=float) / sum(w))
    exact = np.array(exact_influence(CUBE, w, null_events), dtype=float)
    assert np.allclose(exact, influence_matrix(law, null_events), atol=1e-12)


def test_norm_exceeds_decides_both_sides_exactly():
    M = [[Fraction(0), Fraction(1, 2)], [Fraction(1, 3), Fraction(0)]]  # ||M||_2 = 1/2
    assert norm_exceeds(M, Fraction(49, 100)) is True
    assert norm_exceeds(M, Fraction(51, 100)) is False


def test_project_marginal_influence_no_smaller_full_support_counterexample_on_the_cube():
    """Exhaustive over integer weights of total <= 11, all atoms positive: no violation (the
    pinned law has total 70)."""
    for total in range(8, 12):
        for cuts in itertools.combinations(range(1, total), 7):
            w = np.diff((0, *cuts, total)).tolist()
            assert marginal_gap(CUBE, w, "maximal")["gap"] <= 1e-12, w


def test_project_marginal_influence_report_verdict_matches_its_erratum():
    assert expected_verdict("project.marginal_influence") == "fails-as-stated"
    assert claim("project.marginal_influence").source == "project"
    assert [e.verdict for e in errata_of("project.marginal_influence")] == ["fails-as-stated"]
    assert any("project.marginal_influence" in g.corrected_check
               for g in proof_gaps_of("proposition1.weak_dependence"))
    assert main(["report", "--claims", "project.marginal_influence"]) == 0


def _law_design(stated=None, law=True):
    """N = 3 items, k = 1: archetype coordinates drawn from the pinned law (centred)."""
    pts = np.array(CE["points"], dtype=float)
    probs = np.array(CE["weights"], dtype=float) / 70
    pts = pts - probs @ pts
    thelaw = FiniteJointLaw(pts, probs)

    def sampler(n, k, gen):
        return pts[gen.choice(len(pts), size=k, p=probs)].T

    return designs.weakly_dependent(3, 1, 1.0, 0, sampler, variances=thelaw.variances(),
                                    influence_norm=0.6334, law=thelaw if law else None)


def test_weak_dependence_items_use_the_marginal_laws_influence_norm():
    d = _law_design()
    sel = selection.weak_dependence_items(d, size=2)
    items = sel.items
    law = d.meta["law"]
    expect = spectral_norm(influence_matrix(FiniteJointLaw(law.support[:, items], law.probs),
                                            "maximal"))
    assert sel.stats["influence_source"] == "law"
    assert sel.stats["influence_norm"] == expect
    norm, source = selection.marginal_influence_norm(d, [0, 2])
    assert source == "law" and norm == pytest.approx(157 / 247, abs=1e-12) and norm > 0.6334


def test_weak_dependence_items_without_the_marginal_norm_do_not_claim_the_hypothesis():
    d = _law_design(law=False)
    sel = selection.weak_dependence_items(d)
    assert sel.stats["influence_source"] == "unstated" and sel.stats["influence_norm"] is None
    assert not sel.hypothesis_holds and sel.stats["required"] == float("inf")
    stated = selection.weak_dependence_items(d, size=3, influence_norm=0.7)
    assert stated.stats["influence_source"] == "stated" and stated.stats["influence_norm"] == 0.7
    with pytest.raises(ValueError, match="influence_norm"):
        selection.weak_dependence_items(d, influence_norm=-1.0)


def test_independent_designs_have_marginal_norm_zero_and_keep_their_selection():
    d = designs.weakly_dependent(1100, 2, 1.0, 0)
    sel = selection.weak_dependence_items(d)
    assert sel.stats["influence_source"] == "independent" and sel.stats["influence_norm"] == 0.0
    assert sel.hypothesis_holds and len(sel.items) == 1025  # 1025 > 16 * 2 * sqrt(1025)


def test_weak_dependence_protocol_on_a_given_set_uses_that_sets_marginal():
    d = _law_design()
    p = protocols.weak_dependence_protocol(d, 0.01, S=[0, 2])
    assert p.selection.stats["influence_norm"] == pytest.approx(157 / 247, abs=1e-12)
    assert p.selection.stats["influence_source"] == "law"
    q = protocols.weak_dependence_protocol(_law_design(law=False), 0.01, S=[0, 2])
    assert q.selection.stats["influence_source"] == "unstated"
    assert not q.selection.hypothesis_holds


def test_the_new_project_claims_hold_on_their_domains_in_the_report_card():
    """project.gamma_series, project.lipschitz_valuation, project.packing_floor,
    project.vcg_top_items, project.myerson_dsic, project.probe_escape: each verdict "holds" and
    matches the claim table."""
    holding = [c for c in NEW_CLAIMS if c != "project.marginal_influence"]
    assert all(expected_verdict(c) == "holds" for c in holding)
    assert main(["report", "--claims", ",".join(holding)]) == 0


@pytest.mark.parametrize(("delta", "n_delta"), [(0.25, 2), (0.125, 4), (0.2, 3), (0.49, 2)])
def test_project_packing_floor_n_delta_is_the_largest_grid_with_spacing_above_two_delta(delta,
                                                                                       n_delta):
    from recmech.core.certified import packing_minimum

    assert 2 ** packing_minimum(1, delta) == pytest.approx(n_delta)
    d = Fraction(delta)
    assert 2 * d * (n_delta - 1) < 1 <= 2 * d * n_delta
