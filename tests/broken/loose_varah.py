"""Lemma 3's bound with a factor 2 to spare, 2/alpha and 2/beta (a conservative fault).

||U^{-1}||_inf <= 2/alpha is true whenever 1/alpha is, so no inequality can fail; the calculator
is simply looser than the paper (Varah's bound is tight for diagonal matrices).
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from recmech.bounds import compute


def lemma3(**params):
    rec = compute("lemma3", **params)
    if not rec.valid:
        return rec
    v = dict(rec.values)
    v["inv_inf_bound"], v["inv_t_inf_bound"] = 2 / v["alpha"], 2 / v["beta"]  # the bug: 2/...
    return dataclasses.replace(rec, values=v)


impl = SimpleNamespace(bounds={"lemma3": lemma3})
