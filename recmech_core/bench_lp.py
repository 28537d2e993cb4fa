"""The bench's yardstick for the revenue LP: an independent cutting-plane solve on scipy's HiGHS.

Cai-Daskalakis EC'22, Sec. 3 (II): M_hat is the revenue-optimal BIC and IR mechanism on finite
latent supports. For one additive bidder and two items (A = I) that LP has, per type s of the
support, lottery variables x[s, B] for the bundles B in {{1}, {2}, {1, 2}} and a payment p[s]
(definition: the LP below):

    definition: max  sum_s Pr[s] p[s]
    s.t. x[s, 1] + x[s, 2] + x[s, 12] <= 1,   p[s] <= v(s) . x[s]        (feasibility, IR)
         v(s) . x[s'] - p[s'] <= v(s) . x[s] - p[s]      for all s != s'  (IC)

with v(s) = (t_1, t_2, t_1 + t_2). This module writes that LP again from the definition, on
purpose sharing nothing with ``recmech.core.optimal`` (no index bookkeeping, no valuation objects,
no HiGHS driver): it starts from the IC rows towards the 4 grid neighbours, then repeatedly
solves from scratch (``scipy.optimize.linprog``, dual simplex) and adds, for every type, its
``per_type`` most violated IC rows over all s', until none is violated by more than ``tol``.
The bench runs it side by side with ``solve_optimal_lp`` on the same grid and asserts that the
two revenues agree to 1e-9.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, sparse

from recmech.core.bench_rows import BenchRow

__all__ = ["BIG_GRID", "SCALE_GRIDS", "TWO_BIDDER_GRID", "TWO_BIDDER_WALL",
           "BaselineLP", "additive_grid_instance",
           "baseline_lp", "grid_points", "lp_scale_rows", "lp_scale_runs", "main", "measure",
           "run_measure", "scale_table", "scaling_exponent"]


@dataclass(frozen=True, kw_only=True)
class BaselineLP:
    """The baseline's optimum: revenue, IC rows kept, rounds, CPU and wall seconds."""

    revenue: float
    ic_rows: int
    rounds: int
    cpu_seconds: float
    wall_seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def grid_points(g: int) -> np.ndarray:
    """definition: the g x g lattice ((i + 1/2) / g, (j + 1/2) / g), row-major in (i, j)."""
    c = (np.arange(g) + 0.5) / g
    return np.stack(np.meshgrid(c, c, indexing="ij"), axis=-1).reshape(-1, 2)


