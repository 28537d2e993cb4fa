"""Judgements of the mechanism parts: Lemma 2's robustified M_tilde and the latent M_hat.

``robustify(inner, laws, delta)`` (Lemma 2, Appendix A). The construction fixes the allocation:
for a grid offset r, each bid b_i is rounded to its cell, b'_i is drawn from the model law
conditioned on the cell, and M_hat runs on b'; the outcome is the expectation over b' (and over
r for ``outcome``). definition: The payment is M_hat's minus an IR rebate the paper leaves open; the
reference's rebate (``recmech.core.robust``) is a yardstick from above: a larger rebate is
"looser than the reference" (revenue given away), a smaller one must still leave every truthful
bidder's utility >= 0. So, on every bid profile whose cells hold model mass:

- allocation: every allocation's probability equals the reference's;
- definition: payments: p_out_i >= p_ref_i (a rebate no larger than the reference's);
- definition: IR: E[v_i^A(b_i, S)] - p_out_i >= 0 for the truthful bidder of type b_i;

per offset region (exactly: one representative offset inside each region, where every cell
assignment is constant; when the part's mechanism provides ``outcome_at(bids, offset)``) and
for the expectation over offsets (``outcome``). Bids: the model's support points, the points
moved by +-delta/3 (other cells at some offsets), points near 0 (cell index -1 at offsets above
them). Metamorphic relations judge the part against itself where the reference's payments are
not the only right ones: permuting the bidders (with M_hat and the laws) permutes the outcome;
rescaling units (A -> 2A, mu -> 2 mu, M_hat's payments x2) doubles the payments and keeps the
allocation.

``latent_mechanism(A, valuations, laws)`` (Sec. 3 (II)): M_hat is BIC and (ex-post) IR for the
model laws, measured exactly over the support (``recmech.core.measure.direct_report``), and its
revenue is compared with the optimum over all BIC and IR mechanisms, the reference's LP: below it
is "looser than the optimum" (list ``part.latent_mechanism`` in an xfails file for a simpler
M_hat on purpose), above it means BIC or IR fails somewhere. Metamorphic: the revenue is
invariant under permuting the bidders and adding a dummy item nobody values (a zero row of A,
mu = 0), and doubles with the units.

definition: Tolerances (``recmech.properties.judging.tolerances``): outcomes ``mechanism.outcome``,
1e-9 V
(sums of at most 10^4 rounded products), V = max(1, largest value or payment in play); BIC and
IR of M_hat ``mechanism.ir_bic``, 10 tau V, and revenue against the LP optimum
``mechanism.revenue``, 10 tau max(1, REV*), tau = 1e-7 the solver tolerance the contract
states (an interior-point LP at HiGHS's defaults leaves ex-post utilities near -1e-9).
"""

from __future__ import annotations

import itertools

import numpy as np

from recmech.core.laws import FiniteLaw
from recmech.core.measure import Population, direct_report
from recmech.core.mechanisms import LatentMechanism, Outcome
from recmech.core.optimal import TabularMechanism
from recmech.core.robust import RandomGrid, RobustifiedMechanism
from recmech.core.valuations import Additive, CDemand, UnitDemand
from recmech.properties.claims.verdict import Verdict
from recmech.properties.guard.parts.registry import Worst, part_size, register_part
from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.tolerances import mechanism_value_scale, tolerance
from recmech.properties.subject.calls import PartError
from recmech.properties.subject.outside import OutsideMechanism
from recmech.properties.subject.resolved import Subject

__all__ = ["PermutedMechanism", "ScaledMechanism", "compare_outcomes", "judge_latent_mechanism",
           "judge_robustify", "mechanism_instances", "remade_valuation", "scaled_valuation"]



