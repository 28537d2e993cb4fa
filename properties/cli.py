"""The ``recmech`` command: one parser, one subcommand per job, each calling the one function of
the package that owns the work; this module only parses, checks and renders.

``demo`` -> recmech.core.demo / experiment, ``table`` -> recmech.bounds.table (typed by
recmech.properties.parameters), ``claims`` -> the claim table, ``report`` ->
recmech.properties.report, ``bench`` -> recmech.core.bench, ``plot`` ->
recmech.properties.plots. Every input is checked before any work (output paths included): bad
input is one line on stderr and exit code 2. Options may come in any order; an option given twice
is an error. Long commands show progress on stderr when it is a terminal.

One module on purpose: each option is declared and checked in one place, next to the handler
that uses it, so a check cannot drift away from the option it guards.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from recmech import __version__
from recmech.properties.progress import Progress

__all__ = ["DEMO_DEFAULTS", "REPORT_COLUMNS", "STDOUT", "build_parser", "command_map", "main"]

STDOUT = "-"  # ``--json -``: the JSON document on stdout, instead of the table


class _UsageError(Exception):
    """Bad command-line input: one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


class _Once(argparse.Action):
    """An option that may be given once (a repeat would silently win otherwise)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        seen = namespace.__dict__.setdefault("_given", set())
        if self.dest in seen:
            parser.error(f"{option_string} is given twice; give it once")
        seen.add(self.dest)
        setattr(namespace, self.dest, True if self.nargs == 0 else values)


def _once_flag(parser: argparse.ArgumentParser, *flags: str, help: str) -> None:  # noqa: A002
    parser.add_argument(*flags, action=_Once, nargs=0, default=False, help=help)


def _given(args: argparse.Namespace, dest: str) -> bool:
    return dest in getattr(args, "_given", set())


# -- checks before work ---------------------------------------------------------------------------

def _writable(path: str | None, option: str, suffixes: Sequence[str] = (),
              command: str = "recmech") -> Path | None:
    """``path`` as a Path that can be written, checked before any work by opening it for
    appending (a file this check creates is removed again); ``-`` is stdout (None)."""
    if path is None or path == STDOUT:
        return None
    out = Path(path)
    if suffixes and out.suffix.lower() not in suffixes:
        raise _UsageError(f"{command}: {option} {path}: the file name must end in "
                          f"{', '.join(suffixes)}")
    if out.is_dir():
        raise _UsageError(f"{command}: {option} {path}: is a folder, not a file path")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise _UsageError(f"{command}: {option} {path}: folder {folder} does not exist")
    existed = out.exists()
    try:
        with open(out, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise _UsageError(f"{command}: {option} {path}: cannot write there "
                          f"({exc.strerror or type(exc).__name__})") from None
    if not existed:
        out.unlink()
    return out


def _write_json(path: Path | None, to_stdout: bool, payload: Any) -> None:
    from recmech.bounds.records import dumps

    if to_stdout:
        print(dumps(payload))
    elif path is not None:
        path.write_text(dumps(payload) + "\n", encoding="utf-8")


def _json_option(args: argparse.Namespace, command: str) -> tuple[Path | None, bool]:
    return _writable(args.json, "--json", command=command), args.json == STDOUT


def _progress(command: str, quiet: bool) -> Progress:
    return Progress(f"recmech {command}", enabled=False if quiet else None)


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _check_design_size(command: str, N: int, k: int) -> None:  # noqa: N803
    need, have = 8 * N * k, _memory_bytes()
    if have is not None and need > have / 2:
        raise _UsageError(f"recmech {command}: --N {N:,} with --k {k} needs a {need / 2**30:,.0f}"
                          f" GiB design; this machine has {have / 2**30:.0f} GiB (limit: half)")


def _positive(command: str, option: str, value: float, *, whole: bool = False) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise _UsageError(f"recmech {command}: {option} must be a positive number; found {value}")
    if whole and value != int(value):
        raise _UsageError(f"recmech {command}: {option} must be a whole number; found {value}")


def _whole(text: str) -> int:
    """A whole number, ``1e5`` notation included."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"cannot parse {text!r} as a whole number") from None
    if not math.isfinite(value) or value != int(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(value)


def _number_list(text: str, option: str, whole: bool) -> tuple:
    """``1e4,1e5`` -> (10000, 100000); one line on a bad entry."""
    cells = [t.strip() for t in text.split(",") if t.strip()]
    if not cells:
        raise argparse.ArgumentTypeError(f"{option}: empty list")
    out = []
    for t in cells:
        try:
            v = float(t)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option}: cannot parse {t!r} as a number"
                                             ) from None
        if not math.isfinite(v) or (whole and (v != int(v) or v < 1)):
            raise argparse.ArgumentTypeError(f"{option}: {t!r} must be "
                                             f"{'a whole number >= 1' if whole else 'finite'}")
        out.append(int(v) if whole else v)
    return tuple(out)


