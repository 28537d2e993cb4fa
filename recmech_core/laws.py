"""Latent laws on [0,1]^k and sampling conditioned on a k-cube.

Cai-Daskalakis EC'22, Sec. 3 "(I) The Machine Learning Component": each bidder's latent law
D_hat_z,i is a distribution over [0,1]^k; Lemma 2 needs the sampling algorithm
S_i(x, delta), a draw from the conditional law of D_hat_z,i on the cube prod_j [x_j, x_j + delta].

Cubes are half-open, prod_j [x_j, x_j + delta), so that the cells of a grid partition [0,1]^k
(Lemma 2's random grid); ``closed=True`` gives the closed cube of the paper's statement. A cube may
stick out of [0,1]^k (border cells); only its intersection with the support matters.
Conditional sampling is exact (no rejection loop that can stall on a cube of tiny mass).
"""

from __future__ import annotations

import abc

import numpy as np
from scipy import special

from recmech.core.gate import probabilities, real, real_array, seed, whole

__all__ = ["PROB_TOL", "BetaProduct", "FiniteLaw", "LatentLaw", "UniformBox", "as_finite_array",
           "as_finite_law", "as_generator", "as_latent_law", "currency_scale"]

RngLike = np.random.Generator | int

PROB_TOL = 1e-9


