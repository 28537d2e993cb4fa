"""One line of ``recmech bench``'s ratio table (the record every bench module returns)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["BenchRow"]


@dataclass(frozen=True)
class BenchRow:
    """One line of the ratio table."""

    ratio: str
    measured: float | None
    target: str
    met: bool | None
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
