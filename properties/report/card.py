"""The report card: every claim of the claim table, its check's verdict under each reading of the
open points it depends on, whether each is the verdict the claim table expects, whether the
verdicts are consistent along the claim graph, and the family-wise false-alarm level of the whole
run (``recmech report``; rendering is the command line's).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from recmech.bounds.records import jsonable
from recmech.properties.claims.graph import consistency
from recmech.properties.claims.readings import READINGS
from recmech.properties.claims.table import claim
from recmech.properties.claims.verdict import Verdict
from recmech.properties.engine.run import (
    ChunkResult,
    ChunkTask,
    ResultsFile,
    SerialEngine,
    chunk_key,
    run_tasks,
    unique,
)
from recmech.properties.judging.checks.registry import chunk_specs, merge_chunks
from recmech.properties.judging.domains import domain_table, restricted
from recmech.properties.judging.profiles import PROFILES, budget
from recmech.properties.judging.strategies import run_seed

__all__ = ["AT_MOST_ONE", "ReadingRun", "ReportRow", "expected_text", "family_wise_level",
           "plan_tasks", "reading_glossary", "report_cells", "report_header", "report_payload",
           "report_problems", "run_report", "runs_for", "slack_kind"]

DEPENDS = "depends-on-reading"


@dataclass(frozen=True, kw_only=True)
class ReadingRun:
    """One claim checked under one reading assignment (open point -> reading)."""

    readings: dict
    expected: str
    verdict: Verdict | None
    seconds: float
    error: str | None = None

    @property
    def label(self) -> str:
        return ", ".join(self.readings.values()) or "-"

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        return "not checked" if self.verdict is None else self.verdict.verdict

    @property
    def matches(self) -> bool:
        return self.error is None and self.verdict is not None and \
            self.verdict.verdict == self.expected

    def to_dict(self) -> dict:
        return {"readings": self.readings, "label": self.label, "expected": self.expected,
                "status": self.status, "matches": self.matches, "seconds": self.seconds,
                "error": self.error,
                "verdict": None if self.verdict is None else self.verdict.to_dict()}


@dataclass(frozen=True, kw_only=True)
class ReportRow:
    """One claim's row: a run per reading assignment (the default first)."""

    claim_id: str
    runs: tuple[ReadingRun, ...]

    @property
    def verdict(self) -> Verdict | None:
        """The headline verdict (under the default readings)."""
        return self.runs[0].verdict

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.runs)

    @property
    def error(self) -> str | None:
        return next((r.error for r in self.runs if r.error), None)

    @property
    def status(self) -> str:
        """The verdict when every reading agrees, "depends-on-reading" otherwise."""
        statuses = {r.status for r in self.runs}
        if "error" in statuses:
            return "error"
        return statuses.pop() if len(statuses) == 1 else DEPENDS

    @property
    def expected(self) -> str:
        expected = {r.expected for r in self.runs}
        return expected.pop() if len(expected) == 1 else DEPENDS

    @property
    def matches(self) -> bool:
        return all(r.matches for r in self.runs)

    @property
    def restricted(self) -> bool:
        return restricted(self.claim_id)

    def to_dict(self, profile: str | None = None) -> dict:
        row = claim(self.claim_id)
        return {"claim_id": self.claim_id, "place": row.place, "source": row.source,
                "expected": self.expected, "status": self.status, "matches": self.matches,
                "seconds": self.seconds, "error": self.error,
                "verdict": None if self.verdict is None else self.verdict.to_dict(),
                "readings": [r.to_dict() for r in self.runs],
                "restricted": self.restricted,
                "domain": domain_table(self.claim_id,
                                       budget(profile) if profile else None),
                "errata": [e.to_dict() for e in row.errata],
                "proof_gaps": [g.to_dict() for g in row.proof_gaps]}


def expected_text(claim_id: str, detail: bool = False) -> str:
    """The verdict the report card expects for ``claim_id``, as the card writes it: one verdict
    when every reading expects the same, else "depends-on-reading" (``detail``: with each
    reading's verdict)."""
    c = claim(claim_id)
    each = [(", ".join(v.values()) or "-", c.expected_for(v)) for v in c.variants]
    if len({e for _, e in each}) == 1:
        return each[0][1]
    return DEPENDS + (": " + "; ".join(f"{label} {e}" for label, e in each) if detail else "")


