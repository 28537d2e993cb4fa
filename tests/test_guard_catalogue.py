"""The guard's fault catalogue (``tests/broken/catalogue.py``): every faulty implementation is
caught under the claim ids and part judgements it breaks, the claims it must not disturb still
pass, and the implementations written independently of the reference raise no alarm.

The default run uses the quick profile and leaves out the Monte Carlo claims of ``HEAVY``
(thousands of pseudo-inverses read through the outside least squares); ``RECMECH_PROFILE=
thorough`` adds them, and runs every check on the correct implementations. Every check here is
deterministic (fixed seeds, derandomized searches); the statistical claims keep their own false
alarm <= 1e-9.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from recmech.properties.guard.run import check_ids, check_implementation, load_implementation
from recmech.properties.judging.checks.registry import parts_of
from recmech.properties.judging.profiles import profile_name
from recmech.properties.subject.contract import PARTS, provides

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the implementations are named as a user names theirs
    sys.path.insert(0, str(ROOT))

from tests.broken.catalogue import CATALOGUE, CORRECT, HEAVY  # noqa: E402

THOROUGH = profile_name() == "thorough"


def _kept(ids) -> list[str]:
    return [c for c in ids if THOROUGH or c not in HEAVY]


def _load(module: str):
    return load_implementation(f"tests.broken.{module}:impl")


def test_the_catalogue_covers_every_part_with_realistic_faults():
    known = set(check_ids())
    assert len(CATALOGUE) >= 25 and len(CORRECT) >= 2
    assert {e.part for e in CATALOGUE} == set(PARTS)  # every part of the contract
    kinds = [e.kind for e in CATALOGUE]
    assert kinds.count("conservative") >= 5 and kinds.count("rare input") >= 8
    for e in CATALOGUE:
        assert e.caught_by and set(e.caught_by) | set(e.untouched) <= known, e.module
        assert _kept(e.caught_by), f"{e.module}: nothing catches it in the default run"
    listed = {e.module for e in CATALOGUE} | {c.module for c in CORRECT}
    on_disk = {p.stem for p in (ROOT / "tests" / "broken").glob("*.py")
               if p.stem not in ("__init__", "catalogue")}
    assert listed == on_disk


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.module)
def test_each_faulty_implementation_is_caught_under_what_it_breaks(entry):
    impl, name = _load(entry.module)
    assert provides(impl, "compute" if entry.part == "bounds" else entry.part)
    caught, untouched = _kept(entry.caught_by), _kept(entry.untouched)
    results = check_implementation(impl, claims=[*caught, *untouched], on_fail=None, name=name)
    status = {r.claim_id: r.status for r in results}
    reasons = {r.claim_id: r.reason[:400] for r in results if r.status != "passed"}
    assert {c for c, s in status.items() if s == "failed"} == set(caught), reasons
    assert all(status[c] == "passed" for c in untouched), reasons
    for r in results:
        if r.status == "failed" and r.claim_id.startswith(("part.", "tight.")):
            assert r.verdict is not None and r.verdict.counterexample, r.reason


@pytest.mark.parametrize("correct", CORRECT, ids=lambda c: c.module)
def test_independent_correct_implementations_raise_no_alarm(correct):
    impl, name = _load(correct.module)
    results = check_implementation(impl, claims=_kept(check_ids()), on_fail="raise", name=name)
    ran = [r.claim_id for r in results if r.status == "passed"]
    assert all(r.status in ("passed", "skipped") for r in results)
    for part in correct.parts:  # each part it provides was judged, and passed
        judged = "part.compute" if part == "bounds" else f"part.{part}"
        assert any(c.startswith(judged) or (not c.startswith("part.") and part in parts_of(c))
                   for c in ran), (part, ran)
