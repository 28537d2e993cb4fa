"""Figures: each figure's numbers computed by the packages, then drawn with matplotlib (headless).

A figure is two steps. A builder calls the package that owns the numbers and returns a
``FigureData`` record (panels of named series, each with its x and y; an image for a heat map;
the caption with the instance and seed; the command that prints the same numbers as a table).
``draw`` turns the record into a ``matplotlib.figure.Figure`` on the Agg canvas (no pyplot, no
global state: the publication defaults apply inside an ``rc_context`` only), and ``save`` writes
it as .pdf, .svg (vector) or .png (300 dpi), with the figure's data digest in the file's metadata.

Figures (``FIGURES``; ``recmech plot NAME``):

- ``lemma7``: Lemma 7's upper tail, exact Pr[chi2_n >= 2n] (D = I_n) against the printed bound
  exp(-Tr D/(4 d_max)) and the corrected exp(-Tr D/(8 d_max)) over Tr(D)/d_max, and the ratio
  exact / printed, which crosses 1 at n = 24 (``recmech.bounds``, lemma7.upper_tail);
- ``queries``: price queries per bidder against N, each Thm. 2 protocol against the naive N q
  (``recmech.core.demo``, counted at the oracle);
- ``accuracy``: observed latent error, certified delta and the paper's a-priori delta per
  setting (``recmech.core.demo``);
- ``mechanism``: revenue and the least interim utility of a truthful type against eps1, M_hat
  fed Q(t) directly against Algorithm 1 (``recmech.core.experiment``);
- ``lp``: the revenue-optimal LP mechanism (one bidder, two items) on a latent grid: the
  probability of each item and the payment per type (``recmech.core.optimal``).

``table_figure`` plots any column of ``recmech table`` rows over one ``--grid`` parameter.
"""

from __future__ import annotations

import hashlib
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FIGURES", "FORMATS", "PUBLICATION_RC", "FigureData", "FigureSpec", "Image", "Option",
           "Panel", "Series", "accuracy_figure", "draw", "lemma7_figure", "lp_figure",
           "mechanism_figure", "queries_figure", "save", "table_figure"]

FORMATS = (".pdf", ".svg", ".png")

# Publication defaults: 8 pt type, TrueType fonts embedded in PDF (publishers reject Type 3),
# SVG text as paths (renders the same in every viewer), 300 dpi for raster output.
PUBLICATION_RC: dict[str, Any] = {
    "font.size": 8, "axes.labelsize": 8, "axes.titlesize": 8, "legend.fontsize": 7,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "lines.linewidth": 1.3, "lines.markersize": 4,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.linewidth": 0.4, "grid.alpha": 0.4, "legend.frameon": False,
    "pdf.fonttype": 42, "ps.fonttype": 42,
    "savefig.dpi": 300, "savefig.bbox": "tight", "savefig.pad_inches": 0.05,
}
# Okabe-Ito: distinguishable in colour-blind vision and in greyscale by line style
COLORS = ("#000000", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
LOG10 = r"($\log_{10}$ scale)"


@dataclass(frozen=True, kw_only=True)
class Series:
    """One line (or one set of bars) of a panel; ``None`` in ``y`` is a missing value."""

    label: str
    x: tuple
    y: tuple
    kind: str = "line"
    style: str = "-"
    marker: str = "o"
    color: str | None = None
    legend: bool = True

    def to_dict(self) -> dict:
        return {"label": self.label, "kind": self.kind, "x": list(self.x), "y": list(self.y)}


@dataclass(frozen=True, kw_only=True)
class Image:
    """A heat map over a rectangle: ``values[i][j]`` at row i (y) and column j (x)."""

    label: str
    values: tuple
    extent: tuple[float, float, float, float]
    vmin: float | None = None
    vmax: float | None = None

    def to_dict(self) -> dict:
        return {"label": self.label, "values": [list(r) for r in self.values],
                "extent": list(self.extent)}


@dataclass(frozen=True, kw_only=True)
class Panel:
    """One axes: labels with units and scales, series or an image, reference lines."""

    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...] = ()
    image: Image | None = None
    xscale: str = "linear"
    yscale: str = "linear"
    categories: tuple[str, ...] = ()
    hlines: tuple[tuple[float, str], ...] = ()
    vlines: tuple[tuple[float, str], ...] = ()
    legend_extra: tuple[tuple[str, str], ...] = ()
    legend_loc: str = "best"
    legend_anchor: tuple[float, float] | None = None

    def to_dict(self) -> dict:
        return {"title": self.title, "xlabel": self.xlabel, "ylabel": self.ylabel,
                "xscale": self.xscale, "yscale": self.yscale,
                "categories": list(self.categories),
                "series": [s.to_dict() for s in self.series],
                "image": None if self.image is None else self.image.to_dict(),
                "hlines": [list(h) for h in self.hlines], "vlines": [list(v) for v in self.vlines]}


