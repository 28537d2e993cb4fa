"""Least squares through regularised normal equations, (B^T B + 1e-6 I)^{-1} B^T Y.

A common "stabilisation": harmless-looking, but the answer is no longer the argmin the contract
asks for (a relative bias of about 1e-6 / sigma_min^2). Every claim's inequality keeps holding
(the estimate only shrinks a little); the differential judgement ``part.least_squares`` sees it.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def least_squares(B, Y) -> np.ndarray:  # noqa: N803
    B, Y = np.asarray(B, dtype=float), np.asarray(Y, dtype=float)
    gram = B.T @ B + 1e-6 * np.eye(B.shape[1])  # the bug: a ridge term
    return np.linalg.solve(gram, B.T @ Y)


impl = SimpleNamespace(least_squares=least_squares)
