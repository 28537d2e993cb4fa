"""A bidder as a price oracle (Cai-Daskalakis EC'22, Thm. 2).

definition: Thm. 2 queries are e_j^T t >= p?: "is the bidder willing to pay at least p + mu_j for
item j?", answered Yes/No. ``oracle.accepts(j, p)`` answers one; ``accepts_many(items, prices)``
answers one price per listed item (a batch of len(items) queries, counted as such).
``oracle.queries`` counts every answered query. ``oracle.eta`` is the declared answer noise (0 for a
truthful bidder).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from recmech.core.gate import real
from recmech.core.laws import as_finite_array

__all__ = ["NoisyOracle", "PriceOracle", "StrategicOracle", "TruthfulOracle"]


def _check_type(t) -> None:
    if not hasattr(t, "items"):
        raise TypeError(f"type must provide items(idx) (e.g. a LazyType); found {type(t).__name__}")


class PriceOracle:
    """definition: Base class: answers "t_j >= p?" from a type, counting queries."""

    eta: float = 0.0

    def __init__(self, type_) -> None:
        _check_type(type_)
        self.type = type_
        self.queries = 0

    def _values(self, items: np.ndarray) -> np.ndarray:
        """The values the answers are computed from (the type's, or a reported type's)."""
        return self.type.items(items)

    def _decide(self, items: np.ndarray, values: np.ndarray, prices: np.ndarray) -> np.ndarray:
        return values >= prices

    def _answer(self, items: np.ndarray, prices: np.ndarray) -> np.ndarray:
        return self._decide(items, self._values(items), prices)

    def bind(self, items) -> Callable[[np.ndarray], np.ndarray]:
        """An answerer for a fixed item list, validated once (the bisection's per-bidder path).

        definition: ``answer(prices)`` answers "t_j >= prices[i]?" for the first len(prices) listed
        items and counts that many queries. The prices are the caller's (finite by construction:
        midpoints of finite intervals) and are not checked again, and the type is evaluated once: a
        type's values do not change between rounds. A subclass that overrides ``_answer`` is
        asked through it every round.
        """
        items = np.asarray(items, dtype=np.int64).reshape(-1)
        if type(self)._answer is not PriceOracle._answer:
            def answer(prices: np.ndarray) -> np.ndarray:
                n = prices.shape[0]
                self.queries += n
                return np.asarray(self._answer(items[:n], prices.copy()), dtype=bool)
            return answer
        values = np.asarray(self._values(items), dtype=float)

        def answer(prices: np.ndarray) -> np.ndarray:
            n = prices.shape[0]
            self.queries += n
            return self._decide(items[:n], values[:n], prices)
        return answer

    def accepts_many(self, items, prices) -> np.ndarray:
        """definition: Answers to the queries t_{items[i]} >= prices[i]; counts len(items)
        queries."""
        items = np.asarray(items, dtype=np.int64).reshape(-1)
        prices = as_finite_array(prices, "prices", ndim=1, shape=items.shape)
        self.queries += int(items.size)
        return np.asarray(self._answer(items, prices), dtype=bool)

    def accepts(self, j: int, p: float) -> bool:
        """definition: Would the bidder pay p + mu_j for item j, i.e. is t_j >= p?"""
        return bool(self.accepts_many(np.array([j]), np.array([float(p)]))[0])


class TruthfulOracle(PriceOracle):
    """definition: Answers t_j >= p exactly (Definition 3's truthful interaction)."""


class NoisyOracle(PriceOracle):
    """definition: Answers correctly when |t_j - p| > eta and adversarially otherwise.

    ``adversary``: "up" (within eta say Yes: acts as t_j + eta), "down" (say No), "flip" (the
    wrong answer), a mapping item -> +1/-1 (per-item "up"/"down"; unlisted items answer
    truthfully), or a callable (j, p, t_j) -> bool.
    """

    def __init__(self, type_, eta: float,
                 adversary: str | Mapping[int, int] | Callable[[int, float, float], bool] = "flip"
                 ) -> None:
        super().__init__(type_)
        eta = real(eta, "eta", low=0.0)
        if isinstance(adversary, str) and adversary not in ("up", "down", "flip"):
            raise ValueError(f"adversary must be 'up', 'down', 'flip', a mapping or a callable; "
                             f"found {adversary!r}")
        self.eta, self.adversary = eta, adversary

    def _decide(self, items, values, prices):
        t = values
        truth = t >= prices
        near = np.abs(t - prices) <= self.eta
        adv = self.adversary
        if isinstance(adv, str):
            lie = {"up": np.ones_like(truth), "down": np.zeros_like(truth), "flip": ~truth}[adv]
        elif isinstance(adv, Mapping):
            direction = np.array([adv.get(int(j), 0) for j in items])
            lie = np.where(direction > 0, True, np.where(direction < 0, False, truth))
        else:
            lie = np.array([bool(adv(int(j), float(p), float(v)))
                            for j, p, v in zip(items, prices, t, strict=True)], dtype=bool)
        return np.where(near, lie, truth)


class StrategicOracle(PriceOracle):
    """Answers as if its type were ``report_type`` (a deviation from truthful interaction)."""

    def __init__(self, type_, report_type) -> None:
        super().__init__(type_)
        _check_type(report_type)
        self.report_type = report_type

    def _values(self, items):
        return self.report_type.items(items)
