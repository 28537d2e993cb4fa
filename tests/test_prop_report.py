"""The report card (``recmech report``) and the errata register, read through the claim table."""

import json

from recmech.properties.claims.errata import ERRATA, PROOF_GAPS
from recmech.properties.claims.table import claim_ids, claim_table, expected_verdict
from recmech.properties.cli.main import main
from recmech.properties.report.card import report_cells, report_header, run_report
from recmech.properties.report.render import markdown_table


def test_report_main_writes_json_and_exits_zero_for_matching_verdicts(tmp_path, capsys):
    out = tmp_path / "report.json"
    code = main(["report", "--claims", "lemma6,proposition3", "--json", str(out)])
    assert code == 0
    rows = json.loads(out.read_text())["rows"]
    assert [r["claim_id"] for r in rows] == ["lemma6", "proposition3"]
    assert all(r["status"] == "holds" and r["matches"] for r in rows)
    printed = capsys.readouterr()
    assert "| `lemma6` | holds on the searched domain | holds | yes |" in printed.out
    assert printed.err == ""  # progress is shown on a terminal only (tests/test_cli.py)


def test_report_lists_every_claim_of_the_register():
    ids = claim_ids("paper")
    assert len(ids) == 22 and ids[0] == "definition3" and ids[-1] == "lemma9"
    assert all(c.startswith("project.") for c in claim_ids("project"))
    text = markdown_table(report_header(), [report_cells(r) for r in run_report(["lemma1"])])
    assert text.startswith("| claim |")


def test_report_exit_code_is_one_on_a_mismatch(monkeypatch):
    import recmech.properties.claims.table as claims

    monkeypatch.setattr(claims.Claim, "expected_for", lambda self, readings: "fails-as-stated")
    assert main(["report", "--claims", "lemma6"]) == 1


def test_errata_register_is_consistent():
    table = claim_table()
    for cid, entries in ERRATA.items():
        for e in entries:
            assert e.claim_id == cid and e.counterexample and e.corrected_statement
            assert e.corrected_check and e in table[cid].errata
            assert any(table[cid].expected_for(v) == e.verdict for v in table[cid].variants)
            json.dumps(e.to_dict())
    assert expected_verdict("lemma3") == "holds"
    assert expected_verdict("lemma2") == "rate-only"
    assert expected_verdict("theorem1") == "fails-as-stated"  # IR for true types (errata)
    assert "theorem2.weak_dependence" in PROOF_GAPS


def test_full_report_card_matches_the_errata_register():
    """The report card over every claim id (`recmech report --jobs 2`, whose exit code is 0
    exactly when there is no problem): each verdict matches the register. The card is computed
    once per test run (``tests.readme.report_rows``, shared with the README's card)."""
    from recmech.properties.report.card import report_payload
    from tests import readme

    data = json.loads(json.dumps(report_payload(list(readme.report_rows()), "quick")))
    rows = data["rows"]
    assert len(rows) == len(claim_ids()) > 22
    assert all(r["expected"] for r in rows)
    assert data["problems"] == [] and data["family_wise_false_alarm"] <= 1e-8


def test_every_name_an_erratum_cites_for_its_corrected_check_exists():
    import importlib
    import re

    for entries in (*ERRATA.values(), *PROOF_GAPS.values()):
        for e in entries:
            for dotted in re.findall(r"recmech(?:\.\w+)+", e.corrected_check):
                parts = dotted.split(".")
                for cut in range(len(parts), 1, -1):
                    try:
                        obj = importlib.import_module(".".join(parts[:cut]))
                    except ModuleNotFoundError:
                        continue
                    for attr in parts[cut:]:
                        obj = getattr(obj, attr)  # AttributeError: a stale name
                    break
                else:
                    raise AssertionError(f"{e.claim_id}: {dotted} names nothing")
