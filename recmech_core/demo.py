"""``recmech demo``: Thm. 2's query protocols on one bidder population.

Cai-Daskalakis EC'22, Thm. 2 and Prop. 1: for each setting (separable, diagonally dominant,
Gaussian, weak dependence, the assumption-free pivoted protocol, and the certified protocol at
the Gaussian set's certified delta) a design A (N x k) is drawn,
a population of bidders with types within eps of Az (z ~ Beta(2, 2)^k; worst-case vertex
perturbation by default) answers price queries, and the table compares the queries used with the
naive N x q, and the observed latent error with the a-priori and certified deltas.

``recmech demo --mechanism`` runs the mechanism experiment (``recmech.core.experiment``); the
command line renders the rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.gate import real, whole
from recmech.core.laws import BetaProduct, as_generator
from recmech.core.oracles import TruthfulOracle
from recmech.core.types import CloseTypeLaw

__all__ = ["DemoRow", "run_demo", "run_setting"]


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
    built: dict = {}

    def design(family: str, offset: int, **kw) -> designs.DesignMatrix:
        if (family, offset) not in built:
            built[(family, offset)] = designs.design_for(family, N, k, seed + offset, **kw)
        return built[(family, offset)]

    def make(setting: str, family: str, offset: int, **kw) -> Callable:
        return lambda: protocols.protocol_for(setting, design(family, offset, **kw), eps)

    def certified() -> protocols.QueryProtocol:
        # the same accuracy as Thm. 2's Gaussian item set on the same design, certified
        theorem = protocols.protocol_for("gaussian", design("gaussian", 2), eps)
        return protocols.protocol_for("certified", design("gaussian", 2), eps,
                                      delta=theorem.certified_delta())

    return [
        ("separable", make("deterministic", "separable", 0)),
        ("diagonally_dominant", make("deterministic", "diagonally_dominant", 1,
                                     C=designs.dominant_block(k, seed))),
        ("gaussian", make("gaussian", "gaussian", 2)),
        ("weak_dependence", make("weak_dependence", "weak_dependence", 3)),
        ("pivoted (Gaussian A)", make("pivoted", "gaussian", 2)),
        ("certified (Gaussian A, Thm. 2's delta)", certified),
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


def run_demo(N: int = 100_000, k: int = 8, eps: float = 0.01, bidders: int = 20,  # noqa: N803
             seed: int = 0, perturbation: str = "adversarial", *,
             progress: Callable[[str, int, int], None] | None = None) -> list[DemoRow]:
    """One row per setting: ``bidders`` bidders with types within eps of Az run through the
    setting's protocol (ValueError when a setting's design cannot be built). The last row is the
    certified protocol (``recmech.core.certified``) on the Gaussian design, at the certified
    delta of Thm. 2's Gaussian item set: the same accuracy for far fewer queries.
    ``progress(what, done, total)`` is called before each setting."""
    bidders = whole(bidders, "bidders", low=1)
    seed = whole(seed, "seed", low=0)
    eps = real(eps, "eps", low=0.0, low_open=True)
    settings = _settings(N, k, eps, seed)
    rows = []
    for offset, (name, build) in enumerate(settings):
        if progress is not None:
            progress(name, offset, len(settings))
        rows.append(run_setting(name, build(), bidders, perturbation, seed + 100 + offset))
    return rows
