"""One check per claim id; importing this package registers every check module.

A new module registers itself by being listed in ``CHECK_MODULES`` and dropped into this folder;
a listed module that fails to import is an error, never a silent gap.
"""

from __future__ import annotations

import importlib

__all__ = ["CHECK_MODULES"]

CHECK_MODULES = ("linalg", "tails", "weak", "protocols", "mechanisms", "rates", "project",
                 "certified", "inventory", "payments", "adaptive")

for _name in CHECK_MODULES:
    importlib.import_module(f"{__name__}.{_name}")
