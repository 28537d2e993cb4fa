"""The guard: run the claim checks against another implementation of the paper's objects.

Cai-Daskalakis EC'22 (claim register CLAIMS.md). An *implementation* is any object (a module, a
``types.SimpleNamespace``, a class instance) that provides some of the parts of the contract
(``recmech.properties.subject.contract.PARTS``, written once there) as attributes. Every part is
optional; a claim whose check uses none of the parts the implementation provides is skipped with
the reason, never passed. Parts it lacks stay the reference's, so a check always tests exactly
the parts swapped in; each check sees the implementation through one ``Subject``
(``recmech.properties.subject.resolved``).

What "fails" means. The guard compares each claim's verdict with what the claim table expects
(``recmech.properties.claims.table.Claim.expected``), the same rule ``recmech report`` applies to
the
reference: "holds", "rate-only" for the O(.) claims, and for a claim whose printed statement is
false, the erratum's verdict (a faithful implementation reproduces the paper's error). For those
claims the check also reports the verdict of the *corrected* statement on the same instances
(``Verdict.corrected``), and the guard requires it to hold ("rate-only" for the
O(.) claims): otherwise every implementation would "fail" them, and a broken one would hide
behind the paper's own erratum. Any other verdict, "inconclusive" included, or an exception
raised by the implementation, is a failure.

Besides the claims, the guard judges each part directly (``recmech.properties.guard.parts``): where
the
mathematics fixes a part's output it is compared with the reference's on the same inputs, with a
tolerance derived from the input's conditioning; a bound calculator looser than the paper fails
as such; inputs are searched to make a difference show; metamorphic relations judge a part
against itself. Those records have ids ``part.<part>`` (``part.compute.<claim id>``) and
``tight.<claim id>``, run and listed in xfails files like claim ids, and pass when the
judgement "holds". Every outside part is called under a time limit (``time_limit`` seconds per
call, default ``recmech.properties.subject.calls.CALL_TIME_LIMIT``) with its answer checked: a part
that
raises, returns the wrong type or shape, NaN or inf, or hangs fails with its name and the input.

Entry points: ``check_implementation(obj, expected_failed_checks={claim_id: reason})`` (one call,
returns the records, raises ``GuardFailure`` on an unexpected failure, warns on an expected
failure that passes), ``parametrize_with_checks([obj])`` (one pytest test per claim id), and the
pytest plugin (``recmech.properties.guard.plugin``: ``--recmech-impl=pkg.module:attr`` /
``RECMECH_IMPL``).
Known deviations live in an xfails file (``read_xfails``): one claim id per line, then the reason.
"""

from __future__ import annotations

import importlib
import json
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from recmech.bounds.records import jsonable
from recmech.properties.claims.table import claim, claim_ids
from recmech.properties.claims.verdict import Verdict
from recmech.properties.engine.progress import Progress
from recmech.properties.judging.checks.registry import (
    chunk_specs,
    merge_chunks,
    parts_of,
    run_chunk,
)
from recmech.properties.judging.strategies import run_seed
from recmech.properties.subject.calls import CALL_TIME_LIMIT, PartError
from recmech.properties.subject.contract import PARTS, provided_parts, provides
from recmech.properties.subject.resolved import (
    REFERENCE_NAME,
    Subject,
    implementation_name,
    reference_implementation,
)

__all__ = ["STATUSES", "GuardFailure", "GuardResult", "ImplementationError", "UnexpectedPass",
           "assert_claim", "check_ids", "check_implementation", "guard_claim", "guard_part",
           "judge", "load_implementation", "parametrize_with_checks", "read_xfails",
           "reference_implementation", "resolve_xfails_path", "run_guard_task", "skip_reason"]

STATUSES = ("passed", "failed", "skipped", "xfailed", "xpassed")
XFAILS_DIR = Path(__file__).parent / "xfails"


class GuardFailure(AssertionError):
    """A claim failed that was not listed as an expected failure."""


class UnexpectedPass(UserWarning):
    """A claim listed as an expected failure passed: the listing is stale."""


class ImplementationError(ValueError):
    """The implementation named by RECMECH_IMPL / --recmech-impl cannot be used."""


def __getattr__(name: str) -> Any:
    # ``recmech.properties.guard.run:REFERENCE`` names the reference as an explicit target (every
    # part goes through the guard's outside-only paths); built on first use
    if name == "REFERENCE":
        return reference_implementation()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- loading an implementation -----------------------------------------------------------------

