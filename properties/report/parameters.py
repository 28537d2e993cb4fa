"""The parameters of every claim as ``recmech table`` types them: kinds, defaults, conveniences.

The calculators of ``recmech.bounds`` name their parameters (``recmech.bounds.registry.parameters``)
and annotate their types; this module adds what a command line needs on top: the shape of each
array parameter (a matrix, a list, or a matrix whose list form is its diagonal), the scalar
conveniences of ``recmech.bounds.table`` with the number of array entries each one builds, and
the parsing of ``NAME=VALUE`` texts into values, checked before any bound is computed:

- numbers ``8``, ``1e-3``; lists ``1,1,1`` or ``[1,1,1]``; matrices ``2,1;1,3`` or
  ``[[2,1],[1,3]]``; ``true``/``false``;
- a number given for a matrix parameter is the 1 x 1 matrix (``C=-1`` is C = [[-1]]), for a list
  parameter the list of one;
- a name given twice, an unknown name, or a convenience that would build more than
  ``MAX_ENTRIES`` array entries is a ``ParameterError`` (one line) before any work.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CONVENIENCES", "MATRIX_KINDS", "MAX_ENTRIES", "MAX_ROWS", "Convenience",
           "ParameterError", "ParameterSpec", "describe_claim", "evaluate", "example_command",
           "parse_assignments", "parse_typed", "specs"]

MAX_ENTRIES = 10**7  # 80 MB of float64: the largest array a convenience may build
MAX_ROWS = 10**6  # the most rows of one ``recmech table`` grid (minutes at ~0.5 ms per row)

# Array parameters: "matrix" (2-D), "list" (1-D), "diagonal" (a matrix, or a list = its diagonal)
MATRIX_KINDS: dict[tuple[str, str], str] = {
    ("definition3", "block"): "matrix",
    ("theorem2.deterministic", "C"): "matrix",
    ("lemma3", "U"): "matrix",
    ("theorem2.gaussian", "Sigma_S"): "diagonal",
    ("theorem2.weak_dependence", "variances"): "list",
    ("lemma5", "variances"): "list",
    ("lemma9", "c"): "list",
}

_TYPES = {
    "float": "real", "int": "whole number", "bool": "true/false",
    "float | None": "real (optional)", "int | None": "whole number (optional)",
    "matrix": "matrix: rows split by ';' (2,1;1,3) or [[2,1],[1,3]]; a number is 1 x 1",
    "list": "list: 1,1,1 or [1,1,1]; a number is a list of one",
    "diagonal": "matrix (2,1;1,3), or a list: its diagonal",
}


class ParameterError(ValueError):
    """Bad ``recmech table`` input: one line, exit code 2."""


@dataclass(frozen=True, kw_only=True)
class ParameterSpec:
    """One parameter of a claim's calculator: its name, type as typed, default."""

    name: str
    kind: str
    required: bool
    default: Any = None

    @property
    def type_text(self) -> str:
        return _TYPES[self.kind]


@dataclass(frozen=True, kw_only=True)
class Convenience:
    """A scalar that stands for an array parameter (``recmech.bounds.table``): its name, what it
    builds, and how many array entries it builds from the value given."""

    name: str
    builds: str
    meaning: str
    entries: Callable[[float], float] | None = None
    limit_text: str = ""


def _size(v: float) -> float:
    return v


def _square(v: float) -> float:
    return v * v


