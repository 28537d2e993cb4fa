"""The check registry: one check per claim id, and the contract parts each check uses.

A check module in ``recmech/properties/judging/checks/`` decorates each check::

    @register_check("lemma3", parts=("compute",))
    def check_lemma3(*, subject: Subject, budget: Budget) -> Verdict: ...

and is listed in ``recmech.properties.judging.checks.CHECK_MODULES``. A check takes keyword
arguments
only: ``subject`` (the implementation under test, every part resolved once:
``recmech.properties.subject.resolved``), ``budget`` (the profile's sizes and named seeds:
``recmech.properties.judging.profiles``) and, for a claim that depends on open points of the paper,
``readings`` (open point -> reading name: ``recmech.properties.claims.readings``). It returns a
:class:`Verdict` (or a list of them, the first being the claim's headline verdict).

A project claim (``project.*``: an inequality recmech's own code or docstrings assert) has its
register entry in ``recmech.properties.claims.project`` (data, in the claim table's room) and its
check here, under the same id; ``check_coverage()`` says every claim of the table has a check.

``parts`` declares which parts of the contract (``recmech.properties.subject.contract.PARTS``) the
check
judges when the implementation provides them; a check whose implementation provides none of its
parts is skipped by the guard, never passed.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from recmech.bounds.records import dumps
from recmech.bounds.registry import CLAIM_REGISTER
from recmech.properties.claims.project import PROJECT_CLAIMS
from recmech.properties.claims.readings import CLAIM_POINTS, POINTS, default_readings
from recmech.properties.claims.verdict import Verdict
from recmech.properties.judging.profiles import Budget, budget
from recmech.properties.judging.strategies import seeded_searches
from recmech.properties.subject.contract import CHECK_PARTS_ALLOWED
from recmech.properties.subject.resolved import Subject

__all__ = ["CHECKS", "CHECK_PARTS", "CHUNKS", "Chunks", "check_coverage", "parts_of", "chunk_specs",
           "merge_chunks", "register_check", "register_chunks", "run_check", "run_check_verdicts",
           "run_chunk"]

CheckFn = Callable[..., "list[Verdict] | Verdict"]
CHECKS: dict[str, CheckFn] = {}
CHECK_PARTS: dict[str, tuple[str, ...]] = {}


def register_check(claim_id: str, *, parts: tuple[str, ...] = ("compute",)
                   ) -> Callable[[CheckFn], CheckFn]:
    """Decorator registering ``fn`` as the check of ``claim_id`` (one check per id, an id of the
    claim table), judging the contract ``parts`` (a subset of ``CHECK_PARTS_ALLOWED``)."""
    if not isinstance(claim_id, str) or not claim_id:
        raise ValueError(f"claim_id must be a non-empty string; found {claim_id!r}")
    if claim_id not in CLAIM_REGISTER and claim_id not in PROJECT_CLAIMS:
        raise ValueError(f"claim_id {claim_id!r} is not in the claim table (a project claim's "
                         "entry goes into recmech.properties.claims.project first)")
    unknown = [p for p in parts if p not in CHECK_PARTS_ALLOWED]
    if isinstance(parts, str) or unknown:
        raise ValueError(f"parts must be a tuple of names from {CHECK_PARTS_ALLOWED}; "
                         f"found {parts!r}")

    def decorate(fn: CheckFn) -> CheckFn:
        previous = CHECKS.get(claim_id)
        if previous is not None and previous.__qualname__ != fn.__qualname__:
            raise ValueError(f"claim_id {claim_id!r} already has a check: {previous.__qualname__}")
        CHECKS[claim_id] = fn
        CHECK_PARTS[claim_id] = tuple(parts)
        return fn

    return decorate


@dataclass(frozen=True, kw_only=True)
class Chunks:
    """A check split into independent, deterministic chunks: ``plan(subject, budget, readings)``
    lists the chunk specs (JSON data; each chunk derives its own seed from its spec),
    ``run(subject, budget, readings, spec)`` computes one chunk's partial result (JSON data),
    ``merge(subject, budget, readings, partials)`` makes the verdicts from the partials in plan
    order. The check itself is run-every-chunk-then-merge, so a serial run and a distributed
    one give the same record."""

    plan: Callable[..., list[dict]]
    run: Callable[..., Any]
    merge: Callable[..., list[Verdict] | Verdict]


CHUNKS: dict[str, Chunks] = {}


def register_chunks(claim_id: str, *, plan: Callable[..., list[dict]], run: Callable[..., Any],
                    merge: Callable[..., Any], parts: tuple[str, ...] = ("compute",)) -> None:
    """Register the check of ``claim_id`` as ``Chunks``; the check function is the serial
    composition of the three."""
    chunks = Chunks(plan=plan, run=run, merge=merge)

    def check(*, subject: Subject, budget: Budget, readings: dict | None = None):
        specs = plan(subject, budget, readings)
        partials = [_roundtrip(run(subject, budget, readings, spec)) for spec in specs]
        return merge(subject, budget, readings, partials)

    check.__qualname__ = f"chunked[{claim_id}]"
    register_check(claim_id, parts=parts)(check)
    CHUNKS[claim_id] = chunks


def _roundtrip(partial: Any) -> Any:
    """A partial result as it travels (JSON), so in-process and remote merges see the same."""
    return json.loads(dumps(partial, indent=None))


def _as_subject(impl: Any) -> Subject:
    return impl if isinstance(impl, Subject) else Subject(impl)


def _readings(claim_id: str, readings: Mapping[str, str] | None) -> dict[str, str]:
    points = CLAIM_POINTS.get(claim_id, ())
    chosen = {**default_readings(claim_id), **dict(readings or {})}
    for point, name in chosen.items():
        if point not in points or name not in {r.name for r in POINTS[point].readings}:
            valid = {p: [r.name for r in POINTS[p].readings] for p in points}
            raise ValueError(f"claim {claim_id!r} has no reading {name!r} of {point!r}; its "
                             f"readings: {valid or 'none'}")
    return chosen


_LOADED: list[bool] = []


PYTEST_MODULES = ("recmech.properties.guard.plugin", "recmech.properties.guard.run")


def _load_every_module() -> None:
    """Import every module of recmech once, before any search. Hypothesis draws some values from
    a pool of constants found in the *local* modules loaded at the time (an editable install's
    modules are local), so a search's examples depended on what the process had imported: a
    test, the report, a pool worker and a Dask worker saw different examples. With every module
    loaded first, the pool is the same on every path."""
    if _LOADED:
        return
    import pkgutil

    # the pytest plugin and the guard need pytest, which a plain install lacks; without it no
    # process of this environment can load them, so the pool is still the same everywhere
    skip = () if importlib.util.find_spec("pytest") else PYTEST_MODULES

    # package by package, each walked to every depth: the editable install maps each folder
    # into ``recmech``, so a walk of ``recmech.__path__`` alone would not see them; a
    # ``__main__`` would run its command, and test modules belong to pytest
    for package in ("recmech.core", "recmech.bounds", "recmech.properties"):
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, package + "."):
            last = info.name.rsplit(".", 1)[-1]
            if not last.startswith("test_") and last != "__main__" and info.name not in skip:
                importlib.import_module(info.name)
    _LOADED.append(True)


def _prepare(claim_id: str, impl: Any, profile: str | Budget,
             readings: Mapping[str, str] | None) -> tuple[Subject, Budget, dict | None]:
    import recmech.properties.judging.checks  # noqa: F401  (registers every check module)

    _load_every_module()

    if claim_id not in CHECKS:
        raise KeyError(f"no check registered for claim id {claim_id!r}; "
                       f"registered: {sorted(CHECKS)}")
    plan = profile if isinstance(profile, Budget) else budget(profile)
    chosen = _readings(claim_id, readings)
    return _as_subject(impl), plan, (chosen if CLAIM_POINTS.get(claim_id) else None)


def _as_list(claim_id: str, result: Any) -> list[Verdict]:
    results = result if isinstance(result, list) else [result]
    if not results:
        raise ValueError(f"check of {claim_id!r} returned an empty list of verdicts")
    for r in results:
        if not isinstance(r, Verdict):
            raise TypeError(f"check of {claim_id!r} must return a Verdict; "
                            f"found {type(r).__name__}")
    return results


def chunk_specs(claim_id: str, impl: Any = None, profile: str | Budget = "quick",
                readings: Mapping[str, str] | None = None) -> list[dict]:
    """The chunks of ``claim_id``'s check (one for a check that is not split)."""
    subject, plan, chosen = _prepare(claim_id, impl, profile, readings)
    if claim_id in CHUNKS:
        return CHUNKS[claim_id].plan(subject, plan, chosen)
    return [{"whole": claim_id}]


