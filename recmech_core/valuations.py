"""Constrained-additive valuations (Cai-Daskalakis EC'22, Definition 5).

v(t, S) = max_{T in I, T subset S} sum_{j in T} (mu_j + t_j), with I a downward-closed set system
over the N items and mu a fixed vector of common base values. definition: The empty set is always in
I, so v(t, S) >= 0. If every T in I has |T| <= L, v is L-Lipschitz in ||.||_inf (Definition 4, and
the sentence after Definition 5): |v(t, S) - v(t', S)| <= L ||t - t'||_inf (claim:
project.lipschitz_valuation).
 A type ``t`` is an (N,) array, or any object with ``items(idx) -> values`` (a lazily evaluated
type, so a bundle of a few items of a 10^7-item universe costs O(|bundle| k), not O(N)).
A bundle is a boolean (N,) mask or an integer array of item indices.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable

import numpy as np

from recmech.core.laws import as_finite_array

__all__ = ["Additive", "CDemand", "ConstrainedAdditive", "DownwardClosed", "UnitDemand"]


class ConstrainedAdditive(abc.ABC):
    """v(t, S) = max_{T in I cap 2^S} sum_{j in T} (mu_j + t_j) (Definition 5)."""

    mu: np.ndarray
    lipschitz: float

    def __init__(self, mu) -> None:
        self.mu = as_finite_array(mu, "mu", ndim=1)
        if self.mu.shape[0] == 0:
            raise ValueError("mu must have N >= 1 entries; found 0")
        with np.errstate(over="ignore"):  # a bundle's value sums the mu_j: keep room for t
            if not np.isfinite(4.0 * np.abs(self.mu).sum()):
                raise ValueError("mu: sum_j |mu_j| must be below 4.5e307 (a bundle's value is "
                                 "their sum); found larger")

    @property
    def N(self) -> int:  # noqa: N802 - the paper's name for the number of items
        return int(self.mu.shape[0])

    def _bundle_indices(self, bundle) -> np.ndarray:
        arr = np.asarray(bundle)
        if arr.dtype == bool:
            if arr.shape != (self.N,):
                raise ValueError(f"bundle mask must have shape ({self.N},); found {arr.shape}")
            return np.flatnonzero(arr)
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"bundle must be a boolean (N,) mask or a 1-d integer index array; "
                            f"found dtype {arr.dtype}, shape {arr.shape}")
        if arr.min() < 0 or arr.max() >= self.N:
            raise ValueError(f"bundle indices must lie in [0, {self.N}); found "
                             f"[{arr.min()}, {arr.max()}]")
        if np.unique(arr).size != arr.size:
            raise ValueError("bundle indices must be distinct; found repeats")
        return arr.astype(np.int64)

    def _gains(self, t, idx: np.ndarray) -> np.ndarray:
        """mu_j + t_j for j in idx, evaluating a lazy type only on idx."""
        if hasattr(t, "items") and not isinstance(t, np.ndarray):
            vals = as_finite_array(t.items(idx), "t", ndim=1, shape=idx.shape)
        else:
            full = as_finite_array(t, "t", ndim=1)
            if full.shape != (self.N,):
                raise ValueError(f"t must have shape ({self.N},) (one value per item); "
                                 f"found {full.shape}")
            vals = full[idx]
        with np.errstate(over="ignore"):
            if not np.isfinite(np.abs(vals).sum() + np.abs(self.mu[idx]).sum()):
                raise ValueError("t: sum over the bundle of |mu_j| + |t_j| exceeds float64")
        return self.mu[idx] + vals

    @abc.abstractmethod
    def _best_positions(self, idx: np.ndarray, gains: np.ndarray) -> np.ndarray:
        """Positions into ``idx`` of an optimal T subset of the bundle."""

    def best_subset(self, t, bundle) -> np.ndarray:
        """definition: A boolean (N,) mask of an argmax T in I, T subset bundle (empty if no gain is
        > 0)."""
        idx = self._bundle_indices(bundle)
        mask = np.zeros(self.N, dtype=bool)
        if idx.size:
            gains = self._gains(t, idx)
            mask[idx[self._best_positions(idx, gains)]] = True
        return mask

    def value(self, t, bundle) -> float:
        """v(t, bundle) = max_{T in I, T subset bundle} sum_{j in T} (mu_j + t_j)."""
        idx = self._bundle_indices(bundle)
        if idx.size == 0:
            return 0.0
        gains = self._gains(t, idx)
        return float(gains[self._best_positions(idx, gains)].sum())

    def _check_batch(self, types, bundles) -> tuple[np.ndarray, np.ndarray]:
        t = as_finite_array(types, "types", ndim=2)
        if t.shape[1] != self.N:
            raise ValueError(f"types must have shape (n, {self.N}) (one row per type); found "
                             f"{t.shape}")
        b = np.asarray(bundles)
        if b.dtype != bool or b.shape != t.shape:
            raise ValueError(f"bundles must be a boolean array of shape {t.shape} (one mask per "
                             f"type); found {b.dtype} {b.shape}")
        return t, b

    def _best_masks(self, gains: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        """Row by row ``best_subset``; subclasses with a closed form vectorise it."""
        out = np.zeros(gains.shape, dtype=bool)
        for r in range(gains.shape[0]):
            idx = np.flatnonzero(allowed[r])
            if idx.size:
                out[r, idx[self._best_positions(idx, gains[r, idx])]] = True
        return out

    def best_subset_batch(self, types, bundles) -> np.ndarray:
        """``best_subset(types[r], bundles[r])`` for every row r: an (n, N) boolean array.

        types (n, N), bundles (n, N) bool. Same argmax (and the same tie-breaking) as the
        one-type method; c-demand and additive bidders are vectorised over the rows.
        """
        t, b = self._check_batch(types, bundles)
        return self._best_masks(self.mu[None, :] + t, b)

    def value_batch(self, types, bundles) -> np.ndarray:
        """``value(types[r], bundles[r])`` for every row r (Definition 5): an (n,) array."""
        t, b = self._check_batch(types, bundles)
        gains = self.mu[None, :] + t
        return np.where(self._best_masks(gains, b), gains, 0.0).sum(axis=1)


def _top_positive(gains: np.ndarray, c: int) -> np.ndarray:
    positive = np.flatnonzero(gains > 0)
    if positive.size <= c:
        return positive
    order = np.argsort(-gains[positive], kind="stable")
    return positive[order[:c]]


class CDemand(ConstrainedAdditive):
    """definition: c-demand: I = {T : |T| <= c} (Sec. 3, footnote 2); Lipschitz constant c."""

    def __init__(self, c: int, mu) -> None:
        super().__init__(mu)
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)):
            raise TypeError(f"c must be an int; found {type(c).__name__}")
        if c < 1:
            raise ValueError(f"c must be >= 1; found {c}")
        self.c = int(c)
        self.lipschitz = float(min(self.c, self.N))

    def _best_positions(self, idx, gains):
        return _top_positive(gains, self.c)

    def _best_masks(self, gains, allowed):
        positive = allowed & (gains > 0)
        if self.c >= self.N:
            return positive
        out = np.zeros(gains.shape, dtype=bool)
        rows = np.arange(gains.shape[0])
        if self.c == 1:
            # argmax returns the first maximiser: the lowest index, as the stable sort does
            best = np.argmax(np.where(positive, gains, -np.inf), axis=1)
            out[rows, best] = positive[rows, best]
            return out
        # stable sort on -gain: ties go to the lower index, exactly as ``_top_positive``
        order = np.argsort(np.where(positive, -gains, np.inf), axis=1, kind="stable")[:, :self.c]
        out[rows[:, None], order] = positive[rows[:, None], order]
        return out


class UnitDemand(CDemand):
    """definition: Unit demand: I = {T : |T| <= 1} (Definition 5, example); Lipschitz constant 1."""

    def __init__(self, mu) -> None:
        super().__init__(1, mu)


class Additive(ConstrainedAdditive):
    """Additive: I = 2^[N]; v(t, S) = sum_{j in S} max(mu_j + t_j, 0); Lipschitz constant N."""

    def __init__(self, mu) -> None:
        super().__init__(mu)
        self.lipschitz = float(self.N)

    def _best_positions(self, idx, gains):
        return np.flatnonzero(gains > 0)

    def _best_masks(self, gains, allowed):
        return allowed & (gains > 0)


class DownwardClosed(ConstrainedAdditive):
    """An explicit downward-closed family I, given by generating sets (Definition 5).

    I is the downward closure of ``family``: every subset of a listed set is feasible (so the
    family is closed downward on construction; the maximal sets are kept). Because I is
    downward closed, the best T inside a maximal set M is the positive-gain part of M cap S, so
    v(t, S) = max_M sum_{j in M cap S} max(mu_j + t_j, 0). Lipschitz constant max_M |M|.
    """

    def __init__(self, family: Iterable[Iterable[int]], mu) -> None:
        super().__init__(mu)
        sets: set[frozenset[int]] = set()
        try:
            members = [tuple(member) for member in family]
        except TypeError:
            raise TypeError("family must be an iterable of tuples of item indices; found "
                            f"{type(family).__name__}") from None
        for items in members:
            for j in items:
                if isinstance(j, bool) or not isinstance(j, (int, np.integer)):
                    raise TypeError(f"family members must be tuples of int item indices; "
                                    f"found {items!r}")
                if not 0 <= j < self.N:
                    raise ValueError(f"family item indices must lie in [0, {self.N}); "
                                     f"found {j} in {items!r}")
            if len(set(items)) != len(items):
                raise ValueError(f"family members must not repeat an item; found {items!r}")
            sets.add(frozenset(int(j) for j in items))
        maximal = [s for s in sets if not any(s < other for other in sets)]
        self.maximal_sets: tuple[tuple[int, ...], ...] = tuple(
            sorted((tuple(sorted(s)) for s in maximal), key=lambda m: (len(m), m)))
        self.lipschitz = float(max((len(m) for m in self.maximal_sets), default=0))

    def contains(self, subset: Iterable[int]) -> bool:
        """Is ``subset`` in I (a subset of some generating set)?"""
        s = frozenset(int(j) for j in subset)
        return not s or any(s <= frozenset(m) for m in self.maximal_sets)

    def _best_positions(self, idx, gains):
        where = {int(j): p for p, j in enumerate(idx)}
        best, best_val = np.zeros(0, dtype=np.int64), 0.0
        for m in self.maximal_sets:
            pos = np.array([where[j] for j in m if j in where], dtype=np.int64)
            if pos.size == 0:
                continue
            pos = pos[gains[pos] > 0]
            val = float(gains[pos].sum())
            if val > best_val:
                best, best_val = pos, val
        return best
