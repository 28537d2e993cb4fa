"""Figures for a paper: the figure record and its drawing with matplotlib (headless).

A figure is two steps. A builder (``recmech.properties.report.figures``) calls the package that
owns the
numbers and returns a ``FigureData`` record: panels of named series (each with its x and y), an
image for a heat map, the caption with the instance and seed, and the command that prints the
same numbers as a table. ``draw`` turns the record into a ``matplotlib.figure.Figure`` on the Agg
canvas (no pyplot, no global state: the publication defaults apply inside an ``rc_context``
only), and ``save`` writes it as .pdf, .svg (vector) or .png (300 dpi), with the figure's title
and data digest in the file's metadata.

``table_figure`` plots any column of ``recmech table`` rows over one ``--grid`` parameter.
"""

from __future__ import annotations

import hashlib
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["COLORS", "COLUMN_NAMES", "FORMATS", "LOG10", "MARKERS", "PUBLICATION_RC",
           "FigureData", "Image", "Panel", "Series", "column_label", "draw", "figure_texts",
           "floats", "save", "table_figure", "text_overlaps"]

FORMATS = (".pdf", ".svg", ".png")

# Publication defaults: 8 pt type, TrueType fonts embedded in PDF (publishers reject Type 3),
# SVG text as text elements (searchable and editable), 300 dpi for raster output. Applied inside
# an rc_context only: recmech never changes the matplotlib state of the program that imports it.
PUBLICATION_RC: dict[str, Any] = {
    "font.size": 8, "axes.labelsize": 8, "axes.titlesize": 8, "legend.fontsize": 7,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "lines.linewidth": 1.3, "lines.markersize": 4,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.linewidth": 0.4, "grid.alpha": 0.4, "legend.frameon": False,
    "pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none",
    "savefig.dpi": 300, "savefig.bbox": "tight", "savefig.pad_inches": 0.05,
    # fixed SVG element ids: the same numbers give the same file (a clean diff on regeneration)
    "svg.hashsalt": "recmech",
}
# Okabe-Ito: distinguishable in colour-blind vision and in greyscale by line style
COLORS = ("#000000", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
LOG10 = r"($\log_{10}$ scale)"
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


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
    band: str = ""  # kind "band": the legend label of the shaded range of the panel's bands

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
    xticks: tuple[tuple[float, str], ...] = ()
    ylim: tuple[float | None, float | None] = (None, None)
    # "annotate": reference lines labelled on the axes; "legend": in the legend (over bars,
    # where a label on the axes would hide under a bar)
    ref_labels: str = "annotate"

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
    # "axes": in each panel; "right": one legend of every panel's entries, beside the last
    # panel; "last": the last panel's legend only
    legend: str = "axes"

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "caption": self.caption,
                "source": self.source, "panels": [p.to_dict() for p in self.panels]}

    def digest(self) -> str:
        """sha256 of the figure's numbers (written into the file's metadata)."""
        from recmech.bounds.records import dumps

        return hashlib.sha256(dumps(self.to_dict()).encode()).hexdigest()


def floats(values) -> tuple:
    """A tuple of floats, None (and NaN) kept as None: a missing value, drawn as a gap."""
    return tuple(None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                 for v in values)




# -- table columns --------------------------------------------------------------------------------

def _scale(values: Sequence[float]) -> str:
    pos = [v for v in values if v is not None and v > 0]
    if len(pos) == len(values) and len(pos) >= 2 and max(pos) / min(pos) >= 100:
        return "log"
    return "linear"


# how a reader names the columns and parameters of ``recmech table`` (others: "_" as spaces)
COLUMN_NAMES = {"trace_d": "Tr D", "d_max": r"$d_{\max}$", "eps": r"$\epsilon$",
                "eta": r"$\eta$", "delta": r"$\delta$", "A_inf": r"$\|A\|_\infty$",
                "k": "$k$", "n": "$n$", "N": "$N$", "d": "$d$", "rho": r"$\rho$",
                "failure_prob": "failure probability", "exact_prob": "exact probability",
                "eps1": r"$\epsilon_1$", "kappa_Sigma": r"$\kappa(\Sigma)$"}
