"""Running work: the chunks it is given, in this process, on a process pool or on Dask, with a
results file that lets an interrupted run resume, and a progress line on a terminal.

The engine receives the function that runs a chunk (the report card's or the guard's); it
imports neither the guard nor the command line.

May import: recmech.bounds, recmech.properties.claims, recmech.properties.subject,
recmech.properties.judging.
"""

__all__: list[str] = []
