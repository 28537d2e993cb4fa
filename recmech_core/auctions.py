"""Mechanisms researchers use next to the paper's: bundle menus, second price with reserve, and
Myerson's optimal single-item auction, all on latent bids (Cai-Daskalakis EC'22, Sec. 3 (II):
bidder i values bundle S at v_i^A(z, S) = v_i(A z, S)).

- ``BundleMenu``: posted bundle prices. Bidders in a fixed order each take the entry of largest
  utility v_i^A(b_i, S_e) - price_e among the entries whose items are all still unsold, or
  nothing (utility 0). Ties go to the higher price, then to the lower entry index (documented
  rule: the seller's choice; revenue does not depend on how entries are listed, only on which
  entries tie): a type indifferent between buying and nothing buys. A tie is decided at the
  menu's accuracy (``recmech.core.menus.utility_tolerance``: the stated ``accuracy`` of the
  prices, 0 when they are exact, plus the rounding of the sums). DSIC and IR.
- ``SecondPriceReserve``: one item, each bidder's value v_i = v_i^A(b_i, {item}); the highest
  value at or above the reserve (ties: lower bidder index) wins and pays max(reserve, the
  highest other value). DSIC and IR (Vickrey 1961).
- definition: ``myerson_auction``: the revenue-optimal single-item auction for independent finite
  value laws (Myerson 1981; the discrete form of Elkind 2007): with bidder i's support values
  v_1 < ... < v_n, probabilities f and F(v_k) = sum_{l <= k} f_l, the virtual values
  phi_k = v_k - (v_{k+1} - v_k) (1 - F(v_k)) / f_k (phi_n = v_n) are ironed (the weighted
  isotonic regression of phi with weights f: the slopes of the convex hull of the cumulative
  virtual welfare); the item goes to the largest ironed virtual value if it is >= 0 (ties: lower
  index), at the lowest support value with which the winner would still win. A value between
  support points is read as the support point below it (below the lowest: never served; a
  value within the rounding of its sum, ``utility_tolerance`` at accuracy 0, of a support
  point is that point), so the rule is monotone and the threshold payment makes it DSIC and IR
  (checked: project.myerson_dsic). Its revenue equals the
  optimum of the BIC LP (``recmech.core.optimal``) on the same laws (tested).
"""

from __future__ import annotations

import numpy as np

from recmech.core.batch import BatchOutcome
from recmech.core.gate import real, real_array, whole
from recmech.core.laws import as_finite_law
from recmech.core.mechanisms import LatentMechanism, Outcome
from recmech.core.menus import bundle_values, menu_pick, utility_tolerance

__all__ = ["BundleMenu", "MyersonAuction", "SecondPriceReserve", "ironed_virtual_values",
           "myerson_auction"]


