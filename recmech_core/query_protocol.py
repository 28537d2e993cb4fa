"""The query protocol object (Cai-Daskalakis EC'22, Def. 3 and the proof of Thm. 2): a fixed item
set Q, a noisy value query by bisection on each item, and the clipped least-squares latent z_hat,
with the paper's a-priori delta of a design's setting (``paper_delta``) and the certified
a-posteriori delta of the queried block. ``recmech.core.protocols`` builds one per setting;
the adaptive protocol (``recmech.core.adaptive``) reports in the same record.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from recmech.core.certified import CertifiedPlan
from recmech.core.design import DesignMatrix
from recmech.core.gate import real
from recmech.core.queries import LeastSquares, noisy_value_queries, search_plan
from recmech.core.selection import (
    ItemSelection,
    diagonal_block,
    gaussian_items,
    weak_dependence_items,
)

__all__ = ["FAMILY_SETTING", "ProtocolResult", "QueryProtocol", "a_priori", "check_eps",
           "paper_delta", "target_delta"]


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
                 log_failure_probability: float | None = None, *,
                 certified: CertifiedPlan | None = None) -> None:
        self.design, self.selection = design, selection
        self.eps = check_eps(eps)
        self.eta = self.eps if eta is None else check_eps(eta, "eta")
        self.items = np.asarray(selection.items, dtype=np.int64)
        self.certified_plan = certified
        if certified is None:
            B = design.rows(self.items)
            self.solver = LeastSquares(B)
            self.plan = search_plan(B, self.items, design.inf_norm, self.eps, self.eta)
        else:
            # the plan's per-item precisions; eta is their largest (so (eps + eta) ||P||_inf
            # still bounds the error, as for the paper's protocols)
            self.solver, self.plan = certified.solver, certified.plan
            self.eta = float(certified.plan.item_eta.max())
        self.a_priori_delta = a_priori_delta
        self.log_failure_probability = log_failure_probability
        if not math.isfinite(self.certified_delta()):
            raise ValueError(f"eps, eta: the certified delta ||P||_inf (eps + eta) overflows "
                             f"float64 (eps = {self.eps}, eta = {self.eta})")

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
        """||(B^T B)^{-1} B^T||_inf (eps + eta + oracle_noise) (Thm. 2 proof); for the
        certified protocol max_r sum_j |P_rj| (eps + eta_j + oracle_noise) with its per-item
        precisions eta_j, plus its float-rounding allowance (``recmech.core.certified``)."""
        noise = float(oracle_noise)
        if self.certified_plan is None:
            return self.solver.pinv_inf_norm * (self.eps + self.eta + noise)
        if noise == 0.0:
            return self.certified_plan.certified_delta
        per_item = self.eps + self.plan.item_eta + noise
        return float(np.max(np.abs(self.pinv) @ per_item)) + self.certified_plan.rounding

    def run(self, oracle, oracle_noise: float | None = None) -> ProtocolResult:
        """Interact with one bidder; ``oracle_noise`` defaults to the oracle's declared eta.

        Validation happens here once per bidder (the noise) and once per protocol (the plan);
        the bisection loop checks nothing again and copies nothing (``noisy_value_queries``).
        """
        if oracle_noise is None:
            noise = getattr(oracle, "eta", 0.0)
            noise = 0.0 if noise == 0 else real(noise, "oracle.eta", low=0.0)
        else:
            noise = real(oracle_noise, "oracle_noise", low=0.0)
        before = oracle.queries
        y_hat = noisy_value_queries(oracle, self.plan)
        used = oracle.queries - before
        apriori = self.a_priori_delta
        if apriori is not None and noise > 0:
            # the paper's bounds are linear in (eps + eta); the oracle's noise adds to eta
            apriori = apriori * (self.eps + self.eta + noise) / (self.eps + self.eta)
        z_hat = self.solver.pinv @ y_hat  # y_hat is finite: midpoints of finite intervals
        np.clip(z_hat, 0.0, 1.0, out=z_hat)
        cert = self._cert0 if noise == 0 else self.certified_delta(noise)
        return ProtocolResult(z_hat, used, self.items, apriori, cert, self.eps, self.eta,
                              self.setting)

    @functools.cached_property
    def _cert0(self) -> float:
        return self.certified_delta(0.0)

    def to_dict(self) -> dict:
        return {"setting": self.setting, "design": self.design.to_dict(),
                "selection": self.selection.to_dict(), "eps": self.eps, "eta": self.eta,
                "queries": self.queries, "queries_per_item": self.queries_per_item,
                "a_priori_delta": self.a_priori_delta,
                "certified_delta": self.certified_delta(),
                "log_failure_probability": self.log_failure_probability}


def check_eps(eps: float, name: str = "eps") -> float:
    return real(eps, name, low=0.0, low_open=True)


def _log_two_exp(x: float) -> float:
    """log(2 exp(-x)), the log of the failure probabilities of Thm. 2."""
    return math.log(2.0) - x


def a_priori(design: DesignMatrix, sel: ItemSelection, eps: float,
              eta: float) -> tuple[float | None, float | None]:
    """(a-priori delta, log failure probability) of Thm. 2 for the selection's setting (module
    docstring); (None, None) where the setting's hypothesis fails."""
    if not isinstance(design, DesignMatrix) or not isinstance(sel, ItemSelection):
        raise TypeError(f"design must be a DesignMatrix and sel an ItemSelection; found "
                        f"{type(design).__name__}, {type(sel).__name__}")
    eps, eta = check_eps(eps), check_eps(eta, "eta")
    if not sel.hypothesis_holds:
        return None, None
    st, size, k = sel.stats, len(sel.items), design.k
    if sel.setting == "deterministic":
        return 2 * st["max_abs_diag"] * (eps + eta) / (st["alpha"] * st["beta"]), None
    if sel.setting == "gaussian":
        tr, rho = st["trace"], st["rho"]
        return (32 * math.sqrt(size * k) / math.sqrt(tr) * (eps + eta),
                _log_two_exp(tr / (16 * rho)))
    if sel.setting == "weak_dependence":
        total, c, infl = st["sum_variances"], st["c"], st["influence_norm"]
        return (32 * math.sqrt(size * k) / math.sqrt(total) * (eps + eta),
                _log_two_exp((1 - infl) * total**2 / (64 * c**4 * k * size)))
    return None, None


