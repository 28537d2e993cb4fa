"""The report card: every claim id of the claim register, its check's verdict, and whether it is
the verdict the errata register expects.

``recmech report [--profile quick|thorough] [--json PATH] [--jobs N] [--claims id1,id2]`` prints
one Markdown row per claim id (a claim without a check shows "not checked"), a progress line per
claim on stderr, and exits 0 when every verdict matches ``recmech.properties.errata.expected_verdict``.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from recmech.properties.errata import ERRATA, PROOF_GAPS, expected_verdict
from recmech.properties.verdict import Verdict, json_safe

HYPOTHESIS_PROFILE = {"quick": "ci", "thorough": "thorough"}


def claim_register() -> list[str]:
    """All claim ids: the register of ``recmech.bounds`` first, then any other id with a check."""
    from recmech.properties.checks.registry import all_claim_ids

    try:
        from recmech.bounds.registry import CLAIM_IDS
        ids = list(CLAIM_IDS)
    except ImportError:
        ids = []
    return ids + [c for c in all_claim_ids() if c not in ids]


@dataclass(frozen=True)
class ReportRow:
    """One claim's row: its verdict (None if not checked or the check raised)."""

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
        return {"claim_id": self.claim_id, "expected": self.expected, "status": self.status,
                "matches": self.matches, "seconds": self.seconds, "error": self.error,
                "verdict": None if self.verdict is None else self.verdict.to_dict(),
                "erratum": ERRATA[self.claim_id].to_dict() if self.claim_id in ERRATA else None,
                "proof_gap": (PROOF_GAPS[self.claim_id].to_dict()
                              if self.claim_id in PROOF_GAPS else None)}


def _run_one(claim_id: str, profile: str) -> tuple[Verdict | None, float, str | None]:
    """Run one check in this process (loads the hypothesis profile first: workers start bare)."""
    from recmech.properties.checks.registry import CHECKS, run_check
    from recmech.properties.profiles import load_profile

    load_profile(HYPOTHESIS_PROFILE[profile])
    import recmech.properties.checks  # noqa: F401

    if claim_id not in CHECKS:
        return None, 0.0, None
    start = time.perf_counter()
    try:
        verdict = run_check(claim_id, profile=profile)
    except Exception:  # a broken check is reported as such, not hidden
        return None, time.perf_counter() - start, traceback.format_exc(limit=3)
    return verdict, time.perf_counter() - start, None


def run_report(claim_ids: Sequence[str], profile: str = "quick",
               executor: cf.Executor | None = None, progress=None) -> list[ReportRow]:
    """Run the checks of ``claim_ids`` (in ``executor`` if given) and return the rows in order."""
    if profile not in HYPOTHESIS_PROFILE:
        raise ValueError(f"profile must be one of {tuple(HYPOTHESIS_PROFILE)}; found {profile!r}")
    rows: dict[str, ReportRow] = {}

    def record(cid: str, result: tuple[Verdict | None, float, str | None]) -> None:
        verdict, secs, err = result
        rows[cid] = ReportRow(cid, expected_verdict(cid), verdict, secs, err)
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
    if x is None:
        return ""
    return f"{x:.4g}"


def markdown(rows: Sequence[ReportRow]) -> str:
    """The report card as a Markdown table."""
    head = ("| claim | verdict | expected | match | observed | bound | slack | instances | "
            "false alarm | false pass | s |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        v = r.verdict
        mark = {True: "yes", False: "NO", None: ""}[r.matches]
        cells = [f"`{r.claim_id}`", r.status, r.expected, mark]
        if v is None:
            cells += ["", "", "", "", "", "", f"{r.seconds:.1f}"]
        else:
            cells += [_fmt(v.observed), _fmt(v.bound), _fmt(v.slack), str(v.instances),
                      _fmt(v.false_alarm), _fmt(v.false_pass), f"{r.seconds:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``recmech report``: run the checks, print the card, exit 0 iff every verdict is expected."""
    parser = argparse.ArgumentParser(prog="recmech report", description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=tuple(HYPOTHESIS_PROFILE), default="quick")
    parser.add_argument("--json", dest="json_path", default=None, help="write records here")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (>= 1)")
    parser.add_argument("--claims", default=None, help="comma-separated claim ids")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1; found {args.jobs}")
    known = claim_register()
    if args.claims:
        ids = [c.strip() for c in args.claims.split(",") if c.strip()]
        unknown = [c for c in ids if c not in known]
        if unknown:
            parser.error(f"unknown claim id(s) {', '.join(unknown)}; known: {', '.join(known)}")
    else:
        ids = known

    def progress(row: ReportRow, done: int, total: int) -> None:
        print(f"[{done}/{total}] {row.claim_id}: {row.status} ({row.seconds:.1f} s)",
              file=sys.stderr, flush=True)

    print(f"recmech report: profile {args.profile}, {len(ids)} claims, jobs {args.jobs}",
          file=sys.stderr)
    if args.jobs > 1:
        with cf.ProcessPoolExecutor(max_workers=args.jobs) as pool:
            rows = run_report(ids, args.profile, pool, progress)
    else:
        rows = run_report(ids, args.profile, None, progress)
    print(markdown(rows))
    gaps = [g for g in PROOF_GAPS.values() if g.claim_id in ids]
    if gaps:
        print("\nProof steps that do not follow (statement not refuted):")
        for g in gaps:
            print(f"- `{g.claim_id}`: {g.summary}")
    for r in rows:
        if r.error:
            print(f"\n{r.claim_id} raised:\n{r.error}", file=sys.stderr)
    if args.json_path:
        payload = {"profile": args.profile, "rows": [r.to_dict() for r in rows]}
        Path(args.json_path).write_text(json.dumps(json_safe(payload), indent=2))
    return 0 if all(r.matches is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
