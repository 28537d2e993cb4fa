"""What is judged: the contract of parts an implementation may provide, the reference, and an
outside implementation resolved part by part (its calls under a time limit, answers checked and
copied, adapted to the reference's objects).

May import: recmech.core, recmech.bounds, recmech.properties.claims.
"""

__all__: list[str] = []
