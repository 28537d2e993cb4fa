"""Least squares that solves with R^T instead of R (QR route, a transposed triangular solve).

z = R^{-T} Q^T y instead of R^{-1} Q^T y: right whenever R is symmetric (k = 1, B an identity
block), wrong otherwise. Breaks ``definition3`` and ``theorem2.deterministic``; the separable
protocol (B = I) and the k = 1 ex-ante checks cannot see it.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from . import reference_with


def least_squares(B, Y) -> np.ndarray:  # noqa: N803
    Q, R = np.linalg.qr(np.asarray(B, dtype=float))
    return linalg.solve_triangular(R, Q.T @ np.asarray(Y, dtype=float), trans="T")  # the bug


impl = reference_with(least_squares=least_squares)