def load_implementation(spec: str | None) -> tuple[Any, str]:
    """``(object, name)`` for ``"pkg.module:attr"`` (attr may be dotted) or ``"pkg.module"``;
    ``None``, ``""`` or ``"reference"`` give ``(None, "reference")``, the reference."""
    if spec is None or not str(spec).strip() or str(spec).strip() == REFERENCE_NAME:
        return None, REFERENCE_NAME
    spec = str(spec).strip()
    module_name, _, attr = spec.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # any import failure is the user's target, reported as such
        raise ImplementationError(
            f"cannot import module {module_name!r} named by {spec!r} "
            f"({type(exc).__name__}: {exc}); expected 'pkg.module:attr' on the Python path"
        ) from exc
    for piece in filter(None, attr.split(".")):
        if not hasattr(obj, piece):
            raise ImplementationError(f"{spec!r}: {module_name!r} has no attribute path "
                                      f"{attr!r} (missing {piece!r})")
        obj = getattr(obj, piece)
    if not provided_parts(obj):
        raise ImplementationError(f"{spec!r} provides none of the contract's parts "
                                  f"({', '.join(PARTS)}); see recmech.properties.guard.run")
    return obj, spec


# -- judging one claim -------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class GuardResult:
    """One claim run against one implementation (scikit-learn's check record, with the verdict).

    ``status``: "passed", "failed", "skipped" (the implementation provides none of the claim's
    parts), "xfailed" (failed, and listed as expected to fail) or "xpassed" (listed, but passed).
    """

    claim_id: str
    implementation: str
    status: str
    expected: str
    reason: str
    verdict: Verdict | None = None
    parts_used: tuple[str, ...] = ()
    expected_to_fail_reason: str | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}; found {self.status!r}")

    @property
    def corrected_verdict(self) -> str | None:
        """The verdict of the corrected statement (None: no erratum, or no verdict)."""
        if self.verdict is None or self.verdict.corrected is None:
            return None
        return self.verdict.corrected.verdict

    @property
    def ok(self) -> bool:
        """Nothing to act on: passed, skipped or an expected failure."""
        return self.status in ("passed", "skipped", "xfailed")

    @classmethod
    def from_dict(cls, data: dict) -> GuardResult:
        """The record ``to_dict`` wrote (a guard task's result travels as JSON)."""
        verdict = data.get("verdict")
        return cls(claim_id=data["claim_id"], implementation=data["implementation"],
                   status=data["status"], expected=data["expected"], reason=data["reason"],
                   verdict=None if verdict is None else Verdict.from_dict(verdict),
                   parts_used=tuple(data.get("parts_used", ())),
                   expected_to_fail_reason=data.get("expected_to_fail_reason"),
                   seconds=float(data.get("seconds", 0.0)))

    def to_dict(self) -> dict:
        return jsonable({
            "claim_id": self.claim_id, "implementation": self.implementation,
            "status": self.status, "expected": self.expected,
            "verdict": None if self.verdict is None else self.verdict.to_dict(),
            "corrected_verdict": self.corrected_verdict, "parts_used": list(self.parts_used),
            "reason": self.reason, "expected_to_fail_reason": self.expected_to_fail_reason,
            "seconds": self.seconds})


def judge(claim_id: str, verdict: Verdict) -> tuple[bool, str]:
    """Whether ``verdict`` is what the claim table expects (module docstring), and why not."""
    row = claim(claim_id)
    problems = []
    if verdict.verdict != row.expected:
        problems.append(f"verdict {verdict.verdict!r}, the errata register expects "
                        f"{row.expected!r}")
    want = row.corrected_expected
    if want is not None:
        got = None if verdict.corrected is None else verdict.corrected.verdict
        if got is None:
            problems.append("the check reports no verdict for the corrected statement")
        elif got != want:
            problems.append(f"corrected statement gives {got!r}, expected {want!r} "
                            f"(corrected: {row.erratum.corrected_statement})")
    if not problems:
        fixed = f"; the corrected statement gives {want!r}" if want is not None else ""
        return True, f"verdict {verdict.verdict!r} as the register expects{fixed}"
    detail = (verdict.corrected.counterexample if verdict.corrected is not None else None) \
        or verdict.counterexample
    text = "; ".join(problems)
    if detail:
        text += f". Counterexample: {_short(detail)}"
    return False, text + (f". Notes: {verdict.notes}" if verdict.notes else "")


