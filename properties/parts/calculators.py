"""Judgements of the bound calculators (``compute`` / ``bounds``): differential and tightness.

For every claim id two records: ``part.compute.<claim id>`` (the outside calculator's record
equals the reference's on the same parameters) and ``tight.<claim id>`` (its bounds are not
looser than the paper's). Parameters: fixed points at the edges of each hypothesis (equalities
of strict inequalities, the smallest counterexamples of the errata, d_max != 1, Sigma_S != I,
negative diagonals, eps >= 1), then a hypothesis search over the claim's whole stated domain
targeted at the difference.

Differential. Where the reference refuses the input (ValueError) the outside calculator must
refuse it too; where a hypothesis fails (an invalid record, no values) the outside record must
be invalid too (a number there "looks valid when its hypotheses fail"); otherwise every value
and log value of the reference record must be present and agree within

- 1e-9 relative (1e-9 max(1, |x|) absolute for logarithms): the calculators evaluate closed
  formulas in at most a few dozen operations; rounding is then a few ulps, magnified at most
  |x| ~ 10^5 times by exp / log of an argument x: far below 1e-9;
- 64 n u kappa(M) + 1e-9 relative for the values computed from a matrix M (n x n or l x k)
  through an inverse or pseudo-inverse (``definition3``, ``lemma3``, ``delta_certified`` of
  ``theorem2.deterministic``): a backward-stable inversion is exact for a matrix within
  c n u ||M|| of M, which moves the inverse by a relative kappa(M) c n u.

Tightness. Each bound has a direction (``DIRECTIONS``: an upper bound is looser when larger, a
lower bound when smaller; keys without a direction are not bounds). The yardstick is the
reference's printed value, or for a claim with an erratum (``recmech.properties.errata``) the
looser of the printed and the corrected value (``CORRECTED_KEYS`` maps the names). A value
looser than the yardstick beyond the differential tolerance fails as "looser than the paper";
list ``tight.<claim id>`` in an xfails file for a calculator conservative on purpose.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from recmech.bounds import compute as reference_compute
from recmech.bounds.registry import CLAIM_IDS
from recmech.core.design import dominant_block
from recmech.properties.calls import PartError
from recmech.properties.errata import ERRATA
from recmech.properties.parts.registry import Worst, part_size, register_part, search
from recmech.properties.profiles import Budget
from recmech.properties.subject import Subject
from recmech.properties.verdict import Verdict

__all__ = ["CORRECTED_KEYS", "DIRECTIONS", "PARAMETERS", "compare_records", "fixed_points"]

U = np.finfo(float).eps / 2
REL = 1e-9
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


# -- parameters ----------------------------------------------------------------------------------

def _geom(gen: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(gen.uniform(np.log(lo), np.log(hi))))


def _psd(gen: np.random.Generator, n: int, spread: float) -> np.ndarray:
    q, _ = np.linalg.qr(gen.standard_normal((n, n)))
    return (q * np.geomspace(1.0, 1.0 / spread, n)) @ q.T


def _dominant(gen: np.random.Generator, k: int, mode: int) -> np.ndarray:
    C = dominant_block(k, gen, negative=mode == 1, margin=float(gen.choice([0.5, 0.1, 1e-6])))
    return C * _geom(gen, 1e-3, 1e3)


PARAMETERS: dict[str, Callable[[np.random.Generator, int], dict]] = {
    "definition3": lambda g, mode: _definition3(g, mode),
    "lemma1": lambda g, mode: {"eps": _geom(g, 1e-6, 1.0),
                               "mass_outside": float(g.uniform(0, 1)) if mode else 0.0},
    "theorem1": lambda g, mode: (lambda e1: {
        "L": float(g.choice([0.0, 0.5, 2.0, 10.0])), "eps1": e1,
        "eps": e1 * (1.0 if mode == 1 else _geom(g, 1.0, 100.0)), "m": int(g.integers(1, 6)),
        "A_inf": float(g.choice([0.0, 0.5, 3.0])),
        "c_kappa": float(g.choice([1.0, 0.3])), "c_rev": float(g.choice([1.0, 2.0]))})(
        _geom(g, 1e-6, 0.1)),
    "lemma2": lambda g, mode: {
        "L": float(g.choice([0.0, 1.0, 4.0])), "eps": 0.0 if mode == 1 else _geom(g, 1e-6, 0.5),
        "delta": _geom(g, 1e-3, 1.0), "m": int(g.integers(1, 6)),
        "A_inf": float(g.choice([0.0, 1.0, 2.5]))},
    "theorem2.noisy_value": lambda g, mode: {
        "A_inf": _geom(g, 1e-2, 1e2), "eta": _geom(g, 1e-6, 2.0),
        "eps": _geom(g, 1.0, 4.0) if mode == 1 else _geom(g, 1e-6, 1.0)},
    "theorem2.deterministic": lambda g, mode: (lambda C: {
        "C": C, "A_inf": float(np.abs(C).sum(axis=1).max()) * float(g.choice([1.0, 2.0])),
        "eps": _geom(g, 1e-4, 0.5), "eta": None if mode == 2 else _geom(g, 1e-4, 0.5),
        "N": None if mode else int(C.shape[0] + g.integers(0, 100))})(
        _dominant(g, int(g.integers(1, 5)), mode)),
    "theorem2.gaussian": lambda g, mode: (lambda k, n: {
        "Sigma_S": _psd(g, n, float(g.choice([1.0, 1.5, 3.0]))) if mode else np.eye(n),
        "k": k, "eps": _geom(g, 1e-4, 0.1), "A_inf": _geom(g, 0.5, 5.0),
        "eta": None if mode == 2 else _geom(g, 1e-4, 0.1)})(
        int(g.integers(1, 3)), int(g.integers(64, 160))),
    "theorem2.weak_dependence": lambda g, mode: (lambda k, n, c: {
        "variances": g.uniform(0.5, 1.0, n) * c * c, "c": c, "k": k,
        "inf_norm": float(g.choice([0.0, 0.2, 0.6])), "eps": _geom(g, 1e-4, 0.1),
        "A_inf": _geom(g, 0.5, 5.0), "eta": None if mode == 2 else _geom(g, 1e-4, 0.1)})(
        int(g.integers(1, 3)), int(g.integers(200, 3000)), float(g.choice([0.5, 1.0, 2.0]))),
    "remark4": lambda g, mode: {"k": int(g.integers(1, 12)),
                                "log_failure": -float(g.uniform(0, 60))},
    "proposition1.separable": lambda g, mode: {
        "k": int(g.integers(1, 10)), "eps1": _geom(g, 1e-6, 0.5),
        "A_inf": 1.0 if mode == 1 else _geom(g, 1.0, 100.0),
        "c_queries": float(g.choice([1.0, 0.5]))},
    "proposition1.gaussian": lambda g, mode: {
        "k": int(g.integers(1, 5)), "kappa_Sigma": 1.0 if mode == 1 else _geom(g, 1.0, 20.0),
        "trace_S": _geom(g, 10.0, 1e5), "eps1": _geom(g, 1e-6, 0.1), "A_inf": _geom(g, 0.5, 10.0),
        "c_f": float(g.choice([1.0, 2.0])), "c_queries": float(g.choice([1.0, 0.5]))},
    "proposition1.weak_dependence": lambda g, mode: (lambda c: {
        "k": int(g.integers(1, 5)), "c": c, "a": c if mode == 1 else c * float(g.uniform(0.3, 1)),
        "inf_norm": float(g.choice([0.0, 0.3, 0.7])), "eps1": _geom(g, 1e-6, 0.1),
        "A_inf": _geom(g, 0.5, 10.0), "c_f": 1.0, "c_queries": 1.0})(float(g.choice([0.5, 1.0,
                                                                                     2.0]))),
    "proposition1.mechanism": lambda g, mode: (lambda e1: {
        "L": float(g.choice([0.0, 1.0, 3.0])), "eps1": e1,
        "f_eps1": e1 * (1.0 if mode == 1 else _geom(g, 1.0, 50.0)), "m": int(g.integers(1, 6)),
        "A_inf": float(g.choice([0.0, 1.0, 2.0]))})(_geom(g, 1e-6, 0.1)),
    "lemma3": lambda g, mode: {"U": _dominant(g, int(g.integers(1, 7)), mode).T
                               if mode == 2 else _dominant(g, int(g.integers(1, 7)), mode)},
    "lemma4": lambda g, mode: (lambda d: {
        "trace_d": d * (1.0 if mode == 1 else _geom(g, 1.0, 1e4)), "d_max": d,
        "n": int(g.integers(1, 20))})(_geom(g, 1e-2, 1e2)),
    "lemma5": lambda g, mode: (lambda c, n: {
        "variances": g.uniform(0.1, 1.0, n) * c * c, "c": c, "n": int(g.integers(1, 5)),
        "m": None if mode == 1 else n, "inf_norm": float(g.choice([0.0, 0.2, 0.6]))})(
        float(g.choice([0.5, 1.0, 3.0])), int(g.integers(1, 5000))),
    "lemma6": lambda g, mode: (lambda a: {
        "eps": 1 / 7 if mode == 1 else float(g.uniform(0.01, 0.99)), "n": int(g.integers(1, 8)),
        "a": a, "b": a if mode == 2 else a * float(g.uniform(0, 1))})(_geom(g, 1e-2, 1e2)),
    "lemma7.lower_tail": lambda g, mode: _tail(g, mode),
    "lemma7.upper_tail": lambda g, mode: _tail(g, mode),
    "proposition3": lambda g, mode: {"x": 0.25 if mode == 1 else float(g.uniform(0, 0.25))},
    "lemma8": lambda g, mode: {
        "t": _geom(g, 1e-2, 1e3), "c": float(g.choice([0.5, 1.0, 2.0])),
        "n": int(g.integers(1, 6)), "m": int(g.integers(1, 50)),
        "inf_norm": float(g.choice([0.0, 0.3, 0.9]))},
    "lemma9": lambda g, mode: {
        "t": _geom(g, 1e-2, 1e2), "c": g.uniform(0, 1, int(g.integers(1, 6))).tolist(),
        "inf_norm": float(g.choice([0.0, 0.3, 0.9]))},
}


def _definition3(g: np.random.Generator, mode: int) -> dict:
    l_rows, k = int(g.integers(1, 4)) + 3, int(g.integers(1, 4))
    spread = np.geomspace(1.0, 10.0 ** -(3 * mode), k)  # kappa up to 1e6
    block = (np.linalg.qr(g.standard_normal((l_rows, k)))[0] * spread) @ \
        np.linalg.qr(g.standard_normal((k, k)))[0]
    return {"block": block * _geom(g, 1e-3, 1e3), "eps": float(g.choice([0.0, 1e-3, 0.1, 1.0])),
            "eta": float(g.choice([0.0, 0.01, 1.0]))}


def _tail(g: np.random.Generator, mode: int) -> dict:
    d_max = 1.0 if mode == 0 else _geom(g, 1e-2, 1e2)
    n = int(g.integers(1, 400))
    return {"trace_d": n * d_max if mode == 2 else d_max * _geom(g, 1.0, 2000.0),
            "d_max": d_max, "isotropic": mode == 2}


def fixed_points(claim_id: str) -> list[dict]:
    """Parameters at the edges of ``claim_id``'s hypotheses (module docstring)."""
    edges: dict[str, list[dict]] = {
        "definition3": [{"block": np.array([[1.0, 2.0], [2.0, 4.0], [0.5, 1.0]]), "eps": 0.1},
                        {"block": np.array([[-2.0]]), "eps": 0.0, "eta": 0.5},
                        {"block": np.array([[1.0, 100.0], [0.0, 1.0], [1.0, 1.0]]), "eps": 0.01,
                         "eta": 0.01}],
        "lemma1": [{"eps": 0.2, "mass_outside": 0.2}, {"eps": 0.2, "mass_outside": 0.2000001},
                   {"eps": 1.0, "mass_outside": 1.0}],
        "theorem1": [{"L": 1.0, "eps1": 0.01, "eps": 0.01, "m": 1, "A_inf": 1.0},
                     {"L": 1.0, "eps1": 0.01, "eps": 0.009, "m": 1, "A_inf": 1.0}],
        "lemma2": [{"L": 1.0, "eps": 0.0, "delta": 1.0, "m": 3, "A_inf": 2.0}],
        "theorem2.noisy_value": [{"A_inf": 1.0, "eta": 0.5, "eps": 1.0},
                                 {"A_inf": 1.0, "eta": 0.25, "eps": 0.5},
                                 {"A_inf": 3.0, "eta": 1e-2, "eps": 1e-3}],
        "theorem2.deterministic": [{"C": np.array([[-1.0]]), "A_inf": 1.0, "eps": 0.01},
                                   {"C": np.array([[2.0, 1.0], [1.0, 2.0]]), "A_inf": 3.0,
                                    "eps": 0.01},
                                   {"C": np.array([[1.0, 1.0], [0.0, 1.0]]), "A_inf": 2.0,
                                    "eps": 0.01},
                                   {"C": np.array([[3.0, -1.0], [0.5, -2.0]]), "A_inf": 3.9,
                                    "eps": 0.01, "eta": 0.001, "N": 10}],
        "theorem2.gaussian": [{"Sigma_S": np.eye(65), "k": 1, "eps": 0.01, "A_inf": 1.0},
                              {"Sigma_S": np.eye(64), "k": 1, "eps": 0.01, "A_inf": 1.0},
                              {"Sigma_S": np.diag([4.0] + [1.0] * 299), "k": 1, "eps": 0.01,
                               "A_inf": 1.0}],
        "theorem2.weak_dependence": [
            {"variances": np.ones(257), "c": 1.0, "k": 1, "inf_norm": 0.0, "eps": 0.01,
             "A_inf": 1.0},
            {"variances": np.ones(256), "c": 1.0, "k": 1, "inf_norm": 0.0, "eps": 0.01,
             "A_inf": 1.0},
            {"variances": np.full(1200, 0.8), "c": 1.0, "k": 1, "inf_norm": 0.5, "eps": 0.01,
             "A_inf": 1.0},
            {"variances": np.ones(1025), "c": 1.0, "k": 1, "inf_norm": 1.0, "eps": 0.01,
             "A_inf": 1.0}],
        "remark4": [{"k": 1, "log_failure": math.log(2) - 4}, {"k": 3, "log_failure": 0.0}],
        "proposition1.separable": [{"k": 2, "eps1": 0.01, "A_inf": 1.0},
                                   {"k": 2, "eps1": 0.01, "A_inf": 0.99}],
        "proposition1.gaussian": [{"k": 1, "kappa_Sigma": 1.0, "trace_S": 64.0, "eps1": 0.01,
                                   "A_inf": 1.0},
                                  {"k": 2, "kappa_Sigma": 3.0, "trace_S": 500.0, "eps1": 1e-4,
                                   "A_inf": 4.0}],
        "proposition1.weak_dependence": [{"k": 2, "c": 1.0, "a": 1.0, "inf_norm": 0.0,
                                          "eps1": 0.01, "A_inf": 1.0},
                                         {"k": 1, "c": 2.0, "a": 0.5, "inf_norm": 0.5,
                                          "eps1": 0.01, "A_inf": 1.0}],
        "proposition1.mechanism": [{"L": 2.0, "eps1": 0.01, "f_eps1": 0.01, "m": 1,
                                    "A_inf": 1.5},
                                   {"L": 2.0, "eps1": 0.01, "f_eps1": 0.005, "m": 1,
                                    "A_inf": 1.5}],
        "lemma3": [{"U": np.array([[1.0]])}, {"U": np.array([[2.0, -1.0], [0.5, -3.0]])},
                   {"U": np.array([[2.0, 1.0], [1.0, 1.0]])},
                   {"U": np.array([[4.0, -1.0, 2.0], [0.0, 3.0, 1.0], [1.0, 1.0, -5.0]])}],
        "lemma4": [{"trace_d": 24.0, "d_max": 1.0, "n": 1},
                   {"trace_d": 50.0, "d_max": 2.5, "n": 3},
                   {"trace_d": 2.0, "d_max": 2.0, "n": 1}],
        "lemma5": [{"variances": np.ones(600), "c": 1.0, "n": 2},
                   {"variances": np.full(50, 0.25), "c": 0.5, "n": 1, "m": 50,
                    "inf_norm": 0.5}],
        "lemma6": [{"eps": 1 / 7, "n": 2, "a": 1.0, "b": 0.5},
                   {"eps": 1 / 7, "n": 3, "a": 1.0, "b": 1.0}, {"eps": 1 / 7, "n": 3}],
        "lemma7.lower_tail": [{"trace_d": 24.0, "d_max": 1.0}, {"trace_d": 24.0, "d_max": 3.0},
                              {"trace_d": 10.0, "d_max": 10.0}],
        "lemma7.upper_tail": [{"trace_d": 24.0, "d_max": 1.0}, {"trace_d": 24.0, "d_max": 3.0},
                              {"trace_d": 10.0, "d_max": 10.0},
                              {"trace_d": 24.0, "d_max": 1.0, "isotropic": True}],
        "proposition3": [{"x": 0.0}, {"x": 0.25}, {"x": 0.1}],
        "lemma8": [{"t": 22.99, "c": 1.0, "n": 2, "m": 23},
                   {"t": 5.0, "c": 2.0, "n": 3, "m": 7, "inf_norm": 0.5}],
        "lemma9": [{"t": 1.5, "c": [1.0, 1.0, 1.0]}, {"t": 0.7, "c": [0.3, 0.0, 0.9],
                                                     "inf_norm": 0.4}],
    }
    return edges.get(claim_id, [])


