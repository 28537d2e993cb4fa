"""Parameters for judging the bound calculators: the whole stated domain of each claim id.

definition: ``fixed_points(claim_id)`` lists points at the edges of the claim's hypotheses
(equalities of strict inequalities, the smallest counterexamples of the errata, d_max != 1, Sigma_S
!= I, negative diagonals, eps >= 1, values just outside a hypothesis); ``PARAMETERS[claim_id](gen,
mode)`` draws a point from a numpy generator, ``mode`` in {0, 1, 2} steering towards an edge
(e.g. eps = eps1, d_max != 1, an isotropic D, a covariance with rho > 1). The search of
``recmech.properties.guard.parts.calculators`` draws (seed, mode) with hypothesis.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from recmech.core.design import dominant_block

__all__ = ["PARAMETERS", "fixed_points"]


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


