"""Hypothesis settings profiles, registered in one place.

- ``ci``: derandomized, no example database, bounded example counts: the default test run is
  deterministic and the same on every machine.
- ``dev``: random exploration with a database in the system temporary folder (never the user's
  working directory), so a failure found once is replayed next time.
- ``thorough``: the large sweeps (many examples, long deadlines), for ``recmech report
  --profile thorough`` and nightly runs.

The profile is chosen by ``RECMECH_PROFILE`` (or pytest's ``--hypothesis-profile``); the
default is ``ci``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

PROFILES = ("ci", "dev", "thorough")

_SUPPRESS = (HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much)


def scratch_dir() -> Path:
    """Where the suite keeps hypothesis's and pytest-benchmark's files: the system temporary
    folder, never the user's working directory."""
    return Path(tempfile.gettempdir()) / "recmech-hypothesis"


def _temp_database() -> DirectoryBasedExampleDatabase:
    return DirectoryBasedExampleDatabase(scratch_dir() / "examples")


def register_profiles() -> None:
    """Register the three profiles with hypothesis (idempotent)."""
    settings.register_profile(
        "ci",
        derandomize=True,
        database=None,
        max_examples=40,
        deadline=None,
        print_blob=True,
        suppress_health_check=_SUPPRESS,
    )
    settings.register_profile(
        "dev",
        max_examples=100,
        deadline=None,
        database=_temp_database(),
        suppress_health_check=_SUPPRESS,
    )
    settings.register_profile(
        "thorough",
        max_examples=2000,
        deadline=None,
        database=_temp_database(),
        suppress_health_check=_SUPPRESS,
    )


def load_profile(name: str | None = None) -> str:
    """Register and load a profile: ``name``, else ``RECMECH_PROFILE``, else ``ci``."""
    register_profiles()
    set_hypothesis_home_dir(str(scratch_dir()))
    chosen = name or os.environ.get("RECMECH_PROFILE") or "ci"
    if chosen not in PROFILES:
        raise ValueError(f"RECMECH_PROFILE must be one of {PROFILES}; found {chosen!r}")
    settings.load_profile(chosen)
    return chosen
