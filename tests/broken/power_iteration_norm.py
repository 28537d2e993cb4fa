"""The spectral norm by a few power iterations on M^T M, started from the all-ones vector.

Converges quickly when the top singular vector is not orthogonal to the start; a matrix whose
top singular vector alternates in sign (orthogonal to the ones vector) is estimated from its
lower singular values, and nearly equal top singular values converge slowly.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def spectral_norm(M) -> float:  # noqa: N803
    M = np.asarray(M, dtype=float)
    x = np.ones(M.shape[1])
    for _ in range(20):  # the bug: a fixed, small number of steps from a fixed start
        y = M.T @ (M @ x)
        norm = np.linalg.norm(y)
        if norm == 0:
            return 0.0
        x = y / norm
    return float(np.linalg.norm(M @ x))


impl = SimpleNamespace(spectral_norm=spectral_norm)
