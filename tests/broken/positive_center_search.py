"""Noisy value queries whose search interval is centred at ||A_j||_1 / 2.

The value t_j of an item lies within eps of [lo_j, hi_j], lo_j = sum_l min(A_jl, 0),
hi_j = sum_l max(A_jl, 0); the search must be centred at (lo_j + hi_j) / 2. Centring at half
the row's l1 norm is the same for nonnegative rows (every claim check's single-item grid) and
misses values below the interval for rows with negative entries.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np


def value_queries(oracle, items, rows, inf_norm, eps, eta) -> np.ndarray:
    items = np.asarray(items, dtype=np.int64).reshape(-1)
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    center = 0.5 * np.abs(rows).sum(axis=1)  # the bug: the middle of [0, ||A_j||_1]
    R = float(inf_norm) + 2 * eps
    low, high = center - R / 2, center + R / 2
    for _ in range(max(0, math.ceil(math.log2(R / (2 * eta))))):
        mid = 0.5 * (low + high)
        yes = oracle.accepts_many(items, mid)
        low, high = np.where(yes, mid, low), np.where(yes, high, mid)
    return 0.5 * (low + high)


impl = SimpleNamespace(value_queries=value_queries)
