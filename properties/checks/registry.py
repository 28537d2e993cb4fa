"""The check registry: one check per claim id, found by name.

To add checks, write a module in ``properties/checks/`` and decorate each check::

    @register_check("lemma3")
    def check_lemma3(*, impl=None, profile="quick") -> Verdict: ...

and list the module in ``properties.checks.CHECK_MODULES``. A check takes keyword arguments only:
``impl`` (an object providing parts of the implementation under test, e.g. ``compute`` for the
bound calculators or ``influence_matrix``; ``None`` means the reference) and ``profile``
("quick": a few seconds; "thorough": the large sweeps). It returns a :class:`Verdict` (or a list
of them, the first being the claim's headline verdict).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from properties.verdict import Verdict

PROFILES = ("quick", "thorough")

CheckFn = Callable[..., "list[Verdict] | Verdict"]
CHECKS: dict[str, CheckFn] = {}


def register_check(claim_id: str) -> Callable[[CheckFn], CheckFn]:
    """Decorator registering ``fn`` as the check of ``claim_id`` (one check per id)."""
    if not isinstance(claim_id, str) or not claim_id:
        raise ValueError(f"claim_id must be a non-empty string; found {claim_id!r}")

    def decorate(fn: CheckFn) -> CheckFn:
        previous = CHECKS.get(claim_id)
        if previous is not None and previous.__qualname__ != fn.__qualname__:
            raise ValueError(f"claim_id {claim_id!r} already has a check: {previous.__qualname__}")
        CHECKS[claim_id] = fn
        return fn

    return decorate


def reference_impl() -> SimpleNamespace:
    """The reference implementation parts used by the checks of this package."""
    from bounds import compute
    from recmech_core.influence import influence_matrix, spectral_norm

    return SimpleNamespace(compute=compute, influence_matrix=influence_matrix,
                           spectral_norm=spectral_norm)


def impl_part(impl: Any, name: str) -> Any:
    """``impl.name`` if ``impl`` provides it, else the reference part of that name."""
    if impl is not None and hasattr(impl, name):
        return getattr(impl, name)
    return getattr(reference_impl(), name)


def run_check(claim_id: str, impl: Any = None, profile: str = "quick") -> Verdict:
    """Run the registered check of ``claim_id`` and return its headline verdict."""
    import properties.checks  # noqa: F401  (registers every available check module)

    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}; found {profile!r}")
    if claim_id not in CHECKS:
        raise KeyError(f"no check registered for claim id {claim_id!r}; "
                       f"registered: {sorted(CHECKS)}")
    result = CHECKS[claim_id](impl=impl, profile=profile)
    if isinstance(result, list):
        if not result:
            raise ValueError(f"check of {claim_id!r} returned an empty list of verdicts")
        result = result[0]
    if not isinstance(result, Verdict):
        raise TypeError(f"check of {claim_id!r} must return a Verdict; "
                        f"found {type(result).__name__}")
    return result


def all_claim_ids() -> list[str]:
    """Every claim id with a registered check, sorted."""
    import properties.checks  # noqa: F401

    return sorted(CHECKS)
