"""Scale-out: the report's chunks give the same record however they run: one after another, in a
process pool, on a 2-worker local Dask cluster, with a worker killed mid-run, or interrupted and
resumed from the results file.

The claims here are a mix of chunked checks (sweep points), hypothesis searches and readings; the
whole quick report runs through Dask in the thorough profile.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recmech.properties.judging.profiles import profile_name

pytest.importorskip("distributed")

CLAIMS = "lemma6,lemma9,proposition1.gaussian,theorem2.weak_dependence"


def _report(tmp: Path, name: str, *extra: str) -> dict:
    out = tmp / f"{name}.json"
    run = subprocess.run([sys.executable, "-m", "recmech.properties.cli", "report", "--json",
                          str(out), *extra], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    return _strip(json.loads(out.read_text()))


def _strip(data):
    """The record without wall-clock seconds (the only thing that may differ between runs)."""
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k != "seconds"}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> dict:
    return _report(tmp_path_factory.mktemp("serial"), "serial", "--claims", CLAIMS)


def test_a_local_dask_cluster_gives_the_serial_record(serial, tmp_path):
    dask = _report(tmp_path, "dask", "--claims", CLAIMS, "--scheduler", "local", "--jobs", "2")
    pool = _report(tmp_path, "pool", "--claims", CLAIMS, "--jobs", "2")
    assert dask == serial and pool == serial
    assert serial["problems"] == [] and len(serial["rows"]) == 4


def test_a_worker_killed_mid_run_changes_nothing(serial):
    from recmech.properties.engine.run import DaskEngine
    from recmech.properties.report.card import report_payload, run_report

    engine = DaskEngine(None, workers=2)
    killed = []

    def kill_one(task, result, done, total):
        if not killed:  # after the first chunk completes, kill a worker process
            pid = next(iter(engine.worker_pids().values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    try:
        rows = run_report(CLAIMS.split(","), "quick", engine, chunk_progress=kill_one)
    finally:
        engine.close()
    assert killed
    assert _strip(json.loads(json.dumps(report_payload(rows, "quick")))) == serial


def test_an_interrupted_run_resumes_to_the_serial_record(serial, tmp_path):
    chunks = tmp_path / "chunks.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "recmech.properties.cli", "report",
                             "--claims", CLAIMS, "--results", str(chunks)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while time.time() < deadline:
        if chunks.exists() and len(chunks.read_text().splitlines()) >= 4:  # header + 3 chunks
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    kept = len(chunks.read_text().splitlines()) - 1
    assert kept >= 3
    resumed = _report(tmp_path, "resumed", "--claims", CLAIMS, "--resume", str(chunks))
    assert resumed == serial
    lines = chunks.read_text().splitlines()
    keys = [json.loads(line)["key"] for line in lines[1:] if line.strip()]
    assert len(keys) == len(set(keys))  # each chunk ran once: the kept ones were not rerun


def test_a_results_file_of_another_profile_is_refused(tmp_path):
    bad = tmp_path / "other.jsonl"
    bad.write_text(json.dumps({"format": "recmech-report-chunks/1", "profile": "thorough"})
                   + "\n")
    run = subprocess.run([sys.executable, "-m", "recmech.properties.cli", "report", "--claims",
                          "lemma6", "--resume", str(bad)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 2
    assert "not a results file of this run" in run.stderr and len(run.stderr.splitlines()) == 1


@pytest.mark.skipif(profile_name() != "thorough", reason="the whole report twice: thorough")
def test_the_whole_quick_report_through_dask_is_the_serial_one(tmp_path):
    assert _report(tmp_path, "dask-all", "--scheduler", "local", "--jobs", "2") == \
        _report(tmp_path, "serial-all")


def test_projected_wall_is_the_longest_first_schedule_and_its_bound():
    from recmech.properties.engine.run import projected_wall

    assert projected_wall([3, 3, 2, 2, 2], 2) == (7.0, 6.0)  # LPT: {3,2,2} {3,2}; best is 6
    assert projected_wall([5, 1, 1], 8) == (5.0, 5.0)         # the longest chunk bounds it
    assert projected_wall([1.0] * 64, 32) == (2.0, 2.0)
    assert projected_wall([], 4) == (0.0, 0.0)
    with pytest.raises(ValueError, match="workers must be >= 1"):
        projected_wall([1.0], 0)


def test_recmech_chunks_reads_a_results_file_and_refuses_anything_else(tmp_path, capsys):
    from recmech.properties.cli.main import main

    results = tmp_path / "run.jsonl"
    assert main(["report", "--claims", "lemma6,proposition3", "--results", str(results)]) == 0
    capsys.readouterr()
    assert main(["chunks", str(results), "--workers", "1,2"]) == 0
    out = capsys.readouterr().out
    assert "profile quick): 2 chunks" in out and "| 2 |" in out
    other = tmp_path / "other.json"
    other.write_text('{"rows": []}\n')
    assert main(["chunks", str(other)]) == 2
    assert "not a results file of recmech report" in capsys.readouterr().err
    for bad in ("0", "2.5", "x"):
        assert main(["chunks", str(results), "--workers", bad]) == 2
        assert "--workers" in capsys.readouterr().err
    assert main(["chunks", str(tmp_path / "missing.jsonl")]) == 2


def test_the_longest_first_schedule_is_within_four_thirds_of_the_best():
    """projected_wall's docstring (Graham 1969): LPT <= (4/3 - 1/(3m)) OPT; OPT by trying
    every assignment of up to 7 chunks to m <= 3 workers."""
    import itertools

    import numpy as np

    from recmech.properties.engine.run import projected_wall

    gen = np.random.default_rng(0)
    worst = 0.0
    for _ in range(300):
        m = int(gen.integers(2, 4))
        times = gen.integers(1, 20, size=int(gen.integers(m + 1, 8))).astype(float)
        best = min(max(sum(t for t, w in zip(times, assign, strict=True) if w == j)
                       for j in range(m))
                   for assign in itertools.product(range(m), repeat=len(times)))
        wall, lower = projected_wall(times, m)
        assert lower <= best <= wall <= (4 / 3 - 1 / (3 * m)) * best + 1e-9
        worst = max(worst, wall / best)
    assert worst > 1.0  # the instances include ones where LPT is not optimal
