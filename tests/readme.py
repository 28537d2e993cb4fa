"""The README's generated sections: each lies between ``<!-- generated: NAME -->`` and
``<!-- end: NAME -->`` and is rebuilt from the code (or the command) that owns it.

    python -m tests.readme                 # rewrite the sections in README.md
    python -m tests.readme --figures       # also redraw docs/figures/*.svg and their numbers
    python -m tests.readme --figures-only  # redraw the figures, leave README.md as it is
    python -m tests.readme --check         # exit 1 when README.md differs (tests/test_readme.py)
    python -m tests.readme --time-tests    # time `python -m pytest` (docs/test-time.json)
    python -m tests.readme --help          # this text; nothing is written

Sections: ``commands`` (the CLI map, from the parser), ``erratum-row`` (a ``recmech table``
command and its output), ``figures`` (each figure, its command and caption), ``report`` (the
report card of ``recmech report``, profile quick, without the timing column), ``rooms`` (the
rooms of recmech.properties and their modules, from their docstrings), ``mechanism``
(``recmech demo --mechanism``), ``contract`` (the guard's contract). A checkout tool (not
shipped): it keeps the README true to the code.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIGURES_DIR = ROOT / "docs" / "figures"


def contract() -> str:
    """The contract table: ``recmech.properties.subject.contract.PARTS`` and the claim ids
    using each."""
    from recmech.properties.claims.table import claim_table
    from recmech.properties.judging.checks.registry import parts_of
    from recmech.properties.report.render import contract_markdown

    return contract_markdown({cid: parts_of(cid) for cid in claim_table()})


def _brief(cex: dict, limit: int = 5) -> str:
    def short(v) -> str:
        text = str(v)
        return text if len(text) <= 70 else text[:67] + "..."
    return "; ".join(f"{k} = {short(v)}" for k, v in list(cex.items())[:limit])


def catalogue() -> str:
    """The guard's fault catalogue: ``tests/broken/catalogue.py``."""
    from tests.broken.catalogue import markdown

    return markdown()




BENCH_JSON = Path(__file__).resolve().parent / "benchmarks" / "bench.json"


def _num(v) -> str:
    if v is None:
        return "n/a"
    return f"{v:,}" if isinstance(v, int) else (f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}")