@dataclass(frozen=True, kw_only=True)
class FigureData:
    """A figure's numbers and words: panels, caption (instance and seed), and ``source``, the
    command that prints the same numbers as a table."""

    name: str
    title: str
    caption: str
    source: str
    panels: tuple[Panel, ...]
    width: float = 6.8
    height: float = 2.7
    legend: str = "axes"  # "axes": in each panel; "right": beside it; "last": last panel only

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "caption": self.caption,
                "source": self.source, "panels": [p.to_dict() for p in self.panels]}

    def digest(self) -> str:
        """sha256 of the figure's numbers (written into the file's metadata)."""
        from recmech.bounds.records import dumps

        return hashlib.sha256(dumps(self.to_dict()).encode()).hexdigest()


def _floats(values) -> tuple:
    return tuple(None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                 for v in values)


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
                       y=_floats(math.exp(v) for v in exact), color=COLORS[0], marker=""),
                Series(label=r"printed bound $e^{-\mathrm{Tr} D/(4 d_{max})}$", x=x,
                       y=_floats(math.exp(v) for v in printed), color=COLORS[1], style="--",
                       marker=""),
                Series(label=r"corrected $e^{-\mathrm{Tr} D/(8 d_{max})}$", x=x,
                       y=_floats(math.exp(v) for v in corrected), color=COLORS[2], style=":",
                       marker="")))
    crossing = Panel(
        title="(b) exact tail over the printed bound", xlabel=tails.xlabel,
        ylabel="exact / printed bound " + LOG10, yscale="log",
        series=(Series(label="exact / printed", x=x, y=_floats(ratio), color=COLORS[1],
                       marker=".", style="-"),),
        hlines=((1.0, "printed bound holds below 1"),),
        vlines=((float(first), f"first failure: n = {first}"),) if first else ())
    cmd = (f"recmech table lemma7.upper_tail --param d_max=1 --param isotropic=true --grid "
           f"trace_d=1,...,{max_ratio}")
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


def queries_figure(N: Sequence[int] = (20_000, 100_000, 1_000_000), k: int = 8,  # noqa: N803
                   eps: float = 0.01, bidders: int = 3, seed: int = 0,
                   progress: Progress = None) -> FigureData:
    """Price queries per bidder (counted at the oracle) against N, per setting of
    ``recmech.core.demo``, with the naive N q of the same binary search."""
    from recmech.core.demo import run_demo

    Ns = sorted({int(n) for n in N})  # noqa: N806
    by_setting: dict[str, list] = {}
    for i, n in enumerate(Ns):
        if progress is not None:
            progress(f"N = {n:,}", i, len(Ns))
        for row in run_demo(n, k, eps, bidders, seed, "adversarial"):
            by_setting.setdefault(row.setting, []).append(row)
    x = tuple(float(n) for n in Ns)
    series = []
    for j, (name, rows) in enumerate(by_setting.items()):
        color = COLORS[j % len(COLORS)]
        series.append(Series(label=name, x=x, y=_floats(r.queries for r in rows), color=color))
        series.append(Series(label=f"naive N q, {name}", x=x, style="--", marker="",
                             y=_floats(r.naive_queries for r in rows), color=color,
                             legend=False))
    cmd = f"recmech demo --N N --k {k} --eps {eps:g} --bidders {bidders} --seed {seed}"
    panel = Panel(title="", xlabel="N, items " + LOG10,
                  ylabel="price queries per bidder " + LOG10, xscale="log", yscale="log",
                  series=tuple(series),
                  legend_extra=(("naive N q, same search (dashed, same colour)", "--"),))
    return FigureData(
        name="queries", title="Thm. 2: price queries per bidder do not grow with N "
        "(solid), the naive protocol's do (dashed)",
        caption=_demo_caption(Ns, k, eps, bidders, seed, "adversarial")
        + f" Numbers: {cmd}, for each N.", source=cmd, panels=(panel,), width=6.8,
        height=3.2, legend="right")


