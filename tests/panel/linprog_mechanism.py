"""A revenue-optimal latent mechanism M_hat on scipy.optimize.linprog at its default tolerances.

Written from Sec. 3 (II) of the paper, independently of recmech.core.optimal: for finite latent
laws, the mechanism picks, per reported profile, a lottery over feasible allocations (each item
to at most one bidder) and one payment per bidder; it maximises expected payments subject to
ex-post IR (every truthful bidder's utility >= 0 on every profile) and BIC (no bidder gains in
expectation over the others' types by reporting another support point). The LP is assembled
as sparse matrices and solved by HiGHS's interior point method (``highs_ipm``) or dual simplex
(``highs_ds``) at scipy's defaults (feasibility 1e-7). A bid off the support is played as the
nearest support point.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from recmech.core.mechanisms import LatentMechanism, Outcome


class RevenueLP(LatentMechanism):
    """M_hat of one instance (module docstring)."""

    def __init__(self, A, valuations, laws, method):  # noqa: N803
        super().__init__(A, valuations)
        pts = [np.asarray(law.points, dtype=float) for law in laws]
        prs = [np.asarray(law.probs, dtype=float) for law in laws]
        m, n = len(valuations), self.A.shape[0]
        owners = [o for o in itertools.product(range(-1, m), repeat=n)]
        allocs = [np.array([[o[j] == i for j in range(n)] for i in range(m)]) for o in owners]
        profs = list(itertools.product(*[range(len(p)) for p in pts]))
        index = {pr: r for r, pr in enumerate(profs)}
        na, npf = len(allocs), len(profs)
        nvar = npf * (na + m)          # [lottery weights | payments], profile-major
        w = lambda r: slice(r * (na + m), r * (na + m) + na)  # noqa: E731
        pay = lambda r, i: r * (na + m) + na + i  # noqa: E731
        val = [[np.array([valuations[i].value(self.A @ t, a[i]) for a in allocs]) for t in pts[i]]
               for i in range(m)]
        prob = np.array([np.prod([prs[i][s] for i, s in enumerate(pr)]) for pr in profs])
        rows, rhs = [], []

        def row():
            return np.zeros(nvar)

        for r in range(npf):  # sum of lottery weights <= 1
            x = row()
            x[w(r)] = 1.0
            rows.append(x)
            rhs.append(1.0)
        for i in range(m):
            for r, pr in enumerate(profs):  # ex-post IR of the truthful bidder i
                x = row()
                x[w(r)] = -val[i][pr[i]]
                x[pay(r, i)] = 1.0
                rows.append(x)
                rhs.append(0.0)
            for s, t in itertools.permutations(range(len(pts[i])), 2):  # type s reports t
                x = row()
                for r, pr in enumerate(profs):
                    if pr[i] not in (s, t):
                        continue
                    q = prob[r] / prs[i][pr[i]]  # the others' probability
                    sign = 1.0 if pr[i] == t else -1.0
                    x[w(r)] += sign * q * val[i][s]
                    x[pay(r, i)] -= sign * q
                rows.append(x)
                rhs.append(0.0)
        cost = np.zeros(nvar)
        for r in range(npf):
            for i in range(m):
                cost[pay(r, i)] = -prob[r]
        bounds = [(0, 1) if (v % (na + m)) < na else (None, None) for v in range(nvar)]
        res = linprog(cost, A_ub=sparse.csr_matrix(np.array(rows)), b_ub=np.array(rhs),
                      bounds=bounds, method=method)
        if res.status != 0:
            raise RuntimeError(f"linprog: {res.message}")
        x = res.x.reshape(npf, na + m)
        self.pts, self.index, self.allocs = pts, index, allocs
        self.weights, self.payments = np.clip(x[:, :na], 0.0, 1.0), x[:, na:]

    def _outcome(self, bids):
        pr = tuple(int(np.argmin(np.abs(p - b).max(axis=1)))
                   for p, b in zip(self.pts, bids, strict=True))
        r = self.index[pr]
        lottery = tuple((float(q), a) for q, a in zip(self.weights[r], self.allocs, strict=True)
                        if q > 0 and a.any())
        return Outcome(lottery=lottery, payments=self.payments[r].copy())


highs_ipm = SimpleNamespace(latent_mechanism=lambda A, valuations, laws: RevenueLP(
    A, valuations, laws, "highs-ipm"))
highs_ds = SimpleNamespace(latent_mechanism=lambda A, valuations, laws: RevenueLP(
    A, valuations, laws, "highs-ds"))
