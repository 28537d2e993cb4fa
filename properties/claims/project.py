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
    _entry("project.marginal_influence",
           "recmech.core.selection.weak_dependence_items (its docstring until the inventory)",
           ("for every finite law of theta and every S, ||INF(theta_S)||_2 <= ||INF(theta)||_2 "
            "(INF(theta_S) of Def. 2 for the marginal law of theta_S)")),
    _entry("project.gamma_series",
           "recmech.bounds.logspace (chi2_log_sf, chi2_log_cdf and their series)",
           ("where scipy's float tails underflow, the series for log P(a, x) (x < a) and log "
            "Q(a, x) (x >= 2(a - 1), a > 200) with their stopping rules give log Pr[chi2_n <= "
            "x] and log Pr[chi2_n >= x] to 1e-9 relative (n up to 2 * 10^5)")),
    _entry("project.lipschitz_valuation",
           "recmech.core.valuations (module docstring; ``lipschitz``)",
           ("a constrained-additive valuation (Def. 5) has v(t, S) >= 0, is non-decreasing in t"
            " (t <= t' entrywise gives v(t, S) <= v(t', S)) and |v(t, S) - v(t', S)| <= L ||t -"
            " t'||_inf with L = its ``lipschitz`` = max |T| over I")),
    _entry("project.packing_floor",
           "recmech.core.certified (module docstring, packing_minimum, block_floor)",
           ("n_delta = ceil(1/(2 delta)) is the largest n with 2 delta (n - 1) < 1, so k log2 "
            "n_delta answers are needed; and every depth vector q meeting the certificate (*) "
            "<= delta has sum_j q_j >= (**), the block floor")),
    _entry("project.vcg_top_items",
           "recmech.core.batch.vcg_enumerated",
           ("for c-demand bidders, allocations among each bidder's top K = min(N, sum c_i) "
            "items reach the optimal welfare and every Clarke pivot: VCG's allocation value and"
            " payments equal the enumeration over all allocations, and each payment lies in [0,"
            " the bidder's value] (ex-post IR)")),
    _entry("project.myerson_dsic",
           "recmech.core.auctions (module docstring, myerson_auction)",
           ("with values between support points read as the support point below, the ironed "
            "virtual-value rule is monotone and its threshold payment makes it DSIC and IR: no "
            "bidder of any support type gains by any report of the grid, and truthful utility "
            "is >= 0")),
    _entry("project.payment_range",
           "recmech.core (every mechanism's payment_range; recmech.core.montecarlo)",
           ("for bids in the box [lo, hi]^k every payment p_i(b) of every mechanism lies in "
            "its stated payment_range(lo, hi)[i] (the range Monte Carlo's intervals use)")),
    _entry("project.probe_escape",
           "recmech.properties.subject.outside.read_pinv",
           ("the component of a uniform unit vector of R^l along a fixed direction has density "
            "at most sqrt(l / (2 pi)) (at 0, its mode), so |component| < 10^-4 / sqrt(l) has "
            "probability < sqrt(2/pi) 10^-4, and four independent probes all do with "
            "probability < 5e-17")),
    _entry("project.adaptive_protocol",
           "recmech.core.adaptive; protocol_for('adaptive', ...)",
           ("for every design family, k, eps, target and oracle noise eta_o <= eta: every run "
            "of the adaptive protocol ends with a certified delta at most its target (the "
            "paper's a-priori delta by default), the latent z stays in the run's certified box,"
            " and ||z - Q(t)||_inf is at most the run's certified delta, for types within eps "
            "of Az and answers pushed to the edge of what the oracle's noise allows; no run "
            "certifies less than the pool's slack floor (a lower bound for every protocol on "
            "those items); it reports exactly the price queries the oracle counts")),
)})
