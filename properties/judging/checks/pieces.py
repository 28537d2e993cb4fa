"""Splitting a check's searches and sweeps into chunks (``register_chunks``).

A worst-case search of ``max_examples`` becomes ``budget.size("chunks.search_pieces")``
independent searches of about max_examples / pieces examples each; every piece is a chunk with
its own spec, so inside a report it gets its own seed (``recmech.properties.judging.strategies.
seeded_searches``) and the pieces' best is the search's result. A sweep over a list of points
becomes blocks of consecutive points. Both merge exactly: a maximum, a sum of counts, and the
points in plan order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.strategies import SearchResult, worst_case

__all__ = ["blocks", "search_piece", "search_result", "search_specs"]


def search_specs(part: str, max_examples: int, budget: Budget, min_piece: int = 10
                 ) -> list[dict]:
    """The chunk specs of a search of ``max_examples`` split into the profile's pieces (never a
    piece of fewer than ``min_piece`` examples)."""
    pieces = max(1, min(int(budget.size("chunks.search_pieces")), max_examples // min_piece))
    sizes = [max_examples // pieces + (i < max_examples % pieces) for i in range(pieces)]
    return [{"part": part, "piece": i, "pieces": pieces, "examples": n}
            for i, n in enumerate(sizes)]


def search_piece(strategy: st.SearchStrategy, score: Callable[[Any], float], spec: dict,
                 label: str) -> dict:
    """Run one piece; its partial result (JSON data)."""
    res = worst_case(strategy, score, spec["examples"], label=label)
    inst = res.instance
    return {"part": spec["part"], "score": res.score if np.isfinite(res.score) else None,
            "tried": res.tried,
            "instance": inst.tolist() if isinstance(inst, np.ndarray) else inst}


def search_result(partials: Sequence[dict], part: str | None) -> SearchResult:
    """The pieces of ``part`` (None: every partial given) merged: the best score (first piece
    on ties), every try counted; an array instance comes back as an array."""
    mine = [p for p in partials if part is None or p.get("part") == part]
    if not mine:
        raise ValueError(f"no search pieces of {part!r} among the partial results")
    best = max(mine, key=lambda p: p["score"] if p["score"] is not None else -np.inf)
    inst = best["instance"]
    return SearchResult(best["score"] if best["score"] is not None else -np.inf,
                        np.asarray(inst) if isinstance(inst, list) else inst,
                        sum(p["tried"] for p in mine))


def blocks(points: Sequence, budget: Budget) -> list[tuple[int, int]]:
    """[start, stop) ranges splitting ``points`` into the profile's number of sweep blocks."""
    count = max(1, min(int(budget.size("chunks.sweep_blocks")), len(points)))
    edges = np.linspace(0, len(points), count + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
