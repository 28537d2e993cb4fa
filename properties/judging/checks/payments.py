"""The payment range every mechanism states (project claim ``project.payment_range``).

Monte Carlo revenue and incentives (``recmech.core.montecarlo``) bound each bidder's payment by
the mechanism's own ``payment_range(lo, hi)`` (Hoeffding and empirical Bernstein need the range),
so an interval is only valid if every payment for bids in the box [lo, hi]^k lies in it. The
check draws instances with signed design matrices, every valuation family and a sub-box, and
evaluates each mechanism on random bids and on every corner of the box.
"""

from __future__ import annotations

import itertools

import numpy as np

from recmech.core.auctions import BundleMenu, SecondPriceReserve, myerson_auction
from recmech.core.laws import FiniteLaw
from recmech.core.mechanisms import VCG, PostedPrices
from recmech.core.optimal import TabularMechanism
from recmech.core.valuations import Additive, CDemand, UnitDemand
from recmech.properties.claims.verdict import Verdict
from recmech.properties.judging.checks.registry import register_check
from recmech.properties.judging.profiles import Budget
from recmech.properties.subject.resolved import Subject

__all__ = ["check_payment_range"]

# payments are sums of at most N k + N + 1 rounded terms of the values' size (definition:)
ROUNDING = 64 * np.finfo(float).eps


def _mechanisms(seed: int) -> tuple[list, np.ndarray, np.ndarray]:
    """The mechanism families on one drawn instance (m = 2, N = 3, k = 2, A signed), and a
    bid box [lo, hi] inside [0, 1]^2."""
    gen = np.random.default_rng(seed)
    A = gen.uniform(-1.0, 1.0, size=(3, 2))  # noqa: N806
    mu = gen.uniform(0.0, 0.5, size=3)
    vals = [Additive(mu), UnitDemand(mu[::-1].copy()) if seed % 2 else CDemand(2, mu)]
    laws = [FiniteLaw(gen.integers(0, 5, size=(4, 2)) / 4.0, np.full(4, 0.25)) for _ in range(2)]
    bundles = [[0], [1], [2], [0, 1], [0, 1, 2]]
    mechs = [VCG(A, vals), PostedPrices(A, vals, gen.uniform(-0.2, 1.0, size=3)),
             BundleMenu(A, vals, bundles, gen.uniform(0.0, 1.5, size=len(bundles))),
             SecondPriceReserve(A, vals, reserve=float(gen.uniform(-0.2, 0.8))),
             myerson_auction(A, vals, laws), TabularMechanism.from_lp(A, vals, laws)]
    lo = gen.uniform(0.0, 0.5, size=2)
    return mechs, lo, lo + gen.uniform(0.1, 0.5, size=2)


@register_check("project.payment_range", parts=())
def check_payment_range(*, subject: Subject, budget: Budget) -> Verdict:
    """Every payment of every mechanism family for bids in the box lies in its stated
    ``payment_range`` (checked: project.payment_range), for the unit box and a drawn sub-box;
    the observed value is the largest excess over the range relative to the range's scale."""
    worst, where, count = -np.inf, None, 0
    for seed in range(budget.size("payments.instances")):
        mechs, lo, hi = _mechanisms(seed)
        gen = np.random.default_rng(10_000 + seed)
        for box_lo, box_hi in ((np.zeros(2), np.ones(2)), (lo, hi)):
            corners = np.array(list(itertools.product(*zip(box_lo, box_hi, strict=True))))
            profiles = np.concatenate([
                gen.uniform(box_lo, box_hi, size=(200, 2, 2)),
                np.array([[a, b] for a in corners for b in corners])])
            for mech in mechs:
                rng_ = np.asarray(mech.payment_range(box_lo, box_hi), dtype=float)
                pay = np.asarray(mech.outcomes(profiles).payments, dtype=float)
                scale = 1.0 + np.abs(rng_).max()
                excess = float(np.max(np.maximum(rng_[:, 0] - pay, pay - rng_[:, 1]))) / scale
                count += len(profiles)
                if excess > worst:
                    worst, where = excess, {"mechanism": type(mech).__name__, "seed": seed,
                                            "box": [box_lo.tolist(), box_hi.tolist()],
                                            "range": rng_.tolist()}
    ok = worst <= ROUNDING
    return Verdict.exact("project.payment_range", ok, observed=worst, bound=ROUNDING,
                         slack=ROUNDING - worst, instances=count, instance=where,
                         counterexample=where)