def accuracy_figure(N: int = 100_000, k: int = 8, eps: float = 0.01,  # noqa: N803
                    bidders: int = 20, seed: int = 0, perturbation: str = "adversarial",
                    progress: Progress = None) -> FigureData:
    """Per setting: the largest observed latent error ||z - z_hat||_inf, the certified delta of
    the queried block and the paper's a-priori delta (``recmech.core.demo``)."""
    from recmech.core.demo import run_demo

    rows = run_demo(N, k, eps, bidders, seed, perturbation, progress=progress)
    cats = tuple(r.setting for r in rows)
    x = tuple(float(i) for i in range(len(rows)))
    series = (
        Series(label=r"observed max $\|z - \hat z\|_\infty$", kind="bar", x=x,
               y=_floats(r.max_latent_error for r in rows), color=COLORS[0]),
        Series(label=r"certified $\delta$ of the queried block", kind="bar", x=x,
               y=_floats(r.certified_delta for r in rows), color=COLORS[2]),
        Series(label=r"the paper's a-priori $\delta$", kind="bar", x=x,
               y=_floats(r.a_priori_delta for r in rows), color=COLORS[1]),
    )
    cmd = (f"recmech demo --N {N} --k {k} --eps {eps:g} --bidders {bidders} --seed {seed} "
           f"--perturbation {perturbation}")
    panel = Panel(title="", xlabel="setting of Thm. 2 (query protocol)",
                  ylabel=r"latent error, $\ell_\infty$ " + LOG10, yscale="log",
                  categories=cats, series=series, hlines=((eps, f"eps = {eps:g}"),))
    return FigureData(
        name="accuracy", title="Observed latent error vs certified and a-priori delta "
        "(n/a: the paper gives none)",
        caption=_demo_caption(N, k, eps, bidders, seed, perturbation) + f" Numbers: {cmd}.",
        source=cmd, panels=(panel,), width=6.0, height=3.0)


# -- mechanism ------------------------------------------------------------------------------------

EPS1_GRID = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1)


