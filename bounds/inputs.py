"""The input gate of the calculators: well-formedness checks shared by every calculator.

A parameter that is not even well-formed (NaN, wrong shape, non-numeric, negative dimension)
raises ValueError naming it; whether it satisfies a claim's hypotheses is the calculator's
business and is recorded, not raised (unless ``strict``).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import mpmath
import numpy as np

__all__ = ["array", "inf_norm", "integer", "margins", "real", "square"]


def real(name: str, value: Any, *, allow_inf: bool = False) -> float:
    """A finite real number (bool is refused: ``True`` is not a tolerance)."""
    if isinstance(value, mpmath.mpf):
        value = float(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.integer,
                                                                      np.floating)):
        raise ValueError(f"{name} must be a real number; found {value!r}")
    out = float(value)
    if math.isnan(out) or (math.isinf(out) and not allow_inf):
        raise ValueError(f"{name} must be a finite real number; found {value!r}")
    return out


def integer(name: str, value: Any, *, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` (an integral float such as 1e6 is accepted)."""
    x = real(name, value)
    if x != int(x):
        raise ValueError(f"{name} must be a whole number; found {value!r}")
    if int(x) < minimum:
        raise ValueError(f"{name} must be >= {minimum} (a dimension or count); found {value!r}")
    return int(x)


def array(name: str, value: Any, *, ndim: int) -> np.ndarray:
    """A finite, non-empty float array with ``ndim`` dimensions."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array; found {value!r}") from None
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-dimensional array; found shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must be non-empty; found shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries; found NaN or inf")
    return arr


def square(name: str, value: Any) -> np.ndarray:
    """A finite square matrix."""
    arr = array(name, value, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be square; found shape {arr.shape}")
    return arr


def inf_norm(matrix: np.ndarray) -> float:
    """||M||_inf: the largest absolute row sum."""
    return float(np.abs(matrix).sum(axis=1).max())


def margins(matrix: np.ndarray) -> tuple[float, float]:
    """Row and column diagonal-dominance margins (alpha, beta) of Thm. 2, first bullet:
    alpha = min_i(|U_ii| - sum_{j!=i}|U_ij|), beta = min_j(|U_jj| - sum_{i!=j}|U_ij|)."""
    absu = np.abs(matrix)
    diag = np.diag(absu)
    alpha = float(np.min(2 * diag - absu.sum(axis=1)))
    beta = float(np.min(2 * diag - absu.sum(axis=0)))
    return alpha, beta
