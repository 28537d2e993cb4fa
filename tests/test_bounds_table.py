"""``recmech table``: formats parse back to the computed numbers; bad input exits 2 in one line."""

import csv
import io
import json

import pytest

from recmech import bounds
from recmech.properties.cli.main import main as recmech

GAUSSIAN = ["theorem2.gaussian", "--param", "k=8", "--param", "eps=1e-3", "--param", "A_inf=1",
            "--grid", "size=513,1000", "--grid", "N=1e3,1e6"]


def run(capsys, argv):
    code = recmech(["table", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_rows_are_the_cartesian_product_and_parse_back_exactly(capsys):
    code, out, err = run(capsys, [*GAUSSIAN, "--format", "csv"])
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["size"], r["N"]) for r in rows] == [
        ("513", "1000.0"), ("513", "1000000.0"), ("1000", "1000.0"), ("1000", "1000000.0")]
    for row in rows:
        rec = bounds.theorem2_gaussian(Sigma_S=[1.0] * int(row["size"]), k=8, eps=1e-3,
                                       A_inf=1, N=float(row["N"]))
        assert float(row["delta"]) == rec.value("delta")
        assert float(row["log_failure_prob"]) == rec.log_values["failure_prob"]
        assert int(row["queries"]) == rec.value("queries")
        assert row["valid"] == "true"
    # queries independent of N, naive count linear in N
    assert rows[0]["queries"] == rows[1]["queries"]
    assert int(rows[1]["naive_queries"]) == 1000 * int(rows[0]["naive_queries"])


def test_json_round_trips_to_records(capsys):
    code, out, _ = run(capsys, [*GAUSSIAN, "--format", "json"])
    assert code == 0
    data = json.loads(out)
    expected = bounds.theorem2_gaussian(Sigma_S=[1.0] * 513, k=8, eps=1e-3, A_inf=1, N=1e3)
    assert len(data) == 4
    assert data[0] == json.loads(json.dumps(expected.to_dict()))


def test_markdown_and_latex_tables(capsys):
    code, md, _ = run(capsys, ["lemma7.upper_tail", "--param", "d_max=1", "--param",
                               "isotropic=true", "--grid", "trace_d=23,24"])
    assert code == 0
    lines = md.strip().splitlines()
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]
    assert len(cells) == 2 and all(len(r) == len(header) for r in cells)
    bound = float(cells[1][header.index("log_failure_prob")])
    exact = float(cells[1][header.index("log_exact_prob")])
    assert bound == -6.0 and exact == pytest.approx(-5.98186, abs=1e-5) and exact > bound
    assert cells[1][header.index("erratum")] and not cells[0][header.index("erratum")]
    code, tex, _ = run(capsys, ["lemma4", "--param", "d_max=1", "--param", "n=2",
                                "--grid", "trace_d=100,1000", "--format", "latex"])
    assert code == 0
    body = tex.strip().splitlines()
    assert body[0].startswith(r"\begin{tabular}") and body[-1] == r"\end{tabular}"
    assert r"\toprule" in body and r"\midrule" in body and r"\bottomrule" in body
    rows = [line for line in body if line.endswith(r"\\")]
    assert len({line.count("&") for line in rows}) == 1 and len(rows) == 3
    assert r"sigma\_max\_bound" in rows[0]
    assert float(rows[2].split("&")[0]) == 1000


