"""The figures of ``recmech plot``: each one's numbers computed by the package that owns them.

Each builder returns a ``recmech.properties.report.plots.FigureData`` (drawn and saved by
``recmech.properties.report.plots``); ``FIGURES`` registers them with their command-line options.

- ``lemma7``: Lemma 7's upper tail, exact Pr[chi2_n >= 2n] (D = I_n) against the printed bound
  exp(-Tr D/(4 d_max)) and the corrected exp(-Tr D/(8 d_max)) over Tr(D)/d_max, and the ratio
  exact / printed, which crosses 1 at n = 24 (``recmech.bounds``, lemma7.upper_tail);
- ``queries``: price queries per bidder against N, each Thm. 2 protocol against the naive N q
  (``recmech.core.demo``, counted at the oracle);
- ``accuracy``: observed latent error, certified delta and the paper's a-priori delta per
  setting (``recmech.core.demo``);
- ``mechanism``: revenue and the least interim utility of a truthful type against eps1, M_hat
  fed Q(t) directly against Algorithm 1 (``recmech.core.experiment``);
- ``queries-vs-delta``: price queries per bidder against the certified delta, the theorem's
  item set, the certified bisection protocol, the adaptive protocol and the packing bound
  (``recmech.core.bench_queries.delta_sweep``);
- ``lp``: the revenue-optimal LP mechanism (one bidder, two items) on a latent grid: the
  probability of each item and the payment per type (``recmech.core.optimal``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recmech.properties.report.plots import (
    COLORS,
    LOG10,
    MARKERS,
    FigureData,
    Image,
    Panel,
    Series,
    floats,
)

__all__ = ["EPS1_GRID", "FIGURES", "IC_TOL", "VALUATIONS", "FigureSpec", "Option",
           "SETTING_NAMES", "accuracy_figure", "lemma7_figure", "lp_figure", "mechanism_figure",
           "power_label", "queries_figure", "queries_vs_delta_figure", "setting_name"]

# progress(what, done, total), called before each step of a long figure
Progress = Callable[[str, int, int], None] | None


# -- lemma7 ---------------------------------------------------------------------------------------

def lemma7_figure(max_ratio: int = 60, progress: Progress = None) -> FigureData:
    """Lemma 7, upper tail, D = I_n for n = 1..max_ratio: exact log Pr[chi2_n >= 2n], printed
    -n/4, corrected -n/8 (natural logs from ``recmech.bounds``, lemma7.upper_tail)."""
    from recmech.bounds.registry import compute

    if max_ratio < 2:
        raise ValueError(f"max_ratio must be >= 2; found {max_ratio}")
    ns = list(range(1, max_ratio + 1))
    exact, printed, corrected = [], [], []
    for n in ns:
        rec = compute("lemma7.upper_tail", trace_d=n, d_max=1, isotropic=True)
        exact.append(rec.log_values["exact_prob"])
        printed.append(rec.log_values["failure_prob"])
        corrected.append(rec.corrected["log_failure_prob"])
    ratio = [math.exp(e - p) for e, p in zip(exact, printed, strict=True)]
    fails = [n for n, r in zip(ns, ratio, strict=True) if r > 1]
    first = min(fails) if fails else None
    x = tuple(float(n) for n in ns)
    tails = Panel(
        title="(a) tail and bounds", xlabel=r"Tr(D) / $d_{max}$  (D = $I_n$: n)",
        ylabel=r"Pr[$\|Vx\|^2 \geq 2\,$Tr D]  " + LOG10, yscale="log",
        series=(Series(label=r"exact Pr[$\chi^2_n \geq 2n$]", x=x,
                       y=floats(math.exp(v) for v in exact), color=COLORS[0], marker=""),
                Series(label=r"printed bound $e^{-\mathrm{Tr} D/(4 d_{max})}$", x=x,
                       y=floats(math.exp(v) for v in printed), color=COLORS[1], style="--",
                       marker=""),
                Series(label=r"corrected $e^{-\mathrm{Tr} D/(8 d_{max})}$", x=x,
                       y=floats(math.exp(v) for v in corrected), color=COLORS[2], style=":",
                       marker="")))
    crossing = Panel(
        title="(b) exact tail over the printed bound", xlabel=tails.xlabel,
        ylabel="exact / printed bound " + LOG10, yscale="log",
        series=(Series(label="exact / printed", x=x, y=floats(ratio), color=COLORS[1],
                       marker=".", style="-"),),
        hlines=((1.0, "printed bound holds below 1"),),
        vlines=((float(first), f"first failure: n = {first}"),) if first else ())
    cmd = (f"recmech table lemma7.upper_tail --param d_max=1 --param isotropic=true --grid "
           f"trace_d=1..{max_ratio}")
    return FigureData(
        name="lemma7", title="Lemma 7, upper tail: the printed bound fails from Tr(D)/d_max = "
        f"{first}" if first else "Lemma 7, upper tail",
        caption=(f"Instance: x fixed unit, V x ~ N(0, D), D = I_n, n = 1..{max_ratio} "
                 "(Tr D / d_max = n); exact tail by scipy.stats.chi2.logsf; no random draws. "
                 f"Numbers: {cmd}."),
        source=cmd, panels=(tails, crossing))


# -- demo figures ---------------------------------------------------------------------------------

def _demo_caption(N, k, eps, bidders, seed, perturbation) -> str:
    items = f"N = {N:,}" if isinstance(N, int) else "N = " + ", ".join(f"{n:,}" for n in N)
    return (f"Instance: {items} items, k = {k}, eps = eta = {eps:g}, {bidders} bidders per "
            f"setting with types within eps of Az (z ~ Beta(2, 2)^k, {perturbation} "
            f"perturbation), truthful price answers; seed {seed}.")


# the settings of ``recmech.core.demo`` as a reader names them (legends, category labels)
SETTING_NAMES = {"separable": "separable", "diagonally_dominant": "diagonally dominant",
                 "gaussian": "Gaussian", "weak_dependence": "weak dependence",
                 "pivoted (Gaussian A)": "pivoted (Gaussian A)",
                 "certified (Gaussian A, Thm. 2's delta)":
                     r"certified (Gaussian A, Thm. 2's $\delta$)"}


def setting_name(setting: str) -> str:
    """The reader's name of a demo setting (no code identifiers)."""
    return SETTING_NAMES.get(setting, setting.replace("_", " "))


