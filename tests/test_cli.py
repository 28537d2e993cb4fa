"""The ``recmech`` command: discoverable (every subcommand and claim parameter listed), bad input
one line on stderr with exit code 2 before any work, options in any order and each given once,
progress on a terminal only."""

from __future__ import annotations

import io
import json
import math
import re
import sys

import pytest

from recmech.bounds.registry import CLAIM_REGISTER, claim_ids
from recmech.properties.cli.main import main as recmech
from recmech.properties.report.parameters import CONVENIENCES, example_command, specs

COMMANDS = ("demo", "table", "claims", "report", "bench", "selftest", "chunks", "plot")


def run(capsys, argv):
    code = recmech(argv)
    out, err = capsys.readouterr()
    return code, out, err


# -- discovery ------------------------------------------------------------------------------------

def test_top_level_help_lists_every_subcommand_with_one_line(capsys):
    code, out, _ = run(capsys, ["--help"])
    assert code == 0
    listed = [line.split()[0] for line in out.split("COMMAND\n", 1)[1].splitlines()
              if line.startswith("    ") and not line.startswith("     ")]
    assert tuple(listed) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_each_subcommand_help_is_whole_sentences(capsys, command):
    code, out, _ = run(capsys, [command, "--help"])
    assert code == 0 and out.startswith(f"usage: recmech {command}")
    description = out.split("\n\n")[1].replace("\n", " ")
    assert description.rstrip().endswith(".")
    assert "issue" not in out.lower()


def test_report_help_explains_every_column_slack_included(capsys):
    _, out, _ = run(capsys, ["report", "--help"])
    text = " ".join(out.split())
    assert ("slack = the margin found there, bound minus observed, positive = room, negative = "
            "violated; marked (CP) on a statistical row") in text
    assert "false alarm" in text


@pytest.mark.parametrize("claim_id", claim_ids())
def test_table_claim_help_lists_parameters_types_defaults_conveniences_and_place(capsys,
                                                                                 claim_id):
    code, out, err = run(capsys, ["table", claim_id, "--help"])
    assert code == 0 and err == ""
    assert f"{claim_id} ({CLAIM_REGISTER[claim_id].place})" in out
    lines = out.split("parameters:\n", 1)[1].splitlines()
    for spec in specs(claim_id):
        (line,) = [x for x in lines if x.split()[:1] == [spec.name]]
        assert spec.type_text in line
        assert ("required" in line) == spec.required
    for conv in CONVENIENCES.get(claim_id, ()):
        assert any(x.split()[:1] == [conv.name] and conv.meaning in x for x in lines)
    # and the example it prints runs
    argv = example_command(claim_id).split()[1:]
    code, out, err = run(capsys, argv)
    assert code == 0 and err == "" and out.startswith("| ")


def test_claims_lists_every_claim_with_place_and_expected_verdict(capsys):
    from recmech.properties.claims.table import claim_table
    from recmech.properties.report.card import expected_text

    code, out, _ = run(capsys, ["claims"])
    assert code == 0
    for cid, c in claim_table().items():
        assert f"| `{cid}` | {c.place} | {expected_text(cid, detail=True)} |" in out
    assert "recmech report --json" in out  # how to see the last verdicts
    # every reading name the table uses is defined there
    from recmech.properties.claims.readings import READINGS

    assert all(f"- {name}" in out for name in READINGS)
    assert ("| `definition3` | Sec. 3, Def. 3 | depends-on-reading: latent-cube holds; "
            "all-real fails-as-stated |") in out


def test_claims_expects_what_the_report_card_expects_for_every_claim():
    """The card's expected verdict (one per claim, "depends-on-reading" when the readings'
    differ) is the one `recmech claims` shows."""
    from recmech.properties.claims.table import claim, claim_ids
    from recmech.properties.report.card import ReadingRun, ReportRow, expected_text

    for cid in claim_ids():
        row = ReportRow(claim_id=cid, runs=tuple(
            ReadingRun(readings=v, expected=claim(cid).expected_for(v), verdict=None,
                       seconds=0.0) for v in claim(cid).variants))
        assert expected_text(cid) == row.expected, cid


