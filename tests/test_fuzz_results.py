"""Results files with integrity (``recmech.properties.engine.integrity``): a resume takes only this
run's
own, unedited chunk lines; anything else is refused with exit 2 and one line naming the line
number and the reason; a partial last line is dropped and recomputed, never glued onto; one run
at a time writes a file.

Hypothesis fuzzes a real results file: any truncation loads a prefix of its chunks, any edit of
a byte either leaves the parsed content unchanged (JSON whitespace) or is refused by name.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.properties.cli.main import main
from recmech.properties.engine.integrity import ResultsFileError, checksum, read
from recmech.properties.engine.run import ResultsFile, completed_rows

CLAIMS = "lemma6,proposition3"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("results") / "run.jsonl"
    assert main(["report", "--claims", CLAIMS, "--results", str(path)]) == 0
    return path.read_bytes()


def _resume(path: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["report", "--claims", CLAIMS, "--resume", str(path)])
    return code, capsys.readouterr().err


def _lines(data: bytes) -> list[str]:
    return data.decode().splitlines()


def test_bug12_a_partial_last_line_is_dropped_not_glued(good, tmp_path, capsys):
    lines = _lines(good)
    path = tmp_path / "killed.jsonl"
    path.write_text(lines[0] + "\n" + lines[1] + "\n" + lines[2][:40])
    code, _ = _resume(path, capsys)
    assert code == 0
    after = _lines(path.read_bytes())
    assert len(after) == 3 and after[1] == lines[1]
    assert [json.loads(x)["key"] for x in after[1:]] == [json.loads(x)["key"] for x in lines[1:]]


def test_bug12_an_edited_line_is_refused_by_its_number(good, tmp_path, capsys):
    lines = _lines(good)
    row = json.loads(lines[1])
    row["partial"][0]["slack"] = 0.001
    path = tmp_path / "edited.jsonl"
    path.write_text("\n".join([lines[0], json.dumps(row), lines[2]]) + "\n")
    code, err = _resume(path, capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert "line 2" in err and "edited" in err


@pytest.mark.parametrize("line", ["null", "[1, 2]", "{}", '"text"', "{\"key\": 1}"])
def test_bug12_a_line_that_is_no_chunk_is_exit_2_for_resume_and_chunks(good, tmp_path, capsys,
                                                                       line):
    path = tmp_path / "odd.jsonl"
    path.write_text(_lines(good)[0] + "\n" + line + "\n")
    code, err = _resume(path, capsys)
    assert code == 2 and "line 2: not a chunk line" in err and len(err.splitlines()) == 1
    assert main(["chunks", str(path)]) == 2
    assert "line 2: not a chunk line" in capsys.readouterr().err


def test_bug12_a_foreign_chunk_is_refused_by_its_fingerprint(good, tmp_path, capsys):
    lines = _lines(good)
    row = json.loads(lines[1])
    row["fingerprint"] = "0" * 32
    row["checksum"] = checksum(row)  # a consistent line, written by other code
    path = tmp_path / "foreign.jsonl"
    path.write_text(lines[0] + "\n" + json.dumps(row) + "\n")
    code, err = _resume(path, capsys)
    assert code == 2 and "line 2" in err and "foreign" in err
    # a planning read does not compare fingerprints
    assert len(completed_rows(path)[1]) == 1


def test_bug12_versions_and_old_formats_are_refused(good, tmp_path, capsys):
    lines = _lines(good)
    head = json.loads(lines[0])
    for change, needle in (({"version": "0.0.1"}, "written by recmech 0.0.1"),
                           ({"format": "recmech-report-chunks/1"},
                            "not a results file of this run"),
                           ({"profile": "thorough"}, "profile 'thorough'")):
        data = {**head, **change}
        data["checksum"] = checksum(data)
        path = tmp_path / "head.jsonl"
        path.write_text(json.dumps(data) + "\n")
        code, err = _resume(path, capsys)
        assert code == 2 and needle in err and "line 1" in err


def test_bug12_a_duplicated_chunk_is_refused(good, tmp_path, capsys):
    lines = _lines(good)
    path = tmp_path / "twice.jsonl"
    path.write_text("\n".join([lines[0], lines[1], lines[1]]) + "\n")
    code, err = _resume(path, capsys)
    assert code == 2 and "line 3" in err and "already completed on line 2" in err


def test_bug12_a_second_writer_is_refused_by_the_lock(good, tmp_path, capsys):
    path = tmp_path / "busy.jsonl"
    path.write_bytes(good)
    writer = ResultsFile(path, "quick").open()
    try:
        code, err = _resume(path, capsys)
        assert code == 2 and "another run is writing" in err
        capsys.readouterr()
        assert main(["report", "--claims", CLAIMS, "--results", str(path)]) == 2
    finally:
        writer.close()
    assert path.read_bytes() == good  # the refused runs changed nothing
    code, _ = _resume(path, capsys)
    assert code == 0


def test_a_fresh_run_starts_its_results_file_anew(good, tmp_path):
    path = tmp_path / "again.jsonl"
    path.write_bytes(good)
    assert main(["report", "--claims", CLAIMS, "--results", str(path)]) == 0
    keys = [json.loads(x)["key"] for x in _lines(path.read_bytes())[1:]]
    assert len(keys) == len(set(keys)) == 2


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0, max_value=10**6))
def test_any_truncation_loads_a_prefix_of_the_chunks(good, tmp_path_factory, cut):
    path = tmp_path_factory.mktemp("cut") / "cut.jsonl"
    path.write_bytes(good[:cut % (len(good) + 1)])
    full = [r["key"] for r in read_rows(good, tmp_path_factory)]
    keys = [r["key"] for r in read(path, "quick").rows] if path.stat().st_size else []
    assert keys == full[:len(keys)]


@settings(max_examples=300, deadline=None)
@given(where=st.integers(min_value=0, max_value=10**6), byte=st.integers(0, 255))
def test_any_edited_byte_is_refused_or_changes_nothing(good, tmp_path_factory, where, byte):
    data = bytearray(good)
    i = where % len(data)
    data[i] = byte
    path = tmp_path_factory.mktemp("byte") / "byte.jsonl"
    path.write_bytes(bytes(data))
    try:
        rows = read(path, "quick").rows
    except ResultsFileError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
        return
    original = read_rows(good, tmp_path_factory)
    # accepted: the same chunks (a whitespace edit), or a prefix (the edit cut the last newline)
    assert rows == original[:len(rows)]
    assert len(rows) == len(original) or data[i] != good[i] and good[i] == ord("\n")


_ROWS: dict[bytes, list[dict]] = {}


def read_rows(data: bytes, factory) -> list[dict]:
    if data not in _ROWS:
        path = factory.mktemp("orig") / "orig.jsonl"
        path.write_bytes(data)
        _ROWS[data] = read(path, "quick").rows
    return _ROWS[data]