FAMILY_SETTING = {"separable": "deterministic", "diagonally_dominant": "deterministic",
                  "gaussian": "gaussian", "weakly_dependent": "weak_dependence"}


def paper_delta(design: DesignMatrix, eps: float,
                eta: float | None = None) -> tuple[str | None, float | None]:
    """(setting, the paper's a-priori delta) for the design's family (``FAMILY_SETTING``), on
    the theorem's own item set; (setting, None) where its hypothesis fails and (None, None) for
    a design of no family. Computed from the selection's statistics, without factorising."""
    eps = check_eps(eps)
    eta_v = eps if eta is None else check_eps(eta, "eta")
    setting = FAMILY_SETTING.get(design.family)
    if setting is None:
        return None, None
    select = {"deterministic": diagonal_block, "gaussian": gaussian_items,
              "weak_dependence": weak_dependence_items}[setting]
    return setting, a_priori(design, select(design), eps, eta_v)[0]


def target_delta(design: DesignMatrix, eps: float, delta: float | None,
                 eta: float | None = None) -> tuple[str | None, float | None, float]:
    """(setting, the paper's a-priori delta or None, the target): ``delta`` when given, else
    the paper's a-priori delta of the design's setting (``paper_delta``); ValueError naming
    delta when neither exists."""
    setting, paper = paper_delta(design, eps, eta)
    if delta is None:
        if paper is None:
            why = "" if setting is None else f" ({setting}: hypothesis fails)"
            raise ValueError(f"delta: the design (family {design.family!r}) has no a-priori "
                             f"delta of Thm. 2{why}; give the target delta")
        return setting, paper, paper
    return setting, paper, real(delta, "delta", low=0.0, low_open=True)