def power_label(n: float) -> str:
    r"""``20000`` as $2\cdot 10^{4}$, ``100000`` as $10^{5}$ (a log axis's tick label)."""
    exp = math.floor(math.log10(n))
    lead = n / 10**exp
    if abs(lead - round(lead)) > 1e-9:
        return f"{n:,.0f}"
    return rf"$10^{{{exp}}}$" if round(lead) == 1 else rf"${round(lead)}\cdot 10^{{{exp}}}$"


def queries_figure(N: Sequence[int] = (20_000, 100_000, 1_000_000), k: int = 8,  # noqa: N803
                   eps: float = 0.01, bidders: int = 3, seed: int = 0,
                   progress: Progress = None) -> FigureData:
    """Price queries per bidder (counted at the oracle) against N, per setting of
    ``recmech.core.demo``, with the naive N q of the same binary search: (a) every protocol and
    the naive range, log-log; (b) the protocols of fewer than 200 queries on a linear scale, where
    they are told apart."""
    from recmech.core.demo import run_demo

    Ns = sorted({int(n) for n in N})  # noqa: N806
    by_setting: dict[str, list] = {}
    for i, n in enumerate(Ns):
        if progress is not None:
            progress(f"N = {n:,}", i, len(Ns))
        for row in run_demo(n, k, eps, bidders, seed, "adversarial"):
            by_setting.setdefault(row.setting, []).append(row)
    x = tuple(float(n) for n in Ns)
    q_items = sorted({r.naive_queries // r_n for rows in by_setting.values()
                      for r, r_n in zip(rows, Ns, strict=True)})
    band = (f"naive: every item, N q (q = {q_items[0]} to {q_items[-1]} per item, by setting)"
            if len(q_items) > 1 else f"naive: every item, N q (q = {q_items[0]} per item)")
    series, few = [], []
    for j, (name, rows) in enumerate(by_setting.items()):
        line = Series(label=setting_name(name), x=x, y=floats(r.queries for r in rows),
                      color=COLORS[j % len(COLORS)], marker=MARKERS[j % len(MARKERS)])
        series.append(line)
        if max(r.queries for r in rows) < 200:
            few.append(Series(label=line.label, x=x, y=line.y, color=line.color,
                              marker=line.marker, legend=False))
    series += [Series(label=f"naive N q, {setting_name(name)}", x=x, kind="band", band=band,
                      y=floats(r.naive_queries for r in rows))
               for name, rows in by_setting.items()]
    cmds = [f"recmech demo --N {n} --k {k} --eps {eps:g} --bidders {bidders} --seed {seed}"
            for n in Ns]
    ticks = tuple((float(n), power_label(n)) for n in Ns)
    panels = [Panel(title="(a) every protocol", xlabel="N, items " + LOG10,
                    ylabel="price queries per bidder " + LOG10, xscale="log", yscale="log",
                    series=tuple(series), xticks=ticks)]
    if few:
        panels.append(Panel(title="(b) fewer than 200 queries", xlabel=panels[0].xlabel,
                            ylabel="price queries per bidder", xscale="log",
                            series=tuple(few), xticks=ticks))
    return FigureData(
        name="queries", title="Thm. 2: price queries per bidder do not grow with N; the naive "
        "protocol's do",
        caption=_demo_caption(Ns, k, eps, bidders, seed, "adversarial")
        + f" Numbers: {'; '.join(cmds)}.", source=cmds[0], panels=tuple(panels), width=7.2,
        height=3.0, legend="right")