# -- demo -----------------------------------------------------------------------------------------

DEMO_DEFAULTS = {"N": 100_000, "k": 8, "eps": 0.01, "bidders": 20, "seed": 0,
                  "perturbation": "adversarial"}


def _fmt_demo(value) -> str:
    if value is None:
        return "n/a (hypothesis fails)"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _demo(args: argparse.Namespace) -> int:
    out, to_stdout = _json_option(args, "recmech demo")
    if args.mechanism:
        return _demo_mechanism(args, out, to_stdout)
    if _given(args, "eps1"):
        raise _UsageError("recmech demo: --eps1 applies to --mechanism only")
    opts = {k: (v if getattr(args, k) is None else getattr(args, k))
            for k, v in DEMO_DEFAULTS.items()}
    for name in ("N", "k", "bidders"):
        _positive("demo", f"--{name}", opts[name], whole=True)
    _positive("demo", "--eps", opts["eps"])
    if opts["seed"] < 0:
        raise _UsageError(f"recmech demo: --seed must be >= 0; found {opts['seed']}")
    _check_design_size("demo", opts["N"], opts["k"])
    from recmech.core.demo import run_demo
    from recmech.properties.render import markdown_table

    progress = _progress("demo", to_stdout)
    try:
        rows = run_demo(opts["N"], opts["k"], opts["eps"], opts["bidders"], opts["seed"],
                        opts["perturbation"], progress=progress)
    except ValueError as exc:
        raise _UsageError(f"recmech demo: {str(exc).splitlines()[0]}") from None
    finally:
        progress.close()
    payload = {**opts, "rows": [r.to_dict() for r in rows]}
    if to_stdout:
        _write_json(None, True, payload)
        return 0
    print(f"Thm. 2 query protocols: N={opts['N']:,} items, k={opts['k']}, eps={opts['eps']}, "
          f"eta=eps, {opts['bidders']} bidders per setting, types within eps of Az "
          f"({opts['perturbation']} perturbation), truthful price answers, seed {opts['seed']}."
          "\n")
    print(markdown_table(
        ["setting", "items queried", "queries / bidder", "naive queries (N x q)",
         "max latent error", "a-priori delta", "certified delta", "ms / bidder"],
        [[_fmt_demo(c) for c in (r.setting, r.items_queried, r.queries, r.naive_queries,
                                 r.max_latent_error, r.a_priori_delta, r.certified_delta,
                                 r.ms_per_bidder)] for r in rows]))
    print("\nnaive = querying every item with the same binary search; a-priori delta is the "
          "paper's (probabilistic for Gaussian/weak dependence); certified = "
          "||(B^T B)^-1 B^T||_inf (eps + eta) of the queried block.")
    _write_json(out, False, payload)
    return 0


def _demo_mechanism(args: argparse.Namespace, out: Path | None, to_stdout: bool) -> int:
    extra = [f"--{k}" for k in DEMO_DEFAULTS if getattr(args, k) is not None]
    if extra:
        raise _UsageError(f"recmech demo: {', '.join(extra)} do(es) not apply to --mechanism "
                          "(its instance is fixed; --eps1 sets the corruption levels)")
    if args.eps1 is not None and any(e < 0 or e >= 0.7 for e in args.eps1):
        raise _UsageError("recmech demo: --eps1 values must lie in [0, 0.7) (the model's top "
                          "type has mass 0.7)")
    from recmech.core.experiment import EPS1_VALUES, run
    from recmech.properties.render import markdown_table

    rows = run(tuple(sorted(set(args.eps1 if args.eps1 is not None else EPS1_VALUES))))
    if to_stdout:
        _write_json(None, True, [r.to_dict() for r in rows])
        return 0
    print(markdown_table(
        ["corruption", "eps1", "d_P", "delta", "REV(M_hat)", "REV (a)", "kappa (a)",
         "min u (a)", "REV Alg.1", "kappa Alg.1", "min u Alg.1"],
        [[r.corruption, f"{r.eps1:g}", f"{r.prokhorov:.4f}", f"{r.delta:.3f}",
          f"{r.rev_hat:.4f}", f"{r.rev_direct:.4f}", f"{r.kappa_direct:.4f}",
          f"{r.min_util_direct:.4f}", f"{r.rev_alg1:.4f}", f"{r.kappa_alg1:.4f}",
          f"{r.min_util_alg1:.4f}"] for r in rows]))
    _write_json(out, False, [r.to_dict() for r in rows])
    return 0


