"""The report card: every claim id of the claim table, its check's verdict, and whether it is the
verdict the claim table expects (``recmech report``; rendering is the command line's).
"""

from __future__ import annotations

import concurrent.futures as cf
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from recmech.bounds.records import jsonable
from recmech.properties.claims import claim
from recmech.properties.profiles import PROFILES
from recmech.properties.verdict import Verdict

__all__ = ["ReportRow", "report_cells", "report_header", "run_report"]


@dataclass(frozen=True, kw_only=True)
class ReportRow:
    """One claim's row: its verdict (None if the check raised), the seconds it took."""

    claim_id: str
    expected: str
    verdict: Verdict | None
    seconds: float
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        return "not checked" if self.verdict is None else self.verdict.verdict

    @property
    def matches(self) -> bool | None:
        if self.error is not None:
            return False
        return None if self.verdict is None else self.verdict.verdict == self.expected

    def to_dict(self) -> dict:
        row = claim(self.claim_id)
        return {"claim_id": self.claim_id, "place": row.place, "expected": self.expected,
                "status": self.status, "matches": self.matches, "seconds": self.seconds,
                "error": self.error,
                "verdict": None if self.verdict is None else self.verdict.to_dict(),
                "erratum": None if row.erratum is None else row.erratum.to_dict(),
                "proof_gap": None if row.proof_gap is None else row.proof_gap.to_dict()}


def _run_one(claim_id: str, profile: str) -> tuple[Verdict | None, float, str | None]:
    """Run one check in this process (loads the hypothesis profile first: workers start bare)."""
    from recmech.properties.checks.registry import run_check
    from recmech.properties.profiles import load_profile

    load_profile(profile)
    start = time.perf_counter()
    try:
        verdict = run_check(claim_id, profile=profile)
    except Exception:  # a broken check is reported as such, not hidden
        return None, time.perf_counter() - start, traceback.format_exc(limit=3)
    return verdict, time.perf_counter() - start, None


def run_report(claim_ids: Sequence[str], profile: str = "quick",
               executor: cf.Executor | None = None,
               progress: Callable[[ReportRow, int, int], None] | None = None
               ) -> list[ReportRow]:
    """Run the checks of ``claim_ids`` (in ``executor`` if given) and return the rows in order."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}; found {profile!r}")
    for cid in claim_ids:
        claim(cid)  # unknown ids are an error before any work
    rows: dict[str, ReportRow] = {}

    def record(cid: str, result: tuple[Verdict | None, float, str | None]) -> None:
        verdict, secs, err = result
        rows[cid] = ReportRow(claim_id=cid, expected=claim(cid).expected, verdict=verdict,
                              seconds=secs, error=err)
        if progress is not None:
            progress(rows[cid], len(rows), len(claim_ids))

    if executor is None:
        for cid in claim_ids:
            record(cid, _run_one(cid, profile))
    else:
        futures = {executor.submit(_run_one, cid, profile): cid for cid in claim_ids}
        for fut in cf.as_completed(futures):
            record(futures[fut], fut.result())
    return [rows[c] for c in claim_ids]


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


def report_header() -> list[str]:
    """The columns of the report card."""
    return ["claim", "verdict", "expected", "match", "observed", "bound", "slack", "instances",
            "false alarm", "false pass", "s"]


def report_cells(row: ReportRow) -> list[str]:
    """One row of the report card as text cells."""
    v = row.verdict
    mark = {True: "yes", False: "NO", None: ""}[row.matches]
    cells = [f"`{row.claim_id}`", row.status, row.expected, mark]
    if v is None:
        return cells + ["", "", "", "", "", "", f"{row.seconds:.1f}"]
    return cells + [_fmt(v.observed), _fmt(v.bound), _fmt(v.slack), str(v.instances),
                    _fmt(v.false_alarm), _fmt(v.false_pass), f"{row.seconds:.1f}"]


def report_payload(rows: Sequence[ReportRow], profile: str) -> dict:
    """The JSON document of ``recmech report --json``."""
    return jsonable({"profile": profile, "rows": [r.to_dict() for r in rows]})
