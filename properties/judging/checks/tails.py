"""Checks of the Gaussian tail lemmas: Lemma 7 (both tails), Prop. 3, Lemma 4 and Remark 4.

Cai-Daskalakis EC'22, Sec. 4.1. For a fixed unit x, ||Vx||^2 ~ Q = sum_i d_i g_i^2 (proof of
Lemma 7), so every tail here is computed exactly (``recmech.properties.judging.exact``), never
sampled,
except Lemma 4 with n >= 2 columns, which is a Monte Carlo with exact Clopper-Pearson control
(claim: lemma4).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
from mpmath import iv

from recmech.bounds.edges import sign as edge_sign
from recmech.bounds.exante import gaussian_exponent, weak_exponent, weak_variance_threshold
from recmech.properties.claims.verdict import Corrected, Verdict
from recmech.properties.judging.certify import (
    Certificate,
    certify_inequality,
    certify_nonnegative,
    combine,
    poly_add,
    poly_mul,
    polynomial_identity,
)
from recmech.properties.judging.checks.pieces import (
    blocks,
    search_piece,
    search_result,
    search_specs,
)
from recmech.properties.judging.checks.registry import register_check, register_chunks
from recmech.properties.judging.exact import (
    chi2_log_cdf,
    chi2_log_sf,
    chi2_sf_poisson,
    log_add,
    ruben_tail,
)
from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.stats import DEFAULT_ALPHA, clopper_pearson, compare_probability
from recmech.properties.judging.strategies import SearchResult
from recmech.properties.judging.strategies.matrices import chi2_weights
from recmech.properties.subject.resolved import Subject

__all__ = ["certify_proposition3", "check_lemma7_upper_tail_corrected",
           "check_proposition3",
           "check_remark4", "iid_sizes", "lemma4_log_failure_n1", "lemma7_upper_counterexample",
           "stated_log_prob"]

LOG_SLACK_NOTE = "slack = log(bound) - log(exact probability) (natural logs; positive = room)"


def stated_log_prob(compute: Callable[..., Any], claim_id: str, **params: Any) -> float | None:
    """The natural log of the probability bound printed for ``claim_id`` (None: hypotheses
    fail): the record's ``log_failure_prob``."""
    rec = compute(claim_id, **params)
    if not rec.valid:
        return None
    return rec.log_failure_prob


def iid_sizes(budget: Budget) -> list[int]:
    """Dimensions n of the iid sweeps (D = I_n): every n up to the profile's dense limit, and 40
    geometric points up to 10^4."""
    dense = budget.size("lemma7.iid_dense")
    return sorted(set(range(1, dense + 1)) | {int(v) for v in np.geomspace(100, 10_000, 40)})


# -- Lemma 7 -------------------------------------------------------------------------------------
#
# Each Lemma 7 check is chunked (``register_chunks``): the exact iid sweep in blocks of n, the
# targeted search over unequal weights in pieces, and the structured candidates next to the
# equal-weight case; the upper tail also runs its corrected statement's chunks ("c-" parts).

def _lemma7_sweep(upper: bool, log_bound, sizes: list[int]) -> dict:
    """Exact iid sweep (d = 1^n) over ``sizes``: worst log-ratio and every violating n."""
    worst, worst_n, violating = math.inf, None, []
    for n in sizes:
        lp = chi2_log_sf(2.0 * n, n) if upper else chi2_log_cdf(n / 4.0, n)
        slack = log_bound(float(n), 1.0) - lp
        if slack < 0:
            violating.append(n)
        if slack < worst:
            worst, worst_n = slack, n
    return {"worst_slack": worst, "worst_n": worst_n, "violating": violating}


def _lemma7_score(upper: bool, log_bound) -> Callable[[np.ndarray], float]:
    def score(d: np.ndarray) -> float:
        tr = float(d.sum())
        b = ruben_tail(d, 2 * tr if upper else tr / 4, upper=upper, rel_width=1e-8)
        return b.log_hi - log_bound(tr, 1.0)
    return score


