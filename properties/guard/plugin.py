"""The pytest plugin of the guard (the ``pytest11`` entry point ``recmech``).

It stays home. In a session that names no ``--recmech-*`` option and no ``RECMECH_IMPL`` /
``RECMECH_XFAILS`` / ``RECMECH_CLAIMS`` variable, and that does not run recmech's own suite, it
only declares its command-line options: it imports nothing of recmech, registers no hypothesis
profile and prints nothing. When the guard is asked for:

- ``--recmech-impl=pkg.module:attr`` or ``RECMECH_IMPL`` names the implementation under test
  (the option wins; default: the reference; an unimportable target is a usage error);
- ``--recmech-xfails=PATH`` / ``RECMECH_XFAILS``: known deviations, one claim id per line then
  the reason (``recmech.properties.guard.run.read_xfails``); listed claims are marked xfail;
- ``--recmech-claims=id1,id2`` / ``RECMECH_CLAIMS``: run only these ids (claim ids, or part
  judgements ``part.<part>``, ``part.compute.<claim id>``, ``tight.<claim id>``);
- ``--recmech-profile=quick|dev|thorough``: the checks' profile (default ``RECMECH_PROFILE``,
  else quick);
- ``--recmech-jobs=N`` / ``--recmech-scheduler=ADDRESS``: run the chunks of every selected check
  on a local process pool of N workers, or on Dask (``local``, or a scheduler's
  ``tcp://HOST:8786``; ``pip install 'recmech[dask]'``) before the tests report them; the
  implementation must then be named by ``--recmech-impl`` / ``RECMECH_IMPL`` (workers import
  it). The records are the ones a run in this process gives;
- ``--hypothesis-seed=S`` (hypothesis's own option) joins the seeds of the checks' searches
  (``recmech.properties.judging.strategies.set_run_seed``): each seed explores other instances, the
  same seed the same ones, on any engine.

``pytest --pyargs recmech.properties`` runs one test per claim id and per part judgement
(``recmech/properties/guard/test_guard_claims.py``); the report header then names the implementation
that ran and every ``RECMECH_*`` setting, so a typo cannot pass silently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest

__all__ = ["GuardSettings", "engine_results", "guard_settings"]

ENV_IMPL = "RECMECH_IMPL"
ENV_XFAILS = "RECMECH_XFAILS"
ENV_CLAIMS = "RECMECH_CLAIMS"
_OPTIONS = ("recmech_impl", "recmech_xfails", "recmech_claims", "recmech_profile",
            "recmech_jobs", "recmech_scheduler", "recmech_json")
# recmech.properties.judging.profiles.PROFILES, not imported
_PROFILES = ("quick", "dev", "thorough")


@dataclass
class GuardSettings:
    """What the guard runs: the implementation (None: the reference), its name and where it was
    named, the xfails, the claim filter and the check profile."""

    impl: Any = None
    name: str = "reference"
    source: str = "default"
    xfails: dict = field(default_factory=dict)
    xfails_path: str | None = None
    claims: list | None = None
    profile: str = "quick"
    jobs: int = 1
    scheduler: str | None = None
    results: dict | None = None  # id -> GuardResult, when the chunks ran on an engine

    @property
    def on_engine(self) -> bool:
        return self.jobs > 1 or self.scheduler is not None


_KEY = pytest.StashKey[GuardSettings]()
_SEED_TOKEN = pytest.StashKey[object]()  # the run seed set from --hypothesis-seed


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("recmech", "recmech guard: the claim checks against an implementation")
    group.addoption("--recmech-impl", default=None, metavar="PKG.MODULE:ATTR",
                    help=f"implementation under test (env {ENV_IMPL}; default: the reference)")
    group.addoption("--recmech-xfails", default=None, metavar="PATH",
                    help=f"file of claim ids expected to fail, one per line with the reason "
                         f"(env {ENV_XFAILS})")
    group.addoption("--recmech-claims", default=None, metavar="ID,ID",
                    help=f"only these claim ids (env {ENV_CLAIMS})")
    group.addoption("--recmech-profile", default=None, choices=_PROFILES,
                    help="check profile (default: env RECMECH_PROFILE, else quick)")
    group.addoption("--recmech-jobs", default=None, type=int, metavar="N",
                    help="run the checks' chunks on a local pool of N worker processes")
    group.addoption("--recmech-scheduler", default=None, metavar="ADDRESS",
                    help="run the checks' chunks on Dask: 'local' (a local cluster of "
                         "--recmech-jobs workers) or a scheduler address tcp://HOST:8786")
    group.addoption("--recmech-json", default=None, metavar="PATH",
                    help="write every guard test's record (verdict, reason, counterexample; "
                         "the full record on an engine) as JSON to PATH")


def _runs_installed_suite(config: pytest.Config) -> bool:
    """``pytest --pyargs recmech.properties[...]``: the suite as installed."""
    args = [str(a) for a in config.invocation_params.args]
    return bool(getattr(config.option, "pyargs", False)) and any(
        a == "recmech.properties" or a.startswith(("recmech.properties.", "recmech.properties::"))
        for a in args)


def _asked_for(config: pytest.Config) -> bool:
    return (any(config.getoption(o) for o in _OPTIONS)
            or any(os.environ.get(v) for v in (ENV_IMPL, ENV_XFAILS, ENV_CLAIMS))
            or _runs_installed_suite(config))


def _setting(config: pytest.Config, option: str, env: str | None) -> tuple[str | None, str]:
    value = config.getoption(option)
    if value:
        return value, f"--{option.replace('_', '-')}"
    value = os.environ.get(env) if env else None
    return (value, env) if value else (None, "default")


def _resolve(config: pytest.Config) -> GuardSettings:
    from recmech.properties.guard.run import (
        ImplementationError,
        check_ids,
        load_implementation,
        read_xfails,
    )
    from recmech.properties.judging.profiles import profile_name

    settings = GuardSettings()
    spec, settings.source = _setting(config, "recmech_impl", ENV_IMPL)
    if spec:
        try:
            settings.impl, settings.name = load_implementation(spec)
        except ImplementationError as exc:
            raise pytest.UsageError(f"recmech guard ({settings.source}): {exc}") from exc
    try:
        settings.profile = profile_name(config.getoption("recmech_profile"))
    except ValueError as exc:
        raise pytest.UsageError(f"recmech guard: {exc}") from exc
    known = check_ids()
    claims, where = _setting(config, "recmech_claims", ENV_CLAIMS)
    if claims is not None:
        settings.claims = [c.strip() for c in claims.split(",") if c.strip()]
        unknown = [c for c in settings.claims if c not in known]
        if unknown or not settings.claims:
            raise pytest.UsageError(f"recmech guard ({where}): unknown or no claim id(s) "
                                    f"{', '.join(unknown) or repr(claims)}; known: "
                                    f"{', '.join(known)}")
    jobs = config.getoption("recmech_jobs")
    if jobs is not None and jobs < 1:
        raise pytest.UsageError(f"recmech guard: --recmech-jobs must be >= 1; found {jobs}")
    settings.jobs, settings.scheduler = jobs or 1, config.getoption("recmech_scheduler")
    xfails, xwhere = _setting(config, "recmech_xfails", ENV_XFAILS)
    if xfails:
        try:
            settings.xfails = read_xfails(xfails, known)
        except (OSError, ValueError) as exc:
            raise pytest.UsageError(f"recmech guard ({xwhere}): {exc}") from exc
        settings.xfails_path = xfails
    return settings


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _asked_for(config):
        return
    if _runs_installed_suite(config):
        # keep hypothesis's and pytest-benchmark's files in the temporary folder, not the user's
        # working directory; before pytest-benchmark's own configure creates its storage
        from recmech.properties.judging.profiles import scratch_dir

        if hasattr(config.option, "benchmark_storage"):
            config.option.benchmark_storage = f"file://{scratch_dir() / 'benchmarks'}"
    config.stash[_KEY] = _resolve(config)
    seed = config.getoption("--hypothesis-seed", default=None)
    if seed is not None:
        # the claim checks' searches are seeded from their chunks; the session's seed joins
        # them, so that each --hypothesis-seed (recmech selftest) explores other instances
        from recmech.properties.judging.strategies import set_run_seed

        config.stash[_SEED_TOKEN] = set_run_seed(seed)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SEED_TOKEN in config.stash:
        from recmech.properties.judging.strategies import reset_run_seed

        reset_run_seed(config.stash[_SEED_TOKEN])
        del config.stash[_SEED_TOKEN]


def engine_results(config: pytest.Config) -> dict:
    """id -> GuardResult of every selected id, its chunks run once per session on the engine
    the options name (``GuardSettings.on_engine``)."""
    s = guard_settings(config)
    if s.results is None:
        from recmech.properties.engine.run import engine_for
        from recmech.properties.guard.run import check_ids, guard_on_engine

        spec = None if s.impl is None else s.name
        try:
            engine = engine_for(s.jobs, s.scheduler)
        except (OSError, ValueError) as exc:
            raise pytest.UsageError(f"recmech guard: --recmech-scheduler "
                                    f"{s.scheduler}: {exc}") from exc
        try:
            ids = check_ids() if s.claims is None else s.claims
            s.results = {r.claim_id: r for r in guard_on_engine(spec, ids, engine, s.profile)}
        finally:
            engine.close()
    return s.results


def guard_settings(config: pytest.Config) -> GuardSettings:
    """The guard's settings of this session (the reference at quick when the guard was not
    asked for)."""
    if _KEY not in config.stash:
        config.stash[_KEY] = _resolve(config)
    return config.stash[_KEY]


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _KEY not in config.stash:
        return []
    s = config.stash[_KEY]
    env = {k: v for k, v in sorted(os.environ.items()) if k.startswith("RECMECH_")}
    return [
        f"recmech guard: implementation {s.name} (from {s.source}), check profile {s.profile}, "
        f"claims {','.join(s.claims) if s.claims else 'all'}, "
        f"xfails {s.xfails_path or 'none'} ({len(s.xfails)} listed)",
        "recmech environment: " + (", ".join(f"{k}={v}" for k, v in env.items())
                                   if env else "no RECMECH_* variable set"),
    ]


# -- the summary for a person (``recmech.properties.guard.summary``) ---------------------------

_LINES = pytest.StashKey[list]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    rep = yield
    params = getattr(getattr(item, "callspec", None), "params", {})
    if _KEY in item.config.stash and "recmech_claim_id" in params and (
            rep.when == "call" or (rep.when == "setup" and rep.skipped)):
        from recmech.properties.guard.summary import GuardLine

        if hasattr(rep, "wasxfail"):
            outcome = "xfailed" if rep.skipped else "xpassed"
        else:
            outcome = rep.outcome
        if rep.skipped and isinstance(rep.longrepr, tuple):
            reason = str(rep.longrepr[2]).removeprefix("Skipped: ")
        elif call.excinfo is not None:
            reason = str(call.excinfo.value)
        else:
            reason = getattr(rep, "wasxfail", "")
        item.config.stash.setdefault(_LINES, []).append(
            GuardLine.of(params["recmech_claim_id"], outcome, reason, rep.duration))
    return rep


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(_LINES, [])
    if not lines:
        return
    from recmech.properties.guard.summary import summary_lines, write_json

    path = config.getoption("recmech_json")
    if path:
        write_json(path, lines, config.stash[_KEY].results)
    terminalreporter.section("recmech guard summary")
    for line in summary_lines(lines, path):
        terminalreporter.write_line(line)