def test_a_slack_that_is_not_bound_minus_observed_is_marked_on_its_row():
    from recmech.properties.claims.verdict import Verdict
    from recmech.properties.report.card import slack_kind

    plain = Verdict.exact("lemma3", True, instances=1, observed=0.5, bound=1.0, slack=0.5)
    cp = Verdict.statistical("theorem2.gaussian", "holds", instances=10, alpha=1e-10,
                             observed=0.0, bound=0.03, slack=0.02)
    logs = Verdict.exact("lemma7.lower_tail", True, instances=1, observed=0.1, bound=0.2,
                         slack=0.69)
    assert (slack_kind(plain), slack_kind(cp), slack_kind(logs)) == ("", " (CP)", " (notes)")


def test_claims_reads_the_last_verdicts_from_a_report(capsys, tmp_path):
    report = tmp_path / "r.json"
    assert recmech(["report", "--claims", "lemma6,proposition3", "--json", str(report)]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, ["claims", "--report", str(report)])
    assert code == 0
    assert "| `lemma6` | Lemma 6 | holds | holds | yes |" in out
    assert "| `lemma3` | Lemma 3 (Varah) | holds | not run |  |" in out
    code, out, _ = run(capsys, ["claims", "lemma6", "--report", str(report)])
    assert "last verdict" in out and ": holds" in out


def test_claims_for_an_erratum_gives_the_correction(capsys):
    code, out, _ = run(capsys, ["claims", "theorem2.deterministic"])
    assert code == 0
    assert "expected verdict: fails-as-stated" in out and "corrected:" in out
    assert "C=-1" in out  # the example types the 1 x 1 counterexample


def test_the_erratum_row_of_theorem2_deterministic_with_a_1x1_matrix(capsys):
    for typed in ("C=-1", "C=[[-1]]", "C=-1;"):
        code, out, err = run(capsys, ["table", "theorem2.deterministic", "--param", typed,
                                      "--param", "eps=0.1", "--param", "A_inf=1",
                                      "--format", "json"])
        assert code == 0, err
        (record,) = json.loads(out)
        assert record["values"]["delta"] == pytest.approx(-0.4)  # printed: negative
        assert record["corrected"]["delta"] == pytest.approx(0.4)
        assert record["erratum"]


def test_options_in_any_order(capsys):
    a = run(capsys, ["table", "lemma4", "--param", "d_max=1", "--param", "n=2",
                     "--param", "trace_d=100", "--format", "csv"])
    b = run(capsys, ["table", "--format", "csv", "--param", "trace_d=100", "lemma4",
                     "--param", "n=2", "--param", "d_max=1"])
    assert a[0] == b[0] == 0 and a[1] == b[1]
    c = run(capsys, ["demo", "--json", "-", "--mechanism", "--eps1", "0.01"])
    d = run(capsys, ["demo", "--eps1", "0.01", "--mechanism", "--json", "-"])
    assert c[0] == d[0] == 0 and json.loads(c[1]) == json.loads(d[1])


# -- errors before work ---------------------------------------------------------------------------

