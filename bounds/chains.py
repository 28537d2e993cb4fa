"""Derivation chains: the steps by which the paper derives a claim, each checked at given
parameters in exact rational or 50-digit mpmath arithmetic.

definition: A chain is a list of inequalities ``lhs <= rhs`` (or ``lhs < rhs`` where the paper needs
a strict one). ``ChainRecord.holds`` is True when every step holds; a step that breaks names
where the printed derivation does not go through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from recmech.bounds.exante import spectrum
from recmech.bounds.inputs import array, integer, margins, real, square, text
from recmech.bounds.proposition1 import weak_dependence_size
from recmech.bounds.queries import theorem2_deterministic
from recmech.bounds.records import jsonable

__all__ = ["ChainRecord", "ChainStep", "chain_deterministic", "chain_lemma4_from_6_7",
           "chain_lemma5_from_6_8", "chain_proposition1", "chain_theorem2_gaussian",
           "chain_theorem2_weak_dependence"]

_DPS = 50


@dataclass(frozen=True)
class ChainStep:
    """definition: One step ``lhs <= rhs`` (or strict) of a derivation."""

    name: str
    lhs: Any
    rhs: Any
    holds: bool
    detail: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "lhs": jsonable(self.lhs), "rhs": jsonable(self.rhs),
                "holds": bool(self.holds), "detail": self.detail}


@dataclass(frozen=True)
class ChainRecord:
    """The steps of the derivation of ``claim_id`` at given parameters."""

    claim_id: str
    steps: tuple[ChainStep, ...]

    @property
    def holds(self) -> bool:
        return all(s.holds for s in self.steps)

    def step(self, name: str) -> ChainStep:
        for s in self.steps:
            if s.name == name:
                return s
        raise ValueError(f"no step {name!r}; steps are {[s.name for s in self.steps]}")

    def broken(self) -> tuple[ChainStep, ...]:
        return tuple(s for s in self.steps if not s.holds)

    def to_dict(self) -> dict:
        return {"claim_id": self.claim_id, "holds": self.holds,
                "steps": [s.to_dict() for s in self.steps]}


def _le(name: str, lhs: Any, rhs: Any, detail: str = "", strict: bool = False) -> ChainStep:
    # A non-strict step that is an equality in exact arithmetic (e.g. a diagonal C, where
    # Lemma 3 is tight) may land a few ulps of the working precision on the wrong side; allow
    # that rounding, and nothing more, so only real breaks are reported.
    inexact = isinstance(lhs, mpmath.mpf) or isinstance(rhs, mpmath.mpf)
    slack = mpmath.mpf(10) ** (-(_DPS - 8)) * max(1, abs(rhs)) if inexact and not strict else 0
    ok = lhs < rhs if strict else lhs <= rhs + slack
    return ChainStep(name, lhs, rhs, bool(ok), detail)


def _margins_mp(M: mpmath.matrix) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(alpha, beta) of Thm. 2, first bullet, at the working precision (exact entries)."""
    n = M.rows

    def margin(get) -> mpmath.mpf:
        return min(abs(get(i, i)) - mpmath.fsum(abs(get(i, j)) for j in range(n) if j != i)
                   for i in range(n))

    return margin(lambda i, j: M[i, j]), margin(lambda i, j: M[j, i])


def _mp(x: float) -> mpmath.mpf:
    return mpmath.mpf(float(x))  # exact: every double is an mpf at 50 digits


