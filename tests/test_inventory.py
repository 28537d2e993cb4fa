"""The house's inventory of asserted facts (``tests/inventory.py``): every docstring or comment
sentence of the library that states an inequality, a bound or a monotonicity names the claim
that checks it, or is marked ``definition:``."""

import pytest

from recmech.properties.claims.table import claim_ids
from recmech.properties.judging.checks.inventory import NEW_CLAIMS
from tests.inventory import (
    FOLDERS,
    ROOT,
    asserting,
    counts,
    inventory,
    kind_of,
    library_files,
    split_sentences,
    tags_of,
)

IDS = set(claim_ids())
FOUND = inventory()


def test_every_asserting_sentence_names_its_claim_or_is_a_definition():
    untagged = [f"{s.where}: {s.text}" for s in FOUND if kind_of(s.text, IDS) == "untagged"]
    assert untagged == [], "\n".join(untagged)


def test_every_tag_names_a_claim_of_the_table():
    unknown = [f"{s.where}: {bad}" for s in FOUND for bad in tags_of(s.text, IDS)[1]]
    assert unknown == [], "\n".join(unknown)


def test_the_new_project_claims_are_in_the_table_and_tag_sentences():
    assert set(NEW_CLAIMS) <= IDS and all(c.startswith("project.") for c in NEW_CLAIMS)
    c = counts(FOUND, IDS, NEW_CLAIMS)
    assert c["found"] == c["paper"] + c["project"] + c["project-new"] + c["definition"]
    assert c["untagged"] == 0 and c["project-new"] >= len(NEW_CLAIMS)


def test_the_extractor_reads_every_library_folder():
    files = library_files()
    for folder in FOLDERS:
        assert any(p.relative_to(ROOT).parts[0] == folder for p in files)
    assert {s.source for s in FOUND} == {"docstring", "comment"}


@pytest.mark.parametrize(("text", "expected"), [
    ("||U^{-1}||_inf <= 1/alpha", True),
    ("the count is at least k", True),
    ("a non-increasing step function", True),
    ("x > 0", True),
    ("it never exceeds the target", True),
    ("sampler(N, k, gen) -> (N, k)", False),
    ("ids part.<part> and tight.<claim id>", False),
    ("an unbounded set", False),
    ("the law of theta_S", False),
])
def test_what_counts_as_an_assertion(text, expected):
    assert asserting(text) is expected


def test_tags_and_definition_marks():
    assert kind_of("sigma_max <= 2v (claim: lemma5).", IDS) == "paper"
    assert kind_of("a <= b (checked: project.cube_net, lemma6)", IDS) == "project"
    assert kind_of("a <= b (checked: project.marginal_influence)", IDS, NEW_CLAIMS) == \
        "project-new"
    assert kind_of("Lemma 3's bound <= 1/alpha, lemma3", IDS) == "paper"
    assert kind_of("definition: R = ||A||_inf + 2 eps, so R > 0", IDS) == "definition"
    assert kind_of("a <= b", IDS) == "untagged"
    assert tags_of("a <= b (claim: lemma99)", IDS) == ([], ["lemma99"])
    assert tags_of("see recmech.bounds.proposition1 <= x", IDS) == ([], [])


def test_sentences_split_at_their_ends_not_at_factorials_or_ellipses():
    text = "First x <= y. Second: d_1 < ... (a note). Sum y^j / j! (claim: lemma1).\n\nThird."
    assert [s for _, s in split_sentences(text, 10)] == [
        "First x <= y.", "Second: d_1 < ... (a note).", "Sum y^j / j! (claim: lemma1).",
        "Third."]
    assert [line for line, _ in split_sentences(text, 10)] == [10, 10, 10, 12]
