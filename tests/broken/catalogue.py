"""The guard's fault catalogue, as data: every implementation in ``tests/broken`` and what must
catch it (``tests/test_guard_catalogue.py`` requires it; the README's table is generated from it).

Each faulty entry names its module (exposing ``impl``), the contract part it breaks, the fault
in words, its kind ("plain"; "conservative": every stated inequality still holds, the part is
looser than the paper; "rare input": only inputs the claim checks seldom or never draw show it),
the ids that must fail (``caught_by``: claim ids and part judgements) and the ids that must
still pass (``untouched``: claims it must not disturb). Ids in ``HEAVY`` (the Monte Carlo claims
that read thousands of pseudo-inverses) are required only under the thorough profile, to keep
the default run lean. ``CORRECT`` lists the implementations written independently of the
reference that must pass every check they take part in.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOGUE", "CORRECT", "HEAVY", "Correct", "Entry", "markdown"]

HEAVY = frozenset({"theorem2.gaussian", "theorem2.weak_dependence", "proposition1.gaussian",
                   "proposition1.weak_dependence"})


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One faulty implementation and what must catch it."""

    module: str
    part: str
    fault: str
    kind: str
    caught_by: tuple[str, ...]
    untouched: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("plain", "conservative", "rare input"):
            raise ValueError(f"kind must be plain, conservative or rare input; found {self.kind}")
        if set(self.caught_by) & set(self.untouched):
            raise ValueError(f"{self.module}: an id cannot be both caught and untouched")

    def to_dict(self) -> dict:
        return {"module": self.module, "part": self.part, "fault": self.fault,
                "kind": self.kind, "caught_by": list(self.caught_by),
                "untouched": list(self.untouched)}


@dataclass(frozen=True, kw_only=True)
class Correct:
    """A correct implementation written independently of the reference."""

    module: str
    parts: tuple[str, ...]
    note: str

    def to_dict(self) -> dict:
        return {"module": self.module, "parts": list(self.parts), "note": self.note}


def _e(module: str, part: str, kind: str, fault: str, caught_by: tuple,
       untouched: tuple = ()) -> Entry:
    return Entry(module=module, part=part, kind=kind, fault=fault, caught_by=caught_by,
                 untouched=untouched)