def performance() -> str:
    """The performance tables from the committed bench run ``tests/benchmarks/bench.json``
    (regenerate: ``recmech bench --json tests/benchmarks/bench.json``, then this)."""
    import json

    from recmech.properties.report.render import markdown_table

    run = json.loads(BENCH_JSON.read_text(encoding="utf-8"))
    m, d = run["machine"], run["details"]
    # a 1-minute load of one or more before the run means other jobs shared the cores
    busy = ("the machine was shared" if d["load_average_before"][0] >= 1
            else "the machine was idle before the run")
    head = (f"Measured in one run of `recmech bench{' --quick' if run['quick'] else ''}` "
            f"({run['seconds']:.0f} s) on {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
            f"numpy {m['numpy']}, scipy {m['scipy']}; load average {d['load_average_before']} "
            f"before and {d['load_average_after']} after ({busy}). Medians over "
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




def errata() -> str:
    """The errata table and the proof gaps, from the one register
    (``recmech.properties.claims.errata``)."""
    from recmech.properties.claims.errata import ERRATA, PROOF_GAPS
    from recmech.properties.report.render import markdown_table

    rows = [[f"`{e.claim_id}`" + (f" ({', '.join(e.readings)})" if e.readings else ""),
             e.summary, _brief(e.counterexample), e.corrected_statement]
            for entries in ERRATA.values() for e in entries]
    table = markdown_table(["claim (reading)", "what fails", "counterexample",
                            "corrected statement"], rows)
    gaps = "\n".join(f"- `{g.claim_id}`: {g.summary} Fix: {g.corrected_statement.rstrip('.')}."
                      for entries in PROOF_GAPS.values() for g in entries)
    return (table + "\n\nProof steps that do not follow while the statement survives (the "
            "report shows them under each claim):\n\n" + gaps)


def commands() -> str:
    """Every ``recmech`` command: its usage, what it does and the package that computes it."""
    from recmech.properties.cli.main import command_map
    from recmech.properties.report.render import markdown_table

    return markdown_table(["command", "what it does", "computed by"],
                          [[f"`{usage}`", what, f"`{package.split(' ', 1)[0]}`"
                            + (f" {package.split(' ', 1)[1]}" if " " in package else "")]
                           for usage, what, package in command_map()])


# -- figures --------------------------------------------------------------------------------------

def figure_command(name: str) -> str:
    """The command that draws the README's copy of figure ``name`` (without the caption in
    the image: the README prints it under the image)."""
    return (f"recmech plot {name} --no-caption --out docs/figures/{name}.svg "
            f"--json docs/figures/{name}.json")


@functools.lru_cache(maxsize=1)
def figure_data() -> dict:
    """Each figure of ``recmech plot`` at its default options (what the README shows)."""
    from recmech.properties.report.figures import FIGURES

    return {name: spec.build() for name, spec in FIGURES.items()}


def figures() -> str:
    """The figures: a table (name, what it shows, command), then each image with its caption."""
    from recmech.properties.report.figures import FIGURES
    from recmech.properties.report.render import markdown_table

    data = figure_data()
    lines = [markdown_table(["figure", "what it shows", "drawn by"],
                            [[f"[`{name}`](docs/figures/{name}.svg)", spec.help,
                              f"`{figure_command(name)}`"] for name, spec in FIGURES.items()])]
    for name in FIGURES:
        lines += ["", f"![{data[name].title}](docs/figures/{name}.svg)", "",
                  f"*{data[name].caption}*"]
    return "\n".join(lines)


def write_figures() -> None:
    """Redraw docs/figures/NAME.svg and NAME.json (the numbers each figure plots)."""
    from recmech.bounds.records import dumps
    from recmech.properties.report.plots import save

    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    for name, data in figure_data().items():
        save(data, FIGURES_DIR / f"{name}.svg", caption=False)
        (FIGURES_DIR / f"{name}.json").write_text(dumps(data.to_dict()) + "\n", encoding="utf-8")


def committed_figure(name: str) -> tuple[dict, str]:
    """The committed numbers (JSON) and SVG text of figure ``name``."""
    return (json.loads((FIGURES_DIR / f"{name}.json").read_text(encoding="utf-8")),
            (FIGURES_DIR / f"{name}.svg").read_text(encoding="utf-8"))


def report_verdict(claim_id: str, readings: dict):
    """The verdict of ``claim_id`` under ``readings`` in the quick report card (``report_rows``):
    the record ``run_check`` gives, computed once per test run (a chunk's record is the same in
    any process and on any engine: tests/test_engine.py)."""
    for row in report_rows():
        for run in row.runs if row.claim_id == claim_id else ():
            if run.readings == dict(readings):
                if run.verdict is None:
                    raise AssertionError(f"{claim_id} under {readings}: {run.error}")
                return run.verdict
    raise KeyError(f"{claim_id} under {readings} is not on the report card")


# -- report card and mechanism table --------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def report_rows() -> tuple:
    """The report card's rows: every claim, profile quick (deterministic). Computed once per
    process: the README's card and the tests that read a claim's quick verdict share it
    (``report_verdict``), so a test run checks every claim once."""
    from recmech.properties.claims.table import claim_ids
    from recmech.properties.engine.run import engine_for
    from recmech.properties.report.card import run_report

    engine = engine_for(2)  # as `recmech report --jobs 2`
    try:
        return tuple(run_report(claim_ids(), "quick", engine))
    finally:
        engine.close()


def report() -> str:
    """The report card as ``recmech report`` prints it, without its timing column."""
    from recmech.properties.report.card import report_cells, report_header
    from recmech.properties.report.render import markdown_table

    rows = report_rows()
    header = report_header()
    keep = [i for i, h in enumerate(header) if h not in ("match", "s")]
    table = markdown_table([header[i] for i in keep],
                           [[report_cells(r)[i] for i in keep] for r in rows])
    mismatched = [r.claim_id for r in rows if r.matches is False]
    verdict = ("Every verdict is the one the claim table expects (`recmech report` exits 0)."
               if not mismatched else
               f"Verdicts that differ from the claim table: {', '.join(mismatched)}.")
    from recmech.properties.cli.report import REPORT_COLUMNS
    from recmech.properties.report.card import family_wise_level

    level = (f"Family-wise false-alarm probability of the card (union over every statistical "
             f"test it ran): <= {family_wise_level(list(rows)):.3g}.")
    return f"{table}\n\n{len(rows)} claims. {verdict} {level}\n\n{REPORT_COLUMNS}"


def rate_only() -> str:
    """How the O(.) claims are judged, with the draws the tests need and the observed
    constants of Prop. 1 (2)-(3) under the product-support reading (the report card's runs)."""
    import math

    from recmech.properties.judging.stats import DEFAULT_ALPHA, sample_size

    k1, k2 = sample_size(2 * math.exp(-4), 0.0).n, sample_size(2 * math.exp(-8), 0.0).n
    detect = sample_size(2 * math.exp(-8), 4 * math.exp(-8)).n
    rows = {r.claim_id: r for r in report_rows()}
    consts = []
    for cid in ("proposition1.gaussian", "proposition1.weak_dependence"):
        run = next(x for x in rows[cid].runs
                   if x.readings.get("definition2.null_events", "product-support")
                   == "product-support")
        consts.append((run.verdict.instance["sweep"], run.verdict.bound))
    observed = [max(r["max_f_over_rate"] for r in sweep) for sweep, _ in consts]
    return (
        "Rate-only claims (O(.) statements) pass when the observed quantity over the stated rate "
        "does not grow along any swept parameter (fitted log-log slope <= 0.15) and, for Prop. 1 "
        "(2)-(3), when the constant Theorem 2 gives at Prop. 1's |S| holds with probability >= "
        "1 − 2e^{−4k}, settled by Clopper-Pearson for k <= 2 at false alarm "
        f"{DEFAULT_ALPHA:.2g} per test (`recmech.properties.judging.stats.sample_size` gives the "
        "draws: "
        f"{k1:,} for k = 1, {k2:,} for k = 2 to confirm; {detect:,} to detect a failure rate "
        f"twice 2e^{{−8}}). Under the product-support reading of Definition 2 the observed "
        f"constants ({observed[0]:.3g} and {observed[1]:.3g}) are far below Theorem 2's "
        f"({consts[0][1]:g} and {consts[1][1]:g}); under the positive-probability reading "
        "Prop. 1 (3) fails (its erratum).")


def _chunk_kind(spec: dict) -> str:
    if "part" in spec:
        part = spec["part"]
        label = {"both": "search (dominant both ways)", "rows": "search (by rows)",
                 "cols": "search (by columns)", "iid": "iid sweep", "mc": "Monte Carlo case",
                 "sweep": "sweep block", "structured": "structured candidates",
                 "diagonals": "diagonal cases"}.get(part.removeprefix("c-"),
                                                    part.removeprefix("c-"))
        return ("corrected: " if part.startswith("c-") else "") + label
    if "point" in spec:
        return "sweep point"
    if spec.get("repetition"):
        return "repetition law"
    return "whole check"


def chunks() -> str:
    """The chunks of every check (``recmech.properties.report.card.plan_tasks``): how many in the
    quick and thorough profiles, and what one is in thorough (readings counted)."""
    import collections

    from recmech.properties.claims.table import claim_ids
    from recmech.properties.report.card import plan_tasks
    from recmech.properties.report.render import markdown_table

    counts = {}
    for profile in ("quick", "thorough"):
        _, tasks = plan_tasks(claim_ids(), profile)
        counts[profile] = collections.Counter(t.claim_id for t in tasks)
        if profile == "thorough":
            kinds: dict = collections.defaultdict(collections.Counter)
            for t in tasks:
                kinds[t.claim_id][_chunk_kind(t.spec)] += 1
    rows = [[f"`{cid}`", counts["quick"][cid], counts["thorough"][cid],
             ", ".join(f"{k} x{n}" if n > 1 else k for k, n in kinds[cid].items())]
            for cid in claim_ids()]
    total = [sum(counts[p].values()) for p in ("quick", "thorough")]
    return (markdown_table(["claim", "chunks (quick)", "chunks (thorough)",
                            "a chunk is (thorough; one per reading where the reading matters)"],
                           rows)
            + f"\n\n{total[0]} chunks in the quick profile, {total[1]} in thorough.")


def run_command(argv: list[str]) -> str:
    """What ``recmech ARGV`` prints on stdout."""
    from recmech.properties.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    if code != 0:
        raise RuntimeError(f"recmech {' '.join(argv)} exited {code}")
    return out.getvalue().rstrip("\n")


def mechanism() -> str:
    """``recmech demo --mechanism``, verbatim."""
    return run_command(["demo", "--mechanism"])


ERRATUM_ROW = ["table", "theorem2.deterministic", "--param", "C=-1", "--param", "eps=0.1",
               "--param", "A_inf=1"]


def erratum_row() -> str:
    """The 1 x 1 counterexample of the theorem2.deterministic erratum, command and output."""
    return f"```\n$ recmech {' '.join(ERRATUM_ROW)}\n```\n\n{run_command(ERRATUM_ROW)}"


def rooms() -> str:
    """The rooms of recmech.properties, bottom to top: each room's job (the first line of its
    ``__init__`` docstring) and its modules, each with the first line of its docstring."""
    import ast
    import textwrap

    from tests.test_house import ROOMS

    def job(path: Path) -> str:
        """The first sentence of the docstring."""
        doc = " ".join((ast.get_docstring(ast.parse(path.read_text())) or "").split())
        doc = doc.replace("``", "")  # the tree is a code block: literal marks would show
        for stop in (". ",):
            doc = doc.split(stop)[0]
        return doc.rstrip(".")

    def row(name: str, text: str, indent: int, width: int) -> list[str]:
        lead = " " * indent + f"{name:<{width}}"
        return textwrap.wrap(text, 100, initial_indent=lead,
                             subsequent_indent=" " * len(lead)) or [lead.rstrip()]

    lines = ["```", "properties/"]
    for room in ROOMS:
        folder = ROOT / "properties" / room
        lines += row(room + "/", job(folder / "__init__.py"), 2, 12)
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(folder)
            if path.name == "__init__.py" and path.parent == folder:
                continue
            name = str(rel.parent) + "/" if path.name == "__init__.py" else str(rel)[:-3]
            lines += row(name, job(path), 4, 22)
    return "\n".join([*lines, "```"])


def tolerances() -> str:
    """The one tolerance table (``recmech.properties.judging.tolerances``)."""
    from recmech.properties.judging.tolerances import tolerance_markdown

    return tolerance_markdown().rstrip()


def part_domains() -> str:
    """What each part judgement searches (``recmech.properties.guard.parts.domains``)."""
    from recmech.properties.guard.parts.domains import domain_markdown

    return domain_markdown().rstrip()


def inventory_counts() -> str:
    """``python -m tests.inventory``: the asserting sentences of the library by tag kind."""
    from tests.inventory import main as inventory_main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        inventory_main()
    return out.getvalue().rstrip()


SECTIONS: dict[str, Callable[[], str]] = {
    "rooms": rooms, "tolerances": tolerances, "part-domains": part_domains,
    "inventory": inventory_counts, "commands": commands, "erratum-row": erratum_row,
    "figures": figures,
    "report": report,
    "mechanism": mechanism, "contract": contract, "errata": errata, "rate-only": rate_only,
    "performance": performance, "catalogue": catalogue, "chunks": chunks,
}


# sections a README may lack (added after the code that builds them; built in main's module)
OPTIONAL = ("test-time",)


def render(text: str, sections: dict[str, Callable[[], str]] | None = None) -> str:
    """``text`` with every generated section rebuilt (ValueError if a marker is missing)."""
    chosen = {**SECTIONS, "test-time": suite_time} if sections is None else sections
    for name, build in chosen.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(\n<!-- end: {name} -->)",
                             re.DOTALL)
        if not pattern.search(text) and name in OPTIONAL and sections is None:
            continue
        if not pattern.search(text):
            raise ValueError(f"README.md has no generated section {name!r}")
        body = build()
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(2), text)
    return text


