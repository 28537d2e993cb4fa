"""The README stays true: its generated sections are what the code and the commands say today
(``python -m tests.readme`` rebuilds them), its figures plot today's numbers, every number in its
prose is recomputed here, and every ``recmech`` command it names parses."""

from __future__ import annotations

import hashlib
import json
import math
import re
import shlex
from pathlib import Path

import pytest

from recmech.bounds.records import dumps
from tests import readme

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "README.md").read_text(encoding="utf-8")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def section(text: str, name: str) -> str:
    m = re.search(rf"<!-- generated: {name} -->\n(.*?)\n<!-- end: {name} -->", text, re.DOTALL)
    assert m, f"README.md has no generated section {name!r}"
    return m.group(1)


def same_up_to_float_noise(a: str, b: str, rel: float = 1e-3, abs_: float = 1e-12) -> bool:
    """Equal text, except numbers that may differ in their last digits between platforms."""
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    return all(math.isclose(float(x), float(y), rel_tol=rel, abs_tol=abs_)
               for x, y in zip(NUMBER.findall(a), NUMBER.findall(b), strict=True))


@pytest.mark.parametrize("name", list(readme.SECTIONS))
def test_generated_sections_match_the_code(name):
    body = readme.SECTIONS[name]()
    assert same_up_to_float_noise(section(TEXT, name), body), (
        f"README.md section {name!r} drifted: run python -m tests.readme")


def _close(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return (a is not None and b is not None
                and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12))
    return a == b


@pytest.mark.parametrize("name", ["lemma7", "queries", "accuracy", "mechanism", "lp"])
def test_each_committed_figure_plots_todays_numbers(name):
    numbers, svg = readme.committed_figure(name)
    fresh = json.loads(dumps(readme.figure_data()[name].to_dict()))
    assert _close(numbers, fresh), (f"docs/figures/{name} drifted: run python -m tests.readme "
                                    "--figures")
    # the picture is the one drawn from these numbers (their digest is in its metadata)
    digest = hashlib.sha256(dumps(numbers).encode()).hexdigest()
    assert f"data sha256 {digest}" in svg
    assert f"`{readme.figure_command(name)}`" in TEXT


def test_the_install_command_provides_what_the_readme_uses():
    pyproject = (ROOT / "pyproject.toml").read_text()

    def names(key: str) -> set[str]:
        (listed,) = re.findall(rf"^{key} = \[(.*?)\]$", pyproject, re.MULTILINE | re.DOTALL)
        out: set[str] = set()
        for d in listed.split(","):
            d = d.strip().strip('"')
            own = re.fullmatch(r"recmech\[(\w+)\]", d)  # one of our extras: its packages
            out |= names(own.group(1)) if own else {re.split(r"[<>=\[ ]", d)[0]}
        return out

    install = re.search(r'pip install -e "\.\[test\]"\s+# install \(([^)]*)\)', TEXT)
    assert install, "the quickstart's install line"
    named = {n.strip() for n in re.split(r"[;,]", install.group(1))}
    runtime, test_extra = names("dependencies"), names("test")
    assert named == runtime | test_extra
    assert "matplotlib" in runtime  # recmech plot, recmech table --plot
    if re.search(r"pytest[^\n`]*\s-n\s", TEXT):  # xdist only if the README names -n
        assert "pytest-xdist" in test_extra


