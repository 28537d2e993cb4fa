"""Hypotheses decided exactly at their edges: the one comparison helper of the calculators.

A float64 comparison of computed quantities (the trace ratio of Thm. 2, sqrt |S|, log 2 - 4k,
each rounded) can answer "holds" exactly where a strict hypothesis excludes the case, because
the rounding of the computed side crosses the edge (checked: theorem2.gaussian,
theorem2.weak_dependence, remark4). Here every float input is taken as the rational number it
is (``exact``), sums are formed without rounding (``exact_sum``: integers under one power of
two), square roots are compared by squaring (``exceeds_sqrt``), and a comparison with an
irrational side (log 2) is decided in mpmath interval arithmetic at a precision raised until the
interval excludes the edge (``sign``). A case on the edge gets the statement's answer: a strict
inequality fails on it, a non-strict one holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from numbers import Integral
from typing import Any

import mpmath
import numpy as np

from recmech.bounds.inputs import array, dims, integer, plain, real, square

__all__ = ["compare", "exact", "exact_margins", "exact_sum", "exceeds_sqrt", "inf_norm_at_most",
           "inf_norm_up", "margins_positive", "sign"]

_MAX_PREC = 1 << 16  # bits: an interval still straddling 0 here is an exact 0 (see ``sign``)


def exact(x: Any) -> Fraction:
    """``x`` (a float, int, numpy number, Fraction or finite mpf) as the rational it is."""
    if isinstance(x, (np.timedelta64, np.datetime64)):
        plain(x, "x")  # refused by name: numpy counts a timedelta as an integer
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (Integral, np.integer, Fraction,
                                                              mpmath.mpf, float, np.floating)):
        real("x", x)  # TypeError naming x: a bool, text, an array or another object
    if isinstance(x, (float, np.floating, mpmath.mpf)) and not mpmath.isfinite(x):
        raise ValueError(f"x must be a finite number; found {x}")
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (Integral, np.integer)):
        return Fraction(int(x))
    if isinstance(x, mpmath.mpf):
        man, exp = mpmath.mpf(x).man_exp
        return Fraction(man) * Fraction(2) ** exp
    return Fraction(float(x))


def exact_sum(values: Any) -> Fraction:
    """The exact sum of a finite float array: each entry m 2^e (m a 53-bit integer) shifted onto
    the least exponent and added as Python integers (no rounding, no overflow at 1e308 x 10^6)."""
    ndim = dims("values", values)  # a ragged list is named here
    if not isinstance(values, (str, bytes)) and np.size(plain(values, "values")) == 0:
        return Fraction(0)
    arr = array("values", values, ndim=ndim).reshape(-1)
    mant, expo = np.frexp(arr)
    ints = (mant * 2.0**53).astype(np.int64)  # exact: |mant| in [1/2, 1) has 53 bits
    expo = expo.astype(np.int64) - 53
    low = int(expo.min())
    total = 0
    for m, e in zip(ints.tolist(), (expo - low).tolist(), strict=True):
        total += m << e
    return Fraction(total) * Fraction(2) ** low


def exact_margins(matrix: np.ndarray) -> tuple[Fraction, Fraction]:
    """The diagonal-dominance margins (alpha, beta) of Thm. 2's first bullet, exactly:
    alpha = min_i(|U_ii| - sum_{j!=i}|U_ij|), beta the same over columns."""
    absu = np.abs(square("matrix", matrix))

    def margin(lines: np.ndarray) -> Fraction:
        return min(2 * exact(lines[i, i]) - exact_sum(lines[i]) for i in range(lines.shape[0]))

    return margin(absu), margin(absu.T)


def margins_positive(matrix: Any, alpha: float, beta: float) -> tuple[bool, bool]:
    """(alpha > 0, beta > 0) for the float margins of ``recmech.bounds.inputs.margins``, decided
    exactly: those are correctly rounded sums of lines scaled by powers of two, so their signs
    are the exact ones unless they lie within n 2^-1073 max|U_ij| of 0 (the subnormal bits a
    downward scaling drops); only there are the exact margins formed (O(n^2) Python work) (claim:
    lemma3, theorem2.deterministic)."""
    absu = np.abs(square("matrix", matrix))
    for label, value in (("alpha", alpha), ("beta", beta)):  # -inf: a margin beyond float64
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (float, int, np.floating,
                                                                        np.integer)):
            raise TypeError(f"{label} must be a float margin; found {type(value).__name__}")
        if math.isnan(value):
            raise ValueError(f"{label} must be a margin, not NaN")
    slack = math.ldexp(4.0 * absu.shape[0] * float(absu.max()), -1074)
    if min(abs(alpha), abs(beta)) > slack:
        return alpha > 0, beta > 0
    alpha_x, beta_x = exact_margins(absu)
    return alpha_x > 0, beta_x > 0


def inf_norm_at_most(matrix: Any, bound: float, computed: float) -> bool:
    """||M||_inf <= bound, decided exactly; ``computed`` is ``recmech.bounds.inputs.inf_norm``
    of M (row sums of scaled entries: within n 2^-50 relatively, plus the dropped subnormal
    bits), so the exact row sums are formed only when ``bound`` lies that close to it (claim:
    theorem2.deterministic)."""
    absm = np.abs(array("matrix", matrix, ndim=2))
    bound, n = real("bound", bound), absm.shape[1]
    tiny = math.ldexp(4.0 * n * float(absm.max()), -1074)
    with np.errstate(over="ignore"):
        hi = computed * (1 + n * 2.0**-50) + tiny
        lo = computed * (1 - n * 2.0**-50) - tiny
    if bound >= hi:
        return True
    if bound < lo:
        return False
    return exact(bound) >= max(exact_sum(row) for row in absm)


def inf_norm_up(matrix: Any) -> float:
    """definition: The least float64 >= ||M||_inf (the exact largest absolute row sum): what a
    caller passes
    as ||A||_inf to a hypothesis ||A||_inf >= ||C||_inf (a float row sum may lie an ulp below);
    ValueError when it exceeds float64."""
    absm = np.abs(array("matrix", matrix, ndim=2))
    norm = max((exact_sum(row) for row in absm.reshape(absm.shape[0], -1)), default=Fraction(0))
    if norm > Fraction(float(np.finfo(float).max)):
        raise ValueError("matrix: its inf-norm exceeds float64")
    out = float(norm)
    return out if Fraction(out) >= norm else float(np.nextafter(out, np.inf))


def exceeds_sqrt(lhs: Fraction, factor: Fraction, n: int) -> bool:
    """definition: lhs > factor sqrt(n) (factor >= 0, n >= 0), exactly: both sides squared when lhs
    > 0."""
    lhs, factor, n = exact(lhs), exact(factor), integer("n", n)
    if factor < 0:
        raise ValueError(f"factor must be >= 0; found {factor}")
    if lhs <= 0:
        return False
    return lhs * lhs > factor * factor * n


_OPS: dict[str, Callable[[int], bool]] = {
    "<": lambda s: s < 0, "<=": lambda s: s <= 0, ">": lambda s: s > 0, ">=": lambda s: s >= 0,
    "==": lambda s: s == 0}


def compare(lhs: Any, op: str, rhs: Any) -> bool:
    """definition: ``lhs op rhs`` decided on the exact rationals of both sides (``op`` one of <,
    <=, >, >=,
    ==): the one comparison a hypothesis between computed numbers goes through."""
    if not isinstance(op, str) or op not in _OPS:
        raise ValueError(f"op must be one of {sorted(_OPS)}; found {op!r}")
    diff = exact(lhs) - exact(rhs)
    return _OPS[op]((diff > 0) - (diff < 0))


def sign(expression: Callable[[], Any], *, start: int = 128) -> int:
    """The sign (-1, 0, 1) of a real number given as an mpmath expression of exact inputs
    (``expression`` is evaluated inside ``mpmath.iv`` at ``iv.prec`` bits: it must build its
    value from ``mpmath.iv`` numbers, so each result is an interval that contains it). The
    precision doubles until the interval excludes 0; one still containing 0 at 2^16 bits is
    taken as 0, which only an expression exactly 0 reaches (an expression of floats, whole
    numbers and log 2 is 0 only where it is built to be)."""
    if not callable(expression):
        raise TypeError(f"expression must be a callable returning an mpmath interval; found "
                        f"{type(expression).__name__}")
    prec = integer("start", start, minimum=2)
    if prec > _MAX_PREC:
        raise ValueError(f"start must be at most {_MAX_PREC} bits; found {prec}")
    while True:
        saved, mpmath.iv.prec = mpmath.iv.prec, prec
        try:
            value = expression()
        finally:
            mpmath.iv.prec = saved
        if value.a > 0:
            return 1
        if value.b < 0:
            return -1
        if prec >= _MAX_PREC:
            return 0
        prec *= 2