def accuracy_figure(N: int = 100_000, k: int = 8, eps: float = 0.01,  # noqa: N803
                    bidders: int = 20, seed: int = 0, perturbation: str = "adversarial",
                    progress: Progress = None) -> FigureData:
    """Per setting: the largest observed latent error ||z - z_hat||_inf, the certified delta of
    the queried block and the paper's a-priori delta (``recmech.core.demo``)."""
    from recmech.core.demo import run_demo

    rows = run_demo(N, k, eps, bidders, seed, perturbation, progress=progress)
    cats = tuple(textwrap.fill(setting_name(r.setting), 12) for r in rows)
    x = tuple(float(i) for i in range(len(rows)))
    series = (
        Series(label=r"observed max $\|z - \hat z\|_\infty$", kind="bar", x=x,
               y=floats(r.max_latent_error for r in rows), color=COLORS[0]),
        Series(label=r"certified $\delta$ of the queried block", kind="bar", x=x,
               y=floats(r.certified_delta for r in rows), color=COLORS[2]),
        Series(label=r"the paper's a-priori $\delta$", kind="bar", x=x,
               y=floats(r.a_priori_delta for r in rows), color=COLORS[1]),
    )
    cmd = (f"recmech demo --N {N} --k {k} --eps {eps:g} --bidders {bidders} --seed {seed} "
           f"--perturbation {perturbation}")
    vacuous = any(r.a_priori_delta is not None and r.a_priori_delta >= 1 for r in rows)
    none = any(r.a_priori_delta is None for r in rows)
    hlines = [(eps, rf"$\epsilon$ = {eps:g} (type accuracy)")]
    if vacuous:
        hlines.append((1.0, r"$\delta$ = 1: a $\delta \geq 1$ says nothing ($z \in [0,1]^k$)"))
    extra = ((r"none: the paper states no a-priori $\delta$ here", ""),) if none else ()
    panel = Panel(title="", xlabel="setting of Thm. 2 (query protocol)",
                  ylabel=r"latent error, $\ell_\infty$ " + LOG10, yscale="log",
                  categories=cats, series=series, hlines=tuple(hlines), ref_labels="legend",
                  legend_extra=extra)
    remark = (" An a-priori delta >= 1 is vacuous: z lies in [0,1]^k, so every estimate in the "
              "cube is within 1." if vacuous else "")
    remark += (" 'none': the paper states no a-priori delta for that protocol." if none else "")
    return FigureData(
        name="accuracy", title=r"Thm. 2: observed latent error vs certified and a-priori $\delta$",
        caption=_demo_caption(N, k, eps, bidders, seed, perturbation) + remark
        + f" Numbers: {cmd}.", source=cmd, panels=(panel,), width=7.2, height=3.0,
        legend="right")


