"""Monte Carlo revenue and incentives of latent mechanisms, with distribution-free intervals.

definition: Cai-Daskalakis EC'22, Sec. 2.1: REV(M, D) = E_{t ~ D}[sum_i p_i(t)]; the interim utility
of bidder i of type t_i reporting b is U_i(t_i; b) = E_{t_-i}[u_i(t_i, M(b, t_-i))] with
u_i(t, M(b)) = E[v_i(t, x_i(b))] - p_i(b); eps-BIC asks U_i(t_i; b) - U_i(t_i; t_i) <= eps for
every i, t_i and b, IR asks U_i(t_i; t_i) >= 0. Exact values on finite supports live in
``measure``; here the law may be anything with ``.sample(n, rng) -> (n, k)`` and the
expectations are estimated from n iid latent profiles.

Intervals (no normal approximation). Every estimated mean is of a variable X in a known range
[a, b] (``payment_bounds``). definition: Two intervals are computed, each at level alpha / 2, and
intersected (valid together with probability >= 1 - alpha by the union bound):
  Hoeffding:  |mean - E X| <= (b - a) sqrt(ln(2 / alpha') / (2 n)),
  empirical Bernstein (Maurer-Pontil 2009, Thm. 4, applied to X and -X at alpha' / 2 each):
              |mean - E X| <= sqrt(2 V_n ln(4 / alpha') / n) + 7 (b - a) ln(4 / alpha') / (3 (n-1)),
with alpha' = alpha / 2 and V_n the unbiased sample variance. The first is tight when the
variance is large, the second when it is small (e.g. revenue that is often 0).

Chunks (scale-out). The n samples are cut into chunks of ``chunk_samples`` profiles, chunk c
drawing from its own generator, seeded by child c of one ``numpy.random.SeedSequence`` derived
from ``rng``. A chunk returns its count, means and sums of squared deviations; they are merged
in chunk order (Chan, Golub and LeVeque's pairwise update), so the estimate is the same whether
the chunks run here or on ``executor`` (any ``concurrent.futures`` executor: a process pool, or
a Dask cluster's ``Client(...).get_executor()``), in whatever order they finish. The merge is of
counts, sums and squares, never of intervals: the interval is computed once, from the merged
moments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from recmech.core.batch import BatchOutcome, loop_outcomes
from recmech.core.gate import real, real_array, seed, whole
from recmech.core.laws import as_latent_law
from recmech.core.mechanisms import LatentMechanism, value_upper

__all__ = ["CHUNK_SAMPLES", "MAX_SAMPLES", "METHOD", "MIN_FALSE_ALARM", "RANGE_TOL",
           "IncentiveEstimate",
           "RevenueEstimate", "bernstein_halfwidth", "hoeffding_halfwidth", "mean_interval",
           "monte_carlo_incentives", "monte_carlo_revenue", "payment_bounds", "value_upper"]

MAX_SAMPLES = 2**36
CHUNK_SAMPLES = 2**16
MIN_FALSE_ALARM = 1e-300
METHOD = "hoeffding & empirical-bernstein (Maurer-Pontil Thm. 4), intersected at alpha/2 each"
RANGE_TOL = 1e-9


def hoeffding_halfwidth(n: int, span, alpha: float):
    """Two-sided Hoeffding half-width at level ``alpha`` for a mean of n variables in a range
    of length ``span``: span sqrt(ln(2 / alpha) / (2 n)) (Hoeffding 1963, Thm. 2)."""
    n, alpha = whole(n, "n", low=1), real(alpha, "alpha", low=0.0, high=1.0, low_open=True)
    span = real_array(span, "span", low=0.0)
    return np.asarray(span, dtype=float) * math.sqrt(math.log(2.0 / alpha) / (2.0 * n))


def bernstein_halfwidth(n: int, variance, span, alpha: float):
    """Two-sided empirical Bernstein half-width at level ``alpha`` (Maurer-Pontil 2009, Thm. 4
    at alpha / 2 per side): sqrt(2 V_n ln(4/alpha) / n) + 7 span ln(4/alpha) / (3 (n - 1))."""
    n, alpha = whole(n, "n", low=2), real(alpha, "alpha", low=0.0, high=1.0, low_open=True)
    variance, span = real_array(variance, "variance"), real_array(span, "span", low=0.0)
    log_term = math.log(4.0 / alpha)
    var = np.maximum(np.asarray(variance, dtype=float), 0.0)
    return np.sqrt(2.0 * var * log_term / n) + 7.0 * np.asarray(span, dtype=float) * log_term \
        / (3.0 * (n - 1))


def mean_interval(mean, variance, n: int, lo, hi, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """A two-sided interval for E X (X in [lo, hi]) at level ``alpha``: the intersection of the
    Hoeffding and empirical Bernstein intervals at alpha / 2 each, clipped to [lo, hi]."""
    mean, variance, lo, hi = (real_array(v, name) for v, name in (
        (mean, "mean"), (variance, "variance"), (lo, "lo"), (hi, "hi")))
    n, alpha = whole(n, "n", low=2), real(alpha, "alpha", low=0.0, high=1.0, low_open=True)
    span = np.asarray(hi, dtype=float) - np.asarray(lo, dtype=float)
    half = np.minimum(hoeffding_halfwidth(n, span, alpha / 2),
                      bernstein_halfwidth(n, variance, span, alpha / 2))
    mean = np.asarray(mean, dtype=float)
    return np.maximum(mean - half, lo), np.minimum(mean + half, hi)


def payment_bounds(mechanism: LatentMechanism, lo=0.0, hi=1.0) -> np.ndarray:
    """Per-bidder [a_i, b_i] (an (m, 2) array) containing p_i(b) for all bids in the box
    [lo, hi]^k: the mechanism's own ``payment_range`` (every mechanism states one: VCG
    [0, vmax_i], posted prices, bundle menus and Myerson by their prices, second price by the
    reserve and the value, a table by its payments, M_tilde by its inner range and rebate)."""
    if not isinstance(mechanism, LatentMechanism):
        raise TypeError(f"mechanism must be a LatentMechanism; found {type(mechanism).__name__}")
    return mechanism.payment_range(lo, hi)


@dataclass(frozen=True)
class RevenueEstimate:
    """Monte Carlo REV(M, D) = E[sum_i p_i] with a two-sided interval at level 1 - false_alarm.

    ``payment_range`` (lo, hi) bounds one profile's revenue sum_i p_i (``payment_bounds``);
    ``per_bidder`` the estimated E[p_i]; ``variance`` the sample variance of the revenue.
    """

    mean: float
    ci_low: float
    ci_high: float
    n_samples: int
    false_alarm: float
    payment_range: tuple
    method: str
    variance: float
    per_bidder: tuple
    batched: bool

    def to_dict(self) -> dict:
        return {"mean": self.mean, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "n_samples": self.n_samples, "false_alarm": self.false_alarm,
                "payment_range": list(self.payment_range), "method": self.method,
                "variance": self.variance, "per_bidder": list(self.per_bidder),
                "batched": self.batched}


@dataclass(frozen=True)
class IncentiveEstimate:
    """Monte Carlo interim utilities, BIC gains and IR, all intervals valid together.

    ``mode`` "ex-ante" (``types`` None): bidder i's true latent type is drawn with the others, so
    ``utility[i, 0]`` estimates E_{t_i}[U_i(t_i; t_i)] and ``gain[i, 0, r]`` estimates
    E_{t_i}[U_i(t_i; b'_r) - U_i(t_i; t_i)], the ex-ante average over types of the interim gain
    of the fixed report b'_r. definition: It is <= the eps of eps-BIC (a max over types), so
    ``bic_violation_low`` > 0 certifies that M is not eps-BIC for any eps below it; it cannot
    certify BIC. ``mode`` "interim": ``utility[i, q]`` = U_i(types[q]; types[q]) and
    ``gain[i, q, r]`` = U_i(types[q]; b'_r) - U_i(types[q]; types[q]) for the listed latent types.
    ``bic_violation`` = max over (i, q, r) of the gain, a lower bound on eps (the types and
    misreports are finite lists); ``ir_min`` = min over (i, q) of the utility.

    definition: Coverage: each of the ``n_intervals`` = m Q r + m Q intervals has level false_alarm
    / n_intervals (union bound over bidders x types x misreports, plus the utilities), so with
    probability >= 1 - false_alarm all hold at once, and then the max (min) of the true values
    lies in [max of lows, max of highs] ([min of lows, min of highs]).
    """

    mode: str
    n_samples: int
    false_alarm: float
    n_intervals: int
    misreports: np.ndarray
    types: np.ndarray | None
    utility: np.ndarray
    utility_low: np.ndarray
    utility_high: np.ndarray
    gain: np.ndarray
    gain_low: np.ndarray
    gain_high: np.ndarray
    bic_violation: float
    bic_violation_low: float
    bic_violation_high: float
    ir_min: float
    ir_min_low: float
    ir_min_high: float
    utility_range: np.ndarray
    method: str
    batched: bool

    def to_dict(self) -> dict:
        out = {}
        for key, val in self.__dict__.items():
            out[key] = val.tolist() if isinstance(val, np.ndarray) else val
        return out


class _Moments:
    """Running mean and sum of squared deviations (Chan et al.'s pairwise merge), per entry."""

    def __init__(self, shape: tuple) -> None:
        self.n, self.mean, self.m2 = 0, np.zeros(shape), np.zeros(shape)

    def add(self, x: np.ndarray) -> None:
        """Fold in the samples ``x`` (first axis)."""
        mb = x.mean(axis=0)
        self.merge(x.shape[0], mb, ((x - mb) ** 2).sum(axis=0))

    def merge(self, nb: int, mb: np.ndarray, m2b: np.ndarray) -> None:
        """Fold in another group's count, mean and sum of squared deviations."""
        tot = self.n + nb
        delta = mb - self.mean
        self.m2 = self.m2 + m2b + delta ** 2 * self.n * nb / tot
        self.mean = self.mean + delta * nb / tot
        self.n = tot

    def parts(self) -> tuple[int, np.ndarray, np.ndarray]:
        return self.n, self.mean, self.m2

    @property
    def variance(self) -> np.ndarray:
        return self.m2 / (self.n - 1)


def _check_common(mechanism, laws, n_samples, false_alarm, batch_size, chunk_samples,
                  executor) -> tuple:
    if not isinstance(mechanism, LatentMechanism):
        raise TypeError(f"mechanism must be a LatentMechanism; found {type(mechanism).__name__}")
    # definition: >= 2: the sample variance needs two; <= MAX_SAMPLES: beyond, a run would take days
    n_samples = whole(n_samples, "n_samples", low=2, high=MAX_SAMPLES)
    batch_size = whole(batch_size, "batch_size", low=1, high=MAX_SAMPLES)
    chunk_samples = whole(chunk_samples, "chunk_samples", low=1, high=MAX_SAMPLES)
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(f"executor must be a concurrent.futures executor (with submit); found "
                        f"{type(executor).__name__}")
    # definition: >= MIN_FALSE_ALARM: log(4 / false_alarm) and the union-bound shares stay finite
    false_alarm = real(false_alarm, "false_alarm", low=MIN_FALSE_ALARM, high=1.0,
                       high_open=True)
    laws = tuple(as_latent_law(law, f"laws[{i}]") for i, law in enumerate(laws))
    if len(laws) != mechanism.m:
        raise ValueError(f"laws must give one latent law per bidder ({mechanism.m}); found "
                         f"{len(laws)}")
    for i, law in enumerate(laws):
        if getattr(law, "k", mechanism.k) != mechanism.k:
            raise ValueError(f"laws[{i}] has dimension k = {law.k}; the mechanism has "
                             f"k = {mechanism.k}")
    return laws, int(n_samples), float(false_alarm), int(batch_size), int(chunk_samples)


def _chunk_seeds(rng, n: int, chunk: int) -> list[tuple[int, int, np.random.SeedSequence]]:
    """(start, size, seed) of each chunk: child c of one SeedSequence derived from ``rng`` (an
    int seed is its entropy; a Generator gives four words of its stream)."""
    if isinstance(rng, np.random.Generator):
        root = np.random.SeedSequence(rng.integers(0, 2**63, size=4).tolist())
    else:
        root = np.random.SeedSequence(seed(rng, "rng"))
    starts = range(0, n, chunk)
    return [(a, min(chunk, n - a), child)
            for a, child in zip(starts, root.spawn(len(starts)), strict=True)]


def _run_chunks(fn, specs: list, common: tuple, executor) -> list:
    """``fn(*common, size, seed)`` per chunk, here or on ``executor``; results in chunk order.
    Every chunk finishes before the first failure is raised, naming its chunk and seed."""
    if executor is None:
        calls = [(lambda spec=spec: fn(*common, spec[1], spec[2])) for spec in specs]
    else:
        futures = [executor.submit(fn, *common, size, child) for _, size, child in specs]
        calls = [fut.result for fut in futures]
    results, failure = [], None
    for (start, size, child), call in zip(specs, calls, strict=True):
        try:
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - re-raised below with its chunk named
            failure = failure or (start, size, child, exc)
    if failure is not None:
        start, size, child, exc = failure
        where = (f"(Monte Carlo chunk of samples {start}..{start + size - 1}, seed entropy "
                 f"{child.entropy} spawn key {child.spawn_key})")
        raise (ValueError if isinstance(exc, ValueError) else RuntimeError)(
            f"{exc} {where}") from exc
    return results


def _draw(laws, size: int, k: int, gen) -> np.ndarray:
    cols = []
    for i, law in enumerate(laws):
        z = np.asarray(law.sample(size, gen), dtype=float)
        if z.shape != (size, k):
            raise ValueError(f"laws[{i}].sample returned shape {z.shape}; expected ({size}, {k})")
        cols.append(z)
    return np.stack(cols, axis=1)


def _outcomes(mech: LatentMechanism, bids: np.ndarray, gen, batched: bool) -> BatchOutcome:
    """Outcomes of the profiles; a mechanism with ``sample(bids, rng)`` (M_tilde) is run once
    per profile with fresh randomness, so the mean is over its randomness too."""
    sampler = getattr(mech, "sample", None)
    if callable(sampler):
        return loop_outcomes(lambda b: sampler(b, gen), bids, mech.N)
    if batched:
        return mech.outcomes(bids)
    return loop_outcomes(mech.outcome, mech.check_bids_batch(bids), mech.N)


def _bounds(mech, payment_range, lo, hi) -> np.ndarray:
    if payment_range is None:
        return payment_bounds(mech, lo, hi)
    arr = np.asarray(payment_range, dtype=float)
    arr = np.tile(arr, (mech.m, 1)) if arr.shape == (2,) else arr
    if arr.shape != (mech.m, 2) or not np.all(np.isfinite(arr)) or np.any(arr[:, 0] > arr[:, 1]):
        raise ValueError(f"payment_range must be finite (lo, hi) pairs with lo <= hi, one pair or "
                         f"one per bidder; found {np.asarray(payment_range).tolist()}")
    return arr


def _checked(out: BatchOutcome, bounds: np.ndarray) -> BatchOutcome:
    """The intervals assume every payment lies in its range: refuse to report otherwise."""
    bad = (out.payments < bounds[:, 0] - RANGE_TOL) | (out.payments > bounds[:, 1] + RANGE_TOL)
    if np.any(bad):
        s, i = np.argwhere(bad)[0]
        raise ValueError(f"payment_range: bidder {i} paid {out.payments[s, i]} outside "
                         f"[{bounds[i, 0]}, {bounds[i, 1]}]; the interval would not be valid")
    return out


def _revenue_chunk(mechanism, laws, bounds, batched: bool, bsz: int, size: int,
                   chunk_seed: np.random.SeedSequence) -> tuple:
    """One chunk of ``monte_carlo_revenue``: (n, mean, m2) of [revenue, p_1, ..., p_m]."""
    gen = np.random.default_rng(chunk_seed)
    acc = _Moments((mechanism.m + 1,))
    for start in range(0, size, bsz):
        bids = _draw(laws, min(bsz, size - start), mechanism.k, gen)
        pay = _checked(_outcomes(mechanism, bids, gen, batched), bounds).payments
        acc.add(np.column_stack([pay.sum(axis=1), pay]))
    return acc.parts()


def monte_carlo_revenue(mechanism: LatentMechanism, laws, n_samples: int, rng, *,
                        batched: bool = True, false_alarm: float = 1e-9,
                        batch_size: int = 4096, payment_range=None,
                        chunk_samples: int = CHUNK_SAMPLES, executor=None) -> RevenueEstimate:
    """Estimate REV(M, D) = E_{z ~ prod_i laws[i]}[sum_i p_i(z)] (Sec. 2.1) from ``n_samples``
    iid latent profiles, with a two-sided interval valid at level 1 - ``false_alarm``.

    Profiles are drawn in chunks of ``chunk_samples`` (module docstring: each chunk its own
    seed, merged exactly, the same result on any ``executor``), ``batch_size`` at a time within
    a chunk (bidder by bidder, ``law.sample``), then evaluated with ``outcomes``
    (``batched``) or ``outcome`` per profile: the same draws, so the two paths give the same
    numbers up to rounding. A mechanism with ``sample`` (M_tilde of Lemma 2) is run once per
    profile with its own randomness drawn from the chunk's generator after the batch's
    profiles. Each profile's revenue lies in [sum_i a_i, sum_i b_i] from ``payment_bounds``
    over [0,1]^k (or ``payment_range``); the interval is that of ``mean_interval`` (module
    docstring), and a payment outside its range raises ValueError.
    """
    laws, n, alpha, bsz, chunk = _check_common(mechanism, laws, n_samples, false_alarm,
                                               batch_size, chunk_samples, executor)
    bounds = _bounds(mechanism, payment_range, 0.0, 1.0)
    with np.errstate(over="ignore"):  # n squared deviations of the revenue stay in float64
        if not np.isfinite(n * (2.0 * mechanism.m * np.abs(bounds).max()) ** 2):
            raise ValueError(f"mechanism, payment_range: payments span "
                             f"{float(np.abs(bounds).max()):.3g}; the moments of {n} revenues "
                             "would overflow float64")
    acc = _Moments((mechanism.m + 1,))
    for parts in _run_chunks(_revenue_chunk, _chunk_seeds(rng, n, chunk),
                             (mechanism, laws, bounds, bool(batched), bsz), executor):
        acc.merge(*parts)
    lo, hi = float(bounds[:, 0].sum()), float(bounds[:, 1].sum())
    low, high = mean_interval(acc.mean[0], acc.variance[0], n, lo, hi, alpha)
    return RevenueEstimate(mean=float(acc.mean[0]), ci_low=float(low), ci_high=float(high),
                           n_samples=n, false_alarm=alpha, payment_range=(lo, hi), method=METHOD,
                           variance=float(acc.variance[0]),
                           per_bidder=tuple(float(x) for x in acc.mean[1:]), batched=batched)


def _latent_points(value, name: str, k: int) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] != k or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a finite (r, k) array of latent points with r >= 1 and "
                         f"k = {k}; found shape {arr.shape}")
    return arr


def _incentive_chunk(mechanism, laws, bounds, batched: bool, bsz: int, mis: np.ndarray,
                     fixed: np.ndarray | None, size: int,
                     chunk_seed: np.random.SeedSequence) -> tuple:
    """One chunk of ``monte_carlo_incentives``: (n, mean, m2) of the utilities (m, Q) and of
    the gains (m, Q, r)."""
    gen = np.random.default_rng(chunk_seed)
    m, k, A = mechanism.m, mechanism.k, mechanism.A  # noqa: N806
    n_q, n_r = (1 if fixed is None else fixed.shape[0]), mis.shape[0]
    acc_u, acc_g = _Moments((m, n_q)), _Moments((m, n_q, n_r))
    for start in range(0, size, bsz):
        z = _draw(laws, min(bsz, size - start), k, gen)
        rows = z.shape[0]
        u = np.zeros((rows, m, n_q))
        g = np.zeros((rows, m, n_q, n_r))
        truth = None if fixed is not None else _checked(_outcomes(mechanism, z, gen, batched),
                                                        bounds)
        for i, v in enumerate(mechanism.valuations):
            for q in range(n_q):
                bids = z.copy()
                if fixed is None:
                    true_z, out = z[:, i], truth
                else:
                    true_z = np.broadcast_to(fixed[q], (rows, k))
                    bids[:, i] = fixed[q]
                    out = _checked(_outcomes(mechanism, bids, gen, batched), bounds)
                t = true_z @ A.T
                u[:, i, q] = out.utilities(i, v, t)
                for r in range(n_r):
                    bids[:, i] = mis[r]
                    dev = _checked(_outcomes(mechanism, bids, gen, batched), bounds)
                    g[:, i, q, r] = dev.utilities(i, v, t) - u[:, i, q]
        acc_u.add(u)
        acc_g.add(g)
    return acc_u.parts(), acc_g.parts()


def monte_carlo_incentives(mechanism: LatentMechanism, laws, n_samples: int, rng, *, misreports,
                           batched: bool = True, false_alarm: float = 1e-9, types=None,
                           batch_size: int = 4096, payment_range=None,
                           chunk_samples: int = CHUNK_SAMPLES,
                           executor=None) -> IncentiveEstimate:
    """Estimate interim utilities, BIC gains of the latent ``misreports`` (r, k) and IR.

    What is estimated (``IncentiveEstimate``): without ``types``, ex-ante averages over each
    bidder's own type of U_i(t_i; b'_r) - U_i(t_i; t_i) (a lower bound on the eps of eps-BIC,
    never a certificate of BIC); with ``types`` (q, k), the interim gains of those latent types
    exactly as in the eps-BIC definition, maximised over the finite lists. The truthful and the
    misreport utilities are evaluated on the same draws of t_-i (common random numbers), which
    keeps the gain's variance small. Per-sample utilities lie in [-b_i, vmax_i - a_i] with
    [a_i, b_i] from ``payment_bounds`` over the box holding [0,1]^k, the misreports and the
    types, and vmax_i the largest value of a true type; gains in +-(vmax_i + b_i - a_i).
    Intervals: ``mean_interval`` at level false_alarm / (m Q r + m Q) each (union bound).
    Chunks and ``executor`` as in ``monte_carlo_revenue``.
    """
    laws, n, alpha, bsz, chunk = _check_common(mechanism, laws, n_samples, false_alarm,
                                               batch_size, chunk_samples, executor)
    m, k, A = mechanism.m, mechanism.k, mechanism.A  # noqa: N806
    mis = _latent_points(misreports, "misreports", k)
    fixed = None if types is None else _latent_points(types, "types", k)
    points = [np.zeros((1, k)), np.ones((1, k)), mis] + ([] if fixed is None else [fixed])
    box_lo, box_hi = np.vstack(points).min(axis=0), np.vstack(points).max(axis=0)
    bounds = _bounds(mechanism, payment_range, box_lo, box_hi)
    t_lo = np.zeros(k) if fixed is None else np.minimum(0.0, fixed.min(axis=0))
    t_hi = np.ones(k) if fixed is None else np.maximum(1.0, fixed.max(axis=0))
    vmax = np.array([value_upper(v, A, t_lo, t_hi) for v in mechanism.valuations])
    u_range = np.column_stack([-bounds[:, 1], vmax - bounds[:, 0]])
    with np.errstate(over="ignore"):  # n squared deviations of a gain must stay in float64
        if not np.isfinite(4.0 * n * (2.0 * np.abs(u_range).max()) ** 2):
            raise ValueError("mechanism, payment_range: values and payments span "
                             f"{float(np.abs(u_range).max()):.3g}; the moments of {n} gains "
                             "would overflow float64")
    n_q, n_r = (1 if fixed is None else fixed.shape[0]), mis.shape[0]
    acc_u, acc_g = _Moments((m, n_q)), _Moments((m, n_q, n_r))
    for parts_u, parts_g in _run_chunks(
            _incentive_chunk, _chunk_seeds(rng, n, chunk),
            (mechanism, laws, bounds, bool(batched), bsz, mis, fixed), executor):
        acc_u.merge(*parts_u)
        acc_g.merge(*parts_g)
    n_int = m * n_q * n_r + m * n_q
    a_each = alpha / n_int
    u_lo, u_hi = u_range[:, 0][:, None], u_range[:, 1][:, None]
    ul, uh = mean_interval(acc_u.mean, acc_u.variance, n, u_lo, u_hi, a_each)
    g_span = (u_range[:, 1] - u_range[:, 0])[:, None, None]
    gl, gh = mean_interval(acc_g.mean, acc_g.variance, n, -g_span, g_span, a_each)
    return IncentiveEstimate(
        mode="ex-ante" if fixed is None else "interim", n_samples=n, false_alarm=alpha,
        n_intervals=n_int, misreports=mis, types=fixed, utility=acc_u.mean, utility_low=ul,
        utility_high=uh, gain=acc_g.mean, gain_low=gl, gain_high=gh,
        bic_violation=float(acc_g.mean.max()), bic_violation_low=float(gl.max()),
        bic_violation_high=float(gh.max()), ir_min=float(acc_u.mean.min()),
        ir_min_low=float(ul.min()), ir_min_high=float(uh.min()), utility_range=u_range,
        method=METHOD, batched=batched)