def mechanism_figure(eps1: Sequence[float] = EPS1_GRID, progress: Progress = None) -> FigureData:
    """Revenue and the least interim utility of a truthful true type against eps1: M_hat fed
    Q(t) directly (a) against Algorithm 1, for both corruptions of ``recmech.core.experiment``."""
    from recmech.core import experiment

    values = tuple(sorted({float(e) for e in eps1}))
    if progress is not None:
        progress("mechanism experiment", 0, 1)
    rows = experiment.run(values)
    rev, util = [], []
    for j, corruption in enumerate(("shift", "move")):
        part = [r for r in rows if r.corruption == corruption]
        x = _floats(r.eps1 for r in part)
        name = {"shift": "shifted down", "move": "shifted + mass moved"}[corruption]
        style = "-" if corruption == "shift" else "--"
        for attr, out in (("rev", rev), ("min_util", util)):
            out.append(Series(label=f"no robustification (a), {name}", x=x, style=style,
                              y=_floats(getattr(r, f"{attr}_direct") for r in part),
                              color=COLORS[1], marker="o" if j == 0 else "s"))
            out.append(Series(label=f"Algorithm 1, {name}", x=x, style=style,
                              y=_floats(getattr(r, f"{attr}_alg1") for r in part),
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
        name="mechanism", title="Why robustify: revenue and IR against eps1, M_hat on Q(t) "
        "(a) vs Algorithm 1",
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


# -- table columns --------------------------------------------------------------------------------

def _scale(values: Sequence[float]) -> str:
    pos = [v for v in values if v is not None and v > 0]
    if len(pos) == len(values) and len(pos) >= 2 and max(pos) / min(pos) >= 100:
        return "log"
    return "linear"


def table_figure(claim_id: str, rows: Sequence[dict], x: str, y: str, command: str
                 ) -> FigureData:
    """Column ``y`` of ``recmech table`` rows over the grid parameter ``x``; one line per value
    of the other grid parameters (rows whose hypotheses fail have no value: a gap)."""
    if not rows:
        raise ValueError("no rows to plot")
    if x not in rows[0]:
        raise ValueError(f"--x {x}: not a column; grid parameters: {', '.join(rows[0])}")
    columns = [c for r in rows for c in r]
    if y not in columns:
        numeric = sorted({c for r in rows for c, v in r.items()
                          if isinstance(v, (int, float)) and not isinstance(v, bool)})
        raise ValueError(f"--y {y}: not a column of {claim_id}; numeric columns: "
                         f"{', '.join(numeric)}")
    groups: dict[tuple, list[dict]] = {}
    others = [k for k in rows[0] if k not in (x, y) and k in _grid_keys(rows)]
    for r in rows:
        groups.setdefault(tuple((k, r[k]) for k in others), []).append(r)

    def number(v: Any) -> float | None:
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            return float(v)
        return None

    series = []
    for j, (key, part) in enumerate(groups.items()):
        part = sorted(part, key=lambda r: float(r[x]))
        label = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                          for k, v in key) or y
        series.append(Series(label=label, x=_floats(float(r[x]) for r in part),
                             y=tuple(number(r.get(y)) for r in part),
                             color=COLORS[j % len(COLORS)]))
    xs = [v for s in series for v in s.x]
    ys = [v for s in series for v in s.y if v is not None]
    if not ys:
        raise ValueError(f"--y {y}: no row has a number (hypotheses fail at every point)")
    xscale, yscale = _scale(xs), _scale(ys)
    missing = sum(v is None for s in series for v in s.y)
    ylabel = y + (" (natural log)" if y.startswith(("log_", "corrected_log_")) else "")
    panel = Panel(title="", xlabel=x + (" " + LOG10 if xscale == "log" else ""),
                  ylabel=ylabel + (" " + LOG10 if yscale == "log" else ""),
                  xscale=xscale, yscale=yscale, series=tuple(series))
    note = f" {missing} point(s) without a value (a hypothesis fails) are gaps." if missing else ""
    return FigureData(name="table", title=f"{claim_id}: {y} over {x}",
                      caption=f"Numbers: {command}; deterministic (no random draws).{note}",
                      source=command, panels=(panel,), width=4.8, height=3.2)


def _grid_keys(rows: Sequence[dict]) -> list[str]:
    """The columns that vary across rows before ``valid`` (the grid parameters)."""
    first = list(rows[0])
    head = first[:first.index("valid")] if "valid" in first else first
    return [k for k in head if len({str(r.get(k)) for r in rows}) > 1 or len(rows) == 1]


# -- drawing --------------------------------------------------------------------------------------

def _draw_panel(ax, panel: Panel, fig) -> None:
    if panel.image is not None:
        im = panel.image
        art = ax.imshow(np.array(im.values, dtype=float), origin="lower", extent=im.extent,
                        vmin=im.vmin, vmax=im.vmax, cmap="viridis", interpolation="nearest",
                        aspect="equal")
        fig.colorbar(art, ax=ax, label=im.label, shrink=0.85)
        ax.grid(False)
    bars = [s for s in panel.series if s.kind == "bar"]
    width = 0.8 / max(1, len(bars))
    for i, s in enumerate(bars):
        y = np.array([np.nan if v is None else v for v in s.y], dtype=float)
        x = np.array(s.x) + (i - (len(bars) - 1) / 2) * width
        ax.bar(x, y, width=width, label=s.label, color=s.color)
        for xi, yi in zip(x, y, strict=True):
            if np.isnan(yi):
                ax.annotate("n/a", (xi, 0), xycoords=("data", "axes fraction"),
                            xytext=(0, 3), textcoords="offset points", ha="center", fontsize=6)
    for s in panel.series:
        if s.kind == "line":
            y = np.array([np.nan if v is None else v for v in s.y], dtype=float)
            ax.plot(np.array(s.x, dtype=float), y, linestyle=s.style, marker=s.marker or None,
                    color=s.color, label=s.label)
    for yv, label in panel.hlines:
        ax.axhline(yv, color="0.45", linewidth=0.8, linestyle="-.", label=label)
        ax.annotate(label, (1.0, yv), xycoords=("axes fraction", "data"), xytext=(-2, 2),
                    textcoords="offset points", ha="right", va="bottom", fontsize=6.5,
                    color="0.3")
    for xv, label in panel.vlines:
        ax.axvline(xv, color="0.45", linewidth=0.8, linestyle=":", label=label)
        ax.annotate(label, (xv, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
                    textcoords="offset points", ha="left", va="top", fontsize=6.5, color="0.3")
    ax.set_xscale(panel.xscale)
    ax.set_yscale(panel.yscale)
    if panel.categories:
        ax.set_xticks(range(len(panel.categories)))
        ax.set_xticklabels(panel.categories, rotation=15, ha="right")
        ax.grid(False, axis="x")
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    if panel.title:
        ax.set_title(panel.title, loc="left")


def _legend_handles(ax, panel: Panel) -> list:
    from matplotlib.lines import Line2D

    shown = {s.label for s in panel.series if s.legend}
    handles = [h for h in [*ax.containers, *ax.get_lines()] if h.get_label() in shown]
    order = [s.label for s in panel.series if s.legend]
    handles.sort(key=lambda h: order.index(h.get_label()))
    handles += [Line2D([], [], color="0.3", linestyle=style, label=label)
                for label, style in panel.legend_extra]
    return handles


def draw(data: FigureData):
    """The figure of ``data`` (a ``matplotlib.figure.Figure`` on the Agg canvas, no pyplot)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(PUBLICATION_RC):
        fig = Figure(figsize=(data.width, data.height), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(data.panels), squeeze=False)[0]
        for i, (ax, panel) in enumerate(zip(axes, data.panels, strict=True)):
            _draw_panel(ax, panel, fig)
            handles = _legend_handles(ax, panel)
            if not handles or (data.legend == "last" and i < len(data.panels) - 1):
                continue
            if data.legend == "right":
                ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.02, 0.5))
            else:
                ax.legend(handles=handles, loc=panel.legend_loc,
                          bbox_to_anchor=panel.legend_anchor)
        fig.suptitle(data.title, fontsize=8.5)
        # the caption is the figure's x label, so that constrained layout keeps room for it
        chars = int(data.width * 72 / (6.5 * 0.52))
        fig.supxlabel(textwrap.fill(data.caption, chars), fontsize=6.5, x=0.01, ha="left",
                      multialignment="left")
    return fig


def save(data: FigureData, path: str | Path, fig=None) -> Path:
    """Write the figure of ``data`` (drawn now unless ``fig`` is given) to ``path`` (.pdf, .svg
    or .png), with its title and data digest in the file's metadata and no date."""
    import matplotlib

    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"path must end in one of {', '.join(FORMATS)}; found {str(path)!r}")
    fig = draw(data) if fig is None else fig
    note = f"recmech figure {data.name}; data sha256 {data.digest()}"
    meta = {".svg": {"Date": None, "Description": note, "Title": data.title},
            ".pdf": {"CreationDate": None, "ModDate": None, "Subject": note,
                     "Title": data.title},
            ".png": {"Description": note, "Title": data.title}}[suffix]
    with matplotlib.rc_context(PUBLICATION_RC):
        fig.savefig(out, metadata=meta)
    return out


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
    FigureSpec(name="lp", build=lp_figure, package="recmech.core (optimal)",
               help="the optimal LP mechanism's allocation regions on a 2-item latent grid",
               options=(Option(name="grid", type="int", default=16,
                               help="lattice points per axis (default 16: 256 types)"),
                        Option(name="valuation", type="str", default="additive",
                               choices=VALUATIONS, help="the bidder's valuation"))),
)}