# -- mechanism ------------------------------------------------------------------------------------

EPS1_GRID = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1)


def mechanism_figure(eps1: Sequence[float] = EPS1_GRID, progress: Progress = None) -> FigureData:
    """Revenue and the least interim utility of a truthful true type against eps1: M_hat fed
    Q(t) directly against Algorithm 1, for both corruptions of ``recmech.core.experiment``."""
    from recmech.core import experiment

    values = tuple(sorted({float(e) for e in eps1}))
    if progress is not None:
        progress("mechanism experiment", 0, 1)
    rows = experiment.run(values)
    rev, util = [], []
    for j, corruption in enumerate(("shift", "move")):
        part = [r for r in rows if r.corruption == corruption]
        x = floats(r.eps1 for r in part)
        name = {"shift": "shifted down", "move": "shifted + mass moved"}[corruption]
        style = "-" if corruption == "shift" else "--"
        for attr, out in (("rev", rev), ("min_util", util)):
            out.append(Series(label=rf"$\hat M$ on Q(t) directly, {name}", x=x, style=style,
                              y=floats(getattr(r, f"{attr}_direct") for r in part),
                              color=COLORS[1], marker="o" if j == 0 else "s"))
            out.append(Series(label=f"Algorithm 1, {name}", x=x, style=style,
                              y=floats(getattr(r, f"{attr}_alg1") for r in part),
                              color=COLORS[2], marker="o" if j == 0 else "s"))
    xlabel = r"$\epsilon_1$ = $\ell_\infty$-Prokhorov distance of the true law"
    rev_hat = rows[0].rev_hat
    panels = (
        Panel(title="(a) revenue", xlabel=xlabel, ylabel="expected revenue (value units)",
              series=tuple(rev), hlines=((rev_hat, r"REV($\hat M$, model)"),)),
        Panel(title="(b) IR", xlabel=xlabel,
              ylabel="least interim utility of a truthful type\n(value units; IR iff ≥ 0)",
              series=tuple(util), hlines=((0.0, "IR boundary"),), legend_loc="upper right",
              legend_anchor=(1.0, 0.93)),
    )
    cmd = "recmech demo --mechanism --eps1 " + ",".join(f"{v:g}" for v in values)
    return FigureData(
        name="mechanism", title=r"Why robustify: revenue and IR against $\epsilon_1$, $\hat M$ on "
        "Q(t) directly vs Algorithm 1",
        caption=("Instance: one bidder, N = 2, k = 1, A = [1; 1.5], additive, model 0.3 "
                 "delta_0.5 + 0.7 delta_1; M_hat the revenue-optimal LP mechanism; Algorithm 1 "
                 "with delta = sqrt(max(eps1, 0.0025)); exact (no random draws). "
                 f"Numbers: {cmd}."),
        source=cmd, panels=panels, height=3.0, legend="last")


# -- lp -------------------------------------------------------------------------------------------

VALUATIONS = ("additive", "unit-demand")
IC_TOL = 1e-9  # the largest BIC or IR violation of a drawn LP mechanism


