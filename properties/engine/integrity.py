"""Integrity of results files: every line sealed, every resume verified, one writer at a time.

A results file (``recmech.properties.engine.run.ResultsFile``) is JSON lines: a header, then one
line
per finished chunk. Each line carries

- ``version``: the recmech version that wrote it;
- ``fingerprint`` (chunk lines): a digest of the recmech version, the profile, the chunk's key
  (claim, readings, implementation, run seed, index and spec: its parameters) and the source
  of the modules that define the claim's check (its code), so a chunk written by other code or
  for other parameters is never taken for this run's;
- ``checksum``: a digest of the line's other fields (canonical JSON), so an edited line is seen.

``read`` refuses, with ``ResultsFileError`` (a ValueError whose text is one line: the file, the
line number and the reason), a file that is not a results file, of another format, version or
profile, a line that is not JSON, not a chunk line (``null``, ``[1, 2]``), edited, foreign, or a
second completed copy of a chunk (two runs wrote the file). The last line, when it has no
newline, is the one a killed run was writing: it is dropped (``complete_bytes`` says where the
complete lines end, so the writer truncates it rather than gluing the next line onto it).
``lock`` takes an exclusive, non-blocking lock on the open file: a second run writing the same
file is refused rather than interleaving its chunks.
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import recmech

__all__ = ["FORMAT", "FORMAT_FAMILY", "ResultsFileError", "Sealed", "checksum", "fingerprint",
           "header", "lock", "read", "seal"]

FORMAT_FAMILY = "recmech-report-chunks/"
FORMAT = FORMAT_FAMILY + "2"
_DIGEST = 32  # hex digits kept of a sha256: 128 bits


class ResultsFileError(ValueError):
    """A results file refused (one line: the file, the line number, the reason)."""


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def checksum(row: dict) -> str:
    """The digest of ``row`` without its ``checksum`` field (canonical JSON)."""
    return hashlib.sha256(_canonical({k: v for k, v in row.items() if k != "checksum"})
                          ).hexdigest()[:_DIGEST]


_CODE: dict[str, str] = {}


def _code_digest(claim_id: str) -> str:
    """A digest of the source of the modules that define ``claim_id``'s check ("" for an id
    with no registered check, e.g. a guard's part judgement: its key and version still count)."""
    if claim_id not in _CODE:
        from recmech.properties.judging.checks import registry  # the package registers every check

        fns = ([registry.CHUNKS[claim_id].plan, registry.CHUNKS[claim_id].run,
                registry.CHUNKS[claim_id].merge] if claim_id in registry.CHUNKS
               else [registry.CHECKS[claim_id]] if claim_id in registry.CHECKS else [])
        digest = hashlib.sha256()
        for name in sorted({fn.__module__ for fn in fns}):
            digest.update(name.encode() + b"\0" + inspect.getsource(sys.modules[name]).encode())
        _CODE[claim_id] = digest.hexdigest()
    return _CODE[claim_id]


def fingerprint(claim_id: str, key: str, profile: str) -> str:
    """The fingerprint of a chunk (module docstring): version, profile, key, check code."""
    return hashlib.sha256(_canonical([recmech.__version__, profile, claim_id, key,
                                      _code_digest(claim_id)])).hexdigest()[:_DIGEST]


def header(profile: str) -> dict:
    """The sealed header line of a results file of ``profile``."""
    data = {"format": FORMAT, "profile": profile, "version": recmech.__version__}
    return {**data, "checksum": checksum(data)}


def seal(row: dict, profile: str) -> dict:
    """A chunk line (JSON data with ``key`` and ``claim_id``) with its version, fingerprint and
    checksum."""
    data = {**row, "version": recmech.__version__,
            "fingerprint": fingerprint(row["claim_id"], row["key"], profile)}
    return {**data, "checksum": checksum(data)}


@dataclass(frozen=True)
class Sealed:
    """What ``read`` found: the header's profile, the completed chunk lines (errors are not
    completed: they rerun), and the length in bytes of the file's complete lines."""

    profile: str
    rows: list[dict]
    complete_bytes: int


