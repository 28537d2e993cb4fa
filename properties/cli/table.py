"""``recmech table``: bound tables for every claim id over a grid of parameters
(``recmech.bounds.table``, typed by ``recmech.properties.report.parameters``).
"""

from __future__ import annotations

import argparse
import sys

from recmech.properties.cli.common import (
    Once,
    UsageError,
    once_flag,
    progress_for,
    writable,
)

__all__ = ["register"]


def _table_help(parser: argparse.ArgumentParser, claim_id: str | None) -> int:
    from recmech.properties.report.parameters import describe_claim

    if claim_id is not None:
        from recmech.bounds.registry import claim_ids

        if claim_id not in claim_ids():
            raise UsageError(f"recmech table: unknown claim id {claim_id!r}; valid ids: "
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
    from recmech.properties.report.parameters import ParameterError

    if args.help:
        return _table_help(args.parser, args.claim_id)
    plot = writable(args.plot, "--plot", (".pdf", ".svg", ".png"), "recmech table")
    if args.claim_id is None:
        if args.param or args.grid or plot or args.x or args.y:
            raise UsageError("recmech table: --param, --grid and --plot need a CLAIM_ID "
                              "(recmech claims lists them)")
        from recmech.bounds.headline import headline_rows
        from recmech.properties.report.render import dict_table

        print(dict_table(headline_rows(), args.format))
        return 0
    if plot is None and (args.x or args.y or args.no_caption):
        raise UsageError("recmech table: --x, --y and --no-caption choose what --plot FILE "
                          "draws; give --plot")
    if plot is not None and not args.grid:
        raise UsageError("recmech table: --plot draws a column over a --grid parameter; give "
                          "--grid NAME=V1,V2,...")
    if plot is not None and args.y is None:
        raise UsageError("recmech table: --plot needs --y COLUMN (a column of the table, e.g. "
                          "delta)")
    from recmech.properties.report.parameters import evaluate, parse_assignments
    from recmech.properties.report.render import dict_table

    try:
        values, points = parse_assignments(args.claim_id, args.param, args.grid)
        if args.x is not None and args.x not in points:
            raise ParameterError(f"--x {args.x}: not a --grid parameter; grid: "
                                 f"{', '.join(points)}")
        progress = progress_for("table", args.format == "json" and plot is None)
        try:
            rows, records = evaluate(args.claim_id, values, points, progress=progress)
        finally:
            progress.close()
    except ParameterError as exc:
        raise UsageError(f"recmech table: {exc}") from None
    if plot is not None:
        from recmech.properties.report.plots import save, table_figure

        command = "recmech table " + " ".join(
            [args.claim_id, *(f"--param {p}" for p in args.param),
             *(f"--grid {g}" for g in args.grid)])
        try:
            data = table_figure(args.claim_id, rows, args.x or next(iter(points)),
                                [c.strip() for c in args.y.split(",") if c.strip()], command)
        except ValueError as exc:
            raise UsageError(f"recmech table: {exc}") from None
        save(data, plot, caption=not args.no_caption)
        print(f"recmech table: wrote {plot}", file=sys.stderr)
    print(dict_table(rows, args.format, records))
    return 0


def register(sub, add) -> None:
    """the ``table`` subcommand's parser."""
    from recmech.properties.report.render import FORMATS

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
                       help="grid values of a scalar parameter (A..B: the whole numbers A to "
                       "B); repeatable: the rows are the cartesian product (at most 10^6 rows)")
    table.add_argument("--format", choices=FORMATS, default="md", action=Once,
                       help="md (default), csv (exact floats), json (the records), latex")
    table.add_argument("--plot", action=Once, metavar="FILE",
                       help="also draw --y over a --grid parameter to FILE (.pdf, .svg, .png)")
    table.add_argument("--x", action=Once, metavar="NAME",
                       help="with --plot: the --grid parameter on the x axis (default: the "
                       "first)")
    table.add_argument("--y", action=Once, metavar="COLUMN[,COLUMN...]",
                       help="with --plot: the column(s) to draw, overlaid (e.g. "
                       "log_failure_prob,corrected_log_failure_prob,log_exact_prob)")
    once_flag(table, "--no-caption", help="with --plot: no title and no caption in the image")
    table.set_defaults(run=_table, parser=table)
