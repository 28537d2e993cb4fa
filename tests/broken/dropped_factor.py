"""A single bound calculator, for Lemma 7's lower tail, that drops the factor 1/8 of the exponent.

It returns exp(-Tr D / d_max) instead of exp(-Tr D / (8 d_max)): far below the exact tail, so
``lemma7.lower_tail`` fails. It provides nothing else, so every other claim is skipped.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

from recmech.bounds import compute
from recmech.bounds.records import BoundRecord


def lemma7_lower_tail(**params) -> BoundRecord:
    rec = compute("lemma7.lower_tail", **params)
    if not rec.valid:
        return rec
    log_p = -float(params["trace_d"]) / float(params["d_max"])  # the bug: should be / (8 d_max)
    return dataclasses.replace(rec, values={**rec.values, "failure_prob": math.exp(log_p)},
                               log_values={**rec.log_values, "failure_prob": log_p})


impl = SimpleNamespace(bounds={"lemma7.lower_tail": lemma7_lower_tail})