def as_generator(rng: RngLike) -> np.random.Generator:
    """A numpy Generator from ``rng`` (a Generator or an int seed); no global random state."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(seed(rng, "rng"))
    raise TypeError(f"rng must be a numpy Generator or an int seed; found {type(rng).__name__}")


def as_finite_array(value, name: str, ndim: int | None = None, shape=None) -> np.ndarray:
    """``value`` as a float array through the input gate (``recmech.core.gate.real_array``):
    ValueError or TypeError naming ``name`` on NaN/inf, huge ints, complex, str, bool or a
    wrong shape."""
    return real_array(value, name, ndim, shape)


def _check_count(n: int) -> int:
    return whole(n, "n", low=0)


class LatentLaw(abc.ABC):
    """A probability law on [0,1]^k (Cai-Daskalakis EC'22, Sec. 3, D_hat_z,i)."""

    k: int

    @abc.abstractmethod
    def sample(self, n: int, rng: RngLike) -> np.ndarray:
        """``n`` independent draws, shape (n, k)."""

    @abc.abstractmethod
    def cube_mass(self, x, delta: float, closed: bool = False) -> float:
        """Pr[z in prod_j [x_j, x_j + delta)] (closed cube if ``closed``)."""

    def log_cube_mass(self, x, delta: float, closed: bool = False) -> float:
        """log Pr[z in cube]; -inf for an empty cube. Subclasses avoid the underflow of exp."""
        mass = self.cube_mass(x, delta, closed=closed)
        return float(np.log(mass)) if mass > 0 else -np.inf

    @abc.abstractmethod
    def sample_in_cube(self, x, delta: float, rng: RngLike, n: int = 1,
                       closed: bool = False) -> np.ndarray:
        """S_i(x, delta) of Lemma 2: ``n`` exact draws from the law conditioned on the cube."""

    def _check_cube(self, x, delta: float, closed: bool) -> tuple[np.ndarray, float]:
        """Validate a cube and require that it meets [0,1]^k."""
        x = as_finite_array(x, "x", ndim=1)
        if x.shape != (self.k,):
            raise ValueError(f"x must have shape ({self.k},) (the latent dimension k); "
                             f"found {x.shape}")
        delta = real(delta, "delta", low=0.0, low_open=True)
        upper = x + delta
        misses = (upper < 0) | (x > 1) if closed else (upper <= 0) | (x > 1)
        if np.any(misses):
            bad = int(np.flatnonzero(misses)[0])
            raise ValueError(
                f"x, delta: the cube misses [0,1]^k in coordinate {bad} "
                f"([{x[bad]}, {upper[bad]}{']' if closed else ')'})")
        return x, delta

    def _zero_mass(self, x: np.ndarray, delta: float) -> ValueError:
        return ValueError(f"x, delta: the cube at x={x.tolist()} with delta={delta} has zero "
                          "mass under the law; the conditional law is undefined")


def _validate_probs(probs: np.ndarray) -> np.ndarray:
    return probabilities(probs, "probs")


class FiniteLaw(LatentLaw):
    """A finitely supported law sum_s probs[s] * Dirac(points[s]) on [0,1]^k.

    The conditional law on a cube is the renormalised restriction (exact, Lemma 2's S_i(x, delta)).
    """

    def __init__(self, points, probs) -> None:
        pts = as_finite_array(points, "points", ndim=2)
        pr = as_finite_array(probs, "probs", ndim=1)
        if pts.shape[0] == 0:
            raise ValueError("points must contain at least one support point; found none")
        if pr.shape[0] != pts.shape[0]:
            raise ValueError(f"probs must have one entry per support point ({pts.shape[0]}); "
                             f"found {pr.shape[0]}")
        if pts.shape[1] == 0:
            raise ValueError("points must have k >= 1 columns; found 0")
        if np.any(pts < 0) or np.any(pts > 1):
            raise ValueError("points must lie in [0,1]^k (latent types, Sec. 3 (I)); found "
                             f"range [{pts.min()}, {pts.max()}]")
        self.points = pts
        self.probs = _validate_probs(pr)
        self.k = pts.shape[1]

    def __repr__(self) -> str:
        return f"FiniteLaw(support={self.points.shape[0]}, k={self.k})"

    @classmethod
    def from_samples(cls, samples, scale=None) -> FiniteLaw:
        """The empirical law of ``samples`` (n, k): duplicate rows merged, each distinct row with
        probability (its count) / n. definition: ``scale`` (a number or one per coordinate, > 0)
        divides samples given in currency units into latent coordinates in [0,1]^k
        (``currency_scale``).
        """
        pts = as_finite_array(samples, "samples", ndim=2)
        if pts.shape[0] == 0:
            raise ValueError("samples must contain at least one row; found none")
        if scale is not None:
            with np.errstate(over="ignore", under="ignore"):
                pts = pts / currency_scale(scale, pts.shape[1])[None, :]
        if not np.all(np.isfinite(pts)) or np.any(pts < 0) or np.any(pts > 1):
            raise ValueError("samples (divided by scale, when given) must lie in [0,1]^k; found "
                             f"range [{pts.min()}, {pts.max()}]")
        uniq, counts = np.unique(pts, axis=0, return_counts=True)
        return cls(uniq, counts / counts.sum())

    def in_cube(self, x, delta: float, closed: bool = False) -> np.ndarray:
        """Boolean mask of the support points inside the cube."""
        x, delta = self._check_cube(x, delta, closed)
        upper = x + delta
        above = self.points >= x
        below = self.points <= upper if closed else self.points < upper
        return np.all(above & below, axis=1)

    def sample(self, n: int, rng: RngLike) -> np.ndarray:
        n = _check_count(n)
        idx = as_generator(rng).choice(self.points.shape[0], size=n, p=self.probs)
        return self.points[idx].copy()

    def cube_mass(self, x, delta: float, closed: bool = False) -> float:
        return float(self.probs[self.in_cube(x, delta, closed)].sum())

    def conditional(self, x, delta: float, closed: bool = False) -> FiniteLaw:
        """The law restricted to the cube and renormalised; zero mass -> ValueError."""
        mask = self.in_cube(x, delta, closed)
        mass = self.probs[mask].sum()
        if mass <= 0:
            raise self._zero_mass(np.asarray(x, dtype=float), float(delta))
        return FiniteLaw(self.points[mask], self.probs[mask] / mass)

    def sample_in_cube(self, x, delta: float, rng: RngLike, n: int = 1,
                       closed: bool = False) -> np.ndarray:
        return self.conditional(x, delta, closed).sample(n, rng)


def currency_scale(scale, k: int) -> np.ndarray:
    """definition: Per-coordinate currency units s (k,), all finite and > 0: a latent coordinate x
    in [0, s_l] currency units is the latent z_l = x / s_l in [0, 1], and the design that values it
    is A diag(s) (``recmech.core.design.scale_design``), so types A diag(s) z are in currency."""
    k = whole(k, "k", low=1)
    if not isinstance(scale, (list, tuple, np.ndarray)):
        value = real(scale, "scale", low=0.0, low_open=True)
        return np.full(int(k), value)
    out = as_finite_array(scale, "scale", ndim=1, shape=(int(k),))
    if np.any(out <= 0):
        raise ValueError(f"scale must be > 0 in every coordinate; found min {out.min()}")
    return out


def as_finite_law(law, name: str = "law") -> FiniteLaw:
    """Every finite law the API accepts, as a ``FiniteLaw``: a ``FiniteLaw``, an object with
    ``.points``/``.probs``, a pair ``(points, probs)``, or a bare numpy array (n, k) of samples
    (its empirical law, ``FiniteLaw.from_samples``: duplicates merged); points in [0,1]^k."""
    if isinstance(law, FiniteLaw):
        return law
    if isinstance(law, np.ndarray) and law.ndim == 2:
        try:
            return FiniteLaw.from_samples(law)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{name} (an array of samples, read as their empirical law): "
                            f"{exc}") from None
    if hasattr(law, "points") and hasattr(law, "probs"):
        pts, probs = law.points, law.probs
    elif isinstance(law, tuple) and len(law) == 2:
        pts, probs = law
    else:
        raise TypeError(f"{name} must be a finite law: a FiniteLaw, an object with .points and "
                        f".probs, a pair (points, probs), or a numpy array (n, k) of samples "
                        f"(their empirical law; a list of samples: np.asarray it or use "
                        f"FiniteLaw.from_samples); found {type(law).__name__}")
    try:
        return FiniteLaw(pts, probs)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None


