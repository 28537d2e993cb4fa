"""The seeds of the claim checks' searches: a chunk's searches are seeded from its key, so a chunk
gives the same result in every process and on every engine; a run seed (set by recmech's pytest
plugin from ``--hypothesis-seed``) joins them, so that ``recmech selftest`` explores other
instances under each seed, and travels with an engine's chunk to its worker."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from recmech.properties.engine.run import ChunkTask, chunk_key, run_chunk_task
from recmech.properties.judging.checks.registry import chunk_specs, run_chunk
from recmech.properties.judging.strategies import run_seed, run_seeded, search_seed, seeded_searches

# Lemma 4's search piece: random unit vectors and spectra, so its worst instance moves with the
# seed (a search whose worst case is a fixed corner would not show the difference)
CLAIM, INDEX = "lemma4", 1


def _seeds(run: str | None) -> list[int | None]:
    with run_seeded(run), seeded_searches("claim|spec"):
        return [search_seed("score"), search_seed("score"), search_seed("other")]


def test_a_search_is_seeded_only_inside_a_chunk_and_the_run_seed_joins_its_seed():
    assert search_seed("score") is None and run_seed() is None
    plain, again = _seeds(None), _seeds(None)
    assert plain == again and len(set(plain)) == 3  # each search of a chunk has its own seed
    assert _seeds("1") == _seeds("1")
    assert not set(_seeds("1")) & set(plain) and not set(_seeds("1")) & set(_seeds("2"))
    assert run_seed() is None  # the block restores what was in force


def test_a_chunk_is_the_same_under_one_run_seed_and_explores_under_another():
    assert chunk_specs(CLAIM, None, "quick")[INDEX]["part"] == "search"
    base = run_chunk(CLAIM, INDEX)
    with run_seeded("1"):
        one = run_chunk(CLAIM, INDEX)
    with run_seeded("1"):
        assert run_chunk(CLAIM, INDEX) == one
    with run_seeded("2"):
        two = run_chunk(CLAIM, INDEX)
    assert base == run_chunk(CLAIM, INDEX)
    assert one["instance"] != two["instance"] and base["instance"] != one["instance"]


def test_an_engine_chunk_carries_the_run_seed_to_its_worker():
    spec = chunk_specs(CLAIM, None, "quick")[INDEX]
    key = chunk_key(CLAIM, {}, spec, INDEX, run_seed="2")
    assert key != chunk_key(CLAIM, {}, spec, INDEX) and key.startswith("seed=2#")
    task = ChunkTask(key=key, claim_id=CLAIM, readings={}, index=INDEX, spec=spec, run_seed="2")
    with run_seeded("2"):
        expected = run_chunk(CLAIM, INDEX)
    result = run_chunk_task(task, "quick")
    assert result.error is None and result.partial == expected
    assert run_seed() is None


def test_the_plugin_takes_the_run_seed_from_hypothesis_seed_only_when_asked_for(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(textwrap.dedent("""
        import os
        from recmech.properties.judging.strategies import run_seed

        def test_seed():
            assert run_seed() == (os.environ.get("EXPECT") or None)
    """))

    def run(expect: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               str(probe), *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300, env={**_env(), "EXPECT": expect})

    asked = run("5", "--hypothesis-seed=5", "--recmech-profile=quick")
    assert asked.returncode == 0, asked.stdout + asked.stderr
    home = run("", "--hypothesis-seed=5")  # the plugin stays home: nothing set
    assert home.returncode == 0, home.stdout + home.stderr


def _env() -> dict:
    return {k: v for k, v in os.environ.items()
            if not k.startswith("RECMECH_") and k not in ("PYTHONPATH", "EXPECT")}
