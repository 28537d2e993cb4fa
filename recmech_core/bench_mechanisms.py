"""Timings of every mechanism's batched outcomes against posted prices (``recmech bench`` row 8).

Cai-Daskalakis EC'22, Sec. 2.1: revenue and incentives are expectations over bid profiles, so
exact measurement and Monte Carlo run a mechanism on many profiles at once
(``LatentMechanism.outcomes``). Each mechanism family is timed on the same uniform bids as
``PostedPrices`` (the batched baseline), rounds interleaved so that drifts of a shared machine
hit all alike, and the per-profile ``outcome`` loop is timed on a few profiles for the note.
Times are CPU seconds of this process (``time.process_time``, all its threads): on a machine
shared with other work, wall-clock medians of the longer calls absorbed the other processes'
time slices (ratios of 2.3 read as 7 to 11 at load average 10 on 2 cores), CPU time does not.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np

from recmech.core.auctions import BundleMenu, SecondPriceReserve, myerson_auction
from recmech.core.laws import FiniteLaw
from recmech.core.mechanisms import VCG, PostedPrices
from recmech.core.optimal import TabularMechanism
from recmech.core.valuations import UnitDemand

__all__ = ["MECHANISM_TARGET", "MechanismTimings", "mechanism_instances", "mechanism_timings"]

MECHANISM_TARGET = 5.0  # issue 27: each batched time per profile over posted prices'


def mechanism_instances(seed: int = 0) -> dict:
    """{name: mechanism} of every mechanism family on one instance (m = 2 unit-demand bidders,
    N = k = 2, finite laws of 20 points per bidder for the LP and Myerson), and Myerson's
    auction on one item with 4,000 support values per bidder."""
    gen = np.random.default_rng(seed)
    A = np.array([[1.0, 0.25], [0.25, 1.0]])  # noqa: N806 - the paper's name
    vals = [UnitDemand([0.0, 0.0])] * 2
    laws = [FiniteLaw(gen.uniform(0, 1, (20, 2)), np.full(20, 1 / 20)) for _ in range(2)]
    big = [FiniteLaw(gen.uniform(0, 1, (4000, 1)), np.full(4000, 1 / 4000)) for _ in range(2)]
    return {"PostedPrices": PostedPrices(A, vals, [0.6, 0.6]), "VCG": VCG(A, vals),
            "BundleMenu": BundleMenu(A, vals, [[0], [1], [0, 1]], [0.6, 0.6, 1.0]),
            "SecondPriceReserve": SecondPriceReserve(A, vals, 0.3),
            "MyersonAuction": myerson_auction(A, vals, laws),
            "MyersonAuction, 4,000 support values": myerson_auction(
                np.eye(1), [UnitDemand([0.0])] * 2, big),
            "TabularMechanism (LP, menu)": TabularMechanism.from_lp(A, vals, laws)}


@dataclass(frozen=True, kw_only=True)
class MechanismTimings:
    """CPU seconds per profile: ``batched`` (median over rounds of ``outcomes`` on n profiles)
    and ``looped`` (``outcome`` per profile), by mechanism name."""

    batched: dict
    looped: dict
    n: int
    rounds: int

    def over_posted_prices(self) -> dict:
        base = self.batched["PostedPrices"]
        return {k: v / base for k, v in self.batched.items() if k != "PostedPrices"}

    def to_dict(self) -> dict:
        return {"us_per_profile": {k: 1e6 * v for k, v in self.batched.items()},
                "loop_us_per_profile": {k: 1e6 * v for k, v in self.looped.items()},
                "over_posted_prices": self.over_posted_prices(), "n": self.n,
                "rounds": self.rounds}


def mechanism_timings(rounds: int, n: int = 4096, loop: int = 50) -> MechanismTimings:
    """Time every mechanism of ``mechanism_instances`` (module docstring)."""
    mechs = mechanism_instances()
    gen = np.random.default_rng(1)
    bids = {name: gen.uniform(0, 1, (n, m.m, m.k)) for name, m in mechs.items()}
    times: dict[str, list[float]] = {name: [] for name in mechs}
    for r in range(rounds + 1):           # round 0 warms up
        for name, mech in mechs.items():
            start = time.process_time()
            mech.outcomes(bids[name])
            if r:
                times[name].append((time.process_time() - start) / n)
    looped = {}
    for name, mech in mechs.items():
        start = time.process_time()
        for b in bids[name][:loop]:
            mech.outcome(b)
        looped[name] = (time.process_time() - start) / loop
    return MechanismTimings(batched={k: statistics.median(t) for k, t in times.items()},
                            looped=looped, n=n, rounds=rounds)
