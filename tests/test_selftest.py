"""``recmech selftest``: the property tests under several hypothesis seeds, each failure reported
with the seed that reproduces it; per-run scratch folders leave nothing behind."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from recmech.properties.cli.selftest import selftest, suites, summary

FALSE = textwrap.dedent('''
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=20, database=None)
    @given(st.integers(0, 10**9))
    def test_false_for_half_the_inputs(x):
        assert x % 2 == 1
''')
TRUE = "def test_true():\n    assert True\n"


def test_a_failure_is_reported_with_its_seed(tmp_path):
    (tmp_path / "test_false.py").write_text(FALSE)
    (tmp_path / "test_true.py").write_text(TRUE)
    plan = {"false": ["test_false.py"], "true": ["test_true.py"]}
    runs = selftest(2, timeout=120, root=tmp_path, plan=plan)
    assert [(r.seed, r.suite) for r in runs] == [(1, "false"), (1, "true"), (2, "false"),
                                                 (2, "true")]
    assert [r.passed for r in runs] == [False, True, False, True]
    text = summary(runs)
    for seed in (1, 2):
        assert f"FAILED seed {seed} (false)" in text and f"--hypothesis-seed={seed}" in text
    assert "FAILED seed 1 (true)" not in text and "2 of 4 runs passed (2 seeds)" in text


def test_suites_find_the_checkout_tests(tmp_path):
    assert suites(tmp_path) == {"claims": ["--pyargs", "recmech.properties"]}
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_prop_x.py").write_text("")
    assert suites(tmp_path)["tests"] == ["tests/test_prop_x.py"]


def test_the_checkout_is_found_from_any_working_directory(tmp_path, monkeypatch):
    """From a folder inside a checkout, or from outside any (an editable install), the
    checkout's property tests run, not only the claim suite."""
    from recmech.properties.cli.selftest import checkout_root

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "docs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "docs" / "deep")
    assert checkout_root() == tmp_path.resolve()
    monkeypatch.chdir(tmp_path.parent)
    import recmech

    installed = Path(recmech.__file__).resolve().parents[1]
    assert checkout_root() == installed  # this suite runs from a checkout (editable install)
    assert "tests" in suites()


def test_bad_seed_counts_are_named():
    with pytest.raises(ValueError, match="seeds must be a whole number >= 1"):
        selftest(0)


def test_each_run_has_its_own_scratch_folder_and_removes_it():
    code = ("from recmech.properties.judging.profiles import scratch_dir; p = scratch_dir(); "
            "(p / 'x').write_text('1'); print(p)")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert first != second
    from pathlib import Path

    assert not Path(first).exists() and not Path(second).exists()
