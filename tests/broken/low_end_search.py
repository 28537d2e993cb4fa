"""Noisy value queries that return the lower end of the final interval, not its midpoint.

The final interval has length up to 2 eta and contains t_j; its midpoint is within eta, its
lower end only within 2 eta.
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
    for _ in range(max(0, math.ceil(math.log2(R / (2 * eta))))):
        mid = 0.5 * (low + high)
        yes = oracle.accepts_many(items, mid)
        low, high = np.where(yes, mid, low), np.where(yes, high, mid)
    return low.copy()  # the bug: the lower end


impl = SimpleNamespace(value_queries=value_queries)
