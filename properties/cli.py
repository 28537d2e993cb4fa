"""The ``recmech`` command: a thin dispatcher, one call into the package that owns each job.

``demo`` -> recmech_core, ``table`` -> bounds, ``report`` -> properties, ``bench`` -> properties.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from recmech.core import __version__

# subcommand -> (module, function, one-line help); imported lazily so one broken part never
# takes the whole command down and ``recmech --version`` stays instant.
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("recmech.core.demo", "main", "query protocols on a bidder population (Thm. 2)"),
    "table": ("recmech.bounds.table", "main", "bound tables for every claim id"),
    "report": ("recmech.properties.report", "main", "run every claim check and print the report card"),
    "bench": ("recmech.core.bench", "main", "benchmark ratios (N-independence, LP, Monte Carlo)"),
}


def _usage() -> str:
    lines = ["usage: recmech [--version] <command> [args]", "", "commands:"]
    lines += [f"  {name:<8} {spec[2]}" for name, spec in SUBCOMMANDS.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage())
        return 0 if args else 2
    if args[0] == "--version":
        print(f"recmech {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in SUBCOMMANDS:
        print(f"recmech: unknown command {name!r}; choose from {', '.join(SUBCOMMANDS)}",
              file=sys.stderr)
        return 2
    module, func, _ = SUBCOMMANDS[name]
    try:
        entry = getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError):
        print(f"recmech: the {name!r} command is not available in this build", file=sys.stderr)
        return 2
    return int(entry(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
