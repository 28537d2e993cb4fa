"""The input gate of recmech.core: one small set of checks every public entry validates through.

A number is a real, finite number of a stated range; an array has real, finite entries of a
stated shape. Everything else is refused by name before any work, as ValueError (a value of the
right kind outside its range: NaN, inf, an int beyond float64, a negative size) or TypeError (a
value of the wrong kind: bool, complex, str, None, an object). Python ints beyond float64
(``10**400``) raise ValueError here rather than OverflowError deep inside numpy; complex entries
are refused rather than silently losing their imaginary part; strings are refused rather than
parsed ("1.5" is not a price).

Arrays of another class or dtype are brought to plain float64 first, by one rule (``plain``): a
masked array is accepted only when no entry is masked (its data is then used: a mask is never
ignored silently, so fill or compress it first); an ndarray subclass (``np.matrix``) becomes a
plain ndarray, so shapes stay numpy's; integer, float16, float32 and longdouble entries become
float64 before any arithmetic; datetime and timedelta values (scalars, or arrays of them) are
refused by name (numpy counts np.timedelta64 as an integer).
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real
from typing import Any

import numpy as np

__all__ = ["PROB_TOL", "fits_in_memory", "flag", "indices", "plain", "probabilities", "real",
           "real_array", "seed", "whole"]

PROB_TOL = 1e-9

_REAL_KINDS = "fiu"  # float, signed and unsigned integer dtypes


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _time_kind(value: Any, name: str) -> None:
    """TypeError for a datetime or timedelta (numpy counts np.timedelta64 as an integer)."""
    if isinstance(value, (np.timedelta64, np.datetime64)) or (
            isinstance(value, np.ndarray) and value.dtype.kind in "mM"):
        what = "a timedelta" if np.dtype(getattr(value, "dtype", "m8")).kind == "m" else "a date"
        raise TypeError(f"{name} must be real (a number or an array of numbers), not {what}; "
                        f"found {_describe(value)}")


def plain(value: Any, name: str) -> Any:
    """``value`` with the array rule of the module docstring applied: a masked array without a
    masked entry as its data (ValueError naming ``name`` when an entry is masked), an ndarray
    subclass as a plain ndarray, a datetime or timedelta refused (TypeError); anything else
    unchanged."""
    _time_kind(value, name)
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


def real(value: Any, name: str, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float in the stated range ([low, high], ends open on request)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:  # a 0-d array is its one number
        value = plain(value, name)[()]
    _time_kind(value, name)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.integer,
                                                                      np.floating)):
        raise TypeError(f"{name} must be a real number; found {type(value).__name__} "
                        f"{_describe(value)}")
    try:
        out = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a finite real number; found an integer beyond float64 "
                         f"({_describe(value)})") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite real number; found {out}")
    if low is not None and (out < low or (low_open and out == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}; found {out}")
    if high is not None and (out > high or (high_open and out == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}; found {out}")
    return out


def whole(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int (a Python or numpy integer, not a bool or a float) in [low, high]."""
    _time_kind(value, name)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, np.integer)):
        raise TypeError(f"{name} must be an int; found {type(value).__name__} "
                        f"{_describe(value)}")
    out = int(value)
    if low is not None and out < low:
        raise ValueError(f"{name} must be >= {low}; found {out}")
    if high is not None and out > high:
        raise ValueError(f"{name} must be <= {high}; found {out}")
    return out


