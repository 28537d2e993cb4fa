"""Profiles: one vocabulary, one environment variable, one budget record per profile.

A profile says how hard the suite looks: the hypothesis settings of its searches and tests, and
the sizes of every check (searched examples, Monte Carlo draws, sweep grids), with the named
seeds that make each check reproducible.

- ``quick`` (the default): derandomized hypothesis, no example database, small budgets: the
  default test run is deterministic and the same on every machine;
- ``dev``: the quick budgets with random exploration (a failure prints the seed and blob that
  reproduce it; ``recmech selftest --seeds N`` runs the suite under N seeds);
- ``thorough``: the large sweeps (many examples, large Monte Carlo samples), for ``recmech report
  --profile thorough`` and nightly runs.

The profile is chosen by ``RECMECH_PROFILE`` (or an explicit name); hypothesis knows the profiles
as ``recmech-quick``, ``recmech-dev`` and ``recmech-thorough``, registered only when recmech's own
suite loads one (``load_profile``), so a session that does not run recmech's tests is untouched.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = ["ENV_PROFILE", "PROFILES", "Budget", "budget", "hypothesis_profile", "load_profile",
           "profile_name", "scratch_dir"]

ENV_PROFILE = "RECMECH_PROFILE"
PROFILES = ("quick", "dev", "thorough")

# Named seeds: the same in every profile, so a profile changes how much is looked at, never
# which instances come first.
SEEDS: Mapping[str, int] = MappingProxyType({
    "definition3": 1, "theorem2.deterministic": 3, "proposition1.separable": 5,
    "theorem2.gaussian": 11, "theorem2.weak_dependence": 12, "lemma1": 20220711,
    "lemma4": 20220711, "lemma5": 5, "proposition1.gaussian": 20221,
    "proposition1.weak_dependence": 20222,
})

_QUICK: dict[str, Any] = {
    "lemma3.search": 25, "lemma3.n_max": 120,
    "lemma6.search": 30,
    "lemma7.iid_dense": 100, "lemma7.search": 12, "lemma7.structured_last": 4,
    "proposition3.fine": False,
    "lemma4.search": 8, "lemma4.samples": 4000,
    "remark4.k_max": 8,
    "lemma9.search": 40, "lemma8.search": 40, "lemma5.samples": 2000,
    "definition3.instances": 40, "theorem2.deterministic.trials": 30,
    "theorem2.noisy_value.extended_grid": False,
    "theorem2.gaussian.k": 1, "theorem2.gaussian.trials": 3000,
    "theorem2.weak_dependence.k": 1, "theorem2.weak_dependence.trials": 3000,
    "lemma1.trials": 40, "lemma2.eps_points": 6, "mechanism.eps1_points": 5,
    "proposition1.gaussian.ks": (1, 2), "proposition1.gaussian.kappas": (1.0, 2.0, 4.0),
    "proposition1.gaussian.scales": (1.0, 10.0),
    "proposition1.weak_dependence.ks": (1, 2),
    "proposition1.weak_dependence.alphas": (1.0, 0.75),
    "rates.draws_beyond_k2": 500,
    "project.search": 30, "project.certified_k": 8, "payments.instances": 4,
    "chunks.search_pieces": 1, "chunks.sweep_blocks": 1,
}
_THOROUGH: dict[str, Any] = {
    "lemma3.search": 400, "lemma3.n_max": 300,
    "lemma6.search": 500,
    "lemma7.iid_dense": 10_000, "lemma7.search": 300, "lemma7.structured_last": None,
    "proposition3.fine": True,
    "lemma4.search": 200, "lemma4.samples": 100_000,
    "remark4.k_max": 64,
    "lemma9.search": 1000, "lemma8.search": 800, "lemma5.samples": 50_000,
    "definition3.instances": 400, "theorem2.deterministic.trials": 300,
    "theorem2.noisy_value.extended_grid": True,
    "theorem2.gaussian.k": 2, "theorem2.gaussian.trials": 60_000,
    "theorem2.weak_dependence.k": 2, "theorem2.weak_dependence.trials": 40_000,
    "lemma1.trials": 400, "lemma2.eps_points": 14, "mechanism.eps1_points": 12,
    "proposition1.gaussian.ks": (1, 2, 3), "proposition1.gaussian.kappas": (1.0, 2.0, 4.0, 8.0),
    "proposition1.gaussian.scales": (0.1, 1.0, 10.0),
    "proposition1.weak_dependence.ks": (1, 2, 3),
    "proposition1.weak_dependence.alphas": (1.0, 0.75, 0.6),
    "rates.draws_beyond_k2": 2000,
    "project.search": 300, "project.certified_k": 32, "payments.instances": 40,
    "chunks.search_pieces": 6, "chunks.sweep_blocks": 4,
}


@dataclass(frozen=True, kw_only=True)
class Budget:
    """What one profile spends: hypothesis settings, the named sizes of every check and the
    named seeds (``size(name)`` / ``seed(name)`` name the missing key when asked wrongly)."""

    name: str
    hypothesis: Mapping[str, Any]
    sizes: Mapping[str, Any]
    seeds: Mapping[str, int] = field(default_factory=lambda: SEEDS)

    def size(self, name: str) -> Any:
        if name not in self.sizes:
            raise KeyError(f"profile {self.name!r} has no size {name!r}; sizes: "
                           f"{sorted(self.sizes)}")
        return self.sizes[name]

    def seed(self, name: str) -> int:
        if name not in self.seeds:
            raise KeyError(f"no seed named {name!r}; seeds: {sorted(self.seeds)}")
        return self.seeds[name]


_SCRATCH: list[Path] = []


def scratch_dir() -> Path:
    """Where this run keeps hypothesis's and pytest-benchmark's files: a folder of its own in the
    system temporary folder (never the user's working directory), removed when the process
    exits, so nothing one run writes is replayed by another."""
    if not _SCRATCH:
        path = Path(tempfile.mkdtemp(prefix="recmech-run-"))
        _SCRATCH.append(path)
        atexit.register(shutil.rmtree, path, ignore_errors=True)
    return _SCRATCH[0]


def _hypothesis_settings(name: str) -> dict[str, Any]:
    from hypothesis import HealthCheck

    suppress = (HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much)
    if name == "quick":
        return {"derandomize": True, "database": None, "max_examples": 40, "deadline": None,
                "print_blob": True, "suppress_health_check": suppress}
    from hypothesis.database import DirectoryBasedExampleDatabase

    # the run's own database: shrunk failures replay within the run, never in another one
    database = DirectoryBasedExampleDatabase(scratch_dir() / "examples")
    examples = 100 if name == "dev" else 2000
    return {"max_examples": examples, "deadline": None, "database": database,
            "print_blob": True, "suppress_health_check": suppress}


_BUDGETS: dict[str, Budget] = {}


def budget(name: str) -> Budget:
    """The budget record of profile ``name`` (``PROFILES``)."""
    if name not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}; found {name!r}")
    if name not in _BUDGETS:
        sizes = _THOROUGH if name == "thorough" else _QUICK
        _BUDGETS[name] = Budget(name=name, hypothesis=MappingProxyType(_hypothesis_settings(name)),
                                sizes=MappingProxyType(dict(sizes)))
    return _BUDGETS[name]


def profile_name(name: str | None = None) -> str:
    """``name``, else ``RECMECH_PROFILE``, else ``quick``; ValueError naming the variable and the
    valid names otherwise."""
    chosen = name or os.environ.get(ENV_PROFILE) or "quick"
    if chosen not in PROFILES:
        where = "profile" if name else ENV_PROFILE
        raise ValueError(f"{where} must be one of {', '.join(PROFILES)}; found {chosen!r}")
    return chosen


def hypothesis_profile(name: str) -> str:
    """The hypothesis name of recmech's profile ``name``, registered on first use."""
    from hypothesis import settings

    full = f"recmech-{name}"
    settings.register_profile(full, **budget(name).hypothesis)
    return full


def load_profile(name: str | None = None) -> str:
    """Register and load recmech's hypothesis profile: ``name``, else ``RECMECH_PROFILE``, else
    ``quick``. Only recmech's own suite calls this."""
    from hypothesis import settings
    from hypothesis.configuration import set_hypothesis_home_dir

    chosen = profile_name(name)
    set_hypothesis_home_dir(str(scratch_dir()))
    settings.load_profile(hypothesis_profile(chosen))
    return chosen
