"""recmech installs under one name and stays home: the wheel holds nothing but ``recmech/``; a
fresh environment with recmech alone has no ``bounds`` or ``properties``; recmech installs beside
other packages of those names; and in a project of someone else's, with its own
``properties.py`` and ``bounds.py``, ``pytest`` and ``python -m pytest`` pass, hypothesis's
settings are the same with and without recmech's plugin, and recmech prints nothing.

Everything runs from a wheel built from this checkout (pip builds it in an isolated environment,
with the build backend pyproject.toml names, as a user's install would).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from recmech import __version__

ROOT = Path(__file__).resolve().parents[1]
PYTEST = Path(sys.executable).with_name("pytest")


def _run(cmd, cwd, **env) -> subprocess.CompletedProcess:
    # nothing of the caller's path or settings leaks in (a scratch copy's PYTHONPATH would let
    # `import bounds` find the checkout's folder)
    full = {k: v for k, v in os.environ.items()
            if not k.startswith(("RECMECH_", "PYTEST_", "HYPOTHESIS")) and k != "PYTHONPATH"}
    full.update(env)
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT],
                 cwd=out)
    assert build.returncode == 0, build.stdout + build.stderr
    (path,) = out.glob("recmech-*.whl")
    return path


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory) -> Path:
    """A folder with the wheel installed in it (no dependencies)."""
    target = tmp_path_factory.mktemp("site")
    done = _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                 "--target", target, wheel], cwd=target)
    assert done.returncode == 0, done.stdout + done.stderr
    return target


def test_the_wheel_holds_only_the_recmech_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"recmech", f"recmech-{__version__}.dist-info"}
    assert {"recmech/core/protocols.py", "recmech/bounds/registry.py",
            "recmech/properties/guard/run.py",
            "recmech/properties/guard/xfails/corrected-bounds.txt",
            "recmech/properties/guard/test_guard_claims.py"} <= set(names)
    assert not any(n.startswith("recmech/") and "mutation" in n for n in names)
    entry = zipfile.ZipFile(wheel).read(f"recmech-{__version__}.dist-info/entry_points.txt")
    assert b"recmech = recmech.properties.guard.plugin" in entry


def test_a_fresh_environment_with_recmech_alone_has_no_bounds_or_properties(site, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   cwd=tmp_path).stdout.strip()
    (Path(purelib) / "recmech.pth").write_text(str(site) + "\n")
    for name in ("bounds", "properties"):
        run = _run([python, "-c", f"import {name}"], cwd=tmp_path)
        assert run.returncode == 1
        assert f"ModuleNotFoundError: No module named '{name}'" in run.stderr
    ok = _run([python, "-c", "import recmech; print(recmech.__version__, recmech.__file__)"],
              cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith(__version__)
    assert str(site) in ok.stdout


def _index_packages(where: Path) -> None:
    """Stand-ins for the index packages named ``bounds`` and ``properties``."""
    for name in ("bounds", "properties"):
        (where / name).mkdir()
        (where / name / "__init__.py").write_text('ORIGIN = "index"\n')


def test_recmech_installs_beside_packages_named_bounds_and_properties(site, tmp_path):
    others = tmp_path / "others"
    others.mkdir()
    _index_packages(others)
    code = ("import bounds, properties\n"
            "from recmech.bounds import compute\n"
            "from recmech.properties.claims.table import claim_ids\n"
            "assert bounds.ORIGIN == properties.ORIGIN == 'index'\n"
            "assert compute('lemma3', U=[[2.0]]).value('inv_inf_bound') == 0.5\n"
            "print(len(claim_ids()))\n")
    run = _run([sys.executable, "-c", code], cwd=tmp_path,
               PYTHONPATH=os.pathsep.join((str(others), str(site))))
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.strip()) > 22  # the paper's 22 claims and the project's


PROJECT_TESTS = '''
    import os
    import sys

    import bounds
    import properties


    def test_my_own_modules_are_imported():
        assert properties.VALUE == "mine" and bounds.VALUE == "mine"


    def test_record_the_session():
        from hypothesis import settings
        from hypothesis.errors import InvalidArgument

        try:
            settings.get_profile("recmech-quick")
            recmech_profile = True
        except InvalidArgument:
            recmech_profile = False
        loaded = sorted(m for m in sys.modules if m.startswith("recmech."))
        with open(os.environ["PROBE"], "w") as fh:
            fh.write(f"{settings.default!r}\\n{recmech_profile}\\n{loaded}\\n")
'''


@pytest.fixture
def project(tmp_path) -> Path:
    """Someone else's project: its own ``properties.py`` and ``bounds.py``, and tests."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "properties.py").write_text('VALUE = "mine"\n')
    (root / "bounds.py").write_text('VALUE = "mine"\n')
    (root / "test_mine.py").write_text(textwrap.dedent(PROJECT_TESTS))
    return root


