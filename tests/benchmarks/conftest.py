"""Benchmarks (pytest-benchmark).

The default ``python -m pytest`` run passes ``--benchmark-disable``: each benchmark then runs
once, as a smoke test, on small sizes. ``python -m pytest tests/benchmarks --benchmark-enable``
times the full sizes except N = 10^7; the ``thorough`` profile (``RECMECH_PROFILE=thorough``)
adds those (one 640 MB design at a time). The ratio table is ``recmech bench``.
"""

import pytest

from recmech.properties.judging.profiles import profile_name

FULL = profile_name() == "thorough"


@pytest.fixture
def timing(benchmark):
    """True when the benchmark plugin times (enabled), False in the single-round smoke run."""
    return not benchmark.disabled


def need_full(N: int) -> None:  # noqa: N803
    if N >= 10**7 and not FULL:
        pytest.skip("N = 10^7 designs run in the thorough profile (RECMECH_PROFILE=thorough)")
