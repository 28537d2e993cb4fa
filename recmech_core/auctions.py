"""Mechanisms researchers use next to the paper's: bundle menus, second price with reserve, and
Myerson's optimal single-item auction, all on latent bids (Cai-Daskalakis EC'22, Sec. 3 (II):
bidder i values bundle S at v_i^A(z, S) = v_i(A z, S)).

- ``BundleMenu``: posted bundle prices. Bidders in a fixed order each take the entry of largest
  utility v_i^A(b_i, S_e) - price_e among the entries whose items are all still unsold, or
  nothing (utility 0). Ties go to the higher price, then to the lower entry index (documented
  rule: the seller's choice; revenue does not depend on how entries are listed, only on which
  entries tie): a type indifferent between buying and nothing buys. DSIC and IR.
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
  support points is read as the support point below it (below the lowest: never served), so
  the rule is monotone and the threshold payment makes it DSIC and IR (checked:
  project.myerson_dsic). Its revenue equals the
  optimum of the BIC LP (``recmech.core.optimal``) on the same laws (tested).
"""

from __future__ import annotations

import numpy as np

from recmech.core.gate import real, real_array, whole
from recmech.core.laws import as_finite_law
from recmech.core.mechanisms import LatentMechanism, Outcome

__all__ = ["TIE_TOL", "BundleMenu", "MyersonAuction", "SecondPriceReserve", "ironed_virtual_values",
           "myerson_auction"]

TIE_TOL = 1e-12


def _is_tie(u: np.ndarray, top: float) -> np.ndarray:
    return u >= top - TIE_TOL * (1.0 + abs(top))


class BundleMenu(LatentMechanism):
    """Posted bundle prices (module docstring): ``bundles`` (r, N) bool masks or index lists,
    ``prices`` (r,) finite; ``order`` the bidders' turn order (default 0, 1, ...)."""

    def __init__(self, A, valuations, bundles, prices, order=None) -> None:  # noqa: N803
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

    def choice(self, i: int, t, available: np.ndarray) -> int:
        """Bidder i's entry (or -1 for nothing) among the available ones, ties to the higher
        price, then the lower index."""
        ok = np.flatnonzero(~np.any(self.bundles & ~available[None, :], axis=1))
        if ok.size == 0:
            return -1
        v = self.valuations[i]
        util = np.array([v.value(t, self.bundles[e]) for e in ok]) - self.prices[ok]
        top = float(util.max())
        if top < -TIE_TOL:
            return -1
        tied = ok[_is_tie(util, top)]
        return int(tied[np.argmax(self.prices[tied])])

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
        return int(np.searchsorted(self.supports[i], value + TIE_TOL * (1 + abs(value)),
                                   side="right")) - 1

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