def as_latent_law(law, name: str = "law") -> LatentLaw:
    """A ``LatentLaw`` as is; a finite law in any accepted form (``as_finite_law``, a bare
    (n, k) array of samples included); any other object with ``sample(n, rng)`` as is (a law
    of the caller's own). Laws beyond [0,1]^k (exponential, normal, a box in currency units):
    ``recmech.core.scaled_laws``."""
    if isinstance(law, LatentLaw):
        return law
    if (hasattr(law, "points") and hasattr(law, "probs")) or isinstance(law, tuple) or \
            (isinstance(law, np.ndarray) and law.ndim == 2):
        return as_finite_law(law, name)
    if callable(getattr(law, "sample", None)):
        return law
    raise TypeError(f"{name} must be a latent law (a LatentLaw, a finite law (points, probs), a "
                    f"numpy array (n, k) of samples, or an object with sample(n, rng)); found "
                    f"{type(law).__name__}")


class UniformBox(LatentLaw):
    """The uniform law on the box prod_j [lo_j, hi_j] inside [0,1]^k.

    Conditioned on a cube it is uniform on the intersection box (exact).
    """

    def __init__(self, lo, hi) -> None:
        lo = as_finite_array(lo, "lo", ndim=1)
        if lo.shape[0] == 0:
            raise ValueError("lo must have k >= 1 entries; found 0")
        hi = as_finite_array(hi, "hi", ndim=1, shape=lo.shape)
        if np.any(lo < 0) or np.any(hi > 1):
            raise ValueError(f"lo, hi must lie in [0,1]; found lo={lo}, hi={hi}")
        if np.any(hi <= lo):
            raise ValueError(f"hi must be > lo coordinatewise; found lo={lo}, hi={hi}")
        self.lo, self.hi, self.k = lo, hi, lo.shape[0]

    def __repr__(self) -> str:
        return f"UniformBox(lo={self.lo.tolist()}, hi={self.hi.tolist()})"

    def _intersection(self, x, delta, closed) -> tuple[np.ndarray, np.ndarray]:
        x, delta = self._check_cube(x, delta, closed)
        return np.maximum(self.lo, x), np.minimum(self.hi, x + delta)

    def sample(self, n: int, rng: RngLike) -> np.ndarray:
        n = _check_count(n)
        return as_generator(rng).uniform(self.lo, self.hi, size=(n, self.k))

    def log_cube_mass(self, x, delta: float, closed: bool = False) -> float:
        a, b = self._intersection(x, delta, closed)
        widths = b - a
        if np.any(widths <= 0):
            return -np.inf
        return float(np.sum(np.log(widths) - np.log(self.hi - self.lo)))

    def cube_mass(self, x, delta: float, closed: bool = False) -> float:
        return float(np.exp(self.log_cube_mass(x, delta, closed)))

    def sample_in_cube(self, x, delta: float, rng: RngLike, n: int = 1,
                       closed: bool = False) -> np.ndarray:
        n = _check_count(n)
        a, b = self._intersection(x, delta, closed)
        if np.any(b <= a):
            raise self._zero_mass(np.asarray(x, dtype=float), float(delta))
        return as_generator(rng).uniform(a, b, size=(n, self.k))


