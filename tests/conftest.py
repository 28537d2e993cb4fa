"""Test-session setup: recmech's hypothesis profile (``RECMECH_PROFILE``, default ``quick``:
derandomized, so the default run is deterministic)."""

from recmech.properties.profiles import load_profile

load_profile()
