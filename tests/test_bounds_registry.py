"""The bound registry: every claim id has a calculator; records serialise; errors name names."""

import json
import math

import pytest

from recmech import bounds
from recmech.bounds.registry import CLAIM_IDS, REQUIRED

# one valid parameter point per claim id, used for the registry-wide checks
VALID_POINTS = {
    "definition3": {"block": [[1.0, 0.0], [0.0, 1.0]], "eps": 0.1},
    "lemma1": {"eps": 0.1, "mass_outside": 0.05},
    "theorem1": {"L": 1, "eps1": 0.01, "eps": 0.04, "m": 2, "A_inf": 1},
    "lemma2": {"L": 1, "eps": 0.01, "delta": 0.1, "m": 2, "A_inf": 1},
    "theorem2.noisy_value": {"A_inf": 1, "eta": 0.01, "eps": 0.01},
    "theorem2.deterministic": {"C": [[1.0]], "A_inf": 1, "eps": 0.01},
    "theorem2.gaussian": {"Sigma_S": [1.0] * 65, "k": 1, "eps": 0.01, "A_inf": 1},
    "theorem2.weak_dependence": {"variances": [1.0] * 257, "c": 1, "k": 1, "inf_norm": 0.0,
                                 "eps": 0.01, "A_inf": 1},
    "remark4": {"k": 1, "log_failure": -10.0},
    "proposition1.separable": {"k": 2, "eps1": 0.01, "A_inf": 1},
    "proposition1.gaussian": {"k": 1, "kappa_Sigma": 1.5, "trace_S": 96, "eps1": 0.01,
                              "A_inf": 1},
    "proposition1.weak_dependence": {"k": 1, "c": 1, "a": 0.9, "inf_norm": 0.0, "eps1": 0.01,
                                     "A_inf": 1},
    "proposition1.mechanism": {"L": 1, "eps1": 0.01, "f_eps1": 0.04, "m": 2, "A_inf": 1},
    "lemma3": {"U": [[2.0, 1.0], [0.5, 3.0]]},
    "lemma4": {"trace_d": 1000, "d_max": 1, "n": 2},
    "lemma5": {"variances": [1.0] * 100, "c": 1, "n": 2},
    "lemma6": {"eps": 1 / 7, "n": 3},
    "lemma7.lower_tail": {"trace_d": 10, "d_max": 1},
    "lemma7.upper_tail": {"trace_d": 10, "d_max": 1},
    "proposition3": {"x": 0.1},
    "lemma8": {"t": 10, "c": 1, "n": 2, "m": 10},
    "lemma9": {"t": 1, "c": [0.5, 0.5]},
}


def test_registry_is_exactly_the_claim_register():
    assert len(CLAIM_IDS) == len(set(CLAIM_IDS)) == 22
    assert set(bounds.REGISTRY) == set(CLAIM_IDS)
    assert bounds.claim_ids() == list(CLAIM_IDS)
    assert set(VALID_POINTS) == set(CLAIM_IDS)


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_every_claim_computes_a_valid_json_safe_record(claim_id):
    rec = bounds.compute(claim_id, **VALID_POINTS[claim_id])
    assert rec.claim_id == claim_id
    assert rec.valid, rec.failed()
    assert rec.values, "a valid record has values"
    assert all(math.isfinite(v) for v in rec.values.values())
    assert all(math.isfinite(v) for v in rec.log_values.values())
    data = json.loads(json.dumps(rec.to_dict(), allow_nan=False))
    assert data["values"] == pytest.approx(rec.values)
    assert rec.to_dict()["valid"] is True
    assert "Lemma" in rec.place or "Thm" in rec.place or "Prop" in rec.place or \
        "Def" in rec.place or "Remark" in rec.place or "Sec" in rec.place


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_parameters_lists_required_names(claim_id):
    params = bounds.parameters(claim_id)
    required = {n for n, d in params.items() if d is REQUIRED}
    assert required <= set(VALID_POINTS[claim_id])
    assert "strict" not in params


def test_compute_unknown_id_lists_valid_ids():
    with pytest.raises(ValueError, match="valid ids: definition3"):
        bounds.compute("theorem3", eps=1)


def test_compute_unknown_parameter_lists_accepted_ones():
    with pytest.raises(ValueError, match="unknown parameter.*zeta.*lemma4 takes trace_d, d_max"):
        bounds.compute("lemma4", trace_d=1, d_max=1, n=1, zeta=2)


def test_compute_missing_parameter_names_it():
    with pytest.raises(ValueError, match="missing parameter.*d_max"):
        bounds.compute("lemma4", trace_d=1, n=1)


def test_value_of_invalid_record_names_the_failed_hypothesis():
    rec = bounds.lemma6(eps=1.5, n=2)
    assert not rec.valid and rec.values == {}
    assert [h.name for h in rec.failed()] == ["eps_range"]
    with pytest.raises(ValueError, match="eps_range"):
        rec.value("log_net_size")


def test_value_of_unknown_name_lists_values():
    rec = bounds.lemma6(eps=0.5, n=2)
    with pytest.raises(ValueError, match="log_net_size"):
        rec.value("nope")
