"""The bench's measurements and its JSON keys (issue 15), on small sizes: the timings are the
bench's business (``recmech bench``), never asserted here."""

from __future__ import annotations

import json
import math

import pytest

from recmech.core import bench
from recmech.core.bench_mechanisms import mechanism_instances
from recmech.core.bench_queries import (
    bare_numpy_bidders,
    minimum_ratio,
    protocol_over_baseline,
    query_cell,
)


@pytest.mark.parametrize(("setting", "N"), [("separable", 200), ("gaussian", 2000)])
def test_query_cell_counts_the_three_protocols_against_the_minimum(setting, N):  # noqa: N803
    cell = query_cell(setting, 2, N, 1e-3, bidders=2)
    r = cell.ratios()
    assert cell.certified_delta <= cell.paper_delta
    assert cell.same_delta_delta <= cell.theorem_delta
    assert cell.same_delta_queries <= cell.theorem_queries
    assert r["theorem"] == pytest.approx(
        cell.theorem_queries / (2 * math.log2(1 / (2 * cell.theorem_delta))))
    assert r["certified_over_packing"] <= r["certified"] + 1e-12
    assert minimum_ratio(10, 2, 0.5) is None


def test_the_side_by_side_rows_compute_the_same_answer_both_ways():
    """Each row times two ways to one answer, and checks that the answers agree before it
    reports a ratio (here on small sizes: a 4 x 4 LP grid, 30 points per law)."""
    row, detail = bench.lp_full_row(1, grid=4)
    assert row.measured > 0 and detail["revenue"] > 0
    assert detail["full_seconds"] > 0 and detail["generation_seconds"] > 0
    prok = bench.prokhorov_row(1, n=30)
    assert prok.measured > 0 and "d_P = " in prok.note
    rows, detail = bench.mechanism_rows(1, n=64, loop=2)
    assert len(rows) == len(mechanism_instances()) - 1
    assert all(r.measured > 0 and r.ratio.startswith("mechanism_us_per_profile") for r in rows)
    assert set(detail["over_posted_prices"]) == {r.ratio.split(", ", 1)[1].rsplit(", over", 1)[0]
                                                 for r in rows}


def test_the_baseline_computes_what_the_protocol_computes():
    proto = bench.build_protocol("gaussian", 1000)
    timing = protocol_over_baseline(proto, 3, 1, label="gaussian")
    assert timing.setting == "gaussian" and timing.ratio > 0
    pairs = bench.bidder_types(proto, 2, 5)
    twins = [(z, type(t)(t.A, t.z, t.noise)) for z, t in pairs]
    from recmech.core.oracles import TruthfulOracle

    ours = [proto.run(TruthfulOracle(t)).z_hat for _, t in pairs]
    assert all((a == b).all() for a, b in zip(ours, bare_numpy_bidders(proto, twins),
                                               strict=True))


def test_run_bench_reports_every_ratio_key_and_calls_progress(monkeypatch):
    """The assembly of ``BenchRun.to_dict()["ratios"]`` (heavy steps replaced by small ones)."""
    small_cell = query_cell("separable", 2, 50, 1e-3, bidders=1)
    worker = {"setting": "x", "small": 1.0, "large": 1.1, "small_items": 8, "large_items": 8,
              "a_bytes": 100, "peak_bytes": 105}
    row = bench.BenchRow("r", 1.0, "t", True)
    done_steps: list[int] = []  # one entry per heavy step run (the fakes below)

    def step(value):
        done_steps.append(1)
        return value

    monkeypatch.setattr(bench, "_run_worker", lambda s, *a: step(dict(worker, setting=s)))
    monkeypatch.setattr(bench, "query_cell", lambda *a, **k: step(small_cell))
    monkeypatch.setattr(bench, "protocol_over_baseline",
                        lambda proto, *a, label=None: protocol_over_baseline(proto, 2, 1,
                                                                            label=label))
    monkeypatch.setattr(bench, "mc_rows", lambda rounds: step([row]))
    monkeypatch.setattr(bench, "prokhorov_row", lambda rounds: step(row))
    monkeypatch.setattr(bench, "mechanism_rows", lambda rounds: step(
        ([row], {"over_posted_prices": {"VCG": 1.0}})))
    monkeypatch.setattr(bench, "lp_full_row", lambda rounds: step((row, {"full_seconds": 1.0})))
    monkeypatch.setattr(bench, "lp_generation_row", lambda g: step((row, 0.5)))
    monkeypatch.setattr(bench, "build_protocol", lambda s, N: bench.protocols.protocol_for(
        "deterministic", bench.designs.separable(2, 20, 0), 1e-3))
    calls = []
    run = bench.run_bench(quick=True, progress=lambda *a: calls.append((*a, len(done_steps))))
    out = json.loads(json.dumps(run.to_dict(), allow_nan=False))
    assert set(bench.RATIO_KEYS) <= set(out["ratios"])
    assert set(out["ratios"]["protocol_over_baseline"]) == {"separable", "gaussian"}
    assert set(out["ratios"]["queries_over_minimum"]) >= {"theorem", "certified"}
    assert out["ratios"]["lp_generation_seconds"] == {"20": 0.5, "40": 0.5}
    assert set(out["ratios"]["peak_memory_over_A"]) == set(bench.SETTINGS)
    assert out["ratios"]["mechanism_us_per_profile"] == {"VCG": 1.0}
    assert [c[1] for c in calls] == list(range(len(calls))) and calls[0][2] == len(calls)
    # each progress call comes before its step runs (baseline steps have no fake: skip them)
    assert all(seen <= done for (_, done, _, seen) in calls)
    assert calls[0][3] == 0 and calls[1][3] == 1
