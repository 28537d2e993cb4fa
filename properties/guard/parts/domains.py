"""The domain table of the part judgements: what each one searches, by part.

Each row names the part, the statement's domain (what the contract allows) and what the
judgement's fixed inputs and targeted search cover (``linalg``, ``queries``, ``mechanisms``,
``calculators``). ``domain_markdown()`` renders the README's table; ``tests/test_guard_trust.py``
checks the sizes and signs it states against the generators themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["PART_DOMAINS", "domain_markdown"]

PART_DOMAINS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "least_squares": (
        "B real l x k (l >= k or not), Y a vector or a matrix",
        "fixed: k = 1, square non-symmetric, non-normal, identity, kappa 1e4 to 1e10, clustered "
        "singular values, rank-deficient (repeated, zero column), nearly rank-deficient "
        "800 x 4 (sigma_min 1e-13), zero right-hand side, a 1e-150 block, Gaussian 2000 x 8, "
        "signed +-1 1025 x 4; search: k 1-5 (thorough 1-8), l - k in {0, 1, 2, 5, 12, 40, 200} "
        "(thorough also 1000, 2500, 4000), Gaussian / kappa up to 1e12 / clustered / "
        "triangular / signs / identity, scales 1e-6 to 1e6, consistent or not"),
    "spectral_norm": (
        "M real n x m",
        "fixed: 1 x 1 (both signs), zero, norm 1e-300, non-normal 3 x 3 and 60 x 60, "
        "asymmetric, symmetric, rank one orthogonal to ones, rectangular, scales 1e-6 and 1e6, "
        "near-tied top singular values, Gaussian 20, 50, 200, tall 300 x 40, clustered top "
        "singular values 100 x 100, kappa 1e12 80 x 80, nearly rank-deficient 120 x 120, signed "
        "+-1 150 x 150; search: n, m in 1-6 or {10, 20, 50, 100, 200}, Gaussian / non-negative / "
        "symmetric / nilpotent / alternating / kappa up to 1e12 / clustered, scales 1e-6 to 1e6"),
    "influence_matrix": (
        "a finite joint law on R^d",
        "fixed: asymmetric dependence (d = 2, three values), parity-tilted and directed chain "
        "(d = 3), product law, repetition law, masses 1e-9; search: d 2-4 on {0, 1}, {-1, 1}, "
        "{-1, 0, 1} grids, partial supports, skewed masses"),
    "value_queries": (
        "rows of A of either sign, t_j within eps of [lo_j, hi_j], any eps, eta > 0, oracle "
        "noise eta_o",
        "fixed: negative rows, values at both ends, ||A||_inf above the rows' norms, eps >= 1, "
        "0 and about 30 halvings, adversarial oracles (up, down, flip); search over the same"),
    "query_protocol": (
        "every setting: deterministic, gaussian, weak_dependence, pivoted",
        "C = [[-1]] and a negative-diagonal k = 3 block, then drawn designs of every family "
        "(k 1-3, N up to 200, 300 k^2 for weak dependence, eps 1e-3 to 0.1), z at vertices and "
        "inside, oracle noise 0 and eps / 2; the queried items' setting hypothesis; "
        "permuted, rescaled, dummy and duplicated items"),
    "robustify": (
        "M_hat, finite model laws, delta > 0",
        "Lemma 2's instance, two asymmetric bidders with mass near 0, k = 2, signed A with two "
        "bidders, then drawn instances (A of either sign on every other draw, unit-demand and "
        "additive bidders); every offset region, points moved by +-delta/3"),
    "latent_mechanism": (
        "A real N x k (either sign), valuations, finite latent laws",
        "the same instances as robustify; permuted bidders, a dummy item, units x2"),
    "compute": (
        "every claim id's stated parameter domain",
        "fixed points at each hypothesis' edge (equalities of strict inequalities, the errata's "
        "smallest counterexamples, d_max != 1, Sigma_S != I, negative diagonals, eps >= 1), "
        "then a search over the whole stated domain"),
})


def domain_markdown() -> str:
    """The README table: one row per part (its domain, what the judgement searches)."""
    head = "| part | stated domain | searched by its judgement |\n|---|---|---|\n"
    return head + "\n".join(f"| `{part}` | {domain} | {searched} |"
                            for part, (domain, searched) in PART_DOMAINS.items()) + "\n"