def _lemma7_structured(upper: bool, log_bound, budget: Budget, n_max: int) -> dict:
    """Structured candidates next to the equal-weight case (all ones but one coordinate
    lowered), where the targeted search alone rarely goes."""
    score = _lemma7_score(upper, log_bound)
    best, inst, tried = -math.inf, None, 0
    last = budget.size("lemma7.structured_last")
    sizes = range(2, n_max + 1) if last is None else range(max(1, n_max - last + 1), n_max + 1)
    for n in sizes:
        for low in (0.99, 0.9, 0.5, 0.1):
            d = np.ones(n)
            d[-1] = low
            s = score(d)
            tried += 1
            if s > best:
                best, inst = s, d
    return {"part": "structured", "score": best if math.isfinite(best) else None, "tried": tried,
            "instance": None if inst is None else inst.tolist()}


_N_MAX = {True: 23, False: 40}  # unequal-weight search dimensions, upper and lower tail


def _lemma7_plan(upper: bool, budget: Budget, prefix: str = "") -> list[dict]:
    sizes = iid_sizes(budget)
    return ([{"part": f"{prefix}sweep", "lo": lo, "hi": hi} for lo, hi in blocks(sizes, budget)]
            + search_specs(f"{prefix}search", budget.size("lemma7.search"), budget)
            + [{"part": f"{prefix}structured"}])


def _lemma7_run(upper: bool, log_bound, budget: Budget, spec: dict, prefix: str = "") -> dict:
    part = spec["part"].removeprefix(prefix)
    if part == "sweep":
        sizes = iid_sizes(budget)[spec["lo"]:spec["hi"]]
        out = _lemma7_sweep(upper, log_bound, sizes)
        # what the printed proof does show: Pr[Q >= 3 Tr] <= e^{-Tr/4} (claim: lemma7.upper_tail)
        if upper and prefix:
            out["three_trace_worst_slack"] = min(-n / 4 - chi2_log_sf(3.0 * n, n)
                                                 for n in sizes)
        return {"part": spec["part"], **out}
    if part == "search":
        return search_piece(chi2_weights(n_max=_N_MAX[upper]), _lemma7_score(upper, log_bound),
                            spec, "log p - log bound")
    return {**_lemma7_structured(upper, log_bound, budget, _N_MAX[upper]),
            "part": spec["part"]}


def _lemma7_merge(partials: list[dict], prefix: str = "") -> tuple[dict, SearchResult]:
    """(sweep, search) of the chunks of ``prefix``: the sweep blocks joined in order, the
    search pieces and the structured candidates as one search."""
    sweeps = [p for p in partials if p["part"] == f"{prefix}sweep"]
    worst = min(sweeps, key=lambda p: p["worst_slack"])
    sweep = {"worst_slack": worst["worst_slack"], "worst_n": worst["worst_n"],
             "violating": [n for p in sweeps for n in p["violating"]]}
    if "three_trace_worst_slack" in sweeps[0]:
        sweep["three_trace_worst_slack"] = min(p["three_trace_worst_slack"] for p in sweeps)
    search = search_result([p for p in partials if p["part"] in (f"{prefix}search",
                                                                 f"{prefix}structured")],
                           None)
    return sweep, search


def lemma7_upper_counterexample(n: int = 24) -> dict:
    """D = I_n: Pr[chi2_n >= 2n] (closed Poisson form, 40 digits) against exp(-n/4) (claim:
    lemma7.upper_tail)."""
    p = chi2_sf_poisson(2 * n, n, dps=40)
    bound = mpmath.exp(mpmath.mpf(-n) / 4)
    return {"d": f"I_{n}", "trace_d": n, "d_max": 1, "threshold": 2 * n,
            "exact_prob": mpmath.nstr(p, 12), "printed_bound": mpmath.nstr(bound, 12),
            "log_exact_prob": float(mpmath.log(p)), "log_printed_bound": -n / 4,
            "violates": bool(p > bound)}


def _printed_log_bound(subject: Subject, claim_id: str) -> Callable[[float, float], float]:
    def log_bound(tr: float, dmax: float) -> float:
        return stated_log_prob(subject.compute, claim_id, trace_d=tr, d_max=dmax)
    return log_bound


def _upper_plan(subject: Subject, budget: Budget, readings) -> list[dict]:
    return _lemma7_plan(True, budget) + _lemma7_plan(True, budget, "c-")


def _upper_run(subject: Subject, budget: Budget, readings, spec: dict) -> dict:
    if spec["part"].startswith("c-"):
        return _lemma7_run(True, _corrected_upper_log_bound(subject), budget, spec, "c-")
    return _lemma7_run(True, _printed_log_bound(subject, "lemma7.upper_tail"), budget, spec)


