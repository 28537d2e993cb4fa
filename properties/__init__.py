"""recmech.properties: strategies, one check per claim id, the claim table, the report card and
the guard (``recmech.properties.guard``; the contract of outside parts is in
``recmech.properties.contract``)."""

__all__: list[str] = []
