"""An adaptive protocol that ignores the oracle noise it is told about.

It plans the certified bisection at eps alone (the noise-free certificate) whatever eta it is
given: right for a truthful oracle, wrong when answers within eta of the value may flip.
"""

from __future__ import annotations

from types import SimpleNamespace

from recmech.core.protocols import protocol_for


def adaptive_protocol(design, eps, delta, eta=0.0):
    return protocol_for("certified", design, eps, delta=delta)  # the bug: eta dropped


impl = SimpleNamespace(adaptive_protocol=adaptive_protocol)
