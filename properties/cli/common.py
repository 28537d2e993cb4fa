"""Shared pieces of the ``recmech`` subcommands: the parser that turns bad input into one line
and exit code 2, options that may be given once, and the checks made before any work (output
paths, sizes, numbers).
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from recmech.properties.engine.progress import Progress

__all__ = ["MAX_BIDDERS", "Once", "Parser", "STDOUT", "TYPES", "UsageError", "add_json",
           "check_bidders", "check_design_size", "check_eps", "check_lp_grid",
           "given", "json_option", "list_type", "memory_bytes", "number_list", "once_flag",
           "positive", "progress_for", "whole", "writable", "write_json"]


STDOUT = "-"  # ``--json -``: the JSON document on stdout, instead of the table


class UsageError(Exception):
    """Bad command-line input: one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


class Once(argparse.Action):
    """An option that may be given once (a repeat would silently win otherwise)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        seen = namespace.__dict__.setdefault("given", set())
        if self.dest in seen:
            parser.error(f"{option_string} is given twice; give it once")
        seen.add(self.dest)
        setattr(namespace, self.dest, True if self.nargs == 0 else values)


def once_flag(parser: argparse.ArgumentParser, *flags: str, help: str) -> None:  # noqa: A002
    parser.add_argument(*flags, action=Once, nargs=0, default=False, help=help)


def given(args: argparse.Namespace, dest: str) -> bool:
    return dest in getattr(args, "given", set())


def writable(path: str | None, option: str, suffixes: Sequence[str] = (),
              command: str = "recmech") -> Path | None:
    """``path`` as a Path that can be written, checked before any work by opening it for
    appending (a file this check creates is removed again); ``-`` is stdout (None)."""
    if path is None or path == STDOUT:
        return None
    out = Path(path)
    if suffixes and out.suffix.lower() not in suffixes:
        raise UsageError(f"{command}: {option} {path}: the file name must end in "
                          f"{', '.join(suffixes)}")
    if out.is_dir():
        raise UsageError(f"{command}: {option} {path}: is a folder, not a file path")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{command}: {option} {path}: folder {folder} does not exist")
    existed = out.exists()
    try:
        with open(out, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"{command}: {option} {path}: cannot write there "
                          f"({exc.strerror or type(exc).__name__})") from None
    if not existed:
        out.unlink()
    return out


def write_json(path: Path | None, to_stdout: bool, payload: Any) -> None:
    from recmech.bounds.records import dumps

    if to_stdout:
        print(dumps(payload))
    elif path is not None:
        path.write_text(dumps(payload) + "\n", encoding="utf-8")


def json_option(args: argparse.Namespace, command: str) -> tuple[Path | None, bool]:
    return writable(args.json, "--json", command=command), args.json == STDOUT


def progress_for(command: str, quiet: bool, unit: str = "") -> Progress:
    return Progress(f"recmech {command}", enabled=False if quiet else None, unit=unit)


def memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def check_design_size(command: str, N: int, k: int) -> None:  # noqa: N803
    need, have = 8 * N * k, memory_bytes()
    if have is not None and need > have / 2:
        raise UsageError(f"recmech {command}: --N {N:,} with --k {k} needs a {need / 2**30:,.0f}"
                          f" GiB design; this machine has {have / 2**30:.0f} GiB (limit: half)")


MAX_BIDDERS = 10**5
SECONDS_PER_BIDDER = 0.04  # definition: all six settings at the default size, measured (about)


def check_bidders(command: str, bidders: int) -> None:
    """Refuse a bidder count whose run would take days, with the estimate, before any work."""
    if bidders > MAX_BIDDERS:
        days = bidders * SECONDS_PER_BIDDER / 86400
        raise UsageError(f"recmech {command}: --bidders {bidders:,} is over the limit of "
                          f"{MAX_BIDDERS:,} (about {SECONDS_PER_BIDDER * 1000:.0f} ms per bidder "
                          f"at the default size: {days:,.1f} days)")


def check_eps(command: str, eps: float) -> None:
    """definition: ``--eps`` (eps = eta, the type accuracy) must lie in (0, 1], the range the
    types' law takes."""
    if not (math.isfinite(eps) and 0 < eps <= 1):
        raise UsageError(f"recmech {command}: --eps must lie in (0, 1] (the type accuracy eps = "
                          f"eta); found {eps:g}")


def check_lp_grid(command: str, grid: int) -> None:
    """Refuse an LP grid whose pairwise BIC constraints need more than half the memory (16
    bytes per pair of the grid^2 types, measured), with the estimate, before any work."""
    need, have = 16 * float(grid) ** 4, memory_bytes()
    if have is not None and need > have / 2:
        raise UsageError(f"recmech {command}: --grid {grid} has {grid * grid:,} types, whose "
                          f"pairwise constraints need about {need / 2**30:,.0f} GiB; this machine"
                          f" has {have / 2**30:.0f} GiB (limit: half)")


def positive(command: str, option: str, value: float, *, whole: bool = False) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise UsageError(f"recmech {command}: {option} must be a positive number; found {value}")
    if whole and value != int(value):
        raise UsageError(f"recmech {command}: {option} must be a whole number; found {value}")


def whole(text: str) -> int:
    """A whole number, ``1e5`` notation included."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"cannot parse {text!r} as a whole number") from None
    if not math.isfinite(value) or value != int(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(value)


def number_list(text: str, option: str, whole: bool) -> tuple:
    """``1e4,1e5`` -> (10000, 100000); one line on a bad entry."""
    cells = [t.strip() for t in text.split(",") if t.strip()]
    if not cells:
        raise argparse.ArgumentTypeError(f"{option}: empty list")
    out = []
    for t in cells:
        try:
            v = float(t)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option}: cannot parse {t!r} as a number"
                                             ) from None
        if not math.isfinite(v) or (whole and (v != int(v) or v < 1)):
            raise argparse.ArgumentTypeError(f"{option}: {t!r} must be "
                                             f"{'a whole number >= 1' if whole else 'finite'}")
        out.append(int(v) if whole else v)
    return tuple(out)


def add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action=Once, metavar="PATH", default=None,
                        help=f"also write {what} as JSON to PATH (checked before any work); "
                        "'-': only the JSON, on stdout")


TYPES: dict[str, Callable[[str], Any]] = {"int": whole, "float": float, "str": str}


def list_type(name: str, whole: bool) -> Callable[[str], tuple]:
    def parse(text: str) -> tuple:
        return number_list(text, f"--{name}", whole)

    return parse
