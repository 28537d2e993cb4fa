"""Thm. 2's weak-dependence calculator, written out, with its strict hypothesis read as >=.

sum v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF||) is strict; at equality (|S| = 256 k^2, v_i^2 = c^2,
INF = 0: the smallest |S| with a whole threshold) this calculator returns a bound whose
hypothesis fails: a number that looks valid.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from recmech.bounds.exante import weak_exponent, weak_variance_threshold
from recmech.bounds.queries import printed_queries_per_value, sufficient_queries_per_value
from recmech.bounds.records import RecordBuilder


def theorem2_weak_dependence(variances, c, k, inf_norm, eps, A_inf, eta=None, N=None):  # noqa: N803
    var = np.asarray(variances, dtype=float)
    c, k, inf_v, eps, A_inf = float(c), int(k), float(inf_norm), float(eps), float(A_inf)
    eta = eps if eta is None else float(eta)
    size, total = var.size, float(var.sum())
    b = RecordBuilder("theorem2.weak_dependence", "Thm. 2, third bullet",
                      "delta = 64 sqrt(|S| k)/sqrt(sum v_i^2) eps",
                      {"variances": var, "c": c, "k": k, "inf_norm": inf_v, "eps": eps,
                       "A_inf": A_inf, "eta": eta})
    b.require("latent_dimension", "k >= 1", k >= 1)
    b.require("weak_dependence", "0 <= ||INF||_2 < 1", 0 <= inf_v < 1)
    b.require("bounded_coordinates", "0 <= v_i^2 <= c^2", c > 0 and 0 <= var.min() and
              var.max() <= c * c)
    need = weak_variance_threshold(c, k, size, inf_v) if inf_v < 1 else math.inf
    b.require("sufficient_variance", "sum v_i^2 >= threshold", total >= need)  # the bug: >=
    b.require("eps_positive", "eps > 0", eps > 0)
    b.require("eta_positive", "eta > 0", eta > 0)
    b.require("A_inf_positive", "A_inf > 0", A_inf > 0)
    if N is not None:
        b.require("items_cover_S", "N >= |S|", N >= size)
    if b.failed:
        return b.build()
    log_p = math.log(2.0) - weak_exponent(total, c, k, size, inf_v)
    _, per_item = printed_queries_per_value(A_inf, eta, eps)
    needed = sufficient_queries_per_value(A_inf, eta, eps)
    values = {"queries_per_item": per_item, "queries": size * per_item,
              "delta": 32 * math.sqrt(size * k / total) * (eps + eta),
              "failure_prob": math.exp(log_p) if log_p > -745 else 0.0, "size": size}
    if N is not None:
        values["naive_queries"] = N * per_item
    return b.build(values=values, log_values={"failure_prob": log_p},
                   corrected={"queries_per_item": needed, "queries": size * needed})


impl = SimpleNamespace(bounds={"theorem2.weak_dependence": theorem2_weak_dependence})