CATALOGUE: tuple[Entry, ...] = (
    # least squares
    _e("transposed_least_squares", "least_squares", "plain",
       "solves with R^T instead of R after the QR factorisation",
       ("definition3", "theorem2.deterministic", "part.least_squares"),
       ("proposition1.separable", "theorem2.noisy_value")),
    _e("ridge_least_squares", "least_squares", "plain",
       "ridge term 1e-6 I in the normal equations",
       ("part.least_squares",),
       ("theorem2.deterministic", "proposition1.separable", "theorem2.gaussian")),
    _e("square_least_squares", "least_squares", "plain",
       "solves the square system of the first k rows only",
       ("definition3", "part.least_squares", "theorem2.gaussian"),
       ("proposition1.separable", "theorem2.weak_dependence")),
    _e("truncated_least_squares", "least_squares", "rare input",
       "cuts singular values below 1e-5 sigma_max (rcond=1e-5): wrong only for kappa > 1e5",
       ("part.least_squares",), ("theorem2.deterministic", "proposition1.separable")),
    _e("clipped_least_squares", "least_squares", "plain",
       "returns the estimate clipped to [0, 1]^k instead of the raw argmin",
       ("part.least_squares",), ("proposition1.separable", "theorem2.weak_dependence")),
    # spectral norm
    _e("frobenius_norm", "spectral_norm", "conservative",
       "Frobenius norm in place of ||.||_2 (never smaller)",
       ("part.spectral_norm",), ("lemma8", "lemma9")),
    _e("spectral_radius_norm", "spectral_norm", "rare input",
       "spectral radius in place of ||.||_2: equal for symmetric matrices only",
       ("part.spectral_norm",), ("lemma8", "lemma9")),
    _e("power_iteration_norm", "spectral_norm", "rare input",
       "20 power iterations from the ones vector: wrong when the top singular vector is "
       "orthogonal to it or the top two nearly tie",
       ("part.spectral_norm",), ("lemma8",)),
    # influence matrix
    _e("transposed_influence", "influence_matrix", "rare input",
       "entry (i, j) holds the influence of X_i on X_j: equal for symmetric dependence only",
       ("part.influence_matrix",), ("lemma8", "lemma9")),
    _e("total_variation_doubled", "influence_matrix", "conservative",
       "total variation without its factor 1/2 (every influence doubled)",
       ("part.influence_matrix",), ("lemma8", "lemma9")),
    _e("pairwise_influence", "influence_matrix", "rare input",
       "conditions on X_j alone, not on x_{-i-j}: equal for d = 2 only",
       ("part.influence_matrix",), ("lemma8",)),
    # value queries
    _e("off_by_one_search", "value_queries", "plain", "one halving too few",
       ("definition3", "theorem2.noisy_value", "part.value_queries"),
       ("theorem2.deterministic", "proposition1.separable")),
    _e("positive_center_search", "value_queries", "rare input",
       "centres the search at ||A_j||_1 / 2: wrong for rows with negative entries",
       ("definition3", "theorem2.deterministic", "part.value_queries"),
       ("theorem2.noisy_value", "proposition1.separable")),
    _e("extra_halving_search", "value_queries", "conservative",
       "one halving more than needed (more price queries than the paper)",
       ("theorem2.noisy_value", "part.value_queries"),
       ("theorem2.deterministic", "proposition1.separable")),
    _e("low_end_search", "value_queries", "plain",
       "returns the lower end of the final interval, not its midpoint",
       ("definition3", "theorem2.noisy_value", "part.value_queries"),
       ("proposition1.separable",)),
    _e("no_margin_search", "value_queries", "rare input",
       "searches [lo_j, hi_j] without the eps margins: wrong for values near the ends",
       ("theorem2.noisy_value", "part.value_queries"),
       ("theorem2.deterministic", "proposition1.separable")),
    # query protocols
    _e("naive_protocol", "query_protocol", "conservative",
       "queries every item of the design (N bisections)",
       ("proposition1.separable", "part.query_protocol"), ("theorem2.deterministic",)),
    _e("unpermuted_protocol", "query_protocol", "plain",
       "deterministic setting: queries items 0..k-1, forgetting the permutation Pi",
       ("theorem2.deterministic", "proposition1.separable", "part.query_protocol"),
       ("definition3",)),
    _e("fixed_eta_protocol", "query_protocol", "rare input",
       "ignores the eta it is given (searches to eta = eps): wrong when eta < eps",
       ("definition3", "part.query_protocol"),
       ("theorem2.deterministic", "proposition1.separable")),
    # adaptive protocols
    _e("early_adaptive", "adaptive_protocol", "plain",
       "certifies twice the delta it is asked for (and reports so)",
       ("project.adaptive_protocol",)),
    _e("deaf_adaptive", "adaptive_protocol", "rare input",
       "ignores the oracle noise eta it is told about: wrong only for a noisy oracle",
       ("project.adaptive_protocol",)),
    # robustify
    _e("no_resampling", "robustify", "plain",
       "rounds bids to the grid but skips the resampling",
       ("lemma2", "theorem1", "proposition1.mechanism", "part.robustify"), ("lemma1",)),
    _e("double_rebate", "robustify", "conservative",
       "IR rebate twice the one needed (revenue given away)",
       ("part.robustify",), ("lemma2", "theorem1", "proposition1.mechanism")),
    _e("truncated_cells", "robustify", "rare input",
       "cell index by truncation toward 0, not floor: wrong for bids below the grid offset",
       ("part.robustify",), ("lemma2", "theorem1", "proposition1.mechanism")),
    _e("shifted_grid", "robustify", "plain",
       "cells floor((b + r) / delta): the offset added, not subtracted",
       ("lemma2", "theorem1", "part.robustify"), ("proposition1.mechanism",)),
    _e("fixed_grid", "robustify", "plain",
       "never draws the grid: the expected outcome is the one at offset 0",
       ("part.robustify",), ("lemma2", "theorem1", "proposition1.mechanism")),
    # latent mechanism
    _e("vcg_mechanism", "latent_mechanism", "conservative",
       "VCG in place of the revenue-optimal M_hat (BIC and IR, revenue below the optimum)",
       ("theorem1", "proposition1.mechanism", "part.latent_mechanism"), ("lemma2",)),
    _e("interim_ir_mechanism", "latent_mechanism", "rare input",
       "optimal LP with interim IR rows instead of ex-post IR: wrong with two bidders only",
       ("part.latent_mechanism",), ("lemma2", "theorem1", "proposition1.mechanism")),
    _e("adjacent_bic_mechanism", "latent_mechanism", "rare input",
       "optimal LP with BIC rows between neighbouring support points only",
       ("part.latent_mechanism",), ("lemma2", "theorem1", "proposition1.mechanism")),
    # bound calculators
    _e("dropped_factor", "bounds", "plain",
       "Lemma 7's lower tail without the 1/8 in the exponent (too small; its own record "
       "refuses it where the bound falls below the exact tail it carries)",
       ("lemma7.lower_tail", "part.compute.lemma7.lower_tail", "tight.lemma7.lower_tail")),
    _e("loose_varah", "bounds", "conservative", "Lemma 3 as 2/alpha and 2/beta",
       ("lemma3", "part.compute.lemma3", "tight.lemma3")),
    _e("natural_log_queries", "compute", "plain",
       "noisy value query count with natural logs: hidden from the claim check by the erratum",
       ("part.compute.theorem2.noisy_value",),
       ("theorem2.noisy_value", "tight.theorem2.noisy_value")),
    _e("unit_dmax_tail", "bounds", "rare input",
       "Lemma 7's upper tail with d_max taken as 1: wrong when d_max != 1",
       ("part.compute.lemma7.upper_tail", "tight.lemma7.upper_tail"), ("lemma7.upper_tail",)),
    _e("identity_sigma_gaussian", "bounds", "rare input",
       "Thm. 2's Gaussian failure probability with rho(Sigma_S) = 1: wrong when Sigma_S != I",
       ("part.compute.theorem2.gaussian",), ("tight.theorem2.gaussian",)),
    _e("squared_influence_lemma9", "bounds", "conservative",
       "Lemma 9 with (1 - ||INF||)^2 in the exponent",
       ("part.compute.lemma9", "tight.lemma9"), ("lemma9",)),
    _e("half_sigma_min", "compute", "plain",
       "Lemma 4's sigma_min bound sqrt(Tr D)/2 instead of /4 (tighter than the lemma)",
       ("part.compute.lemma4",), ("tight.lemma4",)),
    _e("strict_edge_weak", "bounds", "rare input",
       "Thm. 2's weak-dependence hypothesis read as >= (a bound at the edge where it fails)",
       ("part.compute.theorem2.weak_dependence",), ("tight.theorem2.weak_dependence",)),
)