# -- the test run's time ---------------------------------------------------------------------

TIMING = ROOT / "docs" / "test-time.json"


def time_tests(log: Path | None = None) -> dict:
    """Run ``python -m pytest --durations=30 -q`` once, as the README says, and record its wall
    time with the machine's cores and load (before and after) in docs/test-time.json; the
    pytest output (the 30 slowest tests) goes to ``log`` or stdout."""
    import os
    import platform
    import subprocess
    import time

    load = os.getloadavg()[0]
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "--durations=30", "-q",
                          "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    record = {"command": "python -m pytest", "seconds": round(seconds),
              "exit_code": run.returncode, "cores": os.cpu_count(),
              "load_before": round(load, 1), "load_after": round(os.getloadavg()[0], 1),
              "python": platform.python_version(),
              "summary": (run.stdout.strip().splitlines() or [""])[-1]}
    TIMING.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    text = run.stdout + run.stderr
    if log is None:
        print(text)
    else:
        log.write_text(text, encoding="utf-8")
    return record


def suite_time() -> str:
    """The README's sentence on the test run's time (docs/test-time.json)."""
    r = json.loads(TIMING.read_text(encoding="utf-8"))
    return (f"`{r['command']}` took {r['seconds']} s here ({r['cores']} cores, load average "
            f"{r['load_before']} before and {r['load_after']} after, Python {r['python']}; "
            f"`{r['summary']}`), measured by `python -m tests.readme --time-tests` (which runs "
            "it once with `--durations=30` and writes docs/test-time.json).")


USAGE = __doc__.split("\n\n")[1]
OPTIONS = ("--figures", "--figures-only", "--check", "--help", "-h", "--time-tests")


def main(argv: list[str]) -> int:
    unknown = [a for a in argv if a not in OPTIONS]
    if unknown or "--help" in argv or "-h" in argv:
        print(USAGE, file=sys.stderr if unknown else sys.stdout)
        if unknown:
            print(f"python -m tests.readme: unknown option(s) {' '.join(unknown)}",
                  file=sys.stderr)
        return 2 if unknown else 0
    if "--figures-only" in argv:
        write_figures()
        return 0
    if "--time-tests" in argv:
        time_tests()
        return 0
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        return 0 if new == text else 1
    if "--figures" in argv:
        write_figures()
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