# -- comparing records -------------------------------------------------------------------------

def _call(compute, claim_id: str, params: dict) -> tuple[Any, Exception | None]:
    try:
        return compute(claim_id, **params), None
    except PartError as exc:
        return None, exc
    except (ValueError, TypeError) as exc:
        return None, exc


def _matrix_rel(claim_id: str, params: dict) -> float:
    name, _ = MATRIX_KEYS[claim_id]
    M = np.asarray(params[name], dtype=float)
    s = np.linalg.svd(M, compute_uv=False)
    kappa = s[0] / s[-1] if s[-1] > 0 else np.inf
    return 64 * max(M.shape) * U * kappa + REL


def _tolerance(claim_id: str, key: str, ref: float, params: dict, log: bool) -> float:
    if log:
        return REL * max(1.0, abs(ref))
    if claim_id in MATRIX_KEYS and key in MATRIX_KEYS[claim_id][1]:
        return _matrix_rel(claim_id, params) * abs(ref) + 1e-300
    return REL * abs(ref) + 1e-300


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
    """The outside calculator's record against the reference's on ``params``: the differential
    score, the tightness score (each a worst ratio to its tolerance, > 1 fails) and the detail."""
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
            tol = _tolerance(claim_id, key, r, params, log)
            d = abs(o - r)
            if not (math.isfinite(o) or o == r):
                d = math.inf
            diff = max(diff, 0.0 if d == 0 else d / tol)
            direction = DIRECTIONS.get(claim_id, {}).get(key)
            if direction is not None:
                stick = _yardstick(claim_id, key, ref, log)
                loose = (o - stick) if direction == UP else (stick - o)
                if loose > 0:
                    t = loose / _tolerance(claim_id, key, stick, params, log)
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
    search(strategy, score, part_size(budget, "compute.search"), budget,
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
