"""The house: one ``recmech`` namespace, arrows one way, public names only across modules, records
by keyword, one claim table, one contract, one profile vocabulary, and no silent fallbacks.

These read the source tree (AST), so a regression is caught where it is written.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from recmech.bounds.registry import CLAIM_IDS, REGISTRY
from recmech.properties import profiles
from recmech.properties.checks.registry import CHECK_PARTS, CHECKS
from recmech.properties.claims import claim_table
from recmech.properties.errata import ERRATA, PROOF_GAPS
from recmech.properties.guard import GuardResult
from recmech.properties.verdict import Corrected, Verdict

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"recmech": "recmech", "recmech_core": "recmech.core", "bounds": "recmech.bounds",
           "properties": "recmech.properties"}
OLD_NAMES = ("bounds", "properties", "recmech_core")


def _modules() -> list[tuple[str, Path, ast.Module]]:
    """(dotted name, path, tree) of every library module."""
    out = []
    for folder, dotted in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT / folder).with_suffix("").parts
            name = ".".join((dotted, *rel)).removesuffix(".__init__")
            out.append((name, path, ast.parse(path.read_text(), str(path))))
    return out


MODULES = _modules()


def _imports(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node, node.module, alias.name


def test_nothing_imports_the_folder_names_only_the_namespace():
    found = []
    for path in [*ROOT.joinpath("tests").rglob("*.py"), *(p for _, p, _ in MODULES)]:
        tree = ast.parse(path.read_text())
        for node, module, _ in _imports(tree):
            if module.split(".")[0] in OLD_NAMES:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {module}")
    assert found == []


@pytest.mark.parametrize(("package", "forbidden"), [
    ("recmech.core", ("recmech.bounds", "recmech.properties")),
    ("recmech.bounds", ("recmech.core", "recmech.properties")),
])
def test_arrows_point_one_way(package, forbidden):
    bad = [f"{name} imports {module}" for name, _, tree in MODULES if name.startswith(package)
           for _, module, _ in _imports(tree) if module.startswith(forbidden)]
    assert bad == []


def test_no_private_name_crosses_a_module_line():
    bad = []
    for name, _, tree in MODULES:
        for node, module, alias in _imports(tree):
            private_module = any(p.startswith("_") and p != "__future__"
                                 for p in module.split("."))
            private_name = alias is not None and alias.startswith("_") and alias != "__version__"
            if module.startswith("recmech") and (private_module or private_name):
                bad.append(f"{name}:{node.lineno} imports {alias or '*'} from {module}")
    assert bad == []


def test_every_public_module_says_what_it_exports():
    missing, wrong = [], []
    for name, _, tree in MODULES:
        if name.rsplit(".", 1)[-1].startswith(("_", "test_")):
            continue
        exported = [n for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign)) and any(
            isinstance(t, ast.Name) and t.id == "__all__"
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
        if not exported:
            missing.append(name)
            continue
        defined = {n.name for n in tree.body
                   if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}
        for n in ast.walk(tree):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                defined.add(n.id)
            elif isinstance(n, ast.alias):
                defined.add((n.asname or n.name).split(".")[0])
        value = exported[0].value
        names = [e.value for e in value.elts] if isinstance(value, (ast.List, ast.Tuple)) else []
        wrong += [f"{name}.{n}" for n in names if n not in defined]
    assert missing == [] and wrong == []


def test_no_import_fallbacks_in_library_code():
    """A real import bug must raise, never turn into "not available"."""
    bad = []
    for name, _, tree in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                if any(isinstance(t, ast.Name) and t.id in ("ImportError",
                                                            "ModuleNotFoundError")
                       for t in types):
                    bad.append(f"{name}:{node.lineno}")
    assert bad == []


def test_records_are_built_by_keyword_only():
    with pytest.raises(TypeError):
        Verdict("lemma3", "holds", 1, 0.0, 0.0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        GuardResult("lemma3", "reference", "passed", "holds", "ok")  # type: ignore[misc]
    v = Verdict.exact("lemma3", False, instances=2, counterexample={"x": 1},
                      corrected=Corrected.of(True))
    assert v.verdict == "fails-as-stated" and v.false_alarm == v.false_pass == 0.0
    assert v.corrected.verdict == "holds" and v.to_dict()["corrected"]["verdict"] == "holds"
    assert Verdict.exact("lemma3", True, instances=1, counterexample={"x": 1}
                         ).counterexample is None
    with pytest.raises(TypeError, match="corrected must be a Corrected"):
        Verdict.exact("lemma3", True, instances=1, corrected="holds")
    assert all(f.kw_only for f in dataclasses.fields(Verdict))


def test_the_claim_table_joins_register_calculators_checks_and_errata():
    table = claim_table()
    paper = [c for c in table if not c.startswith("project.")]
    assert paper == list(CLAIM_IDS) and set(REGISTRY) == set(CLAIM_IDS)
    assert set(CHECKS) == set(table) and len(table) > len(CLAIM_IDS)
    for cid, row in table.items():
        if row.source == "project":
            assert row.calculator is None and row.parts == ()
            continue
        assert row.calculator is REGISTRY[cid] and row.check is CHECKS[cid]
        assert row.parts == CHECK_PARTS[cid] and row.errata == ERRATA.get(cid, ())
        assert row.proof_gaps == PROOF_GAPS.get(cid, ())
        for readings in row.variants:
            applying = [e for e in ERRATA.get(cid, ()) if e.applies(readings)]
            expected = (applying[0].verdict if applying
                        else "rate-only" if row.rate_only else "holds")
            assert row.expected_for(readings) == expected


def test_one_profile_vocabulary_with_the_same_named_sizes():
    quick, thorough = profiles.budget("quick"), profiles.budget("thorough")
    assert set(quick.sizes) == set(thorough.sizes) == set(profiles.budget("dev").sizes)
    assert profiles.PROFILES == ("quick", "dev", "thorough")
    with pytest.raises(KeyError, match="has no size"):
        quick.size("no.such.size")
    with pytest.raises(ValueError, match="profile must be one of quick, dev, thorough"):
        profiles.profile_name("ci")
    # the checks read their sizes and seeds from the budget record only
    sources = [p.read_text() for p in (ROOT / "properties" / "checks").glob("*.py")]
    assert not any('profile == "' in s or "RECMECH_CHECK_PROFILE" in s for s in sources)


def test_one_protocol_builder_and_one_json_converter():
    defs = {}
    for name, _, tree in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                defs.setdefault(node.name, []).append(name)
    assert defs["protocol_for"] == ["recmech.core.protocols"]
    assert defs["jsonable"] == ["recmech.bounds.records"]
    assert defs["markdown_table"] == ["recmech.properties.render"]
    assert not {"json_safe", "_json_safe", "_json_default", "dominant_matrix"} & set(defs)


# import name -> distribution, for every third-party package library code may import
DISTRIBUTIONS = {"numpy": "numpy", "scipy": "scipy", "mpmath": "mpmath",
                 "matplotlib": "matplotlib", "highspy": "highspy", "hypothesis": "hypothesis",
                 "pytest": "pytest", "_pytest": "pytest", "distributed": "dask"}
# imported only where the optional package is already there: pytest by the pytest plugin and
# the guard (pytest runs them), distributed by the Dask engine (checked by find_spec first)
OPTIONAL_IMPORTERS = {"pytest": ("recmech.properties.plugin", "recmech.properties.guard",
                                 "recmech.properties.test_guard_claims"),
                      "dask": ("recmech.properties.engine",)}


def test_every_third_party_import_is_a_declared_dependency():
    """`pip install recmech` alone must run every command: a library import of a package that
    is only in an extra is a crash on a user's machine (it was: hypothesis, for `recmech
    report`)."""
    import re
    import sys

    (listed,) = re.findall(r"^dependencies = \[(.*?)\]$", (ROOT / "pyproject.toml").read_text(),
                           re.MULTILINE | re.DOTALL)
    runtime = {re.split(r"[<>=\[ ]", d.strip().strip('"'))[0] for d in listed.split(",")}
    bad = []
    for name, _, tree in MODULES:
        for node, module, _alias in _imports(tree):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top == "recmech":
                continue
            dist = DISTRIBUTIONS.get(top)
            if dist is None:
                bad.append(f"{name}:{node.lineno} imports {top}, not in DISTRIBUTIONS")
            elif dist not in runtime and name not in OPTIONAL_IMPORTERS.get(dist, ()):
                bad.append(f"{name}:{node.lineno} imports {top} ({dist} is not a dependency)")
    assert bad == []
