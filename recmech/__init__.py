"""recmech: executable, verified theory for Cai & Daskalakis, "Recommender Systems meet Mechanism
Design" (EC'22).

Three packages under one name: ``recmech.core`` (the reference implementation of the paper's
objects), ``recmech.bounds`` (one bound calculator per claim of the register) and
``recmech.properties`` (the claim checks, the report card and the guard). In the repository they
live in the folders ``recmech_core/``, ``bounds/`` and ``properties/``; ``pyproject.toml`` maps
them here. This root is a regular package (not a namespace) so that pytest, which names a test
module after the topmost folder holding an ``__init__.py``, imports the installed suite as
``recmech.properties...`` and never as a top-level ``properties``.
"""

__version__ = "0.2.0"

__all__ = ["__version__"]
