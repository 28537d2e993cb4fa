"""The one tolerance table: how far an outside answer may be from the reference's, by quantity.

Every comparison of an outside answer with the reference (the claim checks of
``recmech.properties.judging.checks`` and the part judgements of
``recmech.properties.guard.parts``) takes its tolerance from ``TOLERANCES``, keyed by quantity.
A tolerance is a relative term, the backward error of a correct floating-point computation
carried through the quantity's perturbation bound (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2nd ed.), plus an absolute floor where the reference itself adds an allowance (its
rounding allowance, a solver's feasibility tolerance). u = 2^-53 is the unit roundoff of
float64; an answer in a lower precision (float32: 2^-24) is not float64-accurate and fails the
part judgement, while a claim check judges only the relation the paper states.

The mechanism rows read the solver tolerance the contract states
(``recmech.properties.subject.contract.SOLVER_TOLERANCE``): an outside M_hat may come from an LP
solved to primal and dual feasibility tau = 1e-7, HiGHS's and ``scipy.optimize.linprog``'s
default. ``tolerance_markdown()`` renders the README's table from ``TOLERANCES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from recmech.core.gate import real_array
from recmech.properties.subject.contract import SOLVER_TOLERANCE

__all__ = ["TOLERANCES", "U", "Tolerance", "mechanism_value_scale", "tolerance",
           "tolerance_markdown"]

U = float(np.finfo(float).eps / 2)
TAU = SOLVER_TOLERANCE


@dataclass(frozen=True, kw_only=True)
class Tolerance:
    """One row: the quantity, the formula (text), why (the derivation) and ``at(**scales)``,
    the allowed absolute difference for the given scales."""

    quantity: str
    formula: str
    derivation: str
    used_by: str
    at: Callable[..., float]

    def to_dict(self) -> dict:
        return {"quantity": self.quantity, "formula": self.formula,
                "derivation": self.derivation, "used_by": self.used_by}


def _least_squares(*, l_rows: int, k: int, kappa: float, z_norm: float, y_norm: float,
                   s_max: float, r_norm: float) -> float:
    return 20 * l_rows * k * U * kappa * (z_norm + y_norm / s_max + kappa * r_norm / s_max)


def _normal_equations(*, l_rows: int, k: int, s_max: float, z_norm: float,
                      y_norm: float) -> float:
    return 20 * l_rows * k * U * s_max * (s_max * z_norm + y_norm)


def _bound_value(*, value: float, allowance: float = 0.0) -> float:
    return 1e-9 * abs(value) + allowance + 1e-300


def _bound_matrix(*, value: float, n: int, kappa: float, allowance: float = 0.0) -> float:
    return (64 * n * U * kappa + 1e-9) * abs(value) + allowance + 1e-300


_ROWS = (
    Tolerance(quantity="least_squares.z",
              formula="20 l k u kappa(B) (||z|| + ||y||/sigma_max + kappa ||r||/sigma_max), per "
                      "column",
              derivation="Householder QR is backward stable with error c l k u (Higham Thm. "
                         "20.3), carried through the least-squares perturbation bound (Thm. "
                         "20.1); doubled for the two solvers compared",
              used_by="part.least_squares", at=_least_squares),
    Tolerance(quantity="least_squares.normal_equations",
              formula="20 l k u sigma_max (sigma_max ||z|| + ||y||), rank-deficient B",
              derivation="a backward-stable solution of min ||Bz - y|| satisfies the normal "
                         "equations up to its backward error times ||B|| (Higham Sec. 20.5)",
              used_by="part.least_squares", at=_normal_equations),
    Tolerance(quantity="least_squares.identification",
              formula="||P B - I||_inf / eps added to the certified delta per unit eps; "
                      "rank decided from B's singular values (> max(l, k) u sigma_max)",
              derivation="z_hat - z = (P B - I) z + P e with z in [0, 1]^k: a least squares "
                         "that is not float64-accurate adds its identification error to the "
                         "worst error instead of reading as rank deficiency",
              used_by="theorem2.gaussian, theorem2.weak_dependence",
              at=lambda *, pb_error, eps: pb_error / eps),
    Tolerance(quantity="spectral_norm",
              formula="64 max(n, m) u ||M||_2",
              derivation="a backward-stable SVD returns the singular values of M + E, ||E||_2 <= "
                         "c max(n, m) u ||M||_2, and singular values move by at most ||E||_2 "
                         "(Weyl; Higham Sec. 1.19)",
              used_by="part.spectral_norm",
              at=lambda *, n, norm: 64 * n * U * norm),
    Tolerance(quantity="influence_matrix",
              formula="64 s u per entry (s the support size)",
              derivation="an entry is a total variation distance: sums of at most s "
                         "probabilities in [0, 1], each rounded once when normalised "
                         "(Higham Sec. 4.2, recursive summation)",
              used_by="part.influence_matrix", at=lambda *, support: 64 * support * U),
    Tolerance(quantity="value_queries",
              formula="eta + eta_o + 8 u (|c_j| + R)",
              derivation="the bisection's midpoints are rounded once per halving, relative to "
                         "the interval's centre c_j and length R = ||A||_inf + 2 eps",
              used_by="part.value_queries",
              at=lambda *, eta, eta_o, center, R: eta + eta_o + 8 * U * (abs(center) + R)),
    Tolerance(quantity="query_protocol.error",
              formula="1e-9 relative to the certified / a-priori delta",
              derivation="the certified delta already carries the float64 rounding of least "
                         "squares (recmech.bounds.queries.certified_delta); 1e-9 covers the "
                         "rounding of the delta's own evaluation",
              used_by="part.query_protocol, definition3, theorem2.*",
              at=lambda *, delta: 1e-9 * delta),
    Tolerance(quantity="query_protocol.relations",
              formula="64 l k u kappa(B) + 1e-12",
              derivation="two backward-stable least squares of the same block in another item "
                         "order or units differ by the perturbation bound at kappa(B)",
              used_by="part.query_protocol",
              at=lambda *, l_rows, k, kappa: 64 * l_rows * k * U * kappa + 1e-12),
    Tolerance(quantity="mechanism.outcome",
              formula="1e-9 V (V = max(1, largest value or payment in play))",
              derivation="probabilities and payments are sums of at most T <= 10^4 products, "
                         "rounded with relative error below 2 T u < 5e-12 (Higham Sec. 4.2)",
              used_by="part.robustify", at=lambda *, scale: 1e-9 * scale),
    Tolerance(quantity="mechanism.ir_bic",
              formula="10 tau V, tau = 1e-7 (the contract's solver tolerance)",
              derivation="an LP solved to primal feasibility tau leaves each IR/BIC row "
                         "violated by at most tau in the row's own scale; 10 covers the "
                         "rescaling of a row by its bidder's probabilities and unscaling",
              used_by="part.latent_mechanism, lemma2, theorem1, proposition1.mechanism",
              at=lambda *, scale: 10 * TAU * scale),
    Tolerance(quantity="mechanism.revenue",
              formula="10 tau max(1, REV*)",
              derivation="relaxing rows by tau moves an LP optimum by tau ||y||_1 (y the "
                         "duals), a dual tolerance tau by tau ||x||_1; 10 max(1, REV*) bounds "
                         "both on the guard's instances (not derived in general: an "
                         "assumption on the duals)",
              used_by="part.latent_mechanism", at=lambda *, optimum: 10 * TAU * max(1.0, optimum)),
    Tolerance(quantity="bound.value",
              formula="1e-9 |x| + the reference's rounding allowance (definition3's "
                      "certified_delta: certified_delta - ||P||_inf (eps + eta))",
              derivation="closed formulas in a few dozen operations round to a few ulps, "
                         "magnified at most 10^5 times by exp / log; the printed statement "
                         "has no allowance, so an outside value may sit below the "
                         "reference's by the allowance the reference adds",
              used_by="part.compute.*, tight.*", at=_bound_value),
    Tolerance(quantity="bound.log_value",
              formula="1e-9 max(1, |x|)",
              derivation="as bound.value, absolute for a logarithm",
              used_by="part.compute.*, tight.*",
              at=lambda *, value: 1e-9 * max(1.0, abs(value))),
    Tolerance(quantity="bound.matrix_value",
              formula="(64 n u kappa(M) + 1e-9) |x| + the reference's rounding allowance",
              derivation="a backward-stable inversion is exact for a matrix within c n u ||M|| "
                         "of M, which moves the inverse by a relative kappa(M) c n u (Higham "
                         "Thm. 14.1)",
              used_by="part.compute.definition3, lemma3, theorem2.deterministic",
              at=_bound_matrix),
)

TOLERANCES: Mapping[str, Tolerance] = MappingProxyType({t.quantity: t for t in _ROWS})


def tolerance(quantity: str, **scales):
    """The allowed absolute difference for ``quantity`` at ``scales`` (a float, or an array for
    array scales; ValueError naming the known quantities otherwise)."""
    if not isinstance(quantity, str) or quantity not in TOLERANCES:
        raise ValueError(f"quantity must be one of {sorted(TOLERANCES)}; found {quantity!r}")
    value = TOLERANCES[quantity].at(**scales)
    return float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)


def mechanism_value_scale(A: np.ndarray, valuations) -> float:  # noqa: N803
    """V of the mechanism rows: max(1, N ||A||_inf + N max |mu|), an upper bound on any value
    v(A t, S) for t in [0, 1]^k and on the payments an IR mechanism charges."""
    A = real_array(A, "A", 2)  # noqa: N806
    if isinstance(valuations, (str, bytes)) or not hasattr(valuations, "__iter__"):
        raise TypeError(f"valuations must be a sequence of valuations; found "
                        f"{type(valuations).__name__}")
    top = max(float(np.max(np.abs(v.mu))) for v in valuations)
    return max(1.0, float(np.abs(A).sum(axis=1).max()) * len(A) + top * len(A))


def tolerance_markdown() -> str:
    """The README table: one row per quantity (formula, derivation, who reads it)."""
    head = "| quantity | tolerance (u = 2^-53) | derivation | read by |\n|---|---|---|---|\n"
    return head + "\n".join(f"| `{t.quantity}` | {t.formula} | {t.derivation} | {t.used_by} |"
                            for t in _ROWS) + "\n"