_IDENTITY = "k builds the k x k identity I_k"
CONVENIENCES: dict[str, tuple[Convenience, ...]] = {
    "theorem2.gaussian": (
        Convenience(name="size", builds="Sigma_S", entries=_size, limit_text="size <= 10^7",
                    meaning="|S|: Sigma_S is diagonal with |S| entries"),
        Convenience(name="trace", builds="Sigma_S",
                    meaning="Tr Sigma_S, with size (default: size)"),
        Convenience(name="rho", builds="Sigma_S",
                    meaning="rho(Sigma_S), the largest entry, with size (default: trace/size)"),
    ),
    "theorem2.weak_dependence": (
        Convenience(name="size", builds="variances", entries=_size, limit_text="size <= 10^7",
                    meaning="|S|: variances = variance repeated size times"),
        Convenience(name="variance", builds="variances",
                    meaning="each v_i^2, with size (default 1)"),
    ),
    "lemma5": (
        Convenience(name="size", builds="variances", entries=_size, limit_text="size <= 10^7",
                    meaning="n coordinates: variances = variance repeated size times"),
        Convenience(name="variance", builds="variances",
                    meaning="each v_i^2, with size (default 1)"),
    ),
    "theorem2.deterministic": (
        Convenience(name="k", builds="C", entries=_square, limit_text="k <= 3162",
                    meaning=f"C = I_k ({_IDENTITY})"),
    ),
    "definition3": (
        Convenience(name="k", builds="block", entries=_square, limit_text="k <= 3162",
                    meaning=f"block = I_k ({_IDENTITY})"),
    ),
    "lemma3": (
        Convenience(name="k", builds="U", entries=_square, limit_text="k <= 3162",
                    meaning=f"U = I_k ({_IDENTITY})"),
    ),
    "lemma9": (
        Convenience(name="d", builds="c", entries=_size, limit_text="d <= 10^7",
                    meaning="c = the scalar c (default 1) repeated d times"),
    ),
}


def _kind(claim_id: str, name: str, annotation: Any) -> str:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__",
                                                                   str(annotation))
    if (claim_id, name) in MATRIX_KINDS:
        return MATRIX_KINDS[(claim_id, name)]
    if text not in _TYPES:
        raise RuntimeError(f"{claim_id}: parameter {name} has type {text!r}, which the command "
                           "line cannot type (add it to recmech.properties.report.parameters)")
    return text


def specs(claim_id: str) -> list[ParameterSpec]:
    """The parameters of ``claim_id``'s calculator (``strict`` aside), in signature order."""
    from recmech.bounds.registry import REGISTRY, REQUIRED, parameters

    _known_claim(claim_id)
    defaults = parameters(claim_id)
    sig = inspect.signature(REGISTRY[claim_id])
    return [ParameterSpec(name=name, kind=_kind(claim_id, name, sig.parameters[name].annotation),
                          required=default is REQUIRED,
                          default=None if default is REQUIRED else default)
            for name, default in defaults.items()]


def _known_claim(claim_id: str) -> None:
    from recmech.bounds.registry import claim_ids

    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id must be text; found {type(claim_id).__name__}")
    if claim_id not in claim_ids():
        raise ParameterError(f"unknown claim id {claim_id!r}; valid ids: "
                             f"{', '.join(claim_ids())}")


# -- parsing --------------------------------------------------------------------------------------

def _bracketed(name: str, text: str) -> np.ndarray:
    from recmech.bounds.table import UsageError, parse_value

    def number(token: str) -> float:  # 1e-400 refused by name, as outside brackets
        try:
            return parse_value(name, token)
        except UsageError as exc:
            raise ParameterError(str(exc)) from None

    try:
        value = json.loads(text, parse_float=number)
    except json.JSONDecodeError:
        raise ParameterError(f"cannot parse {text!r} for {name}: write [1,2] or [[1,2],[3,4]]"
                             ) from None
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={text}: rows of different lengths or non-numbers"
                             ) from None
    if arr.size == 0 or arr.ndim > 2:
        raise ParameterError(f"{name}={text}: need a non-empty list or matrix")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name}={text}: entries must be finite numbers")
    return arr


