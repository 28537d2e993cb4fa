"""The project's own claims (``project.*``): inequalities and identities recmech's code or
docstrings assert that the paper does not state, checked like the paper's claims.

Each is registered with its register entry (the place in the code that asserts it and the
statement), so the claim table, the report and the README list them with the paper's claims.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from scipy import stats

from recmech.bounds.queries import certified_delta, sufficient_queries_per_value
from recmech.core import design as designs
from recmech.core.queries import noisy_value_queries, search_plan
from recmech.properties.claims.verdict import Verdict
from recmech.properties.judging.checks.linalg import cube_net
from recmech.properties.judging.checks.pieces import search_piece, search_result, search_specs
from recmech.properties.judging.checks.registry import register_check, register_chunks
from recmech.properties.judging.exact import imhof_sf, ruben_tail
from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.stats import DEFAULT_ALPHA, clopper_pearson, power
from recmech.properties.judging.strategies import worst_case
from recmech.properties.judging.strategies.matrices import SEEDS, chi2_weights
from recmech.properties.subject.outside import value_oracle
from recmech.properties.subject.resolved import Subject

__all__ = ["check_certified_delta", "check_chi2_closed_forms", "check_clopper_pearson_duality",
           "check_cube_net",
           "check_interlacing_edge", "check_measure_breakpoints", "check_noisy_value_count",
           "check_search_interval", "check_separable_norm"]


# -- least squares: the certified delta is the exact worst case ---------------------------------

@st.composite
def _blocks(draw):
    k = draw(st.integers(1, 4))
    rows = draw(st.integers(k, 12))
    rng = np.random.default_rng(draw(SEEDS))
    B = rng.standard_normal((rows, k)) * 10.0 ** draw(st.integers(-3, 3))
    if draw(st.booleans()):  # ill-conditioned: spread the singular values
        u, _, vt = np.linalg.svd(B, full_matrices=False)
        B = (u * np.geomspace(1, 10.0 ** -draw(st.integers(0, 8)), k)) @ vt
    return B, float(draw(st.sampled_from([1e-3, 0.1, 1.0])))


@register_check("project.certified_delta", parts=())
def check_certified_delta(*, subject: Subject, budget: Budget) -> Verdict:
    """The certified delta is the exact worst case of the least-squares error over the eps-box:
    never exceeded by random boxes' corners or interiors, and attained at the claimed vertex."""
    gen = np.random.default_rng(7)
    worst = {"excess": -math.inf, "tightness": 0.0}

    def score(inst) -> float:
        B, eps = inst
        P = np.linalg.pinv(B)
        cert = float(certified_delta(P, eps))
        r = int(np.argmax(np.abs(P).sum(axis=1)))
        attained = float(np.max(np.abs(P @ (eps * np.sign(P[r])))))
        worst["tightness"] = max(worst["tightness"], abs(attained - cert) / cert)
        E = eps * np.where(gen.random((64, B.shape[0])) < 0.5, -1.0, 1.0)
        E[:32] *= gen.random((32, B.shape[0]))
        excess = float(np.max(np.abs(E @ P.T))) / cert - 1.0
        worst["excess"] = max(worst["excess"], excess)
        return excess

    res = worst_case(_blocks(), score, budget.size("project.search"), label="error/cert - 1")
    ok = worst["excess"] <= 1e-12 and worst["tightness"] <= 1e-12
    return Verdict.exact("project.certified_delta", ok, observed=worst["excess"], bound=1e-12,
                         slack=1e-12 - max(worst["excess"], worst["tightness"]),
                         instances=res.tried, instance=worst, counterexample=worst,
                         notes="relative float tolerance 1e-12; 64 random corners and interior "
                               "points of the box per block")


# -- bisection: the sufficient count suffices and is needed -------------------------------------

