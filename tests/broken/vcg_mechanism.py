"""VCG as the latent mechanism M_hat (a conservative fault: BIC and IR, but not optimal).

VCG is dominant-strategy truthful and ex-post IR, so every claim about M_tilde built around it
holds; but the contract's M_hat is the revenue-optimal mechanism for the model laws, and VCG's
revenue is below the optimum (with one bidder it is 0).
"""

from __future__ import annotations

from types import SimpleNamespace

from recmech.core.mechanisms import VCG


def latent_mechanism(A, valuations, laws):  # noqa: N803
    return VCG(A, valuations)  # the bug: welfare-optimal, not revenue-optimal


impl = SimpleNamespace(latent_mechanism=latent_mechanism)