def chain_theorem2_gaussian(Sigma_S: np.ndarray, k: int) -> ChainRecord:
    """Thm. 2, second bullet, from Lemma 4 (n = k, Tr D = Tr Sigma_S, d_max = rho).

    Steps: Lemma 4's exponent Tr/(8 rho) - 4k >= Tr/(16 rho) (needs Tr/rho >= 64k);
    Tr/(16 rho) >= 4k (Remark 4); the delta constant
    sqrt(l k) * 2 sqrt(Tr) / (Tr/16) * 2 eps = 64 sqrt(l k)/sqrt(Tr) eps (claim: theorem2.gaussian).
    """
    size, trace, rho = spectrum(Sigma_S)
    k = integer("k", k, minimum=1)
    if not (rho > 0 and trace / rho > 64 * k):
        raise ValueError(f"Sigma_S must satisfy Tr/rho > 64k (Thm. 2 hypothesis); found "
                         f"Tr/rho = {trace / rho if rho > 0 else 0.0}, 64k = {64 * k}")
    with mpmath.workdps(_DPS):
        tr, r = _mp(trace), _mp(rho)
        theorem_exp = tr / (16 * r)
        lemma4_exp = tr / (8 * r) - 4 * k
        # sigma_max <= 2 sqrt(Tr), sigma_min^2 >= Tr/16, eta + eps = 2 eps (claim:
        # theorem2.gaussian)
        constant = Fraction(2) * 16 * 2
        steps = (
            _le("lemma4_exponent_covers_theorem", theorem_exp, lemma4_exp,
                "Tr/(16 rho) <= Tr/(8 rho) - 4k"),
            _le("remark4", mpmath.mpf(4 * k), theorem_exp, "4k <= Tr/(16 rho)"),
            _le("delta_constant", constant, Fraction(64), "2 * 16 * 2 = 64 (and >= 64)"),
            _le("net_size", mpmath.log(21), mpmath.mpf(4), "ln(3/eps) <= 4 at eps = 1/7"),
        )
    return ChainRecord("theorem2.gaussian", steps)


def chain_theorem2_weak_dependence(variances: np.ndarray, c: float, k: int,
                                   inf_norm: float) -> ChainRecord:
    """Thm. 2, third bullet, from Lemma 5 (as printed) and from Lemma 8 + the net directly.

    With X = (sum v_i^2)^2 / (c^4 k |S|) the printed exponent is (1 - inf) X / 64.
    Lemma 5 gives (1 - inf)^2 X / 32 - 4k: at the edge of the hypothesis this is smaller
    whenever inf > 0 (step ``lemma5_exponent_covers_theorem`` breaks) (claim:
    theorem2.weak_dependence). Lemma 8 with t = 3/4 v^2
    and the net of Lemma 6 gives 9 (1 - inf) X / 256 - 4k, which suffices on the whole domain.
    """
    var = array("variances", variances, ndim=1)
    c, inf_v = real("c", c), real("inf_norm", inf_norm)
    k = integer("k", k, minimum=1)
    if not (c > 0 and 0 <= inf_v < 1 and var.min() >= 0 and var.max() <= c * c):
        raise ValueError("need c > 0, 0 <= inf_norm < 1 and 0 <= v_i^2 <= c^2; found "
                         f"c = {c}, inf_norm = {inf_v}, v_i^2 in [{var.min()}, {var.max()}]")
    with mpmath.workdps(_DPS):
        size = var.size
        total = mpmath.fsum(_mp(v) for v in var)
        cc, one_minus = _mp(c), 1 - _mp(inf_v)
        need = 16 * cc**2 * k * mpmath.sqrt(size) / one_minus
        if not total > need:
            raise ValueError(f"variances must satisfy sum v_i^2 > 16 c^2 k sqrt|S|/(1-inf) "
                             f"(Thm. 2 hypothesis); found {float(total)} <= {float(need)}")
        x = total**2 / (cc**4 * k * size)
        printed = one_minus * x / 64
        steps = (
            _le("lemma5_exponent_covers_theorem", printed, one_minus**2 * x / 32 - 4 * k,
                "(1-inf) X/64 <= (1-inf)^2 X/32 - 4k (Lemma 5 as printed)"),
            _le("lemma8_net_exponent_covers_theorem", printed, 9 * one_minus * x / 256 - 4 * k,
                "(1-inf) X/64 <= 9 (1-inf) X/256 - 4k (Lemma 8, t = 3v^2/4, net)"),
            _le("lemma5_weaker_than_lemma8", one_minus**2 / 32, 9 * one_minus / 256,
                "Lemma 5's printed rate is implied by its proof"),
            _le("remark4", mpmath.mpf(4 * k), printed, "4k <= (1-inf) X/64"),
            _le("delta_constant", Fraction(2) * 16 * 2, Fraction(64), "2 * 16 * 2 = 64"),
        )
    return ChainRecord("theorem2.weak_dependence", steps)


