"""The influence matrix with its indices swapped: entry (i, j) holds the influence of X_i on X_j.

Definition 2 puts at (i, j) the influence of X_j on the law of X_i. The two conventions agree
whenever the dependence is symmetric (exchangeable laws, every law the claim checks draw for
Lemmas 5 and 8), so only an asymmetric law shows the swap, and ||INF||_2 is the same either way.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

import numpy as np


def influence_matrix(law) -> np.ndarray:
    pts, probs = np.asarray(law.support), np.asarray(law.probs)
    d = pts.shape[1]
    out = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            if i == j:
                continue
            rest = [c for c in range(d) if c not in (i, j)]
            table = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
            for row, p in zip(pts, probs, strict=True):
                table[tuple(row[rest])][row[j]][row[i]] += p
            best = 0.0
            for by_xj in table.values():
                conds = [{v: m / sum(c.values()) for v, m in c.items()} for c in by_xj.values()]
                for a in range(len(conds)):
                    for b in range(a + 1, len(conds)):
                        keys = set(conds[a]) | set(conds[b])
                        best = max(best, 0.5 * sum(abs(conds[a].get(v, 0.0) - conds[b].get(v, 0.0))
                                                   for v in keys))
            out[j, i] = best  # the bug: the transposed position
    return out


impl = SimpleNamespace(influence_matrix=influence_matrix)
