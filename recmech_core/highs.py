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

__all__ = ["FEAS_TOL", "STRATEGIES", "HighsLP", "LPFailure", "LPSolution"]

FEAS_TOL = 1e-8
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


class HighsLP:
    """definition: min c^T x s.t. rows A x <= b, bounds l <= x <= u, held in one HiGHS model.

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

    def add_rows(self, rows: sparse.csr_matrix, rhs) -> None:
        rows = sparse.csr_matrix(rows)
        rhs = np.asarray(rhs, dtype=float)
        if rows.shape[0] == 0:
            return
        self._blocks.append(rows)
        self._rhs.append(rhs)
        self.h.addRows(rows.shape[0], np.full(rows.shape[0], -highspy.kHighsInf), rhs,
                       rows.nnz, rows.indptr[:-1].astype(np.int32),
                       rows.indices.astype(np.int32), rows.data.astype(float))

    def matrix(self) -> tuple[sparse.csr_matrix, np.ndarray]:
        return sparse.vstack(self._blocks).tocsr(), np.concatenate(self._rhs)

    def violation(self, x: np.ndarray) -> float:
        """The largest violation of a row or bound, each relative to max(1, its size)."""
        a, b = self.matrix()
        scale = np.maximum(1.0, np.maximum(np.abs(b), np.asarray(abs(a).max(axis=1).todense()
                                                                  ).ravel()))
        rows = float(np.max((a @ x - b) / scale, initial=0.0))
        bounds = float(max(np.max(self.lower - x, initial=0.0), np.max(x - self.upper,
                                                                        initial=0.0)))
        return max(rows, bounds)

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

    def solve(self) -> LPSolution:
        """The verified optimum (module docstring), warm-started from the current basis by the
        first strategy; later strategies start from scratch."""
        attempts = []
        for i, (label, options) in enumerate(STRATEGIES):
            if i > 0:
                self.h.clearSolver()
            status, x = self._attempt(options)
            worst = None if x is None else self.violation(x)
            attempts.append(f"{label}: {status}" + ("" if worst is None
                                                    else f", max violation {worst:.2g}"))
            if x is not None and worst <= FEAS_TOL:
                return LPSolution(x=x, objective=float(self.cost @ x), strategy=label,
                                  status=status, max_violation=worst, attempts=tuple(attempts))
        raise LPFailure(f"{self.name}: no solver settled the LP with {self.cost.size:,} variables "
                        f"and {self.n_rows:,} rows (it is feasible and bounded by construction); "
                        f"statuses: {'; '.join(attempts)}")
