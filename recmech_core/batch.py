"""Batched outcomes: n bid profiles at once (the vectorised counterpart of ``Outcome``).

Every mechanism's batched path (``LatentMechanism.outcomes``) returns a ``BatchOutcome``; the
record and the vectorised VCG solvers live here, so exact measurement (``recmech.core.measure``)
and Monte Carlo revenue and IC estimates (``recmech.core.montecarlo``) run thousands of auctions
per second instead of one Python call per profile.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from recmech.core.gate import real_array, whole
from recmech.core.valuations import ConstrainedAdditive

__all__ = ["MAX_BATCH_COMBOS", "PROB_TOL", "TIE_TOL", "BatchOutcome", "combo_count",
           "loop_outcomes", "others_probs", "profiles_of", "vcg_additive", "vcg_enumerated"]

PROB_TOL = 1e-9
# batched VCG: the most candidate allocations per profile before falling back to the loop, and
# the relative welfare gap under which the argmax counts as tied (then the loop decides)
MAX_BATCH_COMBOS = 2048
TIE_TOL = 1e-9


@dataclass(frozen=True)
class BatchOutcome:
    """The outcomes of n bid profiles at once (the batched ``Outcome``, Sec. 2.1 x(b), p(b)).

    ``alloc_prob[s, i, j]`` = Pr[item j goes to bidder i] under profile s's lottery (the
    marginals of x(b)), ``payments[s, i]`` the expected payment. ``lotteries`` keeps every
    profile's full lottery when they were computed one by one (``None`` on vectorised paths).
    ``bundles`` (vectorised randomised paths, e.g. a table mechanism): per bidder i a pair
    (B_i, W_i), B_i (n_b, N) bool the bundles bidder i can get and W_i[s, b] = Pr[bidder i gets
    B_i[b] under profile s] (the rest of the mass: the empty bundle).

    Why keep the lotteries: E[v_i(t, S)] is not a function of the marginals for unit- or
    c-demand bidders (v is not linear in S when the lottery randomises). The marginals are exact
    for values only where bidder i's row is 0/1: then bidder i gets the same bundle under every
    allocation of positive probability. ``expected_values`` uses the marginals only there.
    """

    alloc_prob: np.ndarray
    payments: np.ndarray
    lotteries: tuple | None = None
    bundles: tuple | None = None

    def __post_init__(self) -> None:
        x = np.asarray(self.alloc_prob, dtype=float)
        pay = np.asarray(self.payments, dtype=float)
        if x.ndim != 3 or pay.shape != x.shape[:2]:
            raise ValueError(f"alloc_prob must be (n, m, N) and payments (n, m); found "
                             f"{x.shape} and {pay.shape}")
        if self.lotteries is not None and len(self.lotteries) != x.shape[0]:
            raise ValueError(f"lotteries must hold one lottery per profile ({x.shape[0]}); "
                             f"found {len(self.lotteries)}")
        if self.bundles is not None and (len(self.bundles) != x.shape[1] or any(
                w.shape != (x.shape[0], b.shape[0]) or b.shape[1:] != x.shape[2:]
                for b, w in self.bundles)):
            raise ValueError(f"bundles must hold one pair (B_i (n_b, N), W_i (n, n_b)) per bidder "
                             f"with n = {x.shape[0]}, N = {x.shape[2]}")
        object.__setattr__(self, "alloc_prob", x)
        object.__setattr__(self, "payments", pay)

    @property
    def n(self) -> int:
        return int(self.payments.shape[0])

    def expected_values(self, i: int, valuation: ConstrainedAdditive, types) -> np.ndarray:
        """E[v_i(types[s], x_i(b_s))] for every profile s: an (n,) array; types (n, N)."""
        t = np.asarray(types, dtype=float)
        if self.lotteries is not None:
            return np.array([sum(p * valuation.value(t[s], a[i]) for p, a in lot if p > 0)
                             for s, lot in enumerate(self.lotteries)])
        if self.bundles is not None:
            masks, weights = self.bundles[i]
            out = np.zeros(t.shape[0])
            for b, mask in enumerate(masks):
                live = weights[:, b] != 0
                if mask.any() and live.any():
                    out[live] += weights[live, b] * valuation.value_batch(
                        t[live], np.broadcast_to(mask, (int(live.sum()), mask.size)))
            return out
        row = self.alloc_prob[:, i, :]
        if np.any(np.minimum(row, np.abs(1.0 - row)) > PROB_TOL):
            raise ValueError(f"bidder {i}'s allocation randomises and the lotteries were not "
                             "kept: the expected value is not a function of the marginals")
        return valuation.value_batch(t, row > 0.5)

    def utilities(self, i: int, valuation: ConstrainedAdditive, types) -> np.ndarray:
        """u_i(t_s, M(b_s)) = E[v_i(t_s, x_i(b_s))] - p_i(b_s) per profile (Sec. 2.1)."""
        return self.expected_values(i, valuation, types) - self.payments[:, i]

    def to_dict(self) -> dict:
        return {"alloc_prob": self.alloc_prob.tolist(), "payments": self.payments.tolist(),
                "lotteries": None if self.lotteries is None else
                [[{"prob": float(p), "allocation": a.astype(int).tolist()} for p, a in lot]
                 for lot in self.lotteries],
                "bundles": None if self.bundles is None else
                [{"bundles": b.astype(int).tolist(), "weights": w.tolist()}
                 for b, w in self.bundles]}

    def deterministic(self) -> bool:
        """Whether every profile's allocation is one deterministic allocation (marginals 0/1)."""
        x = self.alloc_prob
        return bool(np.all(np.minimum(x, np.abs(1.0 - x)) <= PROB_TOL))

    def allocation(self, s: int) -> np.ndarray:
        """Profile s's allocation (m, N) bool, for a deterministic outcome (``deterministic``)."""
        return self.alloc_prob[s] > 0.5