class BundleMenu(LatentMechanism):
    """Posted bundle prices (module docstring): ``bundles`` (r, N) bool masks or index lists,
    ``prices`` (r,) finite; ``order`` the bidders' turn order (default 0, 1, ...);
    ``accuracy`` the stated error of each price (0: exact; e.g. the tolerance of the solver that
    computed them), which sets the tie tolerance."""

    def __init__(self, A, valuations, bundles, prices, order=None,  # noqa: N803
                 accuracy: float = 0.0) -> None:
        super().__init__(A, valuations)
        masks = []
        for e, b in enumerate(bundles):
            arr = np.asarray(b)
            if arr.dtype == bool:
                if arr.shape != (self.N,):
                    raise ValueError(f"bundles[{e}] must be a bool ({self.N},) mask; found "
                                     f"{arr.shape}")
                masks.append(arr.copy())
            else:
                mask = np.zeros(self.N, dtype=bool)
                idx = [whole(j, f"bundles[{e}] item", low=0, high=self.N - 1) for j in
                       np.atleast_1d(b).tolist()]
                mask[idx] = True
                masks.append(mask)
        if not masks:
            raise ValueError("bundles must list at least one entry; found none")
        self.bundles = np.array(masks)
        self.prices = real_array(prices, "prices", ndim=1, shape=(len(masks),))
        self.order = tuple(range(self.m)) if order is None else tuple(
            whole(i, "order entry", low=0, high=self.m - 1) for i in order)
        if sorted(self.order) != list(range(self.m)):
            raise ValueError(f"order must be a permutation of range({self.m}); found {self.order}")
        self.accuracy = real(accuracy, "accuracy", low=0.0)
        # definition: the size of the terms summed into a value: |mu_j| + sum_l |A_jl| z_l per
        # item, z <= 1
        self.magnitude = max(float(np.sum(np.abs(v.mu) + np.abs(self.A).sum(axis=1)))
                             for v in self.valuations)

    def tolerance(self, values: np.ndarray) -> np.ndarray:
        """definition: The tie tolerance for the entry values (S, r) (``utility_tolerance``: N k +
        N + 1
        terms of one utility, each at most the magnitude of the values and prices)."""
        scale = np.abs(values).max(axis=1) + np.abs(self.prices).max() + self.magnitude
        return utility_tolerance(self.accuracy, self.N * (self.k + 1) + 1, scale)

    def choice(self, i: int, t, available: np.ndarray) -> int:
        """Bidder i's entry (or -1 for nothing) among the available ones, ties to the higher
        price, then the lower index (``menu_pick``)."""
        ok = ~np.any(self.bundles & ~available[None, :], axis=1)
        v = self.valuations[i]
        vals = np.array([[v.value(t, b) for b in self.bundles]])
        util = np.where(ok[None, :], vals - self.prices[None, :], -np.inf)
        return int(menu_pick(util, self.prices, self.tolerance(vals))[0])

    def payment_range(self, lo=0.0, hi=1.0) -> np.ndarray:
        """A bidder pays one entry's price or nothing: [min(0, min price), max(0, max price)]
        (checked: every sampled payment, in ``monte_carlo_revenue``)."""
        low, high = min(0.0, float(self.prices.min())), max(0.0, float(self.prices.max()))
        return np.tile([low, high], (self.m, 1))

    def _outcomes(self, bids: np.ndarray) -> BatchOutcome:
        """Vectorised over the profiles, bidder by bidder in ``order``: the same values, the
        same rule (``menu_pick``) as ``outcome``."""
        n = bids.shape[0]
        types = bids @ self.A.T
        # entry f stays available until an entry sharing an item with it is sold
        overlap = (self.bundles.astype(np.int64) @ self.bundles.T.astype(np.int64)) > 0
        ok = np.ones((n, self.bundles.shape[0]), dtype=bool)
        alloc = np.zeros((n, self.m, self.N))
        pay = np.zeros((n, self.m))
        rows = np.arange(n)
        for i in self.order:
            v = self.valuations[i]
            vals = bundle_values(v, types[:, i], self.bundles)
            util = np.where(ok, vals - self.prices[None, :], -np.inf)
            e = menu_pick(util, self.prices, self.tolerance(vals))
            sold = np.flatnonzero(e >= 0)
            alloc[sold, i] = self.bundles[e[sold]]
            pay[sold, i] = self.prices[e[sold]]
            ok[rows[sold]] &= ~overlap[e[sold]]
        return BatchOutcome(alloc_prob=alloc, payments=pay)

    def _outcome(self, bids: np.ndarray) -> Outcome:
        types = bids @ self.A.T
        available = np.ones(self.N, dtype=bool)
        alloc = np.zeros((self.m, self.N), dtype=bool)
        pay = np.zeros(self.m)
        for i in self.order:
            e = self.choice(i, types[i], available)
            if e >= 0:
                alloc[i] = self.bundles[e]
                pay[i] = self.prices[e]
                available &= ~self.bundles[e]
        return Outcome(lottery=((1.0, alloc),), payments=pay)


class _SingleItem(LatentMechanism):
    def __init__(self, A, valuations, item: int) -> None:  # noqa: N803
        super().__init__(A, valuations)
        self.item = whole(item, "item", low=0, high=self.N - 1)
        self.item_bundle = np.zeros(self.N, dtype=bool)
        self.item_bundle[self.item] = True

    def values(self, bids: np.ndarray) -> np.ndarray:
        """v_i^A(b_i, {item}) for every bidder."""
        types = bids @ self.A.T
        return np.array([v.value(types[i], self.item_bundle) for i, v in
                         enumerate(self.valuations)])

    def values_batch(self, bids: np.ndarray) -> np.ndarray:
        """v_i^A(b_{s,i}, {item}) for every profile s and bidder i: (S, m)."""
        types = bids @ self.A.T
        mask = np.broadcast_to(self.item_bundle, (bids.shape[0], self.N))
        return np.column_stack([v.value_batch(types[:, i], mask)
                                for i, v in enumerate(self.valuations)])

    def _sold_batch(self, winner: np.ndarray, price: np.ndarray) -> BatchOutcome:
        n = winner.shape[0]
        alloc = np.zeros((n, self.m, self.N))
        pay = np.zeros((n, self.m))
        rows = np.flatnonzero(winner >= 0)
        alloc[rows, winner[rows], self.item] = 1.0
        pay[rows, winner[rows]] = price[rows]
        return BatchOutcome(alloc_prob=alloc, payments=pay)

    def _sold(self, winner: int, price: float) -> Outcome:
        alloc = np.zeros((self.m, self.N), dtype=bool)
        pay = np.zeros(self.m)
        if winner >= 0:
            alloc[winner, self.item] = True
            pay[winner] = price
        return Outcome(lottery=((1.0, alloc),), payments=pay)


