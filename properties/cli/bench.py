"""``recmech bench``: the performance ratios, measured side by side in one run
(``recmech.core.bench``).
"""

from __future__ import annotations

import argparse

from recmech.properties.cli.common import (
    add_json,
    json_option,
    once_flag,
    progress_for,
    write_json,
)

__all__ = ["register"]


def _fmt_bench(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}"


def _bench(args: argparse.Namespace) -> int:
    out, to_stdout = json_option(args, "recmech bench")
    from recmech.core.bench import NOTES, run_bench
    from recmech.properties.report.render import markdown_table

    progress = progress_for("bench" + (" --quick" if args.quick else ""), to_stdout)
    try:
        run = run_bench(args.quick, progress=progress)
    finally:
        progress.close()
    if to_stdout:
        write_json(None, True, run.to_dict())
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
    write_json(out, False, run.to_dict())
    return 0


def register(sub, add) -> None:
    """the ``bench`` subcommand's parser."""
    bench = add(sub, "bench", "recmech.core (bench)",
                help="performance ratios (N-independence, LP, Monte Carlo)",
                description="The performance ratios (time per bidder at N = 10^7 over 10^3, "
                "queries over the minimum for Thm. 2's sets and the certified protocol, protocol "
                "over bare numpy, batched Monte Carlo, exact Prokhorov, the optimal LP, peak "
                "memory), measured side by side in one run.")
    add_json(bench, "the rows and the machine")
    once_flag(bench, "--quick", help="fewer rounds, the query table at N = 3 x 10^5, LP "
               "solves up to g = 40")
    bench.set_defaults(run=_bench)