def _recmech_commands(text: str) -> list[str]:
    found = re.findall(r"`(recmech [^`]+)`", text)
    for block in re.findall(r"```(?:bash)?\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            line = line.split("  #")[0].strip().removeprefix("$ ")
            found += [part.strip() for part in line.split("&&") if part.strip()
                      .startswith("recmech ")]
    # usage lines with [optional] or {choice} parts are the parser's own words
    return sorted({c for c in found if not re.search(r"[\[{|]|\.\.\.", c)})


def test_every_recmech_command_the_readme_names_parses():
    from recmech.properties.cli.main import build_parser

    commands = _recmech_commands(TEXT)
    assert len(commands) >= 8
    parser = build_parser()
    placeholders = {"COMMAND": "demo", "CLAIM": "lemma4", "NAME": "lemma7", "FILE": "f.pdf",
                    "COLUMN": "delta", "PATH": "r.json"}
    for command in commands:
        argv = [placeholders.get(a, a) for a in shlex.split(command)[1:]]
        if argv[-1:] == ["--help"]:
            argv = argv[:-1]
        parser.parse_args(argv)  # a _UsageError names the command that does not parse


def test_the_readme_names_the_installed_names():
    assert "--pyargs recmech.properties" in TEXT and "--pyargs properties " not in TEXT
    assert "python -m tests.mutation" in TEXT
    assert "RECMECH_CHECK_PROFILE" not in TEXT
    assert "our max flow" not in TEXT and "scipy's max flow" in TEXT


# -- numbers in the prose, recomputed -------------------------------------------------------------

def card() -> dict[str, list[str]]:
    """The README's report card: claim id -> cells."""
    rows = {}
    for line in section(TEXT, "report").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    return rows


def test_errata_counterexample_numbers_are_the_calculators():
    """The numbers of the generated errata table (the register's counterexamples), recomputed
    by the calculators and scipy."""
    import numpy as np
    from scipy import stats

    from recmech.bounds import theorem2_deterministic, theorem2_noisy_value
    from recmech.bounds.registry import compute
    from recmech.properties.claims.errata import ERRATA

    def first(cid: str, readings: tuple = ()) -> dict:
        return next(e for e in ERRATA[cid] if e.readings == readings).counterexample

    tail = first("lemma7.upper_tail")
    def number(text: str) -> float:
        return float(text.split()[0])

    assert number(tail["exact_prob"]) == pytest.approx(stats.chi2.sf(48, 24), rel=1e-11)
    assert number(tail["printed_bound"]) == pytest.approx(math.exp(-6), rel=1e-11)
    failing = [n for n in range(1, 201) if compute("lemma7.upper_tail", trace_d=n, d_max=1,
                                                   isotropic=True).erratum]
    assert failing == list(range(tail["smallest_iid_n"], 201))
    det = first("theorem2.deterministic")
    rec = theorem2_deterministic(C=np.array(det["C"]), A_inf=1, eps=det["eps"])
    assert rec.values["delta"] == det["printed_delta"] < 0
    assert rec.corrected["delta"] == det["corrected_delta"] > det["observed_error"]
    nv = first("theorem2.noisy_value")
    rec = theorem2_noisy_value(A_inf=nv["A_inf"], eta=nv["eta"], eps=nv["eps"])
    assert rec.values["queries"] == 1 < rec.corrected["queries_sufficient"] == nv["needed_queries"]
    for cid, power, n in (("lemma5", "-557/64 + 8", 557), ("lemma8", "-22.99^2/736", 23)):
        cex = first(cid, ("positive-probability",))
        value = 2 * math.exp(-n / 64 + 8) if cid == "lemma5" else 2 * math.exp(-22.99**2 / 736)
        assert power in cex["bound"]
        assert float(cex["bound"].split()[-1]) == pytest.approx(value, rel=1e-11)
        assert value < cex["exact_prob"] == 1.0
    assert section(TEXT, "errata").count("|") > 0 and "`lemma7.upper_tail`" in TEXT
    assert card()["theorem1"][3] == "-1.25" and "the least truthful utility is negative" in TEXT


def test_rate_only_paragraph_is_generated_from_the_stats_and_the_card():
    from recmech.properties.judging.stats import sample_size

    k1, k2 = sample_size(2 * math.exp(-4), 0.0).n, sample_size(2 * math.exp(-8), 0.0).n
    text = " ".join(section(TEXT, "rate-only").split())
    assert f"{k1:,} for k = 1, {k2:,} for k = 2 to confirm" in text
    assert "Theorem 2's (512 and 64)" in text


def test_the_report_card_header_names_its_machine_and_command():
    header = TEXT[TEXT.index("## Report card"):TEXT.index("<!-- generated: report -->")]
    assert "`recmech report" in header and "cores" in header and "measured" in header


def test_the_allocation_limit_the_readme_states_is_the_codes():
    from recmech.properties.report.parameters import MAX_ENTRIES

    assert MAX_ENTRIES == 10**7 and "never builds an array of more than 10^7 entries" in TEXT


def test_the_quickstart_states_the_demos_default_size():
    from recmech.properties.cli.demo import DEMO_DEFAULTS

    assert f"Theorem 2's query protocols on {DEMO_DEFAULTS['N']:,} items" in TEXT


def test_the_layout_names_every_module_of_the_three_packages():
    layout = TEXT[TEXT.index("## Layout"):TEXT.index("## Guarding")]
    words = set(re.findall(r"[a-z_0-9]+", layout))
    for folder in ("recmech_core", "bounds", "properties"):
        missing = [p.stem for p in (ROOT / folder).glob("*.py")
                   if p.stem != "__init__" and p.stem not in words]
        assert not missing, f"README's Layout does not name {folder}/{missing}"
