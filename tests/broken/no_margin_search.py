"""Noisy value queries over [lo_j, hi_j] without the eps margins on either side.

t_j is within eps of (Az)_j, so it can lie up to eps outside [lo_j, hi_j]; a search over an
interval of length ||A||_inf (not ||A||_inf + 2 eps) ends up to eps away from such a value.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np


def value_queries(oracle, items, rows, inf_norm, eps, eta) -> np.ndarray:
    items = np.asarray(items, dtype=np.int64).reshape(-1)
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    center = 0.5 * (np.minimum(rows, 0).sum(axis=1) + np.maximum(rows, 0).sum(axis=1))
    R = float(inf_norm)  # the bug: no 2 eps
    low, high = center - R / 2, center + R / 2
    for _ in range(max(0, math.ceil(math.log2(R / (2 * eta))))):
        mid = 0.5 * (low + high)
        yes = oracle.accepts_many(items, mid)
        low, high = np.where(yes, mid, low), np.where(yes, high, mid)
    return 0.5 * (low + high)


impl = SimpleNamespace(value_queries=value_queries)