def lp_figure(grid: int = 16, valuation: str = "additive",
              progress: Progress = None) -> FigureData:
    """The revenue-optimal BIC and IR mechanism of ``recmech.core.optimal`` for one bidder, two
    items (A = I_2) and the latent law uniform on the grid x grid lattice of [0,1]^2: per type,
    the probability of each item and the expected payment."""
    from recmech.core.laws import FiniteLaw
    from recmech.core.optimal import solve_optimal_lp
    from recmech.core.valuations import Additive, UnitDemand

    if grid < 2:
        raise ValueError(f"grid must be >= 2; found {grid}")
    if valuation not in VALUATIONS:
        raise ValueError(f"valuation must be one of {VALUATIONS}; found {valuation!r}")
    if progress is not None:
        progress(f"optimal LP, {grid * grid} types", 0, 1)
    c = (np.arange(grid) + 0.5) / grid
    pts = np.array([(a, b) for a in c for b in c])  # type (t1, t2), t2 fastest
    law = FiniteLaw(pts, np.full(len(pts), 1.0 / len(pts)))
    val = (Additive if valuation == "additive" else UnitDemand)([0.0, 0.0])
    result = solve_optimal_lp(np.eye(2), [val], [law], method="generation")
    if result.max_ic_violation > IC_TOL or result.max_ir_violation > IC_TOL:
        raise RuntimeError(f"the LP solution is not BIC/IR within {IC_TOL}: "
                           f"{result.max_ic_violation}, {result.max_ir_violation}")
    table = result.table
    # Pr[item j] per type: the lottery weights of the allocations that give item j
    item = table.alloc_probs @ table.allocations[:, 0, :].astype(float)
    pay = table.payments[:, 0]

    def image(values: np.ndarray, label: str, vmax: float) -> Image:
        grid_values = values.reshape(grid, grid).T  # rows: t2, columns: t1
        return Image(label=label, values=tuple(tuple(float(v) for v in r) for r in grid_values),
                     extent=(0.0, 1.0, 0.0, 1.0), vmin=0.0, vmax=vmax)

    xl, yl = r"$t_1$ (value of item 1)", r"$t_2$ (value of item 2)"
    panels = (Panel(title="(a) Pr[item 1]", xlabel=xl, ylabel=yl,
                    image=image(item[:, 0], "probability", 1.0)),
              Panel(title="(b) Pr[item 2]", xlabel=xl, ylabel=yl,
                    image=image(item[:, 1], "probability", 1.0)),
              Panel(title="(c) expected payment", xlabel=xl, ylabel=yl,
                    image=image(pay, "payment (value units)", float(max(pay.max(), 1e-9)))))
    return FigureData(
        name="lp", title=f"The revenue-optimal BIC/IR mechanism, one {valuation} bidder, two "
        f"items: revenue {result.revenue:.4f}",
        caption=(f"Instance: A = I_2, latent law uniform on the {grid} x {grid} lattice "
                 f"((i + 1/2)/{grid}) of [0,1]^2, {valuation} valuation; exact LP (HiGHS, "
                 f"constraint generation, every BIC pair within {IC_TOL:g}); no random draws. "
                 f"Numbers: recmech plot lp --grid {grid} --valuation {valuation} --json -."),
        source=f"recmech plot lp --grid {grid} --valuation {valuation} --json -",
        panels=panels, width=7.2, height=2.5)


# -- queries-vs-delta -----------------------------------------------------------------------------

def queries_vs_delta_figure(setting: str = "gaussian", k: int = 8, N: int = 100_000,  # noqa: N803
                            eps: float = 1e-3, bidders: int = 3, seed: int = 0,
                            progress: Progress = None) -> FigureData:
    """Queries per bidder against delta (``recmech.core.bench_queries.delta_sweep``)."""
    from recmech.core.bench_queries import delta_sweep

    if progress is not None:
        progress(f"{setting}, k = {k}", 0, 1)
    points = delta_sweep(setting, k, N, eps, bidders=bidders, seed=seed)
    names = (("theorem", "theorem's item set (bisection, eta = eps 2^i)", "o"),
             ("certified", "certified bisection protocol", "s"),
             ("adaptive", "adaptive cutting-plane protocol", "^"),
             ("packing", "packing bound k log2 ceil(1/(2 delta)), every protocol", ""))
    series = []
    for j, (key, label, marker) in enumerate(names):
        mine = sorted((p for p in points if p.protocol == key), key=lambda p: p.delta)
        series.append(Series(label=label, x=floats(p.delta for p in mine),
                             y=floats(p.queries for p in mine), color=COLORS[j],
                             marker=marker, style="--" if key == "packing" else "-"))
    cmd = (f"recmech plot queries-vs-delta --setting {setting} --k {k} --N {N} --eps {eps:g} "
           f"--bidders {bidders} --seed {seed}")
    panel = Panel(title="", xlabel=r"certified $\delta$ (target for the adaptive protocol) "
                  + LOG10, ylabel="price queries per bidder " + LOG10, xscale="log",
                  yscale="log", series=tuple(series))
    return FigureData(
        name="queries-vs-delta", title=f"Price queries against delta, {setting} design, k = {k}",
        caption=f"Instance: one {setting} design, N = {N:,}, k = {k}, eps = {eps:g}, seed "
        f"{seed}; the adaptive protocol's count is the most over {bidders} bidders "
        "(Beta(2, 2) latents, types uniform within eps of Az, truthful answers). "
        f"Numbers: {cmd}.",
        source=cmd, panels=(panel,), width=6.8, height=3.4, legend="right")


