"""The claim register and the registry of bound calculators: claim id -> calculator.

``CLAIM_REGISTER`` holds the 22 claims of the register (id, paper place, statement, whether it
is an O(.) statement), in the register's order; ``CLAIM_IDS`` is their ids. Every id has
exactly one calculator, registered with ``@register(claim_id)``. The property suite joins this
register with its checks and the errata (``recmech.properties.claims.table``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from recmech.bounds.inputs import text
from recmech.bounds.records import BoundRecord

__all__ = ["CLAIM_IDS", "CLAIM_REGISTER", "REGISTRY", "REQUIRED", "ClaimEntry", "claim_ids",
           "compute", "describe_parameters", "parameters", "register"]

@dataclass(frozen=True, kw_only=True)
class ClaimEntry:
    """One checkable statement of the claim register (shared/CLAIMS.md): its id, the paper place,
    the statement in short, and whether it is an O(.) statement (``rate_only``: the paper leaves
    its constant open, so a check can test how the quantity scales, never a value)."""

    claim_id: str
    place: str
    statement: str
    rate_only: bool = False


CLAIM_REGISTER: dict[str, ClaimEntry] = {e.claim_id: e for e in (
    ClaimEntry(claim_id="definition3", place="Sec. 3, Def. 3",
               statement=("a protocol Q is an (eps, delta)-query protocol: for all t, z with "
                          "||t - Az||_inf <= eps, ||z - Q(t)||_inf <= delta")),
    ClaimEntry(claim_id="lemma1", place="Sec. 2.2",
               statement=("l_inf-Prokhorov distance <= eps iff a coupling has Pr[||x - y||_inf "
                          "> eps] <= eps (used to compute and to generate eps1-close "
                          "distributions)")),
    ClaimEntry(claim_id="theorem1", place="Sec. 3, Thm. 1",
               statement=("Algorithm 1 queries each bidder once with Q, is (kappa, eps1)-BIC "
                          "and IR, kappa = O(L eps1 + ||A||_inf L m eps + ||A||_inf L sqrt(m "
                          "eps)); revenue >= REV(M_hat, D_hat_z) - O(m kappa)"),
               rate_only=True),
    ClaimEntry(claim_id="lemma2", place="Sec. 3, Lemma 2",
               statement=("the robustified M_tilde is kappa-BIC and IR w.r.t. every F in the "
                          "eps-Prokhorov ball, kappa = O(||A||_inf L m eps + ||A||_inf L (delta"
                          " + m eps / delta)); revenue >= REV(M_hat, F_hat) - O(m kappa)"),
               rate_only=True),
    ClaimEntry(claim_id="theorem2.noisy_value", place="proof of Thm. 2",
               statement=("binary search with price queries simulates one noisy value query "
                          "(error <= eta) with log||A||_inf + log(1/eta) + log(1/eps) queries")),
    ClaimEntry(claim_id="theorem2.deterministic", place="Thm. 2, first bullet",
               statement=("A^T = [C^T H^T] Pi, C diagonally dominant by rows and columns: an "
                          "(eps, 4 max_j C_jj / (alpha beta) * eps)-query protocol with k "
                          "(log||A||_inf + 2 log(1/eps)) queries")),
    ClaimEntry(claim_id="theorem2.gaussian", place="Thm. 2, second bullet",
               statement=("archetypes iid N(0, Sigma), S with Tr(Sigma_S)/rho(Sigma_S) > 64k: "
                          "with probability >= 1 - 2 exp(-Tr(Sigma_S)/(16 rho(Sigma_S))), an "
                          "(eps, 64 sqrt(|S| k) / sqrt(Tr Sigma_S) * eps)-query protocol with "
                          "|S| (log||A||_inf + 2 log(1/eps)) queries")),
    ClaimEntry(claim_id="theorem2.weak_dependence", place="Thm. 2, third bullet",
               statement=("archetype coordinates in [-c, c], mean 0, ||INF(theta_S)||_2 < 1, "
                          "sum_S v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF||): with probability >= "
                          "1 - 2 exp(-(1 - ||INF||)(sum v_i^2)^2 / (64 c^4 k |S|)), an (eps, 64"
                          " sqrt(|S| k) / sqrt(sum v_i^2) * eps)-query protocol with |S| "
                          "(log||A||_inf + 2 log(1/eps)) queries")),
    ClaimEntry(claim_id="remark4", place="Remark 4",
               statement=("both ex-ante success probabilities are >= 1 - 2 exp(-4k)")),
    ClaimEntry(claim_id="proposition1.separable", place="Prop. 1 (1)",
               statement=("separable A: f(eps1) = 4 eps1, O(k log(||A||_inf / eps1)) queries")),
    ClaimEntry(claim_id="proposition1.gaussian", place="Prop. 1 (2)",
               statement=("|S| = 64 kappa(Sigma) k: with probability >= 1 - 2 exp(-4k), f(eps1)"
                          " = O(k sqrt(kappa(Sigma)) / sqrt(Tr Sigma_S) * eps1), O(kappa(Sigma)"
                          " k log(||A||_inf / eps1)) queries"),
               rate_only=True),
    ClaimEntry(claim_id="proposition1.weak_dependence", place="Prop. 1 (3)",
               statement=("|S| = 256 c^4 k^2 / (a^4 (1 - ||INF||)^2): with probability >= 1 - 2"
                          " exp(-4k), f(eps1) = O(sqrt(k)/a * eps1), O(c^4 k^2 / (a^4 (1 - "
                          "||INF||)^2) log(||A||_inf / eps1)) queries"),
               rate_only=True),
    ClaimEntry(claim_id="proposition1.mechanism", place="Prop. 1, main claim",
               statement=("M is (eta, eps1)-BIC and IR with eta = O(L eps1 + ||A||_inf L m "
                          "f(eps1) + ||A||_inf L sqrt(m f(eps1))), revenue >= REV(M_hat, "
                          "D_hat_z) - O(||A||_inf L m^2 f(eps1) + ||A||_inf L m^{3/2} "
                          "f(eps1)^{1/2})"),
               rate_only=True),
    ClaimEntry(claim_id="lemma3", place="Lemma 3 (Varah)",
               statement=("diagonally dominant by rows with margin alpha: ||U^{-1}||_inf <= "
                          "1/alpha; by columns with margin beta: ||(U^T)^{-1}||_inf <= 1/beta")),
    ClaimEntry(claim_id="lemma4", place="Lemma 4",
               statement=("U (m x n), columns iid N(0, Lambda^T D Lambda): sigma_max(U) <= 2 "
                          "sqrt(Tr D) and sigma_min(U) >= sqrt(Tr D)/4 with probability >= 1 - "
                          "2 exp(-Tr(D)/(8 d_max) + 4n)")),
    ClaimEntry(claim_id="lemma5", place="Lemma 5",
               statement=("U (m x n), columns iid copies of X, coordinates in [-c, c], mean 0, "
                          "variances v_i^2, ||INF(X)||_2 < 1: sigma_max <= 2v, sigma_min >= v/4"
                          " with probability >= 1 - 2 exp(-(1 - ||INF||)^2 v^4 / (32 c^4 n m) +"
                          " 4n)")),
    ClaimEntry(claim_id="lemma6", place="Lemma 6",
               statement=("an eps-net of S^{n-1} with at most (3/eps)^n points exists; with a ="
                          " max over the net of ||Mx||, b = min: sigma_max <= a/(1 - eps), "
                          "sigma_min >= b - eps/(1 - eps) a; with eps = 1/7 the constants 2 and"
                          " 1/4 of Lemmas 4-5 follow")),
    ClaimEntry(claim_id="lemma7.lower_tail", place="Lemma 7",
               statement=("Pr[||Vx||^2 <= Tr(D)/4] <= exp(-Tr(D)/(8 d_max)) for fixed unit x")),
    ClaimEntry(claim_id="lemma7.upper_tail", place="Lemma 7",
               statement=("Pr[||Vx||^2 >= 2 Tr(D)] <= exp(-Tr(D)/(4 d_max)) for fixed unit x")),
    ClaimEntry(claim_id="proposition3", place="Prop. 3 and its proof",
               statement=("exp(-x)/sqrt(1 - 2x) <= sqrt(1 + 2x) on [0, 1/4], and the three "
                          "inequalities its proof chains")),
    ClaimEntry(claim_id="lemma8", place="Lemma 8",
               statement=("E||Ux||^2 = v^2 and Pr[| ||Ux||^2 - v^2 | > t] <= 2 exp(-(1 - "
                          "||INF||) t^2 / (16 c^4 n m))")),
    ClaimEntry(claim_id="lemma9", place="Lemma 9 (Chatterjee)",
               statement=("f with bounded differences c_i, ||INF(X)||_2 < 1: Pr[|f - Ef| >= t] "
                          "<= 2 exp(-(1 - ||INF||) t^2 / sum c_i^2)")),
)}

CLAIM_IDS: tuple[str, ...] = tuple(CLAIM_REGISTER)


class _Required:
    """Marker for a parameter without a default."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()

