"""``recmech bench``: the performance ratios of issue 6, measured in one run.

Cai-Daskalakis EC'22, Thm. 2 promises per-bidder communication and computation independent of the
number of items N; the suite around it needs fast exact solvers and fast Monte Carlo. Each row is
a ratio of two numbers measured in this run (medians over rounds), against its target:

1. time per bidder at N = 10^7 over N = 10^3 (k = 8, eps = 1e-3), per setting of Thm. 2: items
   selected once per mechanism, then per bidder the price queries and the least-squares recovery
   (pseudo-inverse computed once). Each setting runs in its own process (one N = 10^7 design in
   memory at a time), which also measures row 7.
2. queries over the information-theoretic minimum k log2(1 / (2 delta)), delta the run's certified
   accuracy ||(B^T B)^-1 B^T||_inf (eps + eta) (N = 10^6).
3. queries over the naive protocol that asks about all N items, N q (N = 10^6, same eta).
4. batched over looped Monte Carlo revenue (m = 3, k = 4, posted prices and VCG).
5. exact l_inf-Prokhorov by integer max flow over the plain transport LP, same search.
6. revenue-optimal LP (1 bidder, 2 items, 20 x 20 latent grid): all BIC pairs over generation.
7. peak memory of the N = 10^7 run over the size of A.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import scipy
from scipy import optimize, sparse

from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.laws import BetaProduct, FiniteLaw, as_generator
from recmech.core.oracles import TruthfulOracle
from recmech.core.types import CloseTypeLaw

__all__ = ["NOTES", "SETTINGS", "BenchRow", "BenchRun", "bidder_types", "build_protocol",
           "interleaved_per_bidder", "lp_row", "mc_rows", "prokhorov_row", "query_rows",
           "run_bench", "run_bidders", "scaling_rows", "seconds_per_bidder", "timed", "worker"]

K, EPS = 8, 1e-3
SMALL_N, LARGE_N, QUERY_N = 10**3, 10**7, 10**6
SETTINGS = ("separable", "gaussian", "weak_dependence")
WEAK_FIXED = 1000  # |S| for the like-for-like weak-dependence row (the theorem's S needs 16,385)


@dataclass(frozen=True)
class BenchRow:
    """One line of the ratio table."""

    ratio: str
    measured: float | None
    target: str
    met: bool | None
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# --- workloads (shared with tests/benchmarks) --------------------------------------------------

def build_protocol(setting: str, N: int, seed: int = 0, size: int | None = None,  # noqa: N803
                   k: int = K, eps: float = EPS) -> protocols.QueryProtocol:
    """The Thm. 2 protocol of ``setting`` (``SETTINGS``: the design family, separable or an
    ex-ante one) on a fresh design with N items (``size`` fixes |S| of weak dependence)."""
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {SETTINGS}; found {setting!r}")
    design = designs.design_for(setting, N, k, seed)
    # equal variances: the first ``size`` items are as good as any
    S = None if size is None or setting != "weak_dependence" else np.arange(min(size, N))
    return protocols.protocol_for("deterministic" if setting == "separable" else setting,
                                  design, eps, S=S)


def bidder_types(protocol: protocols.QueryProtocol, n: int, rng) -> list:
    """n bidders with types within eps of Az (z ~ Beta(2, 2)^k, uniform hashed offsets)."""
    k = protocol.design.k
    law = CloseTypeLaw(BetaProduct(np.full(k, 2.0), np.full(k, 2.0)), protocol.design,
                       protocol.eps, perturbation="uniform", corruption="none")
    gen = as_generator(rng)
    return [law.sample(gen) for _ in range(n)]


def run_bidders(protocol: protocols.QueryProtocol, pairs) -> list:
    """One protocol run per bidder (queries + recovery), through a truthful price oracle."""
    return [protocol.run(TruthfulOracle(t)) for _, t in pairs]


def seconds_per_bidder(protocol, bidders: int, rounds: int, seed: int = 1) -> float:
    """Median over ``rounds`` (after one warm-up) of the time per bidder; fresh bidders each
    round (a type remembers its last answers, so reused bidders would be cheaper)."""
    return interleaved_per_bidder([protocol], bidders, rounds, seed)[0]


def interleaved_per_bidder(protos: Sequence, bidders: int, rounds: int,
                           seed: int = 1) -> list[float]:
    """``seconds_per_bidder`` for several protocols with their rounds interleaved."""
    gen = np.random.default_rng(seed)
    times: list[list[float]] = [[] for _ in protos]
    for r in range(rounds + 1):
        for j, proto in enumerate(protos):
            pairs = bidder_types(proto, bidders, gen)
            start = time.perf_counter()
            run_bidders(proto, pairs)
            if r:
                times[j].append((time.perf_counter() - start) / bidders)
    return [statistics.median(t) for t in times]


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, object]:
    """(median seconds over ``rounds``, the last result)."""
    times, out = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def mc_instance(kind: str, k: int = 4, N: int = 6, seed: int = 0):  # noqa: N803
    """(mechanism, laws): m = 3 unit-demand bidders, k = 4, posted prices or VCG."""
    from recmech.core.mechanisms import VCG, PostedPrices
    from recmech.core.valuations import UnitDemand

    gen = np.random.default_rng(seed)
    A = gen.uniform(0.0, 1.0 / k, size=(N, k))  # noqa: N806 - the paper's name
    vals = [UnitDemand(gen.uniform(0.0, 0.2, size=N)) for _ in range(3)]
    laws = [BetaProduct(np.full(k, 2.0), np.full(k, 2.0)) for _ in range(3)]
    mech = VCG(A, vals) if kind == "vcg" else PostedPrices(A, vals, np.full(N, 0.45))
    return mech, laws


def prokhorov_instance(n: int = 1000, d: int = 3, seed: int = 0):
    """Two empirical laws of n points in [0,1]^d: uniform and Beta(2, 2)^d."""
    gen = np.random.default_rng(seed)
    w = np.full(n, 1.0 / n)
    return (gen.random((n, d)), w), (gen.beta(2.0, 2.0, (n, d)), w)


def prokhorov_plain_lp(p_law, q_law) -> float:
    """The baseline: the same candidate search, each g(eps) by a transport LP (HiGHS)."""
    from recmech.core import prokhorov as pk

    x, p = pk.law_arrays(p_law, "p_law")
    y, q = pk.law_arrays(q_law, "q_law")
    cands, rows, cols, counts = pk.sorted_pairs(pk.linf_distances(x, y))

    def big_g(i: int) -> float:
        r, c = rows[:counts[i]], cols[:counts[i]]
        if r.size == 0:
            return 1.0
        e = np.arange(r.size)
        a_ub = sparse.vstack([sparse.csr_matrix((np.ones(r.size), (r, e)), shape=(p.size, r.size)),
                              sparse.csr_matrix((np.ones(r.size), (c, e)), shape=(q.size, r.size))])
        res = optimize.linprog(-np.ones(r.size), A_ub=a_ub.tocsr(), b_ub=np.concatenate([p, q]),
                               bounds=(0, None), method="highs")
        return max(0.0, 1.0 + float(res.fun))

    return pk.breakpoint_search(cands, big_g)


def lp_instance(grid: int):
    """1 bidder, 2 items (A = I), unit demand, latent law uniform on a grid x grid lattice."""
    from recmech.core.valuations import UnitDemand

    c = (np.arange(grid) + 0.5) / grid
    pts = np.array([(a, b) for a in c for b in c])
    return np.eye(2), [UnitDemand([0.0, 0.0])], [FiniteLaw(pts, np.full(len(pts), 1 / len(pts)))]


# --- the per-setting worker (own process: one big design, and its peak memory) ----------------

def _max_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def worker(setting: str, large: int, bidders: int, rounds: int) -> dict:
    """Time per bidder at N = 10^3 and at ``large`` (rounds interleaved, so drifts of the
    machine hit both alike), and the peak RSS of the large run above the RSS before it."""
    size = WEAK_FIXED if setting == "weak_dependence" else None
    out = {"setting": setting}
    small = build_protocol(setting, SMALL_N, size=size)
    base = _max_rss()
    proto = build_protocol(setting, large, size=size)
    out["small"], out["large"] = interleaved_per_bidder([small, proto], bidders, rounds)
    out["small_items"], out["large_items"] = int(len(small.items)), int(len(proto.items))
    out["a_bytes"] = int(proto.design.A.nbytes)
    out["peak_bytes"] = _max_rss() - base
    if setting == "weak_dependence":
        # the theorem's own S (|S| > 256 k^2 is N-independent): N = large over N = 10^5
        mid = build_protocol(setting, 10**5)
        theorem = protocols.weak_dependence_protocol(proto.design, EPS)
        out["theorem_mid"], out["theorem_large"] = interleaved_per_bidder([mid, theorem],
                                                                          bidders, rounds)
        out["theorem_items"] = int(len(theorem.items))
    return out


def _run_worker(setting: str, large: int, bidders: int, rounds: int) -> dict:
    cmd = [sys.executable, "-m", "recmech.core.bench", "--worker", setting, "--large", str(large),
           "--bidders", str(bidders), "--rounds", str(rounds)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench worker {setting} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the rows -----------------------------------------------------------------------------------

def _pow10(n: int) -> str:
    e = round(np.log10(n))
    return f"10^{e}" if 10**e == n else f"{n:,}"


def _row(ratio: str, value: float | None, target: str, test: Callable[[float], bool] | None,
         note: str = "") -> BenchRow:
    met = None if value is None or test is None else bool(test(value))
    return BenchRow(ratio, value, target, met, note)


def scaling_rows(results: Sequence[dict], large: int) -> list[BenchRow]:
    """Rows 1 and 7 from the per-setting workers."""
    rows = []
    for r in results:
        items = (f"|Q| = {r['small_items']:,} at both N" if r["small_items"] == r["large_items"]
                 else f"|Q| = {r['small_items']:,} -> {r['large_items']:,}")
        rows.append(_row(f"time/bidder N={_pow10(large)} over N=10^3, {r['setting']}",
                         r["large"] / r["small"], "<= 1.5", lambda v: v <= 1.5,
                         f"{1e3 * r['small']:.3f} -> {1e3 * r['large']:.3f} ms; {items}"))
        if "theorem_large" in r:
            rows.append(_row(f"time/bidder N={_pow10(large)} over N=10^5, weak_dependence, "
                             "theorem's S", r["theorem_large"] / r["theorem_mid"], "<= 1.5",
                             lambda v: v <= 1.5,
                             f"{1e3 * r['theorem_mid']:.3f} -> {1e3 * r['theorem_large']:.3f} ms;"
                             f" |S| = {r['theorem_items']:,} (> 256 k^2, impossible at N = 10^3)"))
    for r in results:
        rows.append(_row(f"peak memory N={_pow10(large)} run over size of A, {r['setting']}",
                         r["peak_bytes"] / r["a_bytes"], "<= 1.1", lambda v: v <= 1.1,
                         f"ru_maxrss rise {r['peak_bytes'] / 2**20:.0f} MiB over the RSS before "
                         f"the run; A = {r['a_bytes'] / 2**20:.0f} MiB"))
    return rows


def query_rows(N: int = QUERY_N, bidders: int = 20) -> list[BenchRow]:  # noqa: N803
    """Rows 2 and 3: queries used against k log2(1/(2 delta)) and against N q."""
    info, naive = [], []
    for setting in SETTINGS:
        proto = build_protocol(setting, N)
        results = run_bidders(proto, bidder_types(proto, bidders, 7))
        used = max(res.queries for res in results)
        delta = results[0].certified_delta
        minimum = proto.design.k * np.log2(1 / (2 * delta))
        target = "<= 1.25" if setting == "separable" else "report"
        note = (f"{used:,} queries ({len(proto.items):,} items x q = {proto.queries_per_item}); "
                f"certified delta = {delta:.4g}")
        if minimum <= 0:
            info.append(_row(f"queries over k log2(1/(2 delta)), {setting}", None, target, None,
                             note + " >= 1/2: the minimum is 0"))
        else:
            info.append(_row(f"queries over k log2(1/(2 delta)), {setting}", used / minimum,
                             target, (lambda v: v <= 1.25) if setting == "separable" else None,
                             note))
        naive.append(_row(f"queries over naive N q, N={_pow10(N)}, {setting}",
                          used / (proto.design.N * proto.queries_per_item), "report", None,
                          f"naive = {proto.design.N * proto.queries_per_item:,}"))
        del proto, results
    return info + naive


def mc_rows(rounds: int, n: int = 4096) -> list[BenchRow]:
    """Row 4: batched over looped Monte Carlo revenue, same draws."""
    from recmech.core.montecarlo import monte_carlo_revenue

    rows = []
    for kind in ("posted", "vcg"):
        mech, laws = mc_instance(kind)
        fast, a = timed(lambda m=mech, ls=laws: monte_carlo_revenue(m, ls, n, 5), rounds)
        slow, b = timed(lambda m=mech, ls=laws: monte_carlo_revenue(m, ls, n, 5, batched=False),
                        rounds)
        assert abs(a.mean - b.mean) <= 1e-9, (a.mean, b.mean)
        rows.append(_row(f"batched over looped Monte Carlo revenue, {kind}", slow / fast, ">= 20",
                         lambda v: v >= 20,
                         f"{n:,} profiles: {1e6 * fast / n:.1f} vs {1e6 * slow / n:.1f} us each"))
    return rows


def prokhorov_row(rounds: int, n: int = 1000) -> BenchRow:
    """Row 5: our exact Prokhorov over the plain-LP baseline (same answer asserted)."""
    from recmech.core.prokhorov import prokhorov_distance

    p, q = prokhorov_instance(n)
    ours, d1 = timed(lambda: prokhorov_distance(p, q), rounds)
    plain, d2 = timed(lambda: prokhorov_plain_lp(p, q), rounds)
    assert abs(d1 - d2) <= 1e-9, (d1, d2)
    return _row(f"Prokhorov: plain LP over max flow, {n} points/law", plain / ours, ">= 10",
                lambda v: v >= 10, f"d_P = {d1:.6f}; {ours:.2f} s vs {plain:.2f} s (d = 3)")


def lp_row(rounds: int, grid: int) -> BenchRow:
    """Row 6: all BIC pairs over constraint generation, same optimum to 1e-9."""
    from recmech.core.optimal import solve_optimal_lp

    A, vals, laws = lp_instance(grid)  # noqa: N806
    gen_t, gen = timed(lambda: solve_optimal_lp(A, vals, laws, method="generation"), rounds)
    full_t, full = timed(lambda: solve_optimal_lp(A, vals, laws, method="full"), rounds)
    assert abs(full.revenue - gen.revenue) <= 1e-9, (full.revenue, gen.revenue)
    full_size = grid == 20
    return _row(f"optimal LP: all pairs over generation, {grid * grid} types", full_t / gen_t,
                ">= 5" if full_size else ">= 5 at 400 types", (lambda v: v >= 5) if full_size
                else None,
                f"{full_t:.1f} s vs {gen_t:.1f} s ({full.n_ic_constraints:,} vs "
                f"{gen.n_ic_constraints:,} BIC rows); revenue {gen.revenue:.6f}")


# --- output -------------------------------------------------------------------------------------

def machine() -> dict:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "numpy": np.__version__, "scipy": scipy.__version__, "system": platform.system()}


NOTES = """Notes. Times are medians over rounds of this run, after a warm-up round.
"Time per bidder" is one protocol run (q rounds of price queries on the selected items, then
z_hat = P y), with the items selected and P computed once per mechanism. delta is the run's
certified accuracy ||(B^T B)^-1 B^T||_inf (eps + eta), eta = eps = 1e-3: the a-posteriori
bound of the queried block, which holds for every type within eps of Az. Weak dependence at
N = 1e3 cannot meet its hypothesis (it needs |S| > 256 k^2 = 16,384), so its N-ratio row
queries |S| = 1,000 items at both N; the theorem's S is compared at N = 1e5 and 1e7.
Peak memory: ru_maxrss of the per-setting process over its value before the design is built
(the interpreter, numpy, scipy and the N = 1e3 run)."""


@dataclass(frozen=True)
class BenchRun:
    """One run of ``recmech bench``: the rows, the machine, the settings and the wall time."""

    rows: list[BenchRow]
    machine: dict
    quick: bool
    rounds: int
    grid: int
    seconds: float

    def to_dict(self) -> dict:
        return {"machine": self.machine, "quick": self.quick, "seconds": self.seconds,
                "rows": [r.to_dict() for r in self.rows]}


def run_bench(quick: bool = False,
              progress: Callable[[str, int, int], None] | None = None) -> BenchRun:
    """Measure every ratio of the module docstring in one run (``quick``: fewer rounds and a
    12 x 12 LP grid); ``progress(what, done, total)`` is called before each step."""
    start = time.perf_counter()
    rounds, grid = (2, 12) if quick else (3, 20)
    steps = len(SETTINGS) + 4
    tell = progress or (lambda what, done, total: None)
    scaling = []
    for i, s in enumerate(SETTINGS):
        tell(f"time per bidder and peak memory, {s}", i, steps)
        scaling.append(_run_worker(s, LARGE_N, 40, 3 if quick else 7))
    rows = scaling_rows(scaling, LARGE_N)[:-3]
    tell("queries per bidder", len(SETTINGS), steps)
    rows += query_rows()
    tell("Monte Carlo revenue, batched and looped", len(SETTINGS) + 1, steps)
    rows += mc_rows(rounds)
    tell("Prokhorov distance, max flow and plain LP", len(SETTINGS) + 2, steps)
    rows.append(prokhorov_row(rounds))
    tell("optimal LP, constraint generation and all pairs", len(SETTINGS) + 3, steps)
    rows.append(lp_row(1 if quick else 2, grid))
    rows += scaling_rows(scaling, LARGE_N)[-3:]
    return BenchRun(rows, machine(), bool(quick), rounds, grid, time.perf_counter() - start)


def _worker_main(argv: Sequence[str]) -> int:
    """``python -m recmech.core.bench --worker SETTING ...``: one setting's scaling run in a
    process of its own (one N = 10^7 design in memory at a time); prints its JSON line."""
    p = argparse.ArgumentParser(prog="python -m recmech.core.bench")
    p.add_argument("--worker", choices=SETTINGS, required=True)
    p.add_argument("--large", type=int, default=LARGE_N)
    p.add_argument("--bidders", type=int, default=40)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(list(argv))
    print(json.dumps(worker(args.worker, args.large, args.bidders, args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(_worker_main(sys.argv[1:]))
