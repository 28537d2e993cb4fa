"""Lemma 7's upper tail computed with d_max = 1 whatever D is: exp(-Tr(D) / 4).

Right when the largest variance is 1 (every instance the claim check draws: D = I_n and weights
with max d = 1); for d_max > 1 the bound is too small, for d_max < 1 too large.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

from recmech.bounds import compute


def lemma7_upper_tail(**params):
    rec = compute("lemma7.upper_tail", **params)
    if not rec.valid:
        return rec
    log_p = -float(params["trace_d"]) / 4  # the bug: d_max dropped
    return dataclasses.replace(rec, values={**rec.values, "failure_prob": math.exp(log_p)},
                               log_values={**rec.log_values, "failure_prob": log_p})


impl = SimpleNamespace(bounds={"lemma7.upper_tail": lemma7_upper_tail})
