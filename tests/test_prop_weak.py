"""Lemmas 5, 8, 9 (Cai-Daskalakis EC'22, Sec. 4.2) by exact enumeration of finite laws.

All three fail as stated through Definition 2's conditionals on null events (the repetition law
has INF = 0); on laws of full product support no violation is found.
"""

import math

import numpy as np
from hypothesis import example, given, settings

from recmech.bounds import compute
from recmech.core.influence import FiniteJointLaw
from recmech.properties.claims.errata import ERRATA
from recmech.properties.claims.table import expected_verdict
from recmech.properties.judging.checks.registry import run_check
from recmech.properties.judging.checks.weak import (
    lemma8_counterexample,
    lemma8_exact,
    lemma9_score,
    repetition_law,
)
from recmech.properties.judging.strategies.matrices import binary_laws
from recmech.properties.subject.resolved import Subject


def test_lemma9_fails_as_stated_on_the_repetition_law():
    v = run_check("lemma9")
    assert v.verdict == "fails-as-stated" == expected_verdict("lemma9")
    assert v.counterexample["exact_prob"] == 1.0
    assert v.counterexample["bound"] == math.exp(math.log(2) - 0.75) < 1
    assert v.instance["full_support_worst"] < 0


@settings(max_examples=25)
@given(law=binary_laws(d_min=2, d_max=4, full_support=True))
@example(law=repetition_law(2, (0.0, 1.0)))  # d = 2: INF = [[0,1],[1,0]], outside the lemma
def test_lemma9_holds_on_full_support_weakly_dependent_laws(law):
    for kind in ("weighted_sum", "max", "parity"):
        r = lemma9_score(law, kind, np.array([1.0, 0.5, 0.25, 1.0]), Subject())
        assert r["score"] <= 1e-12


def test_lemma8_fails_as_stated_on_the_repetition_law_m23():
    cex = lemma8_counterexample(compute, 23)
    assert cex["exact_prob"] == 1.0 > cex["bound"]
    assert lemma8_counterexample(compute, 22)["bound"] > 1  # 23 is the smallest m for this family
    v = run_check("lemma8")
    assert v.verdict == "fails-as-stated" == expected_verdict("lemma8")
    assert v.instance["mean_abs_error"] < 1e-9  # E||Ux||^2 = v^2 exactly


def test_lemma8_expectation_is_v2_for_independent_rademacher():
    pts = np.array([[a, b] for a in (-1.0, 1.0) for b in (-1.0, 1.0)])
    law = FiniteJointLaw(pts, np.full(4, 0.25))
    r = lemma8_exact(law, 3, np.ones(3) / math.sqrt(3), 1.0, 0.0, compute)
    assert r["v2"] == 2.0
    assert abs(r["mean"] - 2.0) < 1e-12  # exact sum over 64 outcomes, up to float rounding
    assert r["score"] < 0


def test_lemma5_fails_as_stated_and_holds_on_full_support_laws():
    v = run_check("lemma5")
    assert v.verdict == "fails-as-stated" == expected_verdict("lemma5")
    assert v.counterexample["sigma_min"] == 0.0 and v.counterexample["bound"] < 1
    assert v.instance["iid_exact"]["log_prob"] < v.instance["iid_exact"]["log_bound"]
    assert all(r["verdict"] == "holds" for r in v.extra["monte_carlo"])
    assert ERRATA["lemma5"][0].counterexample["exact_prob"] == 1.0


def test_lemma9_with_an_influence_matrix_that_excludes_the_repetition_law():
    """An outside influence part of the product-support view (J - I on the repetition law) puts
    that law outside the hypothesis under either reading: no crash, the family is excluded."""
    from types import SimpleNamespace

    import numpy as np

    from recmech.properties.judging.checks.registry import run_check

    impl = SimpleNamespace(influence_matrix=lambda law: np.ones((law.d, law.d)) - np.eye(law.d))
    v = run_check("lemma9", impl, readings={"definition2.null_events": "positive-probability"})
    assert v.verdict == "holds" and v.families["repetition-law"].startswith("excluded")
