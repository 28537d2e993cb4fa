"""Figures (``recmech plot``, ``recmech table --plot``): each figure is rendered headless on a small
instance, and the numbers read back from its artists (lines, bars, images) equal the numbers the
matching table command prints."""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from recmech.properties.cli.main import main as recmech
from recmech.properties.report import figures, plots


def run_json(capsys, argv) -> object:
    code = recmech(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def run_csv(capsys, argv) -> list[dict]:
    code = recmech(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def lines_of(ax) -> dict:
    """label -> (x, y) of every line drawn in ``ax``."""
    return {ln.get_label(): (np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float))
            for ln in ax.get_lines()}


def bars_of(ax) -> dict:
    """label -> bar heights of every bar set drawn in ``ax``."""
    return {c.get_label(): np.array([p.get_height() for p in c.patches], float)
            for c in ax.containers}


def assert_labelled(fig) -> None:
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_xlabel() and ax.get_ylabel()
        for axis, scale in (("x", ax.get_xscale()), ("y", ax.get_yscale())):
            label = ax.get_xlabel() if axis == "x" else ax.get_ylabel()
            assert (scale == "log") == ("log_{10}" in label), (axis, scale, label)
    assert "Instance" in fig._supxlabel.get_text() or "Numbers" in fig._supxlabel.get_text()


def test_lemma7_figure_plots_the_tables_tail_and_bounds_and_shows_the_crossing(capsys):
    data = figures.lemma7_figure(max_ratio=30)
    fig = plots.draw(data)
    assert_labelled(fig)
    rows = run_csv(capsys, ["table", "lemma7.upper_tail", "--param", "d_max=1", "--param",
                            "isotropic=true", "--grid",
                            "trace_d=" + ",".join(str(n) for n in range(1, 31)),
                            "--format", "csv"])
    tails, ratio = fig.axes[0], fig.axes[1]
    got = lines_of(tails)
    x, exact = got[r"exact Pr[$\chi^2_n \geq 2n$]"]
    _, printed = got[r"printed bound $e^{-\mathrm{Tr} D/(4 d_{max})}$"]
    _, corrected = got[r"corrected $e^{-\mathrm{Tr} D/(8 d_{max})}$"]
    assert list(x) == [float(r["trace_d"]) for r in rows]
    assert np.allclose(np.log(exact), [float(r["log_exact_prob"]) for r in rows], rtol=1e-12)
    assert np.allclose(np.log(printed), [float(r["log_failure_prob"]) for r in rows],
                       rtol=1e-12)
    assert np.allclose(np.log(corrected), [float(r["corrected_log_failure_prob"]) for r in rows],
                       rtol=1e-12)
    assert tails.get_yscale() == "log"
    # the crossing: exact above the printed bound exactly where the table writes an erratum
    above = [n for n, e, p in zip(x, exact, printed, strict=True) if e > p]
    assert above == [float(r["trace_d"]) for r in rows if r["erratum"]] and above[0] == 24
    rx, ry = lines_of(ratio)["exact / printed"]
    assert np.allclose(ry, exact / printed, rtol=1e-12)
    vline = lines_of(ratio)["first failure: n = 24"]
    assert set(vline[0]) == {24.0}


def test_queries_figure_plots_the_demo_counts_per_protocol_and_naive(capsys):
    data = figures.queries_figure(N=(2000, 4000), k=2, eps=0.01, bidders=1, seed=3)
    fig = plots.draw(data)
    assert_labelled(fig)
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    got = lines_of(ax)
    for n in (2000, 4000):
        demo = run_json(capsys, ["demo", "--N", str(n), "--k", "2", "--eps", "0.01",
                                 "--bidders", "1", "--seed", "3", "--json", "-"])
        for row in demo["rows"]:
            x, y = got[row["setting"]]
            assert y[list(x).index(n)] == row["queries"]
            nx, ny = got[f"naive N q, {row['setting']}"]
            assert ny[list(nx).index(n)] == row["naive_queries"]
    assert len(got) == 2 * len(demo["rows"]) == 12
    # naive = N x (queries per item); the protocols' counts do not follow N
    for name, (x, y) in got.items():
        if name.startswith("naive"):
            assert all(v % n == 0 for v, n in zip(y, x, strict=True)) and y[1] >= 1.5 * y[0]
        else:
            assert y[1] <= 1.2 * y[0]


def test_accuracy_figure_bars_are_the_demo_rows(capsys):
    data = figures.accuracy_figure(N=2000, k=2, eps=0.01, bidders=2, seed=1)
    fig = plots.draw(data)
    assert_labelled(fig)
    ax = fig.axes[0]
    demo = run_json(capsys, ["demo", "--N", "2000", "--k", "2", "--eps", "0.01", "--bidders", "2",
                             "--seed", "1", "--json", "-"])["rows"]
    bars = bars_of(ax)
    expect = {r"observed max $\|z - \hat z\|_\infty$": "max_latent_error",
              r"certified $\delta$ of the queried block": "certified_delta",
              r"the paper's a-priori $\delta$": "a_priori_delta"}
    for label, key in expect.items():
        want = [np.nan if r[key] is None else r[key] for r in demo]
        assert np.array_equal(bars[label], np.array(want, float), equal_nan=True)
    assert [t.get_text() for t in ax.get_xticklabels()] == [r["setting"] for r in demo]
    assert ax.get_yscale() == "log"
    # where the paper gives no a-priori delta the figure says so
    assert any(t.get_text() == "n/a" for t in ax.texts)


def test_mechanism_figure_is_the_experiment_table(capsys):
    data = figures.mechanism_figure(eps1=(0.0, 0.01, 0.1))
    fig = plots.draw(data)
    assert_labelled(fig)
    rows = run_json(capsys, ["demo", "--mechanism", "--eps1", "0,0.01,0.1", "--json", "-"])
    rev, ir = lines_of(fig.axes[0]), lines_of(fig.axes[1])
    for corruption, name in (("shift", "shifted down"), ("move", "shifted + mass moved")):
        part = [r for r in rows if r["corruption"] == corruption]
        for axis, attr in ((rev, "rev"), (ir, "min_util")):
            x, y = axis[f"no robustification (a), {name}"]
            assert list(x) == [r["eps1"] for r in part]
            assert list(y) == [r[f"{attr}_direct"] for r in part]
            _, y = axis[f"Algorithm 1, {name}"]
            assert list(y) == [r[f"{attr}_alg1"] for r in part]
    assert set(rev[r"REV($\hat M$, model)"][1]) == {rows[0]["rev_hat"]}


def test_lp_figure_images_are_the_lp_mechanisms_allocation_and_payments():
    from recmech.core.laws import FiniteLaw
    from recmech.core.optimal import solve_optimal_lp
    from recmech.core.valuations import UnitDemand

    grid = 4
    fig = plots.draw(figures.lp_figure(grid=grid, valuation="unit-demand"))
    assert_labelled(fig)
    c = (np.arange(grid) + 0.5) / grid
    pts = np.array([(a, b) for a in c for b in c])
    result = solve_optimal_lp(np.eye(2), [UnitDemand([0.0, 0.0])],
                              [FiniteLaw(pts, np.full(grid * grid, 1 / grid**2))],
                              method="generation")
    t = result.table
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 3
    for img, item in ((images[0], 0), (images[1], 1)):
        shown = np.asarray(img.get_array())
        for i, (a, b) in enumerate(pts):
            # row = t2 index, column = t1 index (origin lower)
            want = sum(t.alloc_probs[i, j] for j in range(len(t.allocations))
                       if t.allocations[j, 0, item])
            assert shown[int(b * grid), int(a * grid)] == pytest.approx(want, abs=1e-7)
    pay = np.asarray(images[2].get_array())
    assert pay[0, 0] == pytest.approx(0.0, abs=1e-9)
    assert (pay.mean()) == pytest.approx(result.revenue, abs=1e-7)


def test_table_plot_draws_the_column_over_the_grid(capsys, tmp_path):
    argv = ["table", "lemma4", "--param", "d_max=1", "--grid", "n=1,2", "--grid",
            "trace_d=100,1000,10000"]
    out = tmp_path / "lemma4.svg"
    code = recmech([*argv, "--format", "csv", "--plot", str(out), "--y", "log_failure_prob",
                    "--x", "trace_d"])
    text, err = capsys.readouterr()
    assert code == 0 and f"wrote {out}" in err
    rows = list(csv.DictReader(io.StringIO(text)))
    svg = out.read_text()
    ET.fromstring(svg)  # well-formed
    assert "lemma4: log_failure_prob over trace_d" in svg and "data sha256" in svg
    # the same figure, drawn in memory: its lines are the table's column
    from recmech.properties.report.parameters import evaluate, parse_assignments

    values, points = parse_assignments("lemma4", ["d_max=1"], ["n=1,2", "trace_d=100,1000,10000"])
    table_rows, _ = evaluate("lemma4", values, points)
    fig = plots.draw(plots.table_figure("lemma4", table_rows, "trace_d", "log_failure_prob",
                                        "recmech table lemma4"))
    got = lines_of(fig.axes[0])
    for n in ("1", "2"):
        x, y = got[f"n = {n}"]
        want = [r for r in rows if r["n"] == n]
        assert list(x) == [float(r["trace_d"]) for r in want]
        assert list(y) == [float(r["log_failure_prob"]) for r in want]
    assert fig.axes[0].get_xscale() == "log" and "natural log" in fig.axes[0].get_ylabel()


def test_a_point_whose_hypotheses_fail_is_a_gap_not_a_number(capsys, tmp_path):
    rows_argv = ["table", "lemma6", "--param", "n=2", "--grid", "eps=0.25,0.5,1.5"]
    out = tmp_path / "lemma6.png"
    assert recmech([*rows_argv, "--plot", str(out), "--y", "log_net_size"]) == 0
    capsys.readouterr()
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from recmech.properties.report.parameters import evaluate, parse_assignments

    rows, _ = evaluate("lemma6", *parse_assignments("lemma6", ["n=2"], ["eps=0.25,0.5,1.5"]))
    data = plots.table_figure("lemma6", rows, "eps", "log_net_size", "x")
    (series,) = data.panels[0].series
    assert series.y[2] is None and all(v is not None for v in series.y[:2])
    assert "gap" in data.caption


def test_files_are_written_in_each_format_with_the_data_digest(tmp_path):
    data = figures.lemma7_figure(max_ratio=5)
    fig = plots.draw(data)
    for suffix, magic in ((".pdf", b"%PDF"), (".svg", b"<?xml"), (".png", b"\x89PNG")):
        raw = plots.save(data, tmp_path / f"f{suffix}", fig).read_bytes()
        assert raw.startswith(magic)
        if suffix != ".png":  # vector output carries the digest as text
            assert data.digest().encode() in raw
    # the title is in the metadata too (dc:title in SVG)
    assert data.title.encode() in (tmp_path / "f.svg").read_bytes()
    with pytest.raises(ValueError, match="must end in one of .pdf, .svg, .png"):
        plots.save(data, tmp_path / "f.jpg", fig)


def test_the_same_numbers_give_the_same_svg_and_pdf_bytes(tmp_path):
    """No date and fixed element ids: a regenerated figure diffs only where its numbers do."""
    data = figures.lemma7_figure(max_ratio=5)
    for suffix in (".svg", ".pdf"):
        first = plots.save(data, tmp_path / f"a{suffix}").read_bytes()
        assert plots.save(data, tmp_path / f"b{suffix}").read_bytes() == first


def test_plot_command_writes_the_figure_and_its_numbers(tmp_path, capsys):
    out, data = tmp_path / "l7.pdf", tmp_path / "l7.json"
    assert recmech(["plot", "lemma7", "--max-ratio", "26", "--out", str(out),
                    "--json", str(data)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "Instance" in printed
    numbers = json.loads(data.read_text())
    assert numbers["panels"][0]["series"][0]["x"] == list(range(1, 27))
    assert out.read_bytes().startswith(b"%PDF")


def test_figures_do_not_touch_matplotlibs_global_state():
    import matplotlib

    before = dict(matplotlib.rcParams)
    plots.draw(figures.lemma7_figure(max_ratio=3))
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k] and not
            (isinstance(before[k], float) and math.isnan(before[k]))} == set()


@pytest.mark.parametrize("argv", [
    ["queries", "--N", "2000,4000", "--k", "2", "--bidders", "1"],
    ["accuracy", "--N", "2000", "--k", "2", "--bidders", "1", "--perturbation", "uniform"],
    ["mechanism", "--eps1", "0,0.1"],
    ["lp", "--grid", "3", "--valuation", "unit-demand"],
])
def test_every_figure_is_drawn_by_its_command(tmp_path, capsys, argv):
    out = tmp_path / f"{argv[0]}.svg"
    assert recmech(["plot", *argv, "--out", str(out), "--json", "-"]) == 0
    numbers = json.loads(capsys.readouterr().out)  # --json -: stdout is the JSON only
    assert numbers["name"] == argv[0] and numbers["panels"]
    assert "Instance" in numbers["caption"]
    ET.fromstring(out.read_text())