def parse_typed(claim_id: str, name: str, text: str, promote: bool = True) -> Any:
    """The value of ``NAME=text`` for ``claim_id``: ``recmech.bounds.table.parse_value``'s syntax,
    brackets ``[..]`` too, and (``promote``) a number given for an array parameter promoted to
    its shape."""
    from recmech.bounds.table import UsageError, parse_value

    _known_claim(claim_id)
    for label, value in (("name", name), ("text", text)):
        if not isinstance(value, str):
            raise TypeError(f"{label} must be text; found {type(value).__name__}")
    text = text.strip()
    if text.startswith("["):
        value = _bracketed(name, text)
    else:
        try:
            value = parse_value(name, text.rstrip(";") if text.count(";") == 1
                                and text.endswith(";") else text)
        except UsageError as exc:
            raise ParameterError(str(exc)) from None
    kind = MATRIX_KINDS.get((claim_id, name))
    if kind is not None and promote and not isinstance(value, (bool, np.ndarray)):
        value = np.array([[float(value)]]) if kind == "matrix" else np.array([float(value)])
    if kind == "matrix" and isinstance(value, np.ndarray) and value.ndim == 1:
        raise ParameterError(f"{name} is a matrix; found the list {text!r}: split rows by ';' "
                             f"({text};...) or write [[...]]")
    if isinstance(value, float) and math.isinf(value):
        raise ParameterError(f"{name} must be finite; found {text!r}")
    return value