@register_check("project.noisy_value_count", parts=())
def check_noisy_value_count(*, subject: Subject, budget: Budget) -> Verdict:
    """Both directions, exactly: with q halvings the worst value of the interval (its ends and
    the dyadic midpoints) is within eta; with q - 1 halvings some value is not."""
    grid = [(a, e, h) for a in (0.5, 1.0, 3.0, 1024.0) for e in (1e-3, 0.5, 1.0, 4.0)
            for h in (1e-4, 0.01, 0.5, 2.0, 1e3)]
    bad, count = [], 0
    for A_inf, eps, eta in grid:  # noqa: N806
        q = sufficient_queries_per_value(A_inf, eta, eps)
        plan = search_plan(np.array([[A_inf]]), [0], A_inf, eps, eta)
        lo, hi = plan.centers[0] - plan.R / 2, plan.centers[0] + plan.R / 2
        values = np.linspace(lo, hi, 65)
        for steps in (q, q - 1):
            if steps < 0:
                continue
            short = type(plan)(plan.items, plan.centers, plan.R, steps, eps, eta)
            err = max(abs(float(noisy_value_queries(value_oracle(t, 0.0, "flip"), short)[0]) - t)
                      for t in values)
            count += 1
            if (steps == q and err > eta * (1 + 1e-12)) or (steps == q - 1 and err <= eta):
                bad.append({"A_inf": A_inf, "eps": eps, "eta": eta, "q": q, "steps": steps,
                            "worst_error": err})
    return Verdict.exact("project.noisy_value_count", not bad, instances=count,
                         slack=0.0 if not bad else -1.0, counterexample={"cases": bad[:5]},
                         notes="65 values across the search interval, ends included")


# -- Ruben's series: the bracket contains the tail ----------------------------------------------

def _ruben_score(d) -> float:
    """The largest log distance of Imhof's value outside Ruben's bracket, both tails."""
    tr = float(np.sum(d))
    miss = -math.inf
    for upper, x in ((True, 1.7 * tr), (False, 0.4 * tr)):
        b = ruben_tail(d, x, upper=upper, rel_width=1e-10)
        exact = float(imhof_sf(d, x, dps=16))
        p = exact if upper else 1.0 - exact
        lp = math.log(p)
        # tolerance: Imhof's absolute accuracy (about 1e-11 at 16 digits) relative to p
        miss = max(miss, max(b.log_lo - lp, lp - b.log_hi) - 1e-11 / p)
    return miss


def _ruben_plan(subject: Subject, budget: Budget, readings) -> list[dict]:
    # Imhof's integral costs about a second per weight vector: pieces of 2 or more
    return search_specs("search", max(2, budget.size("project.search") // 15), budget,
                        min_piece=2)


def _ruben_run(subject: Subject, budget: Budget, readings, spec: dict) -> dict:
    return search_piece(chi2_weights(n_max=6, ratio_floor=0.1), _ruben_score, spec,
                        "bracket miss")


def _ruben_merge(subject: Subject, budget: Budget, readings, partials: list[dict]) -> Verdict:
    """The bracket contains Imhof's value (mpmath, 16 digits) on searched weights."""
    res = search_result(partials, "search")
    ok = res.score <= 1e-12
    return Verdict.exact("project.ruben_bracket", ok, observed=res.score, bound=1e-12,
                         slack=1e-12 - res.score, instances=res.tried,
                         counterexample={"weights": np.asarray(res.instance).tolist()},
                         notes="observed = largest log distance outside the bracket (<= 0: "
                               "contained)")


register_chunks("project.ruben_bracket", plan=_ruben_plan, run=_ruben_run, merge=_ruben_merge,
                parts=())


# -- the eps-net of Lemma 6's check covers the sphere -------------------------------------------

@register_check("project.cube_net", parts=())
def check_cube_net(*, subject: Subject, budget: Budget) -> Verdict:
    """Every point of the sphere lies within the stated radius of the net: random points and a
    targeted search for the farthest point."""
    worst = {"excess": -math.inf}
    tried = 0
    for n in (2, 3):
        net, radius = cube_net(n, 1 / 7)

        @st.composite
        def points(draw, n=n):
            x = np.array(draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n)))
            return x / np.linalg.norm(x) if np.linalg.norm(x) > 1e-9 else np.eye(n)[0]

        def score(x, net=net, radius=radius) -> float:
            far = float(np.min(np.linalg.norm(net - x, axis=1))) - radius
            worst["excess"] = max(worst["excess"], far)
            return far

        res = worst_case(points(), score, budget.size("project.search"), label="distance - r")
        tried += res.tried
        gen = np.random.default_rng(n)
        x = gen.standard_normal((500, n))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        d = np.min(np.linalg.norm(x[:, None, :] - net[None, :, :], axis=2), axis=1)
        worst["excess"] = max(worst["excess"], float(d.max() - radius))
        tried += 500
    ok = worst["excess"] <= 1e-12
    return Verdict.exact("project.cube_net", ok, observed=worst["excess"], bound=0.0,
                         slack=-worst["excess"], instances=tried, counterexample=worst,
                         notes="observed = largest (distance to the net - stated radius)")


# -- M_tilde: the maximum over misreports is on the breakpoint grid -----------------------------

