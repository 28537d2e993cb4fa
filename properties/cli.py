"""The ``recmech`` command: one parser, one subcommand per job, each calling the one function of
the package that owns the work; this module only parses, checks and renders.

``demo`` -> recmech.core.demo / experiment, ``table`` -> recmech.bounds.table, ``report`` ->
recmech.properties.report, ``bench`` -> recmech.core.bench. Bad input is one line on stderr and
exit code 2, before any work.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from recmech import __version__

__all__ = ["main"]


class _UsageError(Exception):
    """Bad command-line input: one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


def _writable(path: str | None, option: str = "--json") -> Path | None:
    """``path`` as a Path whose folder exists and is writable (checked before any work)."""
    if path is None:
        return None
    out = Path(path)
    if out.is_dir():
        raise _UsageError(f"{option} {path}: is a folder, not a file path")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise _UsageError(f"{option} {path}: folder {folder} does not exist")
    try:
        with open(out, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise _UsageError(f"{option} {path}: cannot write ({exc.strerror})") from None
    return out


def _write_json(path: Path | None, payload) -> None:
    if path is not None:
        from recmech.properties.render import dumps

        path.write_text(dumps(payload) + "\n", encoding="utf-8")


# -- demo ----------------------------------------------------------------------------------------

def _fmt_demo(value) -> str:
    if value is None:
        return "n/a (hypothesis fails)"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _demo(args: argparse.Namespace) -> int:
    from recmech.properties.render import markdown_table

    out = _writable(args.json)
    if args.mechanism:
        from recmech.core.experiment import run

        rows = run()
        print(markdown_table(
            ["corruption", "eps1", "d_P", "delta", "REV(M_hat)", "REV (a)", "kappa (a)",
             "min u (a)", "REV Alg.1", "kappa Alg.1", "min u Alg.1"],
            [[r.corruption, f"{r.eps1:g}", f"{r.prokhorov:.4f}", f"{r.delta:.3f}",
              f"{r.rev_hat:.4f}", f"{r.rev_direct:.4f}", f"{r.kappa_direct:.4f}",
              f"{r.min_util_direct:.4f}", f"{r.rev_alg1:.4f}", f"{r.kappa_alg1:.4f}",
              f"{r.min_util_alg1:.4f}"] for r in rows]))
        _write_json(out, [r.to_dict() for r in rows])
        return 0
    if args.bidders < 1:
        raise _UsageError(f"recmech demo: --bidders must be >= 1; found {args.bidders}")
    from recmech.core.demo import run_demo

    try:
        rows = run_demo(args.N, args.k, args.eps, args.bidders, args.seed, args.perturbation)
    except ValueError as exc:
        raise _UsageError(f"recmech demo: {exc}") from None
    print(f"Thm. 2 query protocols: N={args.N:,} items, k={args.k}, eps={args.eps}, "
          f"eta=eps, {args.bidders} bidders per setting, types within eps of Az "
          f"({args.perturbation} perturbation), truthful price answers.\n")
    print(markdown_table(
        ["setting", "items queried", "queries / bidder", "naive queries (N x q)",
         "max latent error", "a-priori delta", "certified delta", "ms / bidder"],
        [[_fmt_demo(c) for c in (r.setting, r.items_queried, r.queries, r.naive_queries,
                                 r.max_latent_error, r.a_priori_delta, r.certified_delta,
                                 r.ms_per_bidder)] for r in rows]))
    print("\nnaive = querying every item with the same binary search; a-priori delta is the "
          "paper's (probabilistic for Gaussian/weak dependence); certified = "
          "||(B^T B)^-1 B^T||_inf (eps + eta) of the queried block.")
    _write_json(out, {"N": args.N, "k": args.k, "eps": args.eps, "bidders": args.bidders,
                      "seed": args.seed, "perturbation": args.perturbation,
                      "rows": [r.to_dict() for r in rows]})
    return 0


# -- table ---------------------------------------------------------------------------------------

def _table(args: argparse.Namespace) -> int:
    from recmech.bounds.table import UsageError, table_rows
    from recmech.properties.render import dict_table

    try:
        rows, records = table_rows(args.claim_id, args.param, args.grid)
    except UsageError as exc:
        raise _UsageError(f"recmech table: {str(exc).splitlines()[0]}") from None
    print(dict_table(rows, args.format, records))
    return 0


# -- report --------------------------------------------------------------------------------------

def _report(args: argparse.Namespace) -> int:
    from recmech.properties.claims import claim, claim_ids
    from recmech.properties.engine import ResultsFile, engine_for
    from recmech.properties.graph import graph_text
    from recmech.properties.render import markdown_table
    from recmech.properties.report import (
        ReportRow,
        family_wise_level,
        report_cells,
        report_header,
        report_payload,
        report_problems,
        run_report,
        runs_for,
    )

    if args.jobs < 1:
        raise _UsageError(f"recmech report: --jobs must be >= 1; found {args.jobs}")
    known = claim_ids()
    if args.claims is not None:
        ids = [c.strip() for c in args.claims.split(",") if c.strip()]
        unknown = [c for c in ids if c not in known]
        if unknown or not ids:
            raise _UsageError(f"recmech report: --claims: unknown or no claim id(s) "
                              f"{', '.join(unknown) or repr(args.claims)}; known: "
                              f"{', '.join(known)}")
    else:
        ids = known
    try:
        tasks = runs_for(ids, args.reading)
    except ValueError as exc:
        raise _UsageError(f"recmech report: --reading: {exc}") from None
    if args.reading is not None:
        ids = [c for c in ids if any(t[0] == c for t in tasks)]
    out = _writable(args.json_path)
    results = _writable(args.results, "--results")
    resume = args.resume
    if resume is not None:
        if not Path(resume).is_file():
            raise _UsageError(f"recmech report: --resume {resume}: no such results file")
        try:  # a file of another run or profile is refused before any work
            ResultsFile(resume, args.profile).load()
        except (ValueError, KeyError, IndexError) as exc:
            raise _UsageError(f"recmech report: --resume: {exc}") from None
    start = time.perf_counter()

    def progress(row: ReportRow, done: int, total: int) -> None:
        print(f"[{done}/{total}] {row.claim_id}: {row.status} ({row.seconds:.1f} s)",
              file=sys.stderr, flush=True)

    def chunk_progress(task, result, done: int, total: int) -> None:
        state = "raised" if result.error else "done"
        print(f"[chunk {done}/{total}, {time.perf_counter() - start:.0f} s] {task.claim_id} "
              f"#{task.index} {state}", file=sys.stderr, flush=True)

    try:
        engine = engine_for(args.jobs, args.scheduler)
    except (ImportError, OSError, ValueError) as exc:
        raise _UsageError(f"recmech report: --scheduler {args.scheduler}: {exc}") from None
    print(f"recmech report: profile {args.profile}, {len(ids)} claims, {len(tasks)} runs "
          f"(claims x readings), engine {engine.name}", file=sys.stderr)
    try:
        rows = run_report(ids, args.profile, engine, progress, args.reading,
                          results=None if results is None else str(results), resume=resume,
                          chunk_progress=chunk_progress)
    except ValueError as exc:
        raise _UsageError(f"recmech report: {exc}") from None
    finally:
        engine.close()
    print(markdown_table(report_header(), [report_cells(r) for r in rows]))
    gaps = [g for c in ids for g in claim(c).proof_gaps]
    if gaps:
        print("\nProof steps that do not follow (statement not refuted):")
        for g in gaps:
            print(f"- `{g.claim_id}`: {g.summary}")
    print(f"\nFamily-wise false-alarm probability of this report (union over every statistical "
          f"test it ran): <= {family_wise_level(rows):.3g}")
    problems = report_problems(rows)
    for p in problems:
        print(f"PROBLEM: {p}")
    if args.graph:
        results = {r.claim_id: [(x.readings, x.verdict) for x in r.runs if x.verdict]
                   for r in rows}
        print("\nClaim graph (each claim <- the claims its proof uses) with verdicts:\n"
              + graph_text(results))
    for r in rows:
        if r.error:
            print(f"\n{r.claim_id} raised:\n{r.error}", file=sys.stderr)
    _write_json(out, report_payload(rows, args.profile))
    return 0 if not problems else 1


# -- bench ---------------------------------------------------------------------------------------

def _fmt_bench(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}"


def _bench(args: argparse.Namespace) -> int:
    from recmech.core.bench import NOTES, run_bench
    from recmech.properties.render import markdown_table

    out = _writable(args.json)
    run = run_bench(args.quick)
    info = run.machine
    print(f"recmech bench{' --quick' if run.quick else ''}: {info['cores']} cores, "
          f"{info['cpu']}; Python {info['python']}, numpy {info['numpy']}, "
          f"scipy {info['scipy']}\n")
    print(markdown_table(["ratio", "measured", "target", "met?"],
                         [[r.ratio, _fmt_bench(r.measured), r.target,
                           "n/a" if r.met is None else ("yes" if r.met else "**no**")]
                          for r in run.rows]))
    for r in run.rows:
        if r.note:
            print(f"- {r.ratio}: {r.note}")
    if run.quick:
        print(f"\n--quick: {run.rounds} rounds, optimal LP on a {run.grid} x {run.grid} grid "
              f"({run.grid * run.grid} types) instead of 20 x 20.")
    print("\n" + NOTES)
    print(f"\ntotal {run.seconds:.0f} s")
    _write_json(out, run.to_dict())
    return 0


# -- selftest ------------------------------------------------------------------------------------

def _selftest(args: argparse.Namespace) -> int:
    from recmech.properties.selftest import SeedRun, selftest, summary

    if args.seeds < 1:
        raise _UsageError(f"recmech selftest: --seeds must be >= 1; found {args.seeds}")
    out = _writable(args.json)

    def progress(run: SeedRun, done: int, total: int) -> None:
        print(f"[{done}/{total}] seed {run.seed} {run.suite}: "
              f"{'passed' if run.passed else 'FAILED'} ({run.seconds:.0f} s)",
              file=sys.stderr, flush=True)

    runs = selftest(args.seeds, args.timeout, progress=progress)
    print(summary(runs))
    _write_json(out, [r.to_dict() for r in runs])
    return 0 if all(r.passed for r in runs) else 1


# -- the parser ----------------------------------------------------------------------------------

def _parser() -> _Parser:
    from recmech.properties.profiles import PROFILES
    from recmech.properties.render import FORMATS

    parser = _Parser(prog="recmech", description="Executable, verified theory for Cai & "
                     "Daskalakis, 'Recommender Systems meet Mechanism Design' (EC'22).")
    parser.add_argument("--version", action="version", version=f"recmech {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="Thm. 2's query protocols on a bidder population "
                          "(--mechanism: Algorithm 1 against no robustification)",
                          description="Thm. 2's query protocols on one bidder population.")
    demo.add_argument("--mechanism", action="store_true",
                      help="run the mechanism experiment (Lemma 2 / Algorithm 1) instead")
    demo.add_argument("--N", type=int, default=100_000, help="number of items (default 100000)")
    demo.add_argument("--k", type=int, default=8, help="latent dimension (default 8)")
    demo.add_argument("--eps", type=float, default=0.01, help="type accuracy eps (default 0.01)")
    demo.add_argument("--bidders", type=int, default=20,
                      help="bidders per setting (default 20)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--perturbation", choices=("adversarial", "uniform", "none"),
                      default="adversarial", help="how types deviate from Az within eps")
    demo.add_argument("--json", metavar="PATH", help="also write the rows as JSON to PATH")
    demo.set_defaults(run=_demo)

    table = sub.add_parser("table", help="bound tables for every claim id",
                           description="Bound tables (no CLAIM_ID: the headline table of "
                           "Thm. 2).")
    table.add_argument("claim_id", nargs="?", help="a claim id, e.g. theorem2.gaussian")
    table.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    table.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...")
    table.add_argument("--format", choices=FORMATS, default="md")
    table.set_defaults(run=_table)

    report = sub.add_parser("report", help="run every claim check and print the report card",
                            description="Run every claim check and print the report card; "
                            "exit 0 when every verdict is the one the claim table expects.")
    report.add_argument("--profile", choices=PROFILES, default="quick")
    report.add_argument("--json", dest="json_path", default=None, metavar="PATH",
                        help="write the records here")
    report.add_argument("--jobs", type=int, default=1, help="worker processes (>= 1)")
    report.add_argument("--claims", default=None, metavar="ID,ID",
                        help="comma-separated claim ids")
    report.add_argument("--reading", default=None, metavar="NAME",
                        help="only the runs under this reading of an open definition "
                             "(e.g. product-support, all-real)")
    report.add_argument("--graph", action="store_true",
                        help="also print the claim graph with each claim's verdicts")
    report.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run the chunks on Dask: a scheduler address (tcp://HOST:8786), "
                             "or 'local' for a local cluster of --jobs workers "
                             "(pip install 'recmech[dask]')")
    report.add_argument("--results", default=None, metavar="PATH",
                        help="keep every completed chunk in this JSON-lines file")
    report.add_argument("--resume", default=None, metavar="PATH",
                        help="finish a run from its results file: only the missing chunks run, "
                             "and they are appended to it")
    report.set_defaults(run=_report)

    bench = sub.add_parser("bench", help="performance ratios (N-independence, LP, Monte Carlo)",
                           description="The performance ratios, measured side by side in one "
                           "run.")
    bench.add_argument("--json", metavar="PATH", help="also write the rows as JSON to PATH")
    bench.add_argument("--quick", action="store_true",
                       help="fewer rounds and a 12 x 12 LP grid")
    bench.set_defaults(run=_bench)

    selftest = sub.add_parser("selftest", help="the property tests under N hypothesis seeds",
                              description="Run the property tests under the dev profile with "
                              "hypothesis seeds 1..N; report every failure with its seed.")
    selftest.add_argument("--seeds", type=int, default=5, help="number of seeds (default 5)")
    selftest.add_argument("--timeout", type=float, default=1800.0,
                          help="seconds per run (default 1800)")
    selftest.add_argument("--json", metavar="PATH", help="also write the runs as JSON")
    selftest.set_defaults(run=_selftest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``recmech [--version] COMMAND [args]``; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.command is None:
            parser.print_help()
            return 2
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except _UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)


if __name__ == "__main__":
    raise SystemExit(main())