def _corrected_verdict(partials: list[dict], budget: Budget) -> Verdict:
    sweep, search = _lemma7_merge(partials, "c-")
    worst3 = sweep["three_trace_worst_slack"]
    ok = not sweep["violating"] and search.score < 0 and worst3 > 0
    return Verdict.exact(
        "lemma7.upper_tail", ok, slack=min(sweep["worst_slack"], -search.score, worst3),
        instances=len(iid_sizes(budget)) + search.tried, instance={"n": sweep["worst_n"]},
        notes=f"corrected statement exp(-Tr/(8 d_max)); {LOG_SLACK_NOTE}",
        extra={"iid_worst_slack": sweep["worst_slack"], "search_worst": search.score,
               "three_trace_worst_slack": worst3})


def _upper_merge(subject: Subject, budget: Budget, readings, partials: list[dict]) -> Verdict:
    """Lemma 7: Pr[||Vx||^2 >= 2 Tr D] <= exp(-Tr D / (4 d_max)), exact tails on the domain (claim:
    lemma7.upper_tail)."""
    sweep, search = _lemma7_merge(partials)
    viol = sweep["violating"]
    fixed = _corrected_verdict(partials, budget)
    corrected = Corrected(verdict=fixed.verdict,
                          counterexample=None if fixed.verdict == "holds" else fixed.extra)
    sizes = iid_sizes(budget)
    unequal = "fails" if search.score > 0 else "holds"
    if viol:
        every = all(n in set(viol) for n in sizes if n >= min(viol))
        cex = lemma7_upper_counterexample(min(viol))
        return Verdict.exact(
            "lemma7.upper_tail", False, observed=cex["log_exact_prob"],
            bound=cex["log_printed_bound"],
            slack=cex["log_printed_bound"] - cex["log_exact_prob"],
            instances=len(sizes) + search.tried,
            instance={"d": "I_n", "n": sweep["worst_n"], "worst_slack": sweep["worst_slack"]},
            counterexample=cex, corrected=corrected,
            notes=(f"{LOG_SLACK_NOTE}; observed/bound are logs. Exact chi2 tails, D = I_n: "
                   f"{len(viol)} of the swept n violate, the smallest n = {min(viol)}; every "
                   f"swept n >= {min(viol)} violates: {every}. Non-equal weights with <= 23 "
                   f"coordinates: worst log p - log bound = {search.score:.4f} "
                   f"({'a violation' if search.score > 0 else 'none found'})."),
            extra={"violating_count": len(viol), "search_worst": search.score,
                   "search_worst_d": np.asarray(search.instance).tolist()},
            families={"chi2-equal-weights": "fails", "unequal-weights": unequal})
    return Verdict.exact("lemma7.upper_tail", True, slack=sweep["worst_slack"],
                         instances=len(sizes) + search.tried, instance={"n": sweep["worst_n"]},
                         notes=LOG_SLACK_NOTE, corrected=corrected,
                         families={"chi2-equal-weights": "holds", "unequal-weights": unequal})


register_chunks("lemma7.upper_tail", plan=_upper_plan, run=_upper_run, merge=_upper_merge)


def _corrected_upper_log_bound(subject: Subject) -> Callable[[float, float], float]:
    """log of the corrected upper-tail bound, ``corrected["log_failure_prob"]`` of the subject's
    record, or of the reference calculator's when the subject's record has none."""
    from recmech.bounds import compute as reference

    def from_record(tr: float, dmax: float) -> float:
        for compute in (subject.compute, reference):
            rec = compute("lemma7.upper_tail", trace_d=tr, d_max=dmax)
            if rec.valid and "log_failure_prob" in rec.corrected:
                return float(rec.corrected["log_failure_prob"])
        raise ValueError(f"lemma7.upper_tail: no corrected bound at trace_d = {tr}, "
                         f"d_max = {dmax}")

    return from_record


def check_lemma7_upper_tail_corrected(*, subject: Subject, budget: Budget) -> Verdict:
    """Corrected Lemma 7 upper tail: Pr[Q >= 2 Tr D] <= exp(-Tr D / (8 d_max)), exactly checked
    (claim: lemma7.upper_tail).

    Proof: log E exp(a(g^2 - 1)) = -a - log(1 - 2a)/2 <= a^2/(1 - 2a) <= 2a^2 for a <= 1/4;
    with a_i = lambda d_i, lambda = 1/(4 d_max): log Pr <= -lambda Tr + 2 lambda^2 d_max Tr
    = -Tr/(8 d_max) (claim: lemma7.upper_tail). Also checks what the printed proof does show (t = 2
    Tr is the event Q >= 3 Tr): Pr[Q >= 3 Tr D] <= exp(-Tr D/(4 d_max)) (claim: lemma7.upper_tail).
    """
    log_bound = _corrected_upper_log_bound(subject)
    partials = [_lemma7_run(True, log_bound, budget, spec, "c-")
                for spec in _lemma7_plan(True, budget, "c-")]
    return _corrected_verdict(partials, budget)


