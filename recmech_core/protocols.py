"""(eps, delta)-query protocols (Cai-Daskalakis EC'22, Definition 3 and Thm. 2).

A protocol queries the items Q (chosen once per design), simulates a noisy value query on each
by binary search (``queries``), and returns the clipped least-squares latent z_hat. Per bidder it
costs O(|Q| (k + q)) time and memory, independent of N.

Each run reports
- the paper's a-priori delta for its setting (Thm. 2 proof, before setting eta = eps):
  deterministic 2 max_j |C_jj| / (alpha beta) (eps + eta); Gaussian
  32 sqrt(|S| k) / sqrt(Tr Sigma_S) (eps + eta); weak dependence
  32 sqrt(|S| k) / sqrt(sum_S v_i^2) (eps + eta). With eta = eps these are the theorem's
  4 max_j |C_jj| / (alpha beta) eps and 64 sqrt(|S| k) / sqrt(.) eps. None where the setting's
  hypothesis fails (and always for the pivoted protocol, which has no a-priori bound).
  Erratum: the paper writes max_j C_jj; with a negative diagonal that is negative (a "bound"
  below zero), while its own proof uses ||C^T||_inf <= 2 max_j |C_jj|; we use |C_jj|.
  The Gaussian and weak-dependence bounds hold with probability over the draw of A (at least
  1 - 2 exp(-Tr Sigma_S / (16 rho(Sigma_S))), resp. the third bullet's expression); the log of
  that failure probability is reported as ``log_failure_probability``.
- the certified a-posteriori delta ||(B^T B)^{-1} B^T||_inf (eps + eta + eta_o) of the actual
  block B = QA, which holds for every t within eps of Az (eta_o = the oracle's answer noise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from recmech.core.design import DesignMatrix
from recmech.core.queries import LeastSquares, noisy_value_queries, search_plan
from recmech.core.selection import (
    GAUSSIAN_RATIO,
    ItemSelection,
    diagonal_block,
    gaussian_items,
    pivoted_items,
    trace_and_rho,
    weak_dependence_items,
)

__all__ = ["SETTINGS", "ProtocolResult", "QueryProtocol", "deterministic_protocol",
           "gaussian_protocol", "pivoted_protocol", "protocol_for", "weak_dependence_protocol"]


@dataclass(frozen=True)
class ProtocolResult:
    """One run of a query protocol on one bidder."""

    z_hat: np.ndarray
    queries: int
    items: np.ndarray
    a_priori_delta: float | None
    certified_delta: float
    eps: float
    eta: float
    setting: str = ""

    def to_dict(self) -> dict:
        return {"z_hat": self.z_hat.tolist(), "queries": self.queries,
                "items": len(self.items), "a_priori_delta": self.a_priori_delta,
                "certified_delta": self.certified_delta, "eps": self.eps, "eta": self.eta,
                "setting": self.setting}


class QueryProtocol:
    """Query the items of ``selection``, binary-search each, least-squares the latent."""

    def __init__(self, design: DesignMatrix, eps: float, selection: ItemSelection,
                 a_priori_delta: float | None, eta: float | None = None,
                 log_failure_probability: float | None = None) -> None:
        self.design, self.selection = design, selection
        self.eps = _check_eps(eps)
        self.eta = self.eps if eta is None else _check_eps(eta, "eta")
        self.items = np.asarray(selection.items, dtype=np.int64)
        B = design.rows(self.items)
        self.solver = LeastSquares(B)
        self.plan = search_plan(B, self.items, design.inf_norm, self.eps, self.eta)
        self.a_priori_delta = a_priori_delta
        self.log_failure_probability = log_failure_probability

    @property
    def setting(self) -> str:
        return self.selection.setting

    @property
    def pinv(self) -> np.ndarray:
        """P = (B^T B)^{-1} B^T of the queried block (k x |Q|)."""
        return self.solver.pinv

    @property
    def queries(self) -> int:
        """Price queries per bidder: |Q| * q."""
        return self.plan.queries

    @property
    def queries_per_item(self) -> int:
        return self.plan.q

    def certified_delta(self, oracle_noise: float = 0.0) -> float:
        """||(B^T B)^{-1} B^T||_inf (eps + eta + oracle_noise) (Thm. 2 proof)."""
        return self.solver.pinv_inf_norm * (self.eps + self.eta + float(oracle_noise))

    def run(self, oracle, oracle_noise: float | None = None) -> ProtocolResult:
        """Interact with one bidder; ``oracle_noise`` defaults to the oracle's declared eta."""
        noise = float(getattr(oracle, "eta", 0.0) if oracle_noise is None else oracle_noise)
        if not np.isfinite(noise) or noise < 0:
            raise ValueError(f"oracle_noise must be finite and >= 0; found {noise}")
        before = oracle.queries
        y_hat = noisy_value_queries(oracle, self.plan)
        used = oracle.queries - before
        apriori = self.a_priori_delta
        if apriori is not None and noise > 0:
            # the paper's bounds are linear in (eps + eta); the oracle's noise adds to eta
            apriori = apriori * (self.eps + self.eta + noise) / (self.eps + self.eta)
        return ProtocolResult(self.solver.estimate(y_hat), used, self.items, apriori,
                              self.certified_delta(noise), self.eps, self.eta, self.setting)

    def to_dict(self) -> dict:
        return {"setting": self.setting, "design": self.design.to_dict(),
                "selection": self.selection.to_dict(), "eps": self.eps, "eta": self.eta,
                "queries": self.queries, "queries_per_item": self.queries_per_item,
                "a_priori_delta": self.a_priori_delta,
                "certified_delta": self.certified_delta(),
                "log_failure_probability": self.log_failure_probability}


