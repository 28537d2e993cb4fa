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

__all__ = ["blocks", "merge_tightest", "search_piece", "search_result", "search_specs",
           "tightest_piece"]


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


def tightest_piece(strategy: st.SearchStrategy, run: Callable[[Any], dict | None],
                   excess: Callable[[dict], float], failing: Callable[[dict], bool],
                   shown: Callable[[Any, dict], dict], examples: int, label: str) -> dict:
    """One search piece of a protocol check: each drawn instance is run (``run``: its record,
    or None for a draw skipped), scored by ``excess`` and kept when it is the tightest so far;
    the piece keeps the tightest instance, the first three failing ones (``failing``) and the
    number of draws skipped, as JSON data (``merge_tightest`` joins the pieces)."""
    worst: dict = {"excess": -np.inf, "shown": None}
    bad: list[dict] = []
    skipped = [0]

    def score(inst: Any) -> float:
        rec = run(inst)
        if rec is None:
            skipped[0] += 1
            return -np.inf
        value = excess(rec)
        if failing(rec):
            bad.append(shown(inst, rec))
        if value > worst["excess"]:
            worst.update(excess=value, shown=shown(inst, rec))
        return value

    res = worst_case(strategy, score, examples, label=label)
    return {"excess": worst["excess"] if np.isfinite(worst["excess"]) else None,
            "shown": worst["shown"], "bad": bad[:3], "skipped": skipped[0], "tried": res.tried}


def merge_tightest(partials: Sequence[dict]) -> tuple[dict | None, list[dict], int, int]:
    """(the tightest instance of all pieces, the first three failing ones, the instances run,
    the draws skipped) of ``tightest_piece`` results, in plan order."""
    scored = [p for p in partials if p["excess"] is not None]
    shown = max(scored, key=lambda p: p["excess"])["shown"] if scored else None
    bad = [b for p in partials for b in p["bad"]][:3]
    skipped = sum(p["skipped"] for p in partials)
    return shown, bad, sum(p["tried"] for p in partials) - skipped, skipped