def chain_deterministic(C: np.ndarray) -> ChainRecord:
    """Thm. 2, first bullet: ||C^{-1}||_inf <= ||(C^T C)^{-1}||_inf ||C^T||_inf
    <= ||C^T||_inf/(alpha beta) <= 2 max_j |C_jj|/(alpha beta); the printed last step uses
    max_j C_jj, which breaks when the largest |C_jj| sits on a negative diagonal entry (claim:
    theorem2.deterministic)."""
    Cm = square("C", C)
    alpha, beta = margins(Cm)
    if not (alpha > 0 and beta > 0):
        raise ValueError(f"C must be diagonally dominant by rows and columns (alpha, beta > 0);"
                         f" found alpha = {alpha}, beta = {beta}")
    with mpmath.workdps(_DPS):
        M = mpmath.matrix(Cm.tolist())
        # the margins at the chain's own precision, from the exact entries: float64 margins
        # round 1 - 9.566e-41 to 1 and would break the tight Lemma 3 step by 1e-40
        alpha_mp, beta_mp = _margins_mp(M)
        if not (alpha_mp > 0 and beta_mp > 0):
            raise ValueError(f"C must be diagonally dominant by rows and columns; found "
                             f"alpha = {mpmath.nstr(alpha_mp, 6)}, beta = "
                             f"{mpmath.nstr(beta_mp, 6)} (exact)")
        inv = mpmath.inverse(M)
        gram_inv = inv * inv.T

        def norm(A: mpmath.matrix) -> mpmath.mpf:
            return max(mpmath.fsum(abs(A[i, j]) for j in range(A.cols)) for i in range(A.rows))

        ct = norm(M.T)
        a, b = alpha_mp, beta_mp
        diag = [M[j, j] for j in range(M.rows)]
        steps = (
            _le("pinv_factor", norm(inv), norm(gram_inv) * ct,
                "||(C^T C)^{-1} C^T||_inf <= ||(C^T C)^{-1}||_inf ||C^T||_inf"),
            _le("lemma3", norm(gram_inv) * ct, ct / (a * b), "Lemma 3: ||C^-1|| ||C^-T|| <= "
                "1/(alpha beta)"),
            _le("column_dominance_abs", ct, 2 * max(abs(d) for d in diag),
                "||C^T||_inf <= 2 max_j |C_jj|"),
            _le("column_dominance_printed", ct, 2 * max(diag), "||C^T||_inf <= 2 max_j C_jj"),
        )
    return ChainRecord("theorem2.deterministic", steps)


def _net_steps(eps: Fraction, lower: Fraction, upper_sq: int, tag: str) -> list[ChainStep]:
    e = mpmath.mpf(eps.numerator) / eps.denominator
    up = mpmath.sqrt(upper_sq)
    return [
        _le(f"{tag}sigma_max_constant", up / (1 - e), mpmath.mpf(2),
            f"sqrt({upper_sq})/(1-eps) <= 2"),
        _le(f"{tag}sigma_min_constant", mpmath.mpf(1) / 4,
            mpmath.mpf(lower.numerator) / lower.denominator - e / (1 - e) * up,
            f"1/4 <= {lower} - eps/(1-eps) sqrt({upper_sq})"),
    ]


def _eps_fraction(eps: float | Fraction) -> Fraction:
    e = Fraction(eps) if isinstance(eps, Fraction) else Fraction(real("eps", eps))
    if not 0 < e < 1:
        raise ValueError(f"eps must be in (0, 1) (Lemma 6); found {float(e)}")
    return e


