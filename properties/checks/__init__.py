"""One check per claim id; importing this package registers every check module present.

Modules listed in ``CHECK_MODULES`` that do not exist (yet) are skipped, so a module added later
registers itself by being listed here and dropped into this folder.
"""

from __future__ import annotations

import importlib
import importlib.util

CHECK_MODULES = ("linalg", "tails", "weak", "protocols", "mechanisms", "rates")

LOADED: list[str] = []

for _name in CHECK_MODULES:
    _full = f"{__name__}.{_name}"
    if importlib.util.find_spec(_full) is not None:
        importlib.import_module(_full)
        LOADED.append(_name)
