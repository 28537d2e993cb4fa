"""Why the paper robustifies: M_hat fed Q(t) directly versus Algorithm 1, on eps1-corrupted laws.

Cai-Daskalakis EC'22, Thm. 1 and Algorithm 1. Instance (exact, one bidder): N = 2 items, k = 1,
separable design A = [1; 1.5] (A^T = [I H^T], Thm. 2 first bullet with C = I), additive
valuation (L = 2), model law D_hat_z = 0.3 delta_{0.5} + 0.7 delta_{1.0}, M_hat = the revenue-
optimal LP mechanism (``optimal``). Query protocol: the separable protocol in its noiseless limit,
Q(t) = t_0 (the identity row), an (eps, eps)-query protocol.

For each eps1 the true law D is eps1-close to A o D_hat_z in l_inf-Prokhorov (measured exactly):

- "shift": every type moved down by eps1 on every item, t = A z - eps1 (adversarial direction);
- "move": as "shift", and in addition mass eps1 of the top type moved to t = (1, 0), whose
  latent read-out Q(t) = 1 is the top type but whose value for item 1 is 0 (the eps1 mass that
  Prokhorov closeness lets go anywhere).

Compared: (a) M_hat on Q(t) directly (off-support reports take their best menu entry), and
(b) Algorithm 1 with eps = max(eps1, EPS_FLOOR), delta = sqrt(m eps). definition: Reported: revenue,
kappa (largest interim gain of a true type from any latent report) and the worst expected utility of
a truthful true type (IR holds iff >= 0). Misreports: every latent point (exact: the menu classes
for (a), the breakpoint grid of ``measure`` for (b)).

Run: ``recmech demo --mechanism [--json PATH]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from recmech.core.gate import real, real_array
from recmech.core.laws import FiniteLaw
from recmech.core.measure import Population, direct_report, robust_report
from recmech.core.optimal import TabularMechanism
from recmech.core.prokhorov import prokhorov_distance
from recmech.core.robust import RobustifiedMechanism
from recmech.core.valuations import Additive

__all__ = ["A_DESIGN", "EPS1_VALUES", "EPS_FLOOR", "MODEL", "ExperimentRow", "protocol_output",
           "run", "run_row", "true_law"]

EPS1_VALUES = (0.0, 0.01, 0.02, 0.05, 0.1)
EPS_FLOOR = 0.0025
A_DESIGN = np.array([[1.0], [1.5]])
MODEL = FiniteLaw(np.array([[0.5], [1.0]]), np.array([0.3, 0.7]))


@dataclass(frozen=True)
class ExperimentRow:
    """One line of the table."""

    corruption: str
    eps1: float
    prokhorov: float
    delta: float
    rev_hat: float
    rev_direct: float
    kappa_direct: float
    min_util_direct: float
    rev_alg1: float
    kappa_alg1: float
    min_util_alg1: float

    def to_dict(self) -> dict:
        return asdict(self)


def true_law(eps1: float, corruption: str) -> tuple[np.ndarray, np.ndarray]:
    """The true N-dim type law (points, probs) eps1-close to A o D_hat_z (module docstring)."""
    eps1 = real(eps1, "eps1", low=0.0, high=float(MODEL.probs[1]))  # the mass "move" can take
    if not isinstance(corruption, str) or corruption not in ("shift", "move"):
        raise ValueError(f"corruption must be 'shift' or 'move'; found {corruption!r}")
    types = MODEL.points @ A_DESIGN.T - eps1
    probs = MODEL.probs.copy()
    if corruption == "move" and eps1 > 0:
        types = np.vstack([types, [[1.0, 0.0]]])
        probs = np.append(probs, eps1)
        probs[1] -= eps1
    return types, probs


def protocol_output(types: np.ndarray) -> np.ndarray:
    """Q(t) = t_0: the separable protocol's least-squares read-out of the identity row."""
    return real_array(types, "types", 2)[:, :1].copy()


def run_row(eps1: float, corruption: str, inner: TabularMechanism) -> ExperimentRow:
    if not isinstance(inner, TabularMechanism):
        raise TypeError(f"inner must be a TabularMechanism; found {type(inner).__name__}")
    types, probs = true_law(eps1, corruption)
    model_types = (MODEL.points @ A_DESIGN.T, MODEL.probs)
    dist = prokhorov_distance((types, probs), model_types)
    pop = Population(values=types, reports=protocol_output(types), probs=probs)
    menu = np.vstack([MODEL.points, [[-10.0]]])     # every menu class, and "nothing"
    direct = direct_report(inner, [pop], candidates=[menu])
    eps = max(eps1, EPS_FLOOR)
    alg1 = robust_report(RobustifiedMechanism(inner, [MODEL], math.sqrt(eps)), [pop])
    return ExperimentRow(corruption=corruption, eps1=eps1, prokhorov=dist, delta=math.sqrt(eps),
                         rev_hat=inner.lp.revenue, rev_direct=direct.revenue,
                         kappa_direct=direct.kappa, min_util_direct=direct.min_interim_utility,
                         rev_alg1=alg1.revenue, kappa_alg1=alg1.kappa,
                         min_util_alg1=alg1.min_interim_utility)


def run(eps1_values: Sequence[float] = EPS1_VALUES) -> list[ExperimentRow]:
    inner = TabularMechanism.from_lp(A_DESIGN, [Additive([0.0, 0.0])], [MODEL],
                                     off_support="menu")
    return [run_row(e, c, inner) for c in ("shift", "move") for e in eps1_values]
