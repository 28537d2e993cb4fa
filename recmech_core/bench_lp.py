"""The bench's yardstick for the revenue LP: an independent cutting-plane solve on scipy's HiGHS.

Cai-Daskalakis EC'22, Sec. 3 (II): M_hat is the revenue-optimal BIC and IR mechanism on finite
latent supports. For one additive bidder and two items (A = I) that LP has, per type s of the
support, lottery variables x[s, B] for the bundles B in {{1}, {2}, {1, 2}} and a payment p[s]:

    max  sum_s Pr[s] p[s]
    s.t. x[s, 1] + x[s, 2] + x[s, 12] <= 1,   p[s] <= v(s) . x[s]        (feasibility, IR)
         v(s) . x[s'] - p[s'] <= v(s) . x[s] - p[s]      for all s != s'  (IC)

with v(s) = (t_1, t_2, t_1 + t_2). This module writes that LP again from the definition, on
purpose sharing nothing with ``recmech.core.optimal`` (no index bookkeeping, no valuation objects,
no HiGHS driver): it starts from the IC rows towards the 4 grid neighbours, then repeatedly
solves from scratch (``scipy.optimize.linprog``, dual simplex) and adds, for every type, its
``per_type`` most violated IC rows over all s', until none is violated by more than ``tol``.
The bench runs it side by side with ``solve_optimal_lp`` on the same grid and asserts that the
two revenues agree to 1e-9.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, sparse

__all__ = ["BaselineLP", "baseline_lp", "grid_points"]


@dataclass(frozen=True, kw_only=True)
class BaselineLP:
    """The baseline's optimum: revenue, IC rows kept, rounds, CPU and wall seconds."""

    revenue: float
    ic_rows: int
    rounds: int
    cpu_seconds: float
    wall_seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def grid_points(g: int) -> np.ndarray:
    """definition: the g x g lattice ((i + 1/2) / g, (j + 1/2) / g), row-major in (i, j)."""
    c = (np.arange(g) + 0.5) / g
    return np.stack(np.meshgrid(c, c, indexing="ij"), axis=-1).reshape(-1, 2)


def baseline_lp(g: int, tol: float = 1e-9, per_type: int = 4, chunk: int = 512) -> BaselineLP:
    """The cutting-plane solve of the module docstring on the g x g uniform midpoint grid."""
    if int(g) != g or g < 2:
        raise ValueError(f"g must be an integer >= 2; found {g!r}")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    t = grid_points(int(g))
    n = t.shape[0]
    v = np.column_stack([t[:, 0], t[:, 1], t[:, 0] + t[:, 1]])     # (n, 3)
    # columns: x[s, 0..2] at 3 s + b, p[s] at 3 n + s
    cost = np.concatenate([np.zeros(3 * n), -np.full(n, 1.0 / n)])
    bounds = [(0.0, 1.0)] * (3 * n) + [(None, None)] * n
    s = np.arange(n)
    feas = sparse.csr_matrix((np.ones(3 * n), (np.repeat(s, 3), np.arange(3 * n))),
                             shape=(n, 4 * n))
    ir = sparse.csr_matrix((np.concatenate([-v.ravel(), np.ones(n)]),
                            (np.concatenate([np.repeat(s, 3), s]),
                             np.concatenate([np.arange(3 * n), 3 * n + s]))), shape=(n, 4 * n))

    def ic(a: np.ndarray, b: np.ndarray) -> sparse.csr_matrix:
        # v(a) . x[b] - p[b] - v(a) . x[a] + p[a] <= 0
        r = np.arange(a.size)
        rows = np.concatenate([np.repeat(r, 3), np.repeat(r, 3), r, r])
        cols = np.concatenate([(3 * b[:, None] + np.arange(3)).ravel(),
                               (3 * a[:, None] + np.arange(3)).ravel(), 3 * n + b, 3 * n + a])
        data = np.concatenate([v[a].ravel(), -v[a].ravel(), -np.ones(a.size), np.ones(a.size)])
        return sparse.csr_matrix((data, (rows, cols)), shape=(a.size, 4 * n))

    i, j = np.divmod(s, g)
    first = [(s[i > 0], s[i > 0] - g), (s[i < g - 1], s[i < g - 1] + g),
             (s[j > 0], s[j > 0] - 1), (s[j < g - 1], s[j < g - 1] + 1)]
    blocks = [feas, ir] + [ic(a, b) for a, b in first]
    kept = {int(a) * n + int(b) for a, b in first for a, b in zip(a, b, strict=True)}
    rounds = 0
    while True:
        a_ub = sparse.vstack(blocks, format="csr")
        res = optimize.linprog(cost, A_ub=a_ub, b_ub=np.concatenate(
            [np.ones(n), np.zeros(a_ub.shape[0] - n)]), bounds=bounds, method="highs-ds")
        if res.status != 0:
            raise RuntimeError(f"baseline LP at g = {g}: {res.message}")
        rounds += 1
        x, p = res.x[:3 * n].reshape(n, 3), res.x[3 * n:]
        own = np.einsum("sb,sb->s", v, x) - p
        new_a, new_b = [], []
        for lo in range(0, n, chunk):
            gain = v[lo:lo + chunk] @ x.T - p[None, :] - own[lo:lo + chunk, None]
            top = np.argpartition(-gain, per_type, axis=1)[:, :per_type]
            rows = np.repeat(np.arange(lo, lo + gain.shape[0]), per_type)
            cols = top.ravel()
            bad = gain[rows - lo, cols] > tol
            for a, b in zip(rows[bad], cols[bad], strict=True):
                if int(a) * n + int(b) not in kept:
                    kept.add(int(a) * n + int(b))
                    new_a.append(a)
                    new_b.append(b)
        if not new_a:
            break
        blocks.append(ic(np.asarray(new_a), np.asarray(new_b)))
    return BaselineLP(revenue=float(-res.fun), ic_rows=len(kept), rounds=rounds,
                      cpu_seconds=time.process_time() - cpu0,
                      wall_seconds=time.perf_counter() - wall0)
