"""How a claim is judged: profiles (one budget of sizes and seeds each), hypothesis strategies and
the targeted worst-case search, exact binomial statistics, exact tails, interval certificates,
the searched domain of each claim, and one check per claim id returning verdict records.

May import: recmech.core, recmech.bounds, recmech.properties.claims, recmech.properties.subject.
Never the guard, the report or the command line.
"""

__all__: list[str] = []
