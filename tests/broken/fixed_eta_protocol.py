"""A query protocol that ignores the eta it is given and searches to eta = eps.

Thm. 2 sets eta = eps, so with the default the protocol is right; asked for a finer eta
(eta = eps / 10) it stops early, and its answers are only within eps + eta_o.
"""

from __future__ import annotations

from types import SimpleNamespace

from recmech.core.protocols import protocol_for


def query_protocol(design, eps, setting, eta=None):
    return protocol_for(setting, design, eps)  # the bug: eta dropped (defaults to eps)


impl = SimpleNamespace(query_protocol=query_protocol)