REGISTRY: dict[str, Callable[..., BoundRecord]] = {}


def register(claim_id: str) -> Callable[[Callable[..., BoundRecord]], Callable[..., BoundRecord]]:
    """Decorator: register ``func`` as the calculator of ``claim_id`` (one per id)."""
    if text("claim_id", claim_id) not in CLAIM_IDS:
        raise ValueError(f"claim_id must be one of the claim register; found {claim_id!r}")

    def deco(func: Callable[..., BoundRecord]) -> Callable[..., BoundRecord]:
        if claim_id in REGISTRY and REGISTRY[claim_id] is not func:
            raise ValueError(f"claim_id {claim_id!r} is already registered")
        REGISTRY[claim_id] = func
        func.claim_id = claim_id  # type: ignore[attr-defined]
        return func

    return deco


def claim_ids() -> list[str]:
    """The registered claim ids, in the order of the claim register."""
    return [c for c in CLAIM_IDS if c in REGISTRY]


def _calculator(claim_id: str) -> Callable[..., BoundRecord]:
    if text("claim_id", claim_id) not in REGISTRY:
        raise ValueError(f"unknown claim id {claim_id!r}; valid ids: {', '.join(claim_ids())}")
    return REGISTRY[claim_id]


def parameters(claim_id: str) -> dict[str, Any]:
    """Parameter name -> default (or ``REQUIRED``) of the calculator of ``claim_id``
    (``strict`` is accepted by every calculator and not listed)."""
    sig = inspect.signature(_calculator(claim_id))
    return {
        name: (REQUIRED if p.default is inspect.Parameter.empty else p.default)
        for name, p in sig.parameters.items()
        if name != "strict"
    }


def describe_parameters(claim_id: str) -> str:
    """One line: the parameters a claim takes, required ones first."""
    params = parameters(claim_id)
    req = [n for n, d in params.items() if d is REQUIRED]
    opt = [f"{n}={d!r}" for n, d in params.items() if d is not REQUIRED]
    return f"{claim_id} takes {', '.join(req) or 'no required parameters'}" + (
        f"; optional {', '.join(opt)}" if opt else "")


def compute(claim_id: str, **params: Any) -> BoundRecord:
    """Run the calculator of ``claim_id`` on keyword parameters (``strict`` passes through).

    Unknown id -> ValueError listing the valid ids; unknown or missing parameter ->
    ValueError listing the accepted ones.
    """
    func = _calculator(claim_id)
    accepted = parameters(claim_id)
    unknown = sorted(set(params) - set(accepted) - {"strict"})
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; "
                         f"{describe_parameters(claim_id)}")
    missing = [n for n, d in accepted.items() if d is REQUIRED and n not in params]
    if missing:
        raise ValueError(f"missing parameter(s) {', '.join(missing)}; "
                         f"{describe_parameters(claim_id)}")
    return func(**params)