def mechanism_instances(n: int, seed: int) -> list[dict]:
    """Small finite instances (A, valuations, laws, delta): four fixed ones (Lemma 2's, two
    asymmetric bidders with a support point near 0, a two-dimensional latent, a signed A with
    two bidders), then ``n`` drawn ones (A of either sign on every other draw)."""
    out = [
        {"label": "lemma 2 instance", "A": np.array([[1.0], [0.5]]),
         "valuations": [UnitDemand([0.0, 0.05])],
         "laws": [FiniteLaw([[0.2], [0.45], [0.7], [0.95]], [0.2, 0.3, 0.3, 0.2])],
         "delta": 0.3},
        {"label": "two asymmetric bidders, mass near 0", "A": np.array([[1.0]]),
         "valuations": [Additive([0.0]), Additive([0.1])],
         "laws": [FiniteLaw([[0.05], [0.5], [0.9]], [0.3, 0.3, 0.4]),
                  FiniteLaw([[0.3], [0.62]], [0.6, 0.4])], "delta": 0.2},
        {"label": "k = 2", "A": np.array([[1.0, 0.2], [0.1, 1.0]]),
         "valuations": [UnitDemand([0.0, 0.0])],
         "laws": [FiniteLaw([[0.1, 0.8], [0.6, 0.3], [0.9, 0.95]], [0.3, 0.3, 0.4])],
         "delta": 0.25},
        {"label": "signed A, two bidders", "A": np.array([[1.0, -0.5], [-0.3, 0.8]]),
         "valuations": [Additive([0.1, 0.0]), UnitDemand([0.2, 0.1])],
         "laws": [FiniteLaw([[0.1, 0.9], [0.8, 0.2]], [0.5, 0.5]),
                  FiniteLaw([[0.5, 0.5], [0.9, 0.1]], [0.3, 0.7])], "delta": 0.3},
    ]
    gen = np.random.default_rng(seed)
    for i in range(n):
        m, k = int(gen.integers(1, 3)), int(gen.integers(1, 3))
        N = 1 if m == 2 else int(gen.integers(1, 3))
        # entries of A of either sign (the paper's domain is A in R^{N x k}) on every other draw
        A = np.round(gen.uniform(-1.0 if i % 2 else 0.1, 1.0, (N, k)), 2)
        vals = [(UnitDemand if gen.uniform() < 0.5 else Additive)(
            np.round(gen.uniform(0, 0.2, N), 2)) for _ in range(m)]
        laws = []
        for _ in range(m):
            s = int(gen.integers(2, 4))
            pts = np.round(gen.uniform(0, 1, (s, k)), 2)
            w = gen.integers(1, 5, s).astype(float)
            laws.append(FiniteLaw(pts, w / w.sum()))
        out.append({"label": f"drawn {i}", "A": A, "valuations": vals, "laws": laws,
                    "delta": float(gen.choice([0.1, 0.2, 0.35]))})
    return out


def _lottery(out: Outcome) -> dict[bytes, float]:
    table: dict[bytes, float] = {}
    for p, alloc in out.lottery:
        key = np.asarray(alloc, dtype=bool).tobytes()
        table[key] = table.get(key, 0.0) + float(p)
    return table


def compare_outcomes(got: Outcome, ref: Outcome, mech: LatentMechanism, bids: np.ndarray,
                     scale: float) -> tuple[float, dict]:
    """definition: (score, detail): the allocation lottery equal, no larger rebate, IR for the
    truthful
    bidders, each as a ratio to the tolerance 1e-9 scale (module docstring)."""
    tol = tolerance("mechanism.outcome", scale=scale)
    a, b = _lottery(got), _lottery(ref)
    alloc_diff = max((abs(a.get(key, 0.0) - b.get(key, 0.0)) for key in set(a) | set(b)),
                     default=0.0)
    deficit = float(np.max(ref.payments - got.payments))
    utility = [got.utility(i, mech.valuations[i], mech.A @ bids[i]) for i in range(mech.m)]
    scores = {"allocation": alloc_diff / tol, "rebate": deficit / tol,
              "ir": -min(utility) / tol}
    problems = [name for name, s in scores.items() if s > 1]
    return max(scores.values()), {
        "bids": bids.tolist(), "outside": got.to_dict(), "reference": ref.to_dict(),
        "allocation_difference": alloc_diff, "payment_below_reference": deficit,
        "truthful_utility": utility, "tolerance": tol, "problems": problems}


def _scale(inst: dict) -> float:
    return mechanism_value_scale(inst["A"], inst["valuations"])


def _outcome(mech, bids: np.ndarray, offset=None) -> Outcome:
    """The part's outcome (or outcome at an offset), which must be an ``Outcome``."""
    out = mech.outcome(bids) if offset is None else mech.outcome_at(bids, offset)
    if not isinstance(out, Outcome) or out.payments.shape != (bids.shape[0],):
        what = "outcome" if offset is None else "outcome_at"
        raise PartError(f"robustify (its {what})", f"returned {type(out).__name__}, not a "
                        f"recmech.core.mechanisms.Outcome for {bids.shape[0]} bidders",
                        f"bids {bids.tolist()}")
    return out


def _bid_profiles(laws, delta: float) -> list[np.ndarray]:
    supports = [np.asarray(law.points, dtype=float) for law in laws]
    out = [np.array(combo) for combo in itertools.product(*supports)]
    for i, sup in enumerate(supports):
        for shift in (delta / 3, -delta / 3):
            for pt in sup:
                bids = np.array([s[0] for s in supports])
                bids[i] = np.clip(pt + shift, 0.0, 1.0)
                out.append(bids)
    return out


