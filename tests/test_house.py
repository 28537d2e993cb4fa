"""The house: one ``recmech`` namespace, arrows one way (no import circle anywhere, no room
importing a room above it), public names only across modules, records by keyword, one claim
table, one contract, one profile vocabulary, and no silent fallbacks.

These read the source tree (AST), so a regression is caught where it is written.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from recmech.bounds.registry import CLAIM_IDS, REGISTRY
from recmech.properties.claims.errata import ERRATA, PROOF_GAPS
from recmech.properties.claims.table import claim_table
from recmech.properties.claims.verdict import Corrected, Verdict
from recmech.properties.guard.run import GuardResult
from recmech.properties.judging import profiles
from recmech.properties.judging.checks.registry import CHECK_PARTS, CHECKS, check_coverage

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


def test_the_claim_table_joins_register_calculators_and_errata_and_every_claim_has_a_check():
    table = claim_table()
    paper = [c for c in table if not c.startswith("project.")]
    assert paper == list(CLAIM_IDS) and set(REGISTRY) == set(CLAIM_IDS)
    assert set(check_coverage()) == set(CHECKS) == set(table) and len(table) > len(CLAIM_IDS)
    for cid, row in table.items():
        if row.source == "project":
            # a project claim judges an outside implementation only through a part of the
            # contract that exists for the project's own protocols
            assert row.calculator is None and set(CHECK_PARTS[cid]) <= {"adaptive_protocol"}
            continue
        assert row.calculator is REGISTRY[cid] and row.errata == ERRATA.get(cid, ())
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
    sources = [p.read_text() for p in (ROOT / "properties" / "judging" / "checks").glob("*.py")]
    assert not any('profile == "' in s or "RECMECH_CHECK_PROFILE" in s for s in sources)


def test_one_protocol_builder_and_one_json_converter():
    defs = {}
    for name, _, tree in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                defs.setdefault(node.name, []).append(name)
    assert defs["protocol_for"] == ["recmech.core.protocols"]
    assert defs["jsonable"] == ["recmech.bounds.records"]
    assert defs["markdown_table"] == ["recmech.properties.report.render"]
    assert not {"json_safe", "_json_safe", "_json_default", "dominant_matrix"} & set(defs)


# import name -> distribution, for every third-party package library code may import
DISTRIBUTIONS = {"numpy": "numpy", "scipy": "scipy", "mpmath": "mpmath",
                 "matplotlib": "matplotlib", "highspy": "highspy", "hypothesis": "hypothesis",
                 "pytest": "pytest", "_pytest": "pytest", "distributed": "dask"}
# imported only where the optional package is already there: pytest by the pytest plugin and
# the guard (pytest runs them), distributed by the Dask engine (checked by find_spec first)
OPTIONAL_IMPORTERS = {"pytest": ("recmech.properties.guard.plugin",
                                 "recmech.properties.guard.run",
                                 "recmech.properties.guard.test_guard_claims"),
                      "dask": ("recmech.properties.engine.run",)}


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


# The rooms of recmech.properties, bottom to top (recmech.properties' own docstring says why);
# a module may import its own room and the rooms below it, never one above.
ROOMS = ("claims", "subject", "judging", "engine", "guard", "report", "cli")
# the three packages: properties -> bounds, properties -> core; bounds and core import neither
PACKAGE_RANK = {"recmech": 0, "recmech.core": 1, "recmech.bounds": 1, "recmech.properties": 2}


def _import_graph() -> dict[str, set[str]]:
    """Module -> the recmech modules it imports, at any depth of the file (a function-level
    import is an arrow too); ``from package import name`` points at the submodule when
    ``name`` is one."""
    names = {name for name, _, _ in MODULES}
    graph: dict[str, set[str]] = {}
    for name, _, tree in MODULES:
        out = graph.setdefault(name, set())
        for _, module, alias in _imports(tree):
            if not module.startswith("recmech"):
                continue
            target = f"{module}.{alias}" if alias and f"{module}.{alias}" in names else module
            while target not in names and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != name:
                out.add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _room(module: str) -> int | None:
    parts = module.split(".")
    if parts[:2] != ["recmech", "properties"] or len(parts) < 3:
        return None
    return ROOMS.index(parts[2]) if parts[2] in ROOMS else None


def test_the_import_graph_has_no_circle():
    assert _cycles(_import_graph()) == []


def test_a_circle_is_found_where_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_every_properties_module_lives_in_a_room():
    loose = [name for name, _, _ in MODULES if name.startswith("recmech.properties.")
             and _room(name) is None]
    assert loose == []


def test_no_room_imports_a_room_above_it():
    bad = []
    for name, targets in _import_graph().items():
        here = _room(name)
        for target in targets:
            there = _room(target)
            if here is not None and there is not None and there > here:
                bad.append(f"{name} ({ROOMS[here]}) imports {target} ({ROOMS[there]})")
    assert bad == []


def test_the_three_packages_point_one_way():
    def package(module: str) -> str:
        return next(p for p in ("recmech.core", "recmech.bounds", "recmech.properties",
                                "recmech") if module == p or module.startswith(p + "."))

    bad = [f"{name} imports {target}" for name, targets in _import_graph().items()
           for target in targets
           if package(target) != package(name) and (
               PACKAGE_RANK[package(target)] >= PACKAGE_RANK[package(name)])
           and package(target) != "recmech"]
    assert bad == []


def test_each_room_says_its_job_and_what_it_may_import():
    for room in ROOMS:
        init = ROOT / "properties" / room / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert doc and ("May import" in doc or "may import" in doc), room


def test_no_module_over_600_lines_and_no_subcommand_over_300():
    long = [f"{name}: {len(path.read_text().splitlines())}" for name, path, _ in MODULES
            if len(path.read_text().splitlines()) > 600]
    commands = [p for p in (ROOT / "properties" / "cli").glob("*.py")
                if len(p.read_text().splitlines()) > 300]
    assert long == [] and commands == []