def _check_eps(eps: float, name: str = "eps") -> float:
    if isinstance(eps, bool):
        raise TypeError(f"{name} must be a real number; found bool")
    eps = float(eps)
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"{name} must be finite and > 0; found {eps}")
    return eps


def _log_two_exp(x: float) -> float:
    """log(2 exp(-x)), the log of the failure probabilities of Thm. 2."""
    return math.log(2.0) - x


def deterministic_protocol(design: DesignMatrix, eps: float,
                           eta: float | None = None) -> QueryProtocol:
    """Thm. 2, first bullet: query the k rows of C; delta = 2 max|C_jj| (eps + eta)/(alpha beta).

    Raises ValueError if the block is not diagonally dominant by rows and by columns.
    """
    eps = _check_eps(eps)
    sel = diagonal_block(design)
    if not sel.hypothesis_holds:
        raise ValueError("design: the block C is not diagonally dominant by rows and columns "
                         f"(alpha={sel.stats['alpha']}, beta={sel.stats['beta']})")
    eta_v = eps if eta is None else _check_eps(eta, "eta")
    st = sel.stats
    apriori = 2 * st["max_abs_diag"] * (eps + eta_v) / (st["alpha"] * st["beta"])
    return QueryProtocol(design, eps, sel, apriori, eta_v)


def gaussian_protocol(design: DesignMatrix, eps: float, S=None,
                      eta: float | None = None) -> QueryProtocol:
    """Thm. 2, second bullet: query S with Tr(Sigma_S)/rho(Sigma_S) > 64k.

    delta = 32 sqrt(|S| k) / sqrt(Tr Sigma_S) (eps + eta) with probability
    >= 1 - 2 exp(-Tr(Sigma_S) / (16 rho(Sigma_S))); None if the ratio condition fails.
    """
    eps = _check_eps(eps)
    eta_v = eps if eta is None else _check_eps(eta, "eta")
    if S is None:
        sel = gaussian_items(design)
    else:
        items = np.unique(np.asarray(S, dtype=np.int64))
        tr, rho = trace_and_rho(design, items)
        holds = bool(rho > 0 and tr > GAUSSIAN_RATIO * design.k * rho)
        sel = ItemSelection(items, "gaussian", holds, {"trace": tr, "rho": rho})
    apriori = logp = None
    if sel.hypothesis_holds:
        tr, rho, size = sel.stats["trace"], sel.stats["rho"], len(sel.items)
        apriori = 32 * math.sqrt(size * design.k) / math.sqrt(tr) * (eps + eta_v)
        logp = _log_two_exp(tr / (16 * rho))
    return QueryProtocol(design, eps, sel, apriori, eta_v, logp)


def weak_dependence_protocol(design: DesignMatrix, eps: float, S=None,
                             eta: float | None = None) -> QueryProtocol:
    """Thm. 2, third bullet: delta = 32 sqrt(|S| k) / sqrt(sum_S v_i^2) (eps + eta).

    With probability >= 1 - 2 exp(-(1 - ||INF||) (sum v_i^2)^2 / (64 c^4 k |S|)); None if
    the variance condition fails.
    """
    eps = _check_eps(eps)
    eta_v = eps if eta is None else _check_eps(eta, "eta")
    sel = weak_dependence_items(design, None if S is None else len(np.unique(S)))
    if S is not None:
        items = np.unique(np.asarray(S, dtype=np.int64))
        v2 = np.asarray(design.meta["variances"])[items]
        c, infl = sel.stats["c"], sel.stats["influence_norm"]
        req = 16 * c**2 * design.k * math.sqrt(items.size) / (1 - infl) if infl < 1 else math.inf
        sel = ItemSelection(items, "weak_dependence", bool(infl < 1 and v2.sum() > req),
                            {"sum_variances": float(v2.sum()), "required": req,
                             "influence_norm": infl, "c": c})
    apriori = logp = None
    if sel.hypothesis_holds:
        total, size = sel.stats["sum_variances"], len(sel.items)
        c, infl = sel.stats["c"], sel.stats["influence_norm"]
        apriori = 32 * math.sqrt(size * design.k) / math.sqrt(total) * (eps + eta_v)
        logp = _log_two_exp((1 - infl) * total**2 / (64 * c**4 * design.k * size))
    return QueryProtocol(design, eps, sel, apriori, eta_v, logp)


def pivoted_protocol(design: DesignMatrix, eps: float, size: int | None = None,
                     eta: float | None = None) -> QueryProtocol:
    """Any A: rows from pivoted QR of A^T; only the certified a-posteriori delta applies."""
    eps = _check_eps(eps)
    eta_v = eps if eta is None else _check_eps(eta, "eta")
    return QueryProtocol(design, eps, pivoted_items(design, size), None, eta_v)


SETTINGS = ("deterministic", "gaussian", "weak_dependence", "pivoted")


def protocol_for(setting: str, design: DesignMatrix, eps: float, eta: float | None = None, *,
                 S=None, size: int | None = None) -> QueryProtocol:  # noqa: N803
    """The protocol of ``setting`` (``SETTINGS``) on ``design``: Thm. 2's deterministic,
    Gaussian or weak-dependence item sets (``S`` fixes the queried set of the ex-ante settings),
    or the pivoted item set of any design (``size`` items, default k)."""
    if setting == "deterministic":
        return deterministic_protocol(design, eps, eta)
    if setting == "gaussian":
        return gaussian_protocol(design, eps, S=S, eta=eta)
    if setting == "weak_dependence":
        return weak_dependence_protocol(design, eps, S=S, eta=eta)
    if setting == "pivoted":
        return pivoted_protocol(design, eps, size=size, eta=eta)
    raise ValueError(f"setting must be one of {SETTINGS}; found {setting!r}")

