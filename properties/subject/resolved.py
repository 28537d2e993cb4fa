"""The subject of a check: the implementation under test, with every part resolved once.

A check never asks "is this the reference or someone else's?": it asks its ``Subject``. Each part
of the contract (``recmech.properties.subject.contract``) is the implementation's where it provides
it,
else the reference's; the family methods below (protocols, value queries, least squares,
mechanisms) take the reference's exact internal path when the family's parts are all the
reference's, and the outside-only path of ``recmech.properties.subject.outside`` otherwise. The
choice is
made here, once per family, so the reference's verdicts never depend on the adapters and an
outside part is always judged from outside.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

from recmech.properties.subject.calls import CALL_TIME_LIMIT, guarded_part
from recmech.properties.subject.contract import PARTS, provides
from recmech.properties.subject.outside import (
    ComposedProtocol,
    OutsideMechanism,
    bisection_error,
    external_worst_error,
    pinv_from_least_squares,
    value_oracle,
    worst_vertex_oracle,
)

__all__ = ["REFERENCE_NAME", "Subject", "implementation_name", "reference_implementation"]

REFERENCE_NAME = "reference"
PROTOCOL_PARTS = ("query_protocol", "value_queries", "least_squares")
MECHANISM_PARTS = ("robustify", "latent_mechanism")


def _reference_value_queries(oracle, items, rows, inf_norm, eps, eta) -> np.ndarray:
    from recmech.core.queries import noisy_value_queries, search_plan

    return noisy_value_queries(oracle, search_plan(rows, items, inf_norm, eps, eta))


def _reference_least_squares(B, Y) -> np.ndarray:  # noqa: N803 - the paper's names
    from recmech.core.queries import LeastSquares

    return LeastSquares(B).pinv @ np.asarray(Y, dtype=float)


def _reference_query_protocol(design, eps, setting, eta=None):
    from recmech.core.protocols import protocol_for

    return protocol_for(setting, design, eps, eta)


def _reference_adaptive_protocol(design, eps, delta, eta=0.0):
    from recmech.core.protocols import protocol_for

    return protocol_for("adaptive", design, eps, delta=delta, eta=eta)


def _reference_latent_mechanism(A, valuations, laws):  # noqa: N803
    from recmech.core.optimal import TabularMechanism

    return TabularMechanism.from_lp(A, valuations, laws)


def reference_implementation() -> SimpleNamespace:
    """Every part of the contract, from ``recmech.bounds`` and ``recmech.core`` (a new namespace
    each call: a caller may replace parts of it)."""
    from recmech.bounds import compute
    from recmech.core.influence import influence_matrix, spectral_norm
    from recmech.core.robust import RobustifiedMechanism

    return SimpleNamespace(
        compute=compute, value_queries=_reference_value_queries,
        least_squares=_reference_least_squares, query_protocol=_reference_query_protocol,
        adaptive_protocol=_reference_adaptive_protocol,
        robustify=RobustifiedMechanism, latent_mechanism=_reference_latent_mechanism,
        influence_matrix=influence_matrix, spectral_norm=spectral_norm)


@functools.lru_cache(maxsize=1)
def _reference() -> SimpleNamespace:
    return reference_implementation()


def implementation_name(obj: Any) -> str:
    """A readable name for ``obj`` (the reference for None): a module's path, a class's or
    function's qualified name, for a namespace or instance the module its parts come from."""
    if obj is None:
        return REFERENCE_NAME
    if isinstance(obj, ModuleType):
        return obj.__name__
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if isinstance(name, str):
        return f"{getattr(obj, '__module__', '') or ''}.{name}".lstrip(".")
    # a namespace or instance: named by the module path its parts come from
    for part in PARTS:
        module = getattr(getattr(obj, part, None), "__module__", None)
        if provides(obj, part) and isinstance(module, str) and module != "builtins":
            return module
    return f"{type(obj).__module__}.{type(obj).__qualname__} instance"


