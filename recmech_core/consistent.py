"""The latents consistent with a bidder's price answers so far, and certified bounds over them.

definition: Cai-Daskalakis EC'22, Def. 3 and Thm. 2: a type t is within eps of Az, z in [0, 1]^k,
and the
query e_j^T t >= p is answered Yes/No; an eta-noisy oracle may answer either way only when
|t_j - p| <= eta (``recmech.core.oracles.NoisyOracle``). So a Yes at p certifies
t_j >= p - eta, hence a_j.z >= p - eps - eta, and a No certifies t_j < p + eta, hence
a_j.z < p + eps + eta (checked: project.adaptive_protocol). The consistent set is the polytope

    definition: K = {z in [0, 1]^k : a_j.z >= p - s_j after a Yes, a_j.z <= p + s_j after a No},

s_j = eps + eta + r_j, where r_j = 4 (k + 2) u (||a_j||_1 + |p|) (u = 2^-53) covers the float
rounding of the type's value fl(a_j.z) and of the right-hand side (definition: the cut's
slack). Every z that the answers allow lies in K (it is an outer description, never tighter).

Certified bounds. max c.z over K is solved by HiGHS (``highspy``), but its answer is not
trusted: for ANY multipliers lam >= 0 on the cuts G z <= h, weak duality with the box handled
exactly gives (checked: project.adaptive_protocol)

    definition: max_{z in K} c.z <= lam.h + sum_l max(0, (c - G^T lam)_l)   (*)

(z in [0, 1]^k maximises the linear remainder coordinatewise). The bound takes HiGHS's row
duals, clipped to lam >= 0, and adds 2 (m + k + 2) u (|lam|.|h| + sum_l (|G|^T |lam|)_l +
||c||_1), the float error of the two products (checked: project.adaptive_protocol). So the solver's
feasibility and optimality
tolerances cannot make a bound too small: an inexact dual only loosens it, and a failed solve
falls back to lam = 0, the cube's own bound sum_l max(0, c_l).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from recmech.core.gate import real, real_array, whole
from recmech.core.highs import HighsLP

__all__ = ["UNIT", "Bound", "ConsistentSet", "cut_slack"]

UNIT = 2.0**-53


def cut_slack(row: np.ndarray, price: float, eps: float, eta: float) -> float:
    """s = eps + eta + 4 (k + 2) u (||a_j||_1 + |p|) (module docstring; definition: the slack
    of the cut of one answer)."""
    row = real_array(row, "row", 1)
    price, eps, eta = real(price, "price"), real(eps, "eps", low=0.0), real(eta, "eta", low=0.0)
    k = row.shape[0]
    return eps + eta + 4.0 * (k + 2) * UNIT * (float(np.abs(row).sum()) + abs(price))


@dataclass(frozen=True, kw_only=True)
class Bound:
    """A certified upper bound (*) on max c.z over the consistent set, and the solver's point."""

    value: float
    point: np.ndarray
    solved: bool

    def to_dict(self) -> dict:
        return {"value": self.value, "solved": self.solved}


class ConsistentSet:
    """K of the module docstring for one bidder: cuts are added as answers arrive; ``upper``
    and ``extent`` give certified bounds, warm-started from the previous basis."""

    def __init__(self, k: int) -> None:
        self.k = whole(k, "k", low=1, high=2**31 - 1)  # HiGHS indexes columns by int32
        self._cols = np.arange(self.k, dtype=np.int32)
        # one model per bidder: the columns are z in [0, 1]^k, each answer appends one row
        lp = HighsLP(np.zeros(self.k), np.zeros(self.k), np.ones(self.k),
                     sparse.csr_matrix((0, self.k)), np.zeros(0), "consistent set")
        self.h = lp.h
        for key, value in (("presolve", "off"), ("solver", "simplex")):
            self.h.setOptionValue(key, value)
        self._G = np.empty((16, self.k))
        self._h = np.empty(16)
        self.m = 0
        self.solves = 0

    @property
    def G(self) -> np.ndarray:  # noqa: N802 - the module docstring's name
        return self._G[:self.m]

    @property
    def rhs(self) -> np.ndarray:
        return self._h[:self.m]

    def add_answer(self, row: np.ndarray, price: float, yes: bool, eps: float,
                   eta: float) -> None:
        """definition: The cut of one answer: a_j.z >= p - s after a Yes, a_j.z <= p + s after a
        No."""
        s = cut_slack(row, price, eps, eta)
        g, b = (-row, s - price) if yes else (row, price + s)
        if self.m == self._G.shape[0]:
            self._G = np.concatenate([self._G, np.empty_like(self._G)])
            self._h = np.concatenate([self._h, np.empty_like(self._h)])
        self._G[self.m] = g
        self._h[self.m] = b
        self.m += 1
        self.h.addRow(-highspy.kHighsInf, float(b), self.k, self._cols, np.asarray(g, float))

    def upper(self, c: np.ndarray) -> Bound:
        """The certified bound (*) on max c.z over K, with the solver's maximiser."""
        c = np.asarray(c, dtype=float)
        lam = np.zeros(self.m)
        point = np.clip(np.sign(c), 0.0, 1.0)
        solved = False
        if self.m:
            self.h.changeColsCost(self.k, self._cols, -c)
            self.h.run()
            self.solves += 1
            if self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                sol = self.h.getSolution()
                # definition: minimising -c.z: a row dual y <= 0 of G z <= h is the multiplier lam
                # = -y
                lam = np.maximum(-np.asarray(sol.row_dual, dtype=float), 0.0)
                point = np.clip(np.asarray(sol.col_value, dtype=float), 0.0, 1.0)
                solved = True
        G, h = self.G, self.rhs
        reduced = c - G.T @ lam
        value = float(lam @ h + np.maximum(reduced, 0.0).sum())
        size = float(np.abs(lam) @ np.abs(h) + (np.abs(G).T @ lam).sum() + np.abs(c).sum())
        value += 2.0 * (self.m + self.k + 2) * UNIT * size
        return Bound(value=value, point=point, solved=solved)

    def extent(self, c: np.ndarray) -> tuple[float, float]:
        """Certified (low, high) with low <= c.z <= high on K (checked:
        project.adaptive_protocol)."""
        c = np.asarray(c, dtype=float)
        return -self.upper(-c).value, self.upper(c).value
