"""The check registry: one check per claim id, found by name, and the implementation parts it uses.

To add checks, write a module in ``properties/checks/`` and decorate each check::

    @register_check("lemma3", parts=("compute",))
    def check_lemma3(*, impl=None, profile="quick") -> Verdict: ...

and list the module in ``recmech.properties.checks.CHECK_MODULES``. A check takes keyword arguments only:
``impl`` (an object providing parts of the implementation under test; ``None`` means the
reference) and ``profile`` ("quick": a few seconds; "thorough": the large sweeps). It returns a
:class:`Verdict` (or a list of them, the first being the claim's headline verdict).

``parts`` declares which parts of the implementation contract (``PARTS``, documented in
``recmech.properties.guard``) the check swaps in when ``impl`` provides them; every other part stays the
reference. A check whose implementation provides none of its parts is skipped by the guard, never
passed. The default ``("compute",)`` fits a check that only reads bound calculators.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np

from recmech.properties.verdict import Verdict

PROFILES = ("quick", "thorough")

# the implementation contract: part name -> one line (the full contract is in recmech.properties.guard)
PARTS: dict[str, str] = {
    "compute": "compute(claim_id, **params) -> BoundRecord, or bounds = {claim_id: fn(**params)}",
    "value_queries": "value_queries(oracle, items, rows, inf_norm, eps, eta) -> values (binary "
                     "search with price queries, Thm. 2 proof)",
    "least_squares": "least_squares(B, Y) -> argmin_Z ||B Z - Y||_2 (unclipped)",
    "query_protocol": "query_protocol(design, eps, setting, eta=None) -> object with run(oracle)",
    "robustify": "robustify(inner, laws, delta) -> latent mechanism M_tilde (Lemma 2)",
    "latent_mechanism": "latent_mechanism(A, valuations, laws) -> latent mechanism M_hat",
    "influence_matrix": "influence_matrix(law) -> INF(X) (Definition 2)",
    "spectral_norm": "spectral_norm(matrix) -> ||matrix||_2",
}

CheckFn = Callable[..., "list[Verdict] | Verdict"]
CHECKS: dict[str, CheckFn] = {}
CHECK_PARTS: dict[str, tuple[str, ...]] = {}


def register_check(claim_id: str, *, parts: tuple[str, ...] = ("compute",)
                   ) -> Callable[[CheckFn], CheckFn]:
    """Decorator registering ``fn`` as the check of ``claim_id`` (one check per id), using the
    implementation ``parts`` (a subset of ``PARTS``)."""
    if not isinstance(claim_id, str) or not claim_id:
        raise ValueError(f"claim_id must be a non-empty string; found {claim_id!r}")
    unknown = [p for p in parts if p not in PARTS]
    if isinstance(parts, str) or unknown:
        raise ValueError(f"parts must be a tuple of names from {tuple(PARTS)}; found {parts!r}")

    def decorate(fn: CheckFn) -> CheckFn:
        previous = CHECKS.get(claim_id)
        if previous is not None and previous.__qualname__ != fn.__qualname__:
            raise ValueError(f"claim_id {claim_id!r} already has a check: {previous.__qualname__}")
        CHECKS[claim_id] = fn
        CHECK_PARTS[claim_id] = tuple(parts)
        return fn

    return decorate


# -- the reference implementation: every part, from bounds and recmech_core --------------------

def _reference_value_queries(oracle, items, rows, inf_norm, eps, eta) -> np.ndarray:
    from recmech.core.queries import noisy_value_queries, search_plan

    return noisy_value_queries(oracle, search_plan(rows, items, inf_norm, eps, eta))


def _reference_least_squares(B, Y) -> np.ndarray:  # noqa: N803 - the paper's names
    from recmech.core.queries import LeastSquares

    return LeastSquares(B).pinv @ np.asarray(Y, dtype=float)


def _reference_query_protocol(design, eps, setting, eta=None, S=None):  # noqa: N803
    from recmech.core import protocols

    factories = {"deterministic": protocols.deterministic_protocol,
                 "gaussian": protocols.gaussian_protocol,
                 "weak_dependence": protocols.weak_dependence_protocol,
                 "pivoted": protocols.pivoted_protocol}
    if setting not in factories:
        raise ValueError(f"setting must be one of {tuple(factories)}; found {setting!r}")
    extra = {"S": S} if S is not None and setting in ("gaussian", "weak_dependence") else {}
    return factories[setting](design, eps, eta=eta, **extra)


def _reference_latent_mechanism(A, valuations, laws):  # noqa: N803
    from recmech.core.optimal import TabularMechanism

    return TabularMechanism.from_lp(A, valuations, laws)


def reference_implementation() -> SimpleNamespace:
    """Every part of the contract, from ``recmech.bounds`` and ``recmech.core``."""
    from recmech.bounds import compute
    from recmech.core.influence import influence_matrix, spectral_norm
    from recmech.core.robust import RobustifiedMechanism

    return SimpleNamespace(
        compute=compute, value_queries=_reference_value_queries,
        least_squares=_reference_least_squares, query_protocol=_reference_query_protocol,
        robustify=RobustifiedMechanism, latent_mechanism=_reference_latent_mechanism,
        influence_matrix=influence_matrix, spectral_norm=spectral_norm)


@functools.lru_cache(maxsize=1)
def reference_impl() -> SimpleNamespace:
    """The reference implementation (cached): what a check uses for a part ``impl`` lacks."""
    return reference_implementation()


def _bounds_map(impl: Any) -> Mapping:
    table = getattr(impl, "bounds", None)
    return table if isinstance(table, Mapping) else {}


def provides(impl: Any, name: str, claim_id: str | None = None) -> bool:
    """Whether ``impl`` provides the part ``name`` (for ``compute``: for ``claim_id``)."""
    if name not in PARTS:
        raise ValueError(f"name must be one of {tuple(PARTS)}; found {name!r}")
    if impl is None:
        return False
    if name == "compute":
        if callable(getattr(impl, "compute", None)):
            return True
        table = _bounds_map(impl)
        return bool(table) if claim_id is None else claim_id in table
    return callable(getattr(impl, name, None))


def external_part(impl: Any, name: str) -> Any:
    """``impl.name`` if ``impl`` provides it, else None: a check takes its reference path on None
    (so the reference's verdicts never depend on the guard's adapters)."""
    return getattr(impl, name) if provides(impl, name) else None


def _dispatch_compute(impl: Any) -> Callable[..., Any]:
    """compute(claim_id, **params) routed to ``impl.bounds[claim_id]``, else ``impl.compute``,
    else the reference calculator."""
    table = _bounds_map(impl)
    own = getattr(impl, "compute", None)
    fallback = reference_impl().compute

    def compute(claim_id: str, **params: Any) -> Any:
        if claim_id in table:
            return table[claim_id](**params)
        if callable(own):
            return own(claim_id, **params)
        return fallback(claim_id, **params)

    return compute


def impl_part(impl: Any, name: str) -> Any:
    """``impl.name`` if ``impl`` provides it, else the reference part of that name (``compute``
    also honours a ``bounds`` mapping of per-claim calculators)."""
    if name == "compute" and impl is not None and (
            callable(getattr(impl, "compute", None)) or _bounds_map(impl)):
        return _dispatch_compute(impl)
    if impl is not None and name != "compute" and provides(impl, name):
        return getattr(impl, name)
    return getattr(reference_impl(), name)


def parts_of(claim_id: str) -> tuple[str, ...]:
    """The implementation parts the check of ``claim_id`` uses."""
    import recmech.properties.checks  # noqa: F401

    if claim_id not in CHECK_PARTS:
        raise KeyError(f"no check registered for claim id {claim_id!r}; "
                       f"registered: {sorted(CHECKS)}")
    return CHECK_PARTS[claim_id]


def run_check_verdicts(claim_id: str, impl: Any = None, profile: str = "quick") -> list[Verdict]:
    """Run the registered check of ``claim_id`` and return all its verdicts (headline first)."""
    import recmech.properties.checks  # noqa: F401  (registers every available check module)

    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}; found {profile!r}")
    if claim_id not in CHECKS:
        raise KeyError(f"no check registered for claim id {claim_id!r}; "
                       f"registered: {sorted(CHECKS)}")
    result = CHECKS[claim_id](impl=impl, profile=profile)
    results = result if isinstance(result, list) else [result]
    if not results:
        raise ValueError(f"check of {claim_id!r} returned an empty list of verdicts")
    for r in results:
        if not isinstance(r, Verdict):
            raise TypeError(f"check of {claim_id!r} must return a Verdict; "
                            f"found {type(r).__name__}")
    return results


def run_check(claim_id: str, impl: Any = None, profile: str = "quick") -> Verdict:
    """Run the registered check of ``claim_id`` and return its headline verdict."""
    return run_check_verdicts(claim_id, impl, profile)[0]


def all_claim_ids() -> list[str]:
    """Every claim id with a registered check, sorted."""
    import recmech.properties.checks  # noqa: F401

    return sorted(CHECKS)
