"""Mutation testing of the suite itself: how many small faults in recmech_core and bounds do the
tests catch?

A mutant changes one operator or constant in one function of the source (an AST mutator; no
third-party tool): a comparison flips its strictness or direction, an arithmetic operator becomes
its dual (+ <-> -, * <-> /, ** -> *), a boolean operator swaps (and <-> or), a unary minus or a
``not`` is dropped, a number moves by one (0 <-> 1, c -> c + 1, c -> -c for floats), a boolean
constant flips. Each mutant is written into a scratch copy of the project and the tests that
import the mutated module are run on it; the mutant is *killed* when they fail (or time out), and
*survives* otherwise. A surviving mutant is either a gap in the suite or an *equivalent* mutant
(same behaviour, e.g. ``<`` vs ``<=`` on values that are never equal): those must be looked at by
hand, and the closing numbers are the share killed among the non-equivalent ones.

Usage, from a checkout (it is a tool of the repository, not shipped with the package)::

    python -m tests.mutation --sample 120 --seed 1 --json mutants.json

runs a reproducible sample (the same seed gives the same mutants) and prints a summary table.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("recmech_core", "bounds")
# folder -> the name it is imported by (pyproject.toml maps the folders into ``recmech``)
IMPORT_NAMES = {"recmech_core": "recmech.core", "bounds": "recmech.bounds",
                "properties": "recmech.properties"}
# the whole suite but the parts that only re-run it (the guard's subprocess runs, the benchmarks'
# smoke runs, the mutation tester's own toy runs)
ESCALATION = ("tests", "--ignore=tests/test_guard.py", "--ignore=tests/benchmarks",
              "--ignore=tests/test_mutation.py")

_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
            ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv}
_BOOLOP = {ast.And: ast.Or, ast.Or: ast.And}


@dataclass(frozen=True)
class Mutant:
    """One single-site change: ``path`` (relative to the project), ``index`` (the node's rank in
    a walk of the module), the source line and the change in words."""

    path: str
    index: int
    lineno: int
    kind: str
    change: str
    line: str

    @property
    def ident(self) -> str:
        return f"{self.path}:{self.lineno}#{self.index}"


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    status: str          # "killed", "survived", "timeout", "incompetent" (did not import)
    seconds: float
    tests: tuple[str, ...]

    def to_dict(self) -> dict:
        return {**asdict(self.mutant), "ident": self.mutant.ident, "status": self.status,
                "seconds": round(self.seconds, 2), "tests": list(self.tests)}


def _skip(node: ast.AST, parents: dict) -> bool:
    """Docstrings, f-string pieces, annotations and ``raise`` messages are not behaviour."""
    p = parents.get(node)
    while p is not None:
        if isinstance(p, (ast.JoinedStr, ast.Raise, ast.arg)) or (
                isinstance(p, ast.AnnAssign) and node is p.annotation):
            return True
        p = parents.get(p)
    return False


def _sites(tree: ast.Module) -> Iterator[tuple[int, ast.AST, str, str]]:
    """(index, node, kind, change) for every mutable site, in a fixed walk order."""
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    for index, node in enumerate(ast.walk(tree)):
        if _skip(node, parents):
            continue
        if isinstance(node, ast.Compare) and type(node.ops[0]) in _COMPARE:
            new = _COMPARE[type(node.ops[0])]
            yield index, node, "compare", f"{type(node.ops[0]).__name__} -> {new.__name__}"
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP:
            new = _BINOP[type(node.op)]
            yield index, node, "binop", f"{type(node.op).__name__} -> {new.__name__}"
        elif isinstance(node, ast.BoolOp):
            new = _BOOLOP[type(node.op)]
            yield index, node, "boolop", f"{type(node.op).__name__} -> {new.__name__}"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            yield index, node, "unary", f"drop {type(node.op).__name__}"
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
            parent = parents.get(node)
            if isinstance(parent, ast.Expr):
                continue
            v = node.value
            if isinstance(v, bool):
                yield index, node, "constant", f"{v} -> {not v}"
            elif isinstance(v, int):
                yield index, node, "constant", f"{v} -> {1 if v == 0 else v + 1}"
            else:
                yield index, node, "constant", f"{v!r} -> {(1.0 if v == 0 else -v)!r}"


def _mutate(node: ast.AST, kind: str) -> None:
    if kind == "compare":
        node.ops[0] = _COMPARE[type(node.ops[0])]()
    elif kind == "binop":
        node.op = _BINOP[type(node.op)]()
    elif kind == "boolop":
        node.op = _BOOLOP[type(node.op)]()
    elif kind == "constant":
        v = node.value
        node.value = (not v) if isinstance(v, bool) else (
            (1 if v == 0 else v + 1) if isinstance(v, int) else (1.0 if v == 0 else -v))


class _DropUnary(ast.NodeTransformer):
    def __init__(self, target: ast.AST) -> None:
        self.target = target

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:  # noqa: N802 - ast visitor name
        self.generic_visit(node)
        return node.operand if node is self.target else node


def enumerate_mutants(path: Path, root: Path = ROOT) -> list[Mutant]:
    """Every single-site mutant of the module at ``path``."""
    source = path.read_text()
    lines = source.splitlines()
    rel = str(path.resolve().relative_to(root.resolve()))
    return [Mutant(rel, index, node.lineno, kind, change, lines[node.lineno - 1].strip())
            for index, node, kind, change in _sites(ast.parse(source))]


def mutated_source(source: str, mutant: Mutant) -> str:
    """``source`` with ``mutant`` applied (re-parsed, so the node index is stable)."""
    tree = ast.parse(source)
    for index, node, kind, _ in _sites(tree):
        if index == mutant.index:
            if kind == "unary":
                tree = _DropUnary(node).visit(tree)
            else:
                _mutate(node, kind)
            return ast.unparse(ast.fix_missing_locations(tree))
    raise ValueError(f"mutant index {mutant.index} not found in {mutant.path}")


def selected_tests(module_path: str, root: Path = ROOT) -> tuple[str, ...]:
    """The tests run against a mutant of ``module_path``.

    A bounds module is reached through the registry (``compute(claim_id)``) rather than by
    import, so every ``tests/test_bounds_*.py`` runs; a recmech_core module gets the test files
    that import it (by dotted name, or by bare name from the package).
    """
    parts = Path(module_path).with_suffix("").parts
    package = IMPORT_NAMES.get(parts[0], parts[0])
    name = parts[-1]
    dotted = ".".join((package, *parts[1:]))
    tests = sorted((root / "tests").glob("test_*.py"))
    if parts[0] == "bounds":
        return tuple(str(t.relative_to(root)) for t in tests if t.name.startswith("test_bounds"))
    hits = []
    for test in tests:
        text = test.read_text()
        if dotted in text or (f"from {package} import" in text and name in text) or (
                name == "__init__" and f"import {package}" in text):
            hits.append(str(test.relative_to(root)))
    return tuple(hits)


def _copy_project(dest: Path, root: Path = ROOT) -> None:
    """The committed tree (``git archive HEAD``) when ``root`` is a repository, so edits in
    progress never leak into the run; else a plain copy."""
    if (root / ".git").exists():
        archive = subprocess.run(["git", "-C", str(root), "archive", "HEAD"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        return
    ignore = shutil.ignore_patterns(".git", ".ci-venv", ".venv", "__pycache__", ".hypothesis",
                                    ".pytest_cache", ".benchmarks", ".ruff_cache", "*.egg-info")
    for name in (*TARGETS, "properties", "recmech", "tests", "pyproject.toml"):
        src = root / name
        if not src.exists():
            continue
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)


def _link_namespace(workdir: Path) -> None:
    """Make ``recmech.*`` resolve to the scratch copy's folders, ahead of any installed recmech:
    the copy's ``recmech/`` root (first on the path: the working directory) gets one link per
    mapped folder, as pyproject.toml maps them."""
    pkg = workdir / "recmech"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").touch()
    for folder, dotted in IMPORT_NAMES.items():
        link = pkg / dotted.split(".")[1]
        if (workdir / folder).is_dir() and not link.exists():
            link.symlink_to(workdir / folder, target_is_directory=True)


def _run_tests(workdir: Path, tests: tuple[str, ...], timeout: float) -> tuple[str, float]:
    _link_namespace(workdir)
    env = {**os.environ, "PYTHONPATH": str(workdir), "RECMECH_PROFILE": "quick"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
           "-p", "no:randomly", "--no-header", *tests]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - start
    took = time.perf_counter() - start
    if proc.returncode == 0:
        return "survived", took
    if proc.returncode in (2, 3, 4) and b"rror" in proc.stdout[-2000:] + proc.stderr[-2000:]:
        return "incompetent", took   # collection error: the mutant does not even import
    return "killed", took


def run_mutants(mutants: list[Mutant], root: Path = ROOT, timeout_factor: float = 4.0,
                progress: bool = True, escalate: bool = False) -> list[MutantResult]:
    """Run each mutant against :func:`selected_tests` of its module, in one scratch copy of the
    project (its committed state). With ``escalate``, a mutant that survives its selected tests
    is run against the whole ``tests/`` folder (the property checks reach most modules through
    the registry, not by import), and only a mutant that survives that too counts as a survivor.
    """
    results = []
    with tempfile.TemporaryDirectory(prefix="recmech-mutants-") as tmp:
        work = Path(tmp)
        _copy_project(work, root)
        baseline: dict[tuple[str, ...], float] = {}
        for i, mut in enumerate(mutants):
            tests = selected_tests(mut.path, work)
            if not tests:
                results.append(MutantResult(mut, "no-tests", 0.0, ()))
                continue
            plan = [tests, ESCALATION] if escalate and tests != ESCALATION else [tests]
            target = work / mut.path
            original = target.read_text()
            for group in plan:
                if group not in baseline:
                    status, took = _run_tests(work, group, timeout=3600)
                    if status != "survived":
                        raise RuntimeError(f"the unmutated tests {group} fail ({status}); "
                                           "fix first")
                    baseline[group] = took
                try:
                    target.write_text(mutated_source(original, mut))
                    status, took = _run_tests(work, group,
                                              timeout=max(30.0, timeout_factor * baseline[group]))
                finally:
                    target.write_text(original)
                tests = group
                if status != "survived":
                    break
            results.append(MutantResult(mut, status, took, tests))
            if progress:
                print(f"[{i + 1}/{len(mutants)}] {status:11s} {mut.ident} {mut.change}: "
                      f"{mut.line[:70]}", flush=True)
    return results


def sample_mutants(seed: int, size: int | None, root: Path = ROOT,
                   packages: tuple[str, ...] = TARGETS) -> list[Mutant]:
    """All mutants of ``packages``, or a reproducible uniform sample of ``size`` of them."""
    every = [m for pkg in packages for path in sorted((root / pkg).glob("*.py"))
             for m in enumerate_mutants(path, root)]
    if size is None or size >= len(every):
        return every
    return sorted(random.Random(seed).sample(every, size), key=lambda m: (m.path, m.index))


def summary(results: list[MutantResult], equivalent: frozenset[str] = frozenset()) -> dict:
    """Counts, and the kill rate among non-equivalent competent mutants."""
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    survivors = [r for r in results if r.status == "survived"]
    eq = [r for r in survivors if r.mutant.ident in equivalent]
    judged = killed + len(survivors) - len(eq)
    return {"counts": counts, "killed": killed, "survived": len(survivors),
            "equivalent": len(eq), "kill_rate": killed / judged if judged else None,
            "survivors": [r.to_dict() for r in survivors]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=100,
                        help="number of mutants drawn (0: all of them)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--package", action="append", choices=TARGETS,
                        help="package to mutate (repeatable; default both)")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    parser.add_argument("--escalate", action="store_true",
                        help="run a mutant surviving its selected tests against all of tests/")
    parser.add_argument("--equivalent", type=Path,
                        help="file of mutant idents judged equivalent by hand (one per line)")
    args = parser.parse_args(argv)
    if args.sample < 0:
        parser.error(f"--sample must be >= 0; found {args.sample}")
    pkgs = tuple(args.package) if args.package else TARGETS
    # enumerate from the committed tree the mutants will run in, not from edits in progress
    with tempfile.TemporaryDirectory(prefix="recmech-snapshot-") as snap:
        _copy_project(Path(snap), ROOT)
        mutants = sample_mutants(args.seed, args.sample or None, root=Path(snap), packages=pkgs)
    results = run_mutants(mutants, escalate=args.escalate)
    eq = frozenset()
    if args.equivalent:
        eq = frozenset(line.split()[0] for line in args.equivalent.read_text().splitlines()
                       if line.strip() and not line.startswith("#"))
    summ = summary(results, eq)
    print(f"\nmutants: {len(results)}  " + "  ".join(f"{k}: {v}" for k, v in
                                                     sorted(summ["counts"].items())))
    rate = summ["kill_rate"]
    print(f"killed among non-equivalent: {'n/a' if rate is None else f'{rate:.1%}'} "
          f"({summ['equivalent']} surviving mutants judged equivalent)")
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "summary": summ,
                                         "results": [r.to_dict() for r in results]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
