"""Lemma 9's bound with (1 - ||INF||)^2 in the exponent, as Lemma 5 has it (a conservative fault).

(1 - ||INF||)^2 <= 1 - ||INF||, so the bound is larger: true, but looser than Chatterjee's
inequality as the paper states it, whenever ||INF|| > 0.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np

from recmech.bounds import compute


def lemma9(**params):
    rec = compute("lemma9", **params)
    if not rec.valid:
        return rec
    inf_v = float(params.get("inf_norm", 0.0))
    t, c = float(params["t"]), np.atleast_1d(np.asarray(params["c"], dtype=float))
    log_p = math.log(2.0) - (1 - inf_v) ** 2 * t * t / float(np.sum(c * c))  # the bug: squared
    return dataclasses.replace(
        rec, values={"failure_prob": math.exp(min(log_p, 0.0)), "vacuous": int(log_p >= 0)},
        log_values={"failure_prob": log_p})


impl = SimpleNamespace(bounds={"lemma9": lemma9})