# -- table ----------------------------------------------------------------------------------------

def _table_help(parser: argparse.ArgumentParser, claim_id: str | None) -> int:
    from recmech.properties.parameters import describe_claim

    if claim_id is not None:
        from recmech.bounds.registry import claim_ids

        if claim_id not in claim_ids():
            raise _UsageError(f"recmech table: unknown claim id {claim_id!r}; valid ids: "
                              f"{', '.join(claim_ids())}")
    print(parser.format_help().rstrip())
    if claim_id is None:
        from recmech.bounds.registry import CLAIM_REGISTER

        print("\nclaim ids (recmech table CLAIM --help: its parameters):")
        for cid, entry in CLAIM_REGISTER.items():
            print(f"  {cid:<30} {entry.place}")
        return 0
    print("\n" + describe_claim(claim_id))
    return 0


def _table(args: argparse.Namespace) -> int:
    from recmech.properties.parameters import ParameterError

    if args.help:
        return _table_help(args.parser, args.claim_id)
    plot = _writable(args.plot, "--plot", (".pdf", ".svg", ".png"), "recmech table")
    if args.claim_id is None:
        if args.param or args.grid or plot or args.x or args.y:
            raise _UsageError("recmech table: --param, --grid and --plot need a CLAIM_ID "
                              "(recmech claims lists them)")
        from recmech.bounds.headline import headline_rows
        from recmech.properties.render import dict_table

        print(dict_table(headline_rows(), args.format))
        return 0
    if plot is None and (args.x or args.y):
        raise _UsageError("recmech table: --x and --y choose what --plot FILE draws; give "
                          "--plot")
    if plot is not None and not args.grid:
        raise _UsageError("recmech table: --plot draws a column over a --grid parameter; give "
                          "--grid NAME=V1,V2,...")
    if plot is not None and args.y is None:
        raise _UsageError("recmech table: --plot needs --y COLUMN (a column of the table, e.g. "
                          "delta)")
    from recmech.properties.parameters import evaluate, parse_assignments
    from recmech.properties.render import dict_table

    try:
        values, points = parse_assignments(args.claim_id, args.param, args.grid)
        if args.x is not None and args.x not in points:
            raise ParameterError(f"--x {args.x}: not a --grid parameter; grid: "
                                 f"{', '.join(points)}")
        rows, records = evaluate(args.claim_id, values, points)
    except ParameterError as exc:
        raise _UsageError(f"recmech table: {exc}") from None
    if plot is not None:
        from recmech.properties.plots import save, table_figure

        command = "recmech table " + " ".join(
            [args.claim_id, *(f"--param {p}" for p in args.param),
             *(f"--grid {g}" for g in args.grid)])
        try:
            data = table_figure(args.claim_id, rows, args.x or next(iter(points)), args.y,
                                command)
        except ValueError as exc:
            raise _UsageError(f"recmech table: {exc}") from None
        save(data, plot)
        print(f"recmech table: wrote {plot}", file=sys.stderr)
    print(dict_table(rows, args.format, records))
    return 0


# -- claims ---------------------------------------------------------------------------------------