CORRECT: tuple[Correct, ...] = (
    Correct(module="independent_numeric",
            parts=("least_squares", "spectral_norm", "influence_matrix", "value_queries",
                   "bounds"),
            note="Householder QR, Gram eigenvalues, grouped conditionals, per-item bisection, "
                 "six calculators from the statements"),
    Correct(module="independent_mechanisms", parts=("latent_mechanism", "robustify"),
            note="dense revenue LP (HiGHS dual simplex); M_tilde with exact offset regions"),
    Correct(module="independent_adaptive", parts=("adaptive_protocol",),
            note="pivoted block, per-item bisection to the precision the target needs, "
                 "least squares; reports only z_hat"),
)


def markdown() -> str:
    """The README's catalogue table (``python -m tests.readme``)."""
    from recmech.properties.report.render import markdown_table

    rows = [[f"`{e.module}`", f"`{e.part}`", e.fault, e.kind,
             ", ".join(f"`{c}`" for c in e.caught_by)] for e in CATALOGUE]
    rows += [[f"`{c.module}`", ", ".join(f"`{p}`" for p in c.parts),
              f"correct, written independently: {c.note}", "correct", "nothing (no alarm)"]
             for c in CORRECT]
    return markdown_table(["module", "part", "fault", "kind", "caught under"], rows)