class Subject:
    """The implementation under test as the checks see it (None: the reference).

    Every outside part is called through ``recmech.properties.subject.calls.guarded_part``: under a
    time
    limit of ``time_limit`` seconds per call (None: none), its answer checked against the
    contract and copied, and any failure raised as a ``PartError`` naming the part and the
    input. The reference's parts are called directly.
    """

    def __init__(self, impl: Any = None, name: str | None = None,
                 time_limit: float | None = CALL_TIME_LIMIT) -> None:
        self.impl = impl
        self.name = name or implementation_name(impl)
        self.time_limit = time_limit
        self._outside = {p: guarded_part(p, getattr(impl, p), time_limit) for p in PARTS
                         if p not in ("compute", "bounds") and provides(impl, p)}
        self.compute = self._dispatch_compute()

    # -- parts -------------------------------------------------------------------------------

    @property
    def is_reference(self) -> bool:
        return self.impl is None

    def outside(self, part: str) -> Callable | None:
        """The implementation's ``part`` if it provides it, else None."""
        if part not in PARTS:
            raise ValueError(f"part must be one of {tuple(PARTS)}; found {part!r}")
        return self._outside.get(part)

    def part(self, part: str) -> Callable:
        """The implementation's ``part``, else the reference's."""
        if part == "compute":
            return self.compute
        return self.outside(part) or getattr(_reference(), part)

    def uses(self, parts: tuple[str, ...], claim_id: str | None = None) -> tuple[str, ...]:
        """Which of ``parts`` the implementation provides (all of them for the reference)."""
        if self.impl is None:
            return parts
        return tuple(p for p in parts if provides(self.impl, p, claim_id))

    def _dispatch_compute(self) -> Callable[..., Any]:
        """compute(claim_id, **params) routed to ``impl.bounds[claim_id]``, else
        ``impl.compute``, else the reference calculator."""
        table = getattr(self.impl, "bounds", None) if provides(self.impl, "bounds") else {}
        own = getattr(self.impl, "compute", None) if self.impl is not None else None
        fallback = _reference().compute
        if not table and not callable(own):
            return fallback
        limit = self.time_limit
        mapped = {cid: guarded_part("bounds", fn, limit, label=f"bounds[{cid!r}]")
                  for cid, fn in table.items()}
        own = guarded_part("compute", own, limit) if callable(own) else None

        def compute(claim_id: str, **params: Any) -> Any:
            if claim_id in mapped:
                return mapped[claim_id](**params)
            if own is not None:
                return own(claim_id, **params)
            return fallback(claim_id, **params)

        return compute

    # -- protocols (Def. 3, Thm. 2, Prop. 1 (1)) ---------------------------------------------

    def _protocol(self, proto):
        """The implementation's protocol for the instance of the reference ``proto``, or None
        when it provides none of the protocol parts (the reference's exact path)."""
        factory = self.outside("query_protocol")
        if factory is not None:
            return factory(proto.design, proto.eps, proto.setting, eta=proto.eta)
        vq, ls = self.outside("value_queries"), self.outside("least_squares")
        if vq is None and ls is None:
            return None
        return ComposedProtocol(proto, self.part("value_queries"), self.part("least_squares"))

    def protocol_error(self, proto, z: np.ndarray, eta_o: float) -> dict:
        """``{"error": ||z - Q(t)||_inf, "bound": certified delta or None}`` for the worst type t
        within eps of Az (and an eta_o-noisy oracle pushing the same way). The reference runs
        ``proto`` on the vertex its own pseudo-inverse picks (bound left to the caller); an
        outside protocol is judged on the items it queries, against the certified delta
        ||P||_inf (eps + eta + eta_o) of the block it queried."""
        runner = self._protocol(proto)
        if runner is None:
            oracle = worst_vertex_oracle(proto.design, proto.items, proto.pinv, proto.eps, z,
                                         eta_o)
            return {"error": float(np.max(np.abs(proto.run(oracle).z_hat - z))), "bound": None}
        return external_worst_error(runner, proto.design, z, proto.eps, proto.eta, eta_o,
                                    self.compute)

    def value_query(self, A_inf: float, eps: float, eta: float, t_j: float,  # noqa: N803
                    eta_o: float, adversary: str) -> tuple[float, int]:
        """(|value - t_j|, price queries) of one noisy value query for an item of value t_j with
        row [A_inf] (so ||A||_inf = A_inf): the reference bisection of ``search_plan``, or the
        implementation's ``value_queries`` with its queries counted at the oracle."""
        from recmech.core.queries import search_plan

        row = np.array([[A_inf]])
        under_test = self.outside("value_queries")
        if under_test is None:
            plan = search_plan(row, [0], A_inf, eps, eta)
            return bisection_error(plan, t_j, eta_o, adversary), plan.q
        oracle = value_oracle(t_j, eta_o, adversary)
        values = under_test(oracle, items=np.array([0]), rows=row, inf_norm=A_inf, eps=eps,
                            eta=eta)
        value = np.asarray(values, dtype=float).reshape(-1)
        if value.shape != (1,):
            raise ValueError(f"value_queries returned {value.shape[0]} values for 1 item")
        return abs(float(value[0]) - t_j), int(oracle.queries)

    def pseudo_inverses(self, B: np.ndarray) -> np.ndarray:
        """definition: P = (B^T B)^{-1} B^T for a batch of blocks (b, l, k): numpy's pinv for the
        reference, read off the implementation's least squares otherwise, in memory bounded by b k l
        plus one call's worth (``recmech.properties.subject.outside.pinv_from_least_squares``)."""
        ls = self.outside("least_squares")
        return np.linalg.pinv(B) if ls is None else pinv_from_least_squares(ls, B)

    # -- mechanisms (Lemma 2, Thm. 1, Prop. 1) -----------------------------------------------

    def inner_mechanism(self, A, valuations, laws):  # noqa: N803
        """M_hat (the implementation's ``latent_mechanism`` or the reference LP mechanism) and
        its revenue REV(M_hat, F_hat) on truthful model types."""
        from recmech.core.measure import Population, direct_report
        from recmech.core.optimal import TabularMechanism

        factory = self.outside("latent_mechanism")
        if factory is None:
            mech = TabularMechanism.from_lp(A, valuations, laws)
            return mech, float(mech.lp.revenue)
        mech = OutsideMechanism(factory(A, valuations, laws), A, valuations)
        pops = [Population.latent(law, A) for law in laws]
        return mech, direct_report(mech, pops).revenue

    def robust_report(self, inner, laws, delta: float, pops):
        """Exact revenue, kappa and IR of M_tilde (the implementation's ``robustify`` if any)
        around ``inner``, over the misreport grid of the reference M_tilde (a property of the
        instance: laws, delta and reports) plus a report no cell of the model reaches."""
        from recmech.core.measure import direct_report, misreport_grid, robust_report
        from recmech.core.robust import RobustifiedMechanism

        make = self.outside("robustify")
        ref = RobustifiedMechanism(inner, laws, delta)
        if make is None:
            return robust_report(ref, pops)
        mech = OutsideMechanism(make(inner, laws, delta), inner.A, inner.valuations)
        reports = np.vstack([p.reports for p in pops])
        bases = ref.breakpoints(reports)
        far = np.full((1, inner.k), 10.0)
        cands = [np.vstack([misreport_grid(ref, i, bases), far]) for i in range(inner.m)]
        return direct_report(mech, pops, candidates=cands)

    @property
    def mechanism_is_reference(self) -> bool:
        return all(self.outside(p) is None for p in MECHANISM_PARTS)