def _read_report(path: str) -> tuple[dict[str, dict], str]:
    """Rows of a ``recmech report --json`` document by claim id, and its profile."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        rows = {r["claim_id"]: r for r in data["rows"]}
        return rows, str(data.get("profile", "?"))
    except OSError as exc:
        raise _UsageError(f"recmech claims: --report {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise _UsageError(f"recmech claims: --report {path}: not a report written by "
                          "`recmech report --json PATH`") from None


def _claims(args: argparse.Namespace) -> int:
    from recmech.properties.parameters import describe_claim

    last, profile = _read_report(args.report) if args.report else ({}, "")
    from recmech.properties.claims import claim_ids

    if args.claim_id is not None and args.claim_id not in claim_ids():
        raise _UsageError(f"recmech claims: unknown claim id {args.claim_id!r}; valid ids: "
                          f"{', '.join(claim_ids())}")
    from recmech.properties.claims import claim_table
    from recmech.properties.render import markdown_table

    table = claim_table()
    if args.claim_id is None:
        if args.format == "json":
            from recmech.bounds.records import dumps

            print(dumps([{**c.to_dict(), "last": last.get(cid)} for cid, c in table.items()]))
            return 0
        head = ["claim", "paper place", "expected verdict"]
        head += [f"last verdict ({args.report}, profile {profile})", "matches"] if last else []
        body = []
        for cid, c in table.items():
            row = [f"`{cid}`", c.place, c.expected]
            if last:
                got = last.get(cid)
                row += ["not run", ""] if got is None else [
                    got["status"], {True: "yes", False: "NO", None: ""}[got.get("matches")]]
            body.append(row)
        print(markdown_table(head, body))
        if not last:
            print("\nLast verdicts: run `recmech report --json report.json`, then "
                  "`recmech claims --report report.json`.")
        print("\n`recmech claims CLAIM` (or `recmech table CLAIM --help`): a claim's parameters.")
        return 0
    c = table[args.claim_id]
    if args.format == "json":
        from recmech.bounds.records import dumps

        print(dumps({**c.to_dict(), "last": last.get(c.claim_id)}))
        return 0
    if c.source == "paper":
        print(describe_claim(c.claim_id))
    else:
        print(f"{c.claim_id} ({c.place}): {c.statement}")
    rate = " (an O(.) statement: its rate is checked)" if c.rate_only else ""
    verdicts = {c.expected_for(v) for v in c.variants}
    if len(verdicts) == 1:
        print(f"\nexpected verdict: {verdicts.pop()}{rate}"
              + (" (under every reading)" if len(c.variants) > 1 else ""))
    else:
        print()
        for v in c.variants:
            print(f"expected verdict under {', '.join(f'{k}={x}' for k, x in v.items())}: "
                  f"{c.expected_for(v)}{rate}")
    if last:
        got = last.get(c.claim_id)
        print(f"last verdict ({args.report}, profile {profile}): "
              + ("not run" if got is None else got["status"]))
    for e in c.errata:
        under = f" (under {', '.join(e.readings)})" if e.readings else ""
        print(f"erratum{under}: {e.summary}\ncorrected: {e.corrected_statement}")
    for g in c.proof_gaps:
        print(f"proof step that does not follow: {g.summary}")
    print("judged parts (guard): " + (", ".join(c.parts) or "none"))
    return 0


# -- report ---------------------------------------------------------------------------------------

REPORT_COLUMNS = (
    "Columns: verdict = what the check found; expected = the claim table's verdict (errata "
    "included); match = whether they agree (exit code 1 otherwise); observed / bound = the "
    "measured quantity and the claim's bound on the worst instance; slack = the margin found "
    "there, positive = room, negative = violated (a difference, or a difference of logs, as the "
    "verdict's notes in `recmech report --json PATH` say; for some errata, the corrected "
    "statement's margin); instances = instances checked; false alarm / false pass = the "
    "probability that a statistical verdict is wrong either way (0 for exact computations); "
    "s = seconds."
)


def _claim_list(text: str) -> list[str]:
    """``--claims id1,id2`` as a list; an empty list is an error (no silent no-op run)."""
    ids = [c.strip() for c in text.split(",") if c.strip()]
    if not ids:
        raise _UsageError(f"recmech report: --claims {text!r} names no claim id; give "
                          "id1,id2,... (recmech claims lists them)")
    if len(set(ids)) != len(ids):
        raise _UsageError(f"recmech report: --claims {text!r} names a claim twice")
    return ids


def _report(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise _UsageError(f"recmech report: --jobs must be >= 1; found {args.jobs}")
    ids = _claim_list(args.claims) if args.claims is not None else None
    out, to_stdout = _json_option(args, "recmech report")
    results = _writable(args.results, "--results", command="recmech report")
    from recmech.properties.claims import claim, claim_ids
    from recmech.properties.engine import ResultsFile, engine_for
    from recmech.properties.graph import graph_text
    from recmech.properties.render import markdown_table
    from recmech.properties.report import (
        family_wise_level,
        report_cells,
        report_header,
        report_payload,
        report_problems,
        run_report,
        runs_for,
    )

    known = claim_ids()
    if ids is None:
        ids = known
    unknown = [c for c in ids if c not in known]
    if unknown:
        raise _UsageError(f"recmech report: --claims: unknown claim id(s) {', '.join(unknown)}; "
                          f"valid ids: {', '.join(known)}")
    try:
        tasks = runs_for(ids, args.reading)
    except ValueError as exc:
        raise _UsageError(f"recmech report: --reading: {exc}") from None
    if args.reading is not None:
        ids = [c for c in ids if any(t[0] == c for t in tasks)]
    resume = args.resume
    if resume is not None:
        if not Path(resume).is_file():
            raise _UsageError(f"recmech report: --resume {resume}: no such results file")
        try:  # a file of another run or profile is refused before any work
            ResultsFile(resume, args.profile).load()
        except (ValueError, KeyError, IndexError) as exc:
            raise _UsageError(f"recmech report: --resume: {exc}") from None
    try:
        engine = engine_for(args.jobs, args.scheduler)
    except (OSError, ValueError) as exc:
        raise _UsageError(f"recmech report: --scheduler {args.scheduler}: {exc}") from None
    progress = _progress(f"report (profile {args.profile}, {len(tasks)} runs, engine "
                         f"{engine.name})", to_stdout)

    def chunk_progress(task, result, done: int, total: int) -> None:
        progress(f"chunk {task.claim_id} #{task.index}"
                 + (" raised" if result.error else ""), done, total)

    progress("starting", 0, len(ids))
    try:
        rows = run_report(ids, args.profile, engine, progress.report_row, args.reading,
                          results=None if results is None else str(results), resume=resume,
                          chunk_progress=chunk_progress)
    except ValueError as exc:
        raise _UsageError(f"recmech report: {exc}") from None
    finally:
        engine.close()
        progress.close()
    for r in rows:
        if r.error:
            print(f"{r.claim_id} raised:\n{r.error}", file=sys.stderr)
    problems = report_problems(rows)
    if to_stdout:
        _write_json(None, True, report_payload(rows, args.profile))
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
    _write_json(out, False, report_payload(rows, args.profile))
    return 0 if not problems else 1


# -- bench ----------------------------------------------------------------------------------------

def _fmt_bench(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}"


def _bench(args: argparse.Namespace) -> int:
    out, to_stdout = _json_option(args, "recmech bench")
    from recmech.core.bench import NOTES, run_bench
    from recmech.properties.render import markdown_table

    progress = _progress("bench" + (" --quick" if args.quick else ""), to_stdout)
    try:
        run = run_bench(args.quick, progress=progress)
    finally:
        progress.close()
    if to_stdout:
        _write_json(None, True, run.to_dict())
        return 0
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
        print(f"\n--quick: {run.rounds} rounds, the query table at N = "
              f"{run.details.get('query_N', 0):,}, optimal LP solves up to g = 40.")
    print("\n" + NOTES)
    print(f"\ntotal {run.seconds:.0f} s")
    _write_json(out, False, run.to_dict())
    return 0


# -- selftest ------------------------------------------------------------------------------------

def _selftest(args: argparse.Namespace) -> int:
    from recmech.properties.selftest import SeedRun, selftest, summary

    _positive("selftest", "--seeds", args.seeds, whole=True)
    _positive("selftest", "--timeout", args.timeout)
    out, to_stdout = _json_option(args, "recmech selftest")
    status = _progress(f"selftest (--seeds {args.seeds})", to_stdout)

    def progress(run: SeedRun, done: int, total: int) -> None:
        status(f"seed {run.seed} {run.suite}: {'passed' if run.passed else 'FAILED'} "
               f"({run.seconds:.0f} s)", done, total)

    try:
        runs = selftest(args.seeds, args.timeout, progress=progress)
    finally:
        status.close()
    if to_stdout:
        _write_json(None, True, [r.to_dict() for r in runs])
    else:
        print(summary(runs))
        _write_json(out, False, [r.to_dict() for r in runs])
    return 0 if all(r.passed for r in runs) else 1


# -- chunks ---------------------------------------------------------------------------------------

def _chunks(args: argparse.Namespace) -> int:
    out, to_stdout = _json_option(args, "recmech chunks")
    from recmech.properties.engine import chunk_times, projected_wall
    from recmech.properties.render import markdown_table

    try:
        profile, times = chunk_times(args.results)
    except ValueError as exc:
        raise _UsageError(f"recmech chunks: {exc}") from None
    if not times:
        raise _UsageError(f"recmech chunks: {args.results} holds no completed chunk")
    seconds = sorted(t.seconds for t in times)
    longest = max(times, key=lambda t: t.seconds)
    total = sum(seconds)
    rows = []
    for w in args.workers:
        wall, lower = projected_wall(seconds, w)
        rows.append({"workers": w, "projected_seconds": wall, "lower_bound_seconds": lower,
                     "speedup": total / wall})
    payload = {"results": args.results, "profile": profile, "chunks": len(seconds),
               "total_seconds": total, "longest": longest.__dict__,
               "median_seconds": seconds[len(seconds) // 2],
               "p90_seconds": seconds[min(len(seconds) - 1, int(0.9 * len(seconds)))],
               "projections": rows}
    if to_stdout:
        _write_json(None, True, payload)
        return 0
    print(f"{args.results} (profile {profile}): {len(seconds)} chunks, {total:.0f} s of chunk "
          f"time; longest {longest.seconds:.1f} s ({longest.claim_id} #{longest.index}), "
          f"median {payload['median_seconds']:.2f} s, 90th percentile "
          f"{payload['p90_seconds']:.2f} s.\n")
    print(markdown_table(["workers", "projected wall (s)", "no schedule beats (s)", "speedup"],
                         [[r["workers"], f"{r['projected_seconds']:.0f}",
                           f"{r['lower_bound_seconds']:.0f}", f"{r['speedup']:.2f}"]
                          for r in rows]))
    print("\nProjected: longest-processing-time-first list schedule of the file's chunk times "
          "(each measured on its worker); planning and merging come on top.")
    _write_json(out, False, payload)
    return 0


# -- plot -----------------------------------------------------------------------------------------

def _plot(args: argparse.Namespace) -> int:
    from recmech.properties.figures import FIGURES

    spec = FIGURES[args.figure]
    command = f"recmech plot {spec.name}"
    fig_out = _writable(args.out or f"{spec.name}.pdf", "--out", (".pdf", ".svg", ".png"),
                        command)
    out, to_stdout = _json_option(args, command)
    opts = {o.name: getattr(args, o.name) for o in spec.options}
    for o in spec.options:
        values = opts[o.name] if isinstance(opts[o.name], tuple) else (opts[o.name],)
        if o.type in ("int", "ints", "float") and o.name != "seed":
            for v in values:
                _positive(f"plot {spec.name}", f"--{o.name.replace('_', '-')}", v,
                          whole=o.type != "float")
    if opts.get("seed", 0) < 0:
        raise _UsageError(f"recmech plot {spec.name}: --seed must be >= 0; found {opts['seed']}")
    if "N" in opts:
        for n in opts["N"] if isinstance(opts["N"], tuple) else (opts["N"],):
            _check_design_size(f"plot {spec.name}", n, opts["k"])
    if spec.name == "mechanism" and any(e < 0 or e >= 0.7 for e in opts["eps1"]):
        raise _UsageError("recmech plot mechanism: --eps1 values must lie in [0, 0.7)")
    from recmech.properties.plots import draw, save

    progress = _progress(f"plot {spec.name}", to_stdout)
    try:
        data = spec.build(**opts, progress=progress)
    except ValueError as exc:
        raise _UsageError(f"recmech plot {spec.name}: {str(exc).splitlines()[0]}") from None
    finally:
        progress.close()
    save(data, fig_out, draw(data))
    _write_json(out, to_stdout, data.to_dict())
    if not to_stdout:
        print(f"wrote {fig_out}: {data.title}\n{data.caption}")
    return 0


# -- the parser -----------------------------------------------------------------------------------

def _add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action=_Once, metavar="PATH", default=None,
                        help=f"also write {what} as JSON to PATH (checked before any work); "
                        "'-': only the JSON, on stdout")


_TYPES: dict[str, Callable[[str], Any]] = {"int": _whole, "float": float, "str": str}


def _list_type(name: str, whole: bool) -> Callable[[str], tuple]:
    def parse(text: str) -> tuple:
        return _number_list(text, f"--{name}", whole)

    return parse


def _plot_parsers(sub, add) -> None:
    from recmech.properties.figures import FIGURES

    plot = sub.add_parser("plot", help="figures for a paper: " + ", ".join(FIGURES),
                          description="Draw a figure (matplotlib, headless): its numbers come "
                          "from the packages, its caption names the instance and seed. "
                          "recmech plot NAME --help: the figure's options.")
    figs = plot.add_subparsers(dest="figure", metavar="NAME", parser_class=_Parser,
                               required=True)
    for spec in FIGURES.values():
        p = add(figs, spec.name, spec.package, help=spec.help, description=spec.help + ".")
        for o in spec.options:
            conv = _list_type(o.name, o.type == "ints") if o.type in ("ints", "floats") \
                else _TYPES[o.type]
            p.add_argument(f"--{o.name.replace('_', '-')}", dest=o.name, action=_Once,
                           type=conv, default=o.default, choices=o.choices or None,
                           metavar=o.metavar, help=o.help)
        p.add_argument("--out", action=_Once, metavar="FILE", default=None,
                       help=f"the figure file: .pdf or .svg (vector) or .png (300 dpi); "
                       f"default {spec.name}.pdf")
        _add_json(p, "the plotted numbers")
        p.set_defaults(run=_plot)


def build_parser() -> _Parser:
    """The one argparse parser of ``recmech`` (subcommands, their options and help)."""
    from recmech.properties.profiles import PROFILES
    from recmech.properties.render import FORMATS

    parser = _Parser(prog="recmech", description="Executable, verified theory for Cai & "
                     "Daskalakis, 'Recommender Systems meet Mechanism Design' (EC'22). "
                     "recmech COMMAND --help: a command's options.")
    parser.add_argument("--version", action="version", version=f"recmech {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parser.commands = []  # (subparser, description, package): the CLI map of the README

    def add(group, name: str, package: str, **kw) -> _Parser:
        child = group.add_parser(name, **kw)
        parser.commands.append((child, kw["description"], package))
        return child

    demo = add(sub, "demo", "recmech.core (demo, experiment)",
               help="Thm. 2's query protocols on a bidder population (--mechanism: "
               "Algorithm 1 vs no robustification)",
               description="Thm. 2's query protocols, one row per setting, on one bidder "
               f"population (default N = {DEMO_DEFAULTS['N']:,} items, k = "
               f"{DEMO_DEFAULTS['k']}), and the certified protocol at the Gaussian set's "
               "certified delta: queries used vs naive, observed latent error vs the "
               "a-priori and certified delta. --mechanism: the mechanism "
               "experiment (revenue and IR against eps1, M_hat fed Q(t) directly vs "
               "Algorithm 1).")
    _once_flag(demo, "--mechanism", help="run the mechanism experiment instead")
    d = DEMO_DEFAULTS
    demo.add_argument("--N", type=_whole, action=_Once,
                      help=f"number of items (default {d['N']}; 1e5 notation accepted)")
    demo.add_argument("--k", type=_whole, action=_Once,
                      help=f"latent dimension (default {d['k']})")
    demo.add_argument("--eps", type=float, action=_Once,
                      help=f"type accuracy eps = eta (default {d['eps']})")
    demo.add_argument("--bidders", type=_whole, action=_Once,
                      help=f"bidders per setting (default {d['bidders']})")
    demo.add_argument("--seed", type=int, action=_Once,
                      help=f"random seed (default {d['seed']})")
    demo.add_argument("--perturbation", choices=("adversarial", "uniform", "none"),
                      action=_Once, help="how types deviate from Az within eps (default "
                      f"{d['perturbation']})")
    demo.add_argument("--eps1", action=_Once, metavar="E1,E2,...", type=_list_type("eps1", False),
                      help="with --mechanism: the corruption levels (default 0,0.01,0.02,0.05,"
                      "0.1)")
    _add_json(demo, "the rows")
    demo.set_defaults(run=_demo)

    table = add(sub, "table", "recmech.bounds (table)", add_help=False,
                help="bound tables for every claim id (CLAIM --help: its parameters)",
                description="Bound tables: one row per point of the --grid product, with the "
                "claim's values and the status of its hypotheses; --plot draws a column. No "
                "CLAIM_ID: the headline table of Thm. 2 (k in {2, 8, 32}, eps in {1e-2, 1e-3, "
                "1e-4}, each setting). recmech table CLAIM --help lists a claim's parameters, "
                "types, defaults and conveniences.")
    table.add_argument("-h", "--help", action="store_true",
                       help="show this help (with CLAIM_ID: the claim's parameters) and exit")
    table.add_argument("claim_id", nargs="?", metavar="CLAIM_ID",
                       help="a claim id, e.g. theorem2.gaussian (recmech claims lists them)")
    table.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="a parameter: 8, 1e-3, a list 1,1,1 or [1,1,1], a matrix 2,1;1,3 or "
                       "[[2,1],[1,3]] (a number for a matrix is 1 x 1: C=-1), true/false; "
                       "repeatable, each NAME once")
    table.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...",
                       help="grid values of a scalar parameter; repeatable: the rows are the "
                       "cartesian product")
    table.add_argument("--format", choices=FORMATS, default="md", action=_Once,
                       help="md (default), csv (exact floats), json (the records), latex")
    table.add_argument("--plot", action=_Once, metavar="FILE",
                       help="also draw --y over a --grid parameter to FILE (.pdf, .svg, .png)")
    table.add_argument("--x", action=_Once, metavar="NAME",
                       help="with --plot: the --grid parameter on the x axis (default: the "
                       "first)")
    table.add_argument("--y", action=_Once, metavar="COLUMN",
                       help="with --plot: the column to draw (e.g. delta, log_failure_prob)")
    table.set_defaults(run=_table, parser=table)

    claims = add(sub, "claims", "recmech.properties (claims)",
                 help="every claim id with its paper place and verdicts (CLAIM: its statement "
                 "and parameters)",
                 description="Every claim id with its paper place, the verdict the claim table "
                 "expects and, with --report, the last verdict; with CLAIM_ID: its statement, "
                 "parameters (types, defaults, conveniences), erratum and proof gap.")
    claims.add_argument("claim_id", nargs="?", metavar="CLAIM_ID")
    claims.add_argument("--report", action=_Once, metavar="PATH",
                        help="a `recmech report --json PATH` file: show its verdicts as the "
                        "last verdicts")
    claims.add_argument("--format", choices=("md", "json"), default="md", action=_Once)
    claims.set_defaults(run=_claims)

    report = add(sub, "report", "recmech.properties (report)",
                 help="run every claim check and print the report card",
                 description="Run every claim check (or --claims) and print the report card; "
                 "exit 0 when every verdict is the one the claim table expects, 1 otherwise.",
                 epilog=REPORT_COLUMNS)
    report.add_argument("--profile", choices=PROFILES, default="quick", action=_Once,
                        help="quick (default, deterministic), dev or thorough (large sweeps)")
    _add_json(report, "the records")
    report.add_argument("--jobs", type=int, default=1, action=_Once,
                        help="worker processes (>= 1; default 1)")
    report.add_argument("--claims", default=None, metavar="ID,ID", action=_Once,
                        help="only these claim ids (comma-separated)")
    report.add_argument("--reading", default=None, metavar="NAME", action=_Once,
                        help="only the runs under this reading of an open definition "
                        "(e.g. product-support, all-real)")
    _once_flag(report, "--graph", help="also print the claim graph with each claim's verdicts")
    report.add_argument("--scheduler", default=None, metavar="ADDRESS", action=_Once,
                        help="run the chunks on Dask: a scheduler address (tcp://HOST:8786), "
                        "or 'local' for a local cluster of --jobs workers "
                        "(pip install 'recmech[dask]')")
    report.add_argument("--results", default=None, metavar="PATH", action=_Once,
                        help="keep every completed chunk in this JSON-lines file (started "
                        "anew; each line sealed with the version, a fingerprint of the check "
                        "and a checksum; one run writes a file at a time)")
    report.add_argument("--resume", default=None, metavar="PATH", action=_Once,
                        help="finish a run from its results file: only the missing chunks run, "
                        "and they are appended to it (a foreign or edited line is refused by "
                        "its number; a partial last line is cut and rerun)")
    report.set_defaults(run=_report)

    bench = add(sub, "bench", "recmech.core (bench)",
                help="performance ratios (N-independence, LP, Monte Carlo)",
                description="The performance ratios (time per bidder at N = 10^7 over 10^3, "
                "queries over the minimum for Thm. 2's sets and the certified protocol, protocol "
                "over bare numpy, batched Monte Carlo, exact Prokhorov, the optimal LP, peak "
                "memory), measured side by side in one run.")
    _add_json(bench, "the rows and the machine")
    _once_flag(bench, "--quick", help="fewer rounds, the query table at N = 3 x 10^5, LP "
               "solves up to g = 40")
    bench.set_defaults(run=_bench)

    selftest = add(sub, "selftest", "recmech.properties (selftest)",
                   help="the property tests under N hypothesis seeds",
                   description="Run the property tests under the dev profile with hypothesis "
                   "seeds 1..N; report every failure with its seed.")
    selftest.add_argument("--seeds", type=_whole, default=5, action=_Once,
                          help="number of seeds (default 5)")
    selftest.add_argument("--timeout", type=float, default=1800.0, action=_Once,
                          help="seconds per run (default 1800)")
    _add_json(selftest, "the runs")
    selftest.set_defaults(run=_selftest)
    chunks = add(sub, "chunks", "recmech.properties (engine)",
                 help="chunk times of a results file and the wall time projected for N workers",
                 description="Read a `recmech report --results FILE` file: the chunks' time "
                 "distribution and the wall time projected for each --workers count (a "
                 "longest-first schedule of the measured chunk times), to size a cluster.")
    chunks.add_argument("results", metavar="RESULTS",
                        help="a results file written by recmech report --results")
    chunks.add_argument("--workers", action=_Once, metavar="N1,N2,...",
                        type=_list_type("workers", True), default=(1, 2, 8, 32),
                        help="worker counts to project (default 1,2,8,32)")
    _add_json(chunks, "the distribution and projections")
    chunks.set_defaults(run=_chunks)

    _plot_parsers(sub, add)
    return parser


def command_map() -> list[tuple[str, str, str]]:
    """Every command of ``recmech`` (``plot NAME`` included): (usage line, what it does, the
    package that computes it), in the order of ``recmech --help``."""
    rows = []
    for child, description, package in build_parser().commands:
        usage = " ".join(child.format_usage().split()).removeprefix("usage: ")
        rows.append((usage.replace(" [-h]", ""), description, package))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """``recmech [--version] COMMAND [args]``; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.command is None:
            parser.print_help()
            return 2
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except _UsageError as exc:
        print(str(exc).splitlines()[0], file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except KeyboardInterrupt:
        print("recmech: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `recmech table ... | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
