"""Test-session setup: the hypothesis profile (``ci`` by default: deterministic)."""

from recmech.properties.profiles import load_profile

load_profile()
