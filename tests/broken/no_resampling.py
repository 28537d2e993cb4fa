"""A robustifier that rounds bids to the random grid but skips the resampling of Lemma 2.

M_hat runs on the bids themselves instead of b'_i ~ D_hat_z,i conditioned on the cell; the IR
rebate is kept, so the mechanism stays IR, but a bid just off the model's support meets M_hat
off its support and the revenue no longer degrades with eps: breaks the rates of ``lemma2``,
``theorem1`` and ``proposition1.mechanism``.
"""

from __future__ import annotations

import numpy as np

from recmech.core.mechanisms import Outcome
from recmech.core.robust import RandomGrid, RobustifiedMechanism

from . import reference_with


class SkipResampling(RobustifiedMechanism):
    def outcome_at(self, bids, offset) -> Outcome:
        b = self.check_bids(bids)
        grid = RandomGrid(self.delta, np.asarray(offset, dtype=float))
        cells = [grid.cell_index(b[i]) for i in range(self.m)]
        out = self.inner.outcome(b)  # the bug: should run on b' drawn from the model in the cell
        pay = out.payments.copy()
        for i in range(self.m):
            v, t_low = self.valuations[i], self.lower_vector(cells[i])
            pay[i] -= sum(p * (v.value(self.A @ b[i], a[i]) - v.value(t_low, a[i]))
                          for p, a in out.lottery)
        return Outcome(lottery=out.lottery, payments=pay)


impl = reference_with(robustify=SkipResampling)
