"""``recmech claims``: every claim id with its paper place and verdicts; with an id, its
statement, parameters, errata and proof gaps.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from recmech.properties.cli.common import (
    Once,
    UsageError,
)

__all__ = ["register"]


def _read_report(path: str) -> tuple[dict[str, dict], str]:
    """Rows of a ``recmech report --json`` document by claim id, and its profile."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        rows = {r["claim_id"]: r for r in data["rows"]}
        return rows, str(data.get("profile", "?"))
    except OSError as exc:
        raise UsageError(f"recmech claims: --report {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"recmech claims: --report {path}: not a report written by "
                          "`recmech report --json PATH`") from None


def _claims(args: argparse.Namespace) -> int:
    from recmech.properties.report.parameters import describe_claim

    last, profile = _read_report(args.report) if args.report else ({}, "")
    from recmech.properties.claims.table import claim_ids

    if args.claim_id is not None and args.claim_id not in claim_ids():
        raise UsageError(f"recmech claims: unknown claim id {args.claim_id!r}; valid ids: "
                          f"{', '.join(claim_ids())}")
    from recmech.properties.claims.readings import READINGS
    from recmech.properties.claims.table import claim_table
    from recmech.properties.judging.checks.registry import parts_of
    from recmech.properties.report.card import expected_text, reading_glossary
    from recmech.properties.report.render import markdown_table

    table = claim_table()
    if args.claim_id is None:
        if args.format == "json":
            from recmech.bounds.records import dumps

            print(dumps([{**c.to_dict(), "last": last.get(cid)} for cid, c in table.items()]))
            return 0
        head = ["claim", "paper place", "expected verdict"]
        head += [f"last verdict ({args.report}, profile {profile})", "matches"] if last else []
        body = []
        for cid, c in table.items():
            row = [f"`{cid}`", c.place, expected_text(cid, detail=True)]
            if last:
                got = last.get(cid)
                row += ["not run", ""] if got is None else [
                    got["status"], {True: "yes", False: "NO", None: ""}[got.get("matches")]]
            body.append(row)
        print(markdown_table(head, body))
        print("\nReadings (where the paper leaves a point open, each way of settling it; a claim "
              "is checked under each):\n" + reading_glossary(list(READINGS)))
        if not last:
            print("\nLast verdicts: run `recmech report --json report.json`, then "
                  "`recmech claims --report report.json`.")
        print("\n`recmech claims CLAIM` (or `recmech table CLAIM --help`): a claim's parameters.")
        return 0
    c = table[args.claim_id]
    if args.format == "json":
        from recmech.bounds.records import dumps

        print(dumps({**c.to_dict(), "last": last.get(c.claim_id)}))
        return 0
    if c.source == "paper":
        print(describe_claim(c.claim_id))
    else:
        print(f"{c.claim_id} ({c.place}): {c.statement}")
    rate = " (an O(.) statement: its rate is checked)" if c.rate_only else ""
    verdicts = {c.expected_for(v) for v in c.variants}
    if len(verdicts) == 1:
        print(f"\nexpected verdict: {verdicts.pop()}{rate}"
              + (" (under every reading)" if len(c.variants) > 1 else ""))
    else:
        print()
        for v in c.variants:
            print(f"expected verdict under {', '.join(f'{k}={x}' for k, x in v.items())}: "
                  f"{c.expected_for(v)}{rate}")
    if last:
        got = last.get(c.claim_id)
        print(f"last verdict ({args.report}, profile {profile}): "
              + ("not run" if got is None else got["status"]))
    names = sorted({r for v in c.variants for r in v.values()})
    if names:
        print("readings:\n" + reading_glossary(names))
    for e in c.errata:
        under = f" (under {', '.join(e.readings)})" if e.readings else ""
        print(f"erratum{under}: {e.summary}\ncorrected: {e.corrected_statement}")
    for g in c.proof_gaps:
        print(f"proof step that does not follow: {g.summary}")
    print("judged parts (guard): " + (", ".join(parts_of(c.claim_id)) or "none"))
    return 0


def register(sub, add) -> None:
    """the ``claims`` subcommand's parser."""
    claims = add(sub, "claims", "recmech.properties (claims)",
                 help="every claim id with its paper place and verdicts (CLAIM: its statement "
                 "and parameters)",
                 description="Every claim id with its paper place, the verdict the claim table "
                 "expects and, with --report, the last verdict; with CLAIM_ID: its statement, "
                 "parameters (types, defaults, conveniences), erratum and proof gap.")
    claims.add_argument("claim_id", nargs="?", metavar="CLAIM_ID")
    claims.add_argument("--report", action=Once, metavar="PATH",
                        help="a `recmech report --json PATH` file: show its verdicts as the "
                        "last verdicts")
    claims.add_argument("--format", choices=("md", "json"), default="md", action=Once)
    claims.set_defaults(run=_claims)
