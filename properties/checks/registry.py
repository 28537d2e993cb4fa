"""The check registry: one check per claim id, and the contract parts each check uses.

A check module in ``recmech/properties/checks/`` decorates each check::

    @register_check("lemma3", parts=("compute",))
    def check_lemma3(*, subject: Subject, budget: Budget) -> Verdict: ...

and is listed in ``recmech.properties.checks.CHECK_MODULES``. A check takes keyword arguments
only: ``subject`` (the implementation under test, every part resolved once:
``recmech.properties.subject``) and ``budget`` (the profile's sizes and named seeds:
``recmech.properties.profiles``). It returns a :class:`Verdict` (or a list of them, the first
being the claim's headline verdict).

``parts`` declares which parts of the contract (``recmech.properties.contract.PARTS``) the check
judges when the implementation provides them; a check whose implementation provides none of its
parts is skipped by the guard, never passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from recmech.properties.contract import CHECK_PARTS_ALLOWED
from recmech.properties.profiles import Budget, budget
from recmech.properties.subject import Subject
from recmech.properties.verdict import Verdict

__all__ = ["CHECKS", "CHECK_PARTS", "register_check", "run_check", "run_check_verdicts"]

CheckFn = Callable[..., "list[Verdict] | Verdict"]
CHECKS: dict[str, CheckFn] = {}
CHECK_PARTS: dict[str, tuple[str, ...]] = {}


def register_check(claim_id: str, *, parts: tuple[str, ...] = ("compute",)
                   ) -> Callable[[CheckFn], CheckFn]:
    """Decorator registering ``fn`` as the check of ``claim_id`` (one check per id), judging the
    contract ``parts`` (a subset of ``CHECK_PARTS_ALLOWED``)."""
    if not isinstance(claim_id, str) or not claim_id:
        raise ValueError(f"claim_id must be a non-empty string; found {claim_id!r}")
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


def _as_subject(impl: Any) -> Subject:
    return impl if isinstance(impl, Subject) else Subject(impl)


def run_check_verdicts(claim_id: str, impl: Any = None, profile: str | Budget = "quick"
                       ) -> list[Verdict]:
    """Run the registered check of ``claim_id`` on ``impl`` (None: the reference; or a
    ``Subject``) under ``profile``; return all its verdicts (headline first)."""
    import recmech.properties.checks  # noqa: F401  (registers every check module)

    if claim_id not in CHECKS:
        raise KeyError(f"no check registered for claim id {claim_id!r}; "
                       f"registered: {sorted(CHECKS)}")
    plan = profile if isinstance(profile, Budget) else budget(profile)
    result = CHECKS[claim_id](subject=_as_subject(impl), budget=plan)
    results = result if isinstance(result, list) else [result]
    if not results:
        raise ValueError(f"check of {claim_id!r} returned an empty list of verdicts")
    for r in results:
        if not isinstance(r, Verdict):
            raise TypeError(f"check of {claim_id!r} must return a Verdict; "
                            f"found {type(r).__name__}")
    return results


def run_check(claim_id: str, impl: Any = None, profile: str | Budget = "quick") -> Verdict:
    """Run the registered check of ``claim_id`` and return its headline verdict."""
    return run_check_verdicts(claim_id, impl, profile)[0]
