"""Judgements of the bound calculators (``compute`` / ``bounds``): differential and tightness.

For every claim id two records: ``part.compute.<claim id>`` (the outside calculator's record
equals the reference's on the same parameters) and ``tight.<claim id>`` (its bounds are not
looser than the paper's). definition: Parameters: fixed points at the edges of each hypothesis
(equalities of strict inequalities, the smallest counterexamples of the errata, d_max != 1, Sigma_S
!= I, negative diagonals, eps >= 1), then a hypothesis search over the claim's whole stated domain
targeted at the difference (``recmech.properties.guard.parts.parameters``).

Differential. Where the reference refuses the input (ValueError) the outside calculator must
refuse it too; where a hypothesis fails (an invalid record, no values) the outside record must
be invalid too (a number there "looks valid when its hypotheses fail"); otherwise every value
and log value of the reference record must be present and agree within

- definition: 1e-9 relative (1e-9 max(1, |x|) absolute for logarithms): the calculators evaluate
closed
  formulas in at most a few dozen operations; rounding is then a few ulps, magnified at most
  |x| ~ 10^5 times by exp / log of an argument x: far below 1e-9;
- 64 n u kappa(M) + 1e-9 relative for the values computed from a matrix M (n x n or l x k)
  through an inverse or pseudo-inverse (``definition3``, ``lemma3``, ``delta_certified`` of
  ``theorem2.deterministic``): a backward-stable inversion is exact for a matrix within
  c n u ||M|| of M, which moves the inverse by a relative kappa(M) c n u;
- plus, as an absolute floor, the rounding allowance the reference adds to a printed value
  (definition3's certified_delta = ||P||_inf (eps + eta) + the rounding of least squares in
  float64): a calculator returning the printed formula is exact, not "tighter".

The rows are ``bound.value``, ``bound.log_value`` and ``bound.matrix_value`` of the one
tolerance table, ``recmech.properties.judging.tolerances``.

Tightness. Each bound has a direction (``DIRECTIONS``: an upper bound is looser when larger, a
lower bound when smaller; keys without a direction are not bounds). The yardstick is the
reference's printed value, or for a claim with an erratum (``recmech.properties.claims.errata``) the
looser of the printed and the corrected value (``CORRECTED_KEYS`` maps the names). definition: A
value looser than the yardstick beyond the differential tolerance fails as "looser than the paper";
list ``tight.<claim id>`` in an xfails file for a calculator conservative on purpose.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from recmech.bounds import compute as reference_compute
from recmech.bounds.registry import CLAIM_IDS
from recmech.properties.claims.errata import ERRATA
from recmech.properties.claims.verdict import Verdict
from recmech.properties.guard.parts.parameters import PARAMETERS, fixed_points
from recmech.properties.guard.parts.registry import Worst, part_size, register_part
from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.strategies import worst_case
from recmech.properties.judging.tolerances import tolerance
from recmech.properties.subject.calls import PartError
from recmech.properties.subject.resolved import Subject

__all__ = ["CORRECTED_KEYS", "DIRECTIONS", "compare_records"]

UP, DOWN = "upper", "lower"
_PROB = {"failure_prob": UP}
DIRECTIONS: dict[str, dict[str, str]] = {
    "definition3": {"certified_delta": UP, "pinv_inf_norm": UP},
    "lemma1": {},
    "theorem1": {"kappa": UP, "revenue_loss": UP, "bic_failure_prob": UP},
    "lemma2": {"kappa": UP, "revenue_loss": UP},
    "theorem2.noisy_value": {"queries": UP, "queries_stated": UP},
    "theorem2.deterministic": {"delta": UP, "queries_per_item": UP, "queries": UP,
                               "delta_certified": UP, "naive_queries": UP},
    "theorem2.gaussian": {"queries_per_item": UP, "queries": UP, "delta": UP, **_PROB},
    "theorem2.weak_dependence": {"queries_per_item": UP, "queries": UP, "delta": UP, **_PROB},
    "remark4": {"bound_log": UP},
    "proposition1.separable": {"f_eps1": UP, "queries": UP, "queries_theorem2": UP},
    "proposition1.gaussian": {"f_eps1": UP, "queries": UP, "f_theorem2": UP,
                              "queries_theorem2": UP, **_PROB},
    "proposition1.weak_dependence": {"f_eps1": UP, "queries": UP, "f_theorem2": UP,
                                     "queries_theorem2": UP, **_PROB},
    "proposition1.mechanism": {"eta": UP, "revenue_loss": UP},
    "lemma3": {"inv_inf_bound": UP, "inv_t_inf_bound": UP},
    "lemma4": {"sigma_max_bound": UP, "sigma_min_bound": DOWN, **_PROB},
    "lemma5": {"sigma_max_bound": UP, "sigma_min_bound": DOWN, **_PROB},
    "lemma6": {"log_net_size": UP, "sigma_max_bound": UP, "sigma_min_bound": DOWN},
    "lemma7.lower_tail": dict(_PROB),
    "lemma7.upper_tail": dict(_PROB),
    "proposition3": {},
    "lemma8": dict(_PROB),
    "lemma9": dict(_PROB),
}
# printed key -> its key in the record's ``corrected`` (when the names differ)
CORRECTED_KEYS: dict[str, dict[str, str]] = {
    "theorem2.noisy_value": {"queries": "queries_sufficient"},
}
# values computed through an inverse of the matrix parameter (name of the parameter)
MATRIX_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "definition3": ("block", ("certified_delta", "pinv_inf_norm", "condition_number")),
    "lemma3": ("U", ("inv_inf_norm", "inv_t_inf_norm")),
    "theorem2.deterministic": ("C", ("delta_certified",)),
}


# -- comparing records -------------------------------------------------------------------------

def _call(compute, claim_id: str, params: dict) -> tuple[Any, Exception | None]:
    try:
        return compute(claim_id, **params), None
    except PartError as exc:
        return None, exc
    except (ValueError, TypeError) as exc:
        return None, exc


def _allowance(claim_id: str, key: str, rec) -> float:
    """The rounding allowance the reference adds to a printed value (the absolute floor of
    ``bound.value``): definition3's certified_delta is ||P||_inf (eps + eta), the printed
    formula, plus the rounding of least squares in float64 (``recmech.bounds.queries``)."""
    if claim_id == "definition3" and key == "certified_delta":
        p = rec.params
        printed = float(rec.values["pinv_inf_norm"]) * (float(p["eps"]) + float(p["eta"]))
        return max(0.0, float(rec.values["certified_delta"]) - printed)
    return 0.0


def _tolerance(claim_id: str, key: str, ref: float, params: dict, log: bool,
               allowance: float = 0.0) -> float:
    if log:
        return tolerance("bound.log_value", value=ref)
    if claim_id in MATRIX_KEYS and key in MATRIX_KEYS[claim_id][1]:
        M = np.asarray(params[MATRIX_KEYS[claim_id][0]], dtype=float)
        s = np.linalg.svd(M, compute_uv=False)
        kappa = s[0] / s[-1] if s[-1] > 0 else np.inf
        return tolerance("bound.matrix_value", value=ref, n=max(M.shape), kappa=kappa,
                         allowance=allowance)
    return tolerance("bound.value", value=ref, allowance=allowance)


def _yardstick(claim_id: str, key: str, rec, log: bool) -> float:
    """The value a bound must not be looser than (module docstring)."""
    printed = float((rec.log_values if log else rec.values)[key])
    if claim_id not in ERRATA:
        return printed
    name = CORRECTED_KEYS.get(claim_id, {}).get(key, key)
    name = "log_failure_prob" if log and key == "failure_prob" else name
    if name not in rec.corrected:
        return printed
    corrected = float(rec.corrected[name])
    loose = max if DIRECTIONS[claim_id].get(key) == UP else min
    return loose(printed, corrected)


def compare_records(claim_id: str, params: dict, outside) -> dict:
    """definition: The outside calculator's record against the reference's on ``params``: the
    differential score, the tightness score (each a worst ratio to its tolerance, > 1 fails) and the
    detail."""
    ref, ref_err = _call(reference_compute, claim_id, params)
    got, got_err = _call(outside, claim_id, params)
    detail: dict[str, Any] = {"claim_id": claim_id, "params": params}
    if ref_err is not None:
        ok = got_err is not None
        detail["problems"] = [] if ok else [f"the reference refuses the input ({ref_err}); the "
                                            "calculator under test returns a record"]
        return {"diff": 0.0 if ok else math.inf, "tight": 0.0, "detail": detail}
    if got_err is not None:
        if isinstance(got_err, PartError) and not ref.valid and isinstance(
                got_err.__cause__, ValueError):
            detail["accepted"] = "refused an input whose hypotheses fail"
            return {"diff": 0.0, "tight": 0.0, "detail": detail}
        raise got_err if isinstance(got_err, PartError) else PartError(
            "compute", f"raised {type(got_err).__name__}: {got_err}", str(params))
    detail.update(reference_valid=ref.valid, outside_valid=bool(got.valid))
    if not ref.valid or not got.valid:
        same = bool(got.valid) == ref.valid
        failed = [h.name for h in ref.failed()] if not ref.valid else []
        detail["problems"] = [] if same else [
            f"a bound where hypotheses fail ({', '.join(failed)})" if got.valid
            else "no bound although every hypothesis of the reference holds"]
        detail["outside_values"] = dict(got.values)
        return {"diff": 0.0 if same else math.inf, "tight": 0.0, "detail": detail}
    diff, tight, rows, problems = 0.0, 0.0, [], []
    for log, table, other in ((False, ref.values, got.values),
                              (True, ref.log_values, got.log_values)):
        for key, value in table.items():
            r = float(value)
            if key not in other:
                problems.append(f"no {'log value' if log else 'value'} {key!r}")
                diff = math.inf
                continue
            o = float(other[key])
            allowance = 0.0 if log else _allowance(claim_id, key, ref)
            tol = _tolerance(claim_id, key, r, params, log, allowance)
            d = abs(o - r)
            if not (math.isfinite(o) or o == r):
                d = math.inf
            diff = max(diff, 0.0 if d == 0 else d / tol)
            direction = DIRECTIONS.get(claim_id, {}).get(key)
            if direction is not None:
                stick = _yardstick(claim_id, key, ref, log)
                loose = (o - stick) if direction == UP else (stick - o)
                if loose > 0:
                    t = loose / _tolerance(claim_id, key, stick, params, log, allowance)
                    tight = max(tight, t)
                    if t > 1:
                        problems.append(f"{key}{' (log)' if log else ''} = {o!r} is looser than "
                                        f"the paper's {stick!r}")
            if d > tol:
                rows.append({"key": key, "log": log, "outside": o, "reference": r,
                             "difference": d, "tolerance": tol,
                             "direction": direction or "exact"})
                tighter = direction is not None and (o < r if direction == UP else o > r)
                if tighter:
                    problems.append(f"{key}{' (log)' if log else ''} = {o!r} is tighter than "
                                    f"the paper's {r!r} (unproven)")
                elif direction is None:
                    problems.append(f"{key}{' (log)' if log else ''} = {o!r} differs from the "
                                    f"reference's {r!r}")
    detail.update(differences=rows, problems=problems)
    return {"diff": diff, "tight": tight, "detail": detail}


# -- the judgements ----------------------------------------------------------------------------

def _judge(claim_id: str, which: str, subject: Subject, budget: Budget) -> Verdict:
    check_id = f"part.compute.{claim_id}" if which == "diff" else f"tight.{claim_id}"
    worst = Worst(check_id)
    make = PARAMETERS[claim_id]

    def score(params: dict) -> float:
        def one() -> tuple[float, dict]:
            res = compare_records(claim_id, params, subject.compute)
            return res[which], res["detail"]
        return worst.run(one)

    for params in fixed_points(claim_id):
        score(params)
    for mode in range(3):
        score(make(np.random.default_rng(1000 + mode), mode))
    strategy = st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2)).map(
        lambda s: make(np.random.default_rng(s[0]), s[1]))
    worst_case(strategy, score, part_size(budget, "compute.search"),
               "difference / tolerance")
    what = ("the record equals the reference's (validity, every value and log value)"
            if which == "diff" else "no bound looser than the paper's (printed, or the "
            "corrected value of an erratum)")
    return worst.verdict(what)


def _register(claim_id: str) -> None:
    @register_part(f"part.compute.{claim_id}", part="compute", claim_id=claim_id)
    def differential(*, subject: Subject, budget: Budget) -> Verdict:
        return _judge(claim_id, "diff", subject, budget)

    @register_part(f"tight.{claim_id}", part="compute", claim_id=claim_id, kind="tightness")
    def tightness(*, subject: Subject, budget: Budget) -> Verdict:
        return _judge(claim_id, "tight", subject, budget)

    differential.__qualname__ = f"differential[{claim_id}]"
    tightness.__qualname__ = f"tightness[{claim_id}]"


for _cid in CLAIM_IDS:
    _register(_cid)
