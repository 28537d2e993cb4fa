"""Running check chunks: in this process, in a local process pool, or on a Dask cluster, with a
results file that keeps every completed chunk so an interrupted run can be resumed.

A chunk is one independent, deterministic piece of a check (``recmech.properties.judging.checks.
registry.chunk_specs``): claim x reading x instance batch, with its own seed. Its result is JSON
data, so it travels to a worker and back, and into the results file, unchanged; the report
merges the chunks of each claim and reading in plan order, so every engine gives the record a
serial run gives.

- ``SerialEngine``: one chunk after another in this process;
- ``PoolEngine(jobs)``: a ``concurrent.futures`` process pool;
- ``DaskEngine(scheduler)``: Dask distributed (``pip install "recmech[dask]"``); ``scheduler``
  is the address of a running scheduler (``tcp://HOST:8786``), or ``None`` for a local cluster of
  ``workers`` processes. A worker that dies mid-chunk has its chunk retried elsewhere.

The results file is JSON lines: a header naming the profile, then one line per completed chunk
(its key, claim, readings, index, result, seconds, or the error with its traceback). Lines are
flushed as chunks complete, so killing the run loses only the chunks in flight. Every line is
sealed with the recmech version, a fingerprint of the check's code and parameters and a
checksum, and a resume verifies them (``recmech.properties.engine.integrity``): a foreign or edited
line is refused by its number, a partial last line is dropped (truncated, never glued onto),
and one run at a time writes a file (a lock).
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import heapq
import importlib.util
import json
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recmech.bounds.records import jsonable
from recmech.properties.engine.integrity import header, lock, read, seal

__all__ = ["ChunkResult", "ChunkTask", "ChunkTime", "DaskEngine", "PoolEngine", "ResultsFile",
           "SerialEngine", "chunk_key", "chunk_times", "completed_rows", "engine_for",
           "projected_wall", "run_chunk_task", "run_claim_chunk", "run_tasks", "unique"]


@dataclass(frozen=True, kw_only=True)
class ChunkTask:
    """One chunk to run: its key (unique in a run), claim, reading assignment and index."""

    key: str
    claim_id: str
    readings: dict
    index: int
    spec: dict
    impl: str | None = None  # the implementation under test ("pkg.module:attr"); None: reference
    run_seed: str | None = None  # joins the chunk's search seeds (properties.strategies)


@dataclass(frozen=True, kw_only=True)
class ChunkResult:
    """A chunk's partial result (JSON data) or the error it raised, and its seconds."""

    key: str
    partial: Any
    seconds: float
    error: str | None = None

    def to_dict(self) -> dict:
        return {"key": self.key, "partial": self.partial, "seconds": self.seconds,
                "error": self.error}


def chunk_key(claim_id: str, readings: dict, spec: dict, index: int,
              impl: str | None = None, run_seed: str | None = None) -> str:
    """The chunk's key: a chunk whose spec says it does not depend on the reading
    (``reading_free``) has one key for every reading, so it runs once; a guard's chunk names
    its implementation first, a run seed (``recmech.properties.judging.strategies.run_seed``) comes
    before that."""
    label = "*" if spec.get("reading_free") else ",".join(f"{k}={v}"
                                                           for k, v in sorted(readings.items()))
    head = ("" if run_seed is None else f"seed={run_seed}#") + ("" if impl is None
                                                                 else f"{impl}::")
    return f"{head}{claim_id}|{label}|{index}|{json.dumps(spec, sort_keys=True)}"


Runner = Callable[[ChunkTask, str, "float | None"], Any]


def run_claim_chunk(task: ChunkTask, profile: str, time_limit: float | None = None) -> Any:
    """The default runner: one chunk of a claim check on the reference (the report card's
    work). A task naming an implementation needs the guard's runner
    (``recmech.properties.guard.run.run_guard_task``), which the guard hands to the engine."""
    from recmech.properties.judging.checks.registry import run_chunk

    if task.impl is not None:
        raise ValueError(f"task {task.key!r} names the implementation {task.impl!r}: run it "
                         "with the guard's runner (runner=run_guard_task)")
    return run_chunk(task.claim_id, task.index, None, profile, task.readings)