class SecondPriceReserve(_SingleItem):
    """Second price with reserve on one item (module docstring)."""

    def __init__(self, A, valuations, reserve: float = 0.0, item: int = 0) -> None:  # noqa: N803
        super().__init__(A, valuations, item)
        self.reserve = real(reserve, "reserve")

    def _outcome(self, bids: np.ndarray) -> Outcome:
        vals = self.values(bids)
        ok = np.flatnonzero(vals >= self.reserve)
        if ok.size == 0:
            return self._sold(-1, 0.0)
        winner = int(ok[np.argmax(vals[ok])])
        others = np.delete(vals, winner)
        return self._sold(winner, float(max(self.reserve, others.max(initial=-np.inf))))

    def payment_range(self, lo=0.0, hi=1.0) -> np.ndarray:
        """The winner pays max(reserve, the second value) <= its own value: [min(0, reserve),
        max(0, vmax_i)] over the box (checked: project.payment_range)."""
        return np.column_stack([np.full(self.m, min(0.0, self.reserve)),
                                np.maximum(0.0, self.value_range(lo, hi))])

    def _outcomes(self, bids: np.ndarray) -> BatchOutcome:
        """Vectorised: the first highest value at or above the reserve wins (as ``outcome``)."""
        vals = self.values_batch(bids)
        bid = np.where(vals >= self.reserve, vals, -np.inf)
        winner = np.argmax(bid, axis=1)
        rows = np.arange(vals.shape[0])
        sold = np.isfinite(bid[rows, winner])
        others = vals.copy()
        others[rows, winner] = -np.inf
        price = np.maximum(self.reserve, others.max(axis=1))
        return self._sold_batch(np.where(sold, winner, -1), price)


