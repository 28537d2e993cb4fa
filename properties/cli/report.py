"""``recmech report``: run every claim check (or some) on an engine and print the report card.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recmech.properties.cli.common import (
    Once,
    UsageError,
    add_json,
    json_option,
    once_flag,
    progress_for,
    writable,
    write_json,
)

__all__ = ["REPORT_COLUMNS", "register"]


REPORT_COLUMNS = (
    "Columns: verdict = what the check found; expected = the claim table's verdict (errata "
    "included); match = whether they agree (exit code 1 otherwise); observed / bound = the "
    "measured quantity and the claim's bound on the worst instance; slack = the margin found "
    "there, bound minus observed, positive = room, negative = violated; marked (CP) on a "
    "statistical row: the bound minus the Clopper-Pearson limit of the observed rate at the "
    "row's false-alarm level; marked (notes): a difference of logs or the corrected statement's "
    "margin, as the verdict's notes in `recmech report --json PATH` say; a bound marked "
    "(vacuous) is a probability or a latent error of 1 or more, which says nothing; instances "
    "= instances checked; false alarm / false pass = the "
    "probability that a statistical verdict is wrong either way (0 for exact computations); "
    "s = seconds."
)


def _claim_list(text: str) -> list[str]:
    """``--claims id1,id2`` as a list; an empty list is an error (no silent no-op run)."""
    ids = [c.strip() for c in text.split(",") if c.strip()]
    if not ids:
        raise UsageError(f"recmech report: --claims {text!r} names no claim id; give "
                          "id1,id2,... (recmech claims lists them)")
    if len(set(ids)) != len(ids):
        raise UsageError(f"recmech report: --claims {text!r} names a claim twice")
    return ids


def _report(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError(f"recmech report: --jobs must be >= 1; found {args.jobs}")
    ids = _claim_list(args.claims) if args.claims is not None else None
    out, to_stdout = json_option(args, "recmech report")
    results = writable(args.results, "--results", command="recmech report")
    from recmech.properties.claims.graph import graph_text
    from recmech.properties.claims.table import claim, claim_ids
    from recmech.properties.engine.run import ResultsFile, engine_for
    from recmech.properties.report.card import (
        family_wise_level,
        plan_tasks,
        reading_glossary,
        report_cells,
        report_header,
        report_payload,
        report_problems,
        run_report,
        runs_for,
    )
    from recmech.properties.report.render import markdown_table

    known = claim_ids()
    if ids is None:
        ids = known
    unknown = [c for c in ids if c not in known]
    if unknown:
        raise UsageError(f"recmech report: --claims: unknown claim id(s) {', '.join(unknown)}; "
                          f"valid ids: {', '.join(known)}")
    try:
        tasks = runs_for(ids, args.reading)
    except ValueError as exc:
        raise UsageError(f"recmech report: --reading: {exc}") from None
    if args.reading is not None:
        ids = [c for c in ids if any(t[0] == c for t in tasks)]
    resume = args.resume
    if resume is not None:
        if not Path(resume).is_file():
            raise UsageError(f"recmech report: --resume {resume}: no such results file")
        try:  # a file of another run or profile is refused before any work
            ResultsFile(resume, args.profile).load()
        except (ValueError, KeyError, IndexError) as exc:
            raise UsageError(f"recmech report: --resume: {exc}") from None
    try:
        engine = engine_for(args.jobs, args.scheduler)
    except (OSError, ValueError) as exc:
        raise UsageError(f"recmech report: --scheduler {args.scheduler}: {exc}") from None
    # one total throughout: the chunks (a claim runs under each reading, in one or more chunks)
    chunks = len(plan_tasks(ids, args.profile, args.reading)[1])
    progress = progress_for(f"report (profile {args.profile}, {len(ids)} claims, engine "
                            f"{engine.name})", to_stdout, unit="chunks")

    def chunk_progress(task, result, done: int, total: int) -> None:
        progress(f"{task.claim_id} #{task.index}"
                 + (" raised" if result.error else ""), done, total)

    progress("starting", 0, chunks)
    try:
        rows = run_report(ids, args.profile, engine, None, args.reading,
                          results=None if results is None else str(results), resume=resume,
                          chunk_progress=chunk_progress)
    except ValueError as exc:
        raise UsageError(f"recmech report: {exc}") from None
    finally:
        engine.close()
        progress.close()
    for r in rows:
        if r.error:
            print(f"{r.claim_id} raised:\n{r.error}", file=sys.stderr)
    problems = report_problems(rows)
    if to_stdout:
        write_json(None, True, report_payload(rows, args.profile))
        return 0 if not problems else 1
    print(markdown_table(report_header(), [report_cells(r) for r in rows]))
    gaps = [g for c in ids for g in claim(c).proof_gaps]
    if gaps:
        print("\nProof steps that do not follow (statement not refuted):")
        for g in gaps:
            print(f"- `{g.claim_id}`: {g.summary}")
    print(f"\nFamily-wise false-alarm probability of this report (union over every statistical "
          f"test it ran): <= {family_wise_level(rows):.3g}")
    for p in problems:
        print(f"PROBLEM: {p}")
    if args.graph:
        verdicts = {r.claim_id: [(x.readings, x.verdict) for x in r.runs if x.verdict]
                    for r in rows}
        print("\nClaim graph (each claim <- the claims its proof uses) with verdicts:\n"
              + graph_text(verdicts))
    print("\n" + REPORT_COLUMNS)
    glossary = reading_glossary(sorted({name for r in rows for x in r.runs
                                        for name in x.readings.values()}))
    if glossary:
        print("\nReadings (where the paper leaves a point open, each way of settling it):\n"
              + glossary)
    write_json(out, False, report_payload(rows, args.profile))
    return 0 if not problems else 1


def register(sub, add) -> None:
    """the ``report`` subcommand's parser."""
    from recmech.properties.judging.profiles import PROFILES

    report = add(sub, "report", "recmech.properties (report)",
                 help="run every claim check and print the report card",
                 description="Run every claim check (or --claims) and print the report card; "
                 "exit 0 when every verdict is the one the claim table expects, 1 otherwise.",
                 epilog=REPORT_COLUMNS)
    report.add_argument("--profile", choices=PROFILES, default="quick", action=Once,
                        help="quick (default, deterministic), dev or thorough (large sweeps)")
    add_json(report, "the records")
    report.add_argument("--jobs", type=int, default=1, action=Once,
                        help="worker processes (>= 1; default 1)")
    report.add_argument("--claims", default=None, metavar="ID,ID", action=Once,
                        help="only these claim ids (comma-separated)")
    report.add_argument("--reading", default=None, metavar="NAME", action=Once,
                        help="only the runs under this reading of an open definition "
                        "(e.g. product-support, all-real)")
    once_flag(report, "--graph", help="also print the claim graph with each claim's verdicts")
    report.add_argument("--scheduler", default=None, metavar="ADDRESS", action=Once,
                        help="run the chunks on Dask: a scheduler address (tcp://HOST:8786), "
                        "or 'local' for a local cluster of --jobs workers "
                        "(pip install 'recmech[dask]')")
    report.add_argument("--results", default=None, metavar="PATH", action=Once,
                        help="keep every completed chunk in this JSON-lines file (started "
                        "anew; each line sealed with the version, a fingerprint of the check "
                        "and a checksum; one run writes a file at a time)")
    report.add_argument("--resume", default=None, metavar="PATH", action=Once,
                        help="finish a run from its results file: only the missing chunks run, "
                        "and they are appended to it (a foreign or edited line is refused by "
                        "its number; a partial last line is cut and rerun)")
    report.set_defaults(run=_report)
