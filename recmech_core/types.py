"""True type laws D_i that are eps1-close to A o D_hat_z,i, built through Lemma 1's coupling.

Cai-Daskalakis EC'22, Sec. 2.2, Lemma 1 (Strassen): d_P(F, F_hat) <= eps iff some coupling has
Pr[||x - y||_inf > eps] <= eps (claim: lemma1). definition: ``CloseTypeLaw`` draws the pair (z, t)
of such a coupling:
z ~ D_hat_z,i; with probability 1 - rate the type is t = Az + e with ||e||_inf <= eps1
(perturbation "uniform": e_j iid uniform on [-eps1, eps1]; "adversarial": the vertex of the
eps1-box that maximises a given protocol's error; "none": e = 0); with probability rate <= eps1
it is corrupted ("adversarial": t = Az' for the vertex z' of [0,1]^k farthest from z, a well-formed
type that a protocol maps to the wrong latent; "shift": t = Az + magnitude; "uniform": e_j iid
uniform on [-magnitude, magnitude]; "none": no corruption). So Pr[||t - Az||_inf > eps1] <= rate
<= eps1, and by Lemma 1 the law of t is within eps1 of A o D_hat_z,i in l_inf-Prokhorov distance
(claim: lemma1).

A type is never materialised: ``LazyType.item(j)`` costs O(k), so a bidder over 10^7 items costs
memory only for the items a protocol asks about. Per-item random offsets come from a counter-based
hash of (seed, j), so asking twice about an item gives the same value; a type remembers its values
on the last set of items asked about, so the q rounds of a binary search over the same items
evaluate them once.
"""

from __future__ import annotations

import abc
from dataclasses import asdict, dataclass

import numpy as np

from recmech.core.design import DesignMatrix, row_chunks
from recmech.core.gate import indices, real, whole
from recmech.core.laws import FiniteLaw, LatentLaw, RngLike, as_finite_array, as_generator

