"""A HiGHS driver for the revenue LP: warm-started row generation and a solve that settles.

The revenue LP of ``recmech.core.optimal`` (Cai-Daskalakis EC'22, Sec. 3 (II): the optimal BIC and
IR M_hat on finite supports) is max c^T x s.t. definition: A x <= b, l <= x <= u. Constraint
generation adds violated BIC rows and solves again; through HiGHS's own interface (``highspy``) the
rows are appended to the model in place and dual simplex restarts from the previous optimal basis (a
basis stays dual feasible when rows are added), so a round costs the pivots the new rows need,
not a solve from scratch.

A solve never returns a number it has not verified. The answer is accepted only when HiGHS
reports Optimal and the point satisfies every row and bound within ``FEAS_TOL`` (scaled by the
row's size). Otherwise the same model is solved again by the next strategy of ``STRATEGIES``
(dual simplex at tight tolerances, interior point with crossover, primal simplex, dual simplex
at HiGHS's default tolerances: the interior point method at 1e-10 reports Unknown/Infeasible on
some feasible revenue LPs, e.g. the 40 x 40 grid); when none settles, ``LPFailure`` names the
instance size and every status seen. definition: The revenue LP is always feasible (x = 0, p = 0)
and
bounded (p <= values): an Infeasible or Unbounded status is a numerical failure, reported as such.

Isolation: every option a strategy needs is set on this model's own instance before each run,
and HiGHS's process-wide scheduler is rebuilt when a run refuses to start because another
user of HiGHS in the process (an implementation under test, say) initialised it with another
thread count, so a verdict never depends on what ran earlier in the process.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from recmech.core.gate import plain, real_array

__all__ = ["COLD_IPM", "FEAS_TOL", "ROUND", "ROUND_TOL", "STRATEGIES", "HighsLP", "LPFailure",
           "LPSolution"]

FEAS_TOL = 1e-8
# A generation round's solve: dual simplex at HiGHS's default tolerances, from the last basis. At
# 1e-10 the same warm solve can take ten times as long (6,400 types: minutes against 10 s). A
# round's point is accepted as a search point within ``ROUND_TOL``; the caller returns it only if
# its violation is within ``FEAS_TOL`` too, and otherwise settles it by ``solve(final=True)``.
ROUND = ("dual simplex, tolerances 1e-7 (generation round)",
         {"solver": "simplex", "simplex_strategy": 1, "primal_feasibility_tolerance": 1e-7,
          "dual_feasibility_tolerance": 1e-7})
ROUND_TOL = 1e-6
# definition: A first solve from no basis of a revenue LP with others (m > 1, profile lotteries per
# allocation): interior point, then crossover to a basis the next rounds warm-start from. On
# two bidders, 8 x 8 grids it took 1.3 s where dual simplex took 9.2 s; on one bidder dual
# simplex is the faster (60 x 60 grid: 2.8 s against 38 s), so it is the caller's choice.
COLD_IPM = ("interior point with crossover, tolerances 1e-7 (first solve)",
            {"solver": "ipm", "run_crossover": "on", "primal_feasibility_tolerance": 1e-7,
             "dual_feasibility_tolerance": 1e-7, "ipm_optimality_tolerance": 1e-8})
STRATEGIES = (
    ("dual simplex, tolerances 1e-10",
     {"solver": "simplex", "simplex_strategy": 1, "primal_feasibility_tolerance": 1e-10,
      "dual_feasibility_tolerance": 1e-10}),
    ("interior point with crossover, tolerances 1e-9",
     {"solver": "ipm", "run_crossover": "on", "primal_feasibility_tolerance": 1e-9,
      "dual_feasibility_tolerance": 1e-9, "ipm_optimality_tolerance": 1e-10}),
    ("primal simplex, tolerances 1e-9",
     {"solver": "simplex", "simplex_strategy": 4, "primal_feasibility_tolerance": 1e-9,
      "dual_feasibility_tolerance": 1e-9}),
    ("dual simplex, default tolerances",
     {"solver": "simplex", "simplex_strategy": 1, "primal_feasibility_tolerance": 1e-7,
      "dual_feasibility_tolerance": 1e-7}),
)


def _quiet_highs() -> highspy.Highs:
    """A HiGHS instance with its log off. HiGHS writes its banner to file descriptor 1 when the
    first instance of a process is made, before any option can be set; the descriptor is pointed
    at the null device for that moment, so ``recmech ... --json -`` output stays clean."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    h.setOptionValue("output_flag", False)
    return h


