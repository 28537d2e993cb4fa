"""The optimal-mechanism LP with BIC rows only between neighbouring support points.

"Local incentive constraints suffice" holds for one-dimensional, single-crossing instances; in
general (two items, unit demand, two latent dimensions) a type gains by misreporting a distant
support point, and the LP's optimum is not BIC.
"""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace

from .independent_mechanisms import LinearProgram

impl = SimpleNamespace(latent_mechanism=partial(LinearProgram, bic="adjacent"))  # the bug
