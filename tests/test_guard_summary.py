"""The guard's summary for a person: the judged ids with the smallest counterexample input, the
outside and reference answers and the ratio to the tolerance; passed and skipped ids in one line
each; every record in ``--recmech-json``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from recmech.properties.guard.summary import GuardLine, counterexample_of, summary_lines

ROOT = Path(__file__).resolve().parents[1]

FAILURE = ("impl: claim part.least_squares: part.least_squares: worst difference / tolerance = "
           "3. Counterexample: {\"B\": [[1.0]], \"Y\": [[2.0]], \"outside\": [2.5], "
           "\"reference\": [2.0], \"difference\": [0.5], \"tolerance\": [0.25]}. Notes: x")


def test_a_failure_is_one_row_with_its_input_answers_and_ratio():
    line = GuardLine.of("part.least_squares", "failed", FAILURE, 0.1)
    assert line.counterexample == {"B": [[1.0]], "Y": [[2.0]], "outside": [2.5],
                                   "reference": [2.0], "difference": [0.5],
                                   "tolerance": [0.25]}
    verdict, given, answers, ratio = line.cells()
    assert verdict == "failed" and given == '{"B": [[1.0]], "Y": [[2.0]]}'
    assert answers == "outside [2.5] vs reference [2.0]" and ratio == "2"
    assert line.problem == "part.least_squares: worst difference / tolerance = 3"


def test_skipped_and_passed_ids_take_one_line_each():
    lines = [GuardLine.of(f"project.c{i}", "skipped", "provides none of ()", 0.0)
             for i in range(76)]
    lines += [GuardLine.of(f"lemma{i}", "passed", "", 1.0) for i in range(7)]
    lines.append(GuardLine.of("part.least_squares", "failed", FAILURE, 0.1))
    out = summary_lines(lines)
    assert out[0] == "8 judged (1 failed, 7 passed), 76 skipped"
    assert len(out) == 1 + 2 + 1 + 1 + 1 + 1  # counts, table (head + 1), reason, passed,
    assert sum(line.startswith("skipped") for line in out) == 1  # skipped, the JSON hint
    assert "statements about numbers only" in out[-2]
    assert out[-1] == "every record in full: --recmech-json PATH"


def test_a_cut_counterexample_is_kept_as_text():
    assert counterexample_of("x. Counterexample: {\"a\": [1, 2 ...") == "{\"a\": [1, 2 ..."
    assert counterexample_of("no counterexample here") is None


def test_the_plugin_prints_the_summary_and_writes_every_record(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECMECH_")}
    env.update(PYTHONPATH=str(ROOT), RECMECH_PROFILE="quick")
    out = tmp_path / "guard.json"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "recmech.properties", "-q", "--tb=no",
         "-p", "no:cacheprovider", "-p", "no:xdist",
         "--recmech-impl=tests.broken.off_by_one_search:impl",
         "--recmech-claims=theorem2.noisy_value,lemma6,proposition3",
         f"--recmech-json={out}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    text = run.stdout
    assert "recmech guard summary" in text
    assert "2 judged (1 failed, 1 passed), 1 skipped" in text
    assert "skipped (statements about numbers only: no implementation part to judge): " \
        "proposition3" in text
    records = {r["id"]: r for r in json.loads(out.read_text())}
    assert set(records) == {"theorem2.noisy_value", "lemma6", "proposition3"}
    assert records["theorem2.noisy_value"]["outcome"] == "failed"
    assert records["theorem2.noisy_value"]["counterexample"]["corrected_queries"] == 2
