"""Thm. 2's Gaussian failure probability with rho(Sigma_S) taken as 1: 2 exp(-Tr(Sigma_S) / 16).

Right for Sigma_S = I (the claim check's instance); for a covariance whose largest eigenvalue
exceeds 1 the stated probability is too small.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np

from recmech.bounds import compute


def theorem2_gaussian(**params):
    rec = compute("theorem2.gaussian", **params)
    if not rec.valid:
        return rec
    sigma = np.asarray(params["Sigma_S"], dtype=float)
    trace = float(sigma.sum()) if sigma.ndim == 1 else float(np.trace(sigma))
    log_p = math.log(2.0) - trace / 16  # the bug: / (16 rho) with rho = 1
    return dataclasses.replace(rec, values={**rec.values, "failure_prob": math.exp(log_p)},
                               log_values={**rec.log_values, "failure_prob": log_p})


impl = SimpleNamespace(bounds={"theorem2.gaussian": theorem2_gaussian})