@register_check("project.measure_breakpoints", parts=())
def check_measure_breakpoints(*, subject: Subject, budget: Budget) -> Verdict:
    """No continuous misreport beats the grid: random and targeted latent reports on the
    instances of the lemma2 check, each measured exactly through ``outcome``."""
    from recmech.core.laws import FiniteLaw
    from recmech.core.measure import Population, direct_report, robust_report
    from recmech.core.optimal import TabularMechanism
    from recmech.core.robust import RobustifiedMechanism
    from recmech.core.valuations import UnitDemand

    A = np.array([[1.0], [0.5]])
    law = FiniteLaw(np.array([[0.2], [0.45], [0.7], [0.95]]), np.array([0.2, 0.3, 0.3, 0.2]))
    vals = [UnitDemand([0.0, 0.05])]
    inner = TabularMechanism.from_lp(A, vals, [law])
    gen = np.random.default_rng(3)
    worst, count = -math.inf, 0
    for eps in (0.004, 0.02, 0.06):
        pts = law.points - eps
        pop = Population(values=pts @ A.T, reports=pts, probs=law.probs)
        mech = RobustifiedMechanism(inner, [law], float(np.sqrt(eps)))
        grid = robust_report(mech, [pop])
        cands = np.vstack([gen.uniform(-0.3, 1.3, size=(40, 1)),
                           pts + gen.uniform(-0.02, 0.02, size=pts.shape)])
        free = direct_report(mech, [pop], candidates=[cands])
        count += cands.shape[0]
        worst = max(worst, free.kappa - grid.kappa)
    ok = worst <= 1e-9
    return Verdict.exact("project.measure_breakpoints", ok, observed=worst, bound=1e-9,
                         slack=1e-9 - worst, instances=count,
                         counterexample={"free_minus_grid_kappa": worst},
                         notes="observed = largest gain of a free misreport over the grid's")


# -- the default separable design has ||A||_inf = 1 ---------------------------------------------

@register_check("project.separable_norm", parts=())
def check_separable_norm(*, subject: Subject, budget: Budget) -> Verdict:
    """||A||_inf of default separable designs over k, N and seeds, exactly 1 up to rounding."""
    dev, count = 0.0, 0
    for k in (1, 2, 5, 16):
        for N in (k, k + 1, 1000, 70_000):  # noqa: N806
            for seed in range(3):
                dev = max(dev, abs(designs.separable(k, N, seed).inf_norm - 1.0))
                count += 1
    ok = dev <= 1e-12
    return Verdict.exact("project.separable_norm", ok, observed=dev, bound=1e-12,
                         slack=1e-12 - dev, instances=count, counterexample={"deviation": dev})


# -- Prop. 1 (2): for kappa > 1 the interlacing bound is strict ---------------------------------
# (claim: project.interlacing_edge)

@register_check("project.interlacing_edge", parts=())
def check_interlacing_edge(*, subject: Subject, budget: Budget) -> Verdict:
    """Searched covariances with kappa slightly and far above 1, random and adversarial
    eigenvectors (one dominant direction inside S), blocks of the stated size."""
    gen = np.random.default_rng(11)
    worst, count = math.inf, 0
    for k, kappa in ((1, 1 + 1e-9), (2, 1 + 1e-3), (1, 1.5), (1, 4.0)):
        size = math.ceil(64 * kappa * k)
        n = size + 5
        for trial in range(3):
            q, _ = np.linalg.qr(gen.standard_normal((n, n)))
            eig = np.full(n, 1.0)
            eig[:trial + 1] = kappa  # several dominant directions
            sigma = (q * eig) @ q.T
            S = np.sort(gen.choice(n, size, replace=False))
            block = sigma[np.ix_(S, S)]
            w = np.linalg.eigvalsh(block)
            worst = min(worst, float(np.trace(block) / w[-1] - 64 * k))
            count += 1
    ok = worst > 0
    return Verdict.exact("project.interlacing_edge", ok, observed=worst, bound=0.0,
                         slack=worst, instances=count, counterexample={"min_margin": worst},
                         notes="observed = min over blocks of Tr/rho - 64k (> 0 required)")


# -- Clopper-Pearson duality, used to size the Monte Carlo checks -------------------------------

