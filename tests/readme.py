"""The README's generated sections: each lies between ``<!-- generated: NAME -->`` and
``<!-- end: NAME -->`` and is rebuilt from the code that owns it.

    python -m tests.readme           # rewrite the sections in README.md
    python -m tests.readme --check   # exit 1 when README.md differs (tests/test_readme.py)

A checkout tool (not shipped): it keeps the README true to the code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def contract() -> str:
    """The contract table: ``recmech.properties.contract.PARTS`` and the claim ids using each."""
    from recmech.properties.claims import claim_table
    from recmech.properties.contract import contract_markdown

    return contract_markdown({cid: row.parts for cid, row in claim_table().items()})


def _brief(cex: dict, limit: int = 5) -> str:
    def short(v) -> str:
        text = str(v)
        return text if len(text) <= 70 else text[:67] + "..."
    return "; ".join(f"{k} = {short(v)}" for k, v in list(cex.items())[:limit])


def errata() -> str:
    """The errata table and the proof gaps, from the one register
    (``recmech.properties.errata``)."""
    from recmech.properties.errata import ERRATA, PROOF_GAPS
    from recmech.properties.render import markdown_table

    rows = [[f"`{e.claim_id}`" + (f" ({', '.join(e.readings)})" if e.readings else ""),
             e.summary, _brief(e.counterexample), e.corrected_statement]
            for entries in ERRATA.values() for e in entries]
    table = markdown_table(["claim (reading)", "what fails", "counterexample",
                            "corrected statement"], rows)
    gaps = "\n".join(f"- `{g.claim_id}`: {g.summary} Fix: {g.corrected_statement.rstrip('.')}."
                      for entries in PROOF_GAPS.values() for g in entries)
    return (table + "\n\nProof steps that do not follow while the statement survives (the "
            "report shows them under each claim):\n\n" + gaps)


SECTIONS: dict[str, Callable[[], str]] = {"contract": contract, "errata": errata}


def render(text: str) -> str:
    """``text`` with every generated section rebuilt (ValueError if a marker is missing)."""
    for name, build in SECTIONS.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(\n<!-- end: {name} -->)",
                             re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"README.md has no generated section {name!r}")
        body = build()
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        return 0 if new == text else 1
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