def run_chunk_task(task: ChunkTask, profile: str, time_limit: float | None = None,
                   runner: Runner | None = None) -> ChunkResult:
    """Run one chunk in this process with ``runner(task, profile, time_limit)`` (default
    ``run_claim_chunk``); workers start bare, so the hypothesis profile is loaded first and the
    run seed set. A chunk that raises returns its traceback instead of a result."""
    from recmech.properties.judging.profiles import load_profile
    from recmech.properties.judging.strategies import run_seeded

    load_profile(profile)
    with run_seeded(task.run_seed):
        start = time.perf_counter()
        try:
            partial = (runner or run_claim_chunk)(task, profile, time_limit)
        except Exception:  # reported with its claim, seed and traceback; the others go on
            return ChunkResult(key=task.key, partial=None, seconds=time.perf_counter() - start,
                               error=traceback.format_exc(limit=6))
        return ChunkResult(key=task.key, partial=partial, seconds=time.perf_counter() - start)


class SerialEngine:
    """Every chunk in this process, in order."""

    name = "serial"

    def run(self, tasks: list[ChunkTask], profile: str, time_limit: float | None = None,
            runner: Runner | None = None) -> Iterator[ChunkResult]:
        for t in tasks:
            yield run_chunk_task(t, profile, time_limit, runner)

    def close(self) -> None:
        pass


class PoolEngine:
    """A local process pool of ``jobs`` workers."""

    def __init__(self, jobs: int) -> None:
        self.name = f"pool of {jobs}"
        self.pool = cf.ProcessPoolExecutor(max_workers=jobs)

    def run(self, tasks: list[ChunkTask], profile: str, time_limit: float | None = None,
            runner: Runner | None = None) -> Iterator[ChunkResult]:
        futures = [self.pool.submit(run_chunk_task, t, profile, time_limit, runner)
                   for t in tasks]
        for fut in cf.as_completed(futures):
            yield fut.result()

    def close(self) -> None:
        self.pool.shutdown()


class DaskEngine:
    """Dask distributed: a running scheduler (``scheduler`` = its address) or a local cluster
    of ``workers`` processes (one thread each). Chunks are submitted with retries, so a chunk
    whose worker dies runs again on another."""

    def __init__(self, scheduler: str | None = None, workers: int = 2, retries: int = 3) -> None:
        if importlib.util.find_spec("distributed") is None:
            raise ValueError("Dask is not installed here; pip install 'recmech[dask]'")
        from distributed import Client, LocalCluster

        self.retries = retries
        self.cluster = None
        if scheduler is None:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                        processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
            self.name = f"dask local cluster of {workers}"
        else:
            self.client = Client(scheduler)
            self.name = f"dask scheduler {scheduler}"

    def worker_pids(self) -> dict:
        """Worker address -> process id (to watch, or to kill in a test)."""
        return self.client.run(os.getpid)

    def run(self, tasks: list[ChunkTask], profile: str, time_limit: float | None = None,
            runner: Runner | None = None) -> Iterator[ChunkResult]:
        from distributed import as_completed

        futures = [self.client.submit(run_chunk_task, t, profile, time_limit, runner,
                                      key="recmech-" + hashlib.sha1(t.key.encode()).hexdigest(),
                                      pure=False, retries=self.retries) for t in tasks]
        for fut in as_completed(futures):
            yield fut.result()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def engine_for(jobs: int = 1, scheduler: str | None = None):
    """definition: The engine of the command line: ``scheduler`` = "local" for a local Dask cluster
    of ``jobs`` workers, an address for a running one; else a process pool (``jobs`` > 1) or this
    process."""
    if scheduler is not None:
        return DaskEngine(None if scheduler == "local" else scheduler, workers=max(1, jobs))
    return PoolEngine(jobs) if jobs > 1 else SerialEngine()


