"""Exact revenue, interim utility, eps-BIC, (eps, delta)-BIC and IR of latent mechanisms.

definition: Cai-Daskalakis EC'22, Sec. 2.1: REV(M, D) = E_{t ~ D}[sum_i p_i(t)]; eps-BIC: for every
i and t_i, E_{t_-i}[u_i(t_i, M(t_i, t_-i))] >= E_{t_-i}[u_i(t_i, M(t'_i, t_-i))] - eps for every
t'_i; (eps, delta)-BIC: that holds for a 1 - delta fraction of t_i; IR: u_i(t_i, M(t)) >= 0 for all
t.

A bidder is a ``Population``: true types t (values, N-dim, used in u_i) and the latent report a
truthful bidder makes (z itself for latent laws, Q(t) for Algorithm 1). Misreports are latent
points (Algorithm 1, step 2: every output of Q is produced by some type).

Exact misreports for M_tilde (``robust_report``). Fix bidder i and a report b. The utility
depends on the offset r only through the cell indices of b, of the model supports and of the
truthful reports; per coordinate l the index of a point x changes at r_l = x_l mod delta. On each
box of offsets between the breakpoints of the fixed points, the set of r where b's index is c
is a product of intervals whose lengths are affine in each b_l as long as b_l mod delta does not
cross a breakpoint. Hence phi(b) = E_r[u_i(b)] is continuous and multilinear on every box of the
grid G = prod_l {beta + a delta : beta in B_l, a integer} (B_l the breakpoints, 0 included), and
a multilinear function attains its maximum over a box at a vertex: sup_b phi(b) = max over G.
Reports whose cells are empty for every offset give 0 (exclusion), so G is cut to the support's
range widened by 2 delta, plus the report "far away" worth 0. The maximum is therefore exact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from recmech.core.batch import others_probs, profiles_of
from recmech.core.gate import probabilities, real_array, whole
from recmech.core.mechanisms import LatentMechanism
from recmech.core.prokhorov import law_arrays
from recmech.core.robust import RobustifiedMechanism

__all__ = ["IncentiveReport", "Population", "direct_report", "misreport_grid", "robust_report",
           "tv_distance"]


@dataclass(frozen=True)
class Population:
    """A bidder's true-type law: ``values`` (s, N) types t, ``reports`` (s, k) truthful latent
    reports, ``probs`` (s,)."""

    values: np.ndarray
    reports: np.ndarray
    probs: np.ndarray

    def __post_init__(self) -> None:
        v = real_array(self.values, "values", 2)
        r = real_array(self.reports, "reports", 2)
        p = probabilities(self.probs, "probs")
        if not v.shape[0] == r.shape[0] == p.size:
            raise ValueError(f"values (s, N), reports (s, k), probs (s,) must agree in s; found "
                             f"{v.shape}, {r.shape}, {p.shape}")
        for name, arr in (("values", v), ("reports", r), ("probs", p)):
            object.__setattr__(self, name, arr)

    @classmethod
    def latent(cls, law, A) -> Population:  # noqa: N803
        """Types A z for z ~ ``law`` (finite), reporting z: the setting of Lemma 2."""
        pts, pr = law_arrays(law, "law")
        return cls(values=pts @ np.asarray(getattr(A, "A", A), dtype=float).T, reports=pts,
                   probs=pr)

    def to_dict(self) -> dict:
        return {"values": self.values.tolist(), "reports": self.reports.tolist(),
                "probs": self.probs.tolist()}


@dataclass(frozen=True)
class IncentiveReport:
    """Revenue and incentives of one mechanism on one instance, all exact.

    definition: ``gains[i][s]`` = max over misreports of the interim utility gain of bidder i's type
    s; ``kappa`` = max over i, s (the eps of eps-BIC); ``min_interim_utility`` the worst truthful
    interim utility; ``min_expost_utility`` the worst over type profiles (and offsets and
    resamples for M_tilde) of a bidder's expected utility: IR holds iff it is >= 0.
    """

    revenue: float
    revenue_per_bidder: tuple
    truthful_utility: tuple
    gains: tuple
    probs: tuple
    kappa: float | None
    min_interim_utility: float
    min_expost_utility: float
    n_candidates: int
    n_regions: int

    def bic_fraction(self, eps: float) -> float:
        """definition: The smallest delta with (eps, delta)-BIC: max_i Pr_{t_i}[gain_i(t_i) >
        eps]."""
        if self.kappa is None:
            raise ValueError("this report was computed without misreports (misreports=False)")
        return float(max(p[g > eps].sum() for g, p in zip(self.gains, self.probs, strict=True)))

    def to_dict(self) -> dict:
        return {"revenue": self.revenue, "revenue_per_bidder": list(self.revenue_per_bidder),
                "truthful_utility": [u.tolist() for u in self.truthful_utility],
                "gains": [g.tolist() for g in self.gains] if self.gains else None,
                "kappa": self.kappa,
                "min_interim_utility": self.min_interim_utility,
                "min_expost_utility": self.min_expost_utility,
                "n_candidates": self.n_candidates, "n_regions": self.n_regions}


def _values(valuation, types: np.ndarray, bundles: np.ndarray) -> np.ndarray:
    return np.array([[valuation.value(t, b) for b in bundles] for t in types])


def _check_populations(mech: LatentMechanism, populations) -> tuple:
    if not isinstance(mech, LatentMechanism):
        raise TypeError(f"mech must be a LatentMechanism; found {type(mech).__name__}")
    if isinstance(populations, (str, bytes)) or not hasattr(populations, "__iter__") or not all(
            isinstance(p, Population) for p in populations):
        raise TypeError("populations must be a sequence of Population, one per bidder")
    pops = tuple(populations)
    if len(pops) != mech.m:
        raise ValueError(f"populations must give one Population per bidder ({mech.m}); found "
                         f"{len(pops)}")
    for i, pop in enumerate(pops):
        if pop.values.shape[1] != mech.N or pop.reports.shape[1] != mech.k:
            raise ValueError(f"populations[{i}]: values must be (s, {mech.N}) and reports "
                             f"(s, {mech.k}); found {pop.values.shape}, {pop.reports.shape}")
    return pops


def direct_report(mech: LatentMechanism, populations, candidates=None) -> IncentiveReport:
    """Exact measurement by enumeration of the mechanism's outcomes over finite populations.

    Misreports of bidder i range over ``candidates[i]`` (k-vectors) together with bidder i's
    truthful reports; exact when the mechanism's outcome depends on a report only
    through a class that this set hits (VCG over a finite type space, a table on its support).
    Per bidder i, every (others' reports, candidate) profile is run in one batched call
    (``LatentMechanism.outcomes``).
    """
    pops = _check_populations(mech, populations)
    rev_i = np.zeros(mech.m)
    truth, gains, min_post = [], [], np.inf
    n_cand = 0
    for i, pop in enumerate(pops):
        extra = [] if candidates is None else [np.atleast_2d(candidates[i])]
        cand, where = np.unique(np.vstack([pop.reports] + extra), axis=0, return_inverse=True)
        own = where.ravel()[:pop.probs.size]          # the candidate of each truthful report
        n_cand = max(n_cand, cand.shape[0])
        others = [j for j in range(mech.m) if j != i]
        grids = np.meshgrid(*(np.arange(pops[j].probs.size) for j in others), indexing="ij")
        w = np.ones(grids[0].size if others else 1)
        n_o, n_c = w.size, cand.shape[0]
        bids = np.zeros((n_o, n_c, mech.m, mech.k))
        for j, g in zip(others, grids, strict=True):
            w = w * pops[j].probs[g.ravel()]
            bids[:, :, j] = pops[j].reports[g.ravel()][:, None, :]
        bids[:, :, i] = cand[None, :, :]
        outs = mech.outcomes(bids.reshape(n_o * n_c, mech.m, mech.k))
        pay = outs.payments[:, i].reshape(n_o, n_c)
        util = np.zeros((pop.probs.size, n_c))
        for s, t in enumerate(pop.values):
            post = outs.expected_values(i, mech.valuations[i], np.broadcast_to(
                t, (n_o * n_c, t.size))).reshape(n_o, n_c) - pay
            util[s] = w @ post
            min_post = min(min_post, float(post[:, own[s]].min()))
        u_true = util[np.arange(pop.probs.size), own]
        rev_i[i] = float(pop.probs @ (w @ pay[:, own]))
        truth.append(u_true)
        gains.append(np.maximum(util.max(axis=1) - u_true, 0.0))
    return _report(rev_i, truth, gains, pops, min_post, n_cand, 1)


def _report(rev_i, truth, gains, pops, min_post, n_cand, n_regions) -> IncentiveReport:
    return IncentiveReport(
        revenue=float(rev_i.sum()), revenue_per_bidder=tuple(float(r) for r in rev_i),
        truthful_utility=tuple(truth), gains=tuple(gains),
        probs=tuple(p.probs for p in pops),
        kappa=float(max(g.max() for g in gains)) if gains else None,
        min_interim_utility=float(min(u.min() for u in truth)),
        min_expost_utility=float(min_post), n_candidates=int(n_cand), n_regions=int(n_regions))


def misreport_grid(mech: RobustifiedMechanism, i: int, bases: list) -> np.ndarray:
    """The grid G of the module docstring for bidder i: breakpoints + a delta, per coordinate,
    over bidder i's support range widened by 2 delta."""
    if not isinstance(mech, RobustifiedMechanism):
        raise TypeError(f"mech must be a RobustifiedMechanism; found {type(mech).__name__}")
    i = whole(i, "i", low=0, high=mech.m - 1)
    if isinstance(bases, (str, bytes)) or not hasattr(bases, "__len__") or len(bases) != mech.k:
        raise TypeError(f"bases must be a list of {mech.k} breakpoint arrays (one per latent "
                        "coordinate)")
    bases = [real_array(beta, f"bases[{l_}]", 1) for l_, beta in enumerate(bases)]
    d, pts = mech.delta, np.asarray(mech.laws[i].points, dtype=float)
    axes = []
    for l_, beta in enumerate(bases):
        lo, hi = pts[:, l_].min() - 2 * d, pts[:, l_].max() + 2 * d
        a = np.arange(np.floor((lo - 1.0) / d), np.ceil((hi + 1.0) / d) + 1)
        vals = (beta[:, None] + a[None, :] * d).ravel()
        axes.append(np.unique(vals[(vals >= lo) & (vals <= hi)]))
    return np.array(list(itertools.product(*axes)))


def _codes(cells: np.ndarray, base: np.ndarray, span: np.ndarray) -> np.ndarray:
    shifted = cells - base[None, :]
    ok = np.all((shifted >= 0) & (shifted < span[None, :]), axis=1)
    strides = np.concatenate([np.cumprod(span[::-1])[::-1][1:], [1]])
    return np.where(ok, shifted @ strides, -1)


def _lookup(codes: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Position of each code in the (unique) ``table`` codes, or -1."""
    order = np.argsort(table)
    pos = np.searchsorted(table[order], codes)
    pos = np.clip(pos, 0, max(table.size - 1, 0))
    hit = (table.size > 0) & (codes >= 0) & (table[order][pos] == codes)
    return np.where(hit, order[pos], -1)


def robust_report(mech: RobustifiedMechanism, populations, misreports: bool = True,
                  max_candidates: int = 250_000) -> IncentiveReport:
    """Exact revenue, interim utilities, BIC gains (over all latent misreports) and IR of M_tilde.

    Averages over the offset regions (``offset_regions``) and the resample exactly; misreports
    range over ``misreport_grid`` (exact by the multilinearity argument of the module docstring).
    The grid has about (|B_l| / delta)^k points; above ``max_candidates`` a ValueError is raised.
    ``misreports=False`` skips the BIC gains (``kappa`` is then None): revenue and IR only.
    """
    pops = _check_populations(mech, populations)
    table, d = mech.table, mech.delta
    reports = np.vstack([p.reports for p in pops])
    bases = mech.breakpoints(reports)
    regions = mech.offset_regions(reports)
    m = mech.m
    sup = [np.asarray(law.points, dtype=float) for law in mech.laws]
    sprobs = [np.asarray(law.probs, dtype=float) for law in mech.laws]
    per = []
    for i in range(m):
        bundles, weights = table.bundle_table(i)
        v = mech.valuations[i]
        cand = misreport_grid(mech, i, bases) if misreports else np.zeros((0, mech.k))
        if cand.shape[0] > max_candidates:
            raise ValueError(f"max_candidates: the exact misreport grid of bidder {i} has "
                             f"{cand.shape[0]} points (> {max_candidates}); increase delta or "
                             "max_candidates, or pass misreports=False")
        per.append({"bundles": bundles, "W": weights, "prof": profiles_of(table.shape, i),
                    "VH": _values(v, sup[i] @ mech.A.T, bundles),
                    "VP": _values(v, pops[i].values, bundles), "cand": cand,
                    "Uc": np.zeros((pops[i].probs.size, cand.shape[0])),
                    "Ut": np.zeros(pops[i].probs.size), "low": {}})
    rev_i = np.zeros(m)
    min_post = np.inf
    for w, r in regions:
        cells, inv, cond, rho, rep_cell = [], [], [], [], []
        for j in range(m):
            cj = np.floor((sup[j] - r) / d).astype(np.int64)
            uniq, inverse = np.unique(cj, axis=0, return_inverse=True)
            inverse = inverse.ravel()
            q = np.zeros((uniq.shape[0], sup[j].shape[0]))
            q[inverse, np.arange(inverse.size)] = sprobs[j]
            q /= q.sum(axis=1, keepdims=True)
            base, span = uniq.min(axis=0), uniq.max(axis=0) - uniq.min(axis=0) + 1
            tcodes = _codes(uniq, base, span)
            yc = np.floor((pops[j].reports - r) / d).astype(np.int64)
            rid = _lookup(_codes(yc, base, span), tcodes)
            rho_j = np.where(rid[:, None] >= 0, q[np.maximum(rid, 0)], sprobs[j][None, :])
            cells.append((uniq, base, span, tcodes))
            inv.append(inverse)
            cond.append(q)
            rho.append(pops[j].probs @ rho_j)
            rep_cell.append(rid)
        for i in range(m):
            P = per[i]
            uniq = cells[i][0]
            rho_o = others_probs(rho, i)
            wbar = np.einsum("sob,o->sb", P["W"][P["prof"]], rho_o)
            pbar = table.payments[P["prof"], i] @ rho_o
            vh = (wbar * P["VH"]).sum(axis=1)
            low = np.array([P["low"].setdefault(tuple(c), _values(
                mech.valuations[i], mech.lower_vector(c)[None, :], P["bundles"])[0])
                for c in uniq])
            wc = cond[i] @ wbar
            kappa_c = cond[i] @ (vh - pbar) - (wc * low).sum(axis=1)
            util = P["VP"] @ wc.T + kappa_c[None, :]
            rid = rep_cell[i]
            own = np.flatnonzero(rid >= 0)
            P["Ut"][own] += w * util[own, rid[own]]
            rev_i[i] += w * float(pops[i].probs[own] @ (-kappa_c[rid[own]]))
            # ex-post IR, at the finest level: every offset region, own resample s and others'
            # resampled profile o of positive probability
            live = rho_o > 0
            for s_t in own:
                c = rid[s_t]
                for s in np.flatnonzero(cond[i][c] > 0):
                    wrow = P["W"][P["prof"][s, live]]
                    u = wrow @ (P["VP"][s_t] + P["VH"][s] - low[c]) - \
                        table.payments[P["prof"][s, live], i]
                    min_post = min(min_post, float(u.min()))
            if misreports:
                cc = np.floor((P["cand"] - r) / d).astype(np.int64)
                cid = _lookup(_codes(cc, cells[i][1], cells[i][2]), cells[i][3])
                hit = cid >= 0
                P["Uc"][:, hit] += w * util[:, cid[hit]]
    truth = [P["Ut"] for P in per]
    gains = [np.maximum(np.maximum(P["Uc"].max(axis=1), 0.0) - P["Ut"], 0.0) for P in per
             ] if misreports else []
    n_cand = max(P["cand"].shape[0] for P in per)
    return _report(rev_i, truth, gains, pops, min_post, n_cand, len(regions))


def tv_distance(p_law, q_law) -> float:
    """d_TV = (1/2) sum_x |P(x) - Q(x)| for finite laws (identical points merged)."""
    x, p = law_arrays(p_law, "p_law")
    y, q = law_arrays(q_law, "q_law")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"the two laws live in different dimensions: {x.shape[1]} vs "
                         f"{y.shape[1]}")
    pts, inv = np.unique(np.vstack([x, y]), axis=0, return_inverse=True)
    inv = inv.ravel()
    diff = np.zeros(pts.shape[0])
    np.add.at(diff, inv[:p.size], p)
    np.add.at(diff, inv[p.size:], -q)
    return float(0.5 * np.abs(diff).sum())
