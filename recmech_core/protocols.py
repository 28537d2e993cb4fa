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

import math

import numpy as np

from recmech.core.certified import MAX_BLOCKS, certified_plan
from recmech.core.design import DesignMatrix
from recmech.core.gate import whole
from recmech.core.query_protocol import (
    FAMILY_SETTING,
    ProtocolResult,
    QueryProtocol,
    a_priori,
    check_eps,
    paper_delta,
    target_delta,
)
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


# the setting of Thm. 2 that each design family of ``recmech.core.design`` is drawn for


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
    eps = check_eps(eps)
    eta_v = None if eta is None else check_eps(eta, "eta")
    setting, paper, target = target_delta(design, eps, delta, eta_v)
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
    eps = check_eps(eps)
    sel = diagonal_block(design)
    if not sel.hypothesis_holds:
        raise ValueError("design: the block C is not diagonally dominant by rows and columns "
                         f"(alpha={sel.stats['alpha']}, beta={sel.stats['beta']})")
    eta_v = eps if eta is None else check_eps(eta, "eta")
    return QueryProtocol(design, eps, sel, a_priori(design, sel, eps, eta_v)[0], eta_v)


def gaussian_protocol(design: DesignMatrix, eps: float, S=None,
                      eta: float | None = None) -> QueryProtocol:
    """Thm. 2, second bullet: query S with Tr(Sigma_S)/rho(Sigma_S) > 64k (claim:
    theorem2.gaussian).

    delta = 32 sqrt(|S| k) / sqrt(Tr Sigma_S) (eps + eta) with probability
    >= 1 - 2 exp(-Tr(Sigma_S) / (16 rho(Sigma_S))); None if the ratio condition fails (claim:
    theorem2.gaussian).
    """
    eps = check_eps(eps)
    eta_v = eps if eta is None else check_eps(eta, "eta")
    if S is None:
        sel = gaussian_items(design)
    else:
        items = np.unique(np.asarray(S, dtype=np.int64))
        tr, rho = trace_and_rho(design, items)
        holds = bool(rho > 0 and tr > GAUSSIAN_RATIO * design.k * rho)
        sel = ItemSelection(items, "gaussian", holds, {"trace": tr, "rho": rho})
    apriori, logp = a_priori(design, sel, eps, eta_v)
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
    eps = check_eps(eps)
    eta_v = eps if eta is None else check_eps(eta, "eta")
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
    apriori, logp = a_priori(design, sel, eps, eta_v)
    return QueryProtocol(design, eps, sel, apriori, eta_v, logp)


def pivoted_protocol(design: DesignMatrix, eps: float, size: int | None = None,
                     eta: float | None = None) -> QueryProtocol:
    """Any A: rows from pivoted QR of A^T; only the certified a-posteriori delta applies."""
    eps = check_eps(eps)
    eta_v = eps if eta is None else check_eps(eta, "eta")
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

