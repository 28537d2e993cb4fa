"""The adaptive cutting-plane protocol: each price query chosen from every answer so far.

definition: Cai-Daskalakis EC'22, Def. 3 and Thm. 2 ask "e_j^T t >= p?" and estimate z from the
answers.
The paper's protocols, and the certified one (``recmech.core.certified``), fix their items and
bisect each item's value; their block floor (**) charges |S| log2 |S| bits for locating t_S in
a box the cube's image only partly fills. This protocol keeps instead the set K of latents
consistent with the answers (``recmech.core.consistent``: the polytope
{z in [0,1]^k : a_j.z >= p - s_j after a Yes, a_j.z <= p + s_j after a No}, s_j = eps + eta +
rounding) and asks, at each step, (checked: project.adaptive_protocol)

1. coordinate: r with the widest certified range [lo_r, hi_r] of z_r over K (lazily: a bound
   of an earlier step stays valid as K only shrinks, and stays exact while the point that
   attains it satisfies the new cut, so only the ends a cut removed are solved again);
2. item: the pool row a_j that best separates K's two extreme points x_hi, x_lo in coordinate
   r, relative to its spread over K's bounding box: argmax_j |a_j.(x_hi - x_lo)| /
   sum_l |a_jl| (hi_l - lo_l);
3. price: the centre of a_j.z over K (two linear programs), so either answer removes half of
   K's extent along a_j, up to the slack s_j.

It stops when every certified width hi_r - lo_r is at most 2 delta (the target) and returns
z_hat = (lo + hi) / 2, whose error is at most max_r (hi_r - lo_r) / 2 + u, the run's certified
delta, for every type within eps of Az and every oracle whose noise is at most the protocol's
eta (checked: project.adaptive_protocol). The bounds are certificates in exact arithmetic of
float data: weak duality with HiGHS's multipliers plus rounding allowances, never the solver's
objective (``recmech.core.consistent``).

Two modes, chosen once per design. "free" is the loop above. "plan" is the certified plan's
bisection (``recmech.core.certified``, planned at eps + eta so that its certificate covers the
oracle's noise; definition: it asks exactly the plan's queries). Near the paper's a-priori
delta the cube's faces do much of the work and the free loop asks fewer queries; at a small
delta K is close to the plan's parallelepiped and bisection on a well-conditioned block is hard
to beat (and needs no linear program). The choice: "plan" when the plan asks more than
``FREE_TRIAL_PER_K`` k queries (the free loop's linear programs grow with its answers), else the
mode with fewer queries on ``TRIALS`` seeded trial bidders (a free trial stops once it passes
the plan's count).

The pool. Candidate rows are chosen once per design, never per query: the first pivoted block
of k rows (``certified.iter_pivoted_blocks``: rank k), the ``aligned`` rows of largest
|A_jr| / ||A_j||_2 for each coordinate r (one chunked pass over A), and a seeded sample of
``sample`` rows. A query costs O(|pool| k) for the choice plus a few linear programs in k
variables with one row per answer: no O(N) work per query.

Reach. Latents z, z + d with |a_j.d| <= 2 (eps + eta) on every pool row admit the same
answers to every query (``slack_floor``), so no protocol asking about the pool certifies
delta below max_r |d_r| / 2 over such d (checked: project.adaptive_protocol); targets at or below
that floor are refused by name. Between the floor and a few
times it the free loop may need many queries: a run that passes ``max_queries`` raises
RuntimeError with its widest range rather than return a certificate above its target.

Queries against the minimum: ``recmech.core.bench_queries`` (``adaptive_over_packing``, the
count over the packing bound k log2 ceil(1/(2 delta)) that every protocol needs, at the target
delta). Where the free loop stays above 1.6 times that bound (Gaussian and +-c designs at
k = 8 and 32 near the paper's delta) no lower bound for adaptive protocols beyond the packing
bound is proved here: the gap is measured, not explained.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from recmech.core.certified import certified_plan, iter_pivoted_blocks
from recmech.core.consistent import UNIT, ConsistentSet
from recmech.core.design import DesignMatrix, row_chunks
from recmech.core.gate import real, real_array, whole
from recmech.core.oracles import TruthfulOracle
from recmech.core.query_protocol import ProtocolResult, QueryProtocol, target_delta
from recmech.core.selection import ItemSelection
from recmech.core.types import LazyType, UniformOffsets

__all__ = ["ALIGNED", "MAX_QUERIES_PER_K", "MODES", "SAMPLE", "TRIALS", "AdaptiveProtocol",
           "AdaptiveRun", "adaptive_protocol", "candidate_pool", "slack_floor"]

ALIGNED = 32
SAMPLE = 512
MAX_QUERIES_PER_K = 40
MODES = ("free", "plan")
TRIALS = 3
TRIAL_SEED = 20_251
FREE_TRIAL_PER_K = 6


def candidate_pool(design: DesignMatrix, aligned: int = ALIGNED, sample: int = SAMPLE,
                   seed: int = 0) -> np.ndarray:
    """The pool of the module docstring (sorted row indices, no repeats)."""
    if not isinstance(design, DesignMatrix):
        raise TypeError(f"design must be a DesignMatrix; found {type(design).__name__}")
    aligned = whole(aligned, "aligned", low=0)
    sample = whole(sample, "sample", low=0)
    k, N = design.k, design.N  # noqa: N806
    parts = [next(iter_pivoted_blocks(design))]
    if aligned:
        keep = min(aligned, N)
        best_idx = np.empty((0, k), dtype=np.int64)
        best_val = np.empty((0, k))
        for a, b in row_chunks(N):
            rows = design.A[a:b]
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            cos = np.abs(rows) / np.where(norms > 0, norms, np.inf)
            vals = np.concatenate([best_val, cos])
            idx = np.concatenate([best_idx, np.broadcast_to(np.arange(a, b)[:, None],
                                                            (b - a, k))])
            top = np.argsort(-vals, axis=0, kind="stable")[:keep]
            best_val = np.take_along_axis(vals, top, axis=0)
            best_idx = np.take_along_axis(idx, top, axis=0)
        parts.append(best_idx.ravel())
    if sample:
        gen = np.random.default_rng(seed)
        parts.append(gen.choice(N, size=min(sample, N), replace=False))
    return np.unique(np.concatenate(parts).astype(np.int64))


def slack_floor(rows: np.ndarray, slack: float) -> float:
    """max_r max {d_r / 2 : |a_j.d| <= 2 slack for every row a_j of ``rows``, |d| <= 1}: a lower
    bound on the delta that ANY protocol asking only about these items can certify (checked:
    project.adaptive_protocol).

    Its runs never certify below it (checked: project.adaptive_protocol). Why: for such d and
    latents z, z' = z + d in the cube, the types t = A z + e and t' = A z' + e' can be chosen
    within eps of each with |t_j - t'_j| <= 2 eta on every row, and an eta-noisy oracle may
    then give the same answer to every query about either; an estimate within delta of both
    needs 2 delta >= |d_r| (checked: project.adaptive_protocol). Each d comes from a linear program
    (HiGHS) and is scaled down
    until its constraints hold in float64, so the floor is attained by a feasible d.
    """
    rows = real_array(rows, "rows", 2)
    slack = real(slack, "slack", low=0.0)
    k = rows.shape[1]
    best = 0.0
    bound = np.full(rows.shape[0], 2.0 * slack)
    for r in range(k):
        cost = np.zeros(k)
        cost[r] = -1.0
        res = linprog(cost, A_ub=np.vstack([rows, -rows]), b_ub=np.concatenate([bound, bound]),
                      bounds=[(-1.0, 1.0)] * k, method="highs")
        if res.status != 0:
            continue
        d = np.clip(np.asarray(res.x, dtype=float), -1.0, 1.0)
        worst = float(np.max(np.abs(rows @ d), initial=0.0))
        if worst > 2.0 * slack:
            d = d * (2.0 * slack / worst) * (1.0 - 1e-12)
        best = max(best, abs(float(d[r])) / 2.0)
    return best


@dataclass(frozen=True, kw_only=True)
class AdaptiveRun:
    """One bidder's run: the estimate, its certificate and the queries it took."""

    z_hat: np.ndarray
    low: np.ndarray
    high: np.ndarray
    certified_delta: float
    queries: int
    items: np.ndarray
    solves: int

    def to_dict(self) -> dict:
        return {"z_hat": self.z_hat.tolist(), "certified_delta": self.certified_delta,
                "queries": self.queries, "items": len(self.items), "solves": self.solves}