def test_failed_hypothesis_is_a_row_not_an_error(capsys):
    code, out, _ = run(capsys, ["lemma6", "--param", "n=2", "--grid", "eps=0.5,1.5",
                                "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert rows[0]["valid"] == "true" and rows[1]["valid"] == "false"
    assert rows[1]["failed"] == "eps_range" and rows[1]["log_net_size"] == ""


def test_scalar_conveniences(capsys):
    code, out, _ = run(capsys, ["theorem2.deterministic", "--param", "k=3", "--param",
                                "A_inf=1", "--param", "eps=1e-3", "--format", "json"])
    assert code == 0 and json.loads(out)[0]["values"]["delta"] == pytest.approx(4e-3)
    code, out, _ = run(capsys, ["theorem2.weak_dependence", "--param", "size=257", "--param",
                                "c=1", "--param", "k=1", "--param", "inf_norm=0",
                                "--param", "eps=1e-3", "--param", "A_inf=1", "--format", "json"])
    assert code == 0 and json.loads(out)[0]["values"]["delta"] == pytest.approx(0.064)
    code, out, _ = run(capsys, ["lemma3", "--param", "U=3,1;1,2", "--format", "json"])
    assert json.loads(out)[0]["values"]["inv_inf_norm"] == pytest.approx(0.8)


def test_headline_table(capsys):
    code, out, _ = run(capsys, ["--format", "csv"])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 27
    by = {(r["setting"], r["k"], r["eps"]): r for r in rows}
    det = by[("deterministic", "8", "0.001")]
    assert int(det["queries_per_bidder"]) == 8 * 20 and float(det["delta"]) == 4e-3
    assert int(det["naive_queries_N1e6"]) == 20 * 10**6 and float(det["success_prob"]) == 1.0
    gau = by[("gaussian", "2", "0.01")]
    assert int(gau["queried_items"]) == 129
    assert float(gau["log_failure_prob"]) == pytest.approx(0.6931471805599453 - 129 / 16)
    weak = by[("weak_dependence", "2", "0.0001")]
    assert int(weak["queried_items"]) == 1025
    assert int(weak["queries_per_bidder"]) < int(weak["naive_queries_N1e6"])


@pytest.mark.parametrize("argv, fragment", [
    (["theorem9"], "valid ids: definition3"),
    (["lemma4", "--param", "trace_d=abc", "--param", "d_max=1", "--param", "n=1"],
     "cannot parse 'abc'"),
    (["lemma4", "--param", "trace_d=1"], "missing parameter(s) d_max, n; lemma4 takes"),
    (["lemma4", "--param", "trace_d=1", "--param", "d_max=1", "--param", "n=1",
      "--param", "zz=2"], "unknown parameter(s) zz"),
    (["lemma4", "--param", "d_max=1", "--param", "n=1", "--grid", "trace_d="],
     "empty grid for trace_d"),
    (["lemma4", "--param", "trace_d"], "expects NAME=VALUE"),
    (["lemma4", "--param", "trace_d=1", "--param", "d_max=1", "--param", "n=-1"],
     "n must be >= 0"),
    (["--format", "xml"], "invalid choice"),
    (["--param", "k=1"], "need a CLAIM_ID"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err
    assert "Traceback" not in err


def test_the_conveniences_the_command_line_lists_are_those_the_table_expands():
    """recmech.properties.report.parameters.CONVENIENCES (help text and allocation limits) describes
    recmech.bounds.table.expand_conveniences: each convenience is in its docstring, and builds
    the array it names with the number of entries the limit counts."""
    from recmech.bounds import table
    from recmech.properties.report.parameters import CONVENIENCES

    for claim_id, conveniences in CONVENIENCES.items():
        for conv in conveniences:
            assert f"``{conv.name}=``" in table.__doc__ and claim_id in table.__doc__
            if conv.entries is None:
                continue
            params = {conv.name: 5, **({"c": 1.0} if claim_id == "lemma9" else {})}
            built = table.expand_conveniences(claim_id, params)
            assert conv.name not in built and built[conv.builds].size == conv.entries(5)


def test_conveniences_within_the_limit_give_the_same_row_as_the_array(capsys):
    code, out, _ = run(capsys, ["theorem2.weak_dependence", "--param", "size=300", "--param",
                                "c=1", "--param", "k=1", "--param", "inf_norm=0", "--param",
                                "eps=1e-3", "--param", "A_inf=1", "--format", "csv"])
    explicit = bounds.theorem2_weak_dependence(variances=[1.0] * 300, c=1, k=1, inf_norm=0,
                                               eps=1e-3, A_inf=1)
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and float(row["delta"]) == explicit.value("delta")


def test_a_convenience_one_past_the_limit_is_refused_before_any_array_is_built():
    from recmech.bounds import table

    assert table.MAX_CONVENIENCE_SIZE == 10**7  # the README's limit
    with pytest.raises(table.UsageError, match=r"size must be at most 1e\+07"):
        table.expand_conveniences("theorem2.gaussian", {"size": 10**7 + 1})
