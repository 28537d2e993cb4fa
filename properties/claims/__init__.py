"""The claim table: what a claim is (the bottom room of recmech.properties).

Every claim id with its paper place and statement (the paper's from ``recmech.bounds.registry``,
the project's own from ``claims.project``), the readings of the paper's open points, the graph of
which claims each proof uses, the errata and proof gaps, and the words a verdict may take.

May import: recmech.bounds. Nothing else of recmech.properties.
"""

__all__: list[str] = []
