"""The deterministic protocol of Thm. 2 that queries items 0..k-1, forgetting the permutation Pi.

A^T = [C^T H^T] Pi: the dominant block C sits at the rows Pi names, not at the first k rows. The
first k rows are usually rows of H: least squares on them is still exact for the items asked
(Definition 3 with the certified delta of that block holds), but the block is not diagonally
dominant and the accuracy Thm. 2 promises is lost. The other settings are the reference's.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from recmech.core.protocols import protocol_for
from recmech.core.queries import LeastSquares, noisy_value_queries, search_plan


class FirstRowsProtocol:
    def __init__(self, design, eps, eta) -> None:
        self.design, self.eps = design, float(eps)
        self.eta = self.eps if eta is None else float(eta)
        self.items = np.arange(design.k)  # the bug: the first k rows, not Pi's

    def run(self, oracle) -> np.ndarray:
        rows = self.design.rows(self.items)
        plan = search_plan(rows, self.items, self.design.inf_norm, self.eps, self.eta)
        return LeastSquares(rows).estimate(noisy_value_queries(oracle, plan))


def query_protocol(design, eps, setting, eta=None):
    if setting == "deterministic":
        return FirstRowsProtocol(design, eps, eta)
    return protocol_for(setting, design, eps, eta)


impl = SimpleNamespace(query_protocol=query_protocol)
