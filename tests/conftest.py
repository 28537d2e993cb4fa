"""Test-session setup: recmech's hypothesis profile (``RECMECH_PROFILE``, default ``quick``:
derandomized, so the default run is deterministic). A bad ``RECMECH_PROFILE`` is a usage error
naming the variable and the valid values, not a traceback."""

import pytest

from recmech.properties.judging.profiles import load_profile


def pytest_configure(config: pytest.Config) -> None:
    # before collection: test modules build their hypothesis settings on import
    try:
        load_profile()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