def runs_for(claim_ids: Sequence[str], reading: str | None = None) -> list[tuple[str, dict]]:
    """(claim id, reading assignment) of every run: each claim's variants, or with ``reading``
    only the variants that use that reading (ValueError naming the valid readings when the
    reading is unknown, or when none of ``claim_ids`` has it)."""
    if reading is not None and reading not in READINGS:
        raise ValueError(f"unknown reading {reading!r}; valid readings: {', '.join(READINGS)}")
    out = []
    for cid in claim_ids:
        for v in claim(cid).variants:
            if reading is None or reading in v.values():
                out.append((cid, v))
    if reading is not None and not out:
        have = sorted({r for cid in claim_ids for v in claim(cid).variants for r in v.values()})
        raise ValueError(f"no chosen claim has the reading {reading!r}; their readings: "
                         f"{', '.join(have) or 'none'}")
    return out


def plan_tasks(claim_ids: Sequence[str], profile: str, reading: str | None = None
               ) -> tuple[list[tuple[str, dict, list[str]]], list[ChunkTask]]:
    """Every (claim, readings) run of the report with the keys of its chunks, and the unique
    chunk tasks (a reading-free chunk shared by several readings runs once)."""
    runs, tasks = [], []
    seed = run_seed()  # None in `recmech report`; a pytest run's --hypothesis-seed otherwise
    for cid, readings in runs_for(claim_ids, reading):
        specs = chunk_specs(cid, None, profile, readings)
        keys = []
        for index, spec in enumerate(specs):
            key = chunk_key(cid, readings, spec, index, run_seed=seed)
            keys.append(key)
            tasks.append(ChunkTask(key=key, claim_id=cid, readings=readings, index=index,
                                   spec=spec, run_seed=seed))
        runs.append((cid, readings, keys))
    return runs, unique(tasks)


def run_report(claim_ids: Sequence[str], profile: str = "quick", engine=None,
               progress: Callable[[ReportRow, int, int], None] | None = None,
               reading: str | None = None, results: str | None = None,
               resume: str | None = None,
               chunk_progress: Callable[[ChunkTask, ChunkResult, int, int], None] | None = None
               ) -> list[ReportRow]:
    """Run the checks of ``claim_ids`` under each of their readings (only ``reading``'s variants
    if given), chunk by chunk on ``engine`` (default: this process), and return one row per
    claim, in order. Completed chunks go to the ``results`` file as they finish; ``resume``
    (a results file) runs only the chunks it lacks and keeps appending to it."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}; found {profile!r}")
    for cid in claim_ids:
        claim(cid)  # unknown ids are an error before any work
    runs, tasks = plan_tasks(claim_ids, profile, reading)
    store = ResultsFile(resume or results, profile) if (resume or results) else None
    done = store.load() if resume else {}
    writer = store.open(fresh=not resume) if store is not None else None
    engine = engine if engine is not None else SerialEngine()
    rows_done: list[str] = []
    want = {cid: [keys for c, _, keys in runs if c == cid] for cid in claim_ids}

    def on_result(task: ChunkTask, result: ChunkResult, n: int, total: int) -> None:
        if writer is not None:
            writer(task, result)
        if chunk_progress is not None:
            chunk_progress(task, result, n, total)

    try:
        finished = run_tasks(engine, tasks, profile, done, on_result)
    finally:
        if writer is not None:
            writer.close()

    def reading_run(cid: str, readings: dict, keys: list[str]) -> ReadingRun:
        parts = [finished[k] for k in keys]
        seconds = sum(p.seconds for p in parts)
        errors = [(i, p.error) for i, p in enumerate(parts) if p.error]
        expected = claim(cid).expected_for(readings)
        if errors:
            i, tb = errors[0]
            return ReadingRun(readings=readings, expected=expected, verdict=None,
                              seconds=seconds, error=f"chunk {i} of {len(keys)} "
                              f"({keys[i].split('|', 3)[3]}) raised:\n{tb}")
        try:
            verdict = merge_chunks(cid, [p.partial for p in parts], None, profile,
                                   readings)[0]
        except Exception:  # a merge that breaks is the claim's error, not the report's
            return ReadingRun(readings=readings, expected=expected, verdict=None,
                              seconds=seconds, error=traceback.format_exc(limit=4))
        return ReadingRun(readings=readings, expected=expected, verdict=verdict,
                          seconds=seconds)

    rows = []
    for cid in claim_ids:
        if not want[cid]:
            continue
        row = ReportRow(claim_id=cid, runs=tuple(reading_run(c, r, k) for c, r, k in runs
                                                  if c == cid))
        rows.append(row)
        rows_done.append(cid)
        if progress is not None:
            progress(row, len(rows_done), len([c for c in claim_ids if want[c]]))
    return rows


def family_wise_level(rows: Sequence[ReportRow]) -> float:
    """An upper bound on the probability that any statistical verdict of the run is a false
    alarm: the union bound over every run's level (each counts every test its check ran)."""
    return sum((r.verdict.false_alarm or 0.0) for row in rows for r in row.runs
               if r.verdict is not None)