BAD = [
    (["report", "--claims", ","], "names no claim id"),
    (["report", "--claims", ""], "names no claim id"),
    (["report", "--claims", "lemma3,lemma3"], "names a claim twice"),
    (["report", "--claims", "lemma99"], "unknown claim id(s) lemma99"),
    (["report", "--json", "/nonexistent-folder/r.json"], "folder /nonexistent-folder does not"),
    (["report", "--jobs", "0"], "--jobs must be >= 1"),
    (["report", "--profile", "quick", "--profile", "dev"], "--profile is given twice"),
    (["report", "--profile", "bogus"], "invalid choice: 'bogus'"),
    (["bench", "--json", "/nonexistent-folder/b.json"], "does not exist"),
    (["bench", "--quick", "--quick"], "--quick is given twice"),
    (["demo", "--json", "/nonexistent-folder/d.json"], "does not exist"),
    (["demo", "--N", "5", "--N", "6"], "--N is given twice"),
    (["demo", "--N", "0"], "--N must be a positive number"),
    (["demo", "--N", "1e15"], "GiB design; this machine has"),
    (["demo", "--N", "1.5"], "not a whole number"),
    (["demo", "--mechanism", "--N", "1000"], "--N do(es) not apply to --mechanism"),
    (["demo", "--eps1", "0.1"], "--eps1 applies to --mechanism only"),
    (["demo", "--seed", "-1"], "--seed must be >= 0"),
    (["demo", "--eps", "nan"], "--eps must be a positive number"),
    (["plot", "accuracy", "--seed", "-3"], "--seed must be >= 0"),
    (["demo", "--mechanism", "--eps1", "0.9"], "must lie in [0, 0.7)"),
    (["plot", "lemma7", "--out", "figure.jpg"], "must end in .pdf, .svg, .png"),
    (["plot", "lemma7", "--out", "/nonexistent-folder/f.pdf"], "does not exist"),
    (["plot", "queries", "--N", "1e4,abc"], "cannot parse 'abc'"),
    (["plot", "lp", "--grid", "0"], "--grid must be a positive number"),
    (["plot", "nosuch"], "invalid choice: 'nosuch'"),
    (["table", "lemma4", "--param", "n=1", "--param", "n=2"], "n is given twice"),
    (["table", "lemma4", "--grid", "n=1,2", "--param", "n=3"], "n is given twice"),
    (["table", "lemma4", "--format", "csv", "--format", "md"], "--format is given twice"),
    (["table", "theorem2.gaussian", "--param", "size=1e10", "--param", "k=8", "--param",
      "eps=1e-3", "--param", "A_inf=1"], "the limit is 10,000,000 (size <= 10^7)"),
    (["table", "theorem2.weak_dependence", "--grid", "size=10,1e9", "--param", "c=1",
      "--param", "k=1", "--param", "inf_norm=0", "--param", "eps=1e-3", "--param", "A_inf=1"],
     "size=1e+09 would build variances"),
    (["table", "theorem2.deterministic", "--param", "k=100000", "--param", "eps=1e-3",
      "--param", "A_inf=1"], "k <= 3162"),
    (["table", "lemma9", "--param", "d=1e12", "--param", "t=1"], "d <= 10^7"),
    (["table", "theorem2.deterministic", "--param", "C=1,2"], "C is a matrix"),
    (["table", "lemma3", "--param", "U=[[1,2],[3]]"], "rows of different lengths"),
    (["table", "lemma3", "--param", "U=[[1,2]"], "cannot parse"),
    (["table", "lemma4", "--param", "trace_d=inf", "--param", "d_max=1", "--param", "n=1"],
     "trace_d must be finite"),
    (["table", "lemma4", "--param", "trace_d=nan", "--param", "d_max=1", "--param", "n=1"],
     "trace_d must not be NaN"),
    (["table", "lemma4", "--param", "d_max=1", "--param", "n=1", "--grid", "trace_d=1,2",
      "--plot", "f.gif", "--y", "x"], "must end in .pdf, .svg, .png"),
    (["table", "lemma4", "--param", "d_max=1", "--param", "n=1", "--param", "trace_d=2",
      "--plot", "f.pdf", "--y", "log_failure_prob"], "give --grid"),
    (["table", "lemma4", "--param", "d_max=1", "--param", "n=1", "--grid", "trace_d=1,2",
      "--plot", "f.pdf"], "--plot needs --y COLUMN"),
    (["table", "lemma4", "--param", "d_max=1", "--param", "n=1", "--grid", "trace_d=1,2",
      "--plot", "f.pdf", "--y", "nope"], "--y nope: not a column of lemma4"),
    (["table", "lemma4", "--param", "d_max=1", "--param", "n=1", "--grid", "trace_d=1,2",
      "--plot", "f.pdf", "--y", "delta", "--x", "n"], "--x n: not a --grid parameter"),
    (["table", "--plot", "f.pdf"], "need a CLAIM_ID"),
    (["table", "nosuch", "--help"], "unknown claim id 'nosuch'"),
    (["claims", "nosuch"], "unknown claim id 'nosuch'"),
    (["claims", "--report", "/nonexistent-folder/r.json"], "No such file or directory"),
    # limits before work, each with its estimate
    (["plot", "lp", "--grid", "300"], "90,000 types, whose pairwise constraints need about"),
    (["table", "lemma4", "--grid", "n=1..1000", "--grid", "trace_d=1..1000", "--grid",
      "d_max=1..1000"], "the --grid product has 1,000,000,000 rows; the limit is 1,000,000"),
    (["demo", "--bidders", "100000000"], "--bidders 100,000,000 is over the limit of 100,000"),
    (["plot", "accuracy", "--bidders", "1e8"], "is over the limit of 100,000"),
    # messages that name what is wrong
    (["demo", "--eps", "2"], "--eps must lie in (0, 1]"),
    (["plot", "queries", "--eps", "1.5"], "--eps must lie in (0, 1]"),
    (["table", "lemma7.upper_tail", "--param", "isotropic=maybe"],
     "isotropic is true or false; found 'maybe'"),
    (["table", "theorem2.gaussian", "--param", "size=10", "--param", "Sigma_S=1"],
     "size stands for Sigma_S"),
    (["table", "lemma4", "--grid", "n=5..1"], "a range is A..B with whole numbers A <= B"),
    (["table", "lemma4", "--grid", "n=1..x"], "a range is A..B"),
    (["table", "lemma4", "--param", "n=1", "--no-caption"], "give --plot"),
]


