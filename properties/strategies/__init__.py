"""Hypothesis strategies for the claim checks, and a targeted worst-case search.

``worst_case(strategy, score, max_examples)`` runs a hypothesis search that maximises ``score``
(``hypothesis.target``) and returns the worst instance seen; it runs under the loaded hypothesis
profile (derandomized in the default ``ci`` profile, so the search is deterministic).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import strategies as st

__all__ = ["SearchResult", "worst_case"]


@dataclass(frozen=True)
class SearchResult:
    """The worst instance of a targeted search: its score and how many were tried."""

    score: float
    instance: Any
    tried: int

    def to_dict(self) -> dict:
        return {"score": self.score, "tried": self.tried}


def worst_case(strategy: st.SearchStrategy, score: Callable[[Any], float],
               max_examples: int, label: str = "score") -> SearchResult:
    """Maximise ``score`` over draws of ``strategy`` (hypothesis targeted search)."""
    if max_examples < 1:
        raise ValueError(f"max_examples must be >= 1; found {max_examples}")
    best: dict[str, Any] = {"score": float("-inf"), "instance": None, "tried": 0}

    # a search, not a test: no deadline, and nothing to shrink (errors still propagate)
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck),
              phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target))
    @given(strategy)
    def _search(instance: Any) -> None:
        s = float(score(instance))
        best["tried"] += 1
        if math.isfinite(s):
            target(s, label=label)
        if s > best["score"]:
            best["score"], best["instance"] = s, instance

    _search()
    return SearchResult(best["score"], best["instance"], best["tried"])
