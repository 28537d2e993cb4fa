"""Calling an outside part: a time limit per call, and the answer checked before anyone uses it.

The guard (``recmech.properties.guard.run``) calls another implementation's parts (the contract,
``recmech.properties.subject.contract``) with inputs of its own choosing. Whatever the part does,
the run
must end in a verdict that names the part: a part that raises, returns the wrong type or shape,
NaN or inf, or does not return within the time limit fails with a ``PartError`` carrying the
part's name, the problem and a summary of the input (``PartValueError``, also a ValueError, when
the part refused the input with a ValueError); it never crashes the run and never passes.

What is checked, per part (``validate``):

- ``least_squares(B, Y)``: a real array of shape (k,) for a vector y, (k, r) for a matrix Y,
  finite; the guard keeps a fresh float64 copy, never the part's own array (which may be a view
  into a large buffer, as ``scipy.linalg.lstsq`` returns);
- ``value_queries(...)``: one finite real value per item;
- definition: ``spectral_norm(M)``: one finite real number >= 0;
- ``influence_matrix(law)``: a finite (d, d) real array;
- ``compute(claim_id, **params)`` / ``bounds[claim_id](**params)``: a record with ``values`` and
  ``log_values`` mappings of real numbers (no NaN) and a boolean ``valid``;
- ``query_protocol(...)`` / ``adaptive_protocol(...)``: an object whose ``run(oracle)`` is
  callable; each run is itself called under the limit and must give a finite z_hat of shape (k,);
- ``robustify(...)`` / ``latent_mechanism(...)``: an object whose ``outcome(bids)`` is callable;
  each outcome (and ``outcome_at``) is called under the limit (its type is checked by
  ``recmech.properties.subject.outside.OutsideMechanism``).

The time limit (``CALL_TIME_LIMIT`` = 60 s per call unless the caller gives another). On the main
thread of a platform with ``SIGALRM`` (Linux, macOS) a real-time timer interrupts the call: the
part sees ``PartTimeout`` (a ``BaseException``, so an ``except Exception`` inside the part cannot
swallow it) at its next Python bytecode; a single long call into compiled code is interrupted
when it returns to Python. No thread is started, so nothing is left running. Where no timer can
be set (another thread, Windows, or a timer already set by someone else, which is left alone)
the elapsed time is measured and a call that overran fails once it returns. A call nested inside
a timed call (a mechanism's ``outcome`` inside its constructor, say) runs under the outer timer.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from numbers import Real
from typing import Any

import numpy as np

__all__ = ["CALL_TIME_LIMIT", "PartError", "PartTimeout", "PartValueError", "deadline",
           "describe", "guarded_part", "validate"]

CALL_TIME_LIMIT = 60.0
_ACTIVE = {"depth": 0}


class PartError(RuntimeError):
    """An outside part raised, returned something the contract does not allow, or overran its
    time limit. ``part`` names it, ``problem`` says what went wrong, ``inputs`` summarises the
    call."""

    def __init__(self, part: str, problem: str, inputs: str = "") -> None:
        self.part, self.problem, self.inputs = part, problem, inputs
        where = f"; input: {inputs}" if inputs else ""
        super().__init__(f"part {part}: {problem}{where}")


class PartValueError(PartError, ValueError):
    """A ``PartError`` for a part that refused its input with a ValueError: a caller that
    expects a ValueError for bad input (a calculator's, say) still catches it."""


class PartTimeout(BaseException):
    """Raised inside a part that overran its time limit (a ``BaseException``: module docstring)."""


def _can_interrupt() -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is
            threading.main_thread() and signal.getitimer(signal.ITIMER_REAL)[0] == 0.0)


