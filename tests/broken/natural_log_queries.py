"""The noisy value query's printed count with natural logarithms instead of base 2.

ln x < log2 x, so the count is smaller than the paper's. The printed count is already an
erratum (too small for large eps), so the claim check expects it to fail and judges the
corrected count, which this calculator leaves alone: the claim check cannot see the change.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

from recmech.bounds import compute as reference


def compute(claim_id, **params):
    rec = reference(claim_id, **params)
    if claim_id != "theorem2.noisy_value" or not rec.valid:
        return rec
    stated = (math.log(params["A_inf"]) - math.log(params["eta"])
              - math.log(params["eps"]))  # the bug: natural logs
    return dataclasses.replace(rec, values={"queries_stated": stated,
                                            "queries": max(0, math.ceil(stated))})


impl = SimpleNamespace(compute=compute)
