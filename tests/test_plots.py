"""Figures (``recmech plot``, ``recmech table --plot``): each figure is rendered headless on a small
instance, and the numbers read back from its artists (lines, bars, images) equal the numbers the
matching table command prints."""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
import shlex
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
    naive = {s.label: s for s in data.panels[0].series if s.kind == "band"}
    for n in (2000, 4000):
        demo = run_json(capsys, ["demo", "--N", str(n), "--k", "2", "--eps", "0.01",
                                 "--bidders", "1", "--seed", "3", "--json", "-"])
        for row in demo["rows"]:
            x, y = got[figures.setting_name(row["setting"])]
            assert y[list(x).index(n)] == row["queries"]
            band = naive[f"naive N q, {figures.setting_name(row['setting'])}"]
            assert band.y[list(band.x).index(n)] == row["naive_queries"]
    assert len(got) == len(naive) == len(demo["rows"]) == 6
    # the naive counts are one shaded range, from the least to the largest setting's
    (shade,) = ax.collections
    assert shade.get_label().startswith("naive: every item, N q")
    # naive = N x (queries per item); the protocols' counts do not follow N
    for band in naive.values():
        assert all(v % n == 0 for v, n in zip(band.y, band.x, strict=True))
        assert band.y[1] >= 1.5 * band.y[0]
    for _, y in got.values():
        assert y[1] <= 1.2 * y[0]
    # panel (b) repeats the protocols of fewer than 200 queries on a linear scale
    zoom = lines_of(fig.axes[1])
    assert fig.axes[1].get_yscale() == "linear" and zoom
    assert all(max(y) < 200 and np.array_equal(y, got[name][1]) for name, (_, y) in zoom.items())
    # every N on the axis has its tick label
    assert [t.get_text() for t in ax.get_xticklabels()] == [r"$2\cdot 10^{3}$",
                                                           r"$4\cdot 10^{3}$"]


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
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == [
        figures.setting_name(r["setting"]) for r in demo]
    assert ax.get_yscale() == "log"
    # where the paper gives no a-priori delta the figure says so, and the legend says what
    # "none" means
    assert any(t.get_text() == "none" for t in ax.texts)
    legend = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert any(t.startswith("none: the paper states no a-priori") for t in legend)


def test_an_a_priori_delta_of_one_or_more_is_marked_vacuous():
    """z lies in [0,1]^k: a delta of 1 or more bounds nothing, and the figure says so on the
    axes."""
    data = figures.accuracy_figure(N=2000, k=8, eps=0.01, bidders=1, seed=0)
    deltas = [v for s in data.panels[0].series if "a-priori" in s.label for v in s.y]
    assert any(v is not None and v >= 1 for v in deltas)
    assert any(y == 1.0 and "says nothing" in label for y, label in data.panels[0].hlines)
    assert "vacuous" in data.caption


def test_mechanism_figure_is_the_experiment_table(capsys):
    data = figures.mechanism_figure(eps1=(0.0, 0.01, 0.1))
    fig = plots.draw(data)
    assert_labelled(fig)
    rows = run_json(capsys, ["demo", "--mechanism", "--eps1", "0,0.01,0.1", "--json", "-"])
    rev, ir = lines_of(fig.axes[0]), lines_of(fig.axes[1])
    for corruption, name in (("shift", "shifted down"), ("move", "shifted + mass moved")):
        part = [r for r in rows if r["corruption"] == corruption]
        for axis, attr in ((rev, "rev"), (ir, "min_util")):
            x, y = axis[rf"$\hat M$ on Q(t) directly, {name}"]
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
    assert "lemma4: log failure probability (natural log) over Tr D" in svg
    assert "data sha256" in svg
    # the same figure, drawn in memory: its lines are the table's column
    from recmech.properties.report.parameters import evaluate, parse_assignments

    values, points = parse_assignments("lemma4", ["d_max=1"], ["n=1,2", "trace_d=100,1000,10000"])
    table_rows, _ = evaluate("lemma4", values, points)
    fig = plots.draw(plots.table_figure("lemma4", table_rows, "trace_d", "log_failure_prob",
                                        "recmech table lemma4"))
    got = lines_of(fig.axes[0])
    for n in ("1", "2"):
        x, y = got[f"$n$ = {n}"]
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


# -- paper-ready: no caption, text as text, no overlapping words, commands that run as printed --

SMALL = {"lemma7": {"max_ratio": 30},
         "queries": {"N": (2000, 20000), "k": 8, "bidders": 1},
         "accuracy": {"N": 2000, "k": 8, "bidders": 1},
         "mechanism": {"eps1": (0.0, 0.01, 0.1)},
         "lp": {"grid": 4}}


@functools.cache
def small_figure(name: str) -> plots.FigureData:
    return figures.FIGURES[name].build(**SMALL[name])


def identifiers(label: str) -> list[str]:
    """Code identifiers (words with "_") in a label, outside its $...$ mathematics."""
    return re.findall(r"\w*_\w*", re.sub(r"\$[^$]*\$", "", label))