def _short(obj: Any, limit: int = 600) -> str:
    text = json.dumps(jsonable(obj))
    return text if len(text) <= limit else text[:limit] + " ..."


def skip_reason(claim_id: str, name: str, parts: Sequence[str]) -> str:
    """The reason a claim is skipped for an implementation that provides none of ``parts``."""
    if not parts:
        return (f"implementation {name} provides none of (), needed by claim {claim_id}: its "
                "check uses no implementation part (a statement about numbers only)")
    return (f"implementation {name} provides none of ({', '.join(parts)}), needed by claim "
            f"{claim_id}")


def check_ids() -> list[str]:
    """Every id the guard runs: the claim ids (register order), then the part judgements
    (``recmech.properties.guard.parts``: ``part.<part>``, ``part.compute.<claim id>``,
    ``tight.<claim id>``)."""
    from recmech.properties.guard.parts.registry import part_check_ids

    return claim_ids() + part_check_ids()


def _is_part_check(check_id: str) -> bool:
    return check_id.startswith(("part.", "tight."))


_IMPLS: dict[str, Any] = {}  # per process: an implementation is imported once


def run_guard_task(task: Any, profile: str, time_limit: float | None = None) -> Any:
    """The guard's runner for the engine (``recmech.properties.engine.run.run_tasks``): one
    chunk of a claim check with the implementation named by ``task.impl`` swapped in (None: the
    reference), or a whole part judgement (``task.spec["part_judgement"]``), as JSON data."""
    subject = None
    if task.impl is not None:
        if task.impl not in _IMPLS:
            _IMPLS[task.impl] = load_implementation(task.impl)
        obj, name = _IMPLS[task.impl]
        subject = Subject(obj, name, time_limit)
    if task.spec.get("part_judgement"):
        obj = None if subject is None else subject.impl
        return guard_part(task.claim_id, obj, profile, task.impl, time_limit).to_dict()
    return run_chunk(task.claim_id, task.index, subject, profile, task.readings)


def guard_part(check_id: str, impl: Any = None, profile: str = "quick",
               name: str | None = None, time_limit: float | None = CALL_TIME_LIMIT
               ) -> GuardResult:
    """Run the part judgement ``check_id`` (``recmech.properties.guard.parts``) on ``impl``: skipped
    for the reference (it is the yardstick) and when ``impl`` lacks the part; passed when the
    judgement holds; failed with the input, both outputs, the difference and the tolerance."""
    from recmech.properties.guard.parts.registry import part_check, run_part_check
    from recmech.properties.judging.profiles import budget, profile_name

    pc = part_check(check_id)
    subject = Subject(impl, name, time_limit)
    base = {"claim_id": check_id, "implementation": subject.name, "expected": "holds"}
    if impl is None:
        return GuardResult(**base, status="skipped",
                           reason=f"the reference is the yardstick of {check_id}: nothing to "
                                  "compare")
    if not provides(impl, pc.part, pc.claim_id):
        needed = pc.part if pc.claim_id is None else f"{pc.part} for {pc.claim_id}"
        return GuardResult(**base, status="skipped",
                           reason=f"implementation {subject.name} provides none of ({needed}), "
                                  f"needed by {check_id}")
    start = time.perf_counter()
    try:
        verdict = run_part_check(check_id, subject, budget(profile_name(profile)))
    except Exception as exc:  # an implementation that breaks the judgement fails it, visibly
        part = _part_error(exc)
        why = (f"{check_id}: {part}" if part is not None else
               f"the judgement raised {type(exc).__name__}: {exc}\n"
               f"{traceback.format_exc(limit=6)}")
        return GuardResult(**base, status="failed", parts_used=(pc.part,), reason=why,
                           seconds=time.perf_counter() - start)
    ok = verdict.verdict == "holds"
    if ok:
        why = f"{check_id} holds on {verdict.instances} inputs ({verdict.notes})"
    else:
        detail = verdict.counterexample or {}
        problems = detail.get("problems") if isinstance(detail, dict) else None
        if isinstance(detail, dict) and detail.get("error"):
            head = str(detail["error"])
        elif problems:
            head = "; ".join(problems)
        else:
            head = ("looser than the paper" if pc.kind == "tightness" else
                    "the outside part differs from the reference beyond the tolerance")
        ratio = "inf" if verdict.observed is None else f"{verdict.observed:.4g}"
        why = (f"{check_id}: {head} (worst difference / tolerance = {ratio}; "
               f"{verdict.notes}). Counterexample: {_short(detail, 1500)}")
    return GuardResult(**base, status="passed" if ok else "failed", verdict=verdict,
                       parts_used=(pc.part,), reason=why, seconds=time.perf_counter() - start)


