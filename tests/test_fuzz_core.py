"""The input gate of recmech.core, fuzzed as a hostile user would (issue 13).

One hypothesis test per public constructor or entry function: one parameter at a time is
replaced by a hostile value (a Python int beyond float64, complex, str, bool, None, NaN, inf, a
ragged or wrongly shaped array, arrays of those) or a valid-but-extreme one (1e308, 5e-324,
-0.0, huge and tiny sizes). Every call must end in either a ValueError/TypeError whose message
names the parameter, or a valid object (checked by a property of the object); anything else
(OverflowError, ZeroDivisionError, a NaN in the result, a numpy warning) fails the test.
``fuzz_counts`` tallies the outcomes (inputs, named errors, objects) for the report.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.auctions import BundleMenu, SecondPriceReserve, myerson_auction
from recmech.core.influence import FiniteJointLaw
from recmech.core.laws import BetaProduct, FiniteLaw, UniformBox
from recmech.core.measure import Population
from recmech.core.mechanisms import VCG, PostedPrices
from recmech.core.montecarlo import monte_carlo_revenue
from recmech.core.optimal import solve_optimal_lp
from recmech.core.oracles import NoisyOracle
from recmech.core.prokhorov import prokhorov_distance
from recmech.core.queries import LeastSquares, queries_per_item, search_plan
from recmech.core.robust import RandomGrid, RobustifiedMechanism
from recmech.core.types import CloseTypeLaw, LazyType
from recmech.core.valuations import Additive, CDemand, DownwardClosed, UnitDemand

fuzz_counts: Counter = Counter()

HUGE = 10**400
SCALARS = [HUGE, -HUGE, 1 + 2j, "1.5", "no", True, False, None, math.nan, math.inf, -math.inf,
           1e308, -1e308, 5e-324, -5e-324, 0.0, -0.0, -1.0, 1e-300, 2**63, object()]


def _arrays(shape: tuple) -> list:
    """Hostile arrays shaped like a valid one (and wrongly shaped ones)."""
    size = int(np.prod(shape)) if shape else 1
    fill = np.full(shape, 0.5)
    out = [np.full(shape, math.nan), np.full(shape, math.inf), fill.astype(complex) + 1j,
           fill.astype(str), np.zeros(shape, dtype=bool), np.full(shape, HUGE, dtype=object),
           fill.tolist(), np.full(shape, 1e308), np.full(shape, -1e308), np.full(shape, 5e-324),
           np.zeros((0,) + shape[1:]), np.zeros(shape + (1,)), np.zeros(()), [[0.5], [0.5, 0.5]],
           "0.5", None]
    if size:
        mixed = fill.astype(object).reshape(-1)
        mixed[0] = HUGE
        out.append(mixed.reshape(shape).tolist())
    return out


@dataclass(frozen=True)
class Case:
    """A public entry, its valid arguments, and a check that a returned object is valid."""

    name: str
    call: Callable
    valid: dict
    ok: Callable[[object], bool]


def _law() -> FiniteLaw:
    return FiniteLaw([[0.2, 0.4], [0.8, 0.6]], [0.5, 0.5])


def _mech():
    return VCG(np.eye(2), [UnitDemand([0.0, 0.0])])


def _finite(x) -> bool:
    return bool(np.all(np.isfinite(np.asarray(x, dtype=float))))


CASES = [
    Case("FiniteLaw", FiniteLaw, {"points": [[0.2, 0.4], [0.8, 0.6]], "probs": [0.5, 0.5]},
         lambda o: _finite(o.points) and abs(o.probs.sum() - 1) < 1e-9),
    Case("FiniteLaw.from_samples", FiniteLaw.from_samples,
         {"samples": [[0.2, 0.4], [0.2, 0.4]], "scale": 1.0},
         lambda o: o.points.max() <= 1 and abs(o.probs.sum() - 1) < 1e-9),
    Case("UniformBox", UniformBox, {"lo": [0.1, 0.2], "hi": [0.5, 0.9]},
         lambda o: np.all(o.hi > o.lo)),
    Case("BetaProduct", BetaProduct, {"a": [2.0, 2.0], "b": [1.0, 3.0]},
         lambda o: _finite(o.sample(3, 0))),
    Case("DesignMatrix", designs.DesignMatrix, {"A": [[1.0, 0.0], [0.5, 0.5]]},
         lambda o: math.isfinite(o.inf_norm)),
    Case("separable", designs.separable, {"k": 2, "N": 5, "rng": 0},
         lambda o: math.isfinite(o.inf_norm)),
    Case("diagonally_dominant", designs.diagonally_dominant,
         {"C": [[1.0, 0.2], [0.1, 1.0]], "N": 5, "rng": 0}, lambda o: math.isfinite(o.inf_norm)),
    Case("gaussian", designs.gaussian, {"N": 5, "k": 2, "rng": 0, "scales": [1.0] * 5},
         lambda o: math.isfinite(o.inf_norm)),
    Case("weakly_dependent", designs.weakly_dependent, {"N": 5, "k": 2, "c": 1.0, "rng": 0},
         lambda o: math.isfinite(o.inf_norm)),
    Case("design_for", designs.design_for, {"family": "gaussian", "N": 5, "k": 2, "rng": 0},
         lambda o: math.isfinite(o.inf_norm)),
    Case("dominant_block", designs.dominant_block, {"k": 3, "rng": 0, "margin": 0.5},
         lambda o: _finite(o)),
    Case("scale_design", designs.scale_design, {"A": [[1.0, 0.0]], "scale": [2.0, 3.0]},
         lambda o: _finite(o)),
    Case("CDemand", CDemand, {"c": 2, "mu": [0.0, 0.1, 0.2]}, lambda o: _finite(o.mu)),
    Case("UnitDemand", UnitDemand, {"mu": [0.0, 0.1]}, lambda o: _finite(o.mu)),
    Case("Additive", Additive, {"mu": [0.0, 0.1]}, lambda o: _finite(o.mu)),
    Case("DownwardClosed", DownwardClosed, {"family": [(0, 1)], "mu": [0.0, 0.1]},
         lambda o: _finite(o.mu)),
    Case("LazyType", LazyType, {"A": [[1.0, 0.0], [0.5, 0.5]], "z": [0.2, 0.3]},
         lambda o: _finite(o.dense())),
    Case("NoisyOracle", lambda eta: NoisyOracle(LazyType(np.eye(2), [0.5, 0.5]), eta),
         {"eta": 0.1}, lambda o: o.eta >= 0),
    Case("CloseTypeLaw", lambda eps1, rate: CloseTypeLaw(
        _law(), designs.DesignMatrix(np.eye(2)), eps1, rate=rate), {"eps1": 0.1, "rate": 0.05},
         lambda o: 0 <= o.rate <= o.eps1),
    Case("protocol_for", lambda eps, eta, delta: protocols.protocol_for(
        "certified", designs.separable(2, 6, 0), eps, eta, delta=delta),
         {"eps": 0.01, "eta": 0.01, "delta": 0.2},
         lambda o: 0 <= o.certified_delta() <= o.selection.stats["target"]),
    Case("pivoted_protocol", lambda eps, eta: protocols.protocol_for(
        "pivoted", designs.gaussian(6, 2, 0), eps, eta), {"eps": 0.01, "eta": 0.01},
         lambda o: math.isfinite(o.certified_delta()) and o.queries >= 0),
    Case("LeastSquares", LeastSquares, {"B": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]},
         lambda o: _finite(o.pinv) and math.isfinite(o.pinv_inf_norm)),
    Case("search_plan", search_plan, {"rows": [[1.0, 0.0]], "items": [0], "inf_norm": 1.0,
                                      "eps": 0.01, "eta": 0.01},
         lambda o: o.q >= 0 and math.isfinite(o.R)),
    Case("queries_per_item", queries_per_item, {"R": 1.0, "eta": 0.01},
         lambda o: isinstance(o, int) and o >= 0),
    Case("VCG", VCG, {"A": [[1.0, 0.0], [0.0, 1.0]], "valuations": [UnitDemand([0.0, 0.0])]},
         lambda o: o.m == 1),
    Case("PostedPrices", lambda prices: PostedPrices(np.eye(2), [UnitDemand([0.0, 0.0])],
                                                     prices), {"prices": [0.5, 0.5]},
         lambda o: _finite(o.prices)),
    Case("BundleMenu", lambda prices: BundleMenu(np.eye(2), [Additive([0.0, 0.0])], [[0], [1]],
                                                 prices), {"prices": [0.5, 0.4]},
         lambda o: _finite(o.prices)),
    Case("SecondPriceReserve", lambda reserve: SecondPriceReserve(
        np.eye(1), [UnitDemand([0.0])] * 2, reserve), {"reserve": 0.3},
         lambda o: math.isfinite(o.reserve)),
    Case("myerson_auction", lambda points: myerson_auction(
        np.eye(1), [UnitDemand([0.0])] * 2, [(points, [0.5, 0.5])] * 2),
         {"points": [[0.2], [0.7]]}, lambda o: all(_finite(g) for g in o.ironed)),
    Case("solve_optimal_lp", lambda ic_tol, points: solve_optimal_lp(
        np.eye(1), [UnitDemand([0.0])], [(points, [0.5, 0.5])], ic_tol=ic_tol),
         {"ic_tol": 1e-9, "points": [[0.2], [0.7]]}, lambda o: math.isfinite(o.revenue)),
    Case("RobustifiedMechanism", lambda delta: RobustifiedMechanism(_mech(), [_law()], delta),
         {"delta": 0.5}, lambda o: 0 < o.delta <= 1),
    Case("RandomGrid.draw", RandomGrid.draw, {"k": 2, "delta": 0.5, "rng": 0},
         lambda o: _finite(o.offset)),
    Case("Population", Population, {"values": [[0.5, 0.5]], "reports": [[0.5, 0.5]],
                                    "probs": [1.0]}, lambda o: _finite(o.values)),
    Case("FiniteJointLaw", FiniteJointLaw, {"support": [[0.0, 1.0], [1.0, 0.0]],
                                            "probs": [0.5, 0.5]},
         lambda o: abs(o.probs.sum() - 1) < 1e-9),
    Case("prokhorov_distance", lambda points: prokhorov_distance(
        (points, [0.5, 0.5]), ([[0.0], [1.0]], [0.5, 0.5])), {"points": [[0.2], [0.7]]},
         lambda o: 0.0 <= o <= 1.0),
    Case("monte_carlo_revenue", lambda n_samples, false_alarm: monte_carlo_revenue(
        _mech(), [_law()], n_samples, 0, false_alarm=false_alarm),
         {"n_samples": 50, "false_alarm": 1e-9},
         lambda o: o.ci_low <= o.mean <= o.ci_high and _finite([o.ci_low, o.ci_high])),
]


def _hostile_values(valid):
    if isinstance(valid, (list, tuple, np.ndarray)) and not isinstance(valid, str):
        try:
            shape = np.asarray(valid, dtype=float).shape
        except (TypeError, ValueError):
            shape = (1,)
        return _arrays(shape) + SCALARS[:6]
    return SCALARS + [[1.0], np.zeros((2, 2))]


def run_case(case: Case, param: str, value) -> str:
    """'named' (a named ValueError/TypeError), 'object' (a valid object); anything else raises."""
    kwargs = dict(case.valid, **{param: value})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy overflow/invalid warning is a silent NaN
        try:
            out = case.call(**kwargs)
        except (ValueError, TypeError) as exc:
            text = str(exc)
            named = param.split(".")[-1] in text or ("laws" in text and param == "points")
            assert named, f"{case.name}({param}={value!r}): error does not name {param}: {text}"
            return "named"
        assert case.ok(out), f"{case.name}({param}={value!r}) returned an invalid object {out!r}"
    return "object"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_public_constructor_names_bad_input_or_returns_a_valid_object(case, data):
    param = data.draw(st.sampled_from(sorted(case.valid)), label="parameter")
    value = data.draw(st.sampled_from(_hostile_values(case.valid[param])), label="value")
    outcome = run_case(case, param, value)
    fuzz_counts["inputs"] += 1
    fuzz_counts[outcome] += 1


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_public_constructor_accepts_its_valid_arguments(case):
    assert case.ok(case.call(**case.valid))


def test_the_issue_repro_is_a_named_value_error():
    with pytest.raises(ValueError, match="points must have finite entries; found an integer"):
        FiniteLaw([[10**400]], [1.0])
