"""Menus: the tie rule at a mechanism's own accuracy, and a table mechanism's menu, batched.

Cai-Daskalakis EC'22, Sec. 3 (II): a latent type z buys from a menu of entries e (an interim
lottery over bundles xbar_e and a price p_e) the entry of largest utility
U_e(z) = sum_b xbar_e[b] v^A(z, b) - p_e, or nothing (utility 0). Posted bundle prices
(``recmech.core.auctions.BundleMenu``) and the off-support reports of a table mechanism
(``recmech.core.optimal.TabularMechanism``, "menu") are both such menus.

Ties. Revenue depends on how ties are broken, and a tie is exact only in exact arithmetic: an
LP's prices and lotteries carry the solver's error. So a tie is decided at the mechanism's own
accuracy (``utility_tolerance``), definition: entries within

    tol(z) = (2 accuracy + (r + 1) eps) (1 + sum_b |v^A(z, b)| + max_e |p_e|)

of the best count as tied, where ``accuracy`` is the mechanism's stated error of one interim
allocation probability or price (0 for prices given exactly; for a table, its certified BIC
violation ``table_accuracy``: binding BIC rows are exact ties of the true optimum, so the
violation the solver leaves on them is the size of its error), eps the float64 machine epsilon
and r the number of terms of one utility (rounding of the sum). The factor 2: the computed
utilities of two entries tied in exact arithmetic each carry one entry's error (the LP menu on
an aligned lattice is decided as in exact rationals: tests/test_mech_batched.py). Among tied
entries the dearer wins, then the lower index (``menu_pick``); a type indifferent between
buying and nothing buys.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from recmech.core.batch import BatchOutcome
from recmech.core.gate import real, real_array, whole
from recmech.core.valuations import Additive, CDemand, ConstrainedAdditive

__all__ = ["EPS", "TablePlan", "bundle_values", "menu_pick", "table_accuracy", "table_outcomes",
           "table_plan", "utility_tolerance"]

EPS = float(np.finfo(float).eps)


def utility_tolerance(accuracy: float, terms: int, scale) -> np.ndarray:
    """definition: tol = (2 accuracy + terms eps) (1 + scale), elementwise over ``scale``
    (the module docstring's tie tolerance; scale = sum_b |v(z, b)| + max_e |p_e|)."""
    accuracy, terms = real(accuracy, "accuracy", low=0.0), whole(terms, "terms", low=0)
    scale = real_array(scale, "scale") if np.ndim(scale) else real(scale, "scale")
    return (2.0 * accuracy + terms * EPS) * (1.0 + np.abs(np.asarray(scale, dtype=float)))


def bundle_values(valuation: ConstrainedAdditive, types: np.ndarray,
                  bundles: np.ndarray) -> np.ndarray:
    """definition: V[s, e] = v(types[s], bundles[e]) (Definition 5) for types (S, N) and fixed
    bundles
    (r, N): ``value_batch`` of each bundle, computed column by column over the items of the
    bundle when the best subset is every positive item (additive, or |S_e| <= c) or the best
    one (unit demand): the same terms summed in item order, without reductions along the short
    item axis (equal to ``value_batch`` to rounding, exactly below 8 items: tested)."""
    n = types.shape[0]
    out = np.zeros((n, bundles.shape[0]))
    cap = valuation.N if isinstance(valuation, Additive) else (
        valuation.c if isinstance(valuation, CDemand) else None)
    gains = valuation.mu[None, :] + types
    for e, mask in enumerate(bundles):
        items = np.flatnonzero(mask)
        if cap is not None and (cap >= items.size or cap == 1):
            acc = np.zeros(n)
            for j in items:
                g = np.maximum(gains[:, j], 0.0)
                acc = np.maximum(acc, g) if cap == 1 and items.size > 1 else acc + g
            out[:, e] = acc
        elif items.size:
            out[:, e] = valuation.value_batch(types, np.broadcast_to(mask, types.shape))
    return out


def menu_pick(util, prices, tol) -> np.ndarray:
    """The chosen entry of each row (or -1: nothing): ``util`` (S, r) utilities (-inf for an
    unavailable entry), ``prices`` (r,), ``tol`` (S,) the tie tolerance.

    Nothing when the best utility is below -tol; else among the entries within tol of the best
    the dearest, then the lowest index (the module docstring's rule)."""
    u = np.asarray(util, dtype=float)
    p = np.asarray(prices, dtype=float)
    if u.shape[1] == 0:
        return np.full(u.shape[0], -1)
    top = u.max(axis=1)
    tol = np.broadcast_to(np.asarray(tol, dtype=float), top.shape)
    tied = u >= (top - tol)[:, None]
    if np.all(p[1:] <= p[:-1]):
        best = np.argmax(tied, axis=1)      # entries listed dearest first: the first tied one
    else:
        best = np.argmax(np.where(tied, p[None, :], -np.inf), axis=1)
    return np.where(top >= -tol, best, -1)


@dataclass(frozen=True, kw_only=True)
class _Bidder:
    """One bidder's menu: distinct bundles (n_b, N), interim xbar (s, n_b) and prices (s,);
    ``dearest`` the support indices by price, dearest first (ties: lower index first), and
    ``first`` the support points' first coordinates sorted, to find exact reports fast."""

    bundles: np.ndarray
    xbar: np.ndarray
    pbar: np.ndarray
    points: np.ndarray
    dearest: np.ndarray
    first: np.ndarray

    @property
    def menu_x(self) -> np.ndarray:
        """xbar^T with the entries dearest first: (n_b, s)."""
        return self.xbar[self.dearest].T.copy()


class TablePlan:
    """What a table mechanism's batched outcomes need, computed once per mechanism: each
    bidder's menu, the table's marginals, bundle weights and payments, and (lazily) their
    averages over the laws of bidders mapped to nothing."""

    def __init__(self, A, valuations, table) -> None:  # noqa: N803
        from recmech.core.batch import others_probs, profiles_of

        self.A, self.valuations, self.table = A, tuple(valuations), table
        self.m, self.shape = table.m, table.shape
        self.bidders, self.weights = [], []
        for i in range(self.m):
            bundles, weights = table.bundle_table(i)
            prof, pr_o = profiles_of(table.shape, i), others_probs(table.probs, i)
            xbar = np.einsum("sob,o->sb", weights[prof], pr_o)
            pbar = table.payments[prof, i] @ pr_o
            pts = np.asarray(table.points[i], dtype=float)
            self.bidders.append(_Bidder(bundles=bundles, xbar=xbar, pbar=pbar, points=pts,
                                        dearest=np.argsort(-pbar, kind="stable"),
                                        first=np.sort(pts[:, 0])))
            self.weights.append(weights)
        n_a = table.allocations.shape[0]
        self.marginals = table.alloc_probs @ table.allocations.reshape(n_a, -1).astype(float)
        self._menus = [(b.menu_x, b.pbar[b.dearest]) for b in self.bidders]
        self._reduced: dict[tuple, tuple] = {}
        self._accuracy: float | None = None

    @property
    def accuracy(self) -> float:
        """``table_accuracy`` of the table (computed once)."""
        if self._accuracy is None:
            worst = 0.0
            for i, b in enumerate(self.bidders):
                vals = self.values(i, b.points @ self.A.T)
                own = np.einsum("sb,sb->s", vals, b.xbar) - b.pbar
                for lo, hi in _chunks(vals.shape[0], b.pbar.size):
                    util = vals[lo:hi] @ b.xbar.T - b.pbar[None, :]
                    worst = max(worst, float(np.max(util - own[lo:hi, None])))
            self._accuracy = worst
        return self._accuracy

    def values(self, i: int, types: np.ndarray) -> np.ndarray:
        """V[s, b] = v_i(types[s], bundles_i[b]) for types (S, N) (``bundle_values``)."""
        return bundle_values(self.valuations[i], types, self.bidders[i].bundles)

    def tolerance(self, i: int, vals: np.ndarray) -> np.ndarray:
        """The tie tolerance of bidder i's menu for the value rows ``vals`` (S, n_b)."""
        b = self.bidders[i]
        scale = np.abs(vals).sum(axis=1) + (np.abs(b.pbar).max() if b.pbar.size else 0.0)
        return utility_tolerance(self.accuracy, b.xbar.shape[1] + 1, scale)

    def menu(self, i: int, z: np.ndarray) -> np.ndarray:
        """Bidder i's menu choice (support index, -1 nothing) for latent types z (S, k); the
        entries are scanned dearest first, so the first tied one is the rule's."""
        b = self.bidders[i]
        menu_x, prices = self._menus[i]
        vals = self.values(i, z @ self.A.T)
        util = vals @ menu_x
        util -= prices[None, :]
        pick = menu_pick(util, prices, self.tolerance(i, vals))
        return np.where(pick >= 0, b.dearest[np.maximum(pick, 0)], -1)

    def report_indices(self, bids: np.ndarray, off_support: str) -> np.ndarray:
        """(S, m) support index of each report (-1: nothing), as ``report_index`` per report:
        the lowest index within 1e-12 in l_inf, else by ``off_support``. Off "nearest", only
        the reports whose first coordinate is within 1e-12 of a support point's are compared
        with the whole support. Rows go in chunks of about 2^20 (row, support point) pairs."""
        largest = max(b.pbar.size for b in self.bidders)
        return np.concatenate([self._indices(bids[lo:hi], off_support)
                               for lo, hi in _chunks(bids.shape[0], largest)]
                              or [np.zeros((0, self.m), dtype=np.int64)])

    def _indices(self, bids: np.ndarray, off_support: str) -> np.ndarray:
        n = bids.shape[0]
        idx = np.full((n, self.m), -1, dtype=np.int64)
        for i, b in enumerate(self.bidders):
            z = bids[:, i, :]
            if off_support == "nearest":
                near = np.arange(n)
            else:
                pos = np.searchsorted(b.first, z[:, 0])
                above = b.first[np.minimum(pos, b.first.size - 1)] - z[:, 0]
                below = z[:, 0] - b.first[np.maximum(pos - 1, 0)]
                near = np.flatnonzero((np.abs(above) <= 1e-12) | (np.abs(below) <= 1e-12))
            hit = np.zeros(n, dtype=bool)
            if near.size:
                dist = np.zeros((near.size, b.points.shape[0]))
                for col in range(z.shape[1]):
                    np.maximum(dist, np.abs(z[near, col, None] - b.points[None, :, col]),
                               out=dist)
                nearest = np.argmin(dist, axis=1)
                close = dist[np.arange(near.size), nearest] <= 1e-12
                keep = close | (off_support == "nearest")
                idx[near[keep], i] = nearest[keep]
                hit[near[keep]] = True
            off = ~hit
            if not off.any():
                continue
            if off_support == "error":
                s = int(np.flatnonzero(off)[0])
                raise ValueError(f"bids[{i}] = {z[s].tolist()} is not a support point of bidder "
                                 f"{i}'s law (off_support='error')")
            idx[off, i] = self.menu(i, z[off])
        return idx

    def reduced(self, nulls: tuple) -> tuple:
        """The marginals, payments and bundle weights averaged over the laws of the bidders in
        ``nulls`` (their axes summed out with their probabilities), indexed by the others."""
        if nulls not in self._reduced:
            def fold(arr: np.ndarray) -> np.ndarray:
                out = arr.reshape(self.shape + arr.shape[1:])
                for i in sorted(nulls, reverse=True):
                    out = np.tensordot(self.table.probs[i], out, axes=([0], [i]))
                live = [s for i, s in enumerate(self.shape) if i not in nulls]
                return out.reshape((int(np.prod(live)),) + arr.shape[1:])
            self._reduced[nulls] = (fold(self.marginals), fold(self.table.payments),
                                    [fold(w) for w in self.weights])
        return self._reduced[nulls]

    def outcomes(self, bids: np.ndarray, off_support: str) -> BatchOutcome:
        """The table mechanism's outcomes (``TabularMechanism._outcome`` per profile)."""
        n, N = bids.shape[0], self.A.shape[0]  # noqa: N806
        idx = self.report_indices(bids, off_support)
        alloc = np.zeros((n, self.m * N))
        pay = np.zeros((n, self.m))
        weights = [np.zeros((n, b.bundles.shape[0])) for b in self.bidders]
        code = (idx < 0) @ (1 << np.arange(self.m))        # the set of bidders mapped to nothing
        counts = np.bincount(code, minlength=1 << self.m)
        order = np.argsort(code, kind="stable") if np.count_nonzero(counts) > 1 else None
        bounds = np.concatenate([[0], np.cumsum(counts)])
        for c in np.flatnonzero(counts):
            rows = slice(None) if order is None else order[bounds[c]:bounds[c + 1]]
            nulls = tuple(i for i in range(self.m) if c >> i & 1)
            if len(nulls) == self.m:
                continue
            marg, pays, bundle_w = self.reduced(nulls)
            live = [i for i in range(self.m) if i not in nulls]
            at = np.ravel_multi_index(tuple(idx[rows, i] for i in live),
                                      tuple(self.shape[i] for i in live)) if nulls else \
                np.ravel_multi_index(tuple(idx[rows].T), self.shape)
            alloc[rows] = marg[at]
            pay[rows] = pays[at]
            for i in live:
                weights[i][rows] = bundle_w[i][at]
            for i in nulls:
                alloc[rows, i * N:(i + 1) * N] = 0.0
                pay[rows, i] = 0.0
        return BatchOutcome(alloc_prob=alloc.reshape(n, self.m, N), payments=pay,
                            bundles=tuple((b.bundles, w) for b, w in
                                          zip(self.bidders, weights, strict=True)))


def _chunks(n: int, width: int, pairs: int = 1 << 20):
    """Row ranges of about ``pairs`` / ``width`` rows: (rows x width) work arrays of ~8 MB."""
    step = max(1, pairs // max(width, 1))
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)]


_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def table_plan(mechanism) -> TablePlan:
    """The ``TablePlan`` of a table mechanism (anything with ``A``, ``valuations`` and a
    ``MechanismTable`` ``table``), computed on first use and kept with the mechanism."""
    plan = _PLANS.get(mechanism)
    if plan is None or plan.table is not mechanism.table:
        plan = TablePlan(mechanism.A, mechanism.valuations, mechanism.table)
        _PLANS[mechanism] = plan
    return plan


def table_accuracy(mechanism) -> float:
    """A table mechanism's accuracy: its certified BIC violation on its support,
    max_{i, s, s'} U_i(s -> s') - U_i(s -> s) (Sec. 2.1 eps-BIC), recomputed from the table
    (for an LP optimum: ``OptimalLPResult.max_ic_violation`` of the table as played)."""
    return table_plan(mechanism).accuracy


def table_outcomes(mechanism, bids: np.ndarray) -> BatchOutcome:
    """The batched outcomes of a table mechanism (``table_plan``; ``mechanism.off_support``)."""
    return table_plan(mechanism).outcomes(bids, mechanism.off_support)
