"""Benchmarks of issue 6 (pytest-benchmark).

The default ``pytest`` run passes ``--benchmark-disable``: each benchmark then runs once, as a
smoke test, on small sizes. ``pytest tests/benchmarks --benchmark-enable`` times the issue's sizes
except N = 10^7; ``RECMECH_BENCH=full`` adds those (one 640 MB design at a time). The ratio table
is ``recmech bench``.
"""

import os

import pytest

FULL = os.environ.get("RECMECH_BENCH") == "full"


@pytest.fixture
def timing(benchmark):
    """True when the benchmark plugin times (enabled), False in the single-round smoke run."""
    return not benchmark.disabled


def need_full(N: int) -> None:  # noqa: N803
    if N >= 10**7 and not FULL:
        pytest.skip("N = 10^7 designs run with RECMECH_BENCH=full")