class AdaptiveProtocol:
    """The cutting-plane protocol of the module docstring on one design."""

    setting = "adaptive"

    def __init__(self, design: DesignMatrix, eps: float, target: float, *, eta: float = 0.0,
                 pool: np.ndarray | None = None, a_priori_delta: float | None = None,
                 max_queries: int | None = None, mode: str | None = None,
                 trials: int = TRIALS) -> None:
        if not isinstance(design, DesignMatrix):
            raise TypeError(f"design must be a DesignMatrix; found {type(design).__name__}")
        if mode not in (None, *MODES):
            raise ValueError(f"mode must be one of {MODES} or None; found {mode!r}")
        self.design = design
        self.eps = real(eps, "eps", low=0.0, low_open=True)
        self.eta = real(eta, "eta", low=0.0)
        self.target = real(target, "delta", low=0.0, low_open=True)
        self.pool = candidate_pool(design) if pool is None else np.unique(
            np.asarray(pool, dtype=np.int64))
        if self.pool.size == 0 or self.pool.min() < 0 or self.pool.max() >= design.N:
            raise ValueError(f"pool must list row indices in [0, {design.N}); found "
                             f"{self.pool.size} entries")
        self.a_priori_delta = a_priori_delta
        self.max_queries = (MAX_QUERIES_PER_K * design.k + 200 if max_queries is None
                            else whole(max_queries, "max_queries", low=1))
        # the certified plan at eps + eta (its certificate with the oracle's noise added):
        # its items join the pool, and its depths bound the "plan" mode's queries
        try:
            self.plan = (None if self.target >= 0.5
                         else certified_plan(design, self.eps + self.eta, self.target))
        except ValueError:
            self.plan = None
        if self.plan is not None:
            self.pool = np.union1d(self.pool, self.plan.items)
        self.rows = design.rows(self.pool)
        self.abs_rows = np.abs(self.rows)
        self.floor = 0.5 if self.target >= 0.5 else slack_floor(self.rows, self.eps + self.eta)
        if not (self.floor < self.target or self.target >= 0.5):
            raise ValueError(f"delta: the target {self.target:.6g} is not above the slack floor "
                             f"{self.floor:.6g} of the pool (``slack_floor``): out of reach of "
                             "any protocol asking about these items")
        self.trial_queries: dict[str, int] = {}
        self._bisection = None
        if self.plan is not None:
            sel = ItemSelection(self.plan.items, "certified", True, {"target": self.target})
            self._bisection = QueryProtocol(design, self.eps + self.eta, sel, None,
                                            certified=self.plan)
        if self.plan is None:
            self.mode = "free"
        elif mode is not None:
            self.mode = mode
        elif self.plan.queries > FREE_TRIAL_PER_K * self.k:
            self.mode = "plan"
        else:
            self.mode = self._choose_mode(whole(trials, "trials", low=1))

    def _choose_mode(self, trials: int) -> str:
        """The mode with the fewest queries (the most over ``trials`` seeded bidders: uniform
        latents, types uniform within eps of Az, truthful answers); "plan" on ties."""
        gen = np.random.default_rng(TRIAL_SEED)
        zs = [gen.random(self.k) for _ in range(trials)]
        self.trial_queries["plan"] = self.plan.queries
        most = 0
        for i, z in enumerate(zs):
            oracle = TruthfulOracle(LazyType(self.design, z,
                                             UniformOffsets(self.eps, TRIAL_SEED + i)))
            try:
                most = max(most, self.interact(oracle, "free", self.plan.queries).queries)
            except RuntimeError:  # the free loop passed the plan's count: the plan wins
                most = self.plan.queries + 1
                break
        self.trial_queries["free"] = most
        return "free" if self.trial_queries["free"] < self.trial_queries["plan"] else "plan"

    @property
    def k(self) -> int:
        return self.design.k

    def certified_delta(self, oracle_noise: float = 0.0) -> float:
        """The target: every run ends with its own certified delta at most this one, for an
        oracle noise up to the protocol's eta (a run that cannot raises RuntimeError) (checked:
        project.adaptive_protocol)."""
        noise = real(oracle_noise, "oracle_noise", low=0.0)
        if noise > self.eta:
            raise ValueError(f"oracle_noise: the protocol's cuts allow eta = {self.eta:g}; "
                             f"found {noise:g}")
        return self.target

    def interact(self, oracle, mode: str | None = None, cap: int | None = None) -> AdaptiveRun:
        """definition: One bidder in the protocol's mode (or ``mode``): the certified plan's
        bisection, or
        the loop of the module docstring until every width is <= 2 delta (RuntimeError after
        ``cap`` queries, default ``max_queries``)."""
        noise = getattr(oracle, "eta", 0.0)
        if noise > self.eta:
            raise ValueError(f"oracle.eta: the protocol's cuts allow eta = {self.eta:g}; "
                             f"found {noise:g}")
        if (mode or self.mode) == "plan":
            return self._bisect(oracle)
        cap = self.max_queries if cap is None else cap
        k, rows, abs_rows = self.k, self.rows, self.abs_rows
        K = ConsistentSet(k)  # noqa: N806 - the module docstring's name
        low, high = np.zeros(k), np.ones(k)
        # fresh[r, 0]: high[r] is max z_r over K (its maximiser ends[r, 0] is in K), [r, 1] low
        fresh = np.zeros((k, 2), dtype=bool)
        ends = np.zeros((k, 2, k))
        asked: list[int] = []
        goal = 2.0 * self.target
        unit = np.eye(k)

        for _ in itertools.count():
            width = high - low
            r = int(np.argmax(width))
            if width[r] + 4.0 * UNIT <= goal:
                break
            if not fresh[r].all():
                if not fresh[r, 0]:
                    up = K.upper(unit[r])
                    high[r] = min(high[r], up.value, 1.0)
                    ends[r, 0] = up.point
                if not fresh[r, 1]:
                    down = K.upper(-unit[r])
                    low[r] = max(low[r], -down.value, 0.0)
                    ends[r, 1] = down.point
                fresh[r] = True
                continue
            if len(asked) >= cap:
                raise RuntimeError(
                    f"delta: {len(asked)} queries did not certify the target "
                    f"{self.target:.6g} (widest range {float(width.max()):.6g} / 2)")
            x_hi, x_lo = ends[r, 0], ends[r, 1]
            spread = abs_rows @ np.maximum(width, 1e-12)
            j = int(np.argmax(np.abs(rows @ (x_hi - x_lo)) / spread))
            a = rows[j]
            lo_a, hi_a = K.extent(a)
            price = 0.5 * (lo_a + hi_a)
            item = int(self.pool[j])
            yes = bool(oracle.accepts(item, price))
            K.add_answer(a, price, yes, self.eps, self.eta)
            asked.append(item)
            # an end still in the smaller K still attains its bound (the old certificate stays
            # valid either way: K only shrinks); only ends the cut removed are solved again
            g, b = K.G[-1], K.rhs[-1]
            fresh &= (ends @ g) <= b + 1e-9 * (1.0 + abs(b))
        z_hat = 0.5 * (low + high)
        cert = float(np.max(high - low)) / 2.0 + 4.0 * UNIT
        return AdaptiveRun(z_hat=z_hat, low=low, high=high, certified_delta=cert,
                           queries=len(asked), items=np.unique(np.asarray(asked, np.int64)),
                           solves=K.solves)

    def _bisect(self, oracle) -> AdaptiveRun:
        """The certified plan's run (``recmech.core.certified``, planned at eps + eta, so its
        certificate already covers the oracle's noise); its box is z_hat +- the certificate."""
        before = oracle.queries
        got = self._bisection.run(oracle, oracle_noise=0.0)
        cert = got.certified_delta
        return AdaptiveRun(z_hat=got.z_hat, low=np.maximum(got.z_hat - cert, 0.0),
                           high=np.minimum(got.z_hat + cert, 1.0), certified_delta=cert,
                           queries=oracle.queries - before, items=got.items, solves=0)

    def run(self, oracle, oracle_noise: float | None = None) -> ProtocolResult:
        """``interact`` as a ``ProtocolResult`` (the other protocols' record)."""
        if oracle_noise is not None and real(oracle_noise, "oracle_noise", low=0.0) > self.eta:
            raise ValueError(f"oracle_noise: the protocol's cuts allow eta = {self.eta:g}; "
                             f"found {oracle_noise:g}")
        before = oracle.queries
        got = self.interact(oracle)
        return ProtocolResult(got.z_hat, oracle.queries - before, got.items,
                              self.a_priori_delta, got.certified_delta, self.eps, self.eta,
                              self.setting)

    def to_dict(self) -> dict:
        return {"setting": self.setting, "design": self.design.to_dict(), "eps": self.eps,
                "eta": self.eta, "target": self.target, "pool": int(self.pool.size),
                "a_priori_delta": self.a_priori_delta, "max_queries": self.max_queries,
                "mode": self.mode, "trial_queries": dict(self.trial_queries),
                "plan_queries": None if self.plan is None else self.plan.queries}


def adaptive_protocol(design: DesignMatrix, eps: float, delta: float | None = None, *,
                      eta: float | None = None) -> AdaptiveProtocol:
    """The adaptive protocol at target ``delta`` (default: the paper's a-priori delta of the
    design's setting, ``protocols.paper_delta`` with the paper's eta = eps for its bisection),
    robust to an oracle noise up to ``eta`` (default 0: a truthful oracle).

    ValueError when the design's setting gives no a-priori delta and none is given, or when
    the target is not above (eps + eta) / min_r max_j |A_jr| on the pool.
    """
    if not isinstance(design, DesignMatrix):
        raise TypeError(f"design must be a DesignMatrix; found {type(design).__name__}")
    eps = real(eps, "eps", low=0.0, low_open=True)
    noise = 0.0 if eta is None else real(eta, "eta", low=0.0)
    setting, paper, target = target_delta(design, eps, delta)
    if not math.isfinite(target):
        raise ValueError(f"delta must be finite; found {target}")
    return AdaptiveProtocol(design, eps, target, eta=noise, a_priori_delta=paper)
