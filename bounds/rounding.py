"""A-posteriori rounding bounds for a computed pseudo-inverse and for least squares run in float64.

For a block B (l x k, full column rank) the exact pseudo-inverse P = (B^T B)^{-1} B^T satisfies
P B = I. A computed X (any k x l float matrix, e.g. ``numpy.linalg.pinv(B)``) is certified from
two residuals, each evaluated in float64 with its rounding bounded (Higham, Accuracy and
Stability, Sec. 3.5: |fl(XY) - XY| <= gamma_n |X||Y| for inner dimension n,
gamma_n = n u / (1 - n u), u = 2^-53) (claim: project.certified_protocol):

    E = I - X B  (k x k),   F = X - (X X^T) B^T  (k x l),   e >= ||E||_inf,  f >= sqrt(l) ||F||_inf
    (claim: project.certified_protocol).

With Pi = B P the orthogonal projector onto range(B): P - X = E P - X (I - Pi) exactly (as
P B = I; for a square B, Pi = I and f = 0), and each row x of X has
||x (I - Pi)||_1 <= sqrt(l) ||x (I - Pi)||_2 <= sqrt(l) ||x - x X^T B^T||_2 (x X^T B^T lies
in range(B); for X = P, F = 0) (claim: project.certified_protocol). Hence, when e < 1 (claim:
project.certified_protocol),

    ||P||_inf <= p = (||X||_inf + f) / (1 - e),      ||X - P||_inf <= e p + f (claim:
    project.certified_protocol).

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

from recmech.bounds.inputs import array, dims, integer, real
from recmech.bounds.logspace import PREC, mp, to_float

__all__ = ["UNIT_ROUNDOFF", "PinvCertificate", "certify_pinv", "certify_scaled", "gamma",
           "least_squares_delta", "pinv_certificate", "round_up", "unit_shift"]

UNIT_ROUNDOFF = 2.0**-53


def gamma(n: int) -> mpmath.mpf:
    """gamma_n = n u / (1 - n u): the relative rounding of a float64 inner product of length n."""
    n = integer("n", n)
    if n * UNIT_ROUNDOFF >= 1:
        raise ValueError(f"n must be below 2^53 (n u < 1); found {n}")
    with mpmath.workprec(PREC):
        nu = n * mp(UNIT_ROUNDOFF)
        return nu / (1 - nu)


def round_up(name: str, x: mpmath.mpf, why: str = "") -> float:
    """definition: The least float64 >= x (ValueError naming ``name`` when x is beyond float64)."""
    out = to_float(name, x, why)
    return out if mp(out) >= x else math.nextafter(out, math.inf)


def _scaled(M: np.ndarray, exponent: int) -> np.ndarray | None:
    """M 2^exponent if that is exact and finite (no entry lost to underflow or overflow)."""
    with np.errstate(all="ignore"):
        scaled = np.ldexp(M, exponent)
        if np.all(np.isfinite(scaled)) and np.array_equal(np.ldexp(scaled, -exponent), M):
            return scaled
    return None


def _norm_up(M: np.ndarray, axis: int) -> mpmath.mpf:
    """An upper bound on max of the absolute sums along ``axis`` (each sum correctly rounded by
    math.fsum, so within half an ulp: one more ulp up covers it)."""
    absm = np.abs(M)
    try:
        sums = [math.fsum(v) for v in (absm if axis == 1 else absm.T)]
    except OverflowError:  # a sum beyond float64: exactly, in mpmath
        return max(mpmath.fsum(mp(x) for x in v) for v in (absm if axis == 1 else absm.T))
    return mp(math.nextafter(max(sums), math.inf))


@dataclass(frozen=True, kw_only=True)
class PinvCertificate:
    """What a computed pseudo-inverse X of a block B certifies (module docstring), in exact
    (mpf) numbers of the unscaled block: ``x_norm`` >= ||X||_inf, ``p_norm`` >= ||P||_inf,
    ``distance`` >= ||X - P||_inf, ``b_norm`` >= ||B||_inf, ``residual`` e >= ||I - XB||_inf;
    ``rows`` = l and ``cols`` = k of B; ``shift``: the block was certified as 2^shift B (claim:
    project.certified_protocol)."""

    x_norm: mpmath.mpf
    p_norm: mpmath.mpf
    distance: mpmath.mpf
    b_norm: mpmath.mpf
    residual: mpmath.mpf
    rows: int
    cols: int
    shift: int = 0


def certify_pinv(pinv: np.ndarray, block: np.ndarray, name: str = "block") -> PinvCertificate:
    """Certify the float matrix ``pinv`` (k x l) as the pseudo-inverse of ``block`` (l x k).

    ValueError naming ``name`` when the residual e = ||I - XB||_inf is not below 1 (X is no
    approximate left inverse: the block is numerically rank-deficient, or X is not its
    pseudo-inverse), or when no power-of-two scale keeps the residuals within float64."""
    B, X = array(name, block, ndim=2), array("pinv", pinv, ndim=2)
    if X.shape != (B.shape[1], B.shape[0]):
        raise ValueError(f"pinv must have shape ({B.shape[1]}, {B.shape[0]}) for {name} of "
                         f"shape {B.shape}; found {X.shape}")
    return _first_scale(B, lambda shift, Bs: _scaled(X, -shift), name)


def unit_shift(block: np.ndarray) -> int:
    """The power of two s with 2^s max|B_ij| in [1/2, 1) (ValueError for a zero block)."""
    block = array("block", block, ndim=max(1, dims("block", block)))
    top = float(np.abs(block).max())
    if top == 0.0:
        raise ValueError("block is zero: it has no pseudo-inverse")
    return -math.frexp(top)[1]


def pinv_certificate(block: np.ndarray, name: str = "block", *,
                     invert: bool = False) -> tuple[np.ndarray, PinvCertificate]:
    """``(X, certificate)``: numpy's pseudo-inverse (``invert``: inverse) of the block, computed
    at the first power-of-two scale 2^s that keeps it finite (the block scaled to unit size,
    else as given); ``X`` is the pseudo-inverse of 2^s B (= 2^-s times B's) and the
    certificate is for the unscaled block. ValueError naming ``name`` when no scale works."""
    B = array(name, block, ndim=2)
    found: dict = {}

    def compute(shift: int, Bs: np.ndarray) -> np.ndarray | None:
        try:
            with np.errstate(all="ignore"):
                Xs = np.linalg.inv(Bs) if invert else np.linalg.pinv(Bs)
        except np.linalg.LinAlgError:
            return None
        found[shift] = Xs
        return Xs if np.all(np.isfinite(Xs)) else None

    cert = _first_scale(B, compute, name)
    return found[cert.shift], cert


def _first_scale(B: np.ndarray, pinv_at, name: str) -> PinvCertificate:
    """The certificate at the first shift (unit size, then none) where the block scales
    exactly, ``pinv_at(shift, Bs)`` gives a finite matrix and the residuals stay finite."""
    last = f"{name} has no power-of-two scale at which its pseudo-inverse and residuals fit in " \
        "float64 (its entries span too wide a range)"
    for shift in dict.fromkeys((unit_shift(B), 0)):
        Bs = _scaled(B, shift)
        if Bs is None:
            continue
        Xs = pinv_at(shift, Bs)
        if Xs is None:
            continue
        cert = _certify(Xs, Bs, shift, name)
        if isinstance(cert, PinvCertificate):
            return cert
        last = cert
    raise ValueError(last)


_TINY = 2.0**-1074  # float64's smallest subnormal: the absolute error an underflow may add


def certify_scaled(Xs: np.ndarray, Bs: np.ndarray, shift: int, name: str) -> PinvCertificate:
    """The certificate of ``Xs`` as the pseudo-inverse of ``Bs`` = 2^shift B, for B (ValueError
    naming ``name`` when it cannot be given): e.g. the transpose of a certified inverse."""
    Xs, Bs = array("Xs", Xs, ndim=2), array("Bs", Bs, ndim=2)
    shift = integer("shift", shift, minimum=-(2**20))
    if Xs.shape != Bs.shape[::-1]:
        raise ValueError(f"Xs must have shape {Bs.shape[::-1]} for Bs of shape {Bs.shape}; "
                         f"found {Xs.shape}")
    cert = _certify(Xs, Bs, shift, name)
    if isinstance(cert, str):
        raise ValueError(cert)
    return cert


def _certify(Xs: np.ndarray, Bs: np.ndarray, shift: int, name: str) -> PinvCertificate | str:
    """The certificate of Xs for Bs = 2^shift B, or the reason it cannot be given."""
    rows, cols = Bs.shape
    top = float(np.abs(Xs).max())
    m = math.frexp(top)[1] if top > 0 else 0
    # |entries| < 1: X X^T cannot overflow (claim: project.certified_protocol)
    Xh = np.ldexp(Xs, -m)
    absx, absxh = np.abs(Xs), np.abs(Xh)
    square = rows == cols  # then Pi = I: X (I - Pi) = 0 and F needs no computing (f = 0)
    with np.errstate(all="ignore"):
        E = np.eye(cols) - Xs @ Bs
        XB = absx @ np.abs(Bs)                             # |X||B|
        F = np.zeros((1, 1)) if square else Xs - np.ldexp((Xh @ Xh.T) @ Bs.T, 2 * m)
        XXB = np.zeros((1, 1)) if square else (absxh @ absxh.T) @ np.abs(Bs).T  # / 2^2m
    if not all(np.all(np.isfinite(M)) for M in (E, F, XB, XXB)):
        return f"the residuals of {name}'s pseudo-inverse overflow float64"
    g = gamma(rows + cols + 4)
    with mpmath.workprec(PREC):
        tiny = mp(_TINY)
        nx = _norm_up(Xs, 1)
        nb = _norm_up(Bs, 1)
        # rounding: gamma_n |X||Y| entrywise per product (Higham Sec. 3.5; the norms of the
        # entrywise products are themselves summed with (1 + g) to spare) plus, for underflow,
        # an absolute 2^-1074 per operation (2 n per entry of an inner product of length n)
        e = (1 + g) * (_norm_up(E, 1) + g * (1 + g) * _norm_up(XB, 1)
                       + 2 * (rows + 1) * cols * tiny)
        nbt = _norm_up(Bs, 0)
        under_f = (2 * (rows + 1) * cols * nbt + 2 * (cols + 1) * rows) * tiny
        f = mpmath.mpf(0) if square else mpmath.sqrt(rows) * (1 + g) * (
            _norm_up(F, 1) + g * nx
            + (3 * g * (1 + g) ** 2 * _norm_up(XXB, 1) + under_f) * mpmath.ldexp(1, 2 * m))
        if not e < 1:
            return (f"{name} is numerically rank-deficient: its computed pseudo-inverse does "
                    f"not certify (residual ||I - X B||_inf = {mpmath.nstr(e, 6)} >= 1)")
        p = (nx + f) / (1 - e)
        unscale = mpmath.ldexp(1, shift)  # ||X||, ||P|| scale as 2^shift, ||B|| as 2^-shift
        return PinvCertificate(x_norm=nx * unscale, p_norm=p * unscale,
                               distance=(e * p + f) * unscale, b_norm=nb / unscale, residual=e,
                               rows=rows, cols=cols, shift=shift)


def least_squares_delta(cert: PinvCertificate, eps: float, eta: float) -> mpmath.mpf:
    """The certified delta of least squares evaluated as z_hat = fl(X y), z in [0, 1]^k
    (formula in ``recmech.bounds.queries.certified_delta``)."""
    if not isinstance(cert, PinvCertificate):
        raise TypeError(f"cert must be a PinvCertificate; found {type(cert).__name__}")
    eps, eta = real("eps", eps), real("eta", eta)
    with mpmath.workprec(PREC):
        u = mp(UNIT_ROUNDOFF)
        noise = mp(eps) + mp(eta)
        # |t_j| <= ||B||_inf z_max + eps + eta (claim: project.certified_protocol)
        T = cert.b_norm + noise
        r = (gamma(cert.cols) + 4 * u) * T          # t_j, y_j in float64: their own rounding
        Y = T + r                                   # ||y||_inf
        return (cert.p_norm * (noise + r) + cert.distance * Y
                + gamma(cert.rows) * cert.x_norm * Y)
