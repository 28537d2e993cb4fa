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
  below zero), while its own proof uses ||C^T||_inf <= 2 max_j |C_jj|; we use |C_jj| (claim:
  theorem2.deterministic). The Gaussian and weak-dependence bounds hold with probability over the
  draw of A (at least 1 - 2 exp(-Tr Sigma_S / (16 rho(Sigma_S))), resp. the third bullet's
  expression); the log of that failure probability is reported as ``log_failure_probability``
  (claim:
  theorem2.gaussian,theorem2.weak_dependence).
- the certified a-posteriori delta ||(B^T B)^{-1} B^T||_inf (eps + eta + eta_o) of the actual
  block B = QA, which holds for every t within eps of Az (eta_o = the oracle's answer noise).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from recmech.core.certified import MAX_BLOCKS, CertifiedPlan, certified_plan
from recmech.core.design import DesignMatrix
from recmech.core.gate import real, whole
from recmech.core.queries import LeastSquares, noisy_value_queries, search_plan
from recmech.core.selection import (
    GAUSSIAN_RATIO,
    ItemSelection,
    diagonal_block,
    gaussian_items,
    marginal_influence_norm,
    pivoted_items,
    trace_and_rho,
    weak_dependence_items,
    weak_dependence_required,
)

__all__ = ["FAMILY_SETTING", "SETTINGS", "ProtocolResult", "QueryProtocol", "certified_protocol",
           "deterministic_protocol", "gaussian_protocol", "paper_delta", "pivoted_protocol",
           "protocol_for", "weak_dependence_protocol"]


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
        self.eps = _check_eps(eps)
        self.eta = self.eps if eta is None else _check_eps(eta, "eta")
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


def _check_eps(eps: float, name: str = "eps") -> float:
    return real(eps, name, low=0.0, low_open=True)


def _log_two_exp(x: float) -> float:
    """log(2 exp(-x)), the log of the failure probabilities of Thm. 2."""
    return math.log(2.0) - x


def _a_priori(design: DesignMatrix, sel: ItemSelection, eps: float,
              eta: float) -> tuple[float | None, float | None]:
    """(a-priori delta, log failure probability) of Thm. 2 for the selection's setting (module
    docstring); (None, None) where the setting's hypothesis fails."""
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


# the setting of Thm. 2 that each design family of ``recmech.core.design`` is drawn for
FAMILY_SETTING = {"separable": "deterministic", "diagonally_dominant": "deterministic",
                  "gaussian": "gaussian", "weakly_dependent": "weak_dependence"}


def paper_delta(design: DesignMatrix, eps: float,
                eta: float | None = None) -> tuple[str | None, float | None]:
    """(setting, the paper's a-priori delta) for the design's family (``FAMILY_SETTING``), on
    the theorem's own item set; (setting, None) where its hypothesis fails and (None, None) for
    a design of no family. Computed from the selection's statistics, without factorising."""
    eps = _check_eps(eps)
    eta_v = eps if eta is None else _check_eps(eta, "eta")
    setting = FAMILY_SETTING.get(design.family)
    if setting is None:
        return None, None
    select = {"deterministic": diagonal_block, "gaussian": gaussian_items,
              "weak_dependence": weak_dependence_items}[setting]
    return setting, _a_priori(design, select(design), eps, eta_v)[0]


def certified_protocol(design: DesignMatrix, eps: float, delta: float | None = None, *,
                       eta: float | None = None, max_blocks: int = MAX_BLOCKS) -> QueryProtocol:
    """The certified protocol (``recmech.core.certified``): pivoted blocks added until the
    certified delta max_r sum_j |P_rj| (eps + eta_j) (+ float rounding) meets ``delta``, per-item
    search ranges and per-item precisions with as few price queries as the plan finds.

    ``delta`` defaults to the paper's a-priori delta of the design's setting (``paper_delta``,
    with the paper's eta = eps unless ``eta`` is given); ``eta`` fixes one precision for every
    item instead of choosing them. The guarantee is the certificate: on every run the error is
    at most the reported certified delta (<= ``delta``) (claim: project.certified_protocol).
    ValueError when the design's setting gives no a-priori delta and none is given, or when
    ``delta`` is out of reach (naming the target and the smallest reachable value).
    """
    if not isinstance(design, DesignMatrix):
        raise TypeError(f"design must be a DesignMatrix; found {type(design).__name__}")
    eps = _check_eps(eps)
    eta_v = None if eta is None else _check_eps(eta, "eta")
    setting, paper = paper_delta(design, eps, eta_v)
    if delta is None:
        if paper is None:
            why = "" if setting is None else f" ({setting}: hypothesis fails)"
            raise ValueError(f"delta: the design (family {design.family!r}) has no a-priori "
                             f"delta of Thm. 2{why}; give the target delta")
        target = paper
    else:
        target = real(delta, "delta", low=0.0, low_open=True)
    plan = certified_plan(design, eps, target, eta=eta_v, max_blocks=max_blocks)
    sel = ItemSelection(plan.items, "certified", True,
                        {"target": target, "blocks": plan.blocks, "paper_setting": setting,
                         "paper_delta": paper, "tried": plan.tried, "rounding": plan.rounding})
    return QueryProtocol(design, eps, sel, paper, None, None, certified=plan)


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
    return QueryProtocol(design, eps, sel, _a_priori(design, sel, eps, eta_v)[0], eta_v)


def gaussian_protocol(design: DesignMatrix, eps: float, S=None,
                      eta: float | None = None) -> QueryProtocol:
    """Thm. 2, second bullet: query S with Tr(Sigma_S)/rho(Sigma_S) > 64k (claim:
    theorem2.gaussian).

    delta = 32 sqrt(|S| k) / sqrt(Tr Sigma_S) (eps + eta) with probability
    >= 1 - 2 exp(-Tr(Sigma_S) / (16 rho(Sigma_S))); None if the ratio condition fails (claim:
    theorem2.gaussian).
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
    apriori, logp = _a_priori(design, sel, eps, eta_v)
    return QueryProtocol(design, eps, sel, apriori, eta_v, logp)


def weak_dependence_protocol(design: DesignMatrix, eps: float, S=None,
                             eta: float | None = None, *,
                             influence_norm: float | None = None) -> QueryProtocol:
    """Thm. 2, third bullet: delta = 32 sqrt(|S| k) / sqrt(sum_S v_i^2) (eps + eta).

    With probability >= 1 - 2 exp(-(1 - ||INF(theta_S)||) (sum v_i^2)^2 / (64 c^4 k |S|))
    (claim: theorem2.weak_dependence); None if the variance condition fails or
    ||INF(theta_S)||_2 of the marginal law is not known (``marginal_influence_norm``; the
    caller may state it for S as ``influence_norm``).
    """
    eps = _check_eps(eps)
    eta_v = eps if eta is None else _check_eps(eta, "eta")
    sel = weak_dependence_items(design, None if S is None else len(np.unique(S)),
                                influence_norm=influence_norm)
    if S is not None:
        items = np.unique(np.asarray(S, dtype=np.int64))
        v2 = np.asarray(design.meta["variances"])[items]
        c = sel.stats["c"]
        infl, source = marginal_influence_norm(design, items, influence_norm)
        req = math.inf if infl is None else weak_dependence_required(c, design.k, items.size,
                                                                     infl)
        sel = ItemSelection(items, "weak_dependence",
                            bool(infl is not None and infl < 1 and v2.sum() > req),
                            {"sum_variances": float(v2.sum()), "required": req,
                             "influence_norm": infl, "influence_source": source, "c": c})
    apriori, logp = _a_priori(design, sel, eps, eta_v)
    return QueryProtocol(design, eps, sel, apriori, eta_v, logp)


def pivoted_protocol(design: DesignMatrix, eps: float, size: int | None = None,
                     eta: float | None = None) -> QueryProtocol:
    """Any A: rows from pivoted QR of A^T; only the certified a-posteriori delta applies."""
    eps = _check_eps(eps)
    eta_v = eps if eta is None else _check_eps(eta, "eta")
    return QueryProtocol(design, eps, pivoted_items(design, size), None, eta_v)


SETTINGS = ("deterministic", "gaussian", "weak_dependence", "pivoted", "certified")


def protocol_for(setting: str, design: DesignMatrix, eps: float, eta: float | None = None, *,
                 S=None, size: int | None = None,  # noqa: N803
                 delta: float | None = None) -> QueryProtocol:
    """The protocol of ``setting`` (``SETTINGS``) on ``design``: Thm. 2's deterministic,
    Gaussian or weak-dependence item sets (``S`` fixes the queried set of the ex-ante settings),
    the pivoted item set of any design (``size`` items, default k), or the certified protocol
    (``certified_protocol``: target ``delta``, default the paper's a-priori delta; ``eta``
    fixes its per-item precision; ``size`` caps its items at whole blocks of k), or the adaptive
    cutting-plane protocol (``recmech.core.adaptive``: target ``delta``, default the paper's
    a-priori delta; ``eta`` is the oracle noise its cuts allow, default 0)."""
    if isinstance(setting, str) and setting == "adaptive":
        if S is not None or size is not None:
            raise ValueError("S, size: the adaptive protocol chooses its items from the answers; "
                             f"found S={S!r}, size={size!r}")
        # imported here: the adaptive module builds on this one's records
        from recmech.core.adaptive import adaptive_protocol
        return adaptive_protocol(design, eps, delta, eta=eta)
    if not isinstance(setting, str) or setting not in SETTINGS:
        raise ValueError(f"setting must be one of {SETTINGS}; found {setting!r}"[:200])
    if setting == "certified":
        blocks = MAX_BLOCKS if size is None else max(1, whole(size, "size", low=1) // design.k)
        return certified_protocol(design, eps, delta, eta=eta, max_blocks=blocks)
    if delta is not None:
        raise ValueError(f"delta: a target delta is a parameter of the certified protocol only; "
                         f"found delta={delta!r} with setting {setting!r}")
    if setting == "deterministic":
        return deterministic_protocol(design, eps, eta)
    if setting == "gaussian":
        return gaussian_protocol(design, eps, S=S, eta=eta)
    if setting == "weak_dependence":
        return weak_dependence_protocol(design, eps, S=S, eta=eta)
    if setting == "pivoted":
        return pivoted_protocol(design, eps, size=size, eta=eta)
    raise ValueError(f"setting must be one of {SETTINGS + ('adaptive',)}; found {setting!r}")

