"""A query protocol that asks about every item of the design (a conservative fault).

Least squares over all N rows is at least as accurate as over any subset, so Definition 3 holds
with room to spare; but the protocol spends N bisections where Thm. 2's needs k or |S|: its
query count is far looser than the paper's.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from recmech.core.queries import noisy_value_queries, search_plan


class NaiveProtocol:
    def __init__(self, design, eps, setting, eta=None) -> None:
        self.design, self.eps = design, float(eps)
        self.eta = self.eps if eta is None else float(eta)

    def run(self, oracle) -> np.ndarray:
        A = np.asarray(self.design.A)
        items = np.arange(A.shape[0])  # the bug: every item, whatever the setting
        plan = search_plan(A, items, self.design.inf_norm, self.eps, self.eta)
        y = noisy_value_queries(oracle, plan)
        return np.clip(np.linalg.lstsq(A, y, rcond=None)[0], 0.0, 1.0)


impl = SimpleNamespace(query_protocol=NaiveProtocol)
