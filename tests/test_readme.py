"""The README stays true: its generated sections are what the code says today
(``python -m tests.readme`` rebuilds them), and it names the commands as they are."""

from pathlib import Path

from tests import readme

TEXT = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_generated_sections_match_the_code():
    assert readme.render(TEXT) == TEXT, "README.md drifted: run python -m tests.readme"


def test_the_readme_names_the_installed_names():
    assert "--pyargs recmech.properties" in TEXT and "--pyargs properties " not in TEXT
    assert "python -m tests.mutation" in TEXT
    assert "RECMECH_CHECK_PROFILE" not in TEXT