def chain_lemma4_from_6_7(eps: float | Fraction = Fraction(1, 7)) -> ChainRecord:
    """Lemma 4 from Lemmas 6 and 7 (Sec. 4.1) with net radius eps (paper: 1/7).

    Good event on the net: ||Vx|| in [sqrt(Tr)/2, sqrt(u Tr)], u = 2 with the corrected upper
    tail of Lemma 7 and u = 3 with what its printed proof shows (Pr[>= 3 Tr]) (claim: lemma4).
    Steps:
    sqrt(u)/(1-eps) <= 2, 1/2 - eps/(1-eps) sqrt(u) >= 1/4, ln(3/eps) <= 4 (claim: lemma4). At eps =
    1/7 the corrected route holds and the printed route breaks (sqrt(3)/(6/7) = 2.02 > 2) (claim:
    lemma4).
    """
    e = _eps_fraction(eps)
    with mpmath.workdps(_DPS):
        ev = mpmath.mpf(e.numerator) / e.denominator
        steps = _net_steps(e, Fraction(1, 2), 2, "corrected_")
        steps += _net_steps(e, Fraction(1, 2), 3, "printed_proof_")
        steps.append(_le("net_size", mpmath.log(3 / ev), mpmath.mpf(4), "ln(3/eps) <= 4"))
    return ChainRecord("lemma4", tuple(steps))


def chain_lemma5_from_6_8(eps: float | Fraction = Fraction(1, 7)) -> ChainRecord:
    """Lemma 5 from Lemmas 6 and 8 (Sec. 4.2) with net radius eps (paper: 1/7).

    Good event ||Ux|| in [v/2, sqrt(2) v] from Lemma 8 with t = 3v^2/4; steps
    sqrt(2)/(1-eps) <= 2, 1/2 - eps/(1-eps) sqrt(2) >= 1/4, ln(3/eps) <= 4, and the proof's
    exponent 9(1-inf)/256 covers the printed (1-inf)^2/32 (at inf = 0, the worst case) (claim:
    lemma5).
    """
    e = _eps_fraction(eps)
    with mpmath.workdps(_DPS):
        ev = mpmath.mpf(e.numerator) / e.denominator
        steps = _net_steps(e, Fraction(1, 2), 2, "")
        steps.append(_le("net_size", mpmath.log(3 / ev), mpmath.mpf(4), "ln(3/eps) <= 4"))
        steps.append(_le("exponent_constant", Fraction(1, 32), Fraction(9, 256),
                         "(1-inf)^2/32 <= 9(1-inf)/256"))
        # t = 3v^2/4 covers ||Ux||^2 <= v^2/4 exactly; it covers ||Ux||^2 >= 2 v^2 if t <= v^2
        # (claim: lemma5)
        steps.append(_le("deviation_covers_upper_band", Fraction(3, 4), Fraction(1),
                         "t = 3v^2/4 <= 2v^2 - v^2"))
    return ChainRecord("lemma5", tuple(steps))