def _short(text: str, size: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= size else text[:size - 3] + "..."


_FIELDS = {"key": str, "claim_id": str, "index": int, "seconds": (int, float),
           "version": str, "fingerprint": str, "checksum": str}


def read(path: str | Path, profile: str | None = None, *,
         fingerprints: bool = True) -> Sealed:
    """The verified content of the results file at ``path`` (module docstring); ``profile``:
    the run's profile the header must name; ``fingerprints``: check each chunk's fingerprint
    against this code (``recmech chunks`` only reads times, so it checks the checksums alone).
    ResultsFileError naming the line and the reason for anything else."""
    path = Path(path)

    def refuse(line: int | None, why: str) -> ResultsFileError:
        where = f"{path}: line {line}: " if line is not None else f"{path}: "
        return ResultsFileError(where + why)

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise refuse(None, f"cannot be read ({type(exc).__name__})") from None
    end = raw.rfind(b"\n") + 1  # bytes after the last newline: a line a killed run was writing
    try:
        lines = raw[:end].decode("utf-8").split("\n")[:-1]
    except UnicodeDecodeError:
        raise refuse(None, "not a results file of recmech report (not UTF-8 text)") from None
    if not lines:
        return Sealed(profile or "", [], end)
    try:
        head = json.loads(lines[0])
    except json.JSONDecodeError:
        raise refuse(1, "not a results file of recmech report (no JSON header)") from None
    found = head.get("format") if isinstance(head, dict) else None
    if not isinstance(found, str) or not found.startswith(FORMAT_FAMILY):
        raise refuse(1, f"not a results file of recmech report (format {found!r}; expected "
                        f"{FORMAT!r})")
    if found != FORMAT:
        raise refuse(1, f"not a results file of this run (format {found!r}, without "
                        f"per-line integrity; expected {FORMAT!r}): rerun without --resume")
    if head.get("checksum") != checksum(head):
        raise refuse(1, "the header was edited (its checksum does not match)")
    if head.get("version") != recmech.__version__:
        raise refuse(1, f"written by recmech {head.get('version')}; this is recmech "
                        f"{recmech.__version__}: rerun without --resume")
    if profile is not None and head.get("profile") != profile:
        raise refuse(1, f"not a results file of this run (profile {head.get('profile')!r}; "
                        f"expected {profile!r})")
    rows: list[dict] = []
    completed: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise refuse(number, "not JSON (an edited line, or one glued to a partial line)"
                         ) from None
        if not isinstance(row, dict):
            raise refuse(number, f"not a chunk line (found {_short(json.dumps(row))})")
        for field, kind in _FIELDS.items():
            value = row.get(field)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise refuse(number, f"not a chunk line (field {field!r} is "
                                     f"{_short(json.dumps(value))})")
        if "partial" not in row or not isinstance(row.get("error"), (str, type(None))):
            raise refuse(number, "not a chunk line (no 'partial', or an 'error' that is not text)")
        if row["checksum"] != checksum(row):
            raise refuse(number, f"chunk {_short(row['key'], 50)!r} was edited (its checksum "
                                 "does not match its content)")
        if row["version"] != recmech.__version__:
            raise refuse(number, f"written by recmech {_short(row['version'], 20)}; this is "
                                 f"recmech {recmech.__version__}")
        if fingerprints and row["fingerprint"] != fingerprint(row["claim_id"], row["key"],
                                                              str(head.get("profile"))):
            raise refuse(number, f"chunk {_short(row['key'], 50)!r} is foreign: the check's "
                                 "code or parameters differ from this run's (fingerprint)")
        if row["error"] is not None:
            continue
        if row["key"] in completed:
            raise refuse(number, f"chunk {_short(row['key'], 50)!r} was already completed on "
                                 f"line {completed[row['key']]} (two runs wrote this file)")
        completed[row["key"]] = number
        rows.append(row)
    return Sealed(str(head.get("profile")), rows, end)


def lock(handle: IO, path: str | Path) -> None:
    """An exclusive lock on the open results file (released when it is closed);
    ResultsFileError when another run holds it."""
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ResultsFileError(f"{path}: another run is writing this results file (it is "
                               "locked); wait for it to finish, or give another file") from None
