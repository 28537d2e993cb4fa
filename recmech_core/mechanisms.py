"""Latent mechanisms: bids in [0,1]^k per bidder in, a lottery over allocations and payments out.

Cai-Daskalakis EC'22, Sec. 3 "(II) The Mechanism Design Component": the designer's mechanism M_hat
takes latent types z_i in [0,1]^k and values bundles through v_i^A(z_i, S) := v_i(A z_i, S).
Randomised mechanisms (Sec. 2.1: x(b) in Delta({0,1}^{m x N})) are returned as exact lotteries
(``Outcome``) so that revenue and incentives can be measured exactly; p_i is the expected payment.

Here: the interface, VCG (welfare-maximising allocation with Clarke payments; DSIC and ex-post IR
for any valuations, so in particular for v_i^A) and sequential posted item prices.
"""

from __future__ import annotations

import abc
import itertools
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from recmech.core.batch import (
    MAX_BATCH_COMBOS,
    PROB_TOL,
    BatchOutcome,
    combo_count,
    loop_outcomes,
    vcg_additive,
    vcg_enumerated,
)
from recmech.core.gate import indices, real_array, whole
from recmech.core.laws import as_finite_array, as_finite_law
from recmech.core.valuations import Additive, CDemand, ConstrainedAdditive

__all__ = ["MAX_ALLOCATIONS", "VCG", "LatentMechanism", "MechanismTable", "Outcome",
           "PostedPrices", "WelfareResult", "all_allocations", "box_minimum", "design_array",
           "max_welfare", "mix_outcomes", "tabulate", "value_upper"]

MAX_ALLOCATIONS = 200_000


@dataclass(frozen=True)
class Outcome:
    """A lottery over allocations and expected payments (Sec. 2.1, x(b) and p(b)).

    definition: ``lottery``: tuple of (prob, allocation) with allocation a bool (m, N) array, rows
    disjoint (each item to at most one bidder), probs >= 0 summing to <= 1 (the rest: nothing
    allocated); ``payments``: (m,) expected payments.
    """

    lottery: tuple
    payments: np.ndarray

    def __post_init__(self) -> None:
        pay = np.asarray(self.payments, dtype=float)
        if pay.ndim != 1 or not np.all(np.isfinite(pay)):
            raise ValueError(f"payments must be a finite 1-d array (one per bidder); found "
                             f"shape {pay.shape}")
        total = 0.0
        for prob, alloc in self.lottery:
            if alloc.dtype != bool or alloc.shape != (pay.shape[0], alloc.shape[1]):
                raise ValueError(f"each allocation must be a bool (m, N) array with m = "
                                 f"{pay.shape[0]} (the payments' length); found {alloc.dtype} "
                                 f"{alloc.shape}")
            if np.any(alloc.sum(axis=0) > 1):
                raise ValueError("an allocation gives some item to two bidders")
            if not prob >= -PROB_TOL:
                raise ValueError(f"lottery probabilities must be >= 0; found {prob}")
            total += prob
        if total > 1 + 1e-7:
            raise ValueError(f"lottery probabilities must sum to <= 1; found {total!r}")
        object.__setattr__(self, "payments", pay)

    @property
    def m(self) -> int:
        return int(self.payments.shape[0])

    def expected_value(self, i: int, valuation: ConstrainedAdditive, t) -> float:
        """E[v_i(t, x_i(b))] for a type t (N,) over the lottery."""
        return float(sum(p * valuation.value(t, alloc[i]) for p, alloc in self.lottery if p > 0))

    def utility(self, i: int, valuation: ConstrainedAdditive, t) -> float:
        """u_i(t, M(b)) = E[v_i(t, x_i(b))] - p_i(b) (Sec. 2.1, quasi-linear utility)."""
        return self.expected_value(i, valuation, t) - float(self.payments[i])

    def to_dict(self) -> dict:
        return {"lottery": [{"prob": float(p), "allocation": a.astype(int).tolist()}
                            for p, a in self.lottery],
                "payments": self.payments.tolist()}