STYLES = ("-", "--", ":", "-.")


def column_label(column: str) -> str:
    """A table column or parameter as a reader names it: ``corrected_log_failure_prob`` ->
    "corrected log failure probability"; no code identifier is left."""
    words, rest = [], column
    for prefix, word in (("corrected_", "corrected"), ("log_", "log")):
        if rest.startswith(prefix) and rest != prefix.rstrip("_"):
            words.append(word)
            rest = rest[len(prefix):]
    words.append(COLUMN_NAMES.get(rest, rest.replace("_", " ")))
    return " ".join(words)


def table_figure(claim_id: str, rows: Sequence[dict], x: str, y: str | Sequence[str],
                 command: str) -> FigureData:
    """Columns ``y`` (one name, or several to overlay, e.g. the printed, corrected and exact
    values) of ``recmech table`` rows over the grid parameter ``x``: one colour per value of the
    other grid parameters, one line style per column (rows whose hypotheses fail have no value:
    a gap)."""
    ys = [y] if isinstance(y, str) else list(y)
    if not rows:
        raise ValueError("no rows to plot")
    if x not in rows[0]:
        raise ValueError(f"--x {x}: not a column; grid parameters: {', '.join(rows[0])}")
    columns = [c for r in rows for c in r]
    for col in ys:
        if col not in columns:
            numeric = sorted({c for r in rows for c, v in r.items()
                              if isinstance(v, (int, float)) and not isinstance(v, bool)})
            raise ValueError(f"--y {col}: not a column of {claim_id}; numeric columns: "
                             f"{', '.join(numeric)}")
    groups: dict[tuple, list[dict]] = {}
    others = [k for k in rows[0] if k != x and k not in ys and k in _grid_keys(rows)]
    for r in rows:
        groups.setdefault(tuple((k, r[k]) for k in others), []).append(r)

    def number(v: Any) -> float | None:
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            return float(v)
        return None

    series = []
    for j, (key, part) in enumerate(groups.items()):
        part = sorted(part, key=lambda r: float(r[x]))
        group = ", ".join(f"{column_label(k)} = {v:g}" if isinstance(v, float)
                          else f"{column_label(k)} = {v}" for k, v in key)
        for i, col in enumerate(ys):
            label = ", ".join(t for t in (column_label(col) if len(ys) > 1 else "", group) if t)
            series.append(Series(label=label or column_label(col),
                                 x=floats(float(r[x]) for r in part),
                                 y=tuple(number(r.get(col)) for r in part),
                                 color=COLORS[(j * len(ys) + i) % len(COLORS)],
                                 style=STYLES[i % len(STYLES)],
                                 marker=MARKERS[(j + i) % len(MARKERS)] if len(part) <= 25
                                 else ""))
    xs = [v for s in series for v in s.x]
    values = [v for s in series for v in s.y if v is not None]
    if not values:
        raise ValueError(f"--y {','.join(ys)}: no row has a number (hypotheses fail at every "
                         "point)")
    xscale, yscale = _scale(xs), _scale(values)
    missing = sum(v is None for s in series for v in s.y)
    natural = all(c.startswith(("log_", "corrected_log_")) for c in ys)
    ylabel = ", ".join(column_label(c) for c in ys) if len(ys) <= 2 else "value"
    ylabel += " (natural log)" if natural else ""
    panel = Panel(title="", xlabel=column_label(x) + (" " + LOG10 if xscale == "log" else ""),
                  ylabel=ylabel + (" " + LOG10 if yscale == "log" else ""),
                  xscale=xscale, yscale=yscale, series=tuple(series))
    note = f" {missing} point(s) without a value (a hypothesis fails) are gaps." if missing else ""
    return FigureData(name="table", title=f"{claim_id}: {ylabel} over {column_label(x)}",
                      caption=f"Numbers: {command}; deterministic (no random draws).{note}",
                      source=command, panels=(panel,), width=4.8, height=3.2,
                      legend="right" if len(series) > 4 else "axes")