@contextlib.contextmanager
def deadline(seconds: float | None, what: str) -> Iterator[None]:
    """Run the block under a time limit of ``seconds`` (None: no limit); ``PartTimeout`` inside
    the block when the timer fires, ``PartError`` naming ``what`` afterwards (module
    docstring)."""
    if seconds is None:
        yield
        return
    if not (isinstance(seconds, Real) and math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"seconds must be a finite number > 0 or None; found {seconds!r}")
    start = time.perf_counter()
    state = {"fired": False, "done": False, "armed": _ACTIVE["depth"] == 0 and _can_interrupt()}

    def _alarm(signum, frame):  # noqa: ARG001 - signal handler signature
        if not state["done"]:
            state["fired"] = True
            raise PartTimeout(what)

    def disarm() -> None:
        if state["armed"]:
            state["armed"] = False
            signal.setitimer(signal.ITIMER_REAL, 0.0)
            signal.signal(signal.SIGALRM, previous)

    if state["armed"]:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, float(seconds))
    _ACTIVE["depth"] += 1
    try:
        try:
            yield
        finally:
            state["done"] = True
            disarm()
    except PartTimeout as exc:
        disarm()
        if _ACTIVE["depth"] > 1:
            raise  # the outermost block names the call that overran
        raise PartError(what, f"did not return within the time limit of {seconds:g} s") from exc
    finally:
        _ACTIVE["depth"] -= 1
    elapsed = time.perf_counter() - start
    if state["fired"] or (_ACTIVE["depth"] == 0 and elapsed > seconds):
        # overran, and the part swallowed the interrupt or could not be interrupted
        raise PartError(what, f"took {elapsed:.3g} s, over the time limit of {seconds:g} s")


# -- what went in ------------------------------------------------------------------------------

def describe(value: Any, limit: int = 16) -> str:
    """A short description of an input: small arrays in full, large ones by shape and range."""
    if isinstance(value, (bool, int, float, str, np.number)) or value is None:
        return repr(value if not isinstance(value, np.number) else value.item())
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return f"{type(value).__name__} of {len(value)}"
        if arr.size <= limit:
            return np.array2string(arr, precision=6, separator=", ").replace("\n", "")
        return (f"array{list(arr.shape)} in [{np.nanmin(arr):.6g}, {np.nanmax(arr):.6g}]")
    support = getattr(value, "support", None)
    if support is None:
        support = getattr(value, "points", None)
    if support is not None:
        probs = getattr(value, "probs", None)
        return (f"{type(value).__name__}(support={describe(support)}, "
                f"probs={describe(probs)})")
    shape = getattr(getattr(value, "A", None), "shape", None)
    if shape is not None:
        return f"{type(value).__name__} with A of shape {list(shape)}"
    return type(value).__name__


def _inputs(args: tuple, kwargs: Mapping[str, Any]) -> str:
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


# -- what came back ----------------------------------------------------------------------------

def _real_array(out: Any, what: str) -> np.ndarray:
    if isinstance(out, (str, bytes, Mapping)) or out is None:
        raise ValueError(f"returned {type(out).__name__}, not an array of real numbers")
    if np.iscomplexobj(out):
        raise ValueError(f"returned complex values for {what}")
    try:
        arr = np.array(out, dtype=float, copy=True)  # a fresh array: never a view into theirs
    except (TypeError, ValueError) as exc:
        raise ValueError(f"returned {type(out).__name__}, not an array of real numbers "
                         f"({exc})") from None
    return arr


def _finite(arr: np.ndarray, what: str) -> np.ndarray:
    if not np.all(np.isfinite(arr)):
        bad = "NaN" if np.any(np.isnan(arr)) else "inf"
        raise ValueError(f"returned {bad} in {what}")
    return arr


def _least_squares(out, args, kwargs) -> np.ndarray:
    B = np.asarray(args[0] if args else kwargs["B"])
    Y = np.asarray(args[1] if len(args) > 1 else kwargs["Y"])
    want = (B.shape[1],) if Y.ndim == 1 else (B.shape[1], Y.shape[1])
    arr = _real_array(out, "Z")
    if arr.shape != want:
        raise ValueError(f"returned shape {arr.shape}; expected {want} for B {B.shape} and "
                         f"Y {Y.shape}")
    return _finite(arr, "Z")


def _value_queries(out, args, kwargs) -> np.ndarray:
    items = np.asarray(args[1] if len(args) > 1 else kwargs["items"]).reshape(-1)
    arr = _real_array(out, "the values")
    if arr.size != items.size or arr.ndim > 2:
        raise ValueError(f"returned {arr.size} values of shape {arr.shape} for {items.size} "
                         "items")
    return _finite(arr.reshape(-1), "the values")


def _spectral_norm(out, args, kwargs) -> float:
    arr = _real_array(out, "the norm")
    if arr.size != 1:
        raise ValueError(f"returned shape {arr.shape}; expected one number")
    value = float(_finite(arr, "the norm").reshape(-1)[0])
    if value < 0:
        raise ValueError(f"returned a negative norm {value}")
    return value


