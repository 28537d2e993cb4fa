"""Checks of the linear-algebra lemmas: Lemma 3 (Varah) and Lemma 6 (eps-nets).

Cai-Daskalakis EC'22, proof of Thm. 2 (Lemma 3) and Sec. 4 (Lemma 6).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from recmech.bounds.inputs import margins
from recmech.properties.claims.verdict import Verdict
from recmech.properties.judging.checks.pieces import search_specs
from recmech.properties.judging.checks.registry import register_check, register_chunks
from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.strategies import worst_case
from recmech.properties.judging.strategies.matrices import SEEDS, diagonally_dominant
from recmech.properties.subject.resolved import Subject

__all__ = ["check_lemma6", "cube_net", "lemma6_constants", "varah_ratios"]

EPS64 = float(np.finfo(float).eps)


# -- Lemma 3 -------------------------------------------------------------------------------------

def varah_ratios(u: np.ndarray) -> dict:
    """||U^{-1}||_inf * alpha and ||U^{-T}||_inf * beta (each <= 1 by Lemma 3 when its margin is
    > 0), with the relative tolerance the floating-point solve allows (claim: lemma3).

    The inverse comes from an LU solve U X = I; its relative error in the inf-norm is below
    c n eps kappa_inf(U), kappa_inf = ||U||_inf ||U^{-1}||_inf; we take c = 10 (Higham, Accuracy
    and Stability, Thm. 14.6 gives a first-order bound of this form for LU-based inversion).
    """
    n = u.shape[0]
    x = np.linalg.solve(u, np.eye(n))
    inv_inf = float(np.abs(x).sum(axis=1).max())
    inv_t_inf = float(np.abs(x).sum(axis=0).max())
    kappa = float(np.abs(u).sum(axis=1).max()) * inv_inf
    alpha, beta = margins(u)
    return {"n": n, "alpha": alpha, "beta": beta, "inv_inf": inv_inf, "inv_t_inf": inv_t_inf,
            "ratio_rows": inv_inf * alpha if alpha > 0 else None,
            "ratio_cols": inv_t_inf * beta if beta > 0 else None,
            "tol": 10 * n * EPS64 * max(kappa, 1.0), "kappa_inf": kappa}


def _lemma3_plan(subject: Subject, budget: Budget, readings) -> list[dict]:
    per = budget.size("lemma3.search")
    return [spec for by in ("both", "rows", "cols") for spec in search_specs(by, per, budget)
            ] + [{"part": "diagonals"}]


def _lemma3_run(subject: Subject, budget: Budget, readings, spec: dict) -> dict:
    """One chunk of Lemma 3's check: a search piece over dominant matrices (by rows, columns
    or both), or the tight diagonal cases; the worst excess, its ratios and any calculator
    mismatch."""
    compute = subject.compute
    state: dict = {"worst": -math.inf, "inst": None, "mismatch": None}

    def excess(u: np.ndarray) -> float:
        r = varah_ratios(u)
        if r["alpha"] > 0 and r["beta"] > 0:
            rec = compute("lemma3", U=u)
            # the calculator's bound must be the one the lemma states, up to the rounding of a
            # float margin: |U_ii| - sum_j |U_ij| loses up to 2 n u (its line's l1 norm), so
            # 1/alpha is good to that over alpha (relative); 1e-9 for everything else
            n, au = u.shape[0], np.abs(u)
            pairs = ((r["alpha"], au.sum(axis=1).max(), "inv_inf_bound"),
                     (r["beta"], au.sum(axis=0).max(), "inv_t_inf_bound"))
            for margin, line, key in pairs:
                tol = 1e-9 + 4 * n * 2.0**-53 * line / margin
                got, exact = rec.value(key), 1 / margin
                excess = abs(got - exact) / (tol * exact)
                if excess > 1 and (state["mismatch"] is None
                                   or excess > state["mismatch"]["excess"]):
                    state["mismatch"] = {"key": key, "calculator": got, "exact": exact,
                                         "relative_tolerance": tol, "excess": excess}
        worst = -math.inf
        for key in ("ratio_rows", "ratio_cols"):
            if r[key] is not None:
                worst = max(worst, (r[key] - 1.0) / max(r["tol"], 1e-300))
        if worst > state["worst"]:
            state["worst"], state["inst"] = worst, {k: v for k, v in r.items()}
        return worst

    if spec["part"] == "diagonals":
        # tight case: a diagonal matrix has ||U^{-1}||_inf alpha = 1 exactly
        cases = ([1.0], [2.0, -3.0, 5.0], list(np.geomspace(1e-6, 1e6, 13)))
        for diag in cases:
            excess(np.diag(diag))
        tried = len(cases)
    else:
        tried = worst_case(diagonally_dominant(n_max=budget.size("lemma3.n_max"),
                                               by=spec["part"]), excess, spec["examples"],
                           label="(ratio - 1) / tol").tried
    worst = state["worst"]
    return {"worst": worst if math.isfinite(worst) else None, "inst": state["inst"],
            "mismatch": state["mismatch"], "tried": tried}


def _lemma3_merge(subject: Subject, budget: Budget, readings, partials: list[dict]) -> Verdict:
    """Lemma 3: ||U^{-1}||_inf <= 1/alpha (rows), ||U^{-T}||_inf <= 1/beta (columns), on
    hypothesis-drawn dominant matrices (minimal margins, mixed signs, n up to 300) (claim:
    lemma3)."""
    scored = [p for p in partials if p["worst"] is not None]
    top = max(scored, key=lambda p: p["worst"])
    r = top["inst"]
    mismatch = next((p["mismatch"] for p in partials if p["mismatch"] is not None), None)
    ok = top["worst"] <= 1.0 and mismatch is None
    observed = max(v for v in (r["ratio_rows"], r["ratio_cols"]) if v is not None)
    # failing: by the excess over the rounding tolerance, of the ratio or of the calculator
    # holding: the room left within the rounding allowance, 1 + tol - observed (a ratio may
    # exceed 1 by rounding, up to tol = 10 n eps kappa_inf(U))
    slack = (1.0 + r["tol"] - observed if ok else
             -max(top["worst"] - 1.0 if top["worst"] > 1.0 else 0.0,
                  mismatch["excess"] - 1.0 if mismatch else 0.0, 1e-300))
    return Verdict.exact("lemma3", ok, observed=observed, bound=1.0, slack=slack,
                         instances=sum(p["tried"] for p in partials), instance=r,
                         counterexample={"worst": r, "calculator_mismatch": mismatch},
                         notes=("observed = max of ||U^{-1}||_inf alpha and ||U^{-T}||_inf beta "
                                "over the search (bound 1); 'fails' needs an excess above "
                                "10 n eps kappa_inf(U), or a calculator bound off 1/alpha "
                                "(1/beta) by more than 1e-9 + 4 n u ||line||_1 / margin "
                                "(relative); slack = 1 + tol - observed when it holds, minus "
                                "the excess over tolerance when it fails"))


# Lemma 3 in chunks: each search (dominant by both, rows, columns) in pieces, and the diagonals
register_chunks("lemma3", plan=_lemma3_plan, run=_lemma3_run, merge=_lemma3_merge)


# -- Lemma 6 -------------------------------------------------------------------------------------

def lemma6_constants() -> dict:
    """The constants of Lemmas 4-5 at eps = 1/7, in exact rationals (squares compared):
    sqrt2/(1-eps) <= 2, 1/2 - eps/(1-eps) sqrt2 >= 1/4, ln(3/eps) = ln 21 <= 4 (21 < 2.7^4) (claim:
    lemma6)."""
    eps = Fraction(1, 7)
    q = eps / (1 - eps)
    return {
        # (sqrt2/(1-eps))^2 <= 2^2 (claim: lemma6)
        "sigma_max_constant": 2 / (1 - eps) ** 2 <= 4,
        # (q sqrt2)^2 <= (1/2 - 1/4)^2 (claim: lemma6)
        "sigma_min_constant": 2 * q**2 <= Fraction(1, 16),
        "net_log_constant": 3 / eps < Fraction(27, 10) ** 4,    # 21 < 2.7^4 < e^4 (claim: lemma6)
        "values": {"sqrt2/(1-eps)": math.sqrt(2) * 7 / 6,
                   "1/2 - eps/(1-eps) sqrt2": 0.5 - math.sqrt(2) / 6, "ln(3/eps)": math.log(21)},
    }


def cube_net(n: int, eps: float) -> tuple[np.ndarray, float]:
    """An eps-net of S^{n-1}: a grid of spacing h on the faces of [-1, 1]^n, pushed radially to
    the sphere, with a rigorous covering radius r = (h/2) sqrt(n - 1) < eps (claim:
    project.cube_net).

    Every x in S^{n-1} is y/||y|| for y on the cube's surface; y has a grid point y' on its face
    within (h/2) sqrt(n-1); radial projection onto the unit ball is 1-Lipschitz and equals
    y/||y|| for ||y|| >= 1, so ||x - y'/||y'|| || <= ||y - y'|| (claim: project.cube_net).
    """
    if n < 1:
        raise ValueError(f"n must be >= 1; found {n}")
    if not 0 < eps < 1:
        raise ValueError(f"eps must be in (0, 1); found {eps}")
    # h/2 sqrt(n-1) = sqrt(n-1)/k < eps (claim: project.cube_net)
    k = max(1, math.floor(math.sqrt(n - 1) / eps) + 1)
    ticks = np.linspace(-1.0, 1.0, k + 1)
    pts = []
    for axis in range(n):
        for sign in (-1.0, 1.0):
            for rest in itertools.product(ticks, repeat=n - 1):
                p = list(rest)
                p.insert(axis, sign)
                pts.append(p)
    grid = np.unique(np.round(np.array(pts), 12), axis=0)
    return grid / np.linalg.norm(grid, axis=1, keepdims=True), math.sqrt(n - 1) / k


@st.composite
def _matrices(draw, n: int) -> np.ndarray:
    m = draw(st.integers(min_value=1, max_value=8))
    rng = np.random.default_rng(draw(SEEDS))
    g = rng.standard_normal((m, n))
    if draw(st.booleans()):
        # ill-conditioned: singular values spread over up to 12 decades
        u, _, vt = np.linalg.svd(g, full_matrices=False)
        s = np.geomspace(1.0, 10.0 ** -draw(st.integers(0, 12)), len(_))
        g = (u * s) @ vt
    return g * 10.0 ** draw(st.integers(-3, 3))


@register_check("lemma6", parts=("compute",))
def check_lemma6(*, subject: Subject, budget: Budget) -> Verdict:
    """Lemma 6: explicit eps-nets of S^1 and S^2 of size <= (3/eps)^n, and
    sigma_max <= a/(1-eps), sigma_min >= b - eps/(1-eps) a on drawn matrices; constants at 1/7
    (claim: lemma6)."""
    consts = lemma6_constants()
    compute = subject.compute
    eps = 1.0 / 7.0
    worst, worst_inst, tried = -math.inf, {}, 0
    net_ok = True
    for n in (2, 3):
        net, radius = cube_net(n, eps)
        log_size = compute("lemma6", eps=eps, n=n).value("log_net_size")
        net_ok &= math.log(len(net)) <= log_size + 1e-12 and radius < eps

        def excess(mat: np.ndarray, net=net, n=n) -> float:
            norms = np.linalg.norm(net @ mat.T, axis=1)
            a, b = float(norms.max()), float(norms.min())
            rec = compute("lemma6", eps=eps, n=n, a=a, b=b)
            s = np.linalg.svd(mat, compute_uv=False)
            smax = float(s[0])
            smin = float(s[-1]) if mat.shape[0] >= mat.shape[1] else 0.0
            scale = max(a, smax, 1e-300)
            return max(smax - rec.value("sigma_max_bound"),
                       rec.value("sigma_min_bound") - smin) / scale

        res = worst_case(_matrices(n), excess, budget.size("lemma6.search"),
                         label="relative excess")
        tried += res.tried
        if res.score > worst:
            worst, worst_inst = res.score, {"n": n, "net_size": len(net), "radius": radius}
    ok = net_ok and all(consts[k] for k in ("sigma_max_constant", "sigma_min_constant",
                                            "net_log_constant")) and worst <= 1e-12
    return Verdict.exact("lemma6", ok, observed=worst, bound=1e-12, slack=1e-12 - worst,
                         instances=tried, instance=worst_inst,
                         counterexample={"constants": consts, "worst": worst},
                         notes=("observed = largest relative excess of sigma_max over a/(1-eps) "
                                "or of "
                          "b - eps/(1-eps) a over sigma_min (<= 0 means the lemma holds; 1e-12 "
                          "is the float tolerance); constants at eps = 1/7 in rationals"),
                   extra={"constants": consts})
