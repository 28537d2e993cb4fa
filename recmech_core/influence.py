"""The influence (Dobrushin interdependence) matrix of a finite joint law.

definition: Cai-Daskalakis EC'22, Sec. 2.2, Definition 2: for X = (X_1, ..., X_d),
  alpha_{i,j} = sup_{x_{-i-j}, x_j != x_j'} d_TV( F_{X_i | X_j = x_j, X_{-i-j} = x_{-i-j}},
                                                  F_{X_i | X_j = x_j', X_{-i-j} = x_{-i-j}} ),
alpha_{i,i} = 0, INF(X) = (alpha_{i,j}); the coordinates are weakly dependent if ||INF(X)||_2 < 1.

Conditional laws exist only where the conditioning event has positive probability, so the sup
runs over x_{-i-j} and x_j != x_j' such that both events {X_j = x_j, X_{-i-j} = x_{-i-j}} and
{X_j = x_j', X_{-i-j} = x_{-i-j}} have positive probability; a pair (i, j) with no such events
has alpha_{i,j} = 0 (a sup over the empty set of distances). The definition leaves the null
events open; this convention (``null_events="ignore"``) is the one a finite law determines by
itself. The other reading (``null_events="maximal"``) lets x_{-i-j} and x_j != x_j' range over the
product of the marginal supports and counts a null conditioning event as total variation 1: on a
law whose support is a product set the two agree; otherwise a dependence hidden in null events
(X_1 = X_2 = X_3) shows as influence 1.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from recmech.core.gate import probabilities, real_array

__all__ = ["NULL_EVENTS", "PROB_TOL", "FiniteJointLaw", "influence_matrix", "spectral_norm"]

NULL_EVENTS = ("ignore", "maximal")

PROB_TOL = 1e-9


@dataclass(frozen=True)
class FiniteJointLaw:
    """A law on finitely many points of R^d: ``support`` (s, d) rows with ``probs`` (s,).

    Points of probability 0 are dropped and repeated points merged, so ``support`` is exactly
    the set of atoms.
    """

    support: np.ndarray
    probs: np.ndarray

    def __post_init__(self) -> None:
        pts = real_array(self.support, "support", 2)
        if pts.shape[0] == 0:
            raise ValueError(f"support must be a non-empty (s, d) array; found shape {pts.shape}")
        p = probabilities(self.probs, "probs", pts.shape[0])
        keep = p > 0
        pts, p = pts[keep], p[keep]
        uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
        merged = np.zeros(len(uniq))
        np.add.at(merged, inverse.ravel(), p)
        object.__setattr__(self, "support", uniq)
        object.__setattr__(self, "probs", merged / merged.sum())

    @property
    def d(self) -> int:
        return int(self.support.shape[1])

    def expectation(self, values: np.ndarray) -> float:
        """E f(X) for ``values`` = f evaluated on each support row."""
        return float(np.dot(self.probs, values))

    def variances(self) -> np.ndarray:
        """Var[X_i] for each coordinate."""
        mean = self.probs @ self.support
        return self.probs @ (self.support - mean) ** 2

    def to_dict(self) -> dict:
        return {"support": self.support.tolist(), "probs": self.probs.tolist()}


def _conditional(by_xi: dict) -> dict:
    total = sum(by_xi.values())
    return {v: m / total for v, m in by_xi.items()}


def _tv(a: dict, b: dict) -> float:
    return 0.5 * sum(abs(a.get(v, 0.0) - b.get(v, 0.0)) for v in set(a) | set(b))


def influence_matrix(law: FiniteJointLaw, null_events: str = "ignore") -> np.ndarray:
    """INF(X) of Definition 2 under the reading ``null_events`` of its conditionals (module
    docstring): "ignore" takes the sup over positive-probability events only, "maximal" counts a
    null conditioning event (within the product of the marginal supports) as distance 1."""
    if not isinstance(law, FiniteJointLaw):
        raise TypeError(f"law must be a FiniteJointLaw; found {type(law).__name__}")
    if null_events not in NULL_EVENTS:
        raise ValueError(f"null_events must be one of {NULL_EVENTS}; found {null_events!r}")
    d = law.d
    out = np.zeros((d, d))
    pts, probs = law.support, law.probs
    values = [sorted(set(pts[:, c].tolist())) for c in range(d)]
    for i in range(d):
        for j in range(d):
            if i == j:
                continue
            rest = [c for c in range(d) if c not in (i, j)]
            # key x_{-i-j} -> x_j -> x_i -> mass
            table: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
            for row, p in zip(pts, probs, strict=True):
                table[tuple(row[rest])][row[j]][row[i]] += p
            best = 0.0
            if null_events == "maximal":
                rests = itertools.product(*(values[c] for c in rest))
                for key in rests:
                    by_xj = table.get(key, {})
                    for a, b in itertools.combinations(values[j], 2):
                        if a not in by_xj or b not in by_xj:
                            best = 1.0  # a null conditioning event: total variation 1
                            break
                        best = max(best, _tv(_conditional(by_xj[a]), _conditional(by_xj[b])))
                    if best == 1.0:
                        break
            else:
                for by_xj in table.values():
                    conds = [_conditional(by_xi) for by_xi in by_xj.values()]
                    for a, b in itertools.combinations(conds, 2):
                        best = max(best, _tv(a, b))
            out[i, j] = best
    return out


def spectral_norm(matrix: np.ndarray) -> float:
    """||M||_2, the largest singular value (Definition 2 uses ||INF(X)||_2)."""
    m = real_array(matrix, "matrix")
    if m.ndim != 2:
        raise ValueError(f"matrix must be 2-dimensional; found shape {m.shape}")
    return float(np.linalg.norm(m, 2))
