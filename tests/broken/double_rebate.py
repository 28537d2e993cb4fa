"""A robustifier whose IR rebate is twice the one needed (a conservative fault).

Lemma 2's M_tilde charges M_hat's payment minus a rebate that keeps every truthful bidder's
utility >= 0. Doubling it keeps IR and BIC (the rebate depends on the bidder's own cell only):
every claim still holds, but revenue is given away for nothing.
"""

from __future__ import annotations

from types import SimpleNamespace

from recmech.core.robust import RobustifiedMechanism


class GenerousRebate(RobustifiedMechanism):
    def _adjusted(self, out, idx, cells):
        needed = out.payments - super()._adjusted(out, idx, cells)
        return out.payments - 2.0 * needed  # the bug: twice the rebate


impl = SimpleNamespace(robustify=GenerousRebate)