class LPFailure(RuntimeError):
    """No strategy settled the LP: the message names its size and every solver status."""


@dataclass(frozen=True, kw_only=True)
class LPSolution:
    """A verified optimum: x, the objective c^T x, the strategy that settled it, its status."""

    x: np.ndarray
    objective: float
    strategy: str
    status: str
    max_violation: float
    attempts: tuple

    def to_dict(self) -> dict:
        return {"objective": self.objective, "strategy": self.strategy, "status": self.status,
                "max_violation": self.max_violation, "attempts": list(self.attempts)}


def _box_min(d: np.ndarray, lower: np.ndarray, upper: np.ndarray, x: np.ndarray) -> np.ndarray:
    """min of d_j x_j over the column's box [l_j, u_j]; at x_j where that box side is infinite."""
    side = np.where(d >= 0, lower, upper)
    return d * np.where(np.isfinite(side), side, x)


class HighsLP:
    """definition: min c^T x s.t. rows A x <= b (or = b, ``add_rows(..., equal=True)``),
    bounds l <= x <= u, held in one HiGHS model.

    ``add_rows`` appends rows (the basis is kept); ``solve`` re-solves from the current basis.
    """

    def __init__(self, cost, lower, upper, rows: sparse.csr_matrix, rhs, name: str) -> None:
        cost = real_array(cost, "cost", 1)
        for label, bound in (("lower", lower), ("upper", upper)):  # +-inf: no bound; NaN never
            arr = np.asarray(plain(bound, label))
            if arr.dtype.kind not in "iuf" or arr.shape != cost.shape or np.isnan(arr).any():
                raise ValueError(f"{label} must be a real array of shape {cost.shape} without "
                                 f"NaN; found {arr.dtype} {arr.shape}")
        if not sparse.issparse(rows) or not isinstance(name, str):
            raise TypeError(f"rows must be a scipy sparse matrix and name text; found "
                            f"{type(rows).__name__}, {type(name).__name__}")
        self.cost = np.asarray(cost, dtype=float)
        self.lower, self.upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        self.name = name
        self._blocks: list[sparse.csr_matrix] = []
        self._rhs: list[np.ndarray] = []
        self._equal: list[np.ndarray] = []
        self.h = _quiet_highs()
        self.h.setOptionValue("threads", 1)
        inf = highspy.kHighsInf
        lo = np.where(np.isfinite(self.lower), self.lower, -inf)
        up = np.where(np.isfinite(self.upper), self.upper, inf)
        self.h.addCols(self.cost.size, self.cost, lo, up, 0, np.zeros(0, dtype=np.int32),
                       np.zeros(0, dtype=np.int32), np.zeros(0))
        self.h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.add_rows(rows, rhs)

    @property
    def n_rows(self) -> int:
        return int(sum(b.shape[0] for b in self._blocks))

    def add_rows(self, rows: sparse.csr_matrix, rhs, equal: bool = False) -> None:
        rows = sparse.csr_matrix(rows)
        rhs = np.asarray(rhs, dtype=float)
        if rows.shape[0] == 0:
            return
        self._blocks.append(rows)
        self._rhs.append(rhs)
        self._equal.append(np.full(rows.shape[0], bool(equal)))
        self.h.addRows(rows.shape[0], rhs if equal else np.full(rows.shape[0],
                                                                -highspy.kHighsInf), rhs,
                       rows.nnz, rows.indptr[:-1].astype(np.int32),
                       rows.indices.astype(np.int32), rows.data.astype(float))

    def matrix(self) -> tuple[sparse.csr_matrix, np.ndarray]:
        if len(self._blocks) > 1:
            self._blocks = [sparse.vstack(self._blocks).tocsr()]
            self._rhs = [np.concatenate(self._rhs)]
            self._equal = [np.concatenate(self._equal)]
        return self._blocks[0], self._rhs[0]

    def residuals(self, x: np.ndarray) -> np.ndarray:
        """Per row, A x - b for an inequality row and |A x - b| for an equality row."""
        a, b = self.matrix()
        r = a @ x - b
        return np.where(self._equal[0], np.abs(r), r)

    def violation(self, x: np.ndarray) -> float:
        """The largest violation of a row or bound, each relative to max(1, its size)."""
        a, b = self.matrix()
        size = np.zeros(a.shape[0])
        nonempty = np.diff(a.indptr) > 0
        size[nonempty] = np.maximum.reduceat(np.abs(a.data), a.indptr[:-1][nonempty])
        scale = np.maximum(1.0, np.maximum(np.abs(b), size))
        rows = float(np.max(self.residuals(x) / scale, initial=0.0))
        bounds = float(max(np.max(self.lower - x, initial=0.0), np.max(x - self.upper,
                                                                        initial=0.0)))
        return max(rows, bounds)

    def dual_bound(self, x: np.ndarray) -> tuple[float, float]:
        """(Lagrangian bound on min c^T x from HiGHS's row duals, the largest reduced cost of a
        column whose box is infinite on its side).

        definition: with y = the row duals (clipped to <= 0 on inequality rows) and
        d = c - A^T y, the bound is
        b^T y + sum_j min_{l_j <= x_j <= u_j} d_j x_j; a column whose box is open on the side d_j
        points to (the free payments) is taken at its value x_j, and its |d_j| returned so that
        the caller can report how far the duals are from exact feasibility there.
        """
        a, b = self.matrix()
        y = np.asarray(self.h.getSolution().row_dual, dtype=float)
        y = np.where(self._equal[0], y, np.minimum(y, 0.0))
        d = self.cost - a.T @ y
        side = np.where(d >= 0, self.lower, self.upper)
        open_side = ~np.isfinite(side)
        bound = float(b @ y + _box_min(d, self.lower, self.upper, x).sum())
        return bound, float(np.max(np.abs(d[open_side]), initial=0.0))

    def _attempt(self, options: dict) -> tuple[str, np.ndarray | None]:
        for key, value in options.items():
            self.h.setOptionValue(key, value)
        if self.h.run() == highspy.HighsStatus.kError and \
                self.h.getModelStatus() == highspy.HighsModelStatus.kNotset:
            # HiGHS's task scheduler is process-wide: code that ran HiGHS earlier in this
            # process with another thread count (its default, say) makes a run with threads = 1
            # refuse to start. The scheduler is rebuilt for this run: the answer never depends
            # on what ran before (another instance re-initialises it when it next runs).
            highspy.Highs.resetGlobalScheduler(True)
            self.h.run()
        status = self.h.getModelStatus()
        text = self.h.modelStatusToString(status)
        if status != highspy.HighsModelStatus.kOptimal:
            return text, None
        return text, np.asarray(self.h.getSolution().col_value, dtype=float)

    def solve(self, final: bool = True, ipm_first: bool = False) -> LPSolution:
        """The verified optimum (module docstring), warm-started from the current basis by the
        first strategy; later strategies start from scratch. ``final=False`` (a generation
        round) first tries ``ROUND`` from the basis, accepted within ``ROUND_TOL``;
        ``ipm_first`` puts ``COLD_IPM`` before it (a first solve, no basis yet)."""
        attempts = []
        plan = ([(COLD_IPM, ROUND_TOL)] if ipm_first and not final else []) + \
            ([(ROUND, ROUND_TOL)] if not final else []) + [(st, FEAS_TOL) for st in STRATEGIES]
        for i, ((label, options), tol) in enumerate(plan):
            if i > 0 and (final or i > 1):
                self.h.clearSolver()
            status, x = self._attempt(options)
            worst = None if x is None else self.violation(x)
            attempts.append(f"{label}: {status}" + ("" if worst is None
                                                    else f", max violation {worst:.2g}"))
            if x is not None and worst <= tol:
                return LPSolution(x=x, objective=float(self.cost @ x), strategy=label,
                                  status=status, max_violation=worst, attempts=tuple(attempts))
        raise LPFailure(f"{self.name}: no solver settled the LP with {self.cost.size:,} variables "
                        f"and {self.n_rows:,} rows (it is feasible and bounded by construction); "
                        f"statuses: {'; '.join(attempts)}")
