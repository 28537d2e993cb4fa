"""The spectral radius, max |eigenvalue|, in place of the spectral norm.

They agree on symmetric matrices (the influence matrices of exchangeable laws), so the claim
checks cannot tell; on asymmetric or non-normal matrices the radius is smaller (a nilpotent
matrix has radius 0).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def spectral_norm(M) -> float:  # noqa: N803
    M = np.asarray(M, dtype=float)
    if M.shape[0] != M.shape[1]:
        return float(np.linalg.norm(M, 2))
    return float(np.max(np.abs(np.linalg.eigvals(M))))  # the bug: radius, not norm


impl = SimpleNamespace(spectral_norm=spectral_norm)