def _cells_hold_mass(laws, bids: np.ndarray, delta: float, offset: np.ndarray) -> bool:
    grid = RandomGrid(delta, offset)
    return all(np.any(np.all(grid.cell_index(law.points) == grid.cell_index(b)[None, :],
                             axis=1)) for law, b in zip(laws, bids, strict=True))


class PermutedMechanism(LatentMechanism):
    """M_hat with its bidders permuted: bidder j of this mechanism is bidder perm[j] of
    ``inner`` (for the metamorphic relations)."""

    def __init__(self, inner: LatentMechanism, perm) -> None:
        self.inner, self.perm = inner, np.asarray(perm)
        super().__init__(inner.A, [inner.valuations[p] for p in self.perm])

    def _outcome(self, bids: np.ndarray) -> Outcome:
        back = np.empty_like(self.perm)
        back[self.perm] = np.arange(self.perm.size)
        out = self.inner.outcome(bids[back])
        return Outcome(lottery=tuple((p, a[self.perm]) for p, a in out.lottery),
                       payments=out.payments[self.perm])


class ScaledMechanism(LatentMechanism):
    """M_hat in units c times larger: A -> cA, mu -> c mu, the same lotteries, payments x c."""

    def __init__(self, inner: LatentMechanism, c: float) -> None:
        self.inner, self.c = inner, float(c)
        super().__init__(self.c * inner.A, [scaled_valuation(v, c) for v in inner.valuations])

    def _outcome(self, bids: np.ndarray) -> Outcome:
        out = self.inner.outcome(bids)
        return Outcome(lottery=out.lottery, payments=self.c * out.payments)


def remade_valuation(v, mu):
    """The valuation of the same family (unit demand, c-demand, additive) with values ``mu``."""
    if isinstance(v, UnitDemand):
        return UnitDemand(mu)
    if isinstance(v, CDemand):
        return CDemand(v.c, mu)
    if isinstance(v, Additive):
        return Additive(mu)
    raise TypeError(f"no remade form for {type(v).__name__}")


def scaled_valuation(v, c: float):
    """The valuation of the same family with mu -> c mu (v(ct, S) = c v(t, S))."""
    return remade_valuation(v, c * v.mu)


def _robustify_instance(make, inst: dict, worst: Worst) -> None:
    A, vals, laws, delta = inst["A"], inst["valuations"], inst["laws"], inst["delta"]
    inner = TabularMechanism.from_lp(A, vals, laws)
    ref = RobustifiedMechanism(inner, laws, delta)
    got = make(inner, laws, delta)
    scale = _scale(inst)
    per_offset = callable(getattr(got, "outcome_at", None))
    for bids in _bid_profiles(laws, delta):
        regions = ref.offset_regions(bids)
        if all(_cells_hold_mass(laws, bids, delta, r) for _, r in regions):
            worst.run(lambda bids=bids: _tag(inst, "expected over offsets", compare_outcomes(
                _outcome(got, bids), ref.outcome(bids), ref, bids, scale)))
        if per_offset:
            for _, r in regions:
                if _cells_hold_mass(laws, bids, delta, r):
                    worst.run(lambda bids=bids, r=r: _tag(inst, f"offset {r.tolist()}",
                                                          compare_outcomes(
                        _outcome(got, bids, r), ref.outcome_at(bids, r), ref, bids, scale)))
    # metamorphic relations: the part against itself
    support = np.array([law.points[0] for law in laws])
    base = _outcome(got, support)
    doubled = _outcome(make(ScaledMechanism(inner, 2.0), laws, delta), support)
    worst.run(lambda: _relation(inst, "units x2", doubled, base, 2.0, None, scale))
    if len(laws) > 1:
        perm = np.arange(len(laws))[::-1].copy()
        moved = make(PermutedMechanism(inner, perm), [laws[p] for p in perm], delta)
        worst.run(lambda: _relation(inst, "bidders permuted", _outcome(moved, support[perm]),
                                    base, 1.0, perm, scale))


def _relation(inst: dict, name: str, got: Outcome, base: Outcome, c: float, perm,
              scale: float) -> tuple[float, dict]:
    """The outcome a relation predicts from ``base`` against the one the part gave."""
    lottery = base.lottery if perm is None else tuple((p, a[perm]) for p, a in base.lottery)
    payments = c * (base.payments if perm is None else base.payments[perm])
    want = Outcome(lottery=lottery, payments=payments)
    a, b = _lottery(got), _lottery(want)
    diff = max(max((abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in set(a) | set(b)), default=0.0),
               float(np.max(np.abs(got.payments - want.payments))))
    tol = tolerance("mechanism.outcome", scale=scale * c)
    return diff / tol, {"instance": inst["label"], "relation": name, "outside": got.to_dict(),
                        "predicted": want.to_dict(), "difference": diff, "tolerance": tol}