@pytest.mark.parametrize("argv, fragment", BAD, ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_before_any_work(capsys, monkeypatch, tmp_path, argv,
                                                      fragment):
    monkeypatch.chdir(tmp_path)
    import recmech.core.bench
    import recmech.core.demo
    import recmech.core.experiment
    import recmech.properties.report.card

    def refuse(*args, **kwargs):
        raise AssertionError("work started before the input was checked")

    monkeypatch.setattr(recmech.core.bench, "run_bench", refuse)
    monkeypatch.setattr(recmech.core.demo, "run_demo", refuse)
    monkeypatch.setattr(recmech.core.experiment, "run", refuse)
    monkeypatch.setattr(recmech.properties.report.card, "run_report", refuse)
    import recmech.core.optimal

    monkeypatch.setattr(recmech.core.optimal, "solve_optimal_lp", refuse)
    code, out, err = run(capsys, argv)
    assert code == 2, err
    assert err.count("\n") == 1 and fragment in err, err
    assert "Traceback" not in err and out == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_an_output_path_that_cannot_be_written_stops_before_work(capsys, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    code, _, err = run(capsys, ["report", "--claims", "lemma6", "--json", str(folder)])
    assert code == 2 and "is a folder" in err
    under_a_file = tmp_path / "file.txt"
    under_a_file.write_text("x")
    code, _, err = run(capsys, ["bench", "--json", str(under_a_file / "b.json")])
    assert code == 2 and "does not exist" in err
    if sys.platform.startswith("linux"):  # even root cannot create files in /proc
        code, _, err = run(capsys, ["demo", "--json", "/proc/recmech-demo.json"])
        assert code == 2 and "cannot write there" in err and err.count("\n") == 1
    # a good path is checked without being left behind when the run then fails
    target = tmp_path / "r.json"
    code, _, err = run(capsys, ["report", "--claims", "lemma99", "--json", str(target)])
    assert code == 2 and not target.exists()


def test_extreme_floats_give_a_valid_row_or_one_line_naming_the_parameters(capsys):
    code, out, err = run(capsys, ["table", "theorem2.noisy_value", "--param", "A_inf=1e308",
                                  "--param", "eta=1e-308", "--param", "eps=1e-308",
                                  "--format", "json"])
    assert "Traceback" not in err
    if code == 0:  # a row, carried in log space: no inf or NaN passed off as a number
        (record,) = json.loads(out)
        assert record["valid"] and all(isinstance(v, (int, float)) and math.isfinite(v)
                                       for v in record["log_values"].values())
    else:
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "A_inf=1e+308" in err and "eps=1e-308" in err


def test_a_calculator_error_is_one_line_naming_the_parameters(capsys, monkeypatch):
    import recmech.bounds.table as table

    def overflow(*args, **kwargs):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(table, "build_table", overflow)
    code, out, err = run(capsys, ["table", "lemma4", "--param", "trace_d=1e300", "--param",
                                  "d_max=1e-300", "--param", "n=1"])
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "lemma4 cannot be evaluated at trace_d=1e+300, d_max=1e-300, n=1: OverflowError" in err


# -- progress -------------------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_what_done_total_and_elapsed_on_a_terminal_only():
    from recmech.properties.engine.progress import Progress

    tty = Terminal()
    p = Progress("recmech bench", stream=tty)
    p("queries per bidder", 3, 7)
    assert tty.getvalue().startswith("\rrecmech bench: [3/7] queries per bidder (")
    assert "s elapsed)" in tty.getvalue()
    p.close()
    assert tty.getvalue().endswith("\r")
    pipe = io.StringIO()
    q = Progress("recmech bench", stream=pipe)
    q("x", 1, 2)
    q.close()
    assert pipe.getvalue() == ""
    assert Progress("x", stream=tty, enabled=False).enabled is False


def test_demo_reports_each_setting_before_it_runs():
    from recmech.core.demo import run_demo

    calls = []
    rows = run_demo(2000, 2, 0.01, 1, 0, progress=lambda *c: calls.append(c))
    assert calls == [(r.setting, i, len(rows)) for i, r in enumerate(rows)]


def test_demo_progress_on_a_terminal_and_quiet_for_json_on_stdout(capsys, monkeypatch):
    monkeypatch.setattr("sys.stderr", Terminal())
    code = recmech(["demo", "--N", "2000", "--k", "2", "--bidders", "1"])
    assert code == 0 and "recmech demo: [4/6] pivoted" in sys.stderr.getvalue()
    assert "| separable |" in capsys.readouterr().out
    monkeypatch.setattr("sys.stderr", Terminal())
    code = recmech(["demo", "--N", "2000", "--k", "2", "--bidders", "1", "--json", "-"])
    assert code == 0 and sys.stderr.getvalue() == ""
    assert len(json.loads(capsys.readouterr().out)["rows"]) == 6  # stdout is the JSON only


def test_table_progress_counts_rows_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr("sys.stderr", Terminal())
    code = recmech(["table", "lemma4", "--param", "d_max=1", "--param", "n=1", "--grid",
                    "trace_d=1..1200"])
    assert code == 0 and "recmech table: [1000/1200] lemma4 rows" in sys.stderr.getvalue()
    assert len(capsys.readouterr().out.splitlines()) == 2 + 1200


def test_report_progress_has_one_total_the_chunks(capsys, monkeypatch):
    monkeypatch.setattr("sys.stderr", Terminal())
    assert recmech(["report", "--claims", "lemma6,proposition3"]) == 0
    err = sys.stderr.getvalue()
    totals = set(re.findall(r"\[\d+/(\d+) chunks\]", err))
    assert len(totals) == 1, err
    assert not re.search(r"\[\d+/\d+\]", err)  # no count without its unit


def test_report_progress_is_quiet_when_redirected(capsys):
    code, out, err = run(capsys, ["report", "--claims", "lemma6"])
    assert code == 0 and err == "" and "| `lemma6` | holds on the searched domain |" in out
    code, out, err = run(capsys, ["report", "--claims", "lemma6", "--json", "-"])
    assert code == 0 and json.loads(out)["rows"][0]["status"] == "holds"


def test_the_demo_defaults_the_command_states_are_run_demos():
    import inspect

    from recmech.core.demo import run_demo
    from recmech.properties.cli.demo import DEMO_DEFAULTS

    defaults = {n: p.default for n, p in inspect.signature(run_demo).parameters.items()
                if n != "progress"}
    assert defaults == DEMO_DEFAULTS
