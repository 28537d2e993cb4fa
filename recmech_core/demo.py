"""``recmech demo``: Thm. 2's query protocols on one bidder population.

Cai-Daskalakis EC'22, Thm. 2 and Prop. 1: for each setting (separable, diagonally dominant,
Gaussian, weak dependence, and the assumption-free pivoted protocol) a design A (N x k) is drawn,
a population of bidders with types within eps of Az (z ~ Beta(2, 2)^k; worst-case vertex
perturbation by default) answers price queries, and the table compares the queries used with the
naive N x q, and the observed latent error with the a-priori and certified deltas.

``recmech demo --mechanism [args]`` runs the mechanism experiment (``recmech.core.experiment``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.laws import BetaProduct, as_generator
from recmech.core.oracles import TruthfulOracle
from recmech.core.types import CloseTypeLaw


@dataclass(frozen=True)
class DemoRow:
    """One setting's line of the demo table."""

    setting: str
    items_queried: int
    queries: int
    naive_queries: int
    max_latent_error: float
    a_priori_delta: float | None
    certified_delta: float
    ms_per_bidder: float

    def to_dict(self) -> dict:
        return asdict(self)


def _settings(N: int, k: int, eps: float, seed: int) -> list[tuple[str, Callable]]:
    def make(setting: str, family: str, offset: int, **kw) -> Callable:
        return lambda: protocols.protocol_for(
            setting, designs.design_for(family, N, k, seed + offset, **kw), eps)

    return [
        ("separable", make("deterministic", "separable", 0)),
        ("diagonally_dominant", make("deterministic", "diagonally_dominant", 1,
                                     C=designs.dominant_block(k, seed))),
        ("gaussian", make("gaussian", "gaussian", 2)),
        ("weak_dependence", make("weak_dependence", "weak_dependence", 3)),
        ("pivoted (Gaussian A)", make("pivoted", "gaussian", 2)),
    ]


def run_setting(name: str, protocol: protocols.QueryProtocol, bidders: int, perturbation: str,
                rng) -> DemoRow:
    """Run ``bidders`` bidders through ``protocol`` and measure the latent error."""
    gen = as_generator(rng)
    design = protocol.design
    latent = BetaProduct(np.full(design.k, 2.0), np.full(design.k, 2.0))
    law = CloseTypeLaw(latent, design, protocol.eps, perturbation=perturbation,
                       corruption="none", target=protocol)
    worst, elapsed, result = 0.0, 0.0, None
    for _ in range(bidders):
        z, t = law.sample(gen)
        start = time.perf_counter()
        result = protocol.run(TruthfulOracle(t))
        elapsed += time.perf_counter() - start
        worst = max(worst, float(np.max(np.abs(result.z_hat - z))))
    return DemoRow(name, len(protocol.items), result.queries,
                   design.N * protocol.queries_per_item, worst, result.a_priori_delta,
                   result.certified_delta, 1e3 * elapsed / bidders)


def _fmt(value) -> str:
    if value is None:
        return "n/a (hypothesis fails)"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown_table(rows: Sequence[DemoRow]) -> str:
    head = ["setting", "items queried", "queries / bidder", "naive queries (N x q)",
            "max latent error", "a-priori delta", "certified delta", "ms / bidder"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r.setting, r.items_queried, r.queries, r.naive_queries, r.max_latent_error,
                 r.a_priori_delta, r.certified_delta, r.ms_per_bidder]
        lines.append("| " + " | ".join(_fmt(c) for c in cells) + " |")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recmech demo", description=__doc__.splitlines()[0])
    p.add_argument("--N", type=int, default=100_000, help="number of items (default 100000)")
    p.add_argument("--k", type=int, default=8, help="latent dimension (default 8)")
    p.add_argument("--eps", type=float, default=0.01, help="type accuracy eps (default 0.01)")
    p.add_argument("--bidders", type=int, default=20, help="bidders per setting (default 20)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--perturbation", choices=("adversarial", "uniform", "none"),
                   default="adversarial", help="how types deviate from Az within eps")
    p.add_argument("--json", metavar="PATH", help="also write the rows as JSON to PATH")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["--mechanism"]:
        try:
            experiment = importlib.import_module("recmech.core.experiment")
        except ImportError:
            print("recmech demo --mechanism: the mechanism experiment is not available "
                  "in this build", file=sys.stderr)
            return 2
        return int(experiment.main(args_in[1:]) or 0)
    args = _parser().parse_args(args_in)
    if args.bidders < 1:
        print(f"recmech demo: --bidders must be >= 1; found {args.bidders}", file=sys.stderr)
        return 2
    rows = []
    try:
        for offset, (name, build) in enumerate(_settings(args.N, args.k, args.eps, args.seed)):
            rows.append(run_setting(name, build(), args.bidders, args.perturbation,
                                    args.seed + 100 + offset))
    except ValueError as exc:
        print(f"recmech demo: {exc}", file=sys.stderr)
        return 2
    print(f"Thm. 2 query protocols: N={args.N:,} items, k={args.k}, eps={args.eps}, "
          f"eta=eps, {args.bidders} bidders per setting, types within eps of Az "
          f"({args.perturbation} perturbation), truthful price answers.\n")
    print(markdown_table(rows))
    print("\nnaive = querying every item with the same binary search; a-priori delta is the "
          "paper's (probabilistic for Gaussian/weak dependence); certified = "
          "||(B^T B)^-1 B^T||_inf (eps + eta) of the queried block.")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"N": args.N, "k": args.k, "eps": args.eps, "bidders": args.bidders,
                       "seed": args.seed, "perturbation": args.perturbation,
                       "rows": [r.to_dict() for r in rows]}, fh, indent=2)
    return 0
