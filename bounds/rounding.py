"""A-posteriori rounding bounds for a computed pseudo-inverse and for least squares run in float64.

For a block B (l x k, full column rank) the exact pseudo-inverse P = (B^T B)^{-1} B^T satisfies
P B = I. A computed X (any k x l float matrix, e.g. ``numpy.linalg.pinv(B)``) is certified from
two residuals, each evaluated in float64 with its rounding bounded (Higham, Accuracy and
Stability, Sec. 3.5: |fl(XY) - XY| <= gamma_n |X||Y| for inner dimension n,
gamma_n = n u / (1 - n u), u = 2^-53):

    E = I - X B  (k x k),   F = X - (X X^T) B^T  (k x l),   e >= ||E||_inf,  f >= sqrt(l) ||F||_inf.

With Pi = B P the orthogonal projector onto range(B): P - X = E P - X (I - Pi) exactly (as
P B = I), and each row x of X has ||x (I - Pi)||_1 <= sqrt(l) ||x (I - Pi)||_2
<= sqrt(l) ||x - x X^T B^T||_2 (x X^T B^T lies in range(B); for X = P, F = 0). Hence, when e < 1,

    ||P||_inf <= p = (||X||_inf + f) / (1 - e),      ||X - P||_inf <= e p + f.

``least_squares_delta`` turns this into the certified delta of Def. 3 for least squares evaluated
as z_hat = fl(X y) (``recmech.bounds.queries.certified_delta`` states the formula).

Every block is scaled by a power of two first (exact), so entries near 1.8e308 or 1e-300 neither
overflow nor underflow on the way; the scalar combination is done in mpmath and rounded up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from recmech.bounds.logspace import PREC, mp, to_float

__all__ = ["UNIT_ROUNDOFF", "PinvCertificate", "certify_pinv", "gamma", "least_squares_delta",
           "pinv_certificate", "round_up", "unit_shift"]

UNIT_ROUNDOFF = 2.0**-53


def gamma(n: int) -> mpmath.mpf:
    """gamma_n = n u / (1 - n u): the relative rounding of a float64 inner product of length n."""
    with mpmath.workprec(PREC):
        nu = n * mp(UNIT_ROUNDOFF)
        return nu / (1 - nu)


def round_up(name: str, x: mpmath.mpf, why: str = "") -> float:
    """The least float64 >= x (ValueError naming ``name`` when x is beyond float64)."""
    out = to_float(name, x, why)
    return out if mp(out) >= x else math.nextafter(out, math.inf)


def _scale_exactly(name: str, M: np.ndarray, exponent: int) -> np.ndarray:
    scaled = np.ldexp(M, exponent)
    if not np.array_equal(np.ldexp(scaled, -exponent), M) or not np.all(np.isfinite(scaled)):
        raise ValueError(f"{name} spans more than float64's exponent range (its entries cannot "
                         "be rescaled exactly); no rounding bound can be certified")
    return scaled


def _norm_up(M: np.ndarray, axis: int) -> mpmath.mpf:
    """An upper bound on max of the absolute sums along ``axis`` (each sum correctly rounded by
    math.fsum, so within half an ulp: one more ulp up covers it)."""
    absm = np.abs(M)
    sums = [math.fsum(v) for v in (absm if axis == 1 else absm.T)]
    return mp(math.nextafter(max(sums), math.inf))


@dataclass(frozen=True, kw_only=True)
class PinvCertificate:
    """What a computed pseudo-inverse X of a block B certifies (module docstring), in exact
    (mpf) numbers of the unscaled block: ``x_norm`` >= ||X||_inf, ``p_norm`` >= ||P||_inf,
    ``distance`` >= ||X - P||_inf, ``b_norm`` >= ||B||_inf, ``residual`` e >= ||I - XB||_inf;
    ``rows`` = l and ``cols`` = k of B."""

    x_norm: mpmath.mpf
    p_norm: mpmath.mpf
    distance: mpmath.mpf
    b_norm: mpmath.mpf
    residual: mpmath.mpf
    rows: int
    cols: int


def certify_pinv(pinv: np.ndarray, block: np.ndarray) -> PinvCertificate:
    """Certify the float matrix ``pinv`` (k x l) as the pseudo-inverse of ``block`` (l x k).

    ValueError when the residual e = ||I - XB||_inf is not below 1 (X is no approximate left
    inverse: B is numerically rank-deficient, or X is not its pseudo-inverse)."""
    B = np.asarray(block, dtype=float)
    X = np.asarray(pinv, dtype=float)
    if X.shape != (B.shape[1], B.shape[0]):
        raise ValueError(f"pinv must have shape ({B.shape[1]}, {B.shape[0]}) for a block of "
                         f"shape {B.shape}; found {X.shape}")
    shift = unit_shift(B)
    return _certify(_scale_exactly("pinv", X, -shift), _scale_exactly("block", B, shift), shift)


def unit_shift(block: np.ndarray) -> int:
    """The power of two s with 2^s max|B_ij| in [1/2, 1) (ValueError for a zero block)."""
    top = float(np.abs(block).max())
    if top == 0.0:
        raise ValueError("block is zero: it has no pseudo-inverse")
    return -math.frexp(top)[1]


def pinv_certificate(block: np.ndarray) -> tuple[np.ndarray, PinvCertificate]:
    """``(X_unit, certificate)``: numpy's pseudo-inverse of the block scaled to unit size
    (exactly, by 2^s: ``X_unit`` = 2^-s X) and what it certifies for the unscaled block."""
    B = np.asarray(block, dtype=float)
    shift = unit_shift(B)
    Bs = _scale_exactly("block", B, shift)
    Xs = np.linalg.pinv(Bs)
    return Xs, _certify(Xs, Bs, shift)


def _certify(Xs: np.ndarray, Bs: np.ndarray, shift: int) -> PinvCertificate:
    rows, cols = Bs.shape
    with np.errstate(all="ignore"):
        E = np.eye(cols) - Xs @ Bs
        F = Xs - (Xs @ Xs.T) @ Bs.T
    if not (np.all(np.isfinite(E)) and np.all(np.isfinite(F))):
        raise ValueError("pinv is too large to certify against block (its residual overflows)")
    g = gamma(rows + cols + 4)
    with mpmath.workprec(PREC):
        nx, nxt = _norm_up(Xs, 1), _norm_up(Xs, 0)
        nb, nbt = _norm_up(Bs, 1), _norm_up(Bs, 0)
        e = (1 + g) * (_norm_up(E, 1) + g * nx * nb)
        f = mpmath.sqrt(rows) * (1 + g) * (_norm_up(F, 1) + g * nx + 3 * g * nx * nxt * nbt)
        if not e < 1:
            raise ValueError(f"pinv does not certify the pseudo-inverse of block: residual "
                             f"||I - pinv @ block||_inf = {mpmath.nstr(e, 6)} >= 1 (the block "
                             "is numerically rank-deficient)")
        p = (nx + f) / (1 - e)
        unscale = mpmath.ldexp(1, shift)  # ||X||, ||P|| scale as 2^shift, ||B|| as 2^-shift
        return PinvCertificate(x_norm=nx * unscale, p_norm=p * unscale,
                               distance=(e * p + f) * unscale, b_norm=nb / unscale, residual=e,
                               rows=rows, cols=cols)


def least_squares_delta(cert: PinvCertificate, eps: float, eta: float) -> mpmath.mpf:
    """The certified delta of least squares evaluated as z_hat = fl(X y), z in [0, 1]^k
    (formula in ``recmech.bounds.queries.certified_delta``)."""
    with mpmath.workprec(PREC):
        u = mp(UNIT_ROUNDOFF)
        noise = mp(eps) + mp(eta)
        T = cert.b_norm + noise                     # |t_j| <= ||B||_inf z_max + eps + eta
        r = (gamma(cert.cols) + 4 * u) * T          # t_j, y_j in float64: their own rounding
        Y = T + r                                   # ||y||_inf
        return (cert.p_norm * (noise + r) + cert.distance * Y
                + gamma(cert.rows) * cert.x_norm * Y)