def run_chunk(claim_id: str, index: int, impl: Any = None, profile: str | Budget = "quick",
              readings: Mapping[str, str] | None = None) -> Any:
    """The partial result (JSON data) of chunk ``index`` of ``claim_id``'s check."""
    subject, plan, chosen = _prepare(claim_id, impl, profile, readings)
    extra = {} if chosen is None else {"readings": chosen}
    if claim_id in CHUNKS:
        spec = CHUNKS[claim_id].plan(subject, plan, chosen)[index]
        with seeded_searches(f"{claim_id}|{dumps(spec, indent=None)}"):
            return _roundtrip(CHUNKS[claim_id].run(subject, plan, chosen, spec))
    if index != 0:
        raise IndexError(f"{claim_id} is one chunk; found index {index}")
    with seeded_searches(f"{claim_id}|whole"):
        result = _as_list(claim_id, CHECKS[claim_id](subject=subject, budget=plan, **extra))
    return _roundtrip([v.to_dict() for v in result])


def merge_chunks(claim_id: str, partials: list, impl: Any = None,
                 profile: str | Budget = "quick",
                 readings: Mapping[str, str] | None = None) -> list[Verdict]:
    """The verdicts of ``claim_id`` from the partial results of all its chunks, in order."""
    subject, plan, chosen = _prepare(claim_id, impl, profile, readings)
    if claim_id in CHUNKS:
        return _as_list(claim_id, CHUNKS[claim_id].merge(subject, plan, chosen, partials))
    (whole,) = partials
    return [Verdict.from_dict(d) for d in whole]