def chain_proposition1(setting: str, **params: Any) -> ChainRecord:
    """Prop. 1 from Thm. 2 and Thm. 1, per setting.

    - ``separable`` (k): f = 4 eps1 >= eps1 and delta constant 4 max C_jj/(alpha beta) = 4 (claim:
    proposition1.separable).
    - ``gaussian`` (k, kappa_Sigma, trace_S): |S| = ceil(64 kappa k); Thm. 2 needs
      Tr/rho > 64k but interlacing only gives >= |S|/kappa (step ``theorem2_hypothesis_strict``,
      evaluated at the worst case Sigma_S = s I); Thm. 1 needs f(eps1) >= eps1, i.e.
      64 sqrt(|S| k / Tr) >= 1 (step ``theorem1_eps_at_least_eps1``) (claim: proposition1.gaussian).
    - ``weak_dependence`` (k, c, a, inf_norm): |S| = ceil(256 c^4 k^2/(a^4 (1-inf)^2)); Thm. 2
      needs |S| a^2 > 16 c^2 k sqrt|S| / (1-inf) at the worst case v_i^2 = a^2; Thm. 1 needs
      64 sqrt(k)/a >= 1 (claim: proposition1.weak_dependence).
    """
    text("setting", setting)
    with mpmath.workdps(_DPS):
        if setting == "separable":
            k = integer("k", params.get("k", 1), minimum=1)
            # the calculator of Thm. 2, first bullet, at C = I_k (alpha = beta = 1), eta = eps = 1
            per_eps = theorem2_deterministic(np.eye(k), A_inf=1.0, eps=1.0).value("delta")
            steps = (_le("theorem1_eps_at_least_eps1", Fraction(1), Fraction(4), "eps1 <= 4 eps1"),
                     _le("delta_constant", mpmath.mpf(per_eps), mpmath.mpf(4),
                         "4 max C_jj/(alpha beta) eps = 4 eps1 for C = I (Prop. 1 (1))"))
        elif setting == "gaussian":
            k = integer("k", params["k"], minimum=1)
            kappa, trace = _mp(real("kappa_Sigma", params["kappa_Sigma"])), _mp(
                real("trace_S", params["trace_S"]))
            if not (kappa >= 1 and trace > 0):
                raise ValueError(f"need kappa_Sigma >= 1 and trace_S > 0; found "
                                 f"{float(kappa)}, {float(trace)}")
            size = math.ceil(64 * Fraction(float(kappa)) * k)
            # Tr/rho >= |S|/kappa with equality only when Sigma_S = s I (kappa = 1), so the
            # strict hypothesis is guaranteed iff |S|/kappa > 64k, or = 64k with kappa > 1 (claim:
            # project.interlacing_edge)
            lower = size / kappa
            guaranteed = lower > 64 * k or (lower == 64 * k and kappa > 1)
            steps = (
                ChainStep("theorem2_hypothesis_strict", mpmath.mpf(64 * k), lower,
                          bool(guaranteed), "64k < Tr/rho, with Tr/rho >= |S|/kappa "
                          "(equality iff kappa = 1)"),
                _le("theorem1_eps_at_least_eps1", mpmath.mpf(1),
                    64 * mpmath.sqrt(size * k / trace), "eps1 <= f(eps1)"),
                _le("remark4", mpmath.mpf(4 * k), size / kappa / 16, "4k <= Tr/(16 rho)"),
            )
        elif setting == "weak_dependence":
            k = integer("k", params["k"], minimum=1)
            c, a = _mp(real("c", params["c"])), _mp(real("a", params["a"]))
            inf_v = _mp(real("inf_norm", params.get("inf_norm", 0.0)))
            if not (0 < a <= c and 0 <= inf_v < 1):
                raise ValueError(f"need 0 < a <= c and 0 <= inf_norm < 1; found a = {float(a)}"
                                 f", c = {float(c)}, inf_norm = {float(inf_v)}")
            # |S| and the strict step in exact rationals: at a whole 256 c^4 k^2/(a^4 (1-inf)^2)
            # the two sides are equal, which rounding at any precision can tip either way
            _, size = weak_dependence_size(float(c), float(a), k, float(inf_v))
            fa, fc, fi = Fraction(float(a)), Fraction(float(c)), Fraction(float(inf_v))
            strict_holds = (size * fa**2 * (1 - fi)) ** 2 > (16 * fc**2 * k) ** 2 * size
            steps = (
                ChainStep("theorem2_hypothesis_strict",
                          16 * c**2 * k * mpmath.sqrt(size) / (1 - inf_v), size * a**2,
                          bool(strict_holds), "16 c^2 k sqrt|S|/(1-inf) < |S| a^2 (decided "
                          "exactly, squared)"),
                _le("theorem1_eps_at_least_eps1", mpmath.mpf(1), 64 * mpmath.sqrt(k) / a,
                    "eps1 <= f(eps1) = 64 sqrt(k)/a eps1"),
            )
        else:
            raise ValueError(f"setting must be 'separable', 'gaussian' or 'weak_dependence'; "
                             f"found {setting!r}")
    return ChainRecord(f"proposition1.{setting}", steps)
