"""Noisy value queries that halve once more than needed, "to be safe" (a conservative fault).

Every value is within eta / 2 instead of eta, so no accuracy claim can fail; but each item costs
one more price query than the bisection of Thm. 2's proof needs: the query count is looser than
the paper's.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np


def value_queries(oracle, items, rows, inf_norm, eps, eta) -> np.ndarray:
    items = np.asarray(items, dtype=np.int64).reshape(-1)
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    center = 0.5 * (np.minimum(rows, 0).sum(axis=1) + np.maximum(rows, 0).sum(axis=1))
    R = float(inf_norm) + 2 * eps
    low, high = center - R / 2, center + R / 2
    steps = max(0, math.ceil(math.log2(R / (2 * eta))))
    for _ in range(steps + 1):  # the bug: one halving more than needed
        mid = 0.5 * (low + high)
        yes = oracle.accepts_many(items, mid)
        low, high = np.where(yes, mid, low), np.where(yes, high, mid)
    return 0.5 * (low + high)


impl = SimpleNamespace(value_queries=value_queries)