def _lower_plan(subject: Subject, budget: Budget, readings) -> list[dict]:
    return _lemma7_plan(False, budget)


def _lower_run(subject: Subject, budget: Budget, readings, spec: dict) -> dict:
    return _lemma7_run(False, _printed_log_bound(subject, "lemma7.lower_tail"), budget, spec)


def _lower_merge(subject: Subject, budget: Budget, readings, partials: list[dict]) -> Verdict:
    """Lemma 7: Pr[||Vx||^2 <= Tr D / 4] <= exp(-Tr D / (8 d_max)), exact tails on the domain
    (claim: lemma7.lower_tail)."""
    sweep, search = _lemma7_merge(partials)
    ok = not sweep["violating"] and search.score < 0
    return Verdict.exact(
        "lemma7.lower_tail", ok, slack=min(sweep["worst_slack"], -search.score),
        instances=len(iid_sizes(budget)) + search.tried,
        instance={"iid_worst_n": sweep["worst_n"],
                  "search_worst_d": np.asarray(search.instance).tolist()},
        counterexample={"violating_n": sweep["violating"][:10], "search": search.score},
        notes=LOG_SLACK_NOTE,
        extra={"iid_worst_slack": sweep["worst_slack"], "search_worst": search.score})


register_chunks("lemma7.lower_tail", plan=_lower_plan, run=_lower_run, merge=_lower_merge)


# -- Proposition 3 -------------------------------------------------------------------------------

def certify_proposition3(fine: bool = False) -> dict[str, Certificate]:
    """Certificates for Prop. 3 on [0, 1/4] and for the three inequalities of its proof.

    Equality points cannot be closed by interval bisection, so they are handled by exact forms:
    - Prop. 3 near x = 0 (both sides 1): e^{-x} <= sqrt(1 - 4x^2) iff
      h(x) = x + log(1 - 4x^2)/2 >= 0, and -log(1 - y) <= y/(1 - y) gives
      h(x) >= x (1 - 2x/(1 - 4x^2)); the factor k(x) = 1 - 2x/(1 - 4x^2) is certified >= 0 on
      [0, h0] by intervals, the original form on [h0, 1/4] (claim: proposition3).
    - (i) e^{-x} <= 1 - x + x^2: on [0, h0] the Lagrange remainder gives e^{-x} <= 1 - x + x^2/2
      (analytic); [h0, 1] by intervals; for x >= 1, 1 - x + x^2 >= 1 >= e^{-x} (analytic) (claim:
      proposition3).
    - (ii) sqrt(1 - 4x^2) >= 1 - 2x^2 - 8x^4 on [0, 1/2] (equal at 0 and 1/2): with
      p = 1 - 2x^2 - 8x^4 = (1 - 4x^2)(1 + 2x^2) >= 0, it is 1 - 4x^2 - p^2 >= 0, and
      1 - 4x^2 - p^2 = 4x^4 (1 - 4x^2)(3 + 4x^2) exactly (both identities checked in rationals)
      (claim: proposition3).
    - (iii) 1 - 2x^2 - 8x^4 >= 1 - x + x^2 on [0, 1/4] (equal at 0): the difference is
      x (1 - 3x - 8x^3), and 1 - 3x - 8x^3 >= 0 is certified by intervals (claim: proposition3).
    """
    depth = 60 if fine else 40
    h0 = "1/64"
    prop3 = combine(
        "exp(-x)/sqrt(1-2x) <= sqrt(1+2x) on [0, 1/4]",
        [certify_nonnegative(lambda x: 1 - 2 * x / (1 - 4 * x * x), 0, h0,
                             statement="k(x) = 1 - 2x/(1-4x^2) >= 0", max_depth=depth),
         certify_inequality(lambda x: iv.exp(-x) / iv.sqrt(1 - 2 * x),
                            lambda x: iv.sqrt(1 + 2 * x), h0, "1/4",
                            statement="original form", max_depth=depth)],
        0, "1/4", notes="[0, 1/64] through h(x) >= x k(x); [1/64, 1/4] directly")
    first = combine(
        "exp(-x) <= 1 - x + x^2 for x > 0",
        [certify_inequality(lambda x: iv.exp(-x), lambda x: 1 - x + x * x, h0, 1,
                            statement="interval part", max_depth=depth)],
        0, "inf", notes="[0, 1/64]: Lagrange remainder (analytic); x >= 1: 1-x+x^2 >= 1 >= e^-x")
    # coefficient lists, constant term first, in the variable x
    p = [1, 0, -2, 0, -8]
    one_minus_4x2 = [1, 0, -4]
    second = combine(
        "sqrt(1 - 4x^2) >= 1 - 2x^2 - 8x^4 on [0, 1/2]",
        [polynomial_identity(p, poly_mul(one_minus_4x2, [1, 0, 2]),
                             "1 - 2x^2 - 8x^4 = (1 - 4x^2)(1 + 2x^2)"),
         polynomial_identity(poly_add(one_minus_4x2, [-c for c in poly_mul(p, p)]),
                             poly_mul([0, 0, 0, 0, 4], poly_mul(one_minus_4x2, [3, 0, 4])),
                             "1 - 4x^2 - p^2 = 4x^4 (1 - 4x^2)(3 + 4x^2)")],
        0, "1/2", notes="both sides >= 0 on [0, 1/2], so squaring is an equivalence")
    third = combine(
        "1 - 2x^2 - 8x^4 >= 1 - x + x^2 on [0, 1/4]",
        [polynomial_identity(poly_add(p, [-1, 1, -1]), poly_mul([0, 1], [1, -3, 0, -8]),
                             "(1 - 2x^2 - 8x^4) - (1 - x + x^2) = x (1 - 3x - 8x^3)"),
         certify_nonnegative(lambda x: 1 - 3 * x - 8 * x**3, 0, "1/4",
                             statement="1 - 3x - 8x^3 >= 0", max_depth=depth)],
        0, "1/4")
    return {"proposition3": prop3, "exp_le_quadratic": first, "sqrt_ge_quartic": second,
            "quartic_ge_quadratic": third}


