"""The project's own claims (``project.*``): facts recmech's code or docstrings assert that the
paper does not state, each with the place in the code that asserts it and its statement.

Data only: their checks live in ``recmech.properties.judging.checks`` (registered under the same
ids), and the claim table (``claims.table``) lists them after the paper's claims.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from recmech.bounds.registry import ClaimEntry

__all__ = ["PROJECT_CLAIMS"]


def _entry(claim_id: str, place: str, statement: str) -> ClaimEntry:
    return ClaimEntry(claim_id=claim_id, place=place, statement=statement)


PROJECT_CLAIMS: Mapping[str, ClaimEntry] = MappingProxyType({e.claim_id: e for e in (
    _entry("project.certified_delta",
           "recmech.bounds.queries.certified_delta; recmech.core.protocols",
           ("for B of full column rank, max over ||e||_inf <= eps of ||P e||_inf = ||P||_inf "
            "eps (P = (B^T B)^-1 B^T), attained at e = eps sign(P_r) for the row r of largest "
            "l1 norm")),
    _entry("project.noisy_value_count",
           "recmech.bounds.queries.sufficient_queries_per_value",
           ("q = max(0, ceil(log2((||A||_inf + 2 eps) / (2 eta)))) halvings bring every value "
            "of the search interval within eta, and q - 1 do not")),
    _entry("project.ruben_bracket",
           "recmech.properties.judging.exact.ruben_tail (_ruben_remainder)",
           ("the truncated Ruben series and its remainder bound a_0 (1 - rho)^-n/2 "
            "Pr[NegBin(n/2, 1 - rho) >= K] bracket Pr[sum d_i g_i^2 >= x] (and <= x)")),
    _entry("project.cube_net",
           "recmech.properties.judging.checks.linalg.cube_net",
           ("the projected cube grid is an eps-net of S^{n-1} with covering radius (h/2) sqrt(n"
            " - 1)")),
    _entry("project.measure_breakpoints",
           "recmech.core.measure (module docstring)",
           ("for M_tilde the sup over latent misreports of the interim gain is attained on the "
            "finite breakpoint grid, so robust_report's kappa is exact")),
    _entry("project.separable_norm",
           "recmech.core.design.separable",
           ("with the default H (rows convex combinations of the archetypes) ||A||_inf = 1 for "
            "every N")),
    _entry("project.interlacing_edge",
           "recmech.bounds.proposition1.proposition1_gaussian",
           ("for kappa(Sigma) > 1 every principal |S| x |S| block with |S| = ceil(64 kappa k) "
            "has Tr(Sigma_S)/rho(Sigma_S) > 64 k (only kappa = 1 sits on Thm. 2's edge)")),
    _entry("project.clopper_pearson_duality",
           "recmech.properties.judging.stats.power",
           ("lower(K) > p iff Pr_{Bin(n, p)}[X >= K] < alpha, and upper(K) <= p iff Pr_{Bin(n, "
            "p)}[X <= K] <= alpha")),
    _entry("project.search_interval",
           "recmech.core.queries.search_plan",
           ("for z in [0, 1]^k and |t_j - A_j z| <= eps, t_j lies in [c_j - R/2, c_j + R/2] "
            "with c_j the middle of [sum min(A_jl, 0), sum max(A_jl, 0)] and R = ||A||_inf + 2 "
            "eps")),
    _entry("project.chi2_closed_forms",
           "recmech.properties.judging.exact (log_chi2_upper_closed, log_chi2_lower_series)",
           ("log Pr[chi2_n >= x] by the finite Poisson/erfc sums and log Pr[chi2_n <= x] by the"
            " gamma series equal the regularised incomplete gamma functions (40-digit mpmath)")),
    _entry("project.certified_protocol",
           "recmech.core.certified; protocol_for('certified', ...)",
           ("for every design family, k, eps and target: the certified protocol's certificate "
            "is at most its target (the paper's a-priori delta by default), and for every type "
            "within eps of Az (z in [0, 1]^k) and every eta_o-noisy oracle its error ||z - "
            "Q(t)||_inf is at most certified_delta(eta_o); it asks exactly the price queries "
            "its plan counts")),
)})