def mix_outcomes(parts, m: int, excluded) -> Outcome:
    """The outcome of a lottery over outcomes: ``parts`` yields (prob, Outcome, payments) with
    the probs summing to 1; bidders in ``excluded`` get nothing and pay nothing (their rows of
    every allocation are cut). Equal cut allocations are merged so the lottery stays small."""
    m = whole(m, "m", low=1)
    excluded = indices(excluded, "excluded", m)
    weights: dict[bytes, list] = {}
    pay = np.zeros(m)
    for prob, out, payments in parts:
        pay += prob * payments
        for p, alloc in out.lottery:
            cut = alloc.copy()
            cut[list(excluded)] = False
            entry = weights.setdefault(cut.tobytes(), [0.0, cut])
            entry[0] += prob * p
    pay[list(excluded)] = 0.0
    return Outcome(lottery=tuple((p, a) for p, a in weights.values()), payments=pay)


def design_array(A) -> np.ndarray:
    """The N x k array of a design matrix (a ``DesignMatrix`` or a plain array)."""
    arr = getattr(A, "A", A)
    if isinstance(arr, np.ndarray) and arr.dtype == np.float64 and arr.ndim == 2 and \
            np.isfinite(arr).all():
        return arr
    return as_finite_array(arr, "A", ndim=2)


