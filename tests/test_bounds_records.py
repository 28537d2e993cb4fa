"""Record invariants: a BoundRecord is checked when it is built, and a record that would break an
invariant is an error naming the number, not a number (``recmech.bounds.records``)."""

import math

import mpmath
import pytest

from recmech.bounds import compute
from recmech.bounds.records import BoundRecord, Hypothesis, Order, RecordBuilder


def _record(**overrides) -> BoundRecord:
    base = {"claim_id": "lemma4", "place": "Lemma 4", "formula": "f", "params": {"n": 1},
            "hypotheses": (Hypothesis("columns", "n >= 1", True),), "values": {},
            "log_values": {}, "constants": {}, "corrected": {}, "erratum": None}
    return BoundRecord(**{**base, **overrides})


def test_a_sound_record_builds():
    rec = _record(values={"failure_prob": math.exp(-3.0), "vacuous": 0, "queries": 12},
                  log_values={"failure_prob": -3.0})
    assert rec.log_failure_prob == -3.0
    # a vacuous bound: its log may exceed 0, the probability it gives is 1
    assert _record(values={"failure_prob": 1.0}, log_values={"failure_prob": 5.0}).valid
    # an underflowed float beside its log is consistent
    assert _record(values={"failure_prob": 0.0}, log_values={"failure_prob": -1e5}).valid


@pytest.mark.parametrize("overrides,match", [
    ({"values": {"failure_prob": 1.5}}, r"values\['failure_prob'\] = 1.5 is a probability"),
    ({"values": {"failure_prob": -0.1}}, "outside \\[0, 1\\]"),
    ({"values": {"failure_prob": 0.5}, "log_values": {"failure_prob": -3.0}},
     "inconsistent with its log"),
    ({"values": {"failure_prob": 0.0}, "log_values": {"failure_prob": -3.0}},
     "inconsistent with its log"),
    ({"corrected": {"failure_prob": 0.5, "log_failure_prob": -1.0}}, "inconsistent"),
    ({"log_values": {"exact_prob": 0.5}}, "log of a probability, but > 0"),
    ({"values": {"queries": 2.5}}, r"values\['queries'\] = 2.5 is a count"),
    ({"values": {"size": -1}}, "is a count"),
    ({"values": {"kappa": math.nan}}, r"values\['kappa'\] .* not a finite float64"),
    ({"values": {"kappa": math.inf}}, "not a finite float64"),
    ({"log_values": {"failure_prob": -math.inf}}, "not a finite float64"),
    ({"values": {"kappa": mpmath.mpf("1e400")}}, "not a finite float64"),
    ({"constants": {"c_rev": math.nan}}, r"constants\['c_rev'\]"),
    ({"values": {"kappa": "big"}}, "is not a number"),
    ({"values": {"inv_inf_bound": 1.0, "inv_inf_norm": 1.5},
      "orders": (Order(bound="values.inv_inf_bound", bounded="values.inv_inf_norm",
                       why="Lemma 3"),)}, "is below values.inv_inf_norm"),
])
def test_a_record_that_breaks_an_invariant_is_a_named_error(overrides, match):
    with pytest.raises(ValueError, match=match) as err:
        _record(**overrides)
    assert "lemma4 at {'n': 1}" in str(err.value)  # the claim and its parameters


def test_orders_have_a_tolerance_and_name_their_keys():
    order = Order(bound="values.b", bounded="values.x", tol=0.1, why="a theorem")
    assert _record(values={"b": 1.0, "x": 1.05}, orders=(order,)).valid
    with pytest.raises(ValueError, match="expected 'values.NAME'"):
        _record(values={"b": 1.0}, orders=(Order(bound="b", bounded="values.x"),))


def test_prop1_query_expressions_are_real_numbers_not_counts():
    rec = compute("proposition1.separable", k=3, eps1=1e-3, A_inf=1.0)
    assert rec.real_keys == ("queries",) and rec.value("queries") != int(rec.value("queries"))
    assert rec.value("queries_theorem2") == int(rec.value("queries_theorem2"))


def test_the_builder_drops_values_and_orders_when_a_hypothesis_fails():
    b = RecordBuilder("lemma4", "Lemma 4", "f", {"n": 0})
    b.require("columns", "n >= 1", False, "n = 0")
    rec = b.build(values={"failure_prob": 7.0},
                  orders=(Order(bound="values.a", bounded="values.b"),))
    assert not rec.valid and rec.values == {} and rec.orders == ()
    with pytest.raises(TypeError, match="strict must be True or False"):
        RecordBuilder("lemma4", "Lemma 4", "f", {}, strict="no")


def test_records_are_built_by_keyword():
    with pytest.raises(TypeError):
        BoundRecord("lemma4", "Lemma 4", "f", {}, (), {}, {}, {}, {}, None)  # type: ignore