# -- the register of figures ---------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Option:
    """A command-line option of one figure: ``--name`` with its type, default and help."""

    name: str
    type: str
    default: Any
    help: str
    choices: tuple = ()
    metavar: str | None = None


@dataclass(frozen=True, kw_only=True)
class FigureSpec:
    """A figure of ``recmech plot``: builder, one-line help and options."""

    name: str
    help: str
    package: str
    build: Callable[..., FigureData]
    options: tuple[Option, ...] = field(default_factory=tuple)


FIGURES: dict[str, FigureSpec] = {f.name: f for f in (
    FigureSpec(name="lemma7", build=lemma7_figure, package="recmech.bounds",
               help="Lemma 7 upper tail: exact vs printed vs corrected bound over Tr/d_max",
               options=(Option(name="max_ratio", type="int", default=60,
                               help="largest Tr(D)/d_max = n (default 60)"),)),
    FigureSpec(name="queries", build=queries_figure, package="recmech.core (demo)",
               help="price queries per bidder vs N, each Thm. 2 protocol vs naive (log-log)",
               options=(Option(name="N", type="ints", default=(20_000, 100_000, 1_000_000),
                               metavar="N1,N2,...",
                               help="item counts, comma-separated (default 2e4,1e5,1e6)"),
                        Option(name="k", type="int", default=8, help="latent dimension"),
                        Option(name="eps", type="float", default=0.01, help="eps = eta"),
                        Option(name="bidders", type="int", default=3,
                               help="bidders per setting and N"),
                        Option(name="seed", type="int", default=0, help="random seed"))),
    FigureSpec(name="accuracy", build=accuracy_figure, package="recmech.core (demo)",
               help="observed latent error vs certified delta vs a-priori delta per setting",
               options=(Option(name="N", type="int", default=100_000, help="items"),
                        Option(name="k", type="int", default=8, help="latent dimension"),
                        Option(name="eps", type="float", default=0.01, help="eps = eta"),
                        Option(name="bidders", type="int", default=20,
                               help="bidders per setting"),
                        Option(name="seed", type="int", default=0, help="random seed"),
                        Option(name="perturbation", type="str", default="adversarial",
                               choices=("adversarial", "uniform", "none"),
                               help="how types deviate from Az within eps"))),
    FigureSpec(name="mechanism", build=mechanism_figure, package="recmech.core (experiment)",
               help="revenue and least utility vs eps1, no robustification vs Algorithm 1",
               options=(Option(name="eps1", type="floats", default=EPS1_GRID, metavar="E1,E2,...",
                               help="eps1 values, comma-separated (default "
                               + ",".join(f"{v:g}" for v in EPS1_GRID) + ")"),)),
    FigureSpec(name="queries-vs-delta", build=queries_vs_delta_figure,
               package="recmech.core (bench_queries)",
               help="queries vs delta: theorem's set, certified, adaptive, packing bound",
               options=(Option(name="setting", type="str", default="gaussian",
                               choices=("separable", "diagonally_dominant", "gaussian",
                                        "weak_dependence"), help="design family"),
                        Option(name="k", type="int", default=8, help="latent dimension"),
                        Option(name="N", type="int", default=100_000, help="items"),
                        Option(name="eps", type="float", default=1e-3, help="eps"),
                        Option(name="bidders", type="int", default=3,
                               help="bidders per adaptive point"),
                        Option(name="seed", type="int", default=0, help="random seed"))),
    FigureSpec(name="lp", build=lp_figure, package="recmech.core (optimal)",
               help="the optimal LP mechanism's allocation regions on a 2-item latent grid",
               options=(Option(name="grid", type="int", default=16,
                               help="lattice points per axis (default 16: 256 types)"),
                        Option(name="valuation", type="str", default="additive",
                               choices=VALUATIONS, help="the bidder's valuation"))),
)}
