"""Domains as data: for each claim, every quantified variable or object of the printed statement,
its stated domain, and the domain its check actually searches.

A verdict reached on less than the stated domain says so: ``restricted(claim_id)`` is True when
some variable is searched on less than it ranges over (the report marks the claim "holds on the
searched domain", and its JSON carries this table). ``{name}`` in a searched domain is the
profile's size of that name (``recmech.properties.judging.profiles``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from recmech.properties.judging.profiles import Budget

__all__ = ["DOMAINS", "Variable", "domain_table", "restricted"]


@dataclass(frozen=True, kw_only=True)
class Variable:
    """One quantified variable: its stated domain, the searched one, and whether the search
    covers the statement's domain (exactly or by an argument the check records)."""

    name: str
    stated: str
    searched: str
    complete: bool

    def resolved(self, budget: Budget | None) -> dict:
        searched = self.searched
        if budget is not None:
            sizes = {k.replace(".", "_"): v for k, v in budget.sizes.items()}
            searched = re.sub(r"\{([a-z0-9_]+)\}",
                              lambda m: str(sizes.get(m.group(1), m.group(0))), searched)
        return {"variable": self.name, "stated": self.stated, "searched": searched,
                "complete": self.complete}


def _v(name: str, stated: str, searched: str, complete: bool = False) -> Variable:
    return Variable(name=name, stated=stated, searched=searched, complete=complete)


_PROTOCOL = (
    _v("eps", "eps > 0", "1e-3, 0.01, 0.05, 0.1 (and 0.01 for the all-real family)"),
    _v("z", "R^k as printed; [0, 1]^k under the latent-cube reading",
       "[0, 1]^k (uniform, and (1/2, ..., 1/2)); the all-real reading adds z = 10 (1, ..., 1) "
       "and -9 (1, ..., 1)"),
    _v("t", "every t with ||t - A z||_inf <= eps",
       "the worst vertex of the eps-box for the queried items (the exact maximiser of the "
       "least-squares error)", True),
)

_THEOREM1 = (
        _v("D", "every law eps1-close to A o D_hat_z", "the 'shift' corruption (eps1 sweep) and "
           "the 'move' corruption at eps1 = 0.01; one additive bidder, N = 2, k = 1"),
        _v("eps1", "eps1 > 0", "{mechanism_eps1_points} points in [0.002, 0.05]"),
        _v("Q", "any (eps1, eps)-query protocol with eps >= eps1", "Q(t) = t_0 (separable, "
           "noiseless limit)"),
)

