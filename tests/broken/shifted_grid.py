"""A robustifier whose cells are floor((b + r) / delta): the grid offset added, not subtracted.

The offset is uniform on [0, delta), so the cells are still a grid of width delta; but at a
given offset r they are the cells of offset delta - r: per offset, the resample (and so the
outcome) is that of another offset.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from recmech.core.robust import RandomGrid, RobustifiedMechanism

from . import resample_outcome


class PlusGrid(RandomGrid):
    def cell_index(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return np.floor((x + self.offset) / self.delta).astype(np.int64)  # the bug: + r


class ShiftedGrid(RobustifiedMechanism):
    def outcome_at(self, bids, offset):
        return resample_outcome(self, bids, PlusGrid(self.delta, np.asarray(offset)))


impl = SimpleNamespace(robustify=ShiftedGrid)