def _influence_matrix(out, args, kwargs) -> np.ndarray:
    law = args[0] if args else kwargs["law"]
    d = int(np.asarray(law.support).shape[1])
    arr = _real_array(out, "INF(X)")
    if arr.shape != (d, d):
        raise ValueError(f"returned shape {arr.shape}; expected ({d}, {d})")
    return _finite(arr, "INF(X)")


def _compute(out, args, kwargs) -> Any:
    values, logs = getattr(out, "values", None), getattr(out, "log_values", None)
    if not isinstance(values, Mapping) or not isinstance(logs, Mapping) or \
            not hasattr(out, "valid"):
        raise ValueError(f"returned {type(out).__name__}; expected a BoundRecord (values, "
                         "log_values, valid)")
    for name, table in (("values", values), ("log_values", logs)):
        for key, v in table.items():
            try:
                x = float(v)
            except (TypeError, ValueError):
                raise ValueError(f"returned {name}[{key!r}] = {v!r}, not a number") from None
            if math.isnan(x):
                raise ValueError(f"returned NaN in {name}[{key!r}]")
    return out


def _has(method: str) -> Callable:
    def check(out, args, kwargs):
        if not callable(getattr(out, method, None)):
            raise ValueError(f"returned {type(out).__name__}, which has no {method}()")
        return out
    return check


VALIDATORS: dict[str, Callable[[Any, tuple, Mapping], Any]] = {
    "least_squares": _least_squares, "value_queries": _value_queries,
    "spectral_norm": _spectral_norm, "influence_matrix": _influence_matrix,
    "compute": _compute, "bounds": _compute, "query_protocol": _has("run"),
    "adaptive_protocol": _has("run"),
    "robustify": _has("outcome"), "latent_mechanism": _has("outcome"),
}


def validate(part: str, out: Any, args: tuple = (), kwargs: Mapping | None = None) -> Any:
    """``out`` as the guard keeps it (a fresh array, a float, the record or object), or
    ValueError saying what the contract of ``part`` does not allow."""
    return VALIDATORS[part](out, args, kwargs or {})


def guarded_part(part: str, fn: Callable, time_limit: float | None = CALL_TIME_LIMIT,
                 label: str | None = None) -> Callable:
    """``fn`` called under ``deadline`` with its answer validated (module docstring); every
    failure is a ``PartError`` naming the part (``label``, default ``part``) and the input.
    Objects a part returns (protocols, mechanisms) have their ``run`` / ``outcome`` /
    ``outcome_at`` guarded the same way."""
    if part not in VALIDATORS:
        raise ValueError(f"part must be one of {tuple(VALIDATORS)}; found {part!r}")
    name = label or part

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            with deadline(time_limit, name):
                out = fn(*args, **kwargs)
        except PartError as exc:
            raise type(exc)(name, exc.problem, _inputs(args, kwargs)) from exc
        except Exception as exc:  # the part's own failure, reported as the part's
            kind = PartValueError if isinstance(exc, ValueError) else PartError
            raise kind(name, f"raised {type(exc).__name__}: {exc}",
                       _inputs(args, kwargs)) from exc
        try:
            out = validate(part, out, args, kwargs)
        except ValueError as exc:
            raise PartError(name, str(exc), _inputs(args, kwargs)) from None
        if part in ("query_protocol", "adaptive_protocol"):
            return _GuardedObject(out, name, ("run",), time_limit)
        if part in ("robustify", "latent_mechanism"):
            return _GuardedObject(out, name, ("outcome", "outcome_at"), time_limit)
        return out

    call.__name__ = getattr(fn, "__name__", part)
    call.__wrapped__ = fn
    return call


class _GuardedObject:
    """An object returned by a part, with the listed methods called under the time limit and
    their exceptions reported as the part's."""

    def __init__(self, inner: Any, part: str, methods: tuple[str, ...],
                 time_limit: float | None) -> None:
        self._inner, self._part, self._methods = inner, part, methods
        self._limit = time_limit

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name not in self._methods or not callable(attr):
            return attr
        what = f"{self._part} (its {name})"

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                with deadline(self._limit, what):
                    return attr(*args, **kwargs)
            except PartError as exc:
                raise type(exc)(what, exc.problem, _inputs(args, kwargs)) from exc
            except Exception as exc:
                kind = PartValueError if isinstance(exc, ValueError) else PartError
                raise kind(what, f"raised {type(exc).__name__}: {exc}",
                           _inputs(args, kwargs)) from exc

        return call
