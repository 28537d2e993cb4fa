"""Deliberately broken implementations for the guard (``recmech.properties.guard.run``) to catch.

Each module exposes ``impl``: the reference implementation with one part replaced by a plausible
bug (or, in ``dropped_factor``, a single per-claim bound calculator), so the claims that use the
broken part fail and every other claim still passes (or is skipped when nothing of it is
provided). ``tests/test_guard.py`` names the claim ids each one must break.
"""

from types import SimpleNamespace
from typing import Any


def reference_with(**parts: Any) -> SimpleNamespace:
    """The reference parts with ``parts`` replaced; without ``query_protocol``, so the guard
    composes the protocol from the value queries and least squares given here, and without
    ``adaptive_protocol`` (a fault elsewhere is not the adaptive protocol's)."""
    from recmech.properties.guard.run import reference_implementation

    base = {k: v for k, v in vars(reference_implementation()).items()
            if k not in ("query_protocol", "adaptive_protocol")}
    return SimpleNamespace(**{**base, **parts})


def resample_outcome(mech, bids, grid):
    """Lemma 2's outcome for a fixed grid, as ``recmech.core.robust.RobustifiedMechanism``
    computes it, with the cells given by ``grid.cell_index`` (so a module can swap the grid):
    resample every bidder from the model law in its cell, run M_hat, subtract the IR rebate."""
    import itertools
    import math

    import numpy as np

    from recmech.core.mechanisms import mix_outcomes

    b = mech.check_bids(bids)
    cells = [grid.cell_index(b[i]) for i in range(mech.m)]
    choices, excluded = [], []
    for i, law in enumerate(mech.laws):
        inside = np.flatnonzero(np.all(grid.cell_index(law.points) == cells[i][None, :], axis=1))
        if inside.size == 0:
            excluded.append(i)
            inside = np.arange(law.probs.size)
        cond = law.probs[inside] / law.probs[inside].sum()
        choices.append(list(zip(inside.tolist(), cond.tolist(), strict=True)))

    def parts():
        for combo in itertools.product(*choices):
            idx = [s for s, _ in combo]
            out = mech.table.outcome_at(idx)
            yield math.prod(q for _, q in combo), out, mech._adjusted(out, idx, cells)

    return mix_outcomes(parts(), mech.m, excluded)
