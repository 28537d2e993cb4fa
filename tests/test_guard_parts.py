"""The guard's part judgements and its handling of bad outside parts
(``recmech.properties.guard.parts``,
``recmech.properties.subject.calls``): a part that raises, returns the wrong type or shape, NaN or
inf,
or hangs fails with its name and the input and never crashes the run; the judgements skip the
reference, pass its parts given explicitly, catch a looser calculator as "looser than the
paper", and are listed in xfails files and the plugin like claim ids.

Deterministic: fixed seeds and derandomized searches; no statistical assertion is made here.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from recmech.bounds import compute
from recmech.properties.guard.parts.registry import part_check_ids
from recmech.properties.guard.run import (
    check_ids,
    check_implementation,
    guard_claim,
    load_implementation,
    read_xfails,
)
from recmech.properties.subject.calls import PartError, deadline, guarded_part

ROOT = Path(__file__).resolve().parents[1]


def _lstsq(B, Y):  # noqa: N803
    return np.linalg.lstsq(B, Y, rcond=None)[0]


# -- bad answers and hangs ---------------------------------------------------------------------

def _raises(B, Y):  # noqa: N803
    raise ZeroDivisionError("the part's own bug")


def _wrong_shape(B, Y):  # noqa: N803
    return np.zeros(B.shape[1] + 1)


def _spins(B, Y):  # noqa: N803 - a hang that swallows every Exception on its way
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # noqa: BLE001 - what a careless part does
            pass


@pytest.mark.parametrize(("fn", "problem"), [
    (_raises, "raised ZeroDivisionError: the part's own bug"),
    (_wrong_shape, "returned shape"),
    (lambda B, Y: np.full(B.shape[1], np.nan), "returned NaN"),  # noqa: N803
    (lambda B, Y: np.full(B.shape[1], np.inf), "returned inf"),  # noqa: N803
    (lambda B, Y: "z", "not an array of real numbers"),  # noqa: N803
    (_spins, "did not return within the time limit of 0.3 s"),
])
def test_a_bad_least_squares_fails_with_its_name_and_the_input_and_the_run_goes_on(fn, problem):
    impl = SimpleNamespace(least_squares=fn)
    results = check_implementation(impl, claims=["part.least_squares", "definition3", "lemma3"],
                                   on_fail=None, time_limit=0.3)
    status = {r.claim_id: r for r in results}
    assert status["lemma3"].status == "skipped"  # the run went on past the failures
    for cid in ("part.least_squares", "definition3"):
        r = status[cid]
        assert r.status == "failed" and r.seconds < 5  # one time limit at most, not one per input
        assert "part least_squares" in r.reason and problem in r.reason, r.reason
        assert "input:" in r.reason


def test_every_part_has_its_answer_checked():
    law = SimpleNamespace(support=np.zeros((2, 3)), probs=np.array([0.5, 0.5]))
    cases = [
        ("spectral_norm", lambda M: -1.0, (np.eye(2),), "negative norm"),  # noqa: N803
        ("spectral_norm", lambda M: [1.0, 2.0], (np.eye(2),), "one number"),  # noqa: N803
        ("influence_matrix", lambda law: np.zeros((2, 2)), (law,), "expected (3, 3)"),
        ("value_queries", lambda *a, **k: [0.0], (None,), "2 items"),
        ("compute", lambda cid, **p: {"values": {}}, ("lemma3",), "expected a BoundRecord"),
        ("compute", lambda cid, **p: dataclasses.replace(
            compute("lemma9", t=1.0, c=[1.0]), values={"failure_prob": math.nan}),
         ("lemma9",), "values['failure_prob'] = nan is not a finite"),
        ("robustify", lambda inner, laws, delta: object(), (None, None, 0.1), "no outcome()"),
        ("query_protocol", lambda d, e, s, eta=None: 3, (None, 0.1, "pivoted"), "no run()"),
    ]
    for part, fn, args, problem in cases:
        kwargs = {"items": np.array([0, 1])} if part == "value_queries" else {}
        with pytest.raises(PartError, match=re.escape(problem)) as caught:
            guarded_part(part, fn)(*args, **kwargs)
        assert caught.value.part == part


def test_a_part_that_refuses_its_input_still_raises_a_value_error():
    def refuses(claim_id, **params):
        raise ValueError("eps must be > 0")

    with pytest.raises(ValueError, match="part compute: raised ValueError: eps must be > 0"):
        guarded_part("compute", refuses)("lemma1", eps=-1.0, mass_outside=0.1)


def test_the_time_limit_interrupts_nested_calls_once_and_is_measured_off_the_main_thread():
    with pytest.raises(PartError, match="outer: did not return within"):
        with deadline(0.2, "outer"):
            with deadline(5.0, "inner"):  # runs under the outer timer
                time.sleep(2)
    errors = []

    def worker():  # no timer can be set here: the overrun is measured when the call returns
        try:
            with deadline(0.05, "threaded"):
                time.sleep(0.2)
        except PartError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert errors and "over the time limit of 0.05 s" in errors[0]
    with deadline(1.0, "quick"):  # a call within its limit is untouched
        time.sleep(0.01)


# -- the judgements --------------------------------------------------------------------------

def test_judgements_skip_the_reference_and_pass_its_parts_given_explicitly():
    assert guard_claim("part.least_squares", None).status == "skipped"
    ref, name = load_implementation("recmech.properties.guard.run:REFERENCE")
    ids = [c for c in part_check_ids() if not c.startswith(("part.compute.", "tight."))]
    ids += ["part.compute.lemma7.upper_tail", "tight.lemma9", "part.compute.theorem2.deterministic"]
    results = check_implementation(ref, claims=ids, name=name)
    assert [r.status for r in results] == ["passed"] * len(ids)
    assert set(check_ids()) >= set(ids) and len(part_check_ids()) == 7 + 2 * 22


def test_a_looser_calculator_fails_as_looser_than_the_paper_and_can_be_listed(tmp_path):
    def looser(**params):  # exp(-Tr D / (16 d_max)) for the lower tail: true, and looser
        rec = compute("lemma7.lower_tail", **params)
        if not rec.valid:
            return rec
        log_p = -params["trace_d"] / (16 * params["d_max"])
        return dataclasses.replace(rec, values={**rec.values, "failure_prob": math.exp(log_p)},
                                   log_values={"failure_prob": log_p})

    impl = SimpleNamespace(bounds={"lemma7.lower_tail": looser})
    ids = ["lemma7.lower_tail", "part.compute.lemma7.lower_tail", "tight.lemma7.lower_tail"]
    results = {r.claim_id: r for r in check_implementation(impl, claims=ids, on_fail=None)}
    assert results["lemma7.lower_tail"].status == "passed"  # the inequality still holds
    tight = results["tight.lemma7.lower_tail"]
    assert tight.status == "failed" and "looser than the paper" in tight.reason
    assert tight.verdict.counterexample["params"]  # the input that shows it
    path = tmp_path / "xfails.txt"
    path.write_text("tight.lemma7.lower_tail  conservative on purpose\n"
                    "part.compute.lemma7.lower_tail  conservative on purpose\n")
    known = read_xfails(path, known=check_ids())
    listed = check_implementation(impl, known, claims=ids)
    assert [r.status for r in listed] == ["passed", "xfailed", "xfailed"]
    with pytest.raises(ValueError, match="unknown claim id 'part.nope'"):
        (tmp_path / "bad.txt").write_text("part.nope typo\n")
        read_xfails(tmp_path / "bad.txt", known=check_ids())


def test_the_corrected_bounds_xfails_keep_the_tightness_judgement():
    def repaired(**params):  # the printed delta replaced by the corrected |C_jj| one
        rec = compute("theorem2.deterministic", **params)
        if not rec.valid:
            return rec
        return dataclasses.replace(rec, values={**rec.values, "delta": rec.corrected["delta"]})

    impl = SimpleNamespace(bounds={"theorem2.deterministic": repaired})
    ids = ["part.compute.theorem2.deterministic", "tight.theorem2.deterministic"]
    results = check_implementation(impl, read_xfails("corrected-bounds"), claims=ids)
    assert [r.status for r in results] == ["xfailed", "passed"]


def test_the_plugin_runs_part_judgements_by_id():
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECMECH_")}
    env.update(PYTHONPATH=str(ROOT), RECMECH_PROFILE="quick")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "recmech.properties", "-p",
         "no:cacheprovider", "-p", "no:xdist", "-v",
         "--recmech-impl=tests.broken.frobenius_norm:impl",
         "--recmech-claims=part.spectral_norm,lemma8,part.least_squares"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "test_claim[part.spectral_norm] FAILED" in run.stdout
    assert "test_claim[lemma8] PASSED" in run.stdout
    assert "test_claim[part.least_squares] SKIPPED" in run.stdout
