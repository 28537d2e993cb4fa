"""Hypothesis strategies for the claim checks, and a targeted worst-case search.

``worst_case(strategy, score, max_examples)`` runs a hypothesis search that maximises ``score``
(``hypothesis.target``) and returns the worst instance seen. Outside a chunk it runs under the
loaded hypothesis profile (derandomized in the quick profile; seeded by ``--hypothesis-seed``
in a pytest run, so ``recmech selftest`` explores). Inside a report chunk
(``seeded_searches(key)``, set by ``recmech.properties.judging.checks.registry.run_chunk``) each
search
has its own seed, derived from the chunk's key, its label and its place in the chunk (and the
run seed, when one is set): the chunk gives the same result in any process, on any engine, in
every profile. A search keeps no example database (nothing of one process may steer another's
search).

The run seed (``run_seeded(seed)``; ``None`` by default, as in ``recmech report``) is mixed into
every chunk's searches: recmech's pytest plugin sets it from ``--hypothesis-seed``, so that
``recmech selftest`` explores the claim checks under each seed too, and an engine's chunk
carries it to the worker (``recmech.properties.engine.run.ChunkTask.run_seed``).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import math
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import strategies as st

__all__ = ["SearchResult", "reset_run_seed", "run_seed", "run_seeded", "search_seed",
           "seeded_searches", "set_run_seed", "worst_case"]

# [chunk key, searches started in it] while a report chunk runs
_CHUNK: contextvars.ContextVar[list | None] = contextvars.ContextVar("recmech_chunk",
                                                                   default=None)


# the run seed mixed into every chunk's searches (None: the chunk key alone)
_RUN_SEED: contextvars.ContextVar[str | None] = contextvars.ContextVar("recmech_run_seed",
                                                                      default=None)


def run_seed() -> str | None:
    """The run seed in force (module docstring), or None."""
    return _RUN_SEED.get()


def set_run_seed(seed: object) -> contextvars.Token:
    """Make ``seed`` (its text; None: no run seed) the run seed from here on; returns the token
    that ``reset_run_seed`` takes to restore the previous one."""
    return _RUN_SEED.set(None if seed is None else str(seed))


def reset_run_seed(token: contextvars.Token) -> None:
    """Restore the run seed in force before ``set_run_seed`` returned ``token``."""
    _RUN_SEED.reset(token)


@contextlib.contextmanager
def run_seeded(seed: object) -> Iterator[None]:
    """Within the block the run seed is ``seed`` (its text; None: no run seed)."""
    token = set_run_seed(seed)
    try:
        yield
    finally:
        reset_run_seed(token)


@dataclass(frozen=True)
class SearchResult:
    """The worst instance of a targeted search: its score and how many were tried."""

    score: float
    instance: Any
    tried: int

    def to_dict(self) -> dict:
        return {"score": self.score, "tried": self.tried}


@contextlib.contextmanager
def seeded_searches(key: str) -> Iterator[None]:
    """Within the block every ``worst_case`` search is seeded from ``key`` (module docstring)."""
    token = _CHUNK.set([key, 0])
    try:
        yield
    finally:
        _CHUNK.reset(token)


def search_seed(label: str) -> int | None:
    """The seed of the next search labelled ``label`` in the current chunk (None outside one):
    sha256 of the chunk key, the label and the search's place in the chunk (after the run
    seed, when one is set)."""
    chunk = _CHUNK.get()
    if chunk is None:
        return None
    chunk[1] += 1
    text = f"{chunk[0]}|{label}|{chunk[1]}"
    seed = _RUN_SEED.get()
    digest = hashlib.sha256((text if seed is None else f"{seed}#{text}").encode()).digest()
    return int.from_bytes(digest[:8], "big")


_QUIET = threading.Lock()


def _quiet_foreign_random() -> None:
    """Hypothesis takes any change of the global ``random`` state during a draw for the
    strategy's use of ``random``. In a worker thread (a Dask worker runs chunks beside its event
    loop, whose scheduling draws from ``random``) another thread makes that change: the warning
    names a strategy that never touches ``random`` (a serial run with the warning as an error
    passes every check). This one message is silenced in such a process, once; nothing else."""
    with _QUIET:
        if not any(f[0] == "ignore" and f[1] is not None and f[1].pattern.startswith(
                "Do not use the `random` module") for f in warnings.filters):
            warnings.filterwarnings("ignore", message="Do not use the `random` module",
                                    category=hypothesis.errors.HypothesisDeprecationWarning)


def worst_case(strategy: st.SearchStrategy, score: Callable[[Any], float],
               max_examples: int, label: str = "score") -> SearchResult:
    """Maximise ``score`` over draws of ``strategy`` (hypothesis targeted search)."""
    if max_examples < 1:
        raise ValueError(f"max_examples must be >= 1; found {max_examples}")
    best: dict[str, Any] = {"score": float("-inf"), "instance": None, "tried": 0}

    # a search, not a test: no deadline, no database, nothing to shrink (errors propagate)
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck),
              database=None, phases=(Phase.explicit, Phase.generate, Phase.target))
    @given(strategy)
    def _search(instance: Any) -> None:
        s = float(score(instance))
        best["tried"] += 1
        if math.isfinite(s):
            target(s, label=label)
        if s > best["score"]:
            best["score"], best["instance"] = s, instance

    chosen = search_seed(label)
    if threading.current_thread() is not threading.main_thread():
        _quiet_foreign_random()
    (_search if chosen is None else hypothesis.seed(chosen)(_search))()
    return SearchResult(best["score"], best["instance"], best["tried"])
