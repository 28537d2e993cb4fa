"""The robustified mechanism M_tilde (Lemma 2) and the query-based indirect mechanism M (Alg. 1).

Cai-Daskalakis EC'22, Lemma 2 and its proof sketch (Appendix A, after Brustle-Cai-Daskalakis):
draw a random grid of width delta with offset r uniform on [0, delta)^k; round each latent bid b_i
to its cell C_i = prod_j [r_j + c_j delta, r_j + (c_j + 1) delta), c = floor((b_i - r) / delta);
resample b'_i ~ S_i(cell, delta) (the model law D_hat_z,i conditioned on the cell); run M_hat on b'.

Exact IR (our payment rule). For the allocated bundle S let

    lower_i(c, S) = max_{T in I, T subset S} sum_{j in T} (mu_j + min_{z in B(c)} (A z)_j),
    B(c) = prod_j [c_j delta, (c_j + 2) delta]  (the grid-aligned box that contains every cell
    with index c, whatever the offset), the per-item minimum of a linear map over a box is
    attained at a corner chosen by the signs of the row of A.

Charge p~_i = p_i(b') - E_{S ~ x_i(b')}[v_i^A(b'_i, S) - lower_i(c_i, S)]. A bidder whose latent
type z is reported truthfully has z in C_i subset B(c_i), and v_i is non-decreasing in the type
(a max of sums of mu_j + t_j), so v_i^A(z, S) >= lower_i(c_i, S) for every S and (claim: lemma2)

    u_i(z) = E[v_i^A(z, S)] - p~_i = E[v_i^A(z, S) - lower_i(c_i, S)] + u_i^{M_hat}(b'_i; b')
           >= u_i^{M_hat}(b'_i; b') >= 0 (claim: lemma2)

by the ex-post IR of M_hat, for every offset and every resampled profile. The rebate is at most
L ||A||_inf 2 delta per bidder and is part of the measured revenue loss (claim: lemma2). Why B(c)
rather than the cell itself: it makes M_tilde depend on the offset only through the cell indices, so
expected revenue and utilities over the offset are exact finite sums (``measure``); the price is a
factor <= 2 in the rebate (claim: lemma2).
 Empty cells: if the cell of b_i has zero mass under D_hat_z,i (a report off the model's support),
bidder i is excluded: gets nothing, pays 0 (IR), and M_hat is run with b'_i drawn from the
unconditioned D_hat_z,i so the other bidders face the model law. Excluded utility 0 <= any
truthful utility, so a report into an empty cell is never a profitable deviation (claim: lemma2).

Algorithm 1: query each bidder once with the protocol Q, set delta = sqrt(m eps), run M_tilde on
(Q(b_1), ..., Q(b_m)).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from recmech.core.gate import real, whole
from recmech.core.laws import as_generator, as_latent_law
from recmech.core.mechanisms import (
    LatentMechanism,
    Outcome,
    box_minimum,
    mix_outcomes,
    tabulate,
    value_upper,
)

__all__ = ["IndirectRun", "QueryMechanism", "RandomGrid", "RobustifiedMechanism", "box_minimum",
           "check_delta"]


def check_delta(delta: float) -> float:
    """delta must be a finite number in (0, 1] (Lemma 2's grid width)."""
    return real(delta, "delta", low=0.0, low_open=True, high=1.0)


@dataclass(frozen=True)
class RandomGrid:
    """The grid of width ``delta`` with offset r in [0, delta)^k (Lemma 2, Appendix A)."""

    delta: float
    offset: np.ndarray

    @classmethod
    def draw(cls, k: int, delta: float, rng) -> RandomGrid:
        delta = check_delta(delta)
        k = whole(k, "k", low=1, high=2**20)
        return cls(delta=delta, offset=as_generator(rng).uniform(0.0, delta, size=k))

    def cell_index(self, x) -> np.ndarray:
        """c = floor((x - r) / delta), per coordinate (half-open cells)."""
        return np.floor((np.asarray(x, dtype=float) - self.offset) / self.delta).astype(np.int64)

    def cell_corner(self, index) -> np.ndarray:
        return self.offset + np.asarray(index, dtype=float) * self.delta

    def to_dict(self) -> dict:
        return {"delta": self.delta, "offset": self.offset.tolist()}


class RobustifiedMechanism(LatentMechanism):
    """M_tilde of Lemma 2 around ``inner`` (M_hat) and the model laws D_hat_z,i (module docstring).

    ``outcome_at(bids, offset)`` is exact over the resampling for finite laws; ``outcome(bids)``
    is exact over the offset as well (finite laws); ``sample(bids, rng)`` draws the offset and the
    resample with ``law.sample_in_cube`` and works for every latent law.
    """

    def __init__(self, inner: LatentMechanism, laws, delta: float) -> None:
        if not isinstance(inner, LatentMechanism):
            raise TypeError(f"inner must be a LatentMechanism; found {type(inner).__name__}")
        super().__init__(inner.A, inner.valuations)
        self.inner = inner
        self.delta = check_delta(delta)
        self.laws = tuple(as_latent_law(law, f"laws[{i}]") for i, law in enumerate(laws))
        if len(self.laws) != self.m:
            raise ValueError(f"laws must give one latent law per bidder ({self.m}); found "
                             f"{len(self.laws)}")
        for i, law in enumerate(self.laws):
            if getattr(law, "k", self.k) != self.k:
                raise ValueError(f"laws[{i}] has dimension {law.k}; the design has k = {self.k}")
            pts = getattr(law, "points", None)
            if pts is not None and (np.any(pts < 0) or np.any(pts > 1)):
                raise ValueError(f"laws[{i}] must lie on [0,1]^k (Lemma 2's hypothesis)")
        self._table = None

    def payment_range(self, lo=0.0, hi=1.0) -> np.ndarray:
        """The inner range (resamples lie in [0,1]^k) minus the IR rebate
        E[v_i^A(b'_i, S) - lower_i(c_i, S)], which lies in [0, vmax_i] over [0,1]^k, and 0 for an
        excluded bidder (checked: every sampled payment, in ``monte_carlo_revenue``)."""
        inner = self.inner.payment_range()
        unit = np.array([value_upper(v, self.A, np.zeros(self.k), np.ones(self.k))
                         for v in self.valuations])
        return np.column_stack([np.minimum(0.0, inner[:, 0] - unit),
                                np.maximum(0.0, inner[:, 1])])

    @property
    def finite(self) -> bool:
        return all(hasattr(law, "points") and hasattr(law, "probs") for law in self.laws)

    @property
    def table(self):
        """M_hat tabulated on the model supports (finite laws only), computed once."""
        if self._table is None:
            if not self.finite:
                raise ValueError("laws: exact computation needs finite laws (.points/.probs)")
            self._table = tabulate(self.inner, self.laws)
        return self._table

    def lower_vector(self, index) -> np.ndarray:
        """t_min(c)_j = min over B(c) = prod [c delta, (c + 2) delta] of (A z)_j."""
        lo = np.asarray(index, dtype=float) * self.delta
        return box_minimum(self.A, lo, lo + 2 * self.delta)

    def lower_bound(self, i: int, index, bundle) -> float:
        """lower_i(c, S) = v_i(t_min(c), S) <= v_i^A(z, S) for every z in a cell of index c (claim:
        lemma2)."""
        return self.valuations[i].value(self.lower_vector(index), bundle)

    def _support_cells(self, grid: RandomGrid) -> list[np.ndarray]:
        return [grid.cell_index(law.points) for law in self.laws]

    def outcome_at(self, bids, offset) -> Outcome:
        """The exact outcome for a fixed grid offset, averaging over the resample b' (finite)."""
        b = self.check_bids(bids)
        grid = RandomGrid(self.delta, np.asarray(offset, dtype=float))
        cells = [grid.cell_index(b[i]) for i in range(self.m)]
        choices, excluded = [], []
        for i, sup in enumerate(self._support_cells(grid)):
            inside = np.flatnonzero(np.all(sup == cells[i][None, :], axis=1))
            probs = self.laws[i].probs
            if inside.size == 0:
                excluded.append(i)
                inside = np.arange(probs.size)
            cond = probs[inside] / probs[inside].sum()
            choices.append(list(zip(inside.tolist(), cond.tolist(), strict=True)))
        table = self.table

        def parts():
            for combo in itertools.product(*choices):
                idx = [s for s, _ in combo]
                out = table.outcome_at(idx)
                yield math.prod(q for _, q in combo), out, self._adjusted(out, idx, cells)

        return mix_outcomes(parts(), self.m, excluded)

    def _adjusted(self, out: Outcome, idx, cells) -> np.ndarray:
        """p~_i = p_i(b') - E_S[v_i^A(b'_i, S) - lower_i(c_i, S)] for every bidder."""
        pay = out.payments.copy()
        for i in range(self.m):
            z_res = self.laws[i].points[idx[i]]
            t_res, t_low = self.A @ z_res, self.lower_vector(cells[i])
            v = self.valuations[i]
            pay[i] -= sum(p * (v.value(t_res, a[i]) - v.value(t_low, a[i]))
                          for p, a in out.lottery)
        return pay

    def breakpoints(self, extra=None) -> list[np.ndarray]:
        """Per coordinate, the sorted offsets in [0, delta) where some cell assignment changes."""
        coords = [np.asarray(law.points, dtype=float) for law in self.laws]
        if extra is not None:
            coords.append(np.atleast_2d(np.asarray(extra, dtype=float)))
        allc = np.vstack(coords)
        return [np.unique(np.concatenate([[0.0], np.mod(allc[:, j], self.delta)]))
                for j in range(self.k)]

    def offset_regions(self, extra=None) -> list[tuple[float, np.ndarray]]:
        """(weight, representative offset) of each box on which every cell assignment of the
        support points (and of ``extra``) is constant; the weights sum to 1."""
        axes = []
        for br in self.breakpoints(extra):
            ends = np.concatenate([br, [self.delta]])
            length = np.diff(ends)
            keep = length > 0
            axes.append(list(zip((length[keep] / self.delta).tolist(),
                                 ((ends[:-1] + ends[1:]) / 2)[keep].tolist(), strict=True)))
        return [(math.prod(w for w, _ in combo), np.array([r for _, r in combo]))
                for combo in itertools.product(*axes)]

    def _outcome(self, bids: np.ndarray) -> Outcome:
        weights: dict[bytes, list] = {}
        pay = np.zeros(self.m)
        for w, r in self.offset_regions(bids):
            out = self.outcome_at(bids, r)
            pay += w * out.payments
            for p, alloc in out.lottery:
                entry = weights.setdefault(alloc.tobytes(), [0.0, alloc])
                entry[0] += w * p
        return Outcome(lottery=tuple((p, a) for p, a in weights.values()), payments=pay)

    def sample(self, bids, rng) -> Outcome:
        """One run: draw the offset and b'_i ~ S_i(cell, delta), run M_hat, adjust payments."""
        gen = as_generator(rng)
        b = self.check_bids(bids)
        grid = RandomGrid.draw(self.k, self.delta, gen)
        cells = [grid.cell_index(b[i]) for i in range(self.m)]
        resampled, excluded = np.empty_like(b), []
        for i, law in enumerate(self.laws):
            corner = grid.cell_corner(cells[i])
            try:
                empty = law.cube_mass(corner, self.delta) <= 0
            except ValueError:      # the cube misses [0,1]^k altogether
                empty = True
            if empty:
                excluded.append(i)
                resampled[i] = law.sample(1, gen)[0]
            else:
                resampled[i] = law.sample_in_cube(corner, self.delta, gen, n=1)[0]
        out = self.inner.outcome(resampled)
        pay = out.payments.copy()
        for i in range(self.m):
            t_res, t_low = self.A @ resampled[i], self.lower_vector(cells[i])
            v = self.valuations[i]
            pay[i] -= sum(p * (v.value(t_res, a[i]) - v.value(t_low, a[i]))
                          for p, a in out.lottery)
        lottery = []
        for p, alloc in out.lottery:
            cut = alloc.copy()
            cut[excluded] = False
            lottery.append((p, cut))
        pay[excluded] = 0.0
        return Outcome(lottery=tuple(lottery), payments=pay)


@dataclass(frozen=True)
class IndirectRun:
    """One run of Algorithm 1: the outcome, the latent reports Q(b_i) and the queries spent."""

    outcome: Outcome
    reports: np.ndarray
    queries: tuple
    delta: float

    def to_dict(self) -> dict:
        return {"outcome": self.outcome.to_dict(), "reports": self.reports.tolist(),
                "queries": [int(q) for q in self.queries], "delta": self.delta}


class QueryMechanism:
    """Algorithm 1 (Cai-Daskalakis EC'22, proof of Thm. 1): the indirect mechanism M.

    1: M_tilde = Lemma 2 around M_hat with F_hat_z,i = D_hat_z,i and delta = sqrt(m eps);
    2: run the query protocol Q once per bidder, through its price oracle only;
    3: run M_tilde on (Q(b_1), ..., Q(b_m)).
    """

    def __init__(self, inner: LatentMechanism, laws, protocol, eps: float) -> None:
        self.eps = real(eps, "eps", low=0.0, low_open=True)
        delta = math.sqrt(inner.m * self.eps)
        if delta > 1:
            raise ValueError(f"eps: delta = sqrt(m eps) = {delta} must be <= 1 (Lemma 2's grid "
                             f"width); found m = {inner.m}, eps = {eps}")
        self.robust = RobustifiedMechanism(inner, laws, delta)
        self.protocol = protocol

    @property
    def delta(self) -> float:
        return self.robust.delta

    def reports(self, oracles) -> tuple[np.ndarray, tuple]:
        """Q(b_i) for every bidder: one protocol run per oracle."""
        if len(oracles) != self.robust.m:
            raise ValueError(f"oracles must give one price oracle per bidder "
                             f"({self.robust.m}); found {len(oracles)}")
        outs = [self.protocol.run(oracle) for oracle in oracles]
        z_hat = np.array([np.asarray(o.z_hat, dtype=float) for o in outs])
        if z_hat.shape != (self.robust.m, self.robust.k):
            raise ValueError(f"the protocol returned z_hat of shape {z_hat.shape[1:]}; expected "
                             f"({self.robust.k},)")
        return z_hat, tuple(int(getattr(o, "queries", 0)) for o in outs)

    def run(self, oracles, rng) -> IndirectRun:
        """Steps 2-3 with one random grid and resample (``rng``)."""
        z_hat, queries = self.reports(oracles)
        return IndirectRun(outcome=self.robust.sample(z_hat, rng), reports=z_hat,
                           queries=queries, delta=self.delta)

    def exact_outcome(self, oracles) -> IndirectRun:
        """Steps 2-3 with the expectation over the grid and resample taken exactly (finite)."""
        z_hat, queries = self.reports(oracles)
        return IndirectRun(outcome=self.robust.outcome(z_hat), reports=z_hat, queries=queries,
                           delta=self.delta)