@pytest.mark.parametrize("name", list(SMALL))
def test_each_figure_without_caption_has_no_overlapping_text_and_legends_in_words(name):
    data = small_figure(name)
    fig = plots.draw(data, caption=False)
    assert plots.text_overlaps(fig) == []
    shown = [t.get_text() for t in plots.figure_texts(fig)]
    assert data.title not in shown and not any(t.startswith("Instance") for t in shown)
    legends = [t.get_text() for ax in fig.axes if ax.get_legend() is not None
               for t in ax.get_legend().get_texts()]
    assert all(identifiers(t) == [] for t in legends), legends
    # with its caption, the figure is readable too
    assert plots.text_overlaps(plots.draw(data)) == []


def test_the_table_plot_overlays_columns_in_words_without_overlaps(capsys, tmp_path):
    """--y takes several columns: printed, corrected and exact values in one plot."""
    out = tmp_path / "l7.svg"
    argv = ["table", "lemma7.upper_tail", "--param", "d_max=1", "--param", "isotropic=true",
            "--grid", "trace_d=1..30", "--grid", "trace_d_unused=1"]
    assert recmech(argv) == 2  # an unknown grid name is one line and exit 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert recmech([*argv[:-2], "--plot", str(out), "--no-caption", "--y",
                    "log_failure_prob,corrected_log_failure_prob,log_exact_prob"]) == 0
    capsys.readouterr()
    from recmech.properties.report.parameters import evaluate, parse_assignments

    rows, _ = evaluate("lemma7.upper_tail", *parse_assignments(
        "lemma7.upper_tail", ["d_max=1", "isotropic=true"], ["trace_d=1..30"]))
    assert [r["trace_d"] for r in rows] == list(range(1, 31))
    data = plots.table_figure("lemma7.upper_tail", rows, "trace_d",
                              ["log_failure_prob", "corrected_log_failure_prob",
                               "log_exact_prob"], "x")
    fig = plots.draw(data, caption=False)
    got = lines_of(fig.axes[0])
    assert set(got) == {"log failure probability", "corrected log failure probability",
                        "log exact probability"}
    assert list(got["log exact probability"][1]) == [r["log_exact_prob"] for r in rows]
    assert plots.text_overlaps(fig) == []
    ax = fig.axes[0]
    assert identifiers(ax.get_xlabel()) == identifiers(ax.get_ylabel()) == []
    assert len({(ln.get_color(), ln.get_linestyle()) for ln in ax.get_lines()}) == 3


def test_equal_lines_are_drawn_so_that_neither_hides_the_other():
    """Panel (b) of the mechanism figure: two series are 0 at every eps1."""
    fig = plots.draw(small_figure("mechanism"), caption=False)
    lines = fig.axes[1].get_lines()
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if (np.array_equal(a.get_xdata(), b.get_xdata()) and
                    np.array_equal(a.get_ydata(), b.get_ydata()) and len(a.get_xdata()) > 1):
                assert (a.get_linewidth(), a.get_markersize()) != \
                    (b.get_linewidth(), b.get_markersize())


def test_svg_and_pdf_keep_text_as_text(tmp_path, capsys):
    """SVG text elements (searchable, editable) and TrueType (Type 42) fonts in PDF, set for the
    figure only."""
    svg, pdf = tmp_path / "f.svg", tmp_path / "f.pdf"
    assert recmech(["plot", "lemma7", "--max-ratio", "30", "--no-caption", "--out", str(svg)]) \
        == 0
    assert "Instance" in capsys.readouterr().out  # the caption is printed, to copy
    root = ET.fromstring(svg.read_text())
    words = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("}text"))
    assert "tail and bounds" in words and "Instance" not in words
    plots.save(small_figure("lemma7"), pdf, caption=False)
    raw = pdf.read_bytes()
    assert b"/FontFile2" in raw and b"/Type3" not in raw
    import matplotlib

    assert matplotlib.rcParams["svg.fonttype"] == "path"  # nobody else's state changed


def test_caption_commands_run_as_printed(capsys, tmp_path, monkeypatch):
    """Each caption's "Numbers:" commands run exactly as printed (exit 0; in a scratch folder,
    as `recmech plot lp` writes lp.pdf where it runs)."""
    monkeypatch.chdir(tmp_path)
    for name in SMALL:
        caption = small_figure(name).caption
        commands = caption.split("Numbers: ", 1)[1].split("; deterministic")[0].rstrip(".")
        for command in commands.split("; "):
            argv = shlex.split(command)
            assert argv[0] == "recmech", command
            assert recmech(argv[1:]) == 0, (command, capsys.readouterr().err)
            capsys.readouterr()


def test_readme_figure_commands_parse_as_printed():
    from recmech.properties.cli.main import build_parser
    from tests import readme

    for name in figures.FIGURES:
        argv = shlex.split(readme.figure_command(name))
        args = build_parser().parse_args(argv[1:])
        assert args.no_caption and args.figure == name
