"""The input gate of the calculators: one small set of helpers every calculator goes through.

A parameter that is not even well-formed raises before any work, naming the parameter and what
was found:
- ``TypeError`` when it is not of a kind the parameter takes: a string, bytes, a complex number,
  a bool where a number is meant (``True`` is not a tolerance), a number where a flag is meant
  (``isotropic="no"`` is not True), ``None``, an array of strings, objects or complex numbers
  (an imaginary part is never dropped silently);
- ``ValueError`` when it is of the right kind but no finite float64 can carry it: NaN, inf, a
  Python int or a fraction beyond +-1.8e308, a whole number that is not whole, an array of the
  wrong shape or an empty one.

definition: Whether a well-formed value satisfies a claim's hypotheses (eps > 0, ||INF|| < 1, ...)
is the
calculator's business and is recorded in the record, not raised (unless ``strict``).

Arrays of another class or dtype follow the array rule the core gate states too (``plain``; the
calculators do not import recmech.core): a masked array only with no entry masked, an ndarray
subclass (``np.matrix``) as a plain ndarray, every real dtype converted to float64 before any
arithmetic, datetime and timedelta values refused by name.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral, Real
from typing import Any

import mpmath
import numpy as np

__all__ = ["FLOAT_MAX", "array", "dims", "flag", "inf_norm", "integer", "mapping", "margins",
           "optional_integer", "optional_real", "plain", "real", "square", "text"]

FLOAT_MAX = float(np.finfo(float).max)  # 1.7976931348623157e308


def _kind(value: Any) -> str:
    return type(value).__name__


def plain(value: Any, name: str) -> Any:
    """``value`` with the array rule applied (module docstring): a masked array without a
    masked entry as its data (ValueError naming ``name`` otherwise), an ndarray subclass as a
    plain ndarray, a datetime or timedelta refused (TypeError); anything else unchanged."""
    if isinstance(value, (np.timedelta64, np.datetime64)) or (
            isinstance(value, np.ndarray) and value.dtype.kind in "mM"):
        what = "a timedelta" if np.dtype(getattr(value, "dtype", "m8")).kind == "m" else "a date"
        raise TypeError(f"{name} must be real (a number or an array of numbers), not {what}; "
                        f"found {value!r}"[:200])
    if isinstance(value, np.ma.MaskedArray):
        hidden = int(np.count_nonzero(np.ma.getmaskarray(value)))
        if hidden:
            raise ValueError(f"{name} is a masked array with {hidden} masked "
                             f"entr{'y' if hidden == 1 else 'ies'}; a mask is never ignored: "
                             "fill or compress it first")
        value = np.ma.getdata(value)
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        value = value.view(np.ndarray)
    return value


def real(name: str, value: Any) -> float:
    """A real number that a finite float64 carries.

    Accepted: Python and numpy ints and floats, ``Fraction``, mpmath ``mpf``, 0-d real numpy
    arrays. TypeError for bool, str, bytes, complex, None and anything else; ValueError for NaN,
    +-inf and for ints or fractions beyond +-1.8e308 (``float`` would raise OverflowError).
    """
    if isinstance(value, np.ndarray):  # a masked entry or a timedelta is refused by name
        value = plain(value, name)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iufmM":
        value = value[()]
    if isinstance(value, (np.timedelta64, np.datetime64)):
        plain(value, name)  # refused by name: numpy counts a timedelta as an integer
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, not a bool; found {value!r}")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number, not text; found {value!r}")
    if isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise ValueError(f"{name} must be a finite real number; found {value}")
        if abs(value) > FLOAT_MAX:
            raise ValueError(f"{name} must be at most {FLOAT_MAX:.6g} in absolute value (a "
                             f"float64); found {mpmath.nstr(value, 8)}")
        return float(value)
    if not isinstance(value, (Real, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; found {_kind(value)} {value!r}")
    if isinstance(value, (Integral, np.integer, Fraction)):
        if abs(value) > FLOAT_MAX:
            raise ValueError(f"{name} must be at most {FLOAT_MAX:.6g} in absolute value (a "
                             f"float64); found a number of {len(str(int(abs(value))))} digits")
    out = float(value)
    if math.isnan(out):
        raise ValueError(f"{name} must be a finite real number; found NaN")
    if math.isinf(out):
        raise ValueError(f"{name} must be a finite real number; found {out}")
    return out


def optional_real(name: str, value: Any) -> float | None:
    """``None`` (the calculator's default applies), or ``real(name, value)``."""
    return None if value is None else real(name, value)


def integer(name: str, value: Any, *, minimum: int = 0) -> int:
    """definition: A whole number >= ``minimum`` (an integral float such as 1e6 is accepted), at
    most 1.8e308 in absolute value."""
    x = real(name, value)
    if x != math.floor(x):
        raise ValueError(f"{name} must be a whole number; found {value!r}")
    out = int(value) if isinstance(value, (Integral, np.integer)) else int(x)
    if out < minimum:
        raise ValueError(f"{name} must be >= {minimum} (a dimension or count); found {value!r}")
    return out


def optional_integer(name: str, value: Any, *, minimum: int = 0) -> int | None:
    """``None`` (the calculator's default applies), or ``integer(name, value)``."""
    return None if value is None else integer(name, value, minimum=minimum)


def text(name: str, value: Any) -> str:
    """A name or a claim id: a str (TypeError naming ``name`` for anything else)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be text; found {_kind(value)} {value!r}"[:200])
    return value


def mapping(name: str, value: Any) -> dict:
    """Keyword parameters: a dict with text keys (TypeError naming ``name`` otherwise)."""
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise TypeError(f"{name} must be a dict of parameter names; found {_kind(value)}"[:200])
    return value


def flag(name: str, value: Any) -> bool:
    """A yes/no switch: ``True`` or ``False`` only (``"no"``, 0 or None are not flags)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False; found {_kind(value)} {value!r}")


def _as_float_array(name: str, value: Any) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, not text; found {value!r}")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a numeric array, not a bool; found {value!r}")
    value = plain(value, name)
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} must be a numeric array; found {_kind(value)} "
                         f"({str(exc).splitlines()[0]})") from None
    kind = raw.dtype.kind
    if kind in "iuf":
        return raw.astype(float, copy=False)
    if kind == "c":
        raise TypeError(f"{name} must be a real array; found complex dtype {raw.dtype} (its "
                        "imaginary part would be lost)")
    if kind == "b":
        raise TypeError(f"{name} must be a numeric array, not booleans; found dtype {raw.dtype}")
    if kind == "O":
        # e.g. Python ints beyond float64, Fractions, mpf: each entry through the scalar gate
        flat = [real(f"{name}[{i}]", v) for i, v in enumerate(raw.reshape(-1).tolist())]
        return np.array(flat, dtype=float).reshape(raw.shape)
    raise TypeError(f"{name} must be a numeric array; found dtype {raw.dtype} "
                    f"({_kind(value)})")


