"""The headline table of ``recmech table``: Theorem 2's three settings side by side.

For k in {2, 8, 32} and eps in {1e-2, 1e-3, 1e-4}, with ||A||_inf = 1 and eta = eps:
- deterministic: C = I_k (separability), success probability 1;
- gaussian: Sigma = I, |S| = 64k + 1 (the least |S| with Tr/rho > 64k) (claim: theorem2.gaussian);
- weak dependence: c = 1, all variances 1, ||INF|| = 0, |S| = 256k^2 + 1 (the least |S| with
  sum v_i^2 > 16 c^2 k sqrt|S|) (claim: theorem2.weak_dependence).
Columns: queries per bidder, the naive count for N = 10^6 items (N x per-item count), delta,
the natural log of the failure probability and the success probability.
"""

from __future__ import annotations

import math

import numpy as np

from recmech.bounds.exante import theorem2_gaussian, theorem2_weak_dependence
from recmech.bounds.inputs import text
from recmech.bounds.queries import theorem2_deterministic
from recmech.bounds.records import BoundRecord

__all__ = ["EPSILONS", "KS", "N_ITEMS", "headline_record", "headline_rows"]

KS = (2, 8, 32)
EPSILONS = (1e-2, 1e-3, 1e-4)
N_ITEMS = 10**6


def headline_record(setting: str, k: int, eps: float) -> BoundRecord:
    """The Theorem 2 record of one headline row."""
    text("setting", setting)
    if setting == "deterministic":
        return theorem2_deterministic(C=np.eye(k), A_inf=1.0, eps=eps, N=N_ITEMS)
    if setting == "gaussian":
        return theorem2_gaussian(Sigma_S=np.ones(64 * k + 1), k=k, eps=eps, A_inf=1.0,
                                 N=N_ITEMS)
    if setting == "weak_dependence":
        return theorem2_weak_dependence(variances=np.ones(256 * k * k + 1), c=1.0, k=k,
                                        inf_norm=0.0, eps=eps, A_inf=1.0, N=N_ITEMS)
    raise ValueError(f"setting must be deterministic, gaussian or weak_dependence; "
                     f"found {setting!r}")


def headline_rows() -> list[dict]:
    """One row per (setting, k, eps)."""
    rows = []
    for setting in ("deterministic", "gaussian", "weak_dependence"):
        for k in KS:
            for eps in EPSILONS:
                rec = headline_record(setting, k, eps)
                size = rec.values.get("size", k)
                log_fail = rec.log_values.get("failure_prob", -math.inf)
                rows.append({
                    "setting": setting, "k": k, "eps": eps, "queried_items": size,
                    "queries_per_bidder": rec.value("queries"),
                    "naive_queries_N1e6": rec.value("naive_queries"),
                    "delta": rec.value("delta"),
                    "log_failure_prob": "-inf" if log_fail == -math.inf else log_fail,
                    "success_prob": -math.expm1(log_fail) if log_fail > -math.inf else 1.0,
                })
    return rows