def _tag(inst: dict, where: str, scored: tuple[float, dict]) -> tuple[float, dict]:
    score, detail = scored
    return score, {"instance": inst["label"], "delta": inst["delta"], "where": where, **detail}


@register_part("part.robustify", part="robustify")
def judge_robustify(*, subject: Subject, budget: Budget) -> Verdict:
    """M_tilde against the reference per offset region and in expectation, and the
    metamorphic relations (module docstring)."""
    make = subject.outside("robustify")
    worst = Worst("part.robustify")
    for inst in mechanism_instances(part_size(budget, "robustify.instances"), 20225):
        try:
            _robustify_instance(make, inst, worst)
        except PartError as exc:  # the part broke the instance: a failure, with its name
            worst.run(lambda exc=exc: _reraise(exc))
    return worst.verdict("allocation per offset region and in expectation equal to the "
                         "reference's, payments no lower (no larger rebate), IR for truthful "
                         "bids; outcome permutes with the bidders and scales with the units")


def _reraise(exc: PartError):
    raise exc


def _revenue(mech, A, vals, laws) -> tuple[float, float, float]:
    """(revenue, kappa over the support, min ex-post utility) of M_hat, exactly."""
    pops = [Population.latent(law, A) for law in laws]
    rep = direct_report(OutsideMechanism(mech, A, vals), pops)
    return rep.revenue, rep.kappa, rep.min_expost_utility


def _latent_instance(factory, inst: dict) -> tuple[float, dict]:
    A, vals, laws = inst["A"], inst["valuations"], inst["laws"]
    optimum = TabularMechanism.from_lp(A, vals, laws).lp.revenue
    rev, kappa, min_u = _revenue(factory(A, vals, laws), A, vals, laws)
    scale = _scale(inst)
    ir_tol = tolerance("mechanism.ir_bic", scale=scale)

    def rev_tol(opt: float) -> float:
        return tolerance("mechanism.revenue", optimum=opt)

    scores = {"bic": kappa / ir_tol, "ir": -min_u / ir_tol,
              "revenue": abs(rev - optimum) / rev_tol(optimum)}
    two = _revenue(factory(2.0 * A, [scaled_valuation(v, 2.0) for v in vals], laws), 2.0 * A,
                   [scaled_valuation(v, 2.0) for v in vals], laws)[0]
    scores["units x2"] = abs(two - 2 * rev) / rev_tol(2 * optimum)
    if len(laws) > 1:
        perm = list(range(len(laws)))[::-1]
        moved = _revenue(factory(A, [vals[p] for p in perm], [laws[p] for p in perm]), A,
                         [vals[p] for p in perm], [laws[p] for p in perm])[0]
        scores["bidders permuted"] = abs(moved - rev) / rev_tol(optimum)
    # a dummy item nobody values (a zero row of A, mu = 0) changes no value: same revenue
    A1 = np.vstack([A, np.zeros((1, A.shape[1]))])
    vals1 = [remade_valuation(v, np.append(v.mu, 0.0)) for v in vals]
    dummy = _revenue(factory(A1, vals1, laws), A1, vals1, laws)[0]
    scores["dummy item"] = abs(dummy - rev) / rev_tol(optimum)
    why = [name for name, s in scores.items() if s > 1]
    if scores["revenue"] > 1:
        why.append("revenue below the LP optimum: looser than the optimum" if rev < optimum
                   else "revenue above the optimum: BIC or IR fails somewhere")
    return max(scores.values()), {"instance": inst["label"], "revenue": rev,
                                  "optimum": optimum, "kappa": kappa,
                                  "min_expost_utility": min_u, "scores": scores,
                                  "problems": why}


@register_part("part.latent_mechanism", part="latent_mechanism")
def judge_latent_mechanism(*, subject: Subject, budget: Budget) -> Verdict:
    """M_hat: BIC, IR, revenue against the LP optimum, relations (module docstring)."""
    factory = subject.outside("latent_mechanism")
    worst = Worst("part.latent_mechanism")
    for inst in mechanism_instances(part_size(budget, "latent_mechanism.instances"), 20226):
        worst.run(lambda inst=inst: _latent_instance(factory, inst))
    return worst.verdict("exact BIC and ex-post IR over the support, revenue equal to the LP "
                         "optimum, invariant under permuted bidders and a dummy item, doubling "
                         "with the units")
