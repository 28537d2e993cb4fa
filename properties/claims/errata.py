"""The errata register: claims of Cai-Daskalakis EC'22 found false as printed, with the exact
counterexample, the gap in the proof, a corrected statement and the check that verifies it
(``ERRATA``); and proof steps that fail under statements no check refutes (``PROOF_GAPS``).

An erratum may hold under some readings of an open definition only (``readings``, names from
``recmech.properties.claims.readings``; empty: under every reading). The claim table
(``recmech.properties.claims.table``) joins these with the claim register and the checks; it says
which verdict the report card expects of each claim under each reading. This register is the
single source of the README's errata table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from types import MappingProxyType

from recmech.bounds.records import jsonable
from recmech.properties.claims.verdict import VERDICTS

__all__ = ["ERRATA", "PROOF_GAPS", "Erratum", "errata_of", "proof_gaps_of"]


@dataclass(frozen=True, kw_only=True)
class Erratum:
    """One printed claim that fails, and how to repair it."""

    claim_id: str
    verdict: str
    summary: str
    counterexample: dict
    proof_gap: str
    corrected_statement: str
    corrected_check: str
    readings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from recmech.properties.claims.readings import READINGS

        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}; found {self.verdict!r}")
        unknown = [r for r in self.readings if r not in READINGS]
        if unknown:
            raise ValueError("readings must be names from recmech.properties.claims.readings; "
                             f"found {unknown}")

    def applies(self, readings: Mapping[str, str]) -> bool:
        """Whether the erratum holds under the reading assignment (open point -> reading)."""
        return not self.readings or any(r in readings.values() for r in self.readings)

    def to_dict(self) -> dict:
        return jsonable(asdict(self))


_NULL_EVENTS = (
    "Definition 2 takes conditionals of X_i given X_{-i}; they exist only on events of positive "
    "probability. Read that way, a law whose support is not a product set can have INF(X) = 0 "
    "with fully dependent coordinates (X_1 = X_2 = X_3), and Chatterjee's theorem (thesis, "
    "Thm. 4.3), which needs the conditionals at every point reached by changing one coordinate, "
    "does not apply."
)
_NULL_FIX = (
    "Assume the support of X is a product set (every conditional of Definition 2 is defined), "
    "or compute INF with TV = 1 for every pair whose conditioning event is null."
)

_IR_COUNTEREXAMPLE = {
    "N": 2, "k": 1, "A": [[1.0], [1.5]], "valuation": "additive, mu = 0",
    "model": "0.3 delta_0.5 + 0.7 delta_1.0", "protocol": "Q(t) = t_0, an (eps, eps)-protocol",
    "true_law": ("model shifted down by eps1 = 0.01, then mass 0.01 of the top type moved "
                 "to t = (1, 0)"),
    "prokhorov_distance": 0.01, "delta": 0.1,
    "truthful_expected_utility_of_t=(1,0)": -1.25, "IR_requires": ">= 0",
}

_ERRATA: dict[str, Erratum] = {
    "lemma7.upper_tail": Erratum(
        claim_id="lemma7.upper_tail",
        verdict="fails-as-stated",
        summary="Pr[||Vx||^2 >= 2 Tr(D)] <= exp(-Tr(D)/(4 d_max)) is false for D = I_n, n >= 24.",
        counterexample={
            "D": "I_24", "trace_d": 24, "d_max": 1, "event": "chi2_24 >= 48",
            "exact_prob": "0.00252412970681 (= e^-24 sum_{j<12} 24^j/j!)",
            "printed_bound": "0.00247875217667 (= e^-6)",
            "smallest_iid_n": 24,
            "non_iid_search": "no violation with fewer than 24 coordinates",
        },
        proof_gap=("The chain E exp(lambda(d g^2 - d)) <= sqrt(1 + 2 lambda d) <= exp(lambda d) "
                   "gives Pr[Q >= Tr + t] <= exp(-lambda (t - Tr)); the proof sets t = 2 Tr, "
                   "which bounds the event Q >= 3 Tr(D), not Q >= 2 Tr(D) (t = Tr gives 1)."),
        corrected_statement=("Pr[||Vx||^2 >= 2 Tr(D)] <= exp(-Tr(D)/(8 d_max)) (from "
                             "log E exp(a(g^2 - 1)) <= a^2/(1 - 2a), lambda = 1/(4 d_max)); "
                             "the printed exponent holds for the event ||Vx||^2 >= 3 Tr(D). "
                             "Lemma 4's union bound is unchanged: both tails are then "
                             "exp(-Tr/(8 d_max))."),
        corrected_check="recmech.properties.judging.checks.tails.check_lemma7_upper_tail_corrected",
    ),
    "lemma9": Erratum(
        claim_id="lemma9",
        verdict="fails-as-stated",
        summary="With INF(X) per Definition 2 on positive-probability events, Lemma 9 fails.",
        counterexample={
            "law": "X_1 = X_2 = X_3 uniform on {0, 1}", "inf": "0", "f": "x_1 + x_2 + x_3",
            "c": [1, 1, 1], "t": 1.5, "exact_prob": 1.0,
            "bound": "2 exp(-3/4) = 0.944733105482",
        },
        proof_gap=_NULL_EVENTS,
        corrected_statement=_NULL_FIX,
        corrected_check=("recmech.properties.judging.checks.weak.check_lemma9 "
                         "(product-support reading)"),
        readings=("positive-probability",),
    ),
    "lemma8": Erratum(
        claim_id="lemma8",
        verdict="fails-as-stated",
        summary="Through Lemma 9's gap: a repetition law has INF = 0 and no concentration.",
        counterexample={
            "law": "X = s (1,...,1) in {-1,1}^23", "n": 2, "x": "(1,1)/sqrt2", "v2": 23,
            "t": 22.99, "exact_prob": 1.0, "bound": "2 exp(-22.99^2/736) = 0.975331412670",
        },
        proof_gap=_NULL_EVENTS,
        corrected_statement=_NULL_FIX,
        corrected_check=("recmech.properties.judging.checks.weak.check_lemma8 "
                         "(product-support reading)"),
        readings=("positive-probability",),
    ),
    "lemma5": Erratum(
        claim_id="lemma5",
        verdict="fails-as-stated",
        summary="Through Lemma 9's gap: parallel columns (sigma_min = 0) with INF = 0.",
        counterexample={
            "law": "X = s (1,...,1) in {-1,1}^557", "n": 2, "sigma_min": 0.0,
            "v/4": "sqrt(557)/4 = 5.9002", "exact_prob": 1.0,
            "bound": "2 exp(-557/64 + 8) = 0.990071793852",
        },
        proof_gap=_NULL_EVENTS,
        corrected_statement=_NULL_FIX,
        corrected_check=("recmech.properties.judging.checks.weak.check_lemma5 "
                         "(product-support reading: iid exact and Monte Carlo hold)"),
        readings=("positive-probability",),
    ),
    "theorem2.noisy_value": Erratum(
        claim_id="theorem2.noisy_value",
        verdict="fails-as-stated",
        summary=("log||A||_inf + log(1/eta) + log(1/eps) price queries do not always simulate a "
                 "noisy value query within eta: too few when eps is large."),
        counterexample={
            "A_inf": 1.0, "eps": 1.0, "eta": 0.5, "t_j": -1.0,
            "printed_queries": "log2(1) + log2(2) + log2(1) = 1", "error_after_1_query": 0.75,
            "needed_queries": 2,
        },
        proof_gap=("The answer lies in an interval of length 2 (||A||_inf + eps) (types within "
                   "eps of Az, |e_j^T Az| <= ||A||_inf); bisection to width 2 eta needs "
                   "log2((||A||_inf + eps)/eta) halvings, which exceeds log2(||A||_inf/(eta eps)) "
                   "when eps is not small."),
        corrected_statement=("max(0, ceil(log2((||A||_inf + 2 eps) / (2 eta)))) queries "
                             "(the count the protocols check verifies)"),
        corrected_check="recmech.properties.judging.checks.protocols.check_theorem2_noisy_value",
    ),
    "theorem2.deterministic": Erratum(
        claim_id="theorem2.deterministic",
        verdict="fails-as-stated",
        summary=("delta = 4 max_j C_jj / (alpha beta) * eps is negative when the diagonal of C "
                 "is negative, which diagonal dominance allows."),
        counterexample={"C": [[-1.0]], "eps": 0.01, "printed_delta": -0.04,
                        "observed_error": 0.00796875, "corrected_delta": 0.04},
        proof_gap=("||C^T||_inf <= 2 max_j |C_jj| uses |C_jj|; the statement drops the absolute "
                   "value."),
        corrected_statement="delta = 4 max_j |C_jj| / (alpha beta) * eps",
        corrected_check="recmech.properties.judging.checks.protocols.check_theorem2_deterministic",
    ),
    "theorem1": Erratum(
        claim_id="theorem1",
        verdict="fails-as-stated",
        summary=("Algorithm 1 is not IR for the true N-dimensional types (Sec. 2.1 defines IR ex "
                 "post, for all types): a type whose queried items look like a model type but "
                 "whose value for an unqueried item is lower pays for value it does not have."),
        counterexample=_IR_COUNTEREXAMPLE,
        proof_gap=("The proof inherits IR from Lemma 2, which is IR for the latent valuation "
                   "v^A at the report Q(t); the true valuation v(t, .) can be far below "
                   "v^A(Q(t), .) on items Q never reads, which the eps1-probability bad event of "
                   "the coupling allows."),
        corrected_statement=("M is exactly IR w.r.t. the latent valuations v^A at Q(t) (every "
                             "profile, offset and resample); w.r.t. true types only on the good "
                             "event ||t - A z|| <= eps1 of the coupling, up to "
                             "L (eps1 + ||A||_inf eps)."),
        corrected_check=("recmech.properties.judging.checks.mechanisms (latent-report reading); "
                         "tests/test_mech_robust.py::"
                         "test_lemma2_mtilde_is_exactly_ir_on_every_profile_offset_and_resample"),
        readings=("true-types",),
    ),
}
_ERRATA["proposition1.mechanism"] = replace(
    _ERRATA["theorem1"], claim_id="proposition1.mechanism",
    summary="Prop. 1 inherits Thm. 1's IR claim: " + _ERRATA["theorem1"].summary)

_REPETITION = (
    "theta = s (1, ..., 1), s uniform on {-1, 1}: every coordinate in [-1, 1] with mean 0 and "
    "variance 1, and INF(theta) = 0 under the positive-probability reading")
_SINGULAR = (
    "Every archetype is s_l (1, ..., 1), so A (and every queried block B = QA) has rank 1: for "
    "k >= 2 two latent vectors of [0, 1]^k give the same prices (s_1 = s_2: z = (1, 0) and "
    "(0, 1); s_1 = -s_2: z = (1, 1) and (0, 0)), so no protocol tells them apart and the error "
    "is >= 1/2 for one of them, on every draw of A.")

_ALL_REAL = (
    "Read with z in R^k, as Definition 3 prints it, no protocol with finitely many price queries "
    "is an (eps, delta)-query protocol for any finite delta: q yes/no answers give Q(t) at most "
    "2^q values, while the z with ||t - Az||_inf <= eps range over an unbounded set. Thm. 2's "
    "proof bounds the search interval by |e_j^T A z| <= ||A||_inf, true only for z in [0, 1]^k.")
_ALL_REAL_FIX = "Definition 3 with z in [0, 1]^k (the latent support), as Thm. 2's proof uses."


def _all_real(claim_id: str, counterexample: dict) -> Erratum:
    return Erratum(
        claim_id=claim_id, verdict="fails-as-stated",
        summary=("With z ranging over R^k (Definition 3 as printed) no finite number of price "
                 "queries achieves any delta: the protocol's read-out is bounded, z is not."),
        counterexample=counterexample, proof_gap=_ALL_REAL, corrected_statement=_ALL_REAL_FIX,
        corrected_check=(f"recmech.properties.judging.checks.protocols ({claim_id}, "
                         "all-real reading)"),
        readings=("all-real",))


_FAR_Z = {"A": "I_1 (N = k = 1, separable)", "eps": 0.01, "eta": 0.01, "z": 10.0, "t": 10.0,
          "protocol_output": "1.0 (bisection over [-0.01, 1.01], clipped to [0, 1])",
          "error": 9.0, "delta": 0.04}

_MARGINAL = {
    "law": ("weights (2, 1, 9, 1, 2, 23, 10, 22) / 70 on {0, 1}^3, atoms in lexicographic "
            "order of (x_1, x_2, x_3); full support, so both readings of Definition 2 agree"),
    "S": "{1, 3}",
    "INF(theta)": [["0", "1/38", "11/24"], ["1/66", "0", "31/90"], ["47/80", "7/30", "0"]],
    "INF(theta_S)": [["0", "471/1081"], ["157/247", "0"]],
    "norm_whole": "0.633319 (< 285501/449981, exact: t^2 I - M^T M positive definite)",
    "norm_marginal": "157/247 = 0.635628",
    "smallest": ("d = 3 is the least dimension (a 1-marginal has INF = 0); no full-support law "
                 "on {0, 1}^3 with integer weights of total <= 22 violates it by more than "
                 "1e-12 (exhaustive, floats); total 70 is the least a search found"),
}

_SUPPLEMENT = (
    Erratum(
        claim_id="theorem2.weak_dependence", verdict="fails-as-stated",
        summary=("Under the positive-probability reading of Definition 2 the repetition law "
                 "meets every hypothesis, yet no protocol succeeds on any draw of A."),
        counterexample={"law": _REPETITION, "k": 2, "|S|": 1025, "c": 1, "sum_v2": 1025,
                        "hypothesis": "1025 > 16 * 1 * 2 * sqrt(1025) = 1024.5",
                        "stated_failure_prob": "2 exp(-1025/128) = 6.66e-4",
                        "actual_failure_prob": 1.0, "sigma_min(B)": 0.0},
        proof_gap=_SINGULAR + " Lemma 5, used for sigma_min(B), fails on this law (its erratum).",
        corrected_statement=("the product-support reading of Definition 2 (then the repetition "
                             "law has ||INF|| >= 1 and is outside the hypothesis)"),
        corrected_check=("recmech.properties.judging.checks.protocols."
                         "check_theorem2_weak_dependence (product-support reading)"),
        readings=("positive-probability",)),
    Erratum(
        claim_id="proposition1.weak_dependence", verdict="fails-as-stated",
        summary=("Through Thm. 2's weak-dependence erratum: with the repetition law (c = a = 1, "
                 "INF = 0 under the positive-probability reading) and k = 2, f(eps1) is infinite "
                 "on every draw of A."),
        counterexample={"law": _REPETITION, "k": 2, "c": 1, "a": 1, "|S|": 1025,
                        "stated_success_prob": "1 - 2 exp(-8)", "actual_success_prob": 0.0},
        proof_gap=_SINGULAR,
        corrected_statement="the product-support reading of Definition 2",
        corrected_check=("the proposition1.weak_dependence check "
                         "(recmech.properties.judging.checks.rates, product-support reading)"),
        readings=("positive-probability",)),
    Erratum(
        claim_id="project.marginal_influence", verdict="fails-as-stated",
        summary=("The item selection of Thm. 2's third bullet took the design's whole-vector "
                 "||INF(theta)||_2 for ||INF(theta_S)||_2; the marginal's norm can be larger."),
        counterexample=_MARGINAL,
        proof_gap=("The docstring argued that a principal submatrix of a non-negative matrix "
                   "has no larger spectral norm; true, but INF(theta_S) is the influence "
                   "matrix of the marginal law of theta_S, whose conditionals integrate out "
                   "the other coordinates, not the principal block of INF(theta). (Under the "
                   "positive-probability reading the repetition law X_1 = X_2 = X_3 has "
                   "INF = 0 and a 2-marginal of norm 1.)"),
        corrected_statement=("none for a general law: ||INF(theta_S)||_2 is computed from the "
                             "marginal law (independent coordinates: 0; a finite law: "
                             "Definition 2 on the marginal), or stated by the caller for S"),
        corrected_check=("recmech.properties.judging.checks.inventory.check_marginal_influence "
                         "(marginal_influence_norm against the exact marginal norm)")),
    *(_all_real(cid, _FAR_Z) for cid in (
        "definition3", "theorem2.noisy_value", "theorem2.deterministic", "theorem2.gaussian",
        "theorem2.weak_dependence", "proposition1.separable")),
)


def _group(entries) -> Mapping[str, tuple[Erratum, ...]]:
    out: dict[str, list[Erratum]] = {}
    for e in entries:
        out.setdefault(e.claim_id, []).append(e)
    return MappingProxyType({k: tuple(v) for k, v in out.items()})


ERRATA: Mapping[str, tuple[Erratum, ...]] = _group([*_ERRATA.values(), *_SUPPLEMENT])

# Proof steps that do not follow although no instance violates the statement: a check of the
# statement passes ("holds"), so these do not change the expected verdict; the report shows them.
_GAPS = {
    "theorem2.weak_dependence": Erratum(
        claim_id="theorem2.weak_dependence",
        verdict="proof-step-fails",
        summary=("The stated failure probability 2 exp(-(1 - I)(sum v^2)^2 / (64 c^4 k |S|)) "
                 "does not follow from Lemma 5, whose exponent has (1 - I)^2 and the + 4k."),
        counterexample={
            "k": 1, "c": 1, "inf_norm": 0.5, "S": 1089, "v_i^2": 1, "sum_v2": 1089,
            "hypothesis": "1089 > 16 * 1 * 1 * 33 / 0.5 = 1056",
            "lemma5_exponent": "0.25 * 1089^2 / (32 * 1089) - 4 = 4.5078125",
            "theorem2_exponent": "0.5 * 1089^2 / (64 * 1089) = 8.5078125",
            "lemma5_failure_bound": "2 exp(-4.5078125) = 0.02205",
            "stated_failure_bound": "2 exp(-8.5078125) = 0.000404",
        },
        proof_gap=("Proof of Thm. 2 (weakly dependent case) writes Lemma 5's probability as "
                   "2 exp(-(1 - I)(sum v^2)^2 / (64 c^4 k |S|)); with the hypothesis "
                   "sum v^2 > 16 c^2 k sqrt|S| / (1 - I), Lemma 5 gives the exponent "
                   "(1 - I)^2 X / 32 - 4k, X = (sum v^2)^2 / (c^4 k |S|); at the edge "
                   "X -> 256 k / (1 - I)^2 it is 4k, while the stated one is 4k / (1 - I)."),
        corrected_statement=("failure probability <= 2 exp(-(1 - I)^2 (sum v^2)^2 / "
                             "(32 c^4 k |S|) + 4k), which is <= 2 exp(-4k) under the stated "
                             "hypothesis, so Remark 4 and Prop. 1 (3) are unaffected."),
        corrected_check=("recmech.properties.judging.checks.tails.check_remark4 (edge "
                         "exponents, exact rationals)"),
    ),
}


def _gap(claim_id: str, summary: str, counterexample: dict, gap: str, fix: str,
         check: str) -> Erratum:
    return Erratum(claim_id=claim_id, verdict="proof-step-fails", summary=summary,
                   counterexample=counterexample, proof_gap=gap, corrected_statement=fix,
                   corrected_check=check)


_COUNT_GAP = (
    "The proof counts log||A||_inf + log(1/eta) + log(1/eps) price queries per item (the noisy "
    "value query, whose count is an erratum); bisection needs ceil(log2((||A||_inf + 2 eps) / "
    "(2 eta))). With eta = eps the printed total k (log2 ||A||_inf + 2 log2(1/eps)) is smaller "
    "when eps is not small. The existence claim is not refuted: a protocol with delta >= 1/2 "
    "needs no query at all, and below that the information bound k log2(1/(2 delta)) is met.")

_MORE_GAPS = (
    _gap("lemma4", "The proof's union bound uses the printed Lemma 7 upper tail, which is false.",
         {"lemma7_upper_tail": "see its erratum (D = I_24)",
          "printed_proof_event": "||Vx||^2 >= 3 Tr D with exp(-Tr/(4 d_max))",
          "constant_from_3Tr": "sqrt(3) / (1 - 1/7) = 2.0207 > 2"},
         "Lemma 4's constant 2 needs Pr[||Vx||^2 >= 2 Tr D] small; what the printed Chernoff "
         "step shows is the 3 Tr D event, which gives sigma_max <= 2.02 sqrt(Tr D).",
         "with the corrected tail exp(-Tr/(8 d_max)) both tails are exp(-Tr/(8 d_max)) and the "
         "union bound 2 exp(-Tr/(8 d_max) + n ln 21) <= 2 exp(-Tr/(8 d_max) + 4n) gives Lemma 4 "
         "as stated",
         "the lemma4 check (recmech.properties.judging.checks.tails); recmech.bounds.chains"),
    *(_gap(cid, "The proof's query count is the noisy-value count, too small for large eps.",
           {"A_inf": 1.0, "eps": 1.0, "eta": 1.0, "printed_per_item": 0, "bisection_per_item": 1},
           _COUNT_GAP, "per item ceil(log2((||A||_inf + 2 eps) / (2 eta))) queries",
           "recmech.bounds (corrected queries of the record)")
      for cid in ("theorem2.deterministic", "theorem2.gaussian", "theorem2.weak_dependence")),
    _gap("proposition1.gaussian",
         "|S| = 64 kappa k sits on the edge of Thm. 2's strict hypothesis, and f(eps1) can fall "
         "below eps1, where Thm. 1 does not apply.",
         {"edge": "kappa(Sigma) = 1, Sigma_S = s I: Tr/rho = |S| = 64k, Thm. 2 needs > 64k",
          "f_below_eps1": "64 sqrt(|S| k / Tr Sigma_S) eps1 < eps1 iff Tr Sigma_S > 4096 |S| k"},
         "Prop. 1's proof applies Thm. 2 at |S| = 64 kappa k (strict > 64k fails when kappa = 1) "
         "and Thm. 1 with eps = f(eps1), which needs eps >= eps1.",
         "|S| = 64 kappa k + 1 when kappa = 1; f(eps1) = max(64 sqrt(|S| k / Tr) eps1, eps1)",
         "recmech.bounds.proposition1 (corrected size and f_theorem2)"),
    _gap("proposition1.weak_dependence",
         "|S| = 256 c^4 k^2 / (a^4 (1 - ||INF||)^2) sits on the edge of Thm. 2's strict "
         "hypothesis when it is whole, and f(eps1) can fall below eps1.",
         {"edge": "c = a = 1, INF = 0, k = 1: |S| = 256, sum v_i^2 = 256 = 16 sqrt(256)",
          "f_below_eps1": "64 sqrt(k) / a eps1 < eps1 iff a > 64 sqrt(k)"},
         "Thm. 2 needs sum v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF||) (strict); Thm. 1 needs "
         "eps >= eps1.",
         "|S| = floor(256 c^4 k^2 / (a^4 (1 - ||INF||)^2)) + 1; f(eps1) = max(64 sqrt(k) / a "
         "eps1, eps1)",
         "recmech.bounds.proposition1 (corrected size and f_theorem2)"),
    _gap("proposition1.weak_dependence",
         "The proof applies Thm. 2 to theta_S with ||INF(theta)|| of the whole vector in place "
         "of ||INF(theta_S)||, which it does not bound.",
         {"law": _MARGINAL["law"], "S": _MARGINAL["S"], "norm_whole": _MARGINAL["norm_whole"],
          "norm_marginal": _MARGINAL["norm_marginal"],
          "blocks": ("theta = independent copies of this law (centred): INF(theta) is block "
                     "diagonal with norm 0.6333, INF(theta_S) for S = coordinates 1 and 3 of "
                     "every block has norm 157/247")},
         "Thm. 2 needs ||INF(theta_S)||_2 < 1 and sum_S v_i^2 > 16 c^2 k sqrt|S| / (1 - "
         "||INF(theta_S)||_2); Prop. 1 (3) assumes only ||INF(theta)||_2 < 1 and sizes S with "
         "it. A marginal's influence matrix is not a principal block of INF(theta) "
         "(project.marginal_influence), so Thm. 2's hypothesis at that |S| does not follow; "
         "the statement is not refuted (on this law the variances of S exceed a^2 enough).",
         "footnote 6's form: S with ||INF(theta_S)||_2 < 1 and |S| >= 256 c^4 k^2 / (a^4 (1 - "
         "||INF(theta_S)||_2)^2) (e.g. independent coordinates: every marginal has INF = 0)",
         "recmech.core.selection.marginal_influence_norm; the project.marginal_influence check"),
    _gap("proposition1.mechanism",
         "The revenue loss drops Thm. 1's m L eps1 term.",
         {"m": 1, "L": 1, "A_inf": 1e-3, "f_eps1": 4e-3, "eps1": 1e-3,
          "dropped_term": "m L eps1 = 1e-3",
          "kept_terms": "||A|| L m^2 f + ||A|| L m^1.5 f^0.5 = 6.7e-5"},
         "Thm. 1 gives revenue loss O(m kappa) with kappa including L eps1; Prop. 1 keeps only "
         "the ||A||_inf terms, which are smaller when ||A||_inf is small.",
         "revenue loss O(m L eps1 + ||A||_inf L m^2 f(eps1) + ||A||_inf L m^{3/2} f(eps1)^{1/2})",
         "recmech.bounds.robust.proposition1_mechanism (corrected revenue_loss_theorem1)"),
)

PROOF_GAPS: Mapping[str, tuple[Erratum, ...]] = _group([*_GAPS.values(), *_MORE_GAPS])


def errata_of(claim_id: str) -> tuple[Erratum, ...]:
    """Every erratum of ``claim_id`` (under any reading)."""
    return ERRATA.get(claim_id, ())


def proof_gaps_of(claim_id: str) -> tuple[Erratum, ...]:
    """Every proof step of ``claim_id`` that does not follow (the statement is not refuted)."""
    return PROOF_GAPS.get(claim_id, ())