@register_check("proposition3", parts=())
def check_proposition3(*, subject: Subject, budget: Budget) -> Verdict:
    """Prop. 3 and the three inequalities its proof chains, certified on their whole intervals."""
    certs = certify_proposition3(fine=budget.size("proposition3.fine"))
    ok = all(c.proven for c in certs.values())
    margin = min((c.min_margin for c in certs.values() if c.min_margin is not None),
                 default=None)
    return Verdict.exact("proposition3", ok, slack=margin,
                         instances=sum(c.pieces for c in certs.values()),
                         instance={"interval": "[0, 1/4]"},
                         counterexample={k: c.to_dict() for k, c in certs.items()
                                         if not c.proven},
                         notes=("interval-arithmetic certificates (mpmath.iv) plus exact "
                                "polynomial "
                          "identities; slack = smallest certified lower bound of rhs - lhs "
                          "over the interval-certified pieces"),
                   extra={k: c.to_dict() for k, c in certs.items()})


# -- Lemma 4 -------------------------------------------------------------------------------------

def lemma4_log_failure_n1(d: np.ndarray) -> float:
    """n = 1 exactly: log Pr[Q > 4 Tr D or Q < Tr D / 16], Q = sum_i d_i g_i^2 (U is a vector,
    sigma_max = sigma_min = ||U||, ||U||^2 ~ Q) (claim: lemma4)."""
    tr = float(d.sum())
    if np.all(d == d[0]):
        m = d.size
        return log_add(chi2_log_sf(4.0 * m, m), chi2_log_cdf(m / 16.0, m))
    hi = ruben_tail(d, 4 * tr, upper=True, rel_width=1e-8)
    lo = ruben_tail(d, tr / 16, upper=False, rel_width=1e-8)
    return log_add(hi.log_hi, lo.log_hi)