DOMAINS: Mapping[str, tuple[Variable, ...]] = MappingProxyType({
    "definition3": (
        _v("A", "any N x k design", "separable, diagonally dominant, Gaussian, weakly "
           "dependent and pivoted Gaussian designs, k <= 3, N < 300 (weak: 300 k^2)"),
        _v("eta", "oracle answer noise >= 0", "eta in {eps, 0.1 eps}; oracle noise in "
           "{0, eps/2, eps}, pushing the worst way"),
        *_PROTOCOL),
    "lemma1": (
        _v("F, F_hat", "laws on R^n", "finitely supported laws on a 1/8-grid of [0, 1]^2, "
           "1 to 4 atoms each, with tied distances ({lemma1_trials} pairs)"),
        _v("eps", "eps >= 0", "every eps where d_P changes (exact max-flow search)", True),),
    "lemma2": (
        _v("F", "every law within eps of F_hat in l_inf-Prokhorov", "F_hat shifted down by eps "
           "(d_P = eps), unit demand, one bidder, k = 1, 4 atoms"),
        _v("eps", "eps > 0", "{lemma2_eps_points} points in [0.002, 0.08]"),
        _v("misreports", "every latent report", "the exact breakpoint grid of recmech.core."
           "measure (the maximum is attained there)", True),),
    "theorem1": _THEOREM1,
    "theorem2.noisy_value": (
        _v("(||A||_inf, eps, eta)", "positive reals", "6 points (extended grid in the thorough "
           "profile: {theorem2_noisy_value_extended_grid}), including eps >= ||A||_inf"),
        _v("t_j", "within eps of e_j^T A z", "both ends of [lo - eps, hi + eps] and an inner "
           "point; the all-real reading adds ||A||_inf + eps + 10", True),
        _v("oracle", "truthful or eta-noisy answers", "truthful, and eta/2-noise pushed up or "
           "down", True),),
    "theorem2.deterministic": (
        _v("C", "k x k, diagonally dominant by rows and by columns, any sign",
           "C = [[-1]], then {theorem2_deterministic_trials} random blocks with k <= 4, "
           "diagonals +-1 (all negative on even trials), margins >= 1/2"),
        *_PROTOCOL),
    "theorem2.gaussian": (
        _v("Sigma", "any covariance with Tr(Sigma_S)/rho(Sigma_S) > 64k",
           "Sigma_S = I at the smallest admissible |S| = 64k + 1 (the largest stated failure "
           "probability), k = {theorem2_gaussian_k}"),
        _v("A", "archetypes iid N(0, Sigma)", "{theorem2_gaussian_trials} draws (Clopper-"
           "Pearson)", True),),
    "theorem2.weak_dependence": (
        _v("theta", "coordinates in [-c, c], mean 0, ||INF(theta_S)|| < 1",
           "independent +-1 coordinates (c = 1, INF = 0) at |S| = 256 k^2 + 1, k = "
           "{theorem2_weak_dependence_k}; the positive-probability reading adds the repetition "
           "law at k = 2"),
        _v("A", "archetypes iid copies of theta", "{theorem2_weak_dependence_trials} draws "
           "(Clopper-Pearson)", True),),
    "remark4": (
        _v("k", "k >= 1", "1 to {remark4_k_max}"),
        _v("hypothesis edges", "every admissible Sigma_S and (c, INF, |S|, v)",
           "the exponents at the (excluded) edges of both hypotheses, exact rationals (the "
           "exponents are monotone in the ratio the hypothesis bounds)", True),),
    "proposition1.separable": (
        _v("k, eps1", "k >= 1, eps1 > 0", "k in {1, 3, 6}, eps1 in {1e-4, 1e-3, 1e-2, 0.1}"),
        _v("H", "any (N - k) x k block", "convex combinations of the archetypes, N = 200"),),
    "proposition1.gaussian": (
        _v("k, kappa, scale", "k >= 1, kappa >= 1, any Sigma",
           "k in {proposition1_gaussian_ks}, kappa in {proposition1_gaussian_kappas}, scale in "
           "{proposition1_gaussian_scales}, Sigma diagonal"),),
    "proposition1.weak_dependence": (
        _v("k, a", "k >= 1, 0 < a <= c", "k in {proposition1_weak_dependence_ks}, a in "
           "{proposition1_weak_dependence_alphas}, c = 1, independent three-point coordinates; "
           "the positive-probability reading adds the repetition law at k = 2"),),
    "proposition1.mechanism": (
        _v("setting", "settings (1)-(3) of Prop. 1", "setting (1), separable, f = 4 eps1; "
           "settings (2), (3) enter through f(eps1) (their own claims)"),
        *_THEOREM1),
    "lemma3": (
        _v("U", "n x n, diagonally dominant by rows and/or columns, any n, any signs",
           "n <= {lemma3_n_max}, relative margins down to 1e-8, entries scaled 1e-3..1e3, "
           "mixed signs, densities 0..1, heavy rows; diagonal matrices spread 1e-6..1e6"),),
    "lemma4": (
        _v("D, n", "any diagonal D >= 0, n >= 1", "n = 1 exact: D = I_m (m <= 5000) and "
           "searched weights in [0.3, 1]^m, 40 <= m <= 150; n >= 2 Monte Carlo at 3 points "
           "({lemma4_samples} draws each)"),),
    "lemma5": (
        _v("X", "coordinates in [-c, c], mean 0, ||INF|| < 1",
           "iid Rademacher (exact, m = 600), two weakly dependent block laws of product support "
           "(Monte Carlo, {lemma5_samples} draws); the positive-probability reading adds the "
           "repetition law (m = 557)"),
        _v("n", "n >= 1", "n = 2"),),
    "lemma6": (
        _v("M", "any m x n matrix", "m <= 8, n in {2, 3}, singular values spread over up to "
           "12 decades, scaled 1e-3..1e3"),
        _v("eps", "0 < eps < 1", "eps = 1/7 (the value Lemmas 4-5 use)"),),
    "lemma7.lower_tail": (
        _v("D", "any diagonal D >= 0", "D = I_n for n <= {lemma7_iid_dense} and 40 points up "
           "to 10^4 (exact); unequal weights with n <= 40 (exact, searched)"),),
    "lemma7.upper_tail": (
        _v("D", "any diagonal D >= 0", "D = I_n for n <= {lemma7_iid_dense} and 40 points up "
           "to 10^4 (exact); unequal weights with n <= 23 (exact, searched)"),),
    "proposition3": (
        _v("x", "[0, 1/4] (and the domains of the three inner inequalities)",
           "all of them: interval arithmetic and exact polynomial identities", True),),
    "lemma8": (
        _v("X, n, x", "coordinates in [-c, c], mean 0, ||INF|| < 1; n >= 1; unit x",
           "symmetric laws on {-1, 1}^m of product support with m n <= 16, searched unit x; the "
           "positive-probability reading adds the repetition law (m = 23, n = 2)"),
        _v("t", "t > 0", "every jump point of the exact distribution (the sup is attained "
           "there)", True),),
    "lemma9": (
        _v("X", "any law with ||INF(X)|| < 1", "binary laws on {0, 1}^d, d <= 4 (product "
           "support; the positive-probability reading adds null atoms and the repetition "
           "law)"),
        _v("f", "bounded differences c_i", "weighted sums, max, parity"),
        _v("t", "t > 0", "every jump point of the exact distribution", True),),
})


def domain_table(claim_id: str, budget: Budget | None = None) -> list[dict]:
    """The variables of ``claim_id`` with their stated and searched domains (sizes filled in
    from ``budget``); an empty list for a claim without a table."""
    return [v.resolved(budget) for v in DOMAINS.get(claim_id, ())]


def restricted(claim_id: str) -> bool:
    """Whether the check of ``claim_id`` searches less than the statement's domain."""
    return any(not v.complete for v in DOMAINS.get(claim_id, ()))
