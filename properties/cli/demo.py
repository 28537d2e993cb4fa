"""``recmech demo``: Thm. 2's query protocols on a bidder population, or (``--mechanism``)
the mechanism experiment (Algorithm 1 against no robustification).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from recmech.properties.cli.common import (
    Once,
    UsageError,
    add_json,
    check_bidders,
    check_design_size,
    check_eps,
    given,
    json_option,
    list_type,
    once_flag,
    positive,
    progress_for,
    whole,
    write_json,
)

__all__ = ["DEMO_DEFAULTS", "register"]


DEMO_DEFAULTS = {"N": 100_000, "k": 8, "eps": 0.01, "bidders": 20, "seed": 0,
                  "perturbation": "adversarial"}


def _fmt_demo(value) -> str:
    if value is None:
        return "n/a (hypothesis fails)"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _fmt_delta(value) -> str:
    """A delta; one of 1 or more is vacuous: every estimate in [0,1]^k is within 1 of z."""
    return _fmt_demo(value) + (" (vacuous)" if value is not None and value >= 1 else "")


def _demo(args: argparse.Namespace) -> int:
    out, to_stdout = json_option(args, "recmech demo")
    if args.mechanism:
        return _demo_mechanism(args, out, to_stdout)
    if given(args, "eps1"):
        raise UsageError("recmech demo: --eps1 applies to --mechanism only")
    opts = {k: (v if getattr(args, k) is None else getattr(args, k))
            for k, v in DEMO_DEFAULTS.items()}
    for name in ("N", "k", "bidders"):
        positive("demo", f"--{name}", opts[name], whole=True)
    positive("demo", "--eps", opts["eps"])
    check_eps("demo", opts["eps"])
    if opts["seed"] < 0:
        raise UsageError(f"recmech demo: --seed must be >= 0; found {opts['seed']}")
    check_design_size("demo", opts["N"], opts["k"])
    check_bidders("demo", opts["bidders"])
    from recmech.core.demo import run_demo
    from recmech.properties.report.render import markdown_table

    progress = progress_for("demo", to_stdout)
    try:
        rows = run_demo(opts["N"], opts["k"], opts["eps"], opts["bidders"], opts["seed"],
                        opts["perturbation"], progress=progress)
    except ValueError as exc:
        raise UsageError(f"recmech demo: {str(exc).splitlines()[0]}") from None
    finally:
        progress.close()
    payload = {**opts, "rows": [r.to_dict() for r in rows]}
    if to_stdout:
        write_json(None, True, payload)
        return 0
    print(f"Thm. 2 query protocols: N={opts['N']:,} items, k={opts['k']}, eps={opts['eps']}, "
          f"eta=eps, {opts['bidders']} bidders per setting, types within eps of Az "
          f"({opts['perturbation']} perturbation), truthful price answers, seed {opts['seed']}."
          "\n")
    print(markdown_table(
        ["setting", "items queried", "queries / bidder", "naive queries (N x q)",
         "max latent error", "a-priori delta", "certified delta", "ms / bidder"],
        [[_fmt_demo(r.setting), *(_fmt_demo(c) for c in (r.items_queried, r.queries,
                                                          r.naive_queries, r.max_latent_error)),
          _fmt_delta(r.a_priori_delta), _fmt_delta(r.certified_delta),
          _fmt_demo(r.ms_per_bidder)] for r in rows]))
    print("\nnaive = querying every item with the same binary search; a-priori delta is the "
          "paper's (probabilistic for Gaussian/weak dependence); certified = "
          "||(B^T B)^-1 B^T||_inf (eps + eta) of the queried block; a delta marked (vacuous) is "
          ">= 1, which says nothing since z lies in [0,1]^k.")
    write_json(out, False, payload)
    return 0


def _demo_mechanism(args: argparse.Namespace, out: Path | None, to_stdout: bool) -> int:
    extra = [f"--{k}" for k in DEMO_DEFAULTS if getattr(args, k) is not None]
    if extra:
        raise UsageError(f"recmech demo: {', '.join(extra)} do(es) not apply to --mechanism "
                          "(its instance is fixed; --eps1 sets the corruption levels)")
    if args.eps1 is not None and any(e < 0 or e >= 0.7 for e in args.eps1):
        raise UsageError("recmech demo: --eps1 values must lie in [0, 0.7) (the model's top "
                          "type has mass 0.7)")
    from recmech.core.experiment import EPS1_VALUES, run
    from recmech.properties.report.render import markdown_table

    rows = run(tuple(sorted(set(args.eps1 if args.eps1 is not None else EPS1_VALUES))))
    if to_stdout:
        write_json(None, True, [r.to_dict() for r in rows])
        return 0
    print(markdown_table(
        ["corruption", "eps1", "d_P", "delta", "REV(M_hat)", "REV (a)", "kappa (a)",
         "min u (a)", "REV Alg.1", "kappa Alg.1", "min u Alg.1"],
        [[r.corruption, f"{r.eps1:g}", f"{r.prokhorov:.4f}", f"{r.delta:.3f}",
          f"{r.rev_hat:.4f}", f"{r.rev_direct:.4f}", f"{r.kappa_direct:.4f}",
          f"{r.min_util_direct:.4f}", f"{r.rev_alg1:.4f}", f"{r.kappa_alg1:.4f}",
          f"{r.min_util_alg1:.4f}"] for r in rows]))
    write_json(out, False, [r.to_dict() for r in rows])
    return 0


def register(sub, add) -> None:
    """the ``demo`` subcommand's parser."""
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
    once_flag(demo, "--mechanism", help="run the mechanism experiment instead")
    d = DEMO_DEFAULTS
    demo.add_argument("--N", type=whole, action=Once,
                      help=f"number of items (default {d['N']}; 1e5 notation accepted)")
    demo.add_argument("--k", type=whole, action=Once,
                      help=f"latent dimension (default {d['k']})")
    demo.add_argument("--eps", type=float, action=Once,
                      help=f"type accuracy eps = eta (default {d['eps']})")
    demo.add_argument("--bidders", type=whole, action=Once,
                      help=f"bidders per setting (default {d['bidders']})")
    demo.add_argument("--seed", type=int, action=Once,
                      help=f"random seed (default {d['seed']})")
    demo.add_argument("--perturbation", choices=("adversarial", "uniform", "none"),
                      action=Once, help="how types deviate from Az within eps (default "
                      f"{d['perturbation']})")
    demo.add_argument("--eps1", action=Once, metavar="E1,E2,...", type=list_type("eps1", False),
                      help="with --mechanism: the corruption levels (default 0,0.01,0.02,0.05,"
                      "0.1)")
    add_json(demo, "the rows")
    demo.set_defaults(run=_demo)