def _split(option: str, text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ParameterError(f"{option} expects NAME=VALUE; found {text!r}")
    return name.strip(), value


def _check_allocation(claim_id: str, name: str, values: Sequence[Any]) -> None:
    for conv in CONVENIENCES.get(claim_id, ()):
        if conv.name != name or conv.entries is None:
            continue
        for v in values:
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                entries = conv.entries(abs(float(v)))
                if entries > MAX_ENTRIES:
                    raise ParameterError(
                        f"{name}={v:g} would build {conv.builds} with {entries:,.0f} entries; "
                        f"the limit is {MAX_ENTRIES:,} ({conv.limit_text}): give {conv.builds} "
                        "itself or a smaller value")


def _range(name: str, text: str) -> tuple[int, int] | None:
    """definition: ``A..B`` (whole numbers, A no more than B) is the inclusive range; None for
    any other cell."""
    lo, sep, hi = text.strip().partition("..")
    if not sep:
        return None
    try:
        a, b = float(lo), float(hi)
    except ValueError:
        raise ParameterError(f"--grid {name}={text.strip()}: a range is A..B with whole numbers "
                             "A <= B, e.g. 1..60") from None
    if not (math.isfinite(a) and math.isfinite(b)) or a != int(a) or b != int(b) or a > b:
        raise ParameterError(f"--grid {name}={text.strip()}: a range is A..B with whole numbers "
                             "A <= B, e.g. 1..60")
    return int(a), int(b)


def _grid_cell(claim_id: str, name: str, text: str) -> list:
    span = _range(name, text)
    if span is None:
        return [parse_typed(claim_id, name, text)]
    return list(range(span[0], span[1] + 1))


def _check_rows(grids: Sequence[tuple[str, str]]) -> None:
    """Refuse a grid product of more than ``MAX_ROWS`` rows before any value is built."""
    rows = 1
    for name, value in grids:
        count = 0
        for t in (t for t in value.split(",") if t.strip()):
            span = _range(name, t)
            count += 1 if span is None else span[1] - span[0] + 1
        rows *= count
    if rows > MAX_ROWS:
        raise ParameterError(f"the --grid product has {rows:,} rows; the limit is {MAX_ROWS:,} "
                             f"(about {rows * 5e-4 / 60:,.0f} min at 0.5 ms per row): give "
                             "fewer grid values")


def parse_assignments(claim_id: str, params: Sequence[str], grids: Sequence[str]
                      ) -> tuple[dict[str, Any], dict[str, list]]:
    """``--param NAME=VALUE`` and ``--grid NAME=V1,V2,...`` texts as values and grid points,
    checked before any bound is computed: first the syntax (NAME=VALUE, each name once, no
    empty grid), then the claim id, the names and the values (allocation limits included)."""
    _known_claim(claim_id)
    for label, texts in (("params", params), ("grids", grids)):
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise TypeError(f"{label} must be a sequence of NAME=VALUE texts; found {texts!r}")
    given: list[tuple[str, str, str, str]] = []
    for option, texts in (("--param", params), ("--grid", grids)):
        for text in texts:
            name, value = _split(option, text)
            if any(name == g[1] for g in given):
                raise ParameterError(f"{name} is given twice ({option} {text}); give each "
                                     "parameter once")
            if option == "--grid" and not any(t.strip() for t in value.split(",")):
                raise ParameterError(f"empty grid for {name}")
            given.append((option, name, value, text))
    _known_claim(claim_id)
    accepted = [s.name for s in specs(claim_id)]
    conveniences = [c.name for c in CONVENIENCES.get(claim_id, ())]
    values: dict[str, Any] = {}
    points: dict[str, list] = {}
    # a scalar that a convenience repeats (lemma9's c with d=) stays a scalar
    kept = {c.builds for c in CONVENIENCES.get(claim_id, ()) if any(c.name == g[1] for g in given)}
    _check_rows([(g[1], g[2]) for g in given if g[0] == "--grid"])
    texts = {g[1]: g[2] for g in given}
    for conv in CONVENIENCES.get(claim_id, ()):
        # lemma9's d repeats the scalar c: c given as a number goes with d
        repeats = f"the scalar {conv.builds}" in conv.meaning and not any(
            ch in texts.get(conv.builds, "") for ch in ",;[")
        if conv.name in texts and conv.builds in texts and not repeats:
            raise ParameterError(f"{conv.name} stands for {conv.builds} ({conv.meaning}); give "
                                 f"{conv.builds} or {conv.name}, not both")
    kinds = {sp.name: sp.kind for sp in specs(claim_id)}
    for option, name, value, _ in given:
        if name not in accepted and name not in conveniences:
            extra = f"; conveniences {', '.join(conveniences)}" if conveniences else ""
            raise ParameterError(f"unknown parameter(s) {name}; {claim_id} takes "
                                 f"{', '.join(accepted)}{extra} (recmech claims {claim_id})")
        if kinds.get(name) == "bool" and any(t.strip().lower() not in ("true", "false")
                                             for t in value.split(",")):
            raise ParameterError(f"{name} is true or false; found {value.strip()!r}")
        if option == "--param":
            values[name] = parse_typed(claim_id, name, value, promote=name not in kept)
            _check_allocation(claim_id, name, [values[name]])
            continue
        points[name] = [v for t in value.split(",") if t.strip()
                        for v in _grid_cell(claim_id, name, t)]
        if any(isinstance(p, np.ndarray) for p in points[name]):
            raise ParameterError(f"--grid {name}: a grid takes numbers; give arrays "
                                 "with --param")
        _check_allocation(claim_id, name, points[name])
    return values, points


def _build(claim_id: str, values: dict[str, Any], points: dict[str, list],
           progress: Callable[[str, int, int], None] | None) -> tuple[list[dict], list]:
    """``build_table`` at once, or (``progress``) point by point in the same order, calling
    ``progress(what, rows done, rows)`` as it goes."""
    import itertools

    from recmech.bounds.table import build_table

    if progress is None:
        return build_table(claim_id, values, points)
    names = list(points)
    total = math.prod(len(points[n]) for n in names)
    rows, records = [], []
    for done, point in enumerate(itertools.product(*(points[n] for n in names))):
        if done % 500 == 0:
            progress(f"{claim_id} rows", done, total)
        part, recs = build_table(claim_id, values, {n: [v] for n, v in zip(names, point,
                                                                             strict=True)})
        rows += part
        records += recs
    return rows, records


def evaluate(claim_id: str, values: dict[str, Any], points: dict[str, list],
             progress: Callable[[str, int, int], None] | None = None
             ) -> tuple[list[dict], list]:
    """The rows and records of ``recmech.bounds.table.build_table``; anything a calculator raises
    on these inputs (ValueError, TypeError, OverflowError, ...) as one ``ParameterError``;
    ``progress(what, done, total)`` is called every 500 rows."""
    from recmech.bounds.table import UsageError

    _known_claim(claim_id)
    for label, given in (("values", values), ("points", points)):
        if not isinstance(given, dict):
            raise TypeError(f"{label} must be a dict by parameter name; found "
                            f"{type(given).__name__}")
    try:
        rows, records = _build(claim_id, values, points, progress)
    except UsageError as exc:
        raise ParameterError(str(exc).splitlines()[0]) from None
    except (ArithmeticError, ValueError, TypeError) as exc:
        given = ", ".join(f"{k}={_short(v)}" for k, v in {**values, **points}.items())
        raise ParameterError(f"{claim_id} cannot be evaluated at {given}: "
                             f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    if not rows:
        raise ParameterError(f"no rows for {claim_id}")
    return rows, records


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array{list(value.shape)}"
    if isinstance(value, list):
        return "[" + ",".join(_short(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


# -- description ----------------------------------------------------------------------------------

# What an omitted optional parameter means (its default is None in the calculator)
_NONE_MEANS = {"eta": "eta = eps", "N": "no naive count", "m": "m = the number of variances",
               "a": "no net maximum given", "b": "no net minimum given"}


def _default_text(spec: ParameterSpec) -> str:
    if spec.required:
        return "required"
    if spec.default is None:
        return f"default: omitted ({_NONE_MEANS.get(spec.name, 'not used')})"
    if isinstance(spec.default, bool):
        return f"default {str(spec.default).lower()}"
    return f"default {spec.default!r}"


def describe_claim(claim_id: str) -> str:
    """What ``recmech claims CLAIM`` and ``recmech table CLAIM --help`` print: place, statement,
    parameters (type, default), conveniences, and an example command."""
    from recmech.bounds.registry import CLAIM_REGISTER

    _known_claim(claim_id)
    entry = CLAIM_REGISTER[claim_id]
    lines = [f"{claim_id} ({entry.place}): {entry.statement}", "", "parameters:"]
    items = specs(claim_id)
    width = max(len(s.name) for s in items)
    lines += [f"  {s.name:<{width}}  {s.type_text}; {_default_text(s)}" for s in items]
    conv = CONVENIENCES.get(claim_id, ())
    if conv:
        lines += ["", "conveniences (instead of the array parameter; never allocate more than "
                  f"{MAX_ENTRIES:,} entries):"]
        lines += [f"  {c.name:<{width}}  {c.meaning}" for c in conv]
    lines += ["", "example: " + example_command(claim_id)]
    return "\n".join(lines)


_EXAMPLES = {"definition3": "k=2 eps=0.01", "lemma1": "eps=0.01 mass_outside=0.005",
             "theorem1": "L=1 eps1=0.01 eps=1e-3 m=2 A_inf=1",
             "lemma2": "L=1 eps=1e-3 delta=0.05 m=2 A_inf=1",
             "theorem2.noisy_value": "A_inf=1 eta=0.5 eps=1",
             "theorem2.deterministic": "C=-1 A_inf=1 eps=0.01",
             "theorem2.gaussian": "size=513 k=8 eps=1e-3 A_inf=1",
             "theorem2.weak_dependence": "size=16385 c=1 k=8 inf_norm=0 eps=1e-3 A_inf=1",
             "remark4": "k=8 log_failure=-40", "proposition1.separable": "k=8 eps1=0.01 A_inf=1",
             "proposition1.gaussian": "k=8 kappa_Sigma=2 trace_S=1024 eps1=0.01 A_inf=1",
             "proposition1.weak_dependence": "k=8 c=1 a=1 inf_norm=0 eps1=0.01 A_inf=1",
             "proposition1.mechanism": "L=1 eps1=0.01 f_eps1=0.04 m=2 A_inf=1",
             "lemma3": "U=3,1;1,2", "lemma4": "trace_d=1000 d_max=1 n=2",
             "lemma5": "size=1000 c=1 n=2", "lemma6": "eps=0.142857 n=3",
             "lemma7.lower_tail": "trace_d=24 d_max=1 isotropic=true",
             "lemma7.upper_tail": "trace_d=24 d_max=1 isotropic=true", "proposition3": "x=0.2",
             "lemma8": "t=10 c=1 n=2 m=100", "lemma9": "t=1.5 d=3 c=1"}


def example_command(claim_id: str) -> str:
    """A ``recmech table`` command line that evaluates ``claim_id`` (tests run each one)."""
    _known_claim(claim_id)
    return f"recmech table {claim_id} " + " ".join(
        f"--param {p}" for p in _EXAMPLES[claim_id].split())