@pytest.mark.parametrize("runner", ["pytest", "python -m pytest"])
def test_another_project_with_properties_and_bounds_passes_untouched(site, project, runner):
    cmd = [PYTEST] if runner == "pytest" else [sys.executable, "-m", "pytest"]
    probes = {}
    for plugin in ("on", "off"):
        probe = project / f"probe-{plugin}.txt"
        extra = ["-p", "no:recmech"] if plugin == "off" else []
        run = _run([*cmd, "-p", "no:cacheprovider", *extra], cwd=project, PYTHONPATH=str(site),
                   PROBE=str(probe), CI="true")
        assert run.returncode == 0, run.stdout + run.stderr
        # pytest's own "plugins:" line lists every installed plugin; recmech adds no line
        said = [line for line in (run.stdout + run.stderr).splitlines()
                if "recmech" in line and not line.startswith("plugins:")]
        assert said == []
        probes[plugin] = probe.read_text().splitlines()
    assert probes["on"][0] == probes["off"][0]          # hypothesis's settings are unchanged
    assert probes["on"][1] == probes["off"][1] == "False"  # no recmech profile registered
    # only the plugin module and the packages above it are imported, nothing of recmech's work
    assert probes["on"][2] == str(["recmech.properties", "recmech.properties.guard",
                                  "recmech.properties.guard.plugin"])


def test_the_installed_suite_next_to_a_users_properties_module(site, project):
    """``pytest --pyargs recmech.properties`` imports recmech's suite under recmech's name: the
    user's own ``properties`` module, collected in the same session, is still theirs."""
    run = _run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--pyargs",
                "recmech.properties", "--recmech-claims=proposition3", "test_mine.py"],
               cwd=project, PYTHONPATH=str(site), PROBE=str(project / "probe.txt"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def _runtime_closure() -> set[str]:
    """The distributions `pip install recmech` brings: recmech's runtime dependencies and
    theirs, as installed here (markers of this interpreter applied)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    want, seen = ["recmech"], set()
    while want:
        name = want.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        for text in metadata.requires(name) or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                want.append(req.name)
    return seen - {"recmech"}


def test_a_plain_install_runs_the_commands_without_pytest_or_dask(site, tmp_path):
    """Only the runtime closure on the path (no pytest, no dask): `recmech report` and `recmech
    demo` run; the test extra is for the tests only."""
    from importlib import metadata

    closure = _runtime_closure()
    assert {"numpy", "scipy", "hypothesis", "highspy"} <= closure
    assert not closure & {"pytest", "dask", "distributed"}
    deps = tmp_path / "deps"
    deps.mkdir()
    for name in closure:
        for top in {Path(str(f)).parts[0] for f in metadata.distribution(name).files or []}:
            source = Path(metadata.distribution(name).locate_file(top))
            if source.exists() and not (deps / top).exists() and top != "..":
                (deps / top).symlink_to(source)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    code = ("import importlib.util, sys\n"
            "assert importlib.util.find_spec('pytest') is None\n"
            "assert importlib.util.find_spec('distributed') is None\n"
            "from recmech.properties.cli.main import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    for argv in (["report", "--claims", "lemma6,proposition3"],
                 ["demo", "--N", "2000", "--k", "2", "--bidders", "1"]):
        run = _run([python, "-c", code, *argv], cwd=tmp_path,
                   PYTHONPATH=os.pathsep.join((str(site), str(deps))))
        assert run.returncode == 0, run.stdout + run.stderr
    scheduler = _run([python, "-c", code, "report", "--claims", "lemma6", "--scheduler",
                      "local"], cwd=tmp_path, PYTHONPATH=os.pathsep.join((str(site), str(deps))))
    assert scheduler.returncode == 2
    assert "pip install 'recmech[dask]'" in scheduler.stderr