def report_problems(rows: Sequence[ReportRow]) -> list[str]:
    """Verdicts other than expected, errors, and violations of the claim graph's rule."""
    problems = [f"{row.claim_id} under {r.label}: {r.status}, expected {r.expected}"
                for row in rows for r in row.runs if not r.matches]
    results = {row.claim_id: [(r.readings, r.verdict) for r in row.runs if r.verdict is not None]
               for row in rows}
    return problems + consistency({c: v for c, v in results.items() if v})


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


def report_header() -> list[str]:
    """The columns of the report card."""
    return ["claim", "verdict", "expected", "match", "observed", "bound", "slack", "instances",
            "false alarm", "false pass", "s"]


def report_cells(row: ReportRow) -> list[str]:
    """One row of the report card as text cells: the headline (default-reading) numbers; a claim
    whose verdict depends on the reading lists each reading's verdict, and a claim checked on
    less than its stated domain says so."""
    v = row.verdict
    status = row.status
    if status == DEPENDS:
        status += ": " + "; ".join(f"{r.label} {r.status}" for r in row.runs)
    elif status == "holds" and row.restricted:
        status = "holds on the searched domain"
    mark = "yes" if row.matches else "NO"
    cells = [f"`{row.claim_id}`", status, row.expected, mark]
    if v is None:
        return cells + ["", "", "", "", "", "", f"{row.seconds:.1f}"]
    bound = _fmt(v.bound)
    if row.claim_id in AT_MOST_ONE and v.bound is not None and v.bound >= 1:
        bound += " (vacuous)"
    return cells + [_fmt(v.observed), bound, _fmt(v.slack) + slack_kind(v), str(v.instances),
                    _fmt(v.false_alarm), _fmt(v.false_pass), f"{row.seconds:.1f}"]


# definition: claims whose bound is a probability, or a latent l_inf error with z in [0, 1]^k;
# a bound of 1 or more says nothing about either
AT_MOST_ONE = frozenset({"definition3", "theorem2.deterministic", "theorem2.gaussian",
                         "theorem2.weak_dependence", "lemma5", "lemma8", "lemma9"})


def slack_kind(v: Verdict) -> str:
    """The mark of a slack that is not ``bound - observed``: " (CP)" on a statistical row (the
    bound minus the Clopper-Pearson limit of the observed rate), " (notes)" otherwise (a
    difference of logs, or the corrected statement's margin: the verdict's notes say)."""
    if v.slack is None or v.observed is None or v.bound is None:
        return ""
    diff = v.bound - v.observed
    if abs(v.slack - diff) <= 1e-9 * max(1.0, abs(diff)):
        return ""
    return " (CP)" if (v.false_alarm or 0.0) > 0 else " (notes)"


def reading_glossary(names: Sequence[str]) -> str:
    """One line per reading name: its open point (paper place) and what it settles."""
    from recmech.properties.claims.readings import POINTS

    lines = []
    for name in names:
        r = READINGS[name]
        p = POINTS[r.point]
        default = " (the default)" if p.default.name == name else ""
        lines.append(f"- {name}{default}: {r.statement} [{p.place}: {p.question}]")
    return "\n".join(lines)


def report_payload(rows: Sequence[ReportRow], profile: str) -> dict:
    """The JSON document of ``recmech report --json``."""
    return jsonable({"profile": profile, "family_wise_false_alarm": family_wise_level(rows),
                     "problems": report_problems(rows),
                     "rows": [r.to_dict(profile) for r in rows]})
