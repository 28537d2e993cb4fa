"""The Frobenius norm in place of the spectral norm of INF(X) (a conservative fault).

||M||_F >= ||M||_2, so every weak-dependence bound computed with it is looser and every claim
keeps holding; the influence norm is no longer the one Definition 2 uses.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def spectral_norm(M) -> float:  # noqa: N803
    return float(np.linalg.norm(np.asarray(M, dtype=float)))  # the bug: 'fro', not 2


impl = SimpleNamespace(spectral_norm=spectral_norm)
