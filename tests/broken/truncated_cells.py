"""A robustifier that computes grid cells with int() (truncation toward 0) instead of floor.

For a bid coordinate above the grid offset the two agree; below it (b_l < r_l, the cell of
index -1) truncation gives 0, so the cells [r - delta, r) and [r, r + delta) merge and the
resample is drawn from a cube twice as wide. Only bids within delta of 0 at the offsets above
them show it.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from recmech.core.robust import RandomGrid, RobustifiedMechanism

from . import resample_outcome


class TruncatingGrid(RandomGrid):
    def cell_index(self, x) -> np.ndarray:
        # the bug: int() truncates toward 0, where the cell index needs floor
        return np.trunc((np.asarray(x, dtype=float) - self.offset) / self.delta).astype(np.int64)


class TruncatedCells(RobustifiedMechanism):
    def outcome_at(self, bids, offset):
        return resample_outcome(self, bids, TruncatingGrid(self.delta, np.asarray(offset)))


impl = SimpleNamespace(robustify=TruncatedCells)
