"""The claim graph: which claims each claim's proof uses, as data, and the rule that keeps verdicts
consistent along it.

Cai-Daskalakis EC'22: Thm. 1 rests on Lemma 2 (robustification), Lemma 1 (Strassen) and the
query protocol of Def. 3; each bullet of Thm. 2 on the noisy value query, Def. 3 and a
singular-value lemma (Varah's Lemma 3, Lemma 4, Lemma 5); Lemma 4 on Lemmas 6 and 7, Lemma 7's
upper tail on Prop. 3; Lemma 5 on Lemmas 6 and 8, Lemma 8 on Lemma 9 (Chatterjee); Remark 4 on
the two ex-ante bullets; Prop. 1 on Thm. 1, Thm. 2 and Remark 4.

The rule (``consistency``): when a claim fails under a reading, every claim downstream under the
same reading either fails too, or names in its verdict's ``families`` each family that made the
upstream claim fail (so its check covered that case), or is listed in ``EXCLUDED`` with the
reason the family cannot reach it. The report never shows "holds" downstream of a failure
otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from recmech.properties.claims.verdict import Verdict

__all__ = ["EXCLUDED", "USES", "consistency", "downstream", "graph_text", "upstream"]

USES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "definition3": (),
    "lemma1": (),
    "lemma2": ("lemma1",),
    "theorem1": ("lemma2", "lemma1", "definition3"),
    "theorem2.noisy_value": (),
    "theorem2.deterministic": ("lemma3", "theorem2.noisy_value", "definition3"),
    "theorem2.gaussian": ("lemma4", "theorem2.noisy_value", "definition3"),
    "theorem2.weak_dependence": ("lemma5", "theorem2.noisy_value", "definition3"),
    "remark4": ("theorem2.gaussian", "theorem2.weak_dependence"),
    "proposition1.separable": ("theorem2.deterministic", "theorem1"),
    "proposition1.gaussian": ("theorem2.gaussian", "remark4", "theorem1"),
    "proposition1.weak_dependence": ("theorem2.weak_dependence", "remark4", "theorem1"),
    "proposition1.mechanism": ("theorem1", "proposition1.separable", "proposition1.gaussian",
                               "proposition1.weak_dependence"),
    "lemma3": (),
    "lemma4": ("lemma6", "lemma7.lower_tail", "lemma7.upper_tail"),
    "lemma5": ("lemma6", "lemma8"),
    "lemma6": (),
    "lemma7.lower_tail": (),
    "lemma7.upper_tail": ("proposition3",),
    "proposition3": (),
    "lemma8": ("lemma9",),
    "lemma9": (),
})

# (claim, family) -> why a failure of that family upstream cannot reach the claim's verdict
# ("*": any family)
EXCLUDED: Mapping[tuple[str, str], str] = MappingProxyType({
    ("remark4", "*"): ("Remark 4 is about the exponents Thm. 2 states; its check verifies them "
                       "in exact rationals at every hypothesis edge, which no instance family "
                       "of the theorem changes (whether the theorem's probabilities hold is "
                       "the theorem's verdict)"),
})


def upstream(claim_id: str) -> set[str]:
    """Every claim ``claim_id``'s proof uses, directly or through others."""
    seen: set[str] = set()
    todo = list(USES.get(claim_id, ()))
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(USES.get(c, ()))
    return seen


def downstream(claim_id: str) -> set[str]:
    """Every claim whose proof uses ``claim_id``, directly or through others."""
    return {c for c in USES if claim_id in upstream(c)}


def _label(readings: Mapping[str, str]) -> str:
    return ", ".join(readings.values()) or "-"


def _failing_families(v: Verdict) -> list[str]:
    fams = [f for f, outcome in v.families.items() if outcome == "fails"]
    return fams or ["*"]


def _matching(results: Sequence[tuple[dict, Verdict]], readings: Mapping[str, str]) -> Verdict:
    """The downstream claim's verdict under the same readings where it shares the open points,
    its default elsewhere."""
    best, score = results[0], -1
    for r in results:
        shared = sum(1 for p, name in r[0].items() if readings.get(p) == name)
        if shared > score and all(readings.get(p, name) == name for p, name in r[0].items()):
            best, score = r, shared
    return best[1]


def consistency(results: Mapping[str, Sequence[tuple[dict, Verdict]]]) -> list[str]:
    """Violations of the rule of the module docstring, one line each (empty: consistent).

    ``results`` maps claim id -> [(reading assignment, headline verdict), ...] (defaults
    first), as the report runs them."""
    problems = []
    for cid, runs in results.items():
        for readings, v in runs:
            if not v.fails:
                continue
            for d in sorted(downstream(cid)):
                if d not in results:
                    continue
                dv = _matching(results[d], readings)
                if dv.verdict != "holds":
                    continue
                for fam in _failing_families(v):
                    if fam in dv.families or (d, fam) in EXCLUDED or (d, "*") in EXCLUDED:
                        continue
                    problems.append(f"{d} holds downstream of {cid}, which fails under "
                                    f"{_label(readings)} (family {fam}), without a check that "
                                    "covers it")
    return problems


def graph_text(results: Mapping[str, Sequence[tuple[dict, Verdict]]] | None = None) -> str:
    """The graph as text: each claim with the claims its proof uses, and (given ``results``)
    its verdict under each reading."""
    lines = []
    for cid, uses in USES.items():
        head = cid
        if results and cid in results:
            head += "  [" + "; ".join(f"{_label(r)}: {v.verdict}" for r, v in results[cid]) + "]"
        lines.append(head)
        lines += [f"  <- {u}" for u in uses]
    return "\n".join(lines)
