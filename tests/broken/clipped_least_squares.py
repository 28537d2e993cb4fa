"""Least squares that returns the estimate clipped to [0, 1]^k, as the protocol's z_hat is.

The contract asks for the raw argmin (the protocol clips afterwards): clipping inside the part
is invisible to the protocols, which clip anyway, but the part is no longer least squares.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def least_squares(B, Y) -> np.ndarray:  # noqa: N803
    z = np.linalg.lstsq(np.asarray(B, dtype=float), np.asarray(Y, dtype=float), rcond=None)[0]
    return np.clip(z, 0.0, 1.0)  # the bug: the part clips


impl = SimpleNamespace(least_squares=least_squares)
