"""A correct implementation of the mechanism parts, written from the paper, not from recmech.core.

- ``latent_mechanism(A, valuations, laws)``: the revenue-optimal BIC and ex-post IR mechanism
  for finite latent laws (Sec. 3 (II)), as a dense linear program over lotteries of whole
  allocations per profile, solved by HiGHS (dual simplex) at feasibility 1e-10; a report off a
  bidder's support is played as the nearest support point (l_inf).
- ``robustify(inner, laws, delta)``: Lemma 2's M_tilde (Appendix A): a grid of width delta with
  offset r uniform on [0, delta)^k, each bid rounded to its cell floor((b - r) / delta), the
  resample b'_i drawn from the model law conditioned on the cell, M_hat on b'; a bidder whose
  cell has no model mass is left out (nothing, pays 0) and the others face a resample from his
  whole law. IR rebate: E_S[v_i(A b'_i, S) - v_i(t_low, S)] with t_low the per-item minimum of
  A z over the box [c delta, (c + 2) delta]^k, which holds every cell of index c whatever the
  offset (so the outcome depends on r only through the cells, and the average over r is an
  exact finite sum over the boxes between the breakpoints x_l mod delta). ``outcome_at(bids,
  offset)`` gives one offset.

``LinearProgram`` keeps its ``ir`` and ``bic`` rows as options so the catalogue's faulty variants
(interim IR, BIC only between neighbours) are one flag away from the correct one.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
from scipy.optimize import linprog

from recmech.core.mechanisms import LatentMechanism, Outcome


def _allocations(m: int, n_items: int) -> list[np.ndarray]:
    """Every way to give each item to one of m bidders or to nobody, but giving nothing."""
    out = []
    for owners in itertools.product(range(m + 1), repeat=n_items):
        alloc = np.zeros((m, n_items), dtype=bool)
        for j, o in enumerate(owners):
            if o:
                alloc[o - 1, j] = True
        if alloc.any():
            out.append(alloc)
    return out


class LinearProgram(LatentMechanism):
    """The optimal mechanism of the finite instance (module docstring)."""

    def __init__(self, A, valuations, laws, ir: str = "ex-post", bic: str = "all") -> None:  # noqa: N803
        super().__init__(A, valuations)
        self.points = [np.asarray(law.points, dtype=float) for law in laws]
        self.probs = [np.asarray(law.probs, dtype=float) for law in laws]
        m = self.m
        self.allocs = _allocations(m, self.N)
        self.profiles = list(itertools.product(*(range(len(p)) for p in self.points)))
        n_a, n_p = len(self.allocs), len(self.profiles)
        # V[i][s, a]: bidder i of type s values allocation a
        V = [np.array([[v.value(self.A @ pt, a[i]) for a in self.allocs] for pt in pts])
             for i, (v, pts) in enumerate(zip(self.valuations, self.points, strict=True))]
        prob = np.array([np.prod([self.probs[i][s] for i, s in enumerate(prof)])
                         for prof in self.profiles])
        n_var = n_p * n_a + n_p * m

        def q(p, a):
            return p * n_a + a

        def pay(p, i):
            return n_p * n_a + p * m + i

        rows, rhs = [], []
        for p in range(n_p):  # a lottery: probabilities sum to at most 1
            row = np.zeros(n_var)
            row[[q(p, a) for a in range(n_a)]] = 1.0
            rows.append(row)
            rhs.append(1.0)
        for i in range(m):
            others = [list(range(len(self.points[j]))) for j in range(m) if j != i]
            for s in range(len(self.points[i])):
                # interim weights of the profiles where bidder i reports s
                def weights(report, s_type=s, i=i, others=others):
                    row = np.zeros(n_var)
                    for rest in itertools.product(*others):
                        prof = list(rest)
                        prof.insert(i, report)
                        p = self.profiles.index(tuple(prof))
                        w = prob[p] / self.probs[i][report]
                        row[[q(p, a) for a in range(n_a)]] += w * V[i][s_type]
                        row[pay(p, i)] -= w
                    return row

                truthful = weights(s)
                if ir == "interim":
                    rows.append(-truthful)
                    rhs.append(0.0)
                else:
                    for rest in itertools.product(*others):
                        prof = list(rest)
                        prof.insert(i, s)
                        p = self.profiles.index(tuple(prof))
                        row = np.zeros(n_var)
                        row[[q(p, a) for a in range(n_a)]] = -V[i][s]
                        row[pay(p, i)] = 1.0
                        rows.append(row)
                        rhs.append(0.0)
                lies = [t for t in range(len(self.points[i])) if t != s]
                if bic == "adjacent":
                    lies = [t for t in lies if abs(t - s) == 1]
                for t in lies:
                    rows.append(weights(t) - truthful)
                    rhs.append(0.0)
        cost = np.zeros(n_var)
        for p in range(n_p):
            for i in range(m):
                cost[pay(p, i)] = -prob[p]
        bounds = [(0.0, 1.0)] * (n_p * n_a) + [(None, None)] * (n_p * m)
        res = linprog(cost, A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds,
                      method="highs-ds", options={"primal_feasibility_tolerance": 1e-10,
                                                  "dual_feasibility_tolerance": 1e-10})
        if res.status != 0:
            raise RuntimeError(f"the revenue LP failed: {res.message}")
        self.revenue = -float(res.fun)
        self.q = np.clip(res.x[:n_p * n_a].reshape(n_p, n_a), 0.0, 1.0)
        self.pay = res.x[n_p * n_a:].reshape(n_p, m)

    def _outcome(self, bids: np.ndarray) -> Outcome:
        prof = tuple(int(np.argmin(np.abs(pts - b[None, :]).max(axis=1)))
                     for pts, b in zip(self.points, bids, strict=True))
        p = self.profiles.index(prof)
        lottery = tuple((float(w), a) for w, a in zip(self.q[p], self.allocs, strict=True)
                        if w > 1e-12)
        return Outcome(lottery=lottery, payments=self.pay[p].copy())


class GridMechanism(LatentMechanism):
    """Lemma 2's M_tilde (module docstring)."""

    def __init__(self, inner, laws, delta: float) -> None:
        super().__init__(inner.A, inner.valuations)
        self.inner, self.delta = inner, float(delta)
        self.points = [np.asarray(law.points, dtype=float) for law in laws]
        self.probs = [np.asarray(law.probs, dtype=float) for law in laws]

    def _cells(self, x: np.ndarray, offset: np.ndarray) -> np.ndarray:
        return np.floor((x - offset) / self.delta).astype(np.int64)

    def _t_low(self, cell: np.ndarray) -> np.ndarray:
        lo = cell * self.delta
        hi = lo + 2 * self.delta
        return np.minimum(self.A * lo[None, :], self.A * hi[None, :]).sum(axis=1)

    def outcome_at(self, bids, offset) -> Outcome:
        b = self.check_bids(bids)
        r = np.asarray(offset, dtype=float)
        own = [self._cells(b[i], r) for i in range(self.m)]
        options, out_of_model = [], []
        for i in range(self.m):
            same = np.flatnonzero(np.all(self._cells(self.points[i], r) == own[i], axis=1))
            if same.size == 0:
                out_of_model.append(i)
                same = np.arange(len(self.probs[i]))
            w = self.probs[i][same]
            options.append(list(zip(same, w / w.sum(), strict=True)))
        lottery: dict[bytes, list] = {}
        payments = np.zeros(self.m)
        for combo in itertools.product(*options):
            weight = float(np.prod([w for _, w in combo]))
            resample = np.array([self.points[i][s] for i, (s, _) in enumerate(combo)])
            res = self.inner.outcome(resample)
            pay = res.payments.astype(float).copy()
            for i in range(self.m):
                v, t_res, t_low = self.valuations[i], self.A @ resample[i], self._t_low(own[i])
                pay[i] -= sum(p * (v.value(t_res, a[i]) - v.value(t_low, a[i]))
                              for p, a in res.lottery)
            payments += weight * pay
            for p, a in res.lottery:
                cut = a.copy()
                cut[out_of_model] = False
                entry = lottery.setdefault(cut.tobytes(), [0.0, cut])
                entry[0] += weight * p
        payments[out_of_model] = 0.0
        return Outcome(lottery=tuple((p, a) for p, a in lottery.values()), payments=payments)

    def _outcome(self, bids: np.ndarray) -> Outcome:
        marks = np.vstack(self.points + [bids])
        axes = []
        for col in range(self.k):
            cuts = np.unique(np.concatenate([[0.0, self.delta],
                                             np.mod(marks[:, col], self.delta)]))
            cuts = cuts[cuts <= self.delta]
            axes.append([((hi - lo) / self.delta, (lo + hi) / 2)
                         for lo, hi in zip(cuts[:-1], cuts[1:], strict=True) if hi > lo])
        lottery: dict[bytes, list] = {}
        payments = np.zeros(self.m)
        for box in itertools.product(*axes):
            w = float(np.prod([length for length, _ in box]))
            res = self.outcome_at(bids, np.array([mid for _, mid in box]))
            payments += w * res.payments
            for p, a in res.lottery:
                entry = lottery.setdefault(a.tobytes(), [0.0, a])
                entry[0] += w * p
        return Outcome(lottery=tuple((p, a) for p, a in lottery.values()), payments=payments)


impl = SimpleNamespace(latent_mechanism=LinearProgram, robustify=GridMechanism)