@register_check("project.clopper_pearson_duality", parts=())
def check_clopper_pearson_duality(*, subject: Subject, budget: Budget) -> Verdict:
    """Both equivalences on every K for n in a grid and stated p around the thresholds; and the
    power of ``stats.power`` recomputed from the bounds directly."""
    bad, count = [], 0
    alpha = DEFAULT_ALPHA
    for n in (1, 7, 40, 200):
        for p in (1e-6, 0.01, 0.2, 0.5, 0.97):
            ks = np.arange(n + 1)
            sf = stats.binom.sf(ks - 1, n, p)
            cdf = stats.binom.cdf(ks, n, p)
            for K in ks:  # noqa: N806
                cp = clopper_pearson(int(K), n, alpha)
                count += 1
                # the duality may flip only where the two sides agree to rounding
                if (cp.lower > p) != (sf[K] < alpha) and abs(sf[K] - alpha) > 1e-12 * alpha:
                    bad.append({"n": n, "p": p, "K": int(K), "side": "lower"})
                if (cp.upper <= p) != (cdf[K] <= alpha) and abs(cdf[K] - alpha) > 1e-12 * alpha:
                    bad.append({"n": n, "p": p, "K": int(K), "side": "upper"})
            direct = sum(stats.binom.pmf(K, n, 2 * p if 2 * p < 1 else p)
                         for K in ks if clopper_pearson(int(K), n, alpha).lower > p)
            if abs(direct - power(n, p, 2 * p if 2 * p < 1 else p, alpha, True)) > 1e-9:
                bad.append({"n": n, "p": p, "side": "power"})
    return Verdict.exact("project.clopper_pearson_duality", not bad, instances=count,
                         slack=0.0 if not bad else -1.0, counterexample={"cases": bad[:5]})


# -- the protocols' search interval holds every value -------------------------------------------

@register_check("project.search_interval", parts=())
def check_search_interval(*, subject: Subject, budget: Budget) -> Verdict:
    """The extreme values of t_j (vertices of the cube and of the eps-box) against the interval,
    for rows of every sign pattern and scale."""
    gen = np.random.default_rng(5)
    worst, count = -math.inf, 0
    for _ in range(200):
        k = int(gen.integers(1, 6))
        rows = gen.standard_normal((4, k)) * 10.0 ** gen.integers(-3, 4)
        inf_norm = float(np.abs(rows).sum(axis=1).max()) * (1 + gen.random())
        eps = float(10.0 ** gen.integers(-4, 2))
        plan = search_plan(rows, np.arange(4), inf_norm, eps, eps)
        hi = np.maximum(rows, 0).sum(axis=1) + eps
        lo = np.minimum(rows, 0).sum(axis=1) - eps
        over = np.maximum(hi - (plan.centers + plan.R / 2), (plan.centers - plan.R / 2) - lo)
        worst = max(worst, float((over / plan.R).max()))
        count += 4
    ok = worst <= 1e-12
    return Verdict.exact("project.search_interval", ok, observed=worst, bound=1e-12,
                         slack=1e-12 - worst, instances=count,
                         counterexample={"relative_excess": worst},
                         notes="observed = largest part of [lo - eps, hi + eps] outside the "
                               "interval, relative to R")


# -- exact chi-square tails in closed form ------------------------------------------------------

@register_check("project.chi2_closed_forms", parts=())
def check_chi2_closed_forms(*, subject: Subject, budget: Budget) -> Verdict:
    """Both forms against mpmath's regularised incomplete gamma at 40 digits, on n up to 10^4
    (both parities) and thresholds from n/16 to 4n, where the float tails underflow."""
    import mpmath

    from recmech.properties.judging.exact import log_chi2_lower_series, log_chi2_upper_closed

    worst, count = 0.0, 0
    for n in (1, 2, 3, 23, 24, 25, 999, 1000, 4647, 10_000):
        for x in (n / 16 + 0.01, n / 4 + 0.01, 2.0 * n, 3.0 * n, 4.0 * n):
            with mpmath.workdps(40):
                a, y = mpmath.mpf(n) / 2, mpmath.mpf(x) / 2
                up = float(mpmath.log(mpmath.gammainc(a, y, mpmath.inf, regularized=True)))
                lo = float(mpmath.log(mpmath.gammainc(a, 0, y, regularized=True)))
            worst = max(worst, abs(log_chi2_upper_closed(x, n) - up) / max(1.0, abs(up)))
            count += 1
            if x / 2 < n / 2 + 1:
                worst = max(worst, abs(log_chi2_lower_series(x, n) - lo) / max(1.0, abs(lo)))
                count += 1
    tol = 1e-11  # summing up to 5000 positive terms in float64
    return Verdict.exact("project.chi2_closed_forms", worst <= tol, observed=worst, bound=tol,
                         slack=tol - worst, instances=count,
                         counterexample={"relative_log_error": worst},
                         notes="observed = largest relative error of the log tail")