def baseline_lp(g: int, tol: float = 1e-9, per_type: int = 4, chunk: int = 512) -> BaselineLP:
    """The cutting-plane solve of the module docstring on the g x g uniform midpoint grid."""
    if int(g) != g or g < 2:
        raise ValueError(f"g must be an integer >= 2; found {g!r}")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    t = grid_points(int(g))
    n = t.shape[0]
    v = np.column_stack([t[:, 0], t[:, 1], t[:, 0] + t[:, 1]])     # (n, 3)
    # columns: x[s, 0..2] at 3 s + b, p[s] at 3 n + s
    cost = np.concatenate([np.zeros(3 * n), -np.full(n, 1.0 / n)])
    bounds = [(0.0, 1.0)] * (3 * n) + [(None, None)] * n
    s = np.arange(n)
    feas = sparse.csr_matrix((np.ones(3 * n), (np.repeat(s, 3), np.arange(3 * n))),
                             shape=(n, 4 * n))
    ir = sparse.csr_matrix((np.concatenate([-v.ravel(), np.ones(n)]),
                            (np.concatenate([np.repeat(s, 3), s]),
                             np.concatenate([np.arange(3 * n), 3 * n + s]))), shape=(n, 4 * n))

    def ic(a: np.ndarray, b: np.ndarray) -> sparse.csr_matrix:
        # definition: v(a) . x[b] - p[b] - v(a) . x[a] + p[a] <= 0
        r = np.arange(a.size)
        rows = np.concatenate([np.repeat(r, 3), np.repeat(r, 3), r, r])
        cols = np.concatenate([(3 * b[:, None] + np.arange(3)).ravel(),
                               (3 * a[:, None] + np.arange(3)).ravel(), 3 * n + b, 3 * n + a])
        data = np.concatenate([v[a].ravel(), -v[a].ravel(), -np.ones(a.size), np.ones(a.size)])
        return sparse.csr_matrix((data, (rows, cols)), shape=(a.size, 4 * n))

    i, j = np.divmod(s, g)
    first = [(s[i > 0], s[i > 0] - g), (s[i < g - 1], s[i < g - 1] + g),
             (s[j > 0], s[j > 0] - 1), (s[j < g - 1], s[j < g - 1] + 1)]
    blocks = [feas, ir] + [ic(a, b) for a, b in first]
    kept = {int(a) * n + int(b) for a, b in first for a, b in zip(a, b, strict=True)}
    rounds = 0
    while True:
        a_ub = sparse.vstack(blocks, format="csr")
        res = optimize.linprog(cost, A_ub=a_ub, b_ub=np.concatenate(
            [np.ones(n), np.zeros(a_ub.shape[0] - n)]), bounds=bounds, method="highs-ds")
        if res.status != 0:
            raise RuntimeError(f"baseline LP at g = {g}: {res.message}")
        rounds += 1
        x, p = res.x[:3 * n].reshape(n, 3), res.x[3 * n:]
        own = np.einsum("sb,sb->s", v, x) - p
        new_a, new_b = [], []
        for lo in range(0, n, chunk):
            gain = v[lo:lo + chunk] @ x.T - p[None, :] - own[lo:lo + chunk, None]
            top = np.argpartition(-gain, per_type, axis=1)[:, :per_type]
            rows = np.repeat(np.arange(lo, lo + gain.shape[0]), per_type)
            cols = top.ravel()
            bad = gain[rows - lo, cols] > tol
            for a, b in zip(rows[bad], cols[bad], strict=True):
                if int(a) * n + int(b) not in kept:
                    kept.add(int(a) * n + int(b))
                    new_a.append(a)
                    new_b.append(b)
        if not new_a:
            break
        blocks.append(ic(np.asarray(new_a), np.asarray(new_b)))
    return BaselineLP(revenue=float(-res.fun), ic_rows=len(kept), rounds=rounds,
                      cpu_seconds=time.process_time() - cpu0,
                      wall_seconds=time.perf_counter() - wall0)


# --- the bench's LP scale rows: each solve in a process of its own --------------------------------

SCALE_GRIDS = (40, 60, 80)
BIG_GRID = 100
TWO_BIDDER_GRID = 15
TWO_BIDDER_WALL = 900.0  # definition: wall seconds after which the two-bidder run is stopped


def additive_grid_instance(g: int, bidders: int = 1):
    """(A, valuations, laws): ``bidders`` additive bidders, two items (A = I), each latent law
    uniform on the g x g midpoint lattice (``grid_points``)."""
    from recmech.core.laws import FiniteLaw
    from recmech.core.valuations import Additive

    pts = grid_points(g)
    law = FiniteLaw(pts, np.full(pts.shape[0], 1.0 / pts.shape[0]))
    return np.eye(2), [Additive([0.0, 0.0])] * bidders, [law] * bidders


