"""The mechanism experiment (claims ``theorem1``/``lemma2``): without robustification the optimal
latent mechanism loses its revenue under an eps1-shift; Algorithm 1 degrades gracefully, is IR
for shifted types, and is not IR for the eps1 mass that Prokhorov closeness lets move anywhere."""

import json

import pytest

from recmech.core.experiment import run
from recmech.properties.cli.main import main


@pytest.fixture(scope="module")
def rows():
    return {(r.corruption, r.eps1): r for r in run((0.0, 0.01, 0.05))}


def test_laws_are_exactly_eps1_close(rows):
    for (_, eps1), r in rows.items():
        assert r.prokhorov == pytest.approx(eps1, abs=1e-12)


def test_unrobustified_mechanism_collapses_while_algorithm1_does_not(rows):
    base = rows[("shift", 0.0)]
    assert base.rev_direct == pytest.approx(base.rev_hat, abs=1e-9)
    for eps1 in (0.01, 0.05):
        r = rows[("shift", eps1)]
        assert r.rev_direct == pytest.approx(0.0, abs=1e-9)
        assert r.rev_alg1 > 0.5 * r.rev_hat
        assert r.min_util_alg1 >= -1e-12          # shifted types: IR holds
    assert rows[("shift", 0.01)].rev_alg1 > rows[("shift", 0.05)].rev_alg1


def test_theorem1_ir_fails_for_true_types_off_the_model(rows):
    """Thm. 1 (2) claims IR; the type (1, 0) (mass eps1) reads as latent 1 but values item 1 at 0:
    its truthful expected utility under Algorithm 1 is negative."""
    r = rows[("move", 0.01)]
    assert r.min_util_alg1 < -1.0


def test_main_writes_json(tmp_path, capsys):
    path = tmp_path / "rows.json"
    assert main(["demo", "--mechanism", "--json", str(path)]) == 0
    assert "| corruption |" in capsys.readouterr().out
    data = json.loads(path.read_text())
    assert len(data) == 10 and {"rev_alg1", "kappa_alg1"} <= set(data[0])
