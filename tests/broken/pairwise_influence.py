"""The influence of X_j on X_i from the pair (X_i, X_j) alone, marginalising the other coordinates.

Definition 2 conditions on every other coordinate x_{-i-j} and takes the supremum over them.
With d = 2 there is nothing else to condition on and the two agree; from d = 3 on, dependence
carried through a third coordinate (a parity, a chain) is missed or misjudged.
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
            joint = defaultdict(lambda: defaultdict(float))
            for row, p in zip(pts, probs, strict=True):
                joint[row[j]][row[i]] += p  # the bug: x_{-i-j} is not conditioned on
            conds = [{v: m / sum(c.values()) for v, m in c.items()} for c in joint.values()]
            for a in range(len(conds)):
                for b in range(a + 1, len(conds)):
                    keys = set(conds[a]) | set(conds[b])
                    out[i, j] = max(out[i, j], 0.5 * sum(
                        abs(conds[a].get(v, 0.0) - conds[b].get(v, 0.0)) for v in keys))
    return out


impl = SimpleNamespace(influence_matrix=influence_matrix)
