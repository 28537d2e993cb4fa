"""bounds: one pure function per claim id of the claim register.

Each calculator takes keyword parameters (and ``strict``), checked by one input gate
(``recmech.bounds.inputs``), and returns a ``BoundRecord`` whose invariants are checked when it
is built (``recmech.bounds.records``); formulas are evaluated exactly or in log space
(``recmech.bounds.logspace``), norms of computed inverses carry certified rounding bounds
(``recmech.bounds.rounding``). ``compute(claim_id, **params)`` dispatches by claim id.
``recmech.bounds.chains`` checks the paper's derivations step by step;
``recmech.bounds.table`` prints bound tables (``recmech table``).
"""

from recmech.bounds.exante import remark4, theorem2_gaussian, theorem2_weak_dependence
from recmech.bounds.proposition1 import (
    proposition1_gaussian,
    proposition1_separable,
    proposition1_weak_dependence,
)
from recmech.bounds.queries import definition3, lemma3, theorem2_deterministic, theorem2_noisy_value
from recmech.bounds.records import BoundRecord, Hypothesis
from recmech.bounds.registry import CLAIM_IDS, REGISTRY, REQUIRED, claim_ids, compute, parameters
from recmech.bounds.robust import lemma1, lemma2, proposition1_mechanism, theorem1
from recmech.bounds.singular import (
    lemma4,
    lemma5,
    lemma6,
    lemma7_lower_tail,
    lemma7_upper_tail,
    lemma8,
    lemma9,
    proposition3,
)

__all__ = [
    "CLAIM_IDS", "REGISTRY", "REQUIRED", "BoundRecord", "Hypothesis", "claim_ids", "compute",
    "parameters",
    "definition3", "lemma1", "theorem1", "lemma2", "theorem2_noisy_value",
    "theorem2_deterministic", "theorem2_gaussian", "theorem2_weak_dependence", "remark4",
    "proposition1_separable", "proposition1_gaussian", "proposition1_weak_dependence",
    "proposition1_mechanism", "lemma3", "lemma4", "lemma5", "lemma6", "lemma7_lower_tail",
    "lemma7_upper_tail", "proposition3", "lemma8", "lemma9",
]
