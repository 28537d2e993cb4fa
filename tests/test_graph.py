"""The claim graph: every claim is a node, edges follow the paper's proofs, and the consistency
rule flags a claim that "holds" downstream of a failure its check does not cover."""

from __future__ import annotations

from recmech.properties.claims.graph import (
    EXCLUDED,
    USES,
    consistency,
    downstream,
    graph_text,
    upstream,
)
from recmech.properties.claims.table import claim_ids
from recmech.properties.claims.verdict import Verdict


def _v(cid: str, verdict: str, families=None) -> Verdict:
    return Verdict(claim_id=cid, verdict=verdict, instances=1, false_alarm=0.0,
                   false_pass=0.0, families=families or {})


def test_every_paper_claim_is_a_node_and_edges_name_claims():
    assert set(USES) == set(claim_ids("paper"))
    assert all(u in USES for uses in USES.values() for u in uses)
    assert "lemma9" in upstream("theorem2.weak_dependence")
    assert {"lemma8", "lemma5", "theorem2.weak_dependence", "proposition1.weak_dependence",
            "remark4", "proposition1.mechanism"} <= downstream("lemma9")
    assert all(cid in USES for cid, _ in EXCLUDED)


def test_a_holds_downstream_of_a_failure_must_cover_its_family():
    fail = _v("lemma7.upper_tail", "fails-as-stated", {"chi2-equal-weights": "fails"})
    blind = {"lemma7.upper_tail": [({}, fail)], "lemma4": [({}, _v("lemma4", "holds"))]}
    problems = consistency(blind)
    assert len(problems) == 1 and "lemma4 holds downstream of lemma7.upper_tail" in problems[0]
    covered = {**blind, "lemma4": [({}, _v("lemma4", "holds", {"chi2-equal-weights": "holds"}))]}
    assert consistency(covered) == []
    # an excluded edge needs no coverage; a downstream failure needs none either
    assert consistency({**blind, "lemma4": [({}, _v("lemma4", "fails-as-stated"))]}) == []
    remark = {"theorem2.gaussian": [({}, _v("theorem2.gaussian", "fails-as-stated"))],
              "remark4": [({}, _v("remark4", "holds"))]}
    assert consistency(remark) == []


def test_the_graph_prints_each_claim_with_its_verdicts():
    text = graph_text({"lemma9": [({"definition2.null_events": "product-support"},
                                   _v("lemma9", "holds"))]})
    assert "lemma9  [product-support: holds]" in text and "lemma8\n  <- lemma9" in text
