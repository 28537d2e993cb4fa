"""``recmech plot NAME``: the paper-ready figures (``recmech.properties.report.figures``).
"""

from __future__ import annotations

import argparse

from recmech.properties.cli.common import (
    TYPES,
    Once,
    Parser,
    UsageError,
    add_json,
    check_bidders,
    check_design_size,
    check_eps,
    check_lp_grid,
    json_option,
    list_type,
    once_flag,
    positive,
    progress_for,
    writable,
    write_json,
)

__all__ = ["register"]


def _plot(args: argparse.Namespace) -> int:
    from recmech.properties.report.figures import FIGURES

    spec = FIGURES[args.figure]
    command = f"recmech plot {spec.name}"
    fig_out = writable(args.out or f"{spec.name}.pdf", "--out", (".pdf", ".svg", ".png"),
                        command)
    out, to_stdout = json_option(args, command)
    opts = {o.name: getattr(args, o.name) for o in spec.options}
    for o in spec.options:
        values = opts[o.name] if isinstance(opts[o.name], tuple) else (opts[o.name],)
        if o.type in ("int", "ints", "float") and o.name != "seed":
            for v in values:
                positive(f"plot {spec.name}", f"--{o.name.replace('_', '-')}", v,
                          whole=o.type != "float")
    if opts.get("seed", 0) < 0:
        raise UsageError(f"recmech plot {spec.name}: --seed must be >= 0; found {opts['seed']}")
    if "N" in opts:
        for n in opts["N"] if isinstance(opts["N"], tuple) else (opts["N"],):
            check_design_size(f"plot {spec.name}", n, opts["k"])
    if "eps" in opts:
        check_eps(f"plot {spec.name}", opts["eps"])
    if "bidders" in opts:
        check_bidders(f"plot {spec.name}", opts["bidders"])
    if spec.name == "lp":
        check_lp_grid("plot lp", opts["grid"])
    if spec.name == "mechanism" and any(e < 0 or e >= 0.7 for e in opts["eps1"]):
        raise UsageError("recmech plot mechanism: --eps1 values must lie in [0, 0.7)")
    from recmech.properties.report.plots import draw, save

    progress = progress_for(f"plot {spec.name}", to_stdout)
    try:
        data = spec.build(**opts, progress=progress)
    except ValueError as exc:
        raise UsageError(f"recmech plot {spec.name}: {str(exc).splitlines()[0]}") from None
    finally:
        progress.close()
    save(data, fig_out, draw(data, caption=not args.no_caption))
    write_json(out, to_stdout, data.to_dict())
    if not to_stdout:  # without the caption in the image, the words are still here to copy
        print(f"wrote {fig_out}: {data.title}\n{data.caption}")
    return 0


def register(sub, add) -> None:
    """the ``plot`` subcommand and one parser per figure"""
    from recmech.properties.report.figures import FIGURES

    plot = sub.add_parser("plot", help="figures for a paper: " + ", ".join(FIGURES),
                          description="Draw a figure (matplotlib, headless): its numbers come "
                          "from the packages, its caption names the instance and seed. "
                          "recmech plot NAME --help: the figure's options.")
    figs = plot.add_subparsers(dest="figure", metavar="NAME", parser_class=Parser,
                               required=True)
    for spec in FIGURES.values():
        p = add(figs, spec.name, spec.package, help=spec.help, description=spec.help + ".")
        for o in spec.options:
            conv = list_type(o.name, o.type == "ints") if o.type in ("ints", "floats") \
                else TYPES[o.type]
            p.add_argument(f"--{o.name.replace('_', '-')}", dest=o.name, action=Once,
                           type=conv, default=o.default, choices=o.choices or None,
                           metavar=o.metavar, help=o.help)
        p.add_argument("--out", action=Once, metavar="FILE", default=None,
                       help=f"the figure file: .pdf or .svg (vector) or .png (300 dpi); "
                       f"default {spec.name}.pdf")
        once_flag(p, "--no-caption", help="no title and no caption in the image (a paper "
                  "writes its own; they are still printed)")
        add_json(p, "the plotted numbers")
        p.set_defaults(run=_plot)