__all__ = ["CORRUPTIONS", "PERTURBATIONS", "CloseTypeLaw", "ConstantOffsets", "CouplingReport",
           "LazyType", "NoOffsets", "Offsets", "SparseOffsets", "UniformOffsets", "hashed_uniform",
           "worst_vertex_offsets"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def hashed_uniform(seed: int, idx) -> np.ndarray:
    """Uniform [0, 1) numbers attached to item indices: a pure function of (seed, j)."""
    seed = whole(seed, "seed", low=0, high=2**64 - 1)
    if np.asarray(idx).dtype.kind not in "iu" or isinstance(idx, np.timedelta64):
        raise TypeError(f"idx must be integer item indices; found {np.asarray(idx).dtype}")
    with np.errstate(over="ignore"):
        key = _splitmix64(np.array([seed], dtype=np.uint64))
        bits = _splitmix64(np.asarray(idx, dtype=np.uint64).reshape(-1) ^ key)
    return (bits >> np.uint64(11)).astype(float) * 2.0**-53


class Offsets(abc.ABC):
    """definition: The offset e = t - A z_type of a type, evaluated item by item; |e_j| <=
    ``bound``."""

    bound: float

    @abc.abstractmethod
    def at(self, idx: np.ndarray) -> np.ndarray:
        """e_j for j in idx."""


class NoOffsets(Offsets):
    bound = 0.0

    def at(self, idx):
        return np.zeros(len(idx))


class UniformOffsets(Offsets):
    """e_j iid uniform on [-bound, bound], hashed from (seed, j)."""

    def __init__(self, bound: float, seed: int) -> None:
        self.bound = real(bound, "bound", low=0.0)
        self.seed = whole(seed, "seed", low=0, high=2**64 - 1)

    def at(self, idx):
        return self.bound * (2.0 * hashed_uniform(self.seed, idx) - 1.0)


class ConstantOffsets(Offsets):
    """e_j = value for every item."""

    def __init__(self, value: float) -> None:
        self.value = real(value, "value")
        self.bound = abs(self.value)

    def at(self, idx):
        return np.full(len(idx), self.value)


class SparseOffsets(Offsets):
    """e_j = values[i] on items[i], 0 elsewhere (e.g. the worst vertex on the queried items)."""

    def __init__(self, items, values) -> None:
        items = indices(items, "items", 2**62)
        values = as_finite_array(values, "values", ndim=1, shape=items.shape)
        order = np.argsort(items)
        self.items, self.values = items[order], values[order]
        self.bound = float(np.max(np.abs(values), initial=0.0))

    def at(self, idx):
        idx = np.asarray(idx, dtype=np.int64)
        out = np.zeros(idx.shape)
        if len(self.items):
            pos = np.minimum(np.searchsorted(self.items, idx), len(self.items) - 1)
            hit = self.items[pos] == idx
            out[hit] = self.values[pos[hit]]
        return out


class LazyType:
    """t = A z_type + e over N items, evaluated on demand: ``item(j)`` costs O(k).

    Built from a ``DesignMatrix`` the design is used as is (it was checked once when it was
    made); a bare array is checked for finite entries in row chunks (O(N k) time, O(k) memory).
    """

    def __init__(self, A, z, noise: Offsets | None = None) -> None:
        if isinstance(A, DesignMatrix):
            self.A = A.A
        elif isinstance(A, np.ndarray) and A.dtype == np.float64 and A.ndim == 2:
            for a, b in row_chunks(A.shape[0]):
                if not np.isfinite(A[a:b]).all():
                    raise ValueError(f"A must have finite entries (no NaN/inf); found {A}")
            self.A = A
        else:
            self.A = as_finite_array(A, "A", ndim=2)
        z = np.array(as_finite_array(z, "z", ndim=1, shape=(self.A.shape[1],)))
        z.setflags(write=False)  # the memo below relies on z not changing under it
        self.z = z
        self.noise = NoOffsets() if noise is None else noise
        self._memo: tuple | None = None

    @property
    def N(self) -> int:  # noqa: N802 - the paper's name
        return int(self.A.shape[0])

    def items(self, idx) -> np.ndarray:
        """t_j for j in idx: O(len(idx) k)."""
        idx = np.asarray(idx, dtype=np.int64).reshape(-1)
        memo = self._memo
        # a binary search asks about the same items q times: gather A[idx] (random rows of a
        # possibly huge A) and hash the offsets once, then compare the index arrays (O(len))
        if (memo is not None and memo[0].shape == idx.shape and memo[1] is self.z
                and memo[2] is self.noise and np.array_equal(memo[0], idx)):
            return memo[3].copy()
        if idx.size and (idx.min() < 0 or idx.max() >= self.N):
            raise ValueError(f"idx must lie in [0, {self.N}); found [{idx.min()}, {idx.max()}]")
        values = self.A[idx] @ self.z + self.noise.at(idx)
        self._memo = (idx.copy(), self.z, self.noise, values)
        return values.copy()

    def item(self, j: int) -> float:
        return float(self.items(np.array([j]))[0])

    def dense(self) -> np.ndarray:
        """The whole type (O(N k)); for small N and for exact distance checks."""
        return self.items(np.arange(self.N))

    def distance(self, z, chunk: int = 1 << 16) -> float:
        """||t - Az||_inf, exactly, streamed in chunks (O(N k) time, O(chunk) memory)."""
        z = as_finite_array(z, "z", ndim=1, shape=self.z.shape)
        worst = 0.0
        for start in range(0, self.N, chunk):
            idx = np.arange(start, min(start + chunk, self.N))
            worst = max(worst, float(np.max(np.abs(self.items(idx) - self.A[idx] @ z))))
        return worst


def worst_vertex_offsets(items, pinv, eps: float, z=None) -> tuple[np.ndarray, int, int]:
    """The vertex of the eps-box maximising the least-squares error (Thm. 2 proof).

    For a block with pseudo-inverse P (k x l) the error is P e; its r-th coordinate is largest,
    eps * ||P[r, :]||_1, at e = s * eps * sign(P[r, :]) with r = argmax_r ||P[r, :]||_1. The sign s
    points away from the nearer face of [0, 1] at z_r (s = +1 if z_r < 1/2), so clipping to the
    box cannot undo the error (claim: definition3). Returns (offsets on ``items``, r, s).
    """
    P = as_finite_array(pinv, "pinv", ndim=2)
    if P.shape[1] != len(items):
        raise ValueError(f"pinv must have one column per queried item ({len(items)}); "
                         f"found shape {P.shape}")
    r = int(np.argmax(np.abs(P).sum(axis=1)))
    s = 1 if z is None or z[r] < 0.5 else -1
    signs = np.sign(P[r])
    signs[signs == 0] = 1.0
    return s * eps * signs, r, s


@dataclass(frozen=True)
class CouplingReport:
    """Measured coupling of Lemma 1: how many of n draws had ||t - Az||_inf > eps1 (claim:
    lemma1)."""

    n: int
    outside: int
    fraction: float
    eps1: float
    rate: float

    def to_dict(self) -> dict:
        return asdict(self)


PERTURBATIONS = ("uniform", "adversarial", "none")
CORRUPTIONS = ("adversarial", "shift", "uniform", "none")


class CloseTypeLaw:
    """A true type law D_i with d_P(D_i, A o D_hat_z,i) <= eps1, via Lemma 1's coupling (claim:
    lemma1).

    ``target`` (for the adversarial perturbation) is any object with ``items`` (queried item
    indices) and ``pinv`` (the k x l least-squares pseudo-inverse), e.g. a query protocol.
    definition: ``rate`` (default eps1) is the corruption probability; it must be <= eps1.
    """

    def __init__(self, latent: LatentLaw, design: DesignMatrix, eps1: float, *,
                 perturbation: str = "uniform", corruption: str = "adversarial",
                 rate: float | None = None, target=None, magnitude: float | None = None) -> None:
        if not isinstance(latent, LatentLaw):
            raise TypeError(f"latent must be a LatentLaw; found {type(latent).__name__}")
        if not isinstance(design, DesignMatrix):
            raise TypeError(f"design must be a DesignMatrix; found {type(design).__name__}")
        if latent.k != design.k:
            raise ValueError(f"latent must have k = design.k = {design.k}; found k={latent.k}")
        eps1 = real(eps1, "eps1", low=0.0, low_open=True, high=1.0)
        if perturbation not in PERTURBATIONS:
            raise ValueError(f"perturbation must be one of {PERTURBATIONS}; found {perturbation!r}")
        if corruption not in CORRUPTIONS:
            raise ValueError(f"corruption must be one of {CORRUPTIONS}; found {corruption!r}")
        if perturbation == "adversarial" and (target is None or not hasattr(target, "pinv")):
            raise ValueError("target: the adversarial perturbation needs a target with "
                             "items and pinv (e.g. a query protocol)")
        rate = eps1 if rate is None else real(rate, "rate")
        if corruption == "none":
            rate = 0.0
        if not 0 <= rate <= eps1:
            raise ValueError(f"rate must be in [0, eps1] = [0, {eps1}] (Lemma 1); found {rate}")
        magnitude = (design.inf_norm + 2 * eps1 if magnitude is None
                     else real(magnitude, "magnitude"))
        if not np.isfinite(magnitude) or magnitude <= eps1:
            raise ValueError(f"magnitude must be finite and > eps1; found {magnitude}")
        self.latent, self.design, self.eps1 = latent, design, eps1
        self.perturbation, self.corruption = perturbation, corruption
        self.rate, self.target, self.magnitude = rate, target, magnitude

    @property
    def coupling_fraction(self) -> float:
        """The designed Pr[||t - Az||_inf > eps1] upper bound: ``rate`` (<= eps1) (claim:
        lemma1)."""
        return self.rate

    def _close_offsets(self, z: np.ndarray, seed: int) -> Offsets:
        if self.perturbation == "none":
            return NoOffsets()
        if self.perturbation == "uniform":
            return UniformOffsets(self.eps1, seed)
        items = np.asarray(self.target.items)
        values, _, _ = worst_vertex_offsets(items, self.target.pinv, self.eps1, z)
        return SparseOffsets(items, values)

    def _corrupted(self, z: np.ndarray, seed: int) -> LazyType:
        A = self.design
        if self.corruption == "adversarial":
            return LazyType(A, np.where(z < 0.5, 1.0, 0.0))
        if self.corruption == "shift":
            return LazyType(A, z, ConstantOffsets(self.magnitude))
        return LazyType(A, z, UniformOffsets(self.magnitude, seed))

    def sample(self, rng: RngLike) -> tuple[np.ndarray, LazyType]:
        """One coupled pair (z, t): z ~ D_hat_z,i and the bidder's true type t (lazy)."""
        gen = as_generator(rng)
        z = self.latent.sample(1, gen)[0]
        corrupt = gen.random() < self.rate
        seed = int(gen.integers(0, 2**63 - 1))
        if corrupt:
            return z, self._corrupted(z, seed)
        return z, LazyType(self.design, z, self._close_offsets(z, seed))

    def sample_many(self, n: int, rng: RngLike) -> list[tuple[np.ndarray, LazyType]]:
        gen = as_generator(rng)
        return [self.sample(gen) for _ in range(int(n))]

    def exact_outside_probability(self) -> float | None:
        """Pr[||t - Az||_inf > eps1] under the coupling, exactly, where computable (claim: lemma1).

        The close branch never leaves the eps1-box, so only the corruption contributes:
        "shift": rate; "uniform": rate * (1 - (eps1/magnitude)^N); "adversarial": rate times
        the D_hat_z-mass of {z : ||A(z' - z)||_inf > eps1} (finite latent laws only; else None)
        (claim: lemma1).
        """
        if self.corruption == "none" or self.rate == 0:
            return 0.0
        if self.corruption == "shift":
            return self.rate
        if self.corruption == "uniform":
            return self.rate * -np.expm1(self.design.N * np.log(self.eps1 / self.magnitude))
        if not isinstance(self.latent, FiniteLaw):
            return None
        pts = self.latent.points
        far = np.where(pts < 0.5, 1.0, 0.0)
        gaps = np.max(np.abs((far - pts) @ self.design.A.T), axis=1)
        return float(self.rate * self.latent.probs[gaps > self.eps1].sum())

    def coupling_report(self, n: int, rng: RngLike) -> CouplingReport:
        """definition: Draw n pairs and count ||t - Az||_inf > eps1 exactly (O(n N k) time)."""
        gen = as_generator(rng)
        outside = sum(t.distance(z) > self.eps1 for z, t in self.sample_many(n, gen))
        return CouplingReport(int(n), int(outside), outside / n, self.eps1, self.rate)