def flag(value: Any, name: str) -> bool:
    """A real bool (``"no"`` or 1 is not a yes/no answer)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; found {type(value).__name__} "
                        f"{_describe(value)}")
    return bool(value)


def _from_objects(raw: np.ndarray, name: str) -> np.ndarray:
    """An object array (mixed Python numbers, huge ints, ...) converted entry by entry."""
    out = np.empty(raw.shape, dtype=float)
    flat = out.reshape(-1)
    for i, item in enumerate(raw.reshape(-1)):
        _time_kind(item, name)
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, (Real, np.integer,
                                                                        np.floating)):
            raise TypeError(f"{name} must have real entries; found {type(item).__name__} "
                            f"{_describe(item)}")
        try:
            flat[i] = float(item)
        except OverflowError:
            raise ValueError(f"{name} must have finite entries; found an integer beyond float64 "
                             f"({_describe(item)})") from None
    return out


def real_array(value: Any, name: str, ndim: int | None = None, shape=None, *,
               low: float | None = None, high: float | None = None) -> np.ndarray:
    """``value`` as a float64 array of real, finite entries (of ``ndim`` dimensions and
    ``shape`` when given; entries in [low, high] when given; the array rule of ``plain``)."""
    value = plain(value, name)
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        arr = value
    else:
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError(f"{name} must be a real array; found {type(value).__name__} "
                            f"{_describe(value)}")
        try:
            raw = np.asarray(value)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{name} must be a rectangular real array; found "
                             f"{_describe(value)} ({exc})") from None
        kind = raw.dtype.kind
        if kind == "O":
            arr = _from_objects(raw, name)
        elif kind in _REAL_KINDS:
            arr = raw.astype(float)
        else:
            what = {"b": "bool", "c": "complex", "U": "str", "S": "bytes"}.get(kind, str(raw.dtype))
            raise TypeError(f"{name} must have real entries; found dtype {what}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional; found shape {arr.shape}")
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}; found {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries (no NaN/inf); found "
                         f"{int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))} non-finite")
    if arr.size and low is not None and float(arr.min()) < low:
        raise ValueError(f"{name} must be >= {low:g} in every entry; found {float(arr.min())}")
    if arr.size and high is not None and float(arr.max()) > high:
        raise ValueError(f"{name} must be <= {high:g} in every entry; found {float(arr.max())}")
    return arr


def probabilities(value: Any, name: str, size: int | None = None) -> np.ndarray:
    """A probability vector: entries in [0, 1] (checked before they are summed, so 1e308 is
    named rather than overflowing), summing to 1 within ``PROB_TOL``; returned renormalised."""
    arr = real_array(value, name, 1, None if size is None else (size,), low=0.0, high=1.0)
    total = float(arr.sum())
    if abs(total - 1.0) > PROB_TOL:
        raise ValueError(f"{name} must sum to 1 (tolerance {PROB_TOL}); found sum {total!r}")
    return arr / total


def indices(value: Any, name: str, size: int) -> np.ndarray:
    """A 1-d int64 array of item indices in [0, size) (integer dtype only: 0.5 is no index;
    the array rule of ``plain``)."""
    value = plain(value, name)
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be integer indices; found {type(value).__name__}")
    try:
        raw = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} must be a 1-d array of integer indices ({exc})") from None
    if raw.dtype.kind == "O" and raw.size:
        if not all(isinstance(v, (Integral, np.integer))
                   and not isinstance(v, (bool, np.bool_, np.timedelta64))
                   for v in raw.reshape(-1)):
            raise TypeError(f"{name} must be integer indices; found a non-integer entry")
        if any(int(v) < 0 or int(v) >= size for v in raw.reshape(-1)):
            raise ValueError(f"{name} must lie in [0, {size}); found an index outside")
        raw = raw.astype(np.int64)
    if raw.size and raw.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integer indices; found dtype {raw.dtype}")
    arr = raw.astype(np.int64).reshape(-1) if raw.ndim <= 1 else None
    if arr is None:
        raise ValueError(f"{name} must be 1-dimensional; found shape {raw.shape}")
    if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= size):
        raise ValueError(f"{name} must lie in [0, {size}); found [{arr.min()}, {arr.max()}]")
    return arr


def seed(value: Any, name: str = "rng") -> int:
    """definition: An int seed for numpy's generators: a whole number >= 0."""
    return whole(value, name, low=0, high=2**128 - 1)


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 2**40


def fits_in_memory(entries: int, name: str, what: str) -> None:
    """Refuse, by name, an array of ``entries`` float64 values larger than this machine's
    memory (numpy would fail deep inside, or the system would start to swap)."""
    need = 8 * whole(entries, "entries", low=0)
    have = _physical_memory()
    if need > have:
        size = f"{need >> 30:,} GiB" if need < 2**80 else f"about 2^{need.bit_length() - 1} bytes"
        raise ValueError(f"{name}: {what} needs {size}, more than this machine's "
                         f"{have >> 30:,} GiB of memory")
