"""Binary search for noisy value queries that stops one halving short (Thm. 2 proof).

The final interval then has length up to 4 eta, so its midpoint can be 2 eta from t_j: breaks
``theorem2.noisy_value`` (corrected statement) and the protocols that use it (``definition3``).
"""

from __future__ import annotations

import numpy as np

from recmech.core.queries import queries_per_item

from . import reference_with


def value_queries(oracle, items, rows, inf_norm, eps, eta) -> np.ndarray:
    items = np.asarray(items, dtype=np.int64).reshape(-1)
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    centers = 0.5 * (np.minimum(rows, 0).sum(axis=1) + np.maximum(rows, 0).sum(axis=1))
    R = float(inf_norm) + 2 * eps
    low, high = centers - R / 2, centers + R / 2
    for _ in range(queries_per_item(R, eta) - 1):  # the bug: one halving too few
        mid = 0.5 * (low + high)
        yes = oracle.accepts_many(items, mid)
        low, high = np.where(yes, mid, low), np.where(yes, high, mid)
    return 0.5 * (low + high)


impl = reference_with(value_queries=value_queries)
