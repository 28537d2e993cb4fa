"""Lemma 4's smallest-singular-value bound as sqrt(Tr D) / 2 instead of sqrt(Tr D) / 4.

A lower bound twice as large as the lemma's: tighter than anything the proof (Lemma 6's net at
eps = 1/7 gives 1/4) supports.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

from recmech.bounds import compute as reference


def compute(claim_id, **params):
    rec = reference(claim_id, **params)
    if claim_id != "lemma4" or not rec.valid:
        return rec
    bound = math.sqrt(float(params["trace_d"])) / 2  # the bug: / 2, not / 4
    return dataclasses.replace(rec, values={**rec.values, "sigma_min_bound": bound})


impl = SimpleNamespace(compute=compute)
