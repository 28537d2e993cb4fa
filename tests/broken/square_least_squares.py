"""Least squares that solves the square system of the first k rows, B[:k] z = y[:k].

Exact when y lies in the range of B (noise-free answers), so a smoke test with exact data
passes; with noisy answers it throws away every row but k, and its pseudo-inverse
[B[:k]^{-1}, 0] has a far larger norm than (B^T B)^{-1} B^T.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def least_squares(B, Y) -> np.ndarray:  # noqa: N803
    B, Y = np.asarray(B, dtype=float), np.asarray(Y, dtype=float)
    k = B.shape[1]
    return np.linalg.solve(B[:k], Y[:k])  # the bug: only the first k rows


impl = SimpleNamespace(least_squares=least_squares)
