"""The pytest plugin of the guard (registered as the ``pytest11`` entry point ``recmech``).

``pytest --pyargs recmech.properties`` runs one test per claim id (``properties/test_guard_claims.py``)
against the implementation named by

- ``--recmech-impl=pkg.module:attr`` or the environment variable ``RECMECH_IMPL`` (the option
  wins; default: the reference implementation; an unimportable target is a usage error);
- ``--recmech-xfails=PATH`` / ``RECMECH_XFAILS``: known deviations, one claim id per line then
  the reason (``recmech.properties.guard.read_xfails``); listed claims are marked xfail (not strict);
- ``--recmech-claims=id1,id2`` / ``RECMECH_CLAIMS``: run only these claim ids;
- ``--recmech-profile=quick|thorough`` / ``RECMECH_CHECK_PROFILE``: the checks' profile
  (default quick, or thorough when ``RECMECH_PROFILE=thorough``).

The report header names the implementation that ran and every ``RECMECH_*`` setting, so a typo
cannot pass silently. Nothing here imports the implementation or the checks unless asked to, so
the plugin costs nothing in a run that does not use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest

ENV_IMPL = "RECMECH_IMPL"
ENV_XFAILS = "RECMECH_XFAILS"
ENV_CLAIMS = "RECMECH_CLAIMS"
ENV_CHECK_PROFILE = "RECMECH_CHECK_PROFILE"
CHECK_PROFILES = ("quick", "thorough")

try:  # register the hypothesis profiles early, so --hypothesis-profile=ci|dev|thorough resolves
    from recmech.properties.profiles import register_profiles

    register_profiles()
except ImportError:  # hypothesis missing: the guard's checks cannot run, other runs are unaffected
    pass


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


_KEY = pytest.StashKey[GuardSettings]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("recmech", "recmech guard: the claim checks against an implementation")
    group.addoption("--recmech-impl", default=None, metavar="PKG.MODULE:ATTR",
                    help=f"implementation under test (env {ENV_IMPL}; default: the reference)")
    group.addoption("--recmech-xfails", default=None, metavar="PATH",
                    help=f"file of claim ids expected to fail, one per line with the reason "
                         f"(env {ENV_XFAILS})")
    group.addoption("--recmech-claims", default=None, metavar="ID,ID",
                    help=f"only these claim ids (env {ENV_CLAIMS})")
    group.addoption("--recmech-profile", default=None, choices=CHECK_PROFILES,
                    help=f"check profile (env {ENV_CHECK_PROFILE}; default quick)")


def _setting(config: pytest.Config, option: str, env: str) -> tuple[str | None, str]:
    value = config.getoption(option)
    if value:
        return value, f"--{option.replace('_', '-')}"
    value = os.environ.get(env)
    return (value, env) if value else (None, "default")


def _resolve(config: pytest.Config) -> GuardSettings:
    settings = GuardSettings()
    spec, settings.source = _setting(config, "recmech_impl", ENV_IMPL)
    if spec:
        from recmech.properties.guard import ImplementationError, load_implementation

        try:
            settings.impl, settings.name = load_implementation(spec)
        except ImplementationError as exc:
            raise pytest.UsageError(f"recmech guard ({settings.source}): {exc}") from exc
    profile, where = _setting(config, "recmech_profile", ENV_CHECK_PROFILE)
    if profile is None and os.environ.get("RECMECH_PROFILE") == "thorough":
        profile = "thorough"
    if profile not in (None, *CHECK_PROFILES):
        raise pytest.UsageError(f"recmech guard ({where}): profile must be one of "
                                f"{CHECK_PROFILES}; found {profile!r}")
    settings.profile = profile or "quick"
    claims, where = _setting(config, "recmech_claims", ENV_CLAIMS)
    xfails, xwhere = _setting(config, "recmech_xfails", ENV_XFAILS)
    if claims or xfails:
        from recmech.properties.guard import read_xfails
        from recmech.properties.report import claim_register

        known = claim_register()
        if claims:
            settings.claims = [c.strip() for c in claims.split(",") if c.strip()]
            unknown = [c for c in settings.claims if c not in known]
            if unknown:
                raise pytest.UsageError(f"recmech guard ({where}): unknown claim id(s) "
                                        f"{', '.join(unknown)}; known: {', '.join(known)}")
        if xfails:
            try:
                settings.xfails = read_xfails(xfails, known)
            except (OSError, ValueError) as exc:
                raise pytest.UsageError(f"recmech guard ({xwhere}): {exc}") from exc
            settings.xfails_path = xfails
    return settings


def _runs_installed_suite(config: pytest.Config) -> bool:
    """``pytest --pyargs recmech.properties[...]``: the suite as installed, run from the user's folder."""
    args = [str(a) for a in getattr(config, "args", []) or config.invocation_params.args]
    return bool(getattr(config.option, "pyargs", False)) and any(
        a == "recmech.properties" or a.startswith(("recmech.properties.", "recmech.properties::"))
        for a in args)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if _runs_installed_suite(config):
        # keep hypothesis's and pytest-benchmark's files in the temporary folder, not the user's
        # working directory; before pytest-benchmark's own configure creates its storage
        from recmech.properties.profiles import load_profile, scratch_dir

        load_profile()
        if hasattr(config.option, "benchmark_storage"):
            config.option.benchmark_storage = f"file://{scratch_dir() / 'benchmarks'}"
    config.stash[_KEY] = _resolve(config)


def guard_settings(config: pytest.Config) -> GuardSettings:
    """The guard's settings of this session."""
    return config.stash[_KEY]


def pytest_report_header(config: pytest.Config) -> list[str]:
    s = guard_settings(config)
    env = {k: v for k, v in sorted(os.environ.items()) if k.startswith("RECMECH_")}
    return [
        f"recmech guard: implementation {s.name} (from {s.source}), check profile {s.profile}, "
        f"claims {','.join(s.claims) if s.claims else 'all'}, "
        f"xfails {s.xfails_path or 'none'} ({len(s.xfails)} listed)",
        "recmech environment: " + (", ".join(f"{k}={v}" for k, v in env.items())
                                   if env else "no RECMECH_* variable set"),
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "recmech_claim_id" not in metafunc.fixturenames:
        return
    s = guard_settings(metafunc.config)
    if s.claims is None:
        from recmech.properties.report import claim_register

        ids = claim_register()
    else:
        ids = s.claims
    params = [pytest.param(cid, id=cid, marks=[pytest.mark.xfail(reason=s.xfails[cid],
                                                                 strict=False)]
                           if cid in s.xfails else []) for cid in ids]
    metafunc.parametrize("recmech_claim_id", params)


@pytest.fixture
def recmech_guard(request: pytest.FixtureRequest) -> GuardSettings:
    """The implementation under test and the guard's settings."""
    return guard_settings(request.config)
