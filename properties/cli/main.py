"""The ``recmech`` command: the parser built from one module per subcommand, and the dispatcher.

Each subcommand module (``cli.demo``, ``cli.table``, ``cli.claims``, ``cli.report``,
``cli.bench``, ``cli.selftest``, ``cli.chunks``, ``cli.plot``) declares its options next to the
handler that checks and uses them (``register(sub, add)``), and its handler calls the one function
of the package that owns the work. Every input is checked before any work (output paths
included): bad input is one line on stderr and exit code 2. Options may come in any order; an
option given twice is an error. Long commands show progress on stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from recmech import __version__
from recmech.properties.cli import bench, chunks, claims, demo, plot, report, selftest, table
from recmech.properties.cli.common import Parser, UsageError

__all__ = ["COMMANDS", "build_parser", "command_map", "main"]

COMMANDS = (demo, table, claims, report, bench, selftest, chunks, plot)


def build_parser() -> Parser:
    """The one argparse parser of ``recmech`` (subcommands, their options and help)."""
    parser = Parser(prog="recmech", description="Executable, verified theory for Cai & "
                     "Daskalakis, 'Recommender Systems meet Mechanism Design' (EC'22). "
                     "recmech COMMAND --help: a command's options.")
    parser.add_argument("--version", action="version", version=f"recmech {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    parser.commands = []  # (subparser, description, package): the CLI map of the README

    def add(group, name: str, package: str, **kw) -> Parser:
        child = group.add_parser(name, **kw)
        parser.commands.append((child, kw["description"], package))
        return child

    for command in COMMANDS:
        command.register(sub, add)
    return parser


def command_map() -> list[tuple[str, str, str]]:
    """Every command of ``recmech`` (``plot NAME`` included): (usage line, what it does, the
    package that computes it), in the order of ``recmech --help``."""
    rows = []
    for child, description, package in build_parser().commands:
        usage = " ".join(child.format_usage().split()).removeprefix("usage: ")
        rows.append((usage.replace(" [-h]", ""), description, package))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """``recmech [--version] COMMAND [args]``; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.command is None:
            parser.print_help()
            return 2
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except UsageError as exc:
        print(str(exc).splitlines()[0], file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except KeyboardInterrupt:
        print("recmech: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `recmech table ... | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0

