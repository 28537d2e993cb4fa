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

__all__ = ["EPS", "TablePlan", "menu_pick", "table_accuracy", "table_outcomes", "table_plan",
           "utility_tolerance"]

EPS = float(np.finfo(float).eps)


def utility_tolerance(accuracy: float, terms: int, scale) -> np.ndarray:
    """definition: tol = (2 accuracy + terms eps) (1 + scale), elementwise over ``scale``
    (the module docstring's tie tolerance; scale = sum_b |v(z, b)| + max_e |p_e|)."""
    return (2.0 * float(accuracy) + terms * EPS) * (1.0 + np.abs(np.asarray(scale, dtype=float)))


def menu_pick(util, prices, tol) -> np.ndarray:
    """The chosen entry of each row (or -1: nothing): ``util`` (S, r) utilities (-inf for an
    unavailable entry), ``prices`` (r,), ``tol`` (S,) the tie tolerance.

    Nothing when the best utility is below -tol; else among the entries within tol of the best
    the dearest, then the lowest index (the module docstring's rule)."""
    u = np.asarray(util, dtype=float)
    top = u.max(axis=1) if u.shape[1] else np.full(u.shape[0], -np.inf)
    tol = np.broadcast_to(np.asarray(tol, dtype=float), top.shape)
    tied = u >= (top - tol)[:, None]
    key = np.where(tied, np.asarray(prices, dtype=float)[None, :], -np.inf)
    best = np.argmax(key, axis=1) if u.shape[1] else np.zeros(u.shape[0], dtype=int)
    return np.where(top >= -tol, best, -1)


@dataclass(frozen=True, kw_only=True)
class _Bidder:
    """One bidder's menu: distinct bundles (n_b, N), interim xbar (s, n_b) and prices (s,)."""

    bundles: np.ndarray
    xbar: np.ndarray
    pbar: np.ndarray
    points: np.ndarray


class TablePlan:
    """What a table mechanism's batched outcomes need, computed once per mechanism: each
    bidder's menu, the table's marginals, bundle weights and payments, and (lazily) their
    averages over the laws of bidders mapped to nothing."""

    def __init__(self, A, valuations, table) -> None:  # noqa: N803
        from recmech.core.optimal import others_probs, profiles_of

        self.A, self.valuations, self.table = A, tuple(valuations), table
        self.m, self.shape = table.m, table.shape
        self.bidders, self.weights = [], []
        for i in range(self.m):
            bundles, weights = table.bundle_table(i)
            prof, pr_o = profiles_of(table.shape, i), others_probs(table.probs, i)
            xbar = np.einsum("sob,o->sb", weights[prof], pr_o)
            pbar = table.payments[prof, i] @ pr_o
            self.bidders.append(_Bidder(bundles=bundles, xbar=xbar, pbar=pbar,
                                        points=np.asarray(table.points[i])))
            self.weights.append(weights)
        n_a = table.allocations.shape[0]
        self.marginals = table.alloc_probs @ table.allocations.reshape(n_a, -1).astype(float)
        self._reduced: dict[tuple, tuple] = {}
        self._accuracy: float | None = None

    @property
    def accuracy(self) -> float:
        """``table_accuracy`` of the table (computed once)."""
        if self._accuracy is None:
            worst = 0.0
            for i, b in enumerate(self.bidders):
                vals = self.values(i, b.points @ self.A.T)
                util = vals @ b.xbar.T - b.pbar[None, :]
                worst = max(worst, float(np.max(util - np.diag(util)[:, None])))
            self._accuracy = worst
        return self._accuracy

    def values(self, i: int, types: np.ndarray) -> np.ndarray:
        """V[s, b] = v_i(types[s], bundles_i[b]) for types (S, N)."""
        b = self.bidders[i].bundles
        v = self.valuations[i]
        return np.column_stack([v.value_batch(types, np.broadcast_to(mask, types.shape))
                                for mask in b]) if b.shape[0] else np.zeros((types.shape[0], 0))

    def tolerance(self, i: int, vals: np.ndarray) -> np.ndarray:
        """The tie tolerance of bidder i's menu for the value rows ``vals`` (S, n_b)."""
        b = self.bidders[i]
        scale = np.abs(vals).sum(axis=1) + (np.abs(b.pbar).max() if b.pbar.size else 0.0)
        return utility_tolerance(self.accuracy, b.xbar.shape[1] + 1, scale)

    def menu(self, i: int, z: np.ndarray) -> np.ndarray:
        """Bidder i's menu choice (support index, -1 nothing) for latent types z (S, k)."""
        b = self.bidders[i]
        vals = self.values(i, z @ self.A.T)
        util = vals @ b.xbar.T - b.pbar[None, :]
        return menu_pick(util, b.pbar, self.tolerance(i, vals))

    def report_indices(self, bids: np.ndarray, off_support: str) -> np.ndarray:
        """(S, m) support index of each report (-1: nothing), as ``report_index`` per report:
        the lowest index within 1e-12 in l_inf, else by ``off_support``."""
        n = bids.shape[0]
        idx = np.empty((n, self.m), dtype=np.int64)
        for i, b in enumerate(self.bidders):
            z = bids[:, i, :]
            dist = np.zeros((n, b.points.shape[0]))
            for col in range(z.shape[1]):
                np.maximum(dist, np.abs(z[:, col, None] - b.points[None, :, col]), out=dist)
            nearest = np.argmin(dist, axis=1)
            idx[:, i] = nearest
            off = dist[np.arange(n), nearest] > 1e-12
            if off_support == "nearest" or not off.any():
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
        nulls_of = idx < 0
        patterns, which = np.unique(nulls_of, axis=0, return_inverse=True)
        for p, pattern in enumerate(patterns):
            rows = np.flatnonzero(which.ravel() == p)
            nulls = tuple(int(i) for i in np.flatnonzero(pattern))
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