def _grid_keys(rows: Sequence[dict]) -> list[str]:
    """The columns that vary across rows before ``valid`` (the grid parameters)."""
    first = list(rows[0])
    head = first[:first.index("valid")] if "valid" in first else first
    return [k for k in head if len({str(r.get(k)) for r in rows}) > 1 or len(rows) == 1]


# -- drawing --------------------------------------------------------------------------------------

def _values(s: Series) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in s.y], dtype=float)


def _draw_lines(ax, panel: Panel) -> None:
    """Line series; a series equal to one drawn before it (same x and y) is drawn under it as a
    wide pale stroke with larger hollow markers, so that neither hides the other."""
    drawn: list[tuple[tuple, tuple]] = []
    for s in panel.series:
        if s.kind != "line":
            continue
        y = _values(s)
        twin = (s.x, s.y) in drawn
        drawn.append((s.x, s.y))
        style = {"linewidth": 3.2, "alpha": 0.45, "zorder": 1.5, "markersize": 7,
                 "markerfacecolor": "none"} if twin else {"zorder": 2.5}
        ax.plot(np.array(s.x, dtype=float), y, linestyle=s.style, marker=s.marker or None,
                color=s.color, label=s.label, **style)


def _draw_bands(ax, panel: Panel) -> None:
    """Band series: one shaded range (pointwise least to largest) per band label."""
    groups: dict[str, list[Series]] = {}
    for s in panel.series:
        if s.kind == "band":
            groups.setdefault(s.band or s.label, []).append(s)
    for label, part in groups.items():
        ys = np.array([_values(s) for s in part])
        x = np.array(part[0].x, dtype=float)
        ax.fill_between(x, ys.min(axis=0), ys.max(axis=0), color="0.55", alpha=0.3,
                        linewidth=0.8, edgecolor="0.35", linestyle="--", label=label,
                        zorder=1)


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
        y = _values(s)
        x = np.array(s.x) + (i - (len(bars) - 1) / 2) * width
        ax.bar(x, y, width=width, label=s.label, color=s.color)
        for xi, yi in zip(x, y, strict=True):
            if np.isnan(yi):
                ax.annotate("none", (xi, 0), xycoords=("data", "axes fraction"),
                            xytext=(0, 3), textcoords="offset points", ha="center",
                            va="bottom", rotation=90, fontsize=6, color=s.color)
    _draw_bands(ax, panel)
    _draw_lines(ax, panel)
    annotate = panel.ref_labels == "annotate"
    for yv, label in panel.hlines:
        ax.axhline(yv, color="0.45", linewidth=0.8, linestyle="-.", label=label)
        if annotate:
            ax.annotate(label, (1.0, yv), xycoords=("axes fraction", "data"), xytext=(-2, 2),
                        textcoords="offset points", ha="right", va="bottom", fontsize=6.5,
                        color="0.3")
    for xv, label in panel.vlines:
        ax.axvline(xv, color="0.45", linewidth=0.8, linestyle=":", label=label)
        if annotate:
            ax.annotate(label, (xv, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
                        textcoords="offset points", ha="left", va="top", fontsize=6.5,
                        color="0.3")
    ax.set_xscale(panel.xscale)
    ax.set_yscale(panel.yscale)
    if panel.xticks:
        from matplotlib.ticker import NullFormatter, NullLocator

        ax.set_xticks([t for t, _ in panel.xticks], [label for _, label in panel.xticks])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
    if panel.ylim != (None, None):
        ax.set_ylim(*panel.ylim)
    if panel.categories:
        ax.set_xticks(range(len(panel.categories)))
        ax.set_xticklabels(panel.categories)
        ax.grid(False, axis="x")
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    if panel.title:
        ax.set_title(panel.title, loc="left")


def _legend_handles(ax, panel: Panel) -> list:
    from matplotlib.lines import Line2D

    order = [s.label for s in panel.series if s.legend and s.kind != "band"]
    order += list(dict.fromkeys(s.band or s.label for s in panel.series if s.kind == "band"))
    if panel.ref_labels == "legend":
        order += [label for _, label in (*panel.hlines, *panel.vlines)]
    handles: dict[str, Any] = {}
    for h in [*ax.containers, *ax.collections, *ax.get_lines()]:
        if h.get_label() in order and h.get_label() not in handles:
            handles[h.get_label()] = h
    out = sorted(handles.values(), key=lambda h: order.index(h.get_label()))
    out += [Line2D([], [], color="0.3", linestyle=style, label=label)
            for label, style in panel.legend_extra]
    return out


def draw(data: FigureData, *, caption: bool = True):
    """The figure of ``data`` (a ``matplotlib.figure.Figure`` on the Agg canvas, no pyplot);
    ``caption=False``: no title and no caption in the image (a paper writes its own)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(PUBLICATION_RC):
        fig = Figure(figsize=(data.width, data.height), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(data.panels), squeeze=False)[0]
        beside: dict[str, Any] = {}  # legend "right": every panel's entries, once each
        for i, (ax, panel) in enumerate(zip(axes, data.panels, strict=True)):
            _draw_panel(ax, panel, fig)
            handles = _legend_handles(ax, panel)
            if data.legend == "right":
                beside.update({h.get_label(): h for h in handles
                               if h.get_label() not in beside})
            elif handles and not (data.legend == "last" and i < len(data.panels) - 1):
                ax.legend(handles=handles, loc=panel.legend_loc,
                          bbox_to_anchor=panel.legend_anchor)
        if beside:
            axes[-1].legend(handles=list(beside.values()), loc="center left",
                            bbox_to_anchor=(1.02, 0.5))
        if caption:
            fig.suptitle(data.title, fontsize=8.5)
            # the caption is the figure's x label, so that constrained layout keeps room for it
            chars = int(data.width * 72 / (6.5 * 0.52))
            fig.supxlabel(textwrap.fill(data.caption, chars), fontsize=6.5, x=0.01, ha="left",
                          multialignment="left")
    return fig


def figure_texts(fig) -> list:
    """Every text a reader sees in ``fig`` once laid out: the title and caption, and per axes
    its title, axis labels, tick labels, annotations and legend entries."""
    import matplotlib

    with matplotlib.rc_context(PUBLICATION_RC):
        fig.draw(fig.canvas.get_renderer())  # the layout saving would make
    texts = [fig._suptitle, fig._supxlabel]
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label,
                  *ax.texts]
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            pad = 1e-9 * max(abs(lo), abs(hi), 1.0)
            texts += [label for tick in (*axis.get_major_ticks(), *axis.get_minor_ticks())
                      if lo - pad <= tick.get_loc() <= hi + pad
                      for label in (tick.label1, tick.label2)]
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
    return [t for t in texts if t is not None and t.get_visible() and t.get_text().strip()]


def text_overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of texts of ``fig`` (``figure_texts``) whose boxes overlap on the canvas (empty for
    a readable figure)."""
    texts = figure_texts(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    boxes = [(text, box) for text, box in boxes if box.width > 0 and box.height > 0]
    return [(a, b) for i, (a, p) in enumerate(boxes) for b, q in boxes[i + 1:]
            if p.overlaps(q)]


def save(data: FigureData, path: str | Path, fig=None, *, caption: bool = True) -> Path:
    """Write the figure of ``data`` (drawn now, with or without ``caption``, unless ``fig`` is
    given) to ``path`` (.pdf, .svg or .png), with its title and data digest in the file's
    metadata and no date."""
    import matplotlib

    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"path must end in one of {', '.join(FORMATS)}; found {str(path)!r}")
    fig = draw(data, caption=caption) if fig is None else fig
    note = f"recmech figure {data.name}; data sha256 {data.digest()}"
    meta = {".svg": {"Date": None, "Description": note, "Title": data.title},
            ".pdf": {"CreationDate": None, "ModDate": None, "Subject": note,
                     "Title": data.title},
            ".png": {"Description": note, "Title": data.title}}[suffix]
    with matplotlib.rc_context(PUBLICATION_RC):
        fig.savefig(out, metadata=meta)
    return out
