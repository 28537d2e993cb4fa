"""Every public callable (each name in an ``__all__`` of recmech.core, recmech.bounds and
recmech.properties) goes through the input gates: called with hostile values for its required
parameters (NaN, +-inf, an int beyond float64, text, None, a masked array with a masked entry,
np.matrix of NaN, np.timedelta64, float16 inf, longdouble NaN), it must raise ValueError or
TypeError whose message names one of those parameters. Anything else (a raw AttributeError,
IndexError, OverflowError..., an error that names no parameter, a hang of 20 s, or a silent
return on a value no number can be: NaN, text, a masked entry, a timedelta) fails, unless the
name is listed below. (A return on +-inf, an int beyond float64 or None may be right: log 0 is
-inf, 10**400 is a rational, None a default.) Result records (dataclasses) are built by the
library from numbers its gated producers computed, and abstract bases cannot be called: neither
is called here.

- ``NO_NUMERIC_INPUT``: modules whose public names take no numeric input of a caller (the
  command line, engines, checks run by the report, renderers, registries), each with its reason;
- ``PENDING``: names that do take numeric input and are not gated yet (known work, a ratchet:
  a listed name that becomes gated fails ``test_pending_names_are_still_ungated`` until it is
  removed from the list, so the list only shrinks).

A NEW public name that is neither gated nor listed fails with a message saying what to do.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import pkgutil
import re
import signal
import warnings
from collections import Counter
from contextlib import contextmanager

import numpy as np
import pytest

import recmech.bounds
import recmech.core
import recmech.properties

NOT_A_NUMBER = frozenset({"nan", "text", "masked", "matrix-nan", "timedelta", "longdouble-nan"})
HOSTILE = {
    "nan": math.nan, "inf": math.inf, "-inf": -math.inf, "int>float64": 10**400,
    "text": "1.5", "None": None,
    "masked": np.ma.masked_array([1.0, 2.0], mask=[True, False]),
    "matrix-nan": np.matrix([[math.nan]]), "timedelta": np.timedelta64(3, "s"),
    "float16-inf": np.float16("inf"), "longdouble-nan": np.longdouble("nan"),
}

# module (last dotted parts) -> why its public names take no numeric input of a caller
NO_NUMERIC_INPUT = {
    "properties.cli": "the command line: argument lists, fuzzed through main() in test_cli.py",
    "properties.engine": "engines, results files and progress lines: tasks, paths (results "
                         "files: test_fuzz_results.py)",
    "properties.report": "runs checks by claim id and renders rows, tables and figures",
    "properties.guard": "loads outside implementations by module path; the plugin's hooks; part "
                        "judgements run with an implementation",
    "properties.claims": "the claim table, graph, errata, readings and verdict records: lookups "
                         "by claim id",
    "properties.subject": "wraps an implementation object; calls into it under a time limit",
    "properties.judging.domains": "the domain table: lookups by claim id",
    "properties.judging.profiles": "profiles: lookups by profile name",
    "properties.judging.certify": "certificates built by the checks from computed numbers",
    "properties.judging.checks": "checks run by the report with a subject and a budget",
    "properties.judging.strategies": "hypothesis strategies (draw data, take no caller numbers)",
    "core.bench": "benchmark drivers (sizes are fixed by the bench's own table)",
    "core.bench_queries": "benchmark drivers of the query protocols",
    "core.bench_mechanisms": "benchmark drivers of the mechanisms",
    "core.bench_lp": "benchmark drivers of the revenue LP at scale (grid sizes from its table)",
    "core.bench_rows": "the bench's row record",
    "core.demo": "the fixed demonstration run",
}

# single names that pass a value on by design, each with its reason
NO_CHECK_BY_DESIGN = {
    "recmech.core.gate:plain": "applies the array rule only and passes scalars on: its callers "
                               "(real, real_array, the bounds gate) refuse NaN and text next",
    "recmech.bounds.inputs:plain": "the same array rule in the calculators' gate (which does not "
                                   "import recmech.core): its callers refuse NaN next",
    "recmech.bounds.inputs:dims": "counts dimensions only: its callers validate through array",
    "recmech.bounds.logspace:mp": "converts a computed number exactly (NaN stays NaN for "
                                  "to_float to refuse by name)",
    "recmech.bounds.records:jsonable": "converts any object to JSON data (NaN becomes 'nan')",
    "recmech.bounds.records:dumps": "strict JSON text of any object (through jsonable)",
    "recmech.bounds.records:summarise": "echoes a parameter as given (through jsonable)",
}

# names for which text is a valid input (the "text" hostile value is skipped for them)
TAKES_TEXT = frozenset({"recmech.bounds.inputs:text", "recmech.bounds.table:parse_value"})

# names that take numeric input and are not gated yet (module:name); only ever shrinks. Both
# live in a module whose docstrings another change edits at the same time: gated at the merge.
PENDING: frozenset[str] = frozenset({
    # the batched menus' helpers take arrays a mechanism computed (the mechanisms that call
    # them are gated); their own gates are known work
    "recmech.core.menus:TablePlan", "recmech.core.menus:bundle_values",
    "recmech.core.menus:menu_pick", "recmech.core.menus:table_accuracy",
    "recmech.core.menus:table_outcomes", "recmech.core.menus:table_plan",
    # the revenue LP's chunked pair search takes the arrays solve_optimal_lp built (gated there)
    "recmech.core.lp_pairs:max_gain", "recmech.core.lp_pairs:nearest_pairs",
    "recmech.core.lp_pairs:pair_keys", "recmech.core.lp_pairs:rows_per_chunk",
    "recmech.core.lp_pairs:worst_pairs",
})

ALARM_SECONDS = 20


def _modules() -> list[str]:
    names = []
    for pkg in (recmech.core, recmech.bounds, recmech.properties):
        names.append(pkg.__name__)
        names += [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
    return names


def _exempt(module: str) -> bool:
    short = module.removeprefix("recmech.")
    return any(short == m or short.startswith(m + ".") for m in NO_NUMERIC_INPUT)


def _public() -> list[tuple[str, object]]:
    out = []
    for module in _modules():
        if _exempt(module):
            continue
        mod = importlib.import_module(module)
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name, None)
            if (dataclasses.is_dataclass(obj) or inspect.isabstract(obj)
                    or f"{module}:{name}" in NO_CHECK_BY_DESIGN):
                continue  # a result record or an abstract base (module docstring), or by design
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module:
                out.append((f"{module}:{name}", obj))
    return out


PUBLIC = _public()


class _Hang(Exception):
    pass


@contextmanager
def _alarm(seconds: int):
    def ring(*_):
        raise _Hang

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _required(obj) -> list[inspect.Parameter]:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values() if p.default is p.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _optional(obj) -> list[inspect.Parameter]:
    try:
        return [p for p in inspect.signature(obj).parameters.values() if p.default is not p.empty]
    except (TypeError, ValueError):
        return []


def _words(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.lower())


def outcome(obj, value) -> str:
    """'named' (a ValueError/TypeError naming a parameter), 'no parameters', or what went
    wrong."""
    params = _required(obj)
    if not params:
        return "no parameters"
    # a gate helper's ``name`` is the caller's label for the checked value: it must be named
    kwargs = {p.name: ("the_label" if p.name == "name" else value) for p in params}
    wanted = ["the label"] + [_words(p.name) for p in params if p.name != "name"] + [
        _words(p.default) for p in _optional(obj)
        if p.name == "name" and isinstance(p.default, str)]
    try:
        with _alarm(ALARM_SECONDS), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj(**kwargs)
    except _Hang:
        return f"hangs for {ALARM_SECONDS} s"
    except (ValueError, TypeError) as exc:
        text = _words(str(exc))
        if any(w in text for w in wanted):
            return "named"
        return f"raises {type(exc).__name__} naming no parameter: {str(exc)[:100]!r}"
    except Exception as exc:  # noqa: BLE001 - what the test reports
        return f"raises {type(exc).__name__}: {str(exc)[:100]!r}"
    return "returns silently"


def _failures(obj, qualname: str = "") -> dict[str, str]:
    found = {}
    for label, value in HOSTILE.items():
        if label == "text" and qualname in TAKES_TEXT:
            continue
        got = outcome(obj, value)
        if got == "returns silently" and label not in NOT_A_NUMBER:
            continue  # may be right (module docstring)
        if got not in ("named", "no parameters"):
            found[label] = got
    return found


OUTCOMES: Counter = Counter()


@pytest.mark.parametrize("qualname,obj", PUBLIC, ids=[q for q, _ in PUBLIC])
def test_every_public_name_is_gated(qualname, obj):
    if qualname in PENDING:
        pytest.skip("listed in PENDING: numeric input not gated yet")
    bad = _failures(obj, qualname)
    OUTCOMES["gated" if not bad else "ungated"] += 1
    if bad:
        label, what = next(iter(bad.items()))
        pytest.fail(
            f"{qualname} is public (in __all__) but not gated: called with {label} for "
            f"{[p.name for p in _required(obj)]} it {what} ({len(bad)} of {len(HOSTILE)} "
            "hostile values fail). Gate its inputs through recmech.core.gate or "
            "recmech.bounds.inputs so it raises ValueError/TypeError naming the parameter; if "
            "it takes no numeric input, add its module to NO_NUMERIC_INPUT in "
            "tests/test_fuzz_public.py with the reason.")


def test_pending_names_are_still_ungated():
    """The ratchet: a name gated since it was listed must leave PENDING."""
    public = dict(PUBLIC)
    gone = sorted(n for n in PENDING if n not in public)
    assert not gone, f"remove from PENDING (no longer public): {gone}"
    done = sorted(n for n in PENDING if not _failures(public[n], n))
    assert not done, f"remove from PENDING (now gated): {done}"


def test_the_enumeration_sees_the_gates_and_the_calculators():
    names = {q for q, _ in PUBLIC}
    for must in ("recmech.core.gate:real_array", "recmech.bounds.inputs:array",
                 "recmech.bounds.edges:compare", "recmech.bounds.singular:lemma9",
                 "recmech.properties.judging.stats:power",
                 "recmech.properties.judging.exact:ruben_tail",
                 "recmech.core.prokhorov:linf_distances", "recmech.core.mechanisms:box_minimum",
                 "recmech.core.queries:item_ranges", "recmech.core.queries:LeastSquares",
                 "recmech.core.montecarlo:hoeffding_halfwidth",
                 "recmech.core.mechanisms:all_allocations",
                 "recmech.core.selection:weak_dependence_required"):
        assert must in names