def box_minimum(A: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:  # noqa: N803
    """min_{z in [lo, hi]} (A z)_j for every row j: the corner picked by the signs of A_j."""
    A = real_array(A, "A", 2)  # noqa: N806
    lo, hi = (real_array(v, name, 1, (A.shape[1],)) for v, name in ((lo, "lo"), (hi, "hi")))
    with np.errstate(over="ignore"):
        if not np.isfinite(np.abs(A).sum(axis=1).max(initial=0.0)
                           * max(np.abs(lo).max(initial=0.0), np.abs(hi).max(initial=0.0))):
            raise ValueError("A, lo, hi: a row's minimum over the box exceeds float64")
    return np.where(A >= 0, A * lo[None, :], A * hi[None, :]).sum(axis=1)


def value_upper(valuation, A, lo, hi) -> float:  # noqa: N803
    """max_{z in [lo, hi]} v(A z, [N]): v is non-decreasing in the type (Definition 5), so the
    per-item maximum of the linear map over the box (a corner per row of A) is the worst case
    (checked: project.lipschitz_valuation)."""
    A, lo, hi = real_array(A, "A", 2), real_array(lo, "lo", 1), real_array(hi, "hi", 1)  # noqa: N806
    t_max = -box_minimum(-A, lo, hi)
    return valuation.value(t_max, np.ones(valuation.N, dtype=bool))


def _box(k: int, lo, hi) -> tuple[np.ndarray, np.ndarray]:
    """definition: The bid box [lo, hi] as two k-vectors (numbers are repeated), lo <= hi."""
    ends = []
    for name, end in (("lo", lo), ("hi", hi)):
        arr = as_finite_array(end, name)
        ends.append(np.full(k, float(arr)) if arr.ndim == 0 else
                    as_finite_array(end, name, ndim=1, shape=(k,)))
    if np.any(ends[0] > ends[1]):
        raise ValueError(f"lo, hi: the box must have lo <= hi; found {ends[0].tolist()}, "
                         f"{ends[1].tolist()}")
    return ends[0], ends[1]


class LatentMechanism(abc.ABC):
    """A direct mechanism on latent bids (Sec. 3 (II)): bids (m, k) -> ``Outcome``.

    Bidder i values bundle S at v_i^A(z, S) = v_i(A z, S); ``A`` is N x k.
    """

    def __init__(self, A, valuations) -> None:
        self.A = design_array(A)
        try:
            self.valuations = tuple(valuations)
        except TypeError:
            raise TypeError("valuations must list one valuation per bidder; found "
                            f"{type(valuations).__name__}") from None
        if not self.valuations:
            raise ValueError("valuations must list one valuation per bidder; found none")
        for i, v in enumerate(self.valuations):
            if not isinstance(v, ConstrainedAdditive):
                raise TypeError(f"valuations[{i}] must be ConstrainedAdditive; found "
                                f"{type(v).__name__}")
            if v.N != self.A.shape[0]:
                raise ValueError(f"valuations[{i}] has N = {v.N} items but A has "
                                 f"{self.A.shape[0]} rows")

    @property
    def m(self) -> int:
        return len(self.valuations)

    @property
    def N(self) -> int:  # noqa: N802 - the paper's name for the number of items
        return int(self.A.shape[0])

    @property
    def k(self) -> int:
        return int(self.A.shape[1])

    def check_bids(self, bids) -> np.ndarray:
        b = as_finite_array(bids, "bids", ndim=2)
        if b.shape != (self.m, self.k):
            raise ValueError(f"bids must be a finite (m, k) = ({self.m}, {self.k}) array; found "
                             f"shape {b.shape}")
        return b

    def check_bids_batch(self, bids) -> np.ndarray:
        b = as_finite_array(bids, "bids", ndim=3)
        if b.shape[1:] != (self.m, self.k):
            raise ValueError(f"bids must be a finite (n, m, k) = (n, {self.m}, {self.k}) array; "
                             f"found shape {b.shape}")
        return b

    def outcomes(self, bids) -> BatchOutcome:
        """The outcomes of the profiles ``bids`` (n, m, k) at once, checked against the
        interface: every mechanism's batched path (``_outcomes``), used by exact measurement
        and Monte Carlo. It agrees with ``outcome`` profile by profile (the same decisions,
        payments to rounding)."""
        b = self.check_bids_batch(bids)
        out = self._outcomes(b)
        if out.payments.shape != (b.shape[0], self.m) or \
                out.alloc_prob.shape != (b.shape[0], self.m, self.N):
            raise ValueError(f"the mechanism returned batched outcomes of shapes "
                             f"{out.alloc_prob.shape}, {out.payments.shape}; expected "
                             f"({b.shape[0]}, {self.m}, {self.N}), ({b.shape[0]}, {self.m})")
        return out

    def outcomes_batch(self, bids) -> BatchOutcome:
        """The former name of ``outcomes``."""
        return self.outcomes(bids)

    def _outcomes(self, bids: np.ndarray) -> BatchOutcome:
        """Batched outcomes for validated bids. Here: ``outcome`` profile by profile (the
        reference); subclasses vectorise over the n profiles and must agree with it."""
        return loop_outcomes(self.outcome, bids, self.N)

    def payment_range(self, lo=0.0, hi=1.0) -> np.ndarray:
        """Per-bidder [a_i, b_i] (an (m, 2) array) containing p_i(b) for every bid profile in
        the box [lo, hi]^k (numbers or k-vectors): what Monte Carlo intervals need. Every
        mechanism states its own; one that cannot raises ValueError. Here: a mechanism that
        plays a ``MechanismTable`` (``table``) pays a lottery-weighted average of the table's
        payments, so its extreme table payments and 0 bound it."""
        table = getattr(self, "table", None)
        if isinstance(table, MechanismTable):
            pay = np.asarray(table.payments, dtype=float)
            return np.column_stack([np.minimum(0.0, pay.min(axis=0)),
                                    np.maximum(0.0, pay.max(axis=0))])
        raise ValueError(f"payment_range: no payment bound is known for "
                         f"{type(self).__name__}; pass payment_range=(lo, hi) per bidder")

    def value_range(self, lo=0.0, hi=1.0) -> np.ndarray:
        """vmax_i = max over the box of v_i^A(z, [N]) per bidder (``value_upper``)."""
        lo_v, hi_v = _box(self.k, lo, hi)
        return np.array([value_upper(v, self.A, lo_v, hi_v) for v in self.valuations])

    def latent_value(self, i: int, z, bundle) -> float:
        """v_i^A(z, S) = v_i(A z, S) (Sec. 3 (II), second bullet)."""
        return self.valuations[i].value(self.A @ np.asarray(z, dtype=float), bundle)

    @abc.abstractmethod
    def _outcome(self, bids: np.ndarray) -> Outcome:
        """The exact outcome lottery for validated bids."""

    def outcome(self, bids) -> Outcome:
        """The exact outcome for ``bids`` (m, k), checked against the interface."""
        out = self._outcome(self.check_bids(bids))
        if out.payments.shape != (self.m,):
            raise ValueError(f"the mechanism returned payments of shape {out.payments.shape}; "
                             f"expected ({self.m},)")
        for _, alloc in out.lottery:
            if alloc.shape != (self.m, self.N):
                raise ValueError(f"the mechanism returned an allocation of shape {alloc.shape}; "
                                 f"expected ({self.m}, {self.N})")
        return out


def all_allocations(m: int, N: int, include_empty: bool = True) -> np.ndarray:  # noqa: N803
    """Every deterministic allocation of N items to m bidders (or nobody): ((m+1)^N, m, N)."""
    m, N = whole(m, "m", low=0), whole(N, "N", low=0)  # noqa: N806
    if m >= 1 and N >= MAX_ALLOCATIONS.bit_length():  # definition: 2^N > the limit: before (m+1)^N
        raise ValueError(f"m, N: (m+1)^N = {m + 1}^{N} allocations exceed the enumeration "
                         f"limit {MAX_ALLOCATIONS}")
    count = (m + 1) ** N
    if count > MAX_ALLOCATIONS:
        raise ValueError(f"m, N: (m+1)^N = {count} allocations exceed the enumeration limit "
                         f"{MAX_ALLOCATIONS}")
    owners = np.array(list(itertools.product(range(m + 1), repeat=N)), dtype=int).reshape(-1, N)
    allocs = owners[:, None, :] == (np.arange(m)[None, :, None] + 1)
    if not include_empty:
        allocs = allocs[allocs.any(axis=(1, 2))]
    return allocs


def _capacity(v: ConstrainedAdditive) -> int | None:
    """definition: c if I = {T : |T| <= c} (c-demand, unit demand, additive with c = N), else
    None."""
    if isinstance(v, CDemand):
        return min(v.c, v.N)
    if isinstance(v, Additive):
        return v.N
    return None


@dataclass(frozen=True)
class WelfareResult:
    """A welfare-maximising allocation: ``allocation`` (m, N) bool, ``welfare``, ``values`` (m,)."""

    allocation: np.ndarray
    welfare: float
    values: np.ndarray

    def to_dict(self) -> dict:
        return {"allocation": self.allocation.astype(int).tolist(), "welfare": self.welfare,
                "values": self.values.tolist()}


def max_welfare(types: np.ndarray, valuations, active=None) -> WelfareResult:
    """argmax over allocations of sum_i v_i(t_i, S_i), over the ``active`` bidders only.

    c-demand/unit-demand/additive bidders: an assignment problem with c_i slots per bidder and
    weights max(0, mu_j + t_ij) (scipy's ``linear_sum_assignment``); a downward-closed family: the
    integral b-matching argument fails, so allocations are enumerated.
    """
    types = as_finite_array(types, "types", ndim=2)
    if isinstance(valuations, (str, bytes)) or not all(
            isinstance(v, ConstrainedAdditive) for v in valuations):
        raise TypeError("valuations must be a sequence of ConstrainedAdditive valuations")
    m, N = types.shape  # noqa: N806
    active = np.ones(m, dtype=bool) if active is None else np.asarray(active, dtype=bool)
    caps = [_capacity(v) for v in valuations]
    alloc = np.zeros((m, N), dtype=bool)
    if all(c is not None for c in caps):
        cols, owner = [], []
        gains = np.array([np.maximum(0.0, v.mu + types[i]) for i, v in enumerate(valuations)])
        for i in np.flatnonzero(active):
            cols += [gains[i]] * caps[i]
            owner += [i] * caps[i]
        if cols:
            weight = np.array(cols).T          # items x slots
            rows, slots = optimize.linear_sum_assignment(weight, maximize=True)
            for j, s in zip(rows, slots, strict=True):
                if weight[j, s] > 0:
                    alloc[owner[s], j] = True
    else:
        best = -np.inf
        for cand in all_allocations(m, N):
            if np.any(cand[~active]):
                continue
            w = sum(valuations[i].value(types[i], cand[i]) for i in np.flatnonzero(active))
            if w > best + 1e-12:
                best, alloc = w, cand.copy()
    values = np.array([valuations[i].value(types[i], alloc[i]) if active[i] else 0.0
                       for i in range(m)])
    return WelfareResult(allocation=alloc, welfare=float(values.sum()), values=values)


class VCG(LatentMechanism):
    """VCG with Clarke pivot payments on the latent valuations v_i^A (Sec. 3 (II)).

    x(b) = argmax_S sum_i v_i^A(b_i, S_i);  p_i(b) = max_S sum_{j != i} v_j^A(b_j, S_j)
    - sum_{j != i} v_j^A(b_j, x_j(b)). DSIC and ex-post IR (values are >= 0: the empty set is in
    I; checked: project.vcg_top_items, project.lipschitz_valuation).
    """

    def _outcome(self, bids: np.ndarray) -> Outcome:
        types = bids @ self.A.T
        full = max_welfare(types, self.valuations)
        pay = np.zeros(self.m)
        for i in range(self.m):
            mask = np.ones(self.m, dtype=bool)
            mask[i] = False
            without = max_welfare(types, self.valuations, active=mask)
            pay[i] = max(0.0, without.welfare - (full.welfare - full.values[i]))
        return Outcome(lottery=((1.0, full.allocation),), payments=pay)

    def payment_range(self, lo=0.0, hi=1.0) -> np.ndarray:
        """[0, vmax_i]: Clarke payments are >= 0, and <= the bidder's value by ex-post IR
        (checked: project.payment_range, project.vcg_top_items)."""
        return np.column_stack([np.zeros(self.m), self.value_range(lo, hi)])

    def _outcomes(self, bids: np.ndarray) -> BatchOutcome:
        """Vectorised over the n profiles; agrees with ``outcome`` profile by profile.

        definition: Additive bidders (every c_i >= N): a second-price auction per item, fully
        vectorised. c-/unit-demand bidders: enumeration of the allocations among each bidder's top
        K = min(N, sum c_i) items (``vcg_enumerated``), used while the number of candidate
        allocations prod_i sum_{s <= c_i} C(K, s) is <= MAX_BATCH_COMBOS (m = 3 unit-demand
        bidders: 64; m = 5: 7776, so the loop). Downward-closed families, mixed capacities
        beyond the limit, and the profiles whose argmax is tied within TIE_TOL (where the
        loop's assignment solver breaks the tie its own way): ``outcome`` per profile.
        """
        b = bids
        caps = [_capacity(v) for v in self.valuations]
        n = b.shape[0]
        if n == 0 or any(c is None for c in caps):
            return super()._outcomes(b)
        K = min(self.N, sum(caps))  # noqa: N806
        if all(c >= self.N for c in caps):
            solve, width = vcg_additive, self.m * self.N
        elif combo_count(caps, K) <= MAX_BATCH_COMBOS:
            def solve(G):  # noqa: N803
                return vcg_enumerated(G, caps)
            width = combo_count(caps, K)
        else:
            return super()._outcomes(b)
        mus = np.array([v.mu for v in self.valuations])
        types = b @ self.A.T
        # (chunk, width) work arrays of ~2 MB stay in cache
        chunk = max(1, (1 << 18) // width)
        alloc = np.zeros((n, self.m, self.N), dtype=bool)
        pay = np.zeros((n, self.m))
        for lo in range(0, n, chunk):
            sl = slice(lo, min(n, lo + chunk))
            alloc[sl], pay[sl], tied = solve(mus[None, :, :] + types[sl])
            for s in np.flatnonzero(tied) + lo:
                out = self.outcome(b[s])
                alloc[s], pay[s] = out.lottery[0][1], out.payments
        return BatchOutcome(alloc_prob=alloc.astype(float), payments=pay)


class PostedPrices(LatentMechanism):
    """Sequential posted item prices: bidders in a fixed order take their favourite bundle.

    Bidder i (in ``order``) gets argmax_{T in I, T subset remaining} sum_{j in T} (mu_j + t_ij
    - p_j) (the empty set when nothing has positive gain) and pays sum_{j in T} p_j. DSIC and IR.
    """

    def __init__(self, A, valuations, prices, order=None) -> None:
        super().__init__(A, valuations)
        self.prices = as_finite_array(prices, "prices", ndim=1, shape=(self.N,))
        self.order = tuple(range(self.m)) if order is None else tuple(int(i) for i in order)
        if sorted(self.order) != list(range(self.m)):
            raise ValueError(f"order must be a permutation of range({self.m}); found {self.order}")

    def _outcome(self, bids: np.ndarray) -> Outcome:
        types = bids @ self.A.T
        remaining = np.ones(self.N, dtype=bool)
        alloc = np.zeros((self.m, self.N), dtype=bool)
        pay = np.zeros(self.m)
        for i in self.order:
            take = self.valuations[i].best_subset(types[i] - self.prices, remaining)
            alloc[i] = take
            pay[i] = float(self.prices[take].sum())
            remaining &= ~take
        return Outcome(lottery=((1.0, alloc),), payments=pay)

    def payment_range(self, lo=0.0, hi=1.0) -> np.ndarray:
        """[sum of negative prices, vmax_i]: a bidder takes only items whose price is below
        mu_j + t_j, so it pays at most its value (checked: project.payment_range)."""
        return np.column_stack([np.full(self.m, np.minimum(self.prices, 0.0).sum()),
                                self.value_range(lo, hi)])

    def _outcomes(self, bids: np.ndarray) -> BatchOutcome:
        """Vectorised over the n profiles, looping over the m bidders only: each takes
        ``best_subset_batch`` of its gains at the posted prices among the remaining items.
        Same argmax and tie-breaking as ``outcome`` (``ConstrainedAdditive.best_subset_batch``);
        a downward-closed family is solved row by row inside that call."""
        b = bids
        n = b.shape[0]
        types = b @ self.A.T
        remaining = np.ones((n, self.N), dtype=bool)
        alloc = np.zeros((n, self.m, self.N), dtype=bool)
        pay = np.zeros((n, self.m))
        for i in self.order:
            take = self.valuations[i].best_subset_batch(types[:, i] - self.prices, remaining)
            alloc[:, i] = take
            pay[:, i] = np.where(take, self.prices, 0.0).sum(axis=1)
            remaining &= ~take
        return BatchOutcome(alloc_prob=alloc.astype(float), payments=pay)


@dataclass(frozen=True)
class MechanismTable:
    """A latent mechanism tabulated on a finite product support (for exact measurement).

    ``points[i]`` (s_i, k) and ``probs[i]`` (s_i,) are bidder i's support and law; profiles are
    indexed in C order over ``shape`` = (s_1, ..., s_m); ``alloc_probs[prof, a]`` is the lottery
    weight of ``allocations[a]`` (m, N) and ``payments[prof, i]`` the expected payment.
    """

    points: tuple
    probs: tuple
    allocations: np.ndarray
    alloc_probs: np.ndarray
    payments: np.ndarray

    @property
    def shape(self) -> tuple:
        return tuple(p.shape[0] for p in self.points)

    @property
    def m(self) -> int:
        return len(self.points)

    def profile_index(self, idx) -> int:
        return int(np.ravel_multi_index(tuple(int(s) for s in idx), self.shape))

    def outcome_at(self, idx) -> Outcome:
        row = self.profile_index(idx)
        pos = np.flatnonzero(self.alloc_probs[row] > 0)
        lottery = tuple((float(self.alloc_probs[row, a]), self.allocations[a]) for a in pos)
        return Outcome(lottery=lottery, payments=self.payments[row].copy())

    def bundle_table(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Bidder i's distinct bundles (n_b, N) and W[prof, b] = Pr[bidder i gets bundle b]."""
        bundles, inverse = np.unique(self.allocations[:, i, :], axis=0, return_inverse=True)
        weights = np.zeros((self.alloc_probs.shape[0], bundles.shape[0]))
        np.add.at(weights.T, inverse.ravel(), self.alloc_probs.T)
        return bundles, weights

    def to_dict(self) -> dict:
        return {"shape": list(self.shape), "n_allocations": int(self.allocations.shape[0])}


def tabulate(mechanism: LatentMechanism, laws) -> MechanismTable:
    """Run the mechanism on every profile of the finite ``laws`` (objects with
    ``.points``/``.probs``) and collect the exact lotteries into a ``MechanismTable``: one
    batched call (``outcomes``) when it keeps the lotteries or is deterministic, else the
    lotteries of ``outcome`` per profile (the payments still from the batch)."""
    if not isinstance(mechanism, LatentMechanism) or isinstance(laws, (str, bytes)) or not hasattr(
            laws, "__iter__"):
        raise TypeError(f"mechanism must be a LatentMechanism and laws a sequence of finite laws; "
                        f"found {type(mechanism).__name__}, {type(laws).__name__}")
    laws = [as_finite_law(law, f"laws[{i}]") for i, law in enumerate(laws)]
    points = tuple(law.points for law in laws)
    probs = tuple(law.probs for law in laws)
    if len(points) != mechanism.m:
        raise ValueError(f"laws must give one law per bidder ({mechanism.m}); found "
                         f"{len(points)}")
    shape = tuple(p.shape[0] for p in points)
    grids = np.meshgrid(*(np.arange(s) for s in shape), indexing="ij")
    bids = np.stack([points[i][g.ravel()] for i, g in enumerate(grids)], axis=1)
    batch = mechanism.outcomes(bids)
    if batch.lotteries is not None:
        lotteries = batch.lotteries
    elif batch.bundles is None and batch.deterministic():
        # the deterministic mechanisms' ``outcome``: one allocation (the empty one too) at 1
        lotteries = tuple(((1.0, batch.allocation(s)),) for s in range(batch.n))
    else:
        lotteries = tuple(mechanism.outcome(b).lottery for b in bids)
    index: dict[bytes, int] = {}
    allocs: list[np.ndarray] = []
    entries: list[tuple[int, int, float]] = []
    for row, lottery in enumerate(lotteries):
        for prob, alloc in lottery:
            key = alloc.tobytes()
            if key not in index:
                index[key] = len(allocs)
                allocs.append(alloc)
            entries.append((row, index[key], prob))
    alloc_probs = np.zeros((batch.n, max(len(allocs), 1)))
    for row, a, prob in entries:
        alloc_probs[row, a] += prob
    allocations = (np.array(allocs) if allocs
                   else np.zeros((1, mechanism.m, mechanism.N), dtype=bool))
    return MechanismTable(points=points, probs=probs, allocations=allocations,
                          alloc_probs=alloc_probs, payments=batch.payments.copy())
