"""The guard's summary for a person: one line per judged id, the skipped ids in one line.

A guard run under pytest reports one test per claim id and part judgement; most are skipped (the
implementation provides none of their parts) and a failure's reason sits inside its traceback.
``GuardLine.of`` keeps what a reader needs from each test's report: the verdict, the smallest
counterexample input, the outside and the reference answer and the ratio of their difference
to the tolerance (read from the failure's counterexample, ``recmech.properties.guard.run.judge``);
``summary_lines`` prints them under the pytest summary, and ``write_json`` writes every record
(``--recmech-json PATH``), with the full guard record when the chunks ran on an engine.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ANSWER_KEYS", "GuardLine", "counterexample_of", "summary_lines", "write_json"]

# keys of a counterexample that are answers or their comparison, not the input
ANSWER_KEYS = ("outside", "reference", "difference", "tolerance", "score", "ratio", "error",
               "bound", "allowed", "queries", "reference_queries", "corrected_queries",
               "problems")
# (measured, limit) pairs whose ratio is the failure's size, first present wins
RATIOS = (("difference", "tolerance"), ("error", "allowed"), ("error", "bound"))
WIDTH = 44  # characters of a cell before it is cut


def _cut(text: str, width: int = WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def counterexample_of(message: str) -> dict | str | None:
    """The counterexample of a failure message (``judge``'s "Counterexample: {...}"), as a dict
    when its JSON is whole, else its text; None when the message has none."""
    _, sep, rest = message.partition("Counterexample: ")
    if not sep:
        return None
    text = rest.split(". Notes: ")[0].strip()
    if text.endswith(".") and not text.endswith("..."):
        text = text[:-1]
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, dict) else {"value": value}


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [abs(float(value))] if math.isfinite(value) else []
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _numbers(v)]
    return []


@dataclass(frozen=True, kw_only=True)
class GuardLine:
    """One guard test as a reader sees it."""

    check_id: str
    outcome: str  # passed, failed, skipped, xfailed, xpassed
    reason: str
    seconds: float
    counterexample: dict | str | None = None

    @classmethod
    def of(cls, check_id: str, outcome: str, reason: str, seconds: float) -> GuardLine:
        cex = counterexample_of(reason) if outcome in ("failed", "xfailed") else None
        return cls(check_id=check_id, outcome=outcome, reason=reason, seconds=seconds,
                   counterexample=cex)

    @property
    def problem(self) -> str:
        """The reason without the implementation's name, the claim id and the counterexample."""
        text = self.reason.split(". Counterexample: ")[0]
        _, sep, rest = text.partition(f"claim {self.check_id}: ")
        return rest if sep else text

    def cells(self) -> list[str]:
        """verdict, smallest counterexample input, outside vs reference, ratio to tolerance."""
        cex = self.counterexample
        if not isinstance(cex, dict):
            return [self.outcome, _cut(cex or "") if cex else "", "", ""]
        given = {k: v for k, v in cex.items() if k not in ANSWER_KEYS}
        answers = ""
        if "outside" in cex:
            against = (f"reference {json.dumps(cex['reference'])}" if "reference" in cex else
                       f"allowed {json.dumps(cex['allowed'])}" if "allowed" in cex else "")
            answers = " vs ".join(t for t in (f"outside {json.dumps(cex['outside'])}", against)
                                  if t)
        elif "error" in cex and "bound" in cex:
            answers = f"error {cex['error']:.4g} vs bound {cex['bound']:.4g}" if all(
                _numbers(cex[k]) for k in ("error", "bound")) else ""
        ratio = ""
        for top, limit in RATIOS:
            got, lim = _numbers(cex.get(top)), _numbers(cex.get(limit))
            if got and lim and max(lim) > 0:
                ratio = f"{max(got) / max(lim):.3g}"
                break
        return [self.outcome, _cut(json.dumps(given)) if given else "", _cut(answers), ratio]

    def to_dict(self) -> dict:
        return {"id": self.check_id, "outcome": self.outcome, "reason": self.reason,
                "seconds": self.seconds, "counterexample": self.counterexample}


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]


def summary_lines(lines: Iterable[GuardLine], json_path: str | None = None) -> list[str]:
    """The summary: a table of the judged ids (failures first), the reason of each failure on
    its own line, and every skipped id in one line."""
    lines = list(lines)
    order = {"failed": 0, "xpassed": 1, "xfailed": 2, "passed": 3}
    judged = [g for g in lines if g.outcome != "skipped"]
    shown = sorted((g for g in judged if g.outcome != "passed"),
                   key=lambda g: order.get(g.outcome, 4))
    passed = [g for g in judged if g.outcome == "passed"]
    skipped = [g for g in lines if g.outcome == "skipped"]
    counts = [f"{n} {o}" for o in order if (n := sum(g.outcome == o for g in judged))]
    out = [f"{len(judged)} judged ({', '.join(counts) or 'none'}), {len(skipped)} skipped"]
    if shown:
        head = ["id", "verdict", "smallest counterexample input", "outside vs reference",
                "ratio to tolerance"]
        out += _table([head, *([g.check_id, *g.cells()] for g in shown)])
        for g in shown:
            if g.outcome in ("failed", "xpassed"):
                out.append(f"{g.check_id}: {_cut(g.problem, 300)}")
    if passed:
        out.append("passed: " + ", ".join(g.check_id for g in passed))
    numbers = [g for g in skipped if "provides none of ()" in g.reason]
    parts = [g for g in skipped if g not in numbers]
    if parts:
        out.append("skipped (the implementation provides none of the parts they judge): "
                   + ", ".join(g.check_id for g in parts))
    if numbers:
        out.append("skipped (statements about numbers only: no implementation part to judge): "
                   + ", ".join(g.check_id for g in numbers))
    out.append("every record in full: " + (json_path if json_path else
                                            "--recmech-json PATH"))
    return out


def write_json(path: str | Path, lines: Iterable[GuardLine],
               records: dict | None = None) -> None:
    """Every test's line and, when the chunks ran on an engine, its full guard record."""
    from recmech.bounds.records import dumps

    payload = [{**g.to_dict(), "record": (None if records is None or g.check_id not in records
                                          else records[g.check_id].to_dict())}
               for g in lines]
    Path(path).write_text(dumps(payload) + "\n", encoding="utf-8")
