"""Judgements of contract parts: each outside part against the reference on the same inputs.

Where the mathematics fixes a part's output (least squares, value queries up to the oracle's
resolution, the influence matrix, the spectral norm, every bound calculator, the optimal LP's
revenue, a robustified mechanism's outcome per grid offset), the guard runs the outside part and
the reference side by side and compares them with a tolerance derived from the input's
conditioning (each module states its formula); a bound calculator looser than the paper fails
as such ("tightness"); inputs are chosen to excite faults (ill-conditioned, rank-deficient,
asymmetric, extreme scales, every grid offset, parameters at the edge of each hypothesis), by
fixed lists and a hypothesis search targeted at the outside-vs-reference difference; where no
reference output exists, metamorphic relations (permuting, rescaling) judge a part against
itself. These judgements run in addition to the claim checks, as records with ids
``part.<part>`` (``part.compute.<claim id>`` and ``tight.<claim id>`` for calculators).

Importing this package registers every judgement module listed in ``PART_MODULES``.
"""

from __future__ import annotations

import importlib

__all__ = ["PART_MODULES"]

PART_MODULES = ("linalg", "queries", "mechanisms", "calculators")

for _name in PART_MODULES:
    importlib.import_module(f"{__name__}.{_name}")
