"""The exact revenue-optimal BIC and IR latent mechanism on finite supports, as an LP (HiGHS).

Cai-Daskalakis EC'22, Sec. 3 (II): M_hat is "BIC and IR w.r.t. D_hat_z and valuations v_i^A".
For finite latent supports Z_i (laws D_hat_z,i) the optimum over all randomised mechanisms is the
linear program over ex-post lottery variables x[b, a] = Pr[allocation a | profile b] (a ranges
over all (m+1)^N allocations but the empty one) and payments p[b, i]:

    definition: max  sum_b Pr[b] sum_i p[b, i]
    s.t. sum_a x[b, a] <= 1                                       (per-profile feasibility)
         p[b, i] <= sum_a x[b, a] v_i^A(b_i, a_i)                 (ex-post IR, Sec. 2.1)
         E_{b_-i}[U_i(s -> s)] >= E_{b_-i}[U_i(s -> s')]  for all i, s, s' in Z_i   (BIC)

where U_i(s -> s') = sum_a x[(s', b_-i), a] v_i^A(s, a_i) - p[(s', b_-i), i]. Lotteries over whole
allocations make any constrained-additive family exact (no decomposition of item marginals is
needed). ``method="generation"`` starts from the BIC rows towards each type's nearest support
points, adds the violated ones (the largest per type first, searched in chunks by
``recmech.core.lp_pairs`` so memory follows the rows kept, not s^2) and repeats until none is
violated by more than ``ic_tol``; it reaches the same optimum, and the returned point is verified
against every pair.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from recmech.core.batch import BatchOutcome, others_probs, profiles_of
from recmech.core.gate import real, whole
from recmech.core.highs import FEAS_TOL, HighsLP, LPFailure
from recmech.core.laws import as_finite_law
from recmech.core.lp_pairs import max_gain, nearest_pairs, pair_keys, worst_pairs
from recmech.core.mechanisms import (
    LatentMechanism,
    MechanismTable,
    Outcome,
    all_allocations,
    design_array,
)
from recmech.core.menus import table_accuracy, table_outcomes, table_plan

__all__ = ["AUTO_FULL_PAIRS", "HIGHS_OPTIONS", "ROW_NONZEROS", "OptimalLPResult",
           "TabularMechanism", "others_probs", "profiles_of", "solve_optimal_lp"]

# the tolerances of the first (warm-started) strategy of ``recmech.core.highs.STRATEGIES``
HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True)
class OptimalLPResult:
    """The optimum and its certificate: LP status, worst residuals, sizes and time.

    ``max_residual`` is the worst violation of any LP row by the returned solution;
    ``max_ic_violation`` the worst interim BIC gain over all (i, s, s') pairs, recomputed from
    the solution (so a constraint-generation run is certified against every pair), and
    ``max_ir_violation`` the worst ex-post IR shortfall. ``revenue_bound`` is the Lagrangian
    bound of the final LP from HiGHS's duals (``HighsLP.dual_bound``; that LP keeps a subset of
    the BIC rows, a relaxation of the full LP) and ``revenue_gap`` =
    max(0, bound - revenue), with ``dual_infeasibility`` the largest reduced cost left on a free
    payment column. ``n_merged``: duplicate support points merged before the solve.
    """

    revenue: float
    status: int
    message: str
    method: str
    max_residual: float
    max_ic_violation: float
    max_ir_violation: float
    revenue_bound: float
    revenue_gap: float
    dual_infeasibility: float
    n_variables: int
    n_constraints: int
    n_ic_constraints: int
    n_ic_pairs: int
    n_merged: int
    rounds: int
    solve_seconds: float
    table: MechanismTable

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in (
            "revenue", "status", "message", "method", "max_residual", "max_ic_violation",
            "max_ir_violation", "revenue_bound", "revenue_gap", "dual_infeasibility",
            "n_variables", "n_constraints", "n_ic_constraints", "n_ic_pairs", "n_merged",
            "rounds", "solve_seconds")}
        out["table"] = self.table.to_dict()
        return out


class _Problem:
    """Index bookkeeping of the LP: profiles, variables and per-bidder interim maps.

    Identical support points of a bidder are merged first (their probabilities summed): the LP
    on the merged law has the same optimum, since any BIC mechanism treats two reports of the
    same type alike up to a relabelling that the merged LP contains (checked:
    tests/test_lp_scale.py), and it has s^2 instead of (s + duplicates)^2 BIC pairs.
    ``given_of[i]`` maps the given support indices to the merged ones.
    """

    def __init__(self, A, valuations, laws, merge: bool = True) -> None:  # noqa: N803
        self.A = design_array(A)
        self.valuations = tuple(valuations)
        self.m, self.N = len(self.valuations), self.A.shape[0]
        laws = list(laws) if not isinstance(laws, (list, tuple)) else laws
        if len(laws) != self.m:
            raise ValueError(f"laws must give one finite law per bidder ({self.m}); found "
                             f"{len(laws)}")
        self.given_points, self.given_probs, self.given_of = [], [], []
        self.points, self.probs = [], []
        for i, given in enumerate(laws):
            law = as_finite_law(given, f"laws[{i}]")
            pts, pr = law.points, law.probs
            if pts.ndim != 2 or pts.shape[1] != self.A.shape[1]:
                raise ValueError(f"laws[{i}].points must be (s, k) with k = {self.A.shape[1]}; "
                                 f"found {pts.shape}")
            if np.any(pts < 0) or np.any(pts > 1):
                raise ValueError(f"laws[{i}] must lie on [0,1]^k (latent types, Sec. 3 (I)); "
                                 f"found range [{pts.min()}, {pts.max()}]")
            if np.any(pr < 0) or abs(pr.sum() - 1) > 1e-9:
                raise ValueError(f"laws[{i}].probs must be >= 0 and sum to 1; found sum "
                                 f"{pr.sum()!r}")
            self.given_points.append(pts)
            self.given_probs.append(pr)
            if merge:
                uniq, first, inverse = np.unique(pts, axis=0, return_index=True,
                                                 return_inverse=True)
                order = np.argsort(first)            # keep the order of first occurrence
                rank = np.empty_like(order)
                rank[order] = np.arange(order.size)
                inv = rank[inverse.ravel()]
                pts, pr = uniq[order], np.bincount(inv, weights=pr, minlength=order.size)
            else:
                inv = np.arange(pts.shape[0])
            self.given_of.append(inv)
            self.points.append(pts)
            self.probs.append(pr)
        self.shape = tuple(p.shape[0] for p in self.points)
        self.n_prof = int(np.prod(self.shape))
        self.allocs = all_allocations(self.m, self.N, include_empty=False)
        self.n_a = self.allocs.shape[0]
        self.n_x = self.n_prof * self.n_a
        self.n_var = self.n_x + self.n_prof * self.m
        # definition: with others (m > 1) a BIC row over profile variables has 2 n_o (n_a + 1)
        # nonzeros;
        # through interim columns q_i[s, bundle], r_i[s] (defined by equality rows) it has
        # 2 (n_b + 1), and the definitions cost n_prof (n_a + 1) nonzeros once per bidder
        self.interim_form = self.m > 1
        self.q_col, self.r_col = [], []
        self.joint = np.ones(())
        for pr in self.probs:
            self.joint = np.multiply.outer(self.joint, pr)
        self.joint = self.joint.reshape(-1)
        self.prof_of = [profiles_of(self.shape, i) for i in range(self.m)]
        self.pr_others = [others_probs(self.probs, i) for i in range(self.m)]
        self.values, self.bvalues, self.bundle_of = [], [], []
        for i in range(self.m):
            bundles, inv = np.unique(self.allocs[:, i, :], axis=0, return_inverse=True)
            types = self.points[i] @ self.A.T
            s_i, n_b = types.shape[0], bundles.shape[0]
            vals = self.valuations[i].value_batch(np.repeat(types, n_b, axis=0),
                                                  np.tile(bundles, (s_i, 1))).reshape(s_i, n_b)
            self.bundle_of.append(inv.ravel())
            self.bvalues.append(vals)                          # V_i[s, bundle]
            self.values.append(vals[:, inv.ravel()])          # V_i[s, a]
            if self.interim_form:
                self.q_col.append(self.n_var + np.arange(s_i * n_b).reshape(s_i, n_b))
                self.r_col.append(self.n_var + s_i * n_b + np.arange(s_i))
                self.n_var += s_i * (n_b + 1)

    def pay_col(self, prof: np.ndarray, i: int) -> np.ndarray:
        return self.n_x + prof * self.m + i

    def base_rows(self) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Feasibility and ex-post IR rows."""
        prof = np.arange(self.n_prof)
        r_f = np.repeat(prof, self.n_a)
        c_f = np.arange(self.n_x)
        rows, cols, data = [r_f], [c_f], [np.ones(self.n_x)]
        for i in range(self.m):
            base = self.n_prof * (1 + i)
            own = np.empty(self.n_prof, dtype=int)
            for s in range(self.shape[i]):
                own[self.prof_of[i][s]] = s
            vals = self.values[i][own]                                  # (n_prof, n_a)
            rows += [np.repeat(base + prof, self.n_a), base + prof]
            cols += [np.arange(self.n_x), self.pay_col(prof, i)]
            data += [-vals.ravel(), np.ones(self.n_prof)]
        n_rows = self.n_prof * (1 + self.m)
        mat = sparse.csr_matrix((np.concatenate(data), (np.concatenate(rows),
                                 np.concatenate(cols))), shape=(n_rows, self.n_var))
        rhs = np.concatenate([np.ones(self.n_prof), np.zeros(self.n_prof * self.m)])
        return mat, rhs

    def interim_rows(self) -> sparse.csr_matrix:
        """The equality rows defining the interim columns (``interim_form``): per bidder i,
        q_i[s, b] = sum_o Pr[o] sum_{a: a_i = b} x[(s, o), a] and
        r_i[s] = sum_o Pr[o] p[(s, o), i]."""
        blocks = []
        for i in range(self.m):
            s_i, n_b = self.q_col[i].shape
            prof, pr_o = self.prof_of[i], self.pr_others[i]             # (s, n_o), (n_o,)
            s_idx = np.broadcast_to(np.arange(s_i)[:, None, None], (s_i, pr_o.size, self.n_a))
            rows = [(s_idx * n_b + self.bundle_of[i][None, None, :]).ravel(),
                    np.repeat(s_i * n_b + np.arange(s_i), pr_o.size),
                    np.arange(s_i * (n_b + 1))]
            cols = [(prof[:, :, None] * self.n_a + np.arange(self.n_a)).ravel(),
                    self.pay_col(prof, i).ravel(),
                    np.concatenate([self.q_col[i].ravel(), self.r_col[i]])]
            data = [np.broadcast_to(pr_o[None, :, None], s_idx.shape).ravel(),
                    np.tile(pr_o, s_i), -np.ones(s_i * (n_b + 1))]
            blocks.append(sparse.csr_matrix(
                (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                shape=(s_i * (n_b + 1), self.n_var)))
        return sparse.vstack(blocks).tocsr()

    def ic_rows(self, i: int, ss: np.ndarray, sp: np.ndarray) -> sparse.csr_matrix:
        """definition: Rows U_i(s -> s') - U_i(s -> s) <= 0 for the pairs (ss[r], sp[r])."""
        if self.interim_form:
            vals = self.bvalues[i][ss]                                  # (P, n_b)
            n_p, n_b = vals.shape
            rows = np.concatenate([np.repeat(np.arange(n_p), n_b)] * 2
                                  + [np.arange(n_p)] * 2)
            cols = np.concatenate([self.q_col[i][sp].ravel(), self.q_col[i][ss].ravel(),
                                   self.r_col[i][sp], self.r_col[i][ss]])
            data = np.concatenate([vals.ravel(), -vals.ravel(), -np.ones(n_p), np.ones(n_p)])
            return sparse.csr_matrix((data, (rows, cols)), shape=(n_p, self.n_var))
        n_p = ss.size
        pr_o = self.pr_others[i]
        vals = self.values[i][ss]                                       # (P, n_a)
        coef = pr_o[None, :, None] * vals[:, None, :]                   # (P, n_o, n_a)
        prof_p, prof_s = self.prof_of[i][sp], self.prof_of[i][ss]       # (P, n_o)
        a_idx = np.arange(self.n_a)[None, None, :]
        row3 = np.broadcast_to(np.arange(n_p)[:, None, None], coef.shape)
        row2 = np.broadcast_to(np.arange(n_p)[:, None], prof_p.shape)
        pr2 = np.broadcast_to(pr_o[None, :], prof_p.shape)
        rows = np.concatenate([row3.ravel(), row3.ravel(), row2.ravel(), row2.ravel()])
        cols = np.concatenate([(prof_p[:, :, None] * self.n_a + a_idx).ravel(),
                               (prof_s[:, :, None] * self.n_a + a_idx).ravel(),
                               self.pay_col(prof_p, i).ravel(), self.pay_col(prof_s, i).ravel()])
        data = np.concatenate([coef.ravel(), -coef.ravel(), -pr2.ravel(), pr2.ravel()])
        return sparse.csr_matrix((data, (rows, cols)), shape=(n_p, self.n_var))

    def interim(self, sol: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Bidder i's interim bundle lottery xbar[s, b] and payment pbar[s] against truthful
        others, from the profile variables (never the interim columns: this is what the
        verification pass checks)."""
        x = sol[:self.n_x].reshape(self.n_prof, self.n_a)
        pay = sol[self.n_x:self.n_x + self.n_prof * self.m].reshape(self.n_prof, self.m)[:, i]
        xbar = np.einsum("son,o->sn", x[self.prof_of[i]], self.pr_others[i])
        n_b = self.bvalues[i].shape[1]
        onehot = self.bundle_of[i][:, None] == np.arange(n_b)[None, :]
        return xbar @ onehot, pay[self.prof_of[i]] @ self.pr_others[i]

    def table(self, sol: np.ndarray) -> MechanismTable:
        """The mechanism on the given (unmerged) supports: duplicates play their merged row."""
        grids = np.meshgrid(*self.given_of, indexing="ij")
        rows = np.ravel_multi_index(tuple(g.ravel() for g in grids), self.shape)
        x = np.clip(sol[:self.n_x].reshape(self.n_prof, self.n_a), 0.0, 1.0)
        pay = sol[self.n_x:self.n_x + self.n_prof * self.m].reshape(self.n_prof, self.m)
        return MechanismTable(points=tuple(self.given_points), probs=tuple(self.given_probs),
                              allocations=self.allocs, alloc_probs=x[rows],
                              payments=pay[rows].copy())


def _model(prob: _Problem, base: sparse.csr_matrix, rhs: np.ndarray, name: str) -> HighsLP:
    n_pay = prob.n_prof * prob.m
    cost = np.zeros(prob.n_var)
    cost[prob.n_x:prob.n_x + n_pay] = -np.repeat(prob.joint, prob.m)
    lower, upper = np.full(prob.n_var, -np.inf), np.full(prob.n_var, np.inf)
    lower[:prob.n_x], upper[:prob.n_x] = 0.0, 1.0
    for q in prob.q_col:        # interim lotteries, in [0, 1] as the lotteries they average
        lower[q.ravel()], upper[q.ravel()] = 0.0, 1.0
    lp = HighsLP(cost, lower, upper, base, rhs, name)
    if prob.interim_form:
        defs = prob.interim_rows()
        lp.add_rows(defs, np.zeros(defs.shape[0]), equal=True)
    return lp


AUTO_FULL_PAIRS = 20_000  # method "auto": all BIC rows up to this many (m s (s - 1)) pairs
ROW_NONZEROS = 1 << 22  # definition: nonzeros of one block of BIC rows handed to HiGHS


class _Rows:
    """The BIC rows in the model, per bidder as sorted pair keys; appends only new pairs."""

    def __init__(self, prob: _Problem, lp: HighsLP) -> None:
        self.prob, self.lp = prob, lp
        self.kept = [np.zeros(0, dtype=np.int64) for _ in prob.shape]

    @property
    def count(self) -> int:
        return int(sum(k.size for k in self.kept))

    def add(self, i: int, ss: np.ndarray, sp: np.ndarray) -> int:
        s_i = self.prob.shape[i]
        keys = np.unique(pair_keys(ss, sp, s_i))
        keys = keys[~np.isin(keys, self.kept[i], assume_unique=True)]
        if keys.size == 0:
            return 0
        ss, sp = np.divmod(keys, s_i)
        per_row = (2 * (self.prob.bvalues[i].shape[1] + 1) if self.prob.interim_form
                   else 2 * self.prob.pr_others[i].size * (self.prob.n_a + 1))
        step = max(1, ROW_NONZEROS // per_row)
        for lo in range(0, keys.size, step):
            self.lp.add_rows(self.prob.ic_rows(i, ss[lo:lo + step], sp[lo:lo + step]),
                             np.zeros(min(step, keys.size - lo)))
        self.kept[i] = np.union1d(self.kept[i], keys)
        return int(keys.size)


def _reporter(progress) -> Callable[[str, int, int], None] | None:
    """``progress``: None/False (silent), True (lines on stderr), a text stream, or a callable
    ``progress(what, done, total)`` as the package's long functions take."""
    if progress is None or progress is False:
        return None
    if callable(progress):
        return progress
    stream = sys.stderr if progress is True else progress
    if not callable(getattr(stream, "write", None)):
        raise TypeError(f"progress must be None, a bool, a text stream or a callable "
                        f"(what, done, total); found {type(progress).__name__}")

    def say(what: str, done: int, total: int) -> None:
        stream.write(f"optimal LP: [{done}/{total}] {what}\n")
        stream.flush()

    return say


def solve_optimal_lp(A, valuations, laws, method: str = "auto",  # noqa: N803
                     ic_tol: float = 1e-9, per_type: int = 8, max_rounds: int = 500,
                     solver: str = "highs", initial: int | None = None,
                     merge_duplicates: bool = True, progress=None) -> OptimalLPResult:
    """The revenue-optimal BIC, ex-post IR mechanism for finite latent laws (module docstring).

    definition: ``method``: "full" (all m * s (s - 1) BIC rows in one solve), "generation" (add
    violated BIC rows, at most ``per_type`` per type and round, until every pair's violation is
    <= ``ic_tol``; the first round already holds the rows towards each type's ``initial``
    l1-nearest support points, default 2k: the axis neighbours of a lattice, the usual binding
    ones) or "auto" (the default: full up to ``AUTO_FULL_PAIRS`` pairs, generation beyond).
    Both solve through HiGHS's own interface (``recmech.core.highs``): rows are appended in
    place and dual simplex restarts from the previous basis at HiGHS's default tolerances (a
    last point whose rows are not all within ``FEAS_TOL`` is settled again at 1e-10 and
    searched once more); an answer is returned only after HiGHS reports Optimal and the point
    is checked against every row (within ``FEAS_TOL``), with fallbacks to other HiGHS
    strategies, and ``LPFailure`` (a RuntimeError naming the instance
    size and the statuses) when none settles. The returned mechanism is then verified against
    every BIC pair (``recmech.core.lp_pairs.max_gain``, chunked) and ex-post IR, and the revenue
    carries the duality gap of the final LP (``revenue_bound``, ``revenue_gap``).

    Identical support points of a bidder are merged before the solve (``merge_duplicates``);
    the returned table is on the given supports. ``progress`` (default off): True prints one
    line per round on stderr (rounds, BIC rows, worst violation), or pass a stream or a
    callable ``progress(what, done, total)``. ``solver`` ("highs", "highs-ds" or "highs-ipm")
    is accepted for compatibility. ``laws``: one finite law per bidder, in any form
    ``recmech.core.laws.as_finite_law`` accepts.
    """
    if solver not in ("highs", "highs-ipm", "highs-ds"):
        raise ValueError(f"solver must be 'highs', 'highs-ds' or 'highs-ipm'; found {solver!r}")
    if method not in ("auto", "full", "generation"):
        raise ValueError(f"method must be 'auto', 'full' or 'generation'; found {method!r}")
    ic_tol = real(ic_tol, "ic_tol", low=0.0, low_open=True)
    per_type = whole(per_type, "per_type", low=1)
    if initial is not None:
        initial = whole(initial, "initial", low=0)
    max_rounds = whole(max_rounds, "max_rounds", low=1)
    if not isinstance(merge_duplicates, bool):
        raise TypeError(f"merge_duplicates must be a bool; found {type(merge_duplicates).__name__}")
    say = _reporter(progress)
    start = time.perf_counter()
    prob = _Problem(A, valuations, laws, merge=merge_duplicates)
    base, rhs = prob.base_rows()
    pairs_total = sum(s * (s - 1) for s in prob.shape)
    if method == "auto":
        method = "full" if pairs_total <= AUTO_FULL_PAIRS else "generation"
    name = (f"revenue LP ({prob.m} bidder(s), {prob.N} item(s), supports "
            f"{'x'.join(str(s) for s in prob.shape)}, method {method})")
    lp = _model(prob, base, rhs, name)
    rows = _Rows(prob, lp)
    for i, s_i in enumerate(prob.shape):
        if method == "full":
            ss, sp = np.nonzero(~np.eye(s_i, dtype=bool))
        else:
            ss, sp = nearest_pairs(prob.points[i], 2 * prob.points[i].shape[1]
                                   if initial is None else initial)
        rows.add(i, ss, sp)
    rounds, final = 0, False
    while True:
        # with others, interior point settles the first, basis-less solve far faster (highs)
        sol = lp.solve(final=final, ipm_first=rounds == 0 and prob.m > 1)
        rounds += 1
        added, worst = 0, -np.inf
        for i in range(prob.m):
            xbar, pbar = prob.interim(sol.x, i)
            found = worst_pairs(prob.bvalues[i], xbar, pbar, rows.kept[i], per_type, ic_tol)
            worst = max(worst, found.worst)
            added += rows.add(i, found.ss, found.sp)
        if say is not None:
            say(f"round {rounds} ({sol.strategy}): {rows.count:,} of {pairs_total:,} BIC rows, "
                f"worst violation outside them {max(worst, 0.0):.2e}, {added:,} added",
                rounds, max_rounds)
        if added == 0 and (final or sol.max_violation <= FEAS_TOL):
            break
        # a round's point outside FEAS_TOL is settled at tight tolerances, then searched again
        final = final or added == 0
        if rounds >= max_rounds:
            raise LPFailure(f"{name}: constraint generation did not converge in "
                            f"{max_rounds} rounds (max_rounds)")
    x = sol.x
    residual = float(max(0.0, np.max(lp.residuals(x))))
    ic_viol = max(max_gain(prob.bvalues[i], *prob.interim(x, i))[0] for i in range(prob.m))
    ir_rows = base @ x - rhs
    bound, dual_infeas = lp.dual_bound(x)
    revenue = float(-sol.objective)
    return OptimalLPResult(
        revenue=revenue, status=0, message=f"{sol.status} ({sol.strategy})",
        method=method, max_residual=residual, max_ic_violation=max(0.0, ic_viol),
        max_ir_violation=float(max(0.0, np.max(ir_rows[prob.n_prof:]))),
        revenue_bound=-bound, revenue_gap=max(0.0, -bound - revenue),
        dual_infeasibility=dual_infeas,
        n_variables=int(prob.n_var), n_constraints=lp.n_rows,
        n_ic_constraints=rows.count, n_ic_pairs=int(pairs_total),
        n_merged=int(sum(g.shape[0] - s for g, s in zip(prob.given_points, prob.shape,
                                                        strict=True))),
        rounds=rounds, solve_seconds=time.perf_counter() - start, table=prob.table(x))


class TabularMechanism(LatentMechanism):
    """A latent mechanism given by a ``MechanismTable`` on finite supports (e.g. the LP optimum).

    On a support profile it plays the table. definition: A report off bidder i's support is mapped
    by ``off_support``: "error" (ValueError), "nearest" (the l_inf-nearest support point) or "menu"
    (the support report that maximises the interim utility of the latent type b_i against
    truthful others drawn from the model, or nothing at price 0 if every such utility is < 0:
    BIC and IR are then kept for latent types off the support, interim). A bidder mapped to
    nothing gets no items and pays 0; the others then face a report drawn from that bidder's law.
    """

    def __init__(self, A, valuations, table: MechanismTable, off_support: str = "menu") -> None:  # noqa: N803
        super().__init__(A, valuations)
        if off_support not in ("error", "nearest", "menu"):
            raise ValueError(f"off_support must be 'error', 'nearest' or 'menu'; found "
                             f"{off_support!r}")
        if table.m != self.m:
            raise ValueError(f"table has {table.m} bidders but valuations has {self.m}")
        self.table, self.off_support = table, off_support
        self._lookup = [{np.ascontiguousarray(p, dtype=float).tobytes(): s
                         for s, p in reversed(list(enumerate(pts)))} for pts in table.points]
        self._cuts: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._interim = []
        for i in range(self.m):
            bundles, weights = table.bundle_table(i)
            prof, pr_o = profiles_of(table.shape, i), others_probs(table.probs, i)
            xbar = np.einsum("sob,o->sb", weights[prof], pr_o)
            pbar = table.payments[prof, i] @ pr_o
            self._interim.append((bundles, xbar, pbar))

    @classmethod
    def from_lp(cls, A, valuations, laws, off_support: str = "menu", **lp_options):  # noqa: N803
        """Solve ``solve_optimal_lp`` and wrap its table; the LP record is kept as ``.lp``."""
        result = solve_optimal_lp(A, valuations, laws, **lp_options)
        mech = cls(A, valuations, result.table, off_support=off_support)
        mech.lp = result
        return mech

    def report_index(self, i: int, b: np.ndarray) -> int:
        """The support index bidder i's report is played as, or -1 for "nothing".

        A support point is found by exact lookup (O(k)); a report within 1e-12 of one in l_inf
        counts as that point. Off the support, "menu" picks the support report of the largest
        interim utility for the latent type b; ties (within the table's accuracy,
        ``recmech.core.menus``) go to the higher interim price, then to the lower support index,
        so the choice, and hence revenue, does not depend on how the support is ordered nor on
        the solver's noise: a type indifferent between two menu entries buys the dearer one,
        and one indifferent between buying and nothing buys.
        """
        hit = self._lookup[i].get(np.asarray(b, dtype=float).tobytes())
        if hit is not None:
            return hit
        pts = self.table.points[i]
        dist = np.abs(pts - b[None, :]).max(axis=1)
        nearest = int(np.argmin(dist))
        if dist[nearest] <= 1e-12 or self.off_support == "nearest":
            return nearest
        if self.off_support == "error":
            raise ValueError(f"bids[{i}] = {b.tolist()} is not a support point of bidder {i}'s "
                             "law (off_support='error')")
        return int(table_plan(self).menu(i, b[None, :])[0])

    @property
    def accuracy(self) -> float:
        """The table's certified BIC violation (``recmech.core.menus.table_accuracy``)."""
        return table_accuracy(self)

    def _outcomes(self, bids: np.ndarray) -> BatchOutcome:
        return table_outcomes(self, bids)

    def _outcome(self, bids: np.ndarray) -> Outcome:
        """The table's lottery; bidders mapped to nothing get nothing and pay 0, and the others
        face a report drawn from each such bidder's law: one weighted sum over those fills (no
        fills at all when nobody else is served)."""
        idx = [self.report_index(i, bids[i]) for i in range(self.m)]
        nulls = [i for i in range(self.m) if idx[i] < 0]
        if not nulls:
            return self.table.outcome_at(idx)
        if len(nulls) == self.m:
            return Outcome(lottery=(), payments=np.zeros(self.m))
        grids = np.meshgrid(*(np.arange(self.table.shape[i]) for i in nulls), indexing="ij")
        weights = np.ones(grids[0].shape)
        full = [np.full(grids[0].shape, s) for s in idx]
        for i, g in zip(nulls, grids, strict=True):
            full[i] = g
            weights = weights * self.table.probs[i][g]
        rows = np.ravel_multi_index(tuple(f.ravel() for f in full), self.table.shape)
        w = weights.ravel()
        mixed = w @ self.table.alloc_probs[rows]
        pay = w @ self.table.payments[rows]
        pay[nulls] = 0.0
        cut, inverse = self._cut(tuple(nulls))
        merged = np.bincount(inverse, weights=mixed, minlength=cut.shape[0])
        lottery = tuple((float(p), cut[a]) for a, p in enumerate(merged) if p > 0)
        return Outcome(lottery=lottery, payments=pay)

    def _cut(self, nulls: tuple) -> tuple[np.ndarray, np.ndarray]:
        """The allocations with the rows of ``nulls`` emptied, merged: (distinct, inverse)."""
        if nulls not in self._cuts:
            allocs = self.table.allocations.copy()
            allocs[:, list(nulls), :] = False
            flat = allocs.reshape(allocs.shape[0], -1)
            uniq, inverse = np.unique(flat, axis=0, return_inverse=True)
            self._cuts[nulls] = (uniq.reshape(-1, *allocs.shape[1:]), inverse.ravel())
        return self._cuts[nulls]