def guard_claim(claim_id: str, impl: Any = None, profile: str = "quick",
                name: str | None = None, time_limit: float | None = CALL_TIME_LIMIT
                ) -> GuardResult:
    """Run the check of ``claim_id`` with ``impl``'s parts swapped in and judge its verdict (a
    part judgement id runs ``guard_part``)."""
    if _is_part_check(claim_id):
        return guard_part(claim_id, impl, profile, name, time_limit)
    subject = Subject(impl, name, time_limit)
    row = claim(claim_id)
    used = subject.uses(parts_of(claim_id), claim_id)
    if impl is not None and not used:
        return GuardResult(claim_id=claim_id, implementation=subject.name, status="skipped",
                           expected=row.expected,
                           reason=skip_reason(claim_id, subject.name, parts_of(claim_id)))
    start = time.perf_counter()
    try:
        # chunk by chunk, as on an engine (``check_implementation(engine=...)``): each search
        # seeded from its chunk, so both give the same verdict
        specs = chunk_specs(claim_id, subject, profile)
        partials = [run_chunk(claim_id, i, subject, profile) for i in range(len(specs))]
        verdict = merge_chunks(claim_id, partials, subject, profile)[0]
    except Exception as exc:  # an implementation that breaks the check fails it, visibly
        part = _part_error(exc)
        why = (f"{claim_id}: {part} (the outside answer, not the check)" if part is not None
               else f"the check raised {type(exc).__name__}: {exc}\n"
                    f"{traceback.format_exc(limit=6)}")
        return _broken(claim_id, subject.name, row.expected, used, why,
                       time.perf_counter() - start)
    return _judged(claim_id, subject.name, row.expected, used, verdict,
                   time.perf_counter() - start)


