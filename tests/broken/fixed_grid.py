"""A robustifier that never draws the grid: the offset is always 0.

Per offset nothing is wrong (``outcome_at`` is the reference's), but the expected outcome is the
one at offset 0 instead of the average over r uniform on [0, delta)^k: the random grid, which
Lemma 2's simultaneous coupling needs, is gone.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from recmech.core.robust import RobustifiedMechanism


class FixedGrid(RobustifiedMechanism):
    def _outcome(self, bids):
        return self.outcome_at(bids, np.zeros(self.k))  # the bug: no random offset


impl = SimpleNamespace(robustify=FixedGrid)
