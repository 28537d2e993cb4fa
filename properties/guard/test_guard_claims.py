"""One test per claim id of the claim table and per part judgement, against the implementation
under test.

Run after ``pip install``: ``pytest --pyargs recmech.properties --recmech-impl=pkg.module:attr``
(or ``RECMECH_IMPL``; default: the reference). Each test runs the claim's check with the parts
the implementation provides swapped in and compares its verdict with the claim table (and, for
an erratum, the corrected statement's verdict): see ``recmech.properties.guard.run``. A claim whose
parts the implementation does not provide is skipped with the reason; known deviations come from
an xfails file (``--recmech-xfails``). With ``--recmech-jobs N`` or ``--recmech-scheduler``
the chunks of every selected check run first on that engine. The part judgements (``part.<part>``,
``part.compute.<claim id>``, ``tight.<claim id>``: ``recmech.properties.guard.parts``) compare each
provided part with the reference on the same inputs; they are skipped for the reference.
"""

from __future__ import annotations

import pytest

from recmech.properties.guard.plugin import GuardSettings, engine_results, guard_settings
from recmech.properties.guard.run import assert_claim, assert_result


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "recmech_claim_id" not in metafunc.fixturenames:
        return
    from recmech.properties.guard.run import check_ids

    s = guard_settings(metafunc.config)
    ids = check_ids() if s.claims is None else s.claims
    metafunc.parametrize("recmech_claim_id", [
        pytest.param(cid, id=cid, marks=[pytest.mark.xfail(reason=s.xfails[cid], strict=False)]
                     if cid in s.xfails else []) for cid in ids])


@pytest.fixture(scope="module", autouse=True)
def _hypothesis_profile(request: pytest.FixtureRequest) -> None:
    # the checks' searches run under recmech's profile unless pytest's --hypothesis-profile
    # chose one
    from recmech.properties.judging.profiles import load_profile

    if not request.config.getoption("hypothesis_profile", default=None):
        load_profile(guard_settings(request.config).profile)


@pytest.fixture
def recmech_guard(request: pytest.FixtureRequest) -> GuardSettings:
    """The implementation under test and the guard's settings."""
    return guard_settings(request.config)


def test_claim(recmech_claim_id: str, recmech_guard: GuardSettings,
               request: pytest.FixtureRequest) -> None:
    """The claim's verdict on the implementation under test is what the claim table expects."""
    if recmech_guard.on_engine:  # every chunk ran once, on the engine; here the record
        assert_result(engine_results(request.config)[recmech_claim_id])
        return
    assert_claim(recmech_claim_id, recmech_guard.impl, recmech_guard.profile, recmech_guard.name)
