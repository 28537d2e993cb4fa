"""``recmech chunks``: chunk times of a results file and the wall time projected for N workers.
"""

from __future__ import annotations

import argparse

from recmech.properties.cli.common import (
    Once,
    UsageError,
    add_json,
    json_option,
    list_type,
    write_json,
)

__all__ = ["register"]


def _chunks(args: argparse.Namespace) -> int:
    out, to_stdout = json_option(args, "recmech chunks")
    from recmech.properties.engine.run import chunk_times, projected_wall
    from recmech.properties.report.render import markdown_table

    try:
        profile, times = chunk_times(args.results)
    except ValueError as exc:
        raise UsageError(f"recmech chunks: {exc}") from None
    if not times:
        raise UsageError(f"recmech chunks: {args.results} holds no completed chunk")
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
        write_json(None, True, payload)
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
    write_json(out, False, payload)
    return 0


def register(sub, add) -> None:
    """the ``chunks`` subcommand's parser."""
    chunks = add(sub, "chunks", "recmech.properties (engine)",
                 help="chunk times of a results file and the wall time projected for N workers",
                 description="Read a `recmech report --results FILE` file: the chunks' time "
                 "distribution and the wall time projected for each --workers count (a "
                 "longest-first schedule of the measured chunk times), to size a cluster.")
    chunks.add_argument("results", metavar="RESULTS",
                        help="a results file written by recmech report --results")
    chunks.add_argument("--workers", action=Once, metavar="N1,N2,...",
                        type=list_type("workers", True), default=(1, 2, 8, 32),
                        help="worker counts to project (default 1,2,8,32)")
    add_json(chunks, "the distribution and projections")
    chunks.set_defaults(run=_chunks)
