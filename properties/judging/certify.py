"""Computer-assisted proofs of scalar inequalities on intervals (mpmath interval arithmetic).

definition: ``certify_inequality(f_lhs, f_rhs, lo, hi)`` proves f_lhs(x) <= f_rhs(x) for every x in
[lo, hi]:
the interval is bisected until, on every piece X, the interval evaluation (``mpmath.iv``, outward
rounded) gives sup f_lhs(X) <= inf f_rhs(X). A piece where both sides are equal at a point (an
equality point, e.g. x = 0 in Cai-Daskalakis EC'22, Prop. 3) can never be closed this way: the
caller proves such pieces by an equivalent form (``certify_nonnegative`` on a factored difference)
or an exact polynomial identity (``polynomial_identity``), and says so in the certificate's notes.
definition: A piece where sup f_rhs(X) < inf f_lhs(X) is a disproof: the certificate carries it as a
counterexample.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
from mpmath import iv

__all__ = ["Certificate", "certify_inequality", "certify_nonnegative", "combine", "poly_add",
           "poly_mul", "polynomial_identity"]

IntervalFn = Callable[[object], object]


@dataclass(frozen=True)
class Certificate:
    """definition: The outcome of an interval certification of g >= 0 (or lhs <= rhs) on [lo,
    hi]."""

    statement: str
    lo: str
    hi: str
    proven: bool
    pieces: int
    min_margin: float | None  # a rigorous lower bound of rhs - lhs over the proven pieces
    counterexample: dict | None = None
    unresolved: tuple[tuple[str, str], ...] = ()
    notes: str = ""
    parts: tuple[Certificate, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "statement": self.statement, "lo": self.lo, "hi": self.hi, "proven": self.proven,
            "pieces": self.pieces, "min_margin": self.min_margin,
            "counterexample": self.counterexample, "unresolved": [list(u) for u in self.unresolved],
            "notes": self.notes, "parts": [p.to_dict() for p in self.parts],
        }


def _mid(x) -> mpmath.mpf:
    return (mpmath.mpf(x.a) + mpmath.mpf(x.b)) / 2


def certify_nonnegative(g: IntervalFn, lo, hi, *, statement: str = "g(x) >= 0",
                        max_depth: int = 40, max_pieces: int = 20000,
                        dps: int = 30) -> Certificate:
    """definition: Prove g(x) >= 0 on [lo, hi] by bisection with interval evaluation of ``g``.

    ``g`` takes an ``mpmath.iv`` interval and returns one. ``lo``/``hi`` may be strings
    ("1/4"), Fractions or numbers; strings are parsed exactly as intervals.
    """
    saved = iv.dps
    iv.dps = dps
    try:
        lo_iv, hi_iv = iv.mpf(_as_str(lo)), iv.mpf(_as_str(hi))
        if lo_iv.a > hi_iv.b:
            raise ValueError(f"lo must be <= hi; found lo={lo}, hi={hi}")
        stack = [(iv.mpf([lo_iv.a, hi_iv.b]), 0)]
        proven_pieces, margin = 0, None
        unresolved: list[tuple[str, str]] = []
        while stack:
            x, depth = stack.pop()
            y = g(x)
            if y.a >= 0:
                proven_pieces += 1
                margin = float(y.a) if margin is None else min(margin, float(y.a))
                continue
            if y.b < 0:
                # g is negative on the whole piece: a disproof; report its midpoint
                xm = iv.mpf(_mid(x))
                gm = g(xm)
                witness = {"x": str(_mid(x)), "g_upper": str(mpmath.mpf(gm.b))}
                return Certificate(statement, str(lo), str(hi), False, proven_pieces, margin,
                                   counterexample=witness)
            if depth >= max_depth or proven_pieces + len(stack) > max_pieces:
                unresolved.append((str(x.a), str(x.b)))
                continue
            m = _mid(x)
            stack.append((iv.mpf([x.a, m]), depth + 1))
            stack.append((iv.mpf([m, x.b]), depth + 1))
    finally:
        iv.dps = saved
    return Certificate(statement, str(lo), str(hi), not unresolved, proven_pieces, margin,
                       unresolved=tuple(unresolved[:10]))


def certify_inequality(f_lhs: IntervalFn, f_rhs: IntervalFn, lo, hi, *,
                       statement: str = "lhs(x) <= rhs(x)", **kwargs) -> Certificate:
    """definition: Prove f_lhs(x) <= f_rhs(x) for all x in [lo, hi] (interval bisection; see module
    doc)."""
    return certify_nonnegative(lambda x: f_rhs(x) - f_lhs(x), lo, hi, statement=statement,
                               **kwargs)


def combine(statement: str, parts: Sequence[Certificate], lo, hi, notes: str = "") -> Certificate:
    """One certificate for [lo, hi] made of ``parts`` that cover it (each proven or analytic)."""
    proven = all(p.proven for p in parts)
    margins = [p.min_margin for p in parts if p.min_margin is not None]
    cex = next((p.counterexample for p in parts if p.counterexample), None)
    return Certificate(statement, str(lo), str(hi), proven, sum(p.pieces for p in parts),
                       min(margins) if margins else None, counterexample=cex, notes=notes,
                       parts=tuple(parts))


def polynomial_identity(lhs: Sequence[int | Fraction], rhs: Sequence[int | Fraction],
                        statement: str) -> Certificate:
    """Exact check that two polynomials (coefficient lists, constant term first) are equal."""
    a = [Fraction(c) for c in lhs]
    b = [Fraction(c) for c in rhs]
    size = max(len(a), len(b))
    a += [Fraction(0)] * (size - len(a))
    b += [Fraction(0)] * (size - len(b))
    ok = a == b
    diff = None if ok else {"lhs": [str(c) for c in a], "rhs": [str(c) for c in b]}
    return Certificate(statement, "-inf", "inf", ok, 1, None, counterexample=diff,
                       notes="exact rational polynomial arithmetic")


def poly_mul(p: Sequence[int | Fraction], q: Sequence[int | Fraction]) -> list[Fraction]:
    """Product of two coefficient lists (constant term first), exactly."""
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += Fraction(a) * Fraction(b)
    return out


def poly_add(p: Sequence[int | Fraction], q: Sequence[int | Fraction]) -> list[Fraction]:
    """Sum of two coefficient lists (constant term first), exactly."""
    size = max(len(p), len(q))
    return [(Fraction(p[i]) if i < len(p) else Fraction(0))
            + (Fraction(q[i]) if i < len(q) else Fraction(0)) for i in range(size)]


def _as_str(v) -> str:
    if isinstance(v, Fraction):
        return f"{v.numerator}/{v.denominator}" if v.denominator != 1 else str(v.numerator)
    return str(v)
