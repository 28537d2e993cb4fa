"""recmech.properties: strategies, one check per claim id, the report card and the guard."""