class BetaProduct(LatentLaw):
    """The product law prod_j Beta(a_j, b_j) on [0,1]^k.

    Conditioned on a cube it is the product of the truncated marginals, drawn by inverse CDF
    (exact). In the upper tail the survival function is used so the truncated interval is not
    lost to cancellation near 1.
    """

    def __init__(self, a, b) -> None:
        a = as_finite_array(a, "a", ndim=1)
        if a.shape[0] == 0:
            raise ValueError("a must have k >= 1 entries; found 0")
        b = as_finite_array(b, "b", ndim=1, shape=a.shape)
        if np.any(a <= 0) or np.any(b <= 0):
            raise ValueError(f"a, b must be > 0 (Beta shape parameters); found a={a}, b={b}")
        self.a, self.b, self.k = a, b, a.shape[0]

    def __repr__(self) -> str:
        return f"BetaProduct(a={self.a.tolist()}, b={self.b.tolist()})"

    def _interval(self, x, delta, closed) -> tuple[np.ndarray, np.ndarray]:
        x, delta = self._check_cube(x, delta, closed)
        return np.clip(x, 0.0, 1.0), np.clip(x + delta, 0.0, 1.0)

    def _marginal_masses(self, lo, hi) -> tuple[np.ndarray, np.ndarray]:
        """Per-coordinate cube masses computed from the CDF and from the survival function."""
        by_cdf = special.betainc(self.a, self.b, hi) - special.betainc(self.a, self.b, lo)
        by_sf = special.betainc(self.b, self.a, 1 - lo) - special.betainc(self.b, self.a, 1 - hi)
        return by_cdf, by_sf

    def sample(self, n: int, rng: RngLike) -> np.ndarray:
        n = _check_count(n)
        return as_generator(rng).beta(self.a, self.b, size=(n, self.k))

    def log_cube_mass(self, x, delta: float, closed: bool = False) -> float:
        lo, hi = self._interval(x, delta, closed)
        by_cdf, by_sf = self._marginal_masses(lo, hi)
        masses = np.maximum(by_cdf, by_sf)
        if np.any(hi <= lo):
            return -np.inf
        if np.any(masses <= 0):
            raise ValueError(f"x, delta: a marginal mass of the cube at x={np.asarray(x).tolist()} "
                             f"with delta={delta} is below double precision")
        return float(np.sum(np.log(masses)))

    def cube_mass(self, x, delta: float, closed: bool = False) -> float:
        return float(np.exp(self.log_cube_mass(x, delta, closed)))

    def sample_in_cube(self, x, delta: float, rng: RngLike, n: int = 1,
                       closed: bool = False) -> np.ndarray:
        n = _check_count(n)
        if not np.isfinite(self.log_cube_mass(x, delta, closed)):
            raise self._zero_mass(np.asarray(x, dtype=float), float(delta))
        lo, hi = self._interval(x, delta, closed)
        gen = as_generator(rng)
        u = gen.uniform(size=(n, self.k))
        out = np.empty((n, self.k))
        for j in range(self.k):
            a, b = self.a[j], self.b[j]
            f_lo = special.betainc(a, b, lo[j])
            f_hi = special.betainc(a, b, hi[j])
            if f_lo <= 0.5:
                draws = special.betaincinv(a, b, f_lo + u[:, j] * (f_hi - f_lo))
            else:
                # upper tail: invert the survival function, which keeps its precision near 1
                s_lo = special.betainc(b, a, 1 - lo[j])
                s_hi = special.betainc(b, a, 1 - hi[j])
                draws = 1 - special.betaincinv(b, a, s_lo - u[:, j] * (s_lo - s_hi))
            # inverse-CDF rounding can land a hair outside; the truncated law lives in [lo, hi]
            out[:, j] = np.clip(draws, lo[j], hi[j])
        if not closed:
            # a half-open cell excludes its upper face; that face has probability zero
            upper = np.clip(np.asarray(x, dtype=float) + float(delta), 0, 1)
            at_face = out >= upper
            open_face = (upper < 1) & at_face
            out = np.where(open_face, np.nextafter(upper, -np.inf), out)
        return out
