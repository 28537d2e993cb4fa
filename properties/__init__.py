"""recmech.properties: the property suite, in rooms whose arrows point down only.

From the bottom up (a room imports only rooms listed before it; ``tests/test_house.py`` builds
the import graph and fails on a circle or an upward arrow):

1. ``claims``   the claim table: ids, statements, readings, proof graph, errata, verdict words;
2. ``subject``  what is judged: the contract of parts, the reference or an outside implementation
                resolved part by part, outside calls under a time limit;
3. ``judging``  how a claim is judged: profiles, strategies, statistics, exact tails, interval
                certificates, searched domains and one check per claim id;
4. ``engine``   runs the chunks it is given (serial, process pool, Dask) with a results file and
                a progress line; it imports neither the guard nor the command line;
5. ``guard``    judging someone else's implementation: part judgements, the guard run, the
                pytest plugin and xfails files;
6. ``report``   what users read: the report card, tables, figures and bound-table parameters;
7. ``cli``      the ``recmech`` command: one module per subcommand, the parser built from them.
"""

__all__: list[str] = []
