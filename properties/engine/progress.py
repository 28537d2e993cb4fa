"""Progress of a long ``recmech`` command on stderr: what is running, done / total, elapsed.

Shown only when stderr is a terminal and the command's output is not JSON on stdout; otherwise
silent, so redirected output and pipes carry only the results. One status line, rewritten in
place (``\\r``), cleared at the end.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``progress(what, done, total)``: the callback the packages' long functions take
    (``run_bench``, ``run_demo``, the figures; ``run_report`` through ``report_row``)."""

    def __init__(self, command: str, *, stream: TextIO | None = None,
                 enabled: bool | None = None, unit: str = "") -> None:
        self.command = command
        self.unit = unit  # what done / total count, e.g. "chunks" (one unit per command)
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.start = time.perf_counter()
        self._width = 0

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        unit = f" {self.unit}" if self.unit else ""
        line = f"{self.command}: [{done}/{total}{unit}] {what} ({elapsed:.0f} s elapsed)"
        pad = max(0, self._width - len(line))
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self._width = len(line)

    def report_row(self, row, done: int, total: int) -> None:
        """``run_report``'s callback (called after each claim)."""
        self(f"{row.claim_id}: {row.status} in {row.seconds:.1f} s", done, total)

    def close(self) -> None:
        """Clear the status line (nothing when disabled or nothing was written)."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
