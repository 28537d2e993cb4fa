"""``python -m recmech.properties.cli``: the ``recmech`` command."""

import sys

from recmech.properties.cli.main import main

__all__: list[str] = []

sys.exit(main())
