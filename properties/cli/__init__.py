"""The ``recmech`` command: one module per subcommand, each registering its parser; ``cli.main``
builds the parser from them and dispatches. The top room: it may import every other room.
"""

__all__: list[str] = []