def loop_outcomes(run, bids: np.ndarray, N: int) -> BatchOutcome:  # noqa: N803
    """Call ``run(bids[s])`` (an ``Outcome``) profile by profile: the reference batched path."""
    outs = [run(b) for b in bids]
    n, m = bids.shape[:2]
    alloc = np.zeros((n, m, N))
    pay = np.zeros((n, m))
    for s, out in enumerate(outs):
        pay[s] = out.payments
        for p, a in out.lottery:
            alloc[s] += p * a
    return BatchOutcome(alloc_prob=alloc, payments=pay, lotteries=tuple(o.lottery for o in outs))


def _rank_combos(caps: list[int], K: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
    """definition: Every choice of a rank set R_i subset range(K), |R_i| <= c_i, per bidder:
    ``pairs`` (n_combo, P) flat indices i*K + r (padding m*K) and ``owner`` (n_combo, P) (padding
    -1)."""
    m = len(caps)
    options = [[c for size in range(cap + 1) for c in itertools.combinations(range(K), size)]
               for cap in caps]
    width = max(sum(min(c, K) for c in caps), 1)
    pairs, owner = [], []
    for combo in itertools.product(*options):
        row = [i * K + r for i, ranks in enumerate(combo) for r in ranks]
        own = [i for i, ranks in enumerate(combo) for _ in ranks]
        pairs.append(row + [m * K] * (width - len(row)))
        owner.append(own + [-1] * (width - len(own)))
    return np.array(pairs, dtype=np.int64), np.array(owner, dtype=np.int64)


def combo_count(caps: list[int], K: int) -> int:  # noqa: N803
    if isinstance(caps, (str, bytes)) or not hasattr(caps, "__iter__"):
        raise TypeError(f"caps must be a list of capacities; found {type(caps).__name__}")
    caps, K = [whole(c, "caps", low=0) for c in caps], whole(K, "K", low=0)  # noqa: N806
    return math.prod(sum(math.comb(K, s) for s in range(c + 1)) for c in caps)


def vcg_additive(G: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # noqa: N803
    """Additive bidders: VCG separates into a second-price auction per item.

    definition: Item j goes to argmax_i (mu_ij + t_ij) if that is > 0 and its winner pays
    max(0, max_{l != i} (mu_lj + t_lj)); summing over items gives the Clarke payment.
    """
    G = real_array(G, "G", 3)  # noqa: N806
    n, m, N = G.shape  # noqa: N806
    winner = np.argmax(G, axis=1)
    top = np.take_along_axis(G, winner[:, None, :], axis=1)[:, 0, :]
    second = np.sort(G, axis=1)[:, -2, :] if m > 1 else np.full((n, N), -np.inf)
    sold = top > 0
    alloc = (winner[:, None, :] == np.arange(m)[None, :, None]) & sold[:, None, :]
    pay = np.where(alloc, np.maximum(second, 0.0)[:, None, :], 0.0).sum(axis=2)
    tied = np.any(sold & (top - second <= TIE_TOL * (1.0 + np.abs(top))), axis=1)
    return alloc, pay, tied


def vcg_enumerated(G: np.ndarray, caps: list[int]) -> tuple[np.ndarray, np.ndarray,  # noqa: N803
                                                              np.ndarray]:
    """c-demand bidders (c_i = cap): enumerate allocations among each bidder's top-K items.

    K = min(N, sum_i c_i): in any allocation bidder i can trade an item outside its top K for an
    unused one inside (the others hold <= K - c_i of them), weakly raising welfare; so the
    optimum and every max with a bidder removed (Clarke pivots) are found among the combos (claim:
    project.vcg_top_items). definition: Only combos whose items all have gain mu_ij + t_ij > 0 count
    (the loop drops zero-weight assignments), so distinct combos are distinct allocations and a
    unique argmax is the loop's. Profiles whose argmax is tied (or whose K-th and (K+1)-th gains
    tie) are flagged.
    """
    G = real_array(G, "G", 3)  # noqa: N806
    if isinstance(caps, (str, bytes)) or not hasattr(caps, "__iter__"):
        raise TypeError(f"caps must be a list of capacities; found {type(caps).__name__}")
    caps = [whole(c, "caps", low=0) for c in caps]
    n, m, N = G.shape  # noqa: N806
    K = min(N, sum(caps))  # noqa: N806
    pairs, owner = _rank_combos(caps, K)
    order = np.argsort(-G, axis=2, kind="stable")[:, :, :min(N, K + 1)]
    ranked = np.take_along_axis(G, order, axis=2)
    tied = np.zeros(n, dtype=bool)
    if K < N:
        edge = ranked[:, :, K]
        tied |= np.any((edge > 0) & (ranked[:, :, K - 1] - edge <= TIE_TOL * (1 + np.abs(edge))),
                       axis=1)
    gain = np.concatenate([ranked[:, :, :K].reshape(n, m * K), np.zeros((n, 1))], axis=1)
    item = np.concatenate([order[:, :, :K].reshape(n, m * K), np.full((n, 1), -1)], axis=1)
    positive = gain > 0
    positive[:, -1] = True
    welfare = np.zeros((n, pairs.shape[0]))
    ok = np.ones((n, pairs.shape[0]), dtype=bool)
    width = pairs.shape[1]
    for p in range(width):
        welfare += gain[:, pairs[:, p]]
        ok &= positive[:, pairs[:, p]]
        for q in range(p + 1, width):
            need = (owner[:, p] >= 0) & (owner[:, q] >= 0) & (owner[:, p] != owner[:, q])
            if need.any():
                ok &= ~((item[:, pairs[:, p]] == item[:, pairs[:, q]]) & need[None, :])
    welfare = np.where(ok, welfare, -np.inf)
    rows = np.arange(n)
    best = np.argmax(welfare, axis=1)
    w_best = welfare[rows, best]
    rest = welfare.copy()
    rest[rows, best] = -np.inf
    tied |= w_best - rest.max(axis=1) <= TIE_TOL * (1.0 + np.abs(w_best))
    b_pairs, b_owner = pairs[best], owner[best]
    alloc = np.zeros((n, m, N), dtype=bool)
    values = np.zeros((n, m))
    for p in range(width):
        real = b_owner[:, p] >= 0
        alloc[rows[real], b_owner[real, p], item[rows[real], b_pairs[real, p]]] = True
        np.add.at(values, (rows[real], b_owner[real, p]), gain[rows[real], b_pairs[real, p]])
    pay = np.zeros((n, m))
    for i in range(m):
        without = welfare[:, ~np.any(owner == i, axis=1)].max(axis=1)
        pay[:, i] = np.maximum(0.0, without - (w_best - values[:, i]))
    return alloc, pay, tied


def profiles_of(shape: tuple, i: int) -> np.ndarray:
    """P[s, o]: the C-order profile index with bidder i at s and the others at multi-index o."""
    if not isinstance(shape, tuple) or not shape:
        raise TypeError(f"shape must be a non-empty tuple of support sizes; found {shape!r}")
    shape = tuple(whole(s, "shape", low=1) for s in shape)
    i = whole(i, "i", low=0, high=len(shape) - 1)
    grid = np.arange(int(np.prod(shape))).reshape(shape)
    return np.moveaxis(grid, i, 0).reshape(shape[i], -1)


def others_probs(probs, i: int) -> np.ndarray:
    """Pr[o] of the others' multi-index o (same C order as ``profiles_of``)."""
    if isinstance(probs, (str, bytes, np.ndarray)) or not hasattr(probs, "__len__"):
        raise TypeError(f"probs must be a sequence of probability vectors; found "
                        f"{type(probs).__name__}")
    probs = [real_array(pr, f"probs[{j}]", 1, low=0.0, high=1.0) for j, pr in enumerate(probs)]
    i = whole(i, "i", low=0, high=max(0, len(probs) - 1))
    out = np.ones(())
    for j, pr in enumerate(probs):
        if j != i:
            out = np.multiply.outer(out, np.asarray(pr, dtype=float))
    return out.reshape(-1)