def _part_error(exc: BaseException) -> PartError | None:
    """The ``PartError`` (an outside part's refusal or bad answer, naming the part and the
    input) that caused ``exc``, if any: such a failure is a verdict, never a traceback."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, PartError):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _broken(claim_id: str, name: str, expected: str, used: tuple, reason: str,
            seconds: float) -> GuardResult:
    return GuardResult(claim_id=claim_id, implementation=name, status="failed",
                       expected=expected, parts_used=used, reason=reason, seconds=seconds)


def _judged(claim_id: str, name: str, expected: str, used: tuple, verdict: Verdict,
            seconds: float) -> GuardResult:
    ok, why = judge(claim_id, verdict)
    return GuardResult(claim_id=claim_id, implementation=name,
                       status="passed" if ok else "failed", expected=expected,
                       verdict=verdict, parts_used=used, reason=why, seconds=seconds)


def guard_on_engine(spec: str | None, ids: Sequence[str], engine, profile: str = "quick",
                    time_limit: float | None = CALL_TIME_LIMIT) -> list[GuardResult]:
    """The guard's records for ``ids`` with the chunks run on ``engine``
    (``recmech.properties.engine.run``: a process pool or a Dask cluster). The implementation is
    named by ``spec`` ("pkg.module:attr", None: the reference) so every worker imports it;
    claim checks run chunk by chunk (each search seeded from its chunk: the records are the
    ones ``guard_claim`` gives in this process), a part judgement is one task."""
    from recmech.properties.engine.run import ChunkTask, chunk_key, run_tasks, unique

    seed = run_seed()  # the run seed in force here travels with every chunk
    obj, name = load_implementation(spec)
    spec = None if obj is None else name
    subject = Subject(obj, name, time_limit)
    ready: dict[str, GuardResult] = {}
    plans: dict[str, list[str]] = {}
    tasks = []
    for cid in ids:
        specs = ([{"part_judgement": True}] if _is_part_check(cid)
                 else chunk_specs(cid, subject, profile))
        if not _is_part_check(cid):
            row = claim(cid)
            if obj is not None and not subject.uses(parts_of(cid), cid):
                ready[cid] = GuardResult(claim_id=cid, implementation=name, status="skipped",
                                         expected=row.expected,
                                         reason=skip_reason(cid, name, parts_of(cid)))
                continue
        plans[cid] = []
        for i, chunk in enumerate(specs):
            key = chunk_key(cid, {}, chunk, i, spec, seed)
            plans[cid].append(key)
            tasks.append(ChunkTask(key=key, claim_id=cid, readings={}, index=i, spec=chunk,
                                   impl=spec, run_seed=seed))
    done = run_tasks(engine, unique(tasks), profile, time_limit=time_limit,
                     runner=run_guard_task)
    for cid, keys in plans.items():
        results = [done[k] for k in keys]
        seconds = sum(r.seconds for r in results)
        errors = [r.error for r in results if r.error]
        if _is_part_check(cid):
            ready[cid] = (GuardResult.from_dict(results[0].partial) if not errors else
                          _broken(cid, name, "holds", (), f"the judgement raised:\n{errors[0]}",
                                  seconds))
            continue
        row = claim(cid)
        used = subject.uses(parts_of(cid), cid)
        if errors:
            ready[cid] = _broken(cid, name, row.expected, used,
                                 f"the check raised:\n{errors[0]}", seconds)
            continue
        try:
            verdict = merge_chunks(cid, [r.partial for r in results], subject, profile)[0]
        except Exception as exc:  # the merge judges the implementation's answers too
            ready[cid] = _broken(cid, name, row.expected, used,
                                 f"the check raised {type(exc).__name__}: {exc}\n"
                                 f"{traceback.format_exc(limit=6)}", seconds)
            continue
        ready[cid] = _judged(cid, name, row.expected, used, verdict, seconds)
    return [ready[cid] for cid in ids]


# -- known deviations --------------------------------------------------------------------------

def resolve_xfails_path(path: str | Path) -> Path:
    """``path`` itself, else a file shipped in ``properties/xfails`` of that name (".txt" may be
    left off)."""
    p = Path(path)
    if p.is_file():
        return p
    for candidate in (XFAILS_DIR / p.name, XFAILS_DIR / f"{p.name}.txt"):
        if candidate.is_file():
            return candidate
    shipped = sorted(f.name for f in XFAILS_DIR.glob("*.txt"))
    raise FileNotFoundError(f"xfails file {str(path)!r} not found (nor shipped in "
                            f"properties/xfails: {shipped})")


def read_xfails(path: str | Path, known: Iterable[str] | None = None) -> dict[str, str]:
    """``{id: reason}`` from an xfails file: one claim id or part judgement id per line, then
    the reason; blank lines and lines starting with ``#`` are ignored. Ids not in ``known``
    (when given) are an error."""
    p = resolve_xfails_path(path)
    ids = set(known) if known is not None else None
    out: dict[str, str] = {}
    for number, raw in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        claim_id, _, reason = line.partition(" ")
        reason = reason.strip().lstrip("#:-").strip() or f"listed in {p.name}"
        if ids is not None and claim_id not in ids:
            raise ValueError(f"{p}:{number}: unknown claim id {claim_id!r}; known: "
                             f"{', '.join(sorted(ids))}")
        out[claim_id] = reason
    return out


# -- the Python entry points -------------------------------------------------------------------

def _claims(claims: Iterable[str] | None) -> list[str]:
    known = check_ids()
    if claims is None:
        return known
    chosen = list(claims)
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise ValueError(f"claims: unknown claim id(s) {', '.join(unknown)}; known: "
                         f"{', '.join(known)}")
    return chosen


def check_implementation(obj: Any, expected_failed_checks: Mapping[str, str] | None = None,
                         profile: str = "quick", *, claims: Iterable[str] | None = None,
                         on_fail: str | None = "raise", name: str | None = None,
                         time_limit: float | None = CALL_TIME_LIMIT,
                         engine=None, progress: Callable | None = None) -> list[GuardResult]:
    """Run every claim check and part judgement against ``obj`` (None: the reference); return
    one record per id (``check_ids``; ``claims`` picks some). With ``engine``
    (``recmech.properties.engine.run.engine_for(jobs, scheduler)``) the chunks run there, and
    ``obj`` must be the implementation's name "pkg.module:attr" (every worker imports it).

    ``expected_failed_checks``: ``{id: reason}`` of known deviations (see ``read_xfails``).
    ``on_fail``: "raise" (``GuardFailure`` listing every unexpected failure, after all ran),
    "warn" or None (return only). An expected failure that passes is reported as "xpassed"
    with an ``UnexpectedPass`` warning. ``time_limit``: seconds per call of an outside part.
    ``progress``: a callback ``progress(what, done, total)`` called after each id (default: one
    status line on stderr when it is a terminal, ``recmech.properties.engine.progress``).
    """
    if on_fail not in ("raise", "warn", None):
        raise ValueError(f"on_fail must be 'raise', 'warn' or None; found {on_fail!r}")
    ids = _claims(claims)
    expected = dict(expected_failed_checks or {})
    unknown = sorted(set(expected) - set(_claims(None)))
    if unknown:
        raise ValueError(f"expected_failed_checks names unknown claim id(s) or part judgement(s) "
                         f"{', '.join(unknown)}")
    if engine is not None:
        if obj is not None and not isinstance(obj, str):
            raise TypeError(f"obj: with an engine, name the implementation as 'pkg.module:attr' "
                            f"(every worker imports it); found {type(obj).__name__}")
        found = guard_on_engine(obj, ids, engine, profile, time_limit)
        name = name or (found[0].implementation if found else str(obj))
    else:
        if obj is not None and not provided_parts(obj):
            raise ValueError(f"obj provides none of the contract's parts ({', '.join(PARTS)}); "
                             "see recmech.properties.guard.run")
        name = name or implementation_name(obj)
        shown = Progress(f"guard {name}") if progress is None else None
        found = []
        for done, cid in enumerate(ids, start=1):
            found.append(guard_claim(cid, obj, profile, name, time_limit))
            (shown or progress)(f"{cid}: {found[-1].status} in {found[-1].seconds:.1f} s",
                                done, len(ids))
        if shown is not None:
            shown.close()
    results = []
    for r in found:
        cid = r.claim_id
        if cid in expected and r.status in ("passed", "failed"):
            r = replace(r, status="xfailed" if r.status == "failed" else "xpassed",
                        expected_to_fail_reason=expected[cid])
        results.append(r)
    for r in results:
        if r.status == "xpassed":
            warnings.warn(f"{name}: claim {r.claim_id} was expected to fail "
                          f"({r.expected_to_fail_reason}) but passed", UnexpectedPass,
                          stacklevel=2)
    failed = [r for r in results if r.status == "failed"]
    if failed and on_fail is not None:
        text = f"{name} fails {len(failed)} claim(s):\n" + "\n".join(
            f"- {r.claim_id}: {r.reason}" for r in failed)
        if on_fail == "raise":
            raise GuardFailure(text)
        warnings.warn(text, UserWarning, stacklevel=2)
    return results


def assert_claim(claim_id: str, impl: Any = None, profile: str = "quick",
                 name: str | None = None) -> GuardResult:
    """Run one claim for pytest: ``pytest.skip`` with the reason, or AssertionError."""

    __tracebackhide__ = True  # the failure is the claim's, not this helper's
    return assert_result(guard_claim(claim_id, impl, profile, name))


def assert_result(r: GuardResult) -> GuardResult:
    """A guard record as a pytest outcome: ``pytest.skip`` with the reason, or AssertionError."""
    import pytest

    __tracebackhide__ = True
    if r.status == "skipped":
        pytest.skip(r.reason)
    if r.status == "failed":
        raise AssertionError(f"{r.implementation}: claim {r.claim_id}: {r.reason}")
    return r


def parametrize_with_checks(objs: Sequence[Any],
                            expected_failed_checks: Mapping[str, str] | Callable | None = None,
                            profile: str = "quick", claims: Iterable[str] | None = None):
    """A pytest parametrize decorator: one test per (implementation, claim id).

    ``objs``: implementations, or ``(name, implementation)`` pairs (the name goes in the test
    ids). ``expected_failed_checks`` is a ``{claim_id: reason}`` mapping or a callable
    obj -> mapping; listed claims are marked xfail (not strict: a pass is reported as XPASS)::

        @parametrize_with_checks([my_impl])
        def test_guard(implementation, check):
            check(implementation)
    """
    import functools

    import pytest

    ids = _claims(claims)
    params = []
    for entry in objs:
        name, obj = entry if isinstance(entry, tuple) and len(entry) == 2 and \
            isinstance(entry[0], str) else (implementation_name(entry), entry)
        known = (expected_failed_checks(obj) if callable(expected_failed_checks)
                 else expected_failed_checks) or {}
        for cid in ids:
            marks = [pytest.mark.xfail(reason=known[cid], strict=False)] if cid in known else []
            check = functools.partial(_check_for, cid, profile=profile, name=name)
            params.append(pytest.param(obj, check, id=f"{name}-{cid}", marks=marks))
    return pytest.mark.parametrize("implementation, check", params)


def _check_for(claim_id: str, impl: Any, *, profile: str, name: str) -> GuardResult:
    return assert_claim(claim_id, impl, profile, name)