def _mc_lemma4(m: int, n: int, d: np.ndarray, samples: int, rng: np.random.Generator) -> int:
    """Failures of sigma_max <= 2 sqrt(Tr D), sigma_min >= sqrt(Tr D)/4 among ``samples`` draws
    of U = Lambda^T D^{1/2} G (columns iid N(0, Lambda^T D Lambda), Lambda random orthonormal)
    (claim: lemma4)."""
    lam, _ = np.linalg.qr(rng.standard_normal((m, m)))
    tr = float(d.sum())
    fails = 0
    for start in range(0, samples, 500):
        size = min(500, samples - start)
        g = rng.standard_normal((size, m, n)) * np.sqrt(d)[None, :, None]
        u = lam.T @ g
        eig = np.linalg.eigvalsh(np.swapaxes(u, 1, 2) @ u)  # squared singular values
        bad = (eig[:, -1] > 4 * tr) | (eig[:, 0] < tr / 16)
        fails += int(bad.sum())
    return fails


_LEMMA4_MC = ((100, 2, "ones"), (140, 3, "ones"), (110, 2, "linspace(0.5, 1)"))


def _lemma4_d(m: int, kind: str) -> np.ndarray:
    return np.ones(m) if kind == "ones" else np.linspace(0.5, 1.0, m)


def _lemma4_bound(subject: Subject) -> Callable[[np.ndarray, int], float | None]:
    def log_bound(d: np.ndarray, n: int) -> float | None:
        return stated_log_prob(subject.compute, "lemma4", trace_d=float(d.sum()),
                               d_max=float(d.max()), n=n)
    return log_bound


def _lemma4_plan(subject: Subject, budget: Budget, readings) -> list[dict]:
    return ([{"part": "iid"}]
            + search_specs("search", budget.size("lemma4.search"), budget)
            + [{"part": "mc", "case": i} for i in range(len(_LEMMA4_MC))])


def _lemma4_run(subject: Subject, budget: Budget, readings, spec: dict) -> dict:
    """One chunk of Lemma 4's check: n = 1 exactly on iid weights, a search piece over unequal
    weights, or one Monte Carlo case for n >= 2 (its own seed) (claim: lemma4)."""
    log_bound = _lemma4_bound(subject)
    if spec["part"] == "iid":
        worst, worst_inst, tried = math.inf, {}, 0
        for m in [*range(1, 80), 100, 200, 500, 1000, 5000]:
            d = np.ones(m)
            lb = log_bound(d, 1)
            if lb is None or lb >= 0:
                continue  # a vacuous bound (>= 1) cannot fail (claim: lemma4)
            tried += 1
            s = lb - lemma4_log_failure_n1(d)
            if s < worst:
                worst, worst_inst = s, {"n": 1, "d": f"1^{m}"}
        return {"part": "iid", "worst": worst, "inst": worst_inst, "tried": tried}
    if spec["part"] == "search":
        def score(d: np.ndarray) -> float:
            lb = log_bound(d, 1)
            if lb is None or lb >= 0:
                return -math.inf
            return lemma4_log_failure_n1(d) - lb

        return search_piece(chi2_weights(n_max=150, ratio_floor=0.3, n_min=40), score, spec,
                            "log p - log bound")
    m, n, kind = _LEMMA4_MC[spec["case"]]
    d = _lemma4_d(m, kind)
    lb = log_bound(d, n)
    if lb is None:
        return {"part": "mc", "case": None}
    samples = budget.size("lemma4.samples")
    gen = np.random.default_rng([budget.seed("lemma4"), spec["case"]])
    fails = _mc_lemma4(m, n, d, samples, gen)
    cp = clopper_pearson(fails, samples, DEFAULT_ALPHA)
    return {"part": "mc", "case": {"m": m, "n": n, "d": kind, "trace_d": float(d.sum()),
                                   "d_max": float(d.max()), "stated_prob": math.exp(lb),
                                   "samples": samples, "clopper_pearson": cp.to_dict(),
                                   "verdict": compare_probability(cp, math.exp(lb))}}


