"""An adaptive protocol written from the statements, not from the reference: a pivoted block,
per-item bisection to the precision the target needs, and least squares.

For the block B = A_S (k rows by column-pivoted QR of A^T, scipy) and P = pinv(B) (numpy), a
value of item j bisected to within h of t_j, with t within eps of Az and an oracle whose noise is
at most eta, gives ||z_hat - z||_inf <= ||P||_inf (eps + eta + h); h is chosen so that this is the
target (less a margin for the float products), and a target below ||P||_inf (eps + eta) is
refused with a ValueError. It reports only z_hat: the guard judges its error against the target.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
from scipy import linalg


class BlockBisection:
    def __init__(self, design, eps, delta, eta=0.0):
        A = np.asarray(design.A, dtype=float)  # noqa: N806
        k = A.shape[1]
        _, _, piv = linalg.qr(A.T, mode="economic", pivoting=True)
        self.items = np.sort(piv[:k])
        B = A[self.items]  # noqa: N806
        if np.linalg.matrix_rank(B) < k:
            raise ValueError("design: no k rows of full rank")
        self.P = np.linalg.pinv(B)
        norm = float(np.abs(self.P).sum(axis=1).max())
        h = delta * (1.0 - 1e-6) / norm - eps - eta
        if h <= 0:
            raise ValueError(f"delta: {delta} is below ||P||_inf (eps + eta) = "
                             f"{norm * (eps + eta)}")
        self.lo = np.minimum(B, 0).sum(axis=1) - eps
        self.hi = np.maximum(B, 0).sum(axis=1) + eps
        self.steps = [max(0, math.ceil(math.log2((b - a) / (2 * h))))
                      for a, b in zip(self.lo, self.hi, strict=True)]

    def run(self, oracle):
        y = np.empty(len(self.items))
        for i, j in enumerate(self.items):
            a, b = self.lo[i], self.hi[i]
            for _ in range(self.steps[i]):
                mid = 0.5 * (a + b)
                if oracle.accepts(int(j), mid):
                    a = mid
                else:
                    b = mid
            y[i] = 0.5 * (a + b)
        return np.clip(self.P @ y, 0.0, 1.0)


impl = SimpleNamespace(adaptive_protocol=BlockBisection)