def array(name: str, value: Any, *, ndim: int, shape: tuple[int | None, ...] | None = None
          ) -> np.ndarray:
    """A finite, non-empty float array with ``ndim`` dimensions (and ``shape``, where a ``None``
    entry takes any length)."""
    arr = _as_float_array(name, value)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-dimensional array; found shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must be non-empty; found shape {arr.shape}")
    if shape is not None and any(s is not None and s != a for s, a in zip(shape, arr.shape,
                                                                          strict=True)):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}; found {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries; found NaN or inf")
    return arr


def dims(name: str, value: Any) -> int:
    """The number of dimensions of an array-like ``value`` (for parameters that take a scalar or
    an array, or a vector or a matrix); a ragged list is a ValueError naming it."""
    value = plain(value, name)
    try:
        return int(np.ndim(value))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array; found {_kind(value)} "
                         f"({str(exc).splitlines()[0]})") from None


def square(name: str, value: Any) -> np.ndarray:
    """A finite square matrix."""
    arr = array(name, value, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be square; found shape {arr.shape}")
    return arr


def inf_norm(matrix: np.ndarray) -> float:
    """||M||_inf: the largest absolute row sum (inf when it exceeds float64; callers that need a
    finite norm say so by name). Summed after scaling by the largest entry, so a row of huge
    entries whose sum is representable does not overflow on the way."""
    absm = np.abs(array("matrix", matrix, ndim=2))
    top = float(absm.max())
    if top == 0.0 or not math.isfinite(top):
        return top
    with np.errstate(over="ignore"):
        return float((absm / top).sum(axis=1).max() * top)


def margins(matrix: np.ndarray) -> tuple[float, float]:
    """Row and column diagonal-dominance margins (alpha, beta) of Thm. 2, first bullet:
    alpha = min_i(|U_ii| - sum_{j!=i}|U_ij|), beta = min_j(|U_jj| - sum_{i!=j}|U_ij|).

    Each margin is one correctly rounded sum (``math.fsum`` of |U_ii| and the negated
    off-diagonal entries) of its row (column) scaled by a power of two, so a tight margin is
    not lost to cancellation (relative error 2^-53, plus n 2^-1074 of the line's largest entry
    where scaling drops subnormal bits), entries near 1.8e308 do not overflow (never
    2|U_ii| - row sum, which reported a margin of inf) and a line of subnormal entries keeps its
    margin; a negative margin beyond float64 is -inf."""
    absu = np.abs(square("matrix", matrix))
    n = absu.shape[0]

    def margin(lines: np.ndarray) -> float:
        out = math.inf
        for i in range(n):
            top = float(lines[i].max())
            if top == 0.0:
                return 0.0
            shift = -math.frexp(top)[1]  # the line's largest entry in [1/2, 1): sums below n
            unit = np.ldexp(lines[i], shift)
            m = math.fsum(np.concatenate(([unit[i]], -np.delete(unit, i))))
            try:
                out = min(out, math.ldexp(m, -shift))
            except OverflowError:  # only a negative margin can exceed the largest entry
                return -math.inf
        return out

    return margin(absu), margin(absu.T)