def _lemma4_merge(subject: Subject, budget: Budget, readings, partials: list[dict]) -> Verdict:
    """Lemma 4: n = 1 exact over iid and searched d; n >= 2 Monte Carlo (Clopper-Pearson 1e-9)
    in the non-vacuous regime Tr D / d_max > 32 n + 8 ln 2 (claim: lemma4)."""
    iid = next(p for p in partials if p["part"] == "iid")
    worst, worst_inst, tried = iid["worst"], iid["inst"], iid["tried"]
    res = search_result(partials, "search")
    tried += res.tried
    if -res.score < worst:
        worst, worst_inst = -res.score, {"n": 1, "d": np.asarray(res.instance).tolist()}
    mc = [p["case"] for p in partials if p["part"] == "mc" and p["case"] is not None]
    verdicts = [c["verdict"] for c in mc]
    tried += sum(c["samples"] for c in mc)
    exact_ok = worst > 0
    if not exact_ok or "fails-as-stated" in verdicts:
        verdict = "fails-as-stated"
    elif all(v == "holds" for v in verdicts):
        verdict = "holds"
    else:
        verdict = "inconclusive"
    return Verdict.statistical("lemma4", verdict, instances=tried,
                               alpha=DEFAULT_ALPHA * len(mc), slack=worst, instance=worst_inst,
                               counterexample=None if exact_ok else worst_inst,
                               families={"chi2-equal-weights": "holds" if exact_ok else "fails",
                                         "unequal-weights": "holds" if res.score < 0 else
                                         "fails"},
                               notes=(f"n = 1 exact, {LOG_SLACK_NOTE}; n >= 2 Monte Carlo with "
                                      "one-sided "
                          "Clopper-Pearson bounds at 1e-9 each. The proof uses the printed "
                          "Lemma 7 upper tail (false), but the corrected exp(-Tr/(8 d_max)) gives "
                          "the same union bound, so Lemma 4 stands."),
                   extra={"monte_carlo": mc})


# Lemma 4 in chunks: the iid sweep, the search in pieces, one chunk per Monte Carlo case
register_chunks("lemma4", plan=_lemma4_plan, run=_lemma4_run, merge=_lemma4_merge)


# -- Remark 4 ------------------------------------------------------------------------------------

@register_check("remark4", parts=("compute",))
def check_remark4(*, subject: Subject, budget: Budget) -> Verdict:
    """Remark 4: both ex-ante failure probabilities of Thm. 2 are <= 2 exp(-4k), checked in exact
    rationals at the hypothesis edges: Gaussian exponent Tr/(16 rho) with Tr/rho -> 64k;
    weak dependence exponent (1 - I)(sum v^2)^2 / (64 c^4 k |S|) with
    sum v^2 -> 16 c^2 k sqrt|S| / (1 - I) (claim: remark4)."""
    compute = subject.compute
    worst: Fraction | None = None
    inst: dict = {}
    count = 0
    disagree: list[dict] = []

    def record(gap: Fraction, k: int, where: dict) -> None:
        nonlocal worst, inst, count
        count += 1
        # the calculator must agree: log failure = log 2 - (4k + gap) is >= 1 - 2 exp(-4k) iff
        # gap >= 0; the float given it is decided exactly (fl(log 2 - 4k) may lie above the edge)
        # (claim: remark4)
        log_failure = math.log(2) - float(4 * k + gap)
        rec = compute("remark4", k=k, log_failure=log_failure)
        if bool(rec.value("holds")) != (edge_sign(lambda: iv.log(2) - 4 * k
                                                  - iv.mpf(log_failure)) >= 0):
            disagree.append({**where, "gap": str(gap), "calculator": rec.values})
        if worst is None or gap < worst:
            worst, inst = gap, {**where, "k": k}

    for k in range(1, budget.size("remark4.k_max") + 1):
        # Gaussian: exponent Tr/(16 rho) minus 4k at the (excluded) edge Tr/rho = 64k and inside
        for over in (Fraction(0), Fraction(1, 10**9)):
            record(gaussian_exponent(64 * k + over, 1) - 4 * k, k,
                   {"setting": "gaussian", "tr_over_rho": str(64 * k + over)})
        # weak dependence: exponent (1 - I) V^2 / (64 c^4 k |S|) minus 4k at V -> edge
        for infl in (Fraction(0), Fraction(1, 3), Fraction(999, 1000)):
            for c in (Fraction(1, 2), Fraction(1), Fraction(3)):
                for root_s in (1, 4, 30):
                    size = root_s**2
                    v2 = weak_variance_threshold(c, k, size, infl)
                    record(weak_exponent(v2, c, k, size, infl) - 4 * k, k,
                           {"setting": "weak", "inf": str(infl), "c": str(c), "S": size})
    ok = worst is not None and worst >= 0 and not disagree
    return Verdict.exact("remark4", ok, slack=float(worst), instances=count, instance=inst,
                         counterexample={"worst": inst, "calculator": disagree[:5]},
                         notes=("exact rationals; slack = exponent - 4k at the hypothesis edge "
                                "(0 means tight: the edge is excluded by the strict "
                                "hypotheses)"))

