"""The influence matrix with the total variation distance missing its factor 1/2.

sum_v |P(v) - Q(v)| is twice d_TV, so every influence is doubled (a conservative fault: the
weak-dependence hypothesis ||INF||_2 < 1 fails more often and every bound using 1 - ||INF|| is
looser), while no stated inequality is broken.
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
            groups = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
            for row, p in zip(pts, probs, strict=True):
                groups[tuple(row[rest])][row[j]][row[i]] += p
            for by_xj in groups.values():
                conds = [{v: m / sum(c.values()) for v, m in c.items()} for c in by_xj.values()]
                for a in range(len(conds)):
                    for b in range(a + 1, len(conds)):
                        keys = set(conds[a]) | set(conds[b])
                        tv = sum(abs(conds[a].get(v, 0.0) - conds[b].get(v, 0.0))
                                 for v in keys)  # the bug: no factor 1/2
                        out[i, j] = max(out[i, j], tv)
    return out


impl = SimpleNamespace(influence_matrix=influence_matrix)
