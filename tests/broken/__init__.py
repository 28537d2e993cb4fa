"""Deliberately broken implementations for the guard (``recmech.properties.guard``) to catch.

Each module exposes ``impl``: the reference implementation with one part replaced by a plausible
bug (or, in ``dropped_factor``, a single per-claim bound calculator), so the claims that use the
broken part fail and every other claim still passes (or is skipped when nothing of it is
provided). ``tests/test_guard.py`` names the claim ids each one must break.
"""

from types import SimpleNamespace
from typing import Any


def reference_with(**parts: Any) -> SimpleNamespace:
    """The reference parts with ``parts`` replaced; without ``query_protocol``, so the guard
    composes the protocol from the value queries and least squares given here."""
    from recmech.properties.guard import reference_implementation

    base = {k: v for k, v in vars(reference_implementation()).items() if k != "query_protocol"}
    return SimpleNamespace(**{**base, **parts})
