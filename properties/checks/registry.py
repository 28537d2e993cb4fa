"""The check registry: one check per claim id, and the contract parts each check uses.

A check module in ``recmech/properties/checks/`` decorates each check::

    @register_check("lemma3", parts=("compute",))
    def check_lemma3(*, subject: Subject, budget: Budget) -> Verdict: ...

and is listed in ``recmech.properties.checks.CHECK_MODULES``. A check takes keyword arguments
only: ``subject`` (the implementation under test, every part resolved once:
``recmech.properties.subject``), ``budget`` (the profile's sizes and named seeds:
``recmech.properties.profiles``) and, for a claim that depends on open points of the paper,
``readings`` (open point -> reading name: ``recmech.properties.readings``). It returns a
:class:`Verdict` (or a list of them, the first being the claim's headline verdict).

A project claim (``project.*``: an inequality recmech's own code or docstrings assert) is
registered with its register entry:
``register_check("project.x", parts=(), entry=ClaimEntry(...))``.

``parts`` declares which parts of the contract (``recmech.properties.contract.PARTS``) the check
judges when the implementation provides them; a check whose implementation provides none of its
parts is skipped by the guard, never passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from recmech.bounds.registry import ClaimEntry
from recmech.properties.contract import CHECK_PARTS_ALLOWED
from recmech.properties.profiles import Budget, budget
from recmech.properties.readings import CLAIM_POINTS, POINTS, default_readings
from recmech.properties.subject import Subject
from recmech.properties.verdict import Verdict

__all__ = ["CHECKS", "CHECK_PARTS", "PROJECT_ENTRIES", "register_check", "run_check",
           "run_check_verdicts"]

CheckFn = Callable[..., "list[Verdict] | Verdict"]
CHECKS: dict[str, CheckFn] = {}
CHECK_PARTS: dict[str, tuple[str, ...]] = {}
PROJECT_ENTRIES: dict[str, ClaimEntry] = {}


def register_check(claim_id: str, *, parts: tuple[str, ...] = ("compute",),
                   entry: ClaimEntry | None = None) -> Callable[[CheckFn], CheckFn]:
    """Decorator registering ``fn`` as the check of ``claim_id`` (one check per id), judging the
    contract ``parts`` (a subset of ``CHECK_PARTS_ALLOWED``); a project claim brings its
    register ``entry``."""
    if not isinstance(claim_id, str) or not claim_id:
        raise ValueError(f"claim_id must be a non-empty string; found {claim_id!r}")
    if claim_id.startswith("project.") != (entry is not None) or (
            entry is not None and entry.claim_id != claim_id):
        raise ValueError(f"a project claim (project.*) and only it brings its register entry; "
                         f"found claim_id {claim_id!r} with entry {entry!r}")
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
        if entry is not None:
            PROJECT_ENTRIES[claim_id] = entry
        return fn

    return decorate


def _as_subject(impl: Any) -> Subject:
    return impl if isinstance(impl, Subject) else Subject(impl)


def run_check_verdicts(claim_id: str, impl: Any = None, profile: str | Budget = "quick",
                       readings: Mapping[str, str] | None = None) -> list[Verdict]:
    """Run the registered check of ``claim_id`` on ``impl`` (None: the reference; or a
    ``Subject``) under ``profile`` and the reading assignment ``readings`` (default: the default
    reading of each open point the claim uses); return all its verdicts (headline first)."""
    import recmech.properties.checks  # noqa: F401  (registers every check module)

    if claim_id not in CHECKS:
        raise KeyError(f"no check registered for claim id {claim_id!r}; "
                       f"registered: {sorted(CHECKS)}")
    plan = profile if isinstance(profile, Budget) else budget(profile)
    points = CLAIM_POINTS.get(claim_id, ())
    chosen = {**default_readings(claim_id), **dict(readings or {})}
    for point, name in chosen.items():
        if point not in points or name not in {r.name for r in POINTS[point].readings}:
            valid = {p: [r.name for r in POINTS[p].readings] for p in points}
            raise ValueError(f"claim {claim_id!r} has no reading {name!r} of {point!r}; its "
                             f"readings: {valid or 'none'}")
    extra = {"readings": chosen} if points else {}
    result = CHECKS[claim_id](subject=_as_subject(impl), budget=plan, **extra)
    results = result if isinstance(result, list) else [result]
    if not results:
        raise ValueError(f"check of {claim_id!r} returned an empty list of verdicts")
    for r in results:
        if not isinstance(r, Verdict):
            raise TypeError(f"check of {claim_id!r} must return a Verdict; "
                            f"found {type(r).__name__}")
    return results


def run_check(claim_id: str, impl: Any = None, profile: str | Budget = "quick",
              readings: Mapping[str, str] | None = None) -> Verdict:
    """Run the registered check of ``claim_id`` and return its headline verdict."""
    return run_check_verdicts(claim_id, impl, profile, readings)[0]
