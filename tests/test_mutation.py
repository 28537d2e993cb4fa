"""The mutation tester: it enumerates single-site mutants, applies exactly one change, and tells
a mutant the tests catch from one they miss (on a toy project, so the verdicts are known)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from tests.mutation import (
    ESCALATION,
    enumerate_mutants,
    mutated_source,
    run_mutants,
    selected_tests,
    summary,
)

TOY = textwrap.dedent('''
    """A toy bound: docstrings and error messages are not mutated (2 < 3)."""


    def clip(x, lo=0.0):
        if x < lo:
            raise ValueError(f"x must be >= {lo + 1}")
        return -x if x > 10 else x * 2


    def unused(a, b):
        return a and b
''')

TOY_TEST = textwrap.dedent('''
    import pytest
    from bounds.toy import clip


    def test_clip():
        assert clip(3.0) == 6.0
        assert clip(11.0) == -11.0
        with pytest.raises(ValueError):
            clip(-1.0)
''')


@pytest.fixture
def toy_root(tmp_path):
    (tmp_path / "bounds").mkdir()
    (tmp_path / "bounds" / "__init__.py").write_text("")
    (tmp_path / "bounds" / "toy.py").write_text(TOY)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_bounds_toy.py").write_text(TOY_TEST)
    return tmp_path


def test_every_site_is_found_once_and_messages_are_left_alone(toy_root):
    muts = enumerate_mutants(toy_root / "bounds" / "toy.py", toy_root)
    changes = sorted(m.change for m in muts)
    # x < lo, x > 10, -x, x * 2, the constants 0.0, 10, 2, and `a and b`; not `lo + 1` in the
    # f-string of the raise, nor the numbers in the docstring
    assert changes == sorted(["Lt -> LtE", "Gt -> GtE", "drop USub", "Mult -> Div",
                              "0.0 -> 1.0", "10 -> 11", "2 -> 3", "And -> Or"])


def test_a_mutant_changes_exactly_one_site(toy_root):
    src = (toy_root / "bounds" / "toy.py").read_text()
    for mut in enumerate_mutants(toy_root / "bounds" / "toy.py", toy_root):
        new = mutated_source(src, mut)
        assert new != ast.unparse(ast.parse(src))
        diff = [(a, b) for a, b in zip(ast.unparse(ast.parse(src)).splitlines(),
                                       new.splitlines(), strict=True) if a != b]
        assert len(diff) == 1, (mut, diff)


def test_caught_and_missed_mutants_are_told_apart(toy_root):
    assert selected_tests("bounds/toy.py", toy_root) == ("tests/test_bounds_toy.py",)
    muts = {m.change: m for m in enumerate_mutants(toy_root / "bounds" / "toy.py", toy_root)}
    picked = [muts["Mult -> Div"], muts["drop USub"], muts["And -> Or"], muts["Lt -> LtE"]]
    res = {r.mutant.change: r.status for r in run_mutants(picked, toy_root, progress=False)}
    assert res == {"Mult -> Div": "killed", "drop USub": "killed",
                   # `unused` is never called and x == lo is never tried: both survive
                   "And -> Or": "survived", "Lt -> LtE": "survived"}
    out = summary(run_mutants(picked[:1], toy_root, progress=False))
    assert out["killed"] == 1 and out["kill_rate"] == 1.0


def test_escalation_runs_the_whole_folder_for_survivors(toy_root):
    # a test outside the module's selected tests reaches `unused`; only escalation sees it
    (toy_root / "tests" / "test_other.py").write_text(
        "from bounds.toy import unused\n\ndef test_unused():\n    assert unused(1, 0) == 0\n")
    mut = next(m for m in enumerate_mutants(toy_root / "bounds" / "toy.py", toy_root)
               if m.change == "And -> Or")
    plain, = run_mutants([mut], toy_root, progress=False)
    escalated, = run_mutants([mut], toy_root, progress=False, escalate=True)
    assert (plain.status, escalated.status) == ("survived", "killed")
    assert escalated.tests == ESCALATION
