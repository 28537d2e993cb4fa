"""One test per claim id of the claim register, against the implementation under test.

Run after ``pip install``: ``pytest --pyargs recmech.properties --recmech-impl=pkg.module:attr`` (or
``RECMECH_IMPL``; default: the reference). Each test runs the claim's check with the parts the
implementation provides swapped in and compares its verdict with the errata register (and, for
an erratum, the corrected statement's verdict): see ``recmech.properties.guard``. A claim whose parts the
implementation does not provide is skipped with the reason; known deviations come from an xfails
file (``--recmech-xfails``).
"""

from __future__ import annotations

import pytest

from recmech.properties.guard import assert_claim


@pytest.fixture(scope="module", autouse=True)
def _hypothesis_profile(request: pytest.FixtureRequest) -> None:
    # the checks' searches run under the suite's profile (ci: derandomized) unless pytest's
    # --hypothesis-profile chose one
    from recmech.properties.profiles import load_profile

    if not request.config.getoption("hypothesis_profile", default=None):
        load_profile()


def test_claim(recmech_claim_id: str, recmech_guard) -> None:
    """The claim's verdict on the implementation under test is what the register expects."""
    assert_claim(recmech_claim_id, recmech_guard.impl, recmech_guard.profile, recmech_guard.name)
