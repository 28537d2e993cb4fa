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


BENCH_JSON = Path(__file__).resolve().parent / "benchmarks" / "bench.json"


def _num(v) -> str:
    if v is None:
        return "n/a"
    return f"{v:,}" if isinstance(v, int) else (f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}")


def performance() -> str:
    """The performance tables from the committed bench run ``tests/benchmarks/bench.json``
    (regenerate: ``recmech bench --json tests/benchmarks/bench.json``, then this)."""
    import json

    from recmech.properties.render import markdown_table

    run = json.loads(BENCH_JSON.read_text(encoding="utf-8"))
    m, d = run["machine"], run["details"]
    head = (f"Measured in one run of `recmech bench{' --quick' if run['quick'] else ''}` "
            f"({run['seconds']:.0f} s) on {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
            f"numpy {m['numpy']}, scipy {m['scipy']}; load average {d['load_average_before']} "
            f"before and {d['load_average_after']} after (the machine was shared). Medians over "
            f"rounds after a warm-up; eps = eta = {d['eps']:g}.")
    rows = [[r["ratio"], _num(r["measured"]), r["target"],
             "n/a" if r["met"] is None else ("yes" if r["met"] else "**no**")]
            for r in run["rows"]]
    cells = []
    for c in d["query_cells"]:
        r = c["ratios"]
        cells.append([c["setting"], c["k"], _num(c["theorem_queries"]), _num(r["theorem"]),
                      _num(c["certified_queries"]), _num(r["certified"]),
                      _num(r["certified_over_packing"]), _num(r["certified_block_floor"]),
                      _num(c["certified_delta"]), _num(c["paper_delta"]),
                      _num(c["same_delta_queries"]), _num(r["certified_at_theorem_delta"]),
                      _num(r["certified_at_theorem_delta_block_floor"]),
                      _num(c["theorem_delta"])])
    query = markdown_table(
        ["family", "k", "Thm. 2's set: queries", "/ min", "certified: queries", "/ min",
         "/ packing min", "block floor / min", "its delta", "paper's delta",
         "certified at Thm. 2's delta: queries", "/ min", "block floor / min",
         "Thm. 2's delta"], cells)
    return "\n\n".join([head, markdown_table(["ratio", "measured", "target", "met?"], rows),
                         f"Queries at N = {d['query_N']:,} (min = k log2(1/(2 delta)) at the "
                         "run's certified delta):", query])


SECTIONS: dict[str, Callable[[], str]] = {"contract": contract, "performance": performance}


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