class ResultsFile:
    """The JSON-lines file of completed chunks (module docstring)."""

    def __init__(self, path: str | Path, profile: str) -> None:
        self.path = Path(path)
        self.profile = profile

    def load(self) -> dict[str, ChunkResult]:
        """The completed chunks already in the file (errors are not completed: they rerun);
        ResultsFileError (a ValueError naming the line) for a file of another format, version
        or profile, or a foreign or edited line."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return {}
        rows = read(self.path, self.profile).rows
        return {row["key"]: ChunkResult(key=row["key"], partial=row["partial"],
                                        seconds=row["seconds"]) for row in rows}

    def open(self, fresh: bool = False) -> Callable[[ChunkTask, ChunkResult], None]:
        """A writer that appends one sealed line per completed chunk, holding the file's lock
        (ResultsFileError when another run holds it). ``fresh``: the file starts anew (a run
        that does not resume); else its lines are verified again under the lock and a partial
        last line is cut off before anything is appended."""
        handle = self.path.open("ab")
        lock(handle, self.path)
        try:
            if fresh:
                handle.truncate(0)
            elif handle.tell() > 0:
                handle.truncate(read(self.path, self.profile).complete_bytes)
            handle.seek(0, os.SEEK_END)  # truncate leaves the position where it was
            if handle.tell() == 0:
                handle.write(json.dumps(header(self.profile)).encode() + b"\n")
                handle.flush()
        except BaseException:
            handle.close()
            raise

        def write(task: ChunkTask, result: ChunkResult) -> None:
            row = jsonable({**result.to_dict(), "claim_id": task.claim_id,
                            "readings": task.readings, "index": task.index, "spec": task.spec})
            line = json.dumps(seal(row, self.profile), allow_nan=False)
            handle.write(line.encode("utf-8") + b"\n")
            handle.flush()

        write.close = handle.close  # type: ignore[attr-defined]
        return write


def run_tasks(engine, tasks: list[ChunkTask], profile: str,
              done: dict[str, ChunkResult] | None = None,
              on_result: Callable[[ChunkTask, ChunkResult, int, int], None] | None = None,
              time_limit: float | None = None,
              runner: Runner | None = None) -> dict[str, ChunkResult]:
    """Run the tasks not already ``done`` on ``engine`` with ``runner`` (default: claim chunks
    on the reference; the guard passes its own); every result (old and new) by key
    (``time_limit``: seconds per call of an outside part, for a guard's tasks)."""
    results = dict(done or {})
    pending = [t for t in tasks if t.key not in results]
    by_key = {t.key: t for t in pending}
    total = len(tasks)
    finished = total - len(pending)
    for result in engine.run(pending, profile, time_limit, runner):
        results[result.key] = result
        finished += 1
        if on_result is not None:
            on_result(by_key[result.key], result, finished, total)
    return results


def unique(tasks: Iterable[ChunkTask]) -> list[ChunkTask]:
    """The tasks with duplicate keys dropped (a reading-free chunk shared by several readings)."""
    seen: dict[str, ChunkTask] = {}
    for t in tasks:
        seen.setdefault(t.key, t)
    return list(seen.values())


# -- planning a cluster from a results file --------------------------------------------------------

@dataclass(frozen=True)
class ChunkTime:
    """One completed chunk of a results file: its claim, index and seconds on its worker."""

    claim_id: str
    index: int
    seconds: float


def completed_rows(path: str | Path) -> tuple[str, list[dict]]:
    """The profile and the completed chunks' lines of a results file (a line a killed run was
    writing is skipped; chunks that raised are not completed); ResultsFileError (a ValueError
    naming the file and the line) when it is not one, or a line is edited or not a chunk's.
    Fingerprints are not compared: a planning read accepts chunks of other code."""
    sealed = read(path, fingerprints=False)
    return sealed.profile, sealed.rows


def chunk_times(path: str | Path) -> tuple[str, list[ChunkTime]]:
    """The profile and the completed chunks' times of a results file (``--results``);
    ValueError naming the file when it is not one."""
    profile, rows = completed_rows(path)
    return profile, [ChunkTime(r["claim_id"], int(r["index"]), float(r["seconds"]))
                     for r in rows]


def projected_wall(seconds: Iterable[float], workers: int) -> tuple[float, float]:
    """(projected, lower) wall time of running chunks of ``seconds`` on ``workers`` workers:
    the longest-processing-time-first list schedule (each chunk, longest first, to the least
    loaded worker; within 4/3 of the best schedule, Graham 1969) and the bound no schedule
    beats, max(longest chunk, total / workers). Planning and merging are not included."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1; found {workers}")
    ordered = sorted((float(x) for x in seconds), reverse=True)
    if not ordered:
        return 0.0, 0.0
    loads = [0.0] * min(workers, len(ordered))
    for x in ordered:
        heapq.heapreplace(loads, loads[0] + x)
    return max(loads), max(ordered[0], sum(ordered) / workers)
