"""The registry of part judgements and their budgets (their searches: ``worst_case``).

A judgement module decorates each judgement::

    @register_part("part.least_squares", part="least_squares")
    def judge_least_squares(*, subject: Subject, budget: Budget) -> Verdict: ...

It is run only when the implementation provides ``part`` (for calculators: provides ``compute``
for ``claim_id``); it returns a ``Verdict`` whose ``verdict`` is "holds" or "fails-as-stated",
with the input, both outputs, the difference and the tolerance as its counterexample.

Budgets: the profiles (``recmech.properties.judging.profiles``) name the claim checks' sizes; the
part
judgements keep theirs here (``PART_SIZES``, quick and thorough; dev uses quick), read through
``part_size`` (a budget's own ``sizes`` win when they name the key).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from recmech.properties.claims.verdict import Verdict
from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.strategies import seeded_searches, worst_case
from recmech.properties.subject.calls import PartError
from recmech.properties.subject.resolved import Subject

__all__ = ["PART_CHECKS", "PART_SIZES", "PartCheck", "Worst", "part_check", "part_check_ids",
           "part_size", "register_part", "run_part_check"]

PART_SIZES: dict[str, dict[str, Any]] = {
    "quick": {"least_squares.search": 40, "spectral_norm.search": 40,
              "influence_matrix.search": 25, "value_queries.search": 25,
              "query_protocol.instances": 10, "robustify.instances": 3,
              "latent_mechanism.instances": 3, "compute.search": 12},
    "thorough": {"least_squares.search": 1000, "spectral_norm.search": 1000,
                 "influence_matrix.search": 400, "value_queries.search": 600,
                 "query_protocol.instances": 80, "robustify.instances": 12,
                 "latent_mechanism.instances": 10, "compute.search": 300},
}


@dataclass(frozen=True, kw_only=True)
class PartCheck:
    """One judgement: its id, the contract part it judges (and, for a calculator, the claim id),
    its kind ("differential", "tightness") and the function."""

    check_id: str
    part: str
    fn: Callable[..., Verdict]
    claim_id: str | None = None
    kind: str = "differential"

    def to_dict(self) -> dict:
        return {"check_id": self.check_id, "part": self.part, "claim_id": self.claim_id,
                "kind": self.kind}


PART_CHECKS: dict[str, PartCheck] = {}


def register_part(check_id: str, *, part: str, claim_id: str | None = None,
                  kind: str = "differential") -> Callable:
    """Decorator registering a judgement of ``part`` under ``check_id`` (one per id)."""
    if not check_id.startswith(("part.", "tight.")):
        raise ValueError(f"check_id must start with 'part.' or 'tight.'; found {check_id!r}")

    def decorate(fn: Callable[..., Verdict]) -> Callable[..., Verdict]:
        old = PART_CHECKS.get(check_id)
        if old is not None and old.fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"{check_id!r} is already registered by {old.fn.__qualname__}")
        PART_CHECKS[check_id] = PartCheck(check_id=check_id, part=part, fn=fn,
                                          claim_id=claim_id, kind=kind)
        return fn

    return decorate


def part_check_ids() -> list[str]:
    """Every judgement id: ``part.*`` by part, then ``part.compute.*`` and ``tight.*`` in the
    claim register's order."""
    import recmech.properties.guard.parts  # noqa: F401  (registers every judgement)

    return list(PART_CHECKS)


def part_check(check_id: str) -> PartCheck:
    """The judgement ``check_id``; ValueError listing the known ids otherwise."""
    ids = part_check_ids()
    if check_id not in PART_CHECKS:
        raise ValueError(f"unknown part judgement {check_id!r}; known: {', '.join(ids)}")
    return PART_CHECKS[check_id]


def part_size(budget: Budget, name: str) -> Any:
    """The size ``name`` of a part judgement under ``budget`` (module docstring)."""
    key = f"part.{name}"
    if key in budget.sizes:
        return budget.sizes[key]
    table = PART_SIZES["thorough" if budget.name == "thorough" else "quick"]
    if name not in table:
        raise KeyError(f"no part-judgement size {name!r}; sizes: {sorted(table)}")
    return table[name]


def run_part_check(check_id: str, subject: Subject, budget: Budget) -> Verdict:
    """Run the judgement ``check_id`` on ``subject`` under ``budget``; its searches are seeded
    from its id (and the run seed), like a claim check's chunk: the same verdict in every
    process and profile."""
    with seeded_searches(f"{check_id}|judgement"):
        verdict = part_check(check_id).fn(subject=subject, budget=budget)
    if not isinstance(verdict, Verdict):
        raise TypeError(f"judgement {check_id!r} must return a Verdict; found "
                        f"{type(verdict).__name__}")
    return verdict


class Worst:
    """definition: The worst case of a judgement: the largest score (difference / tolerance; > 1
    fails) over
    the inputs the part answered, and the ``PartError``s it raised (refusals, bad answers)."""

    def __init__(self, check_id: str) -> None:
        self.check_id = check_id
        self.score, self.detail, self.count = -math.inf, None, 0
        self.error: PartError | None = None
        self.errors = 0
        self.timed_out = False

    def see(self, score: float, detail: dict) -> float:
        self.count += 1
        score = float(score)
        if math.isnan(score):
            score = math.inf
        if score > self.score:
            self.score, self.detail = score, detail
        return score

    def run(self, fn: Callable[[], tuple[float, dict]]) -> float:
        """Score one input: ``fn()`` gives (score, detail). A ``PartError`` fails the judgement
        and is reported, and judging goes on: a part that refuses a 1 x 1 or a zero matrix is
        still judged on every other input. Only after a time-limit overrun is the part not
        called again (a hanging part costs one time limit, not one per input)."""
        if self.timed_out:
            return math.inf
        try:
            score, detail = fn()
        except PartError as exc:
            self.errors += 1
            if self.error is None:
                self.error = exc
            self.timed_out = "time limit" in exc.problem
            self.count += 1
            return math.inf
        return self.see(score, detail)

    def over(self, cases: Iterable[Any], strategy: Any, score: Callable[[Any], tuple[float, dict]],
             max_examples: int, label: str) -> None:
        """Score every fixed case, then the draws of a targeted search (``worst_case``, seeded
        by ``run_part_check``) maximising the same score."""
        for case in cases:
            self.run(lambda case=case: score(case))
        worst_case(strategy, lambda case: self.run(lambda: score(case)), max_examples, label)

    @property
    def failed(self) -> bool:
        return self.error is not None or self.score > 1.0

    def verdict(self, notes: str, extra: dict | None = None) -> Verdict:
        ok = not self.failed
        if self.error is not None:
            # the refusal, and how the part fared on the inputs it answered
            detail = {"error": str(self.error), "errors": self.errors,
                      "worst_answered": self.detail,
                      "worst_answered_score": self.score if math.isfinite(self.score) else None}
        else:
            detail = self.detail
        observed = self.score if math.isfinite(self.score) else None
        return Verdict.exact(
            self.check_id, ok, instances=self.count, counterexample=detail,
            observed=observed, bound=1.0, instance=detail or {}, notes=notes, extra=extra or {})
