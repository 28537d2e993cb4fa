"""The optimal-mechanism LP with interim IR rows in place of ex-post IR.

Interim IR (E_{b_-i}[u_i] >= 0 for each type) is weaker than the ex-post IR that Sec. 2.1 asks
for and that Lemma 2's rebate relies on; the LP then charges a bidder more than his value on
some profiles. With one bidder the two coincide (every claim check's M_hat has one bidder), so
only an instance with two bidders shows it.
"""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace

from .independent_mechanisms import LinearProgram

impl = SimpleNamespace(latent_mechanism=partial(LinearProgram, ir="interim"))  # the bug