def ironed_virtual_values(values, probs) -> np.ndarray:
    """definition: The ironed discrete virtual values (module docstring) of the law sum_k probs_k
    delta(values_k), values strictly increasing: pool-adjacent-violators with weights probs."""
    v = real_array(values, "values", ndim=1)
    f = real_array(probs, "probs", ndim=1, shape=v.shape, low=0.0)
    if v.size == 0 or np.any(np.diff(v) <= 0) or np.any(f <= 0):
        raise ValueError("values must be strictly increasing with probs > 0; found "
                         f"{v.tolist()} with {f.tolist()}")
    upper = 1.0 - np.cumsum(f)
    phi = v.copy()
    phi[:-1] = v[:-1] - (v[1:] - v[:-1]) * np.maximum(upper[:-1], 0.0) / f[:-1]
    blocks: list[list[float]] = []  # [weighted mean, weight, count]
    for p, w in zip(phi, f, strict=True):
        blocks.append([p, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    return np.concatenate([np.full(c, m) for m, _, c in blocks])


class MyersonAuction(_SingleItem):
    """definition: Myerson's optimal auction on one item for finite value laws (module docstring);
    ``supports[i]`` the strictly increasing values, ``ironed[i]`` their ironed virtual values."""

    def __init__(self, A, valuations, supports, ironed, item: int = 0) -> None:  # noqa: N803
        super().__init__(A, valuations, item)
        if len(supports) != self.m or len(ironed) != self.m:
            raise ValueError(f"supports, ironed must give one array per bidder ({self.m})")
        self.supports = [real_array(s, f"supports[{i}]", ndim=1) for i, s in enumerate(supports)]
        self.ironed = [real_array(g, f"ironed[{i}]", ndim=1, shape=self.supports[i].shape)
                       for i, g in enumerate(ironed)]

    def _level(self, i: int, value: float) -> int:
        """The index of the support point at or below ``value`` (-1: below the support)."""
        return int(self._levels(i, np.array([value]))[0])

    def _levels(self, i: int, values: np.ndarray) -> np.ndarray:
        """definition: ``_level`` of every value; a value within the rounding of its sum (k + 1
        terms of
        size at most |mu| + ||A_item||_1 for bids in [0,1]^k) of a support point counts as
        that point."""
        row = np.abs(self.A[self.item]).sum() + abs(self.valuations[i].mu[self.item])
        tol = utility_tolerance(0.0, self.k + 1, np.abs(values) + row)
        return np.searchsorted(self.supports[i], values + tol, side="right") - 1

    def payment_range(self, lo=0.0, hi=1.0) -> np.ndarray:
        """The winner pays one of its support values: [min(0, min support_i), max(0, max
        support_i)] (checked: project.payment_range)."""
        return np.array([[min(0.0, float(s[0])), max(0.0, float(s[-1]))]
                         for s in self.supports])

    def _outcomes(self, bids: np.ndarray) -> BatchOutcome:
        """Vectorised: levels by ``searchsorted``, the winner the first largest ironed virtual
        value >= 0, the threshold the first support point that still wins (the ironed values
        are non-decreasing (checked: project.myerson_dsic), so it is a ``searchsorted`` against the
        others' best:
        strictly above a lower index, at least a higher one)."""
        vals = self.values_batch(bids)
        n, m = vals.shape
        phis = np.full((n, m), -np.inf)
        for i in range(m):
            lev = self._levels(i, vals[:, i])
            phis[:, i] = np.where(lev >= 0, self.ironed[i][np.maximum(lev, 0)], -np.inf)
        live = np.where(phis >= 0, phis, -np.inf)
        winner = np.argmax(live, axis=1)
        rows = np.arange(n)
        sold = np.isfinite(live[rows, winner])
        price = np.zeros(n)
        for i in range(m):
            mine = np.flatnonzero(sold & (winner == i))
            if mine.size == 0:
                continue
            before = live[mine, :i].max(axis=1, initial=-np.inf)
            after = np.maximum(live[mine, i + 1:].max(axis=1, initial=-np.inf), 0.0)
            first = np.maximum(np.searchsorted(self.ironed[i], before, side="right"),
                               np.searchsorted(self.ironed[i], after, side="left"))
            price[mine] = self.supports[i][first]
        return self._sold_batch(np.where(sold, winner, -1), price)

    def _wins(self, i: int, phi_i: float, phis: np.ndarray) -> bool:
        if phi_i < 0:
            return False
        others = [(phis[j], j) for j in range(self.m) if j != i and np.isfinite(phis[j])
                  and phis[j] >= 0]
        return all(phi_i > p or (phi_i == p and i < j) for p, j in others)

    def _outcome(self, bids: np.ndarray) -> Outcome:
        vals = self.values(bids)
        levels = [self._level(i, float(v)) for i, v in enumerate(vals)]
        phis = np.array([self.ironed[i][s] if s >= 0 else -np.inf
                         for i, s in enumerate(levels)])
        for i in range(self.m):
            if levels[i] >= 0 and self._wins(i, float(phis[i]), phis):
                # threshold: the lowest support value that still wins against the same others
                first = next(s for s in range(levels[i] + 1)
                             if self._wins(i, float(self.ironed[i][s]), phis))
                return self._sold(i, float(self.supports[i][first]))
        return self._sold(-1, 0.0)


def myerson_auction(A, valuations, laws, item: int = 0) -> MyersonAuction:  # noqa: N803
    """Myerson's auction for the item's value laws induced by finite latent ``laws`` (any form
    ``as_finite_law`` accepts): bidder i's value v_i^A(z, {item}) for z ~ laws[i]."""
    # the mechanism with placeholder laws checks A, valuations and item first
    placeholder = MyersonAuction(A, valuations, [[0.0]] * len(tuple(valuations)),
                                 [[0.0]] * len(tuple(valuations)), item)
    laws = list(laws)
    if len(laws) != placeholder.m:
        raise ValueError(f"laws must give one finite law per bidder ({placeholder.m}); found "
                         f"{len(laws)}")
    supports, ironed = [], []
    for i, given in enumerate(laws):
        law = as_finite_law(given, f"laws[{i}]")
        types = law.points @ placeholder.A.T
        vals = np.array([placeholder.valuations[i].value(t, placeholder.item_bundle)
                         for t in types])
        uniq, inverse = np.unique(vals, return_inverse=True)
        mass = np.bincount(inverse.ravel(), weights=law.probs, minlength=uniq.size)
        keep = mass > 0
        supports.append(uniq[keep])
        ironed.append(ironed_virtual_values(uniq[keep], mass[keep] / mass[keep].sum()))
    return MyersonAuction(A, valuations, supports, ironed, item)