def measure(kind: str, g: int, bidders: int = 1) -> dict:
    """One solve in this process: CPU and wall seconds, revenue, and ru_maxrss (MiB, the whole
    process) after it. ``kind``: "ours" (``solve_optimal_lp``, defaults) or "baseline"."""
    import resource

    if kind == "baseline":
        if bidders != 1:
            raise ValueError(f"the baseline is for one bidder; found bidders={bidders}")
        out = baseline_lp(g).to_dict()
    elif kind == "ours":
        from recmech.core.optimal import solve_optimal_lp

        A, vals, laws = additive_grid_instance(g, bidders)  # noqa: N806 - the paper's name
        cpu0, wall0 = time.process_time(), time.perf_counter()
        res = solve_optimal_lp(A, vals, laws)
        out = {"revenue": res.revenue, "ic_rows": res.n_ic_constraints, "rounds": res.rounds,
               "cpu_seconds": time.process_time() - cpu0,
               "wall_seconds": time.perf_counter() - wall0,
               "max_ic_violation": res.max_ic_violation,
               "max_ir_violation": res.max_ir_violation, "revenue_gap": res.revenue_gap}
    else:
        raise ValueError(f"kind must be 'ours' or 'baseline'; found {kind!r}")
    out.update(kind=kind, g=g, bidders=bidders, types=g * g,
               peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def run_measure(kind: str, g: int, bidders: int = 1, timeout: float | None = None) -> dict:
    """``measure`` in a fresh process (its peak memory is that solve's alone); a process still
    running after ``timeout`` wall seconds is stopped and reported with ``stopped_after``."""
    import json
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "recmech.core.bench_lp", kind, str(g), str(bidders)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"kind": kind, "g": g, "bidders": bidders, "types": g * g, "stopped_after": timeout}
    if done.returncode != 0:
        raise RuntimeError(f"LP bench worker {kind} g={g} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def scaling_exponent(types, seconds) -> float:
    """definition: the least-squares slope of log(seconds) against log(types)."""
    return float(np.polyfit(np.log(np.asarray(types, float)), np.log(np.asarray(seconds, float)),
                            1)[0])


def scale_table(runs) -> str:
    """A markdown table of the side-by-side runs: types, CPU seconds (ours, baseline), ratio,
    peak memory, revenue difference; and the fitted exponents (log-log) below it."""
    stopped = [r for r in runs if "stopped_after" in r]
    by = {}
    for r in (r for r in runs if "stopped_after" not in r):
        by.setdefault((r["g"], r["bidders"]), {})[r["kind"]] = r
    lines = ["| grid | types | ours CPU s | baseline CPU s | ratio | ours peak MiB | "
             "baseline peak MiB | revenue | abs. difference |",
             "|---|---|---|---|---|---|---|---|---|"]
    for (g, m), pair in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        o, b = pair.get("ours"), pair.get("baseline")
        label = f"{g} x {g}" + ("" if m == 1 else f", {m} bidders")
        lines.append("| " + " | ".join([
            label, f"{g * g:,}" + ("" if m == 1 else f"^{m}"),
            f"{o['cpu_seconds']:.2f}" if o else "-", f"{b['cpu_seconds']:.2f}" if b else "-",
            f"{o['cpu_seconds'] / b['cpu_seconds']:.2f}" if o and b else "-",
            f"{o['peak_mb']:.0f}" if o else "-", f"{b['peak_mb']:.0f}" if b else "-",
            f"{o['revenue']:.12f}" if o else "-",
            f"{abs(o['revenue'] - b['revenue']):.1e}" if o and b else "-"]) + " |")
    ones = [p for (g, m), p in sorted(by.items()) if m == 1]
    for kind in ("ours", "baseline"):
        pts = [(p[kind]["types"], p[kind]["cpu_seconds"]) for p in ones if kind in p]
        if len(pts) >= 2:
            lines.append(f"\nCPU seconds ~ types^{scaling_exponent(*zip(*pts, strict=True)):.2f}"
                         f" ({kind}, least squares on log-log, {len(pts)} grids)")
    for r in stopped:
        lines.append(f"\n{r['g']} x {r['g']}, {r['bidders']} bidder(s), {r['kind']}: stopped "
                     f"after {r['stopped_after']:.0f} s wall")
    return "\n".join(lines)


def _at_most(label: str, value: float, limit: float, note: str) -> BenchRow:
    return BenchRow(label, value, f"<= {limit:g}", bool(value <= limit), note)


def lp_scale_runs(quick: bool) -> list[tuple[str, Callable[[], dict]]]:
    """The steps of the LP scale rows: per grid, ``solve_optimal_lp`` then the independent
    cutting-plane baseline (``baseline_lp``), each in a fresh process (CPU seconds by
    ``time.process_time``, peak memory by ru_maxrss); then g = 100 and two bidders on 15 x 15
    grids, ours only. ``quick``: g = 20 side by side only."""
    grids = (20,) if quick else SCALE_GRIDS
    steps = []
    for g in grids:
        for kind in ("ours", "baseline"):
            steps.append((f"optimal LP at scale, {kind}, g = {g}",
                          lambda k=kind, g=g: run_measure(k, g)))
    if not quick:
        steps.append((f"optimal LP at scale, ours, g = {BIG_GRID}",
                      lambda: run_measure("ours", BIG_GRID)))
        steps.append((f"optimal LP at scale, ours, 2 bidders, g = {TWO_BIDDER_GRID}",
                      lambda: run_measure("ours", TWO_BIDDER_GRID, 2, timeout=TWO_BIDDER_WALL)))
    return steps


def lp_scale_rows(runs: Sequence[dict]) -> tuple[list[BenchRow], dict]:
    """The rows and ratio keys of issue 26 from ``lp_scale_runs``' results (definition: the
    targets are the issue's): CPU over the
    baseline per grid (<= 1.5; the two revenues must agree to 1e-9, else RuntimeError), CPU
    seconds at g = 100 (<= 60), peak memory at g = 100 (<= 500 MiB), two bidders (<= 300 s)."""
    ours = {(r["g"], r["bidders"]): r for r in runs if r["kind"] == "ours"}
    base = {r["g"]: r for r in runs if r["kind"] == "baseline"}
    rows, ratios = [], {"lp_cpu_over_baseline": {}, "lp_peak_memory_mb": {},
                        "lp_two_bidders_seconds": {}, "lp_generation_seconds": {}}
    for g, b in sorted(base.items()):
        o = ours[(g, 1)]
        if abs(o["revenue"] - b["revenue"]) > 1e-9:
            raise RuntimeError(f"LP revenues differ at g = {g}: ours {o['revenue']!r}, baseline "
                               f"{b['revenue']!r}")
        ratio = o["cpu_seconds"] / b["cpu_seconds"]
        diff = abs(o["revenue"] - b["revenue"])
        ratios["lp_cpu_over_baseline"][str(g)] = ratio
        rows.append(_at_most(f"optimal LP CPU over independent cutting-plane LP, g = {g} "
                             f"({g * g:,} types)", ratio, 1.5,
                             f"{o['cpu_seconds']:.2f} vs {b['cpu_seconds']:.2f} CPU s; revenue "
                             f"{o['revenue']:.12f}, |difference| {diff:.1e}; {o['ic_rows']:,} vs "
                             f"{b['ic_rows']:,} BIC rows, {o['rounds']} vs {b['rounds']} rounds"))
    for (g, m), o in sorted(ours.items()):
        if m == 1:
            ratios["lp_peak_memory_mb"][str(g)] = o["peak_mb"]
            ratios["lp_generation_seconds"][str(g)] = o["cpu_seconds"]
        else:
            ratios["lp_two_bidders_seconds"][str(g)] = o.get("cpu_seconds")
    big = ours.get((BIG_GRID, 1))
    if big is not None:
        note = (f"revenue {big['revenue']:.12f}, gap {big['revenue_gap']:.1e}, max BIC violation "
                f"{big['max_ic_violation']:.1e}; {big['wall_seconds']:.1f} s wall")
        rows.append(_at_most(f"optimal LP, default solve, g = {BIG_GRID} ({BIG_GRID**2:,} "
                             "types), CPU seconds", big["cpu_seconds"], 60, note))
        rows.append(_at_most(f"optimal LP peak memory, g = {BIG_GRID}, MiB (whole process)",
                             big["peak_mb"], 500, note))
    for (g, m), o in sorted(ours.items()):
        if m > 1 and "stopped_after" in o:
            rows.append(BenchRow(f"optimal LP, {m} bidders x 2 items, {g} x {g} grids, CPU "
                                 "seconds", None, "<= 300", False,
                                 f"stopped after {o['stopped_after']:.0f} s wall"))
        elif m > 1:
            rows.append(_at_most(f"optimal LP, {m} bidders x 2 items, {g} x {g} grids, CPU "
                                 "seconds", o["cpu_seconds"], 300,
                                 f"revenue {o['revenue']:.12f}, {o['rounds']} round(s), "
                                 f"{o['ic_rows']:,} BIC rows; {o['wall_seconds']:.1f} s wall, "
                                 f"peak {o['peak_mb']:.0f} MiB"))
    singles = sorted((g, o) for (g, m), o in ours.items() if m == 1)
    if len(singles) >= 2:
        ratios["lp_scaling_exponent"] = scaling_exponent([o["types"] for _, o in singles],
                                                         [o["cpu_seconds"] for _, o in singles])
    return rows, ratios


def main(argv) -> int:
    """``python -m recmech.core.bench_lp KIND G [BIDDERS]``: one ``measure`` as a JSON line (the
    bench's worker); ``python -m recmech.core.bench_lp --table [--quick]``: every scale run of
    ``recmech bench`` (``lp_scale_runs``), then ``scale_table`` of them and
    the runs as JSON on the last line."""
    import json

    args = list(argv)
    if args and args[0] == "--table":
        runs = [fn() for _, fn in lp_scale_runs("--quick" in args)]
        print(scale_table(runs))
        print(json.dumps(runs))
        return 0
    if len(args) not in (2, 3):
        raise SystemExit("usage: python -m recmech.core.bench_lp (KIND G [BIDDERS] | --table "
                         "[--quick])")
    print(json.dumps(measure(args[0], int(args[1]), int(args[2]) if len(args) > 2 else 1)))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
