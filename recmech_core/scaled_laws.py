"""Standard continuous laws beyond the unit cube, scaled onto the latent cube [0,1]^k.

Cai-Daskalakis EC'22, Sec. 3 (I): latent types live in [0,1]^k and a bidder's type is A z. A
law of latent coordinates x in currency units (an exponential value, a uniform value on
[lo, hi], a truncated normal, a Beta on [0, s]) is the latent law of z = x / s, s (k,) the
law's ``scale`` (the upper end of each coordinate's support), with the design
A diag(s) (``design``, i.e. ``recmech.core.design.scale_design``): A diag(s) z = A x, so types,
values and payments come out in currency. Where the scaling enters: only there; every other
part of the API sees a law on [0,1]^k.

definition: Each law is a product of independent truncated marginals on [lo_l, hi_l] (hi_l = s_l):
``ExponentialLaw(rate, upper)`` Exp(rate) cut at ``upper`` (the cut-off mass
exp(-rate upper) is ``tail_mass``: the law is the exponential conditioned on x <= upper),
``UniformLaw(lo, hi)``, ``TruncatedNormalLaw(mean, sd, lo, hi)`` and ``BetaLaw(a, b, scale)``
(s Beta(a, b)). Conditioned on a cube of the latent grid they are products of truncated
marginals, drawn exactly by inverse CDF (the survival function in the upper half, where the
CDF loses precision), as Lemma 2's S_i(x, delta) needs.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from recmech.core.design import scale_design
from recmech.core.gate import real_array, whole
from recmech.core.laws import LatentLaw, RngLike, as_finite_array, as_generator

__all__ = ["BetaLaw", "ExponentialLaw", "ScaledProductLaw", "TruncatedNormalLaw", "UniformLaw"]


def _vector(value, name: str, k: int | None, low: float | None = None,
            low_open: bool = False) -> np.ndarray:
    out = np.atleast_1d(real_array(value, name))
    if out.ndim != 1:
        raise ValueError(f"{name} must be a number or a 1-d array; found shape {out.shape}")
    if k is not None and out.shape[0] == 1 and k > 1:
        out = np.full(k, out[0])
    if k is not None and out.shape[0] != k:
        raise ValueError(f"{name} must give one value or one per coordinate ({k}); found "
                         f"{out.shape[0]}")
    if low is not None and np.any(out < low if not low_open else out <= low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low} in every coordinate; "
                         f"found {out.tolist()}")
    return out


def _size(k: int | None, *values) -> int:
    """k, or else the longest of the per-coordinate parameters (numbers count as 1)."""
    if k is not None:
        return whole(k, "k", low=1)
    return max(int(np.size(v)) if np.ndim(v) else 1 for v in values)


class ScaledProductLaw(LatentLaw):
    """definition: The latent law of z = x / scale for x with independent marginals ``dists``
    (frozen
    ``scipy.stats`` laws) truncated to [lo_l, hi_l], 0 <= lo_l < hi_l, scale = hi (module
    docstring)."""

    def __init__(self, dists, lo, hi, label: str) -> None:
        if isinstance(dists, (str, bytes)) or not hasattr(dists, "__iter__"):
            raise TypeError(f"dists must be a sequence of frozen scipy.stats laws; found "
                            f"{type(dists).__name__}")
        self.dists = tuple(dists)
        if not self.dists or not all(hasattr(d, "cdf") and hasattr(d, "sf") for d in self.dists):
            raise TypeError("dists must be a non-empty sequence of frozen scipy.stats laws "
                            "(with cdf and sf)")
        if not isinstance(label, str):
            raise TypeError(f"label must be text; found {type(label).__name__}")
        self.lo = _vector(lo, "lo", len(self.dists), low=0.0)
        self.hi = _vector(hi, "hi", len(self.dists))
        if np.any(self.hi <= self.lo):
            raise ValueError(f"hi must be > lo in every coordinate; found lo={self.lo.tolist()}, "
                             f"hi={self.hi.tolist()}")
        self.k, self.label = len(self.dists), label
        self.scale = self.hi.copy()
        self._cdf_lo = np.array([d.cdf(a) for d, a in zip(self.dists, self.lo, strict=True)])
        self._sf_hi = np.array([d.sf(b) for d, b in zip(self.dists, self.hi, strict=True)])
        mass = self._masses(self.lo, self.hi)
        if np.any(mass <= 0):
            raise ValueError(f"lo, hi: the law has no mass on [{self.lo.tolist()}, "
                             f"{self.hi.tolist()}] in double precision")
        self._total = mass

    def __repr__(self) -> str:
        return f"{self.label}(k={self.k}, scale={self.scale.tolist()})"

    def design(self, A) -> np.ndarray:  # noqa: N803
        """A diag(scale): the design under which types A diag(s) z = A x are in currency."""
        return scale_design(A, self.scale)

    def _masses(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """definition: Pr[a_l <= x_l <= b_l] per coordinate (untruncated), from the CDF or, in the
        upper
        half, the survival function (no cancellation near 1)."""
        out = np.empty(self.k)
        for j, d in enumerate(self.dists):
            by_cdf = d.cdf(b[j]) - d.cdf(a[j])
            by_sf = d.sf(a[j]) - d.sf(b[j])
            out[j] = max(by_cdf, by_sf, 0.0)
        return out

    def _draw(self, a: np.ndarray, b: np.ndarray, u: np.ndarray) -> np.ndarray:
        """x with marginals truncated to [a_l, b_l] from uniforms u (n, k), by inverse CDF."""
        out = np.empty(u.shape)
        for j, d in enumerate(self.dists):
            f_a, f_b = d.cdf(a[j]), d.cdf(b[j])
            if f_a <= 0.5:
                x = d.ppf(f_a + u[:, j] * (f_b - f_a))
            else:
                s_a, s_b = d.sf(a[j]), d.sf(b[j])
                x = d.isf(s_a - u[:, j] * (s_a - s_b))
            # inverse-CDF rounding can land a hair outside; the truncated law lives in [a, b]
            out[:, j] = np.clip(x, a[j], b[j])
        return out

    def sample(self, n: int, rng: RngLike) -> np.ndarray:
        n = whole(n, "n", low=0)
        u = as_generator(rng).uniform(size=(n, self.k))
        return self._draw(self.lo, self.hi, u) / self.scale[None, :]

    def _cube(self, x, delta: float, closed: bool) -> tuple[np.ndarray, np.ndarray]:
        x, delta = self._check_cube(x, delta, closed)
        a = np.maximum(x * self.scale, self.lo)
        b = np.minimum((x + delta) * self.scale, self.hi)
        return a, b

    def log_cube_mass(self, x, delta: float, closed: bool = False) -> float:
        a, b = self._cube(x, delta, closed)
        if np.any(b <= a):
            return -np.inf
        mass = self._masses(a, b)
        if np.any(mass <= 0):
            raise ValueError(f"x, delta: a marginal mass of the cube at x="
                             f"{np.asarray(x).tolist()} with delta={delta} is below double "
                             "precision")
        return float(np.sum(np.log(mass) - np.log(self._total)))

    def cube_mass(self, x, delta: float, closed: bool = False) -> float:
        return float(np.exp(self.log_cube_mass(x, delta, closed)))

    def sample_in_cube(self, x, delta: float, rng: RngLike, n: int = 1,
                       closed: bool = False) -> np.ndarray:
        n = whole(n, "n", low=0)
        if not np.isfinite(self.log_cube_mass(x, delta, closed)):
            raise self._zero_mass(np.asarray(x, dtype=float), float(delta))
        a, b = self._cube(x, delta, closed)
        z = self._draw(a, b, as_generator(rng).uniform(size=(n, self.k))) / self.scale[None, :]
        if not closed:
            # a half-open cell excludes its upper face; that face has probability zero
            upper = as_finite_array(x, "x", ndim=1) + float(delta)
            z = np.where(z >= upper, np.nextafter(upper, -np.inf), z)
        return z

    def to_dict(self) -> dict:
        return {"law": self.label, "k": self.k, "lo": self.lo.tolist(), "hi": self.hi.tolist(),
                "scale": self.scale.tolist()}


class ExponentialLaw(ScaledProductLaw):
    """definition: x_l ~ Exp(rate_l) conditioned on x_l <= upper_l (scale = upper); ``tail_mass``
    the
    cut-off mass exp(-rate upper) per coordinate (module docstring)."""

    def __init__(self, rate, upper, k: int | None = None) -> None:
        rate = _vector(rate, "rate", _size(k, rate, upper), low=0.0, low_open=True)
        upper = _vector(upper, "upper", rate.shape[0], low=0.0, low_open=True)
        super().__init__([stats.expon(scale=1.0 / r) for r in rate], np.zeros_like(upper), upper,
                         "ExponentialLaw")
        self.rate = rate
        self.tail_mass = np.exp(-rate * upper)


class UniformLaw(ScaledProductLaw):
    """definition: x_l uniform on [lo_l, hi_l], 0 <= lo_l < hi_l (scale = hi)."""

    def __init__(self, lo, hi, k: int | None = None) -> None:
        lo = _vector(lo, "lo", _size(k, lo, hi), low=0.0)
        hi = _vector(hi, "hi", lo.shape[0])
        if np.any(hi <= lo):
            raise ValueError(f"hi must be > lo in every coordinate; found lo={lo.tolist()}, "
                             f"hi={hi.tolist()}")
        super().__init__([stats.uniform(a, b - a) for a, b in zip(lo, hi, strict=True)], lo, hi,
                         "UniformLaw")


class TruncatedNormalLaw(ScaledProductLaw):
    """definition: x_l ~ N(mean_l, sd_l^2) conditioned on lo_l <= x_l <= hi_l, 0 <= lo_l (scale =
    hi)."""

    def __init__(self, mean, sd, lo, hi, k: int | None = None) -> None:
        mean = _vector(mean, "mean", _size(k, mean, sd, lo, hi))
        sd = _vector(sd, "sd", mean.shape[0], low=0.0, low_open=True)
        super().__init__([stats.norm(mu, s) for mu, s in zip(mean, sd, strict=True)],
                         _vector(lo, "lo", mean.shape[0]), _vector(hi, "hi", mean.shape[0]),
                         "TruncatedNormalLaw")
        self.mean, self.sd = mean, sd


class BetaLaw(ScaledProductLaw):
    """x_l = scale_l B_l with B_l ~ Beta(a_l, b_l) (support [0, scale_l])."""

    def __init__(self, a, b, scale=1.0, k: int | None = None) -> None:
        a = _vector(a, "a", _size(k, a, b, scale), low=0.0, low_open=True)
        b = _vector(b, "b", a.shape[0], low=0.0, low_open=True)
        s = _vector(scale, "scale", a.shape[0], low=0.0, low_open=True)
        super().__init__([stats.beta(p, q, scale=c) for p, q, c in zip(a, b, s, strict=True)],
                         np.zeros_like(s), s, "BetaLaw")
        self.a, self.b = a, b
