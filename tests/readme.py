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


def catalogue() -> str:
    """The guard's fault catalogue: ``tests/broken/catalogue.py``."""
    from tests.broken.catalogue import markdown

    return markdown()


SECTIONS: dict[str, Callable[[], str]] = {"contract": contract, "catalogue": catalogue}


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