def run_check_verdicts(claim_id: str, impl: Any = None, profile: str | Budget = "quick",
                       readings: Mapping[str, str] | None = None) -> list[Verdict]:
    """Run the registered check of ``claim_id`` on ``impl`` (None: the reference; or a
    ``Subject``) under ``profile`` and the reading assignment ``readings`` (default: the default
    reading of each open point the claim uses); return all its verdicts (headline first)."""
    subject, plan, chosen = _prepare(claim_id, impl, profile, readings)
    extra = {} if chosen is None else {"readings": chosen}
    return _as_list(claim_id, CHECKS[claim_id](subject=subject, budget=plan, **extra))


def run_check(claim_id: str, impl: Any = None, profile: str | Budget = "quick",
              readings: Mapping[str, str] | None = None) -> Verdict:
    """Run the registered check of ``claim_id`` and return its headline verdict."""
    return run_check_verdicts(claim_id, impl, profile, readings)[0]


def check_coverage() -> dict[str, CheckFn]:
    """Every check, after checking that the claim table and the checks name the same ids (every
    paper and project claim has one check, no check names an unknown id): ``RuntimeError``
    naming the ids otherwise."""
    import recmech.properties.judging.checks  # noqa: F401  (registers every check module)

    ids = set(CLAIM_REGISTER) | set(PROJECT_CLAIMS)
    missing, strays = sorted(ids - set(CHECKS)), sorted(set(CHECKS) - ids)
    if missing or strays:
        raise RuntimeError(f"claims without a check {missing}; checks without a claim {strays}")
    return dict(CHECKS)


def parts_of(claim_id: str) -> tuple[str, ...]:
    """The contract parts the check of ``claim_id`` judges (every check registered first)."""
    if claim_id not in CHECK_PARTS:
        check_coverage()
    if claim_id not in CHECK_PARTS:
        raise KeyError(f"no check registered for claim id {claim_id!r}")
    return CHECK_PARTS[claim_id]
