"""``recmech selftest --seeds N``: the suite's property tests under N hypothesis seeds.

The default run is derandomized (profile ``quick``): green there says nothing about the inputs
hypothesis did not draw. definition: The self-test reruns the property tests under the ``dev``
profile (random exploration) with explicit seeds 1..N, each in a process of its own with a bounded
budget, and reports every failure with the seed that reproduces it:

    python -m pytest --pyargs recmech.properties --hypothesis-seed=SEED   # RECMECH_PROFILE=dev

In a checkout (a ``tests/`` folder beside a ``pyproject.toml``, found from the working directory
upward, or where recmech is installed from in editable mode) the repository's property tests run
too, from any working directory: the claim checks' tests (``tests/test_prop_*.py``,
``tests/test_bounds_*.py``, ``tests/test_readings.py``) and every test file with a hypothesis
property (``@given``: the fuzz tests, the core's and the mechanisms').
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from recmech.properties.cli.common import (
    Once,
    add_json,
    json_option,
    positive,
    progress_for,
    whole,
    write_json,
)

__all__ = ["SeedRun", "checkout_root", "register", "selftest", "suites", "summary"]


@dataclass(frozen=True, kw_only=True)
class SeedRun:
    """One seed's run: the exit code, the seconds it took, and the tail of its output."""

    seed: int
    suite: str
    returncode: int
    seconds: float
    tail: str

    @property
    def passed(self) -> bool:
        return self.returncode == 0

    def to_dict(self) -> dict:
        return {"seed": self.seed, "suite": self.suite, "returncode": self.returncode,
                "passed": self.passed, "seconds": self.seconds, "tail": self.tail}


def _is_checkout(folder: Path) -> bool:
    return (folder / "pyproject.toml").is_file() and (folder / "tests").is_dir()


def checkout_root(start: Path | None = None) -> Path | None:
    """The checkout to test: the first folder from ``start`` (the working directory) upward
    with ``pyproject.toml`` and ``tests/``, else the checkout recmech is installed from
    (editable install), else None (an installed copy: the claim suite only)."""
    start = (Path.cwd() if start is None else start).resolve()
    for folder in (start, *start.parents):
        if _is_checkout(folder):
            return folder
    import recmech

    installed = Path(recmech.__file__).resolve().parents[1]
    return installed if _is_checkout(installed) else None


def suites(root: Path | None = None) -> dict[str, list[str]]:
    """The pytest argument lists the self-test runs: the installed claim suite, and in a
    checkout (``root``, default ``checkout_root()``) the repository's property tests."""
    out = {"claims": ["--pyargs", "recmech.properties"]}
    root = checkout_root() if root is None else root
    if root is not None and _is_checkout(root):
        tests = root / "tests"
        # the claim checks' tests, and every test file with a hypothesis property (@given)
        named = {p for pattern in ("test_prop_*.py", "test_bounds_*.py", "test_readings.py")
                 for p in tests.glob(pattern)}
        given = {p for p in tests.glob("test_*.py")
                 if "@given" in p.read_text(encoding="utf-8", errors="replace")}
        files = sorted(str(p.relative_to(root)) for p in named | given
                       if p.name != "test_selftest.py")
        if files:
            out["tests"] = files
    return out


def selftest(seeds: int, timeout: float = 1800.0, root: Path | None = None,
             progress: Callable[[SeedRun, int, int], None] | None = None,
             plan: dict[str, list[str]] | None = None) -> list[SeedRun]:
    """Run every suite of ``plan`` (default ``suites(root)``) under seeds 1..``seeds`` (profile
    dev), each run limited to ``timeout`` seconds (a run that times out fails with returncode
    -9)."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a whole number >= 1; found {seeds!r}")
    root = (checkout_root() or Path.cwd()) if root is None else root
    env = {**os.environ, "RECMECH_PROFILE": "dev"}
    chosen = suites(root) if plan is None else plan
    work = [(seed, name, args) for seed in range(1, seeds + 1) for name, args in chosen.items()]
    runs = []
    for n, (seed, name, args) in enumerate(work, start=1):
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
               f"--hypothesis-seed={seed}", *args]
        start = time.perf_counter()
        try:
            done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True,
                                  timeout=timeout)
            code, text = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as exc:
            code, text = -9, f"timed out after {timeout} s\n{exc.stdout or ''}"
        run = SeedRun(seed=seed, suite=name, returncode=code,
                      seconds=time.perf_counter() - start,
                      tail="\n".join(str(text).strip().splitlines()[-15:]))
        runs.append(run)
        if progress is not None:
            progress(run, n, len(work))
    return runs


def summary(runs: Sequence[SeedRun]) -> str:
    """One line per failing run (with the command that reproduces it), then the totals."""
    lines = []
    for r in runs:
        if not r.passed:
            lines.append(f"FAILED seed {r.seed} ({r.suite}): reproduce with RECMECH_PROFILE=dev "
                         f"python -m pytest --hypothesis-seed={r.seed} ...\n{r.tail}")
    passed = sum(r.passed for r in runs)
    lines.append(f"{passed} of {len(runs)} runs passed ({len({r.seed for r in runs})} seeds), "
                 f"{sum(r.seconds for r in runs):.0f} s")
    return "\n".join(lines)


def _selftest(args: argparse.Namespace) -> int:

    positive("selftest", "--seeds", args.seeds, whole=True)
    positive("selftest", "--timeout", args.timeout)
    out, to_stdout = json_option(args, "recmech selftest")
    status = progress_for(f"selftest (--seeds {args.seeds})", to_stdout)

    def progress(run: SeedRun, done: int, total: int) -> None:
        status(f"seed {run.seed} {run.suite}: {'passed' if run.passed else 'FAILED'} "
               f"({run.seconds:.0f} s)", done, total)

    root = checkout_root()
    if root is None:  # said, not silent: only the installed claim suite runs
        print("recmech selftest: no checkout found (pyproject.toml and tests/ from the working "
              "directory upward, or an editable install): running the installed claim suite "
              "only", file=sys.stderr)
    try:
        runs = selftest(args.seeds, args.timeout, root=root or Path.cwd(), progress=progress)
    finally:
        status.close()
    if to_stdout:
        write_json(None, True, [r.to_dict() for r in runs])
    else:
        print(summary(runs))
        write_json(out, False, [r.to_dict() for r in runs])
    return 0 if all(r.passed for r in runs) else 1


def register(sub, add) -> None:
    """the ``selftest`` subcommand's parser."""
    selftest = add(sub, "selftest", "recmech.properties (selftest)",
                   help="the property tests under N hypothesis seeds",
                   description="Run the property tests under the dev profile with hypothesis "
                   "seeds 1..N; report every failure with its seed.")
    selftest.add_argument("--seeds", type=whole, default=5, action=Once,
                          help="number of seeds (default 5)")
    selftest.add_argument("--timeout", type=float, default=1800.0, action=Once,
                          help="seconds per run (default 1800)")
    add_json(selftest, "the runs")
    selftest.set_defaults(run=_selftest)
