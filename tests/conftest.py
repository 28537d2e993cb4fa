"""Test-session setup: the hypothesis profile (``ci`` by default: deterministic)."""

from properties.profiles import load_profile

load_profile()
