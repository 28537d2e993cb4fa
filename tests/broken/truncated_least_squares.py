"""Least squares with a cut-off on small singular values, ``lstsq(B, Y, rcond=1e-5)``.

Chosen "to be safe against noise": on the well-conditioned blocks every claim check draws it is
exact, but a block with kappa(B) > 1e5 loses the directions of its small singular values and
the answer is no longer the argmin (a fault that shows only on rare inputs).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def least_squares(B, Y) -> np.ndarray:  # noqa: N803
    return np.linalg.lstsq(np.asarray(B, dtype=float), np.asarray(Y, dtype=float),
                           rcond=1e-5)[0]  # the bug: singular values below 1e-5 sigma_max dropped


impl = SimpleNamespace(least_squares=least_squares)
