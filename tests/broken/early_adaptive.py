"""An adaptive protocol that certifies twice the delta it is asked for.

It runs the reference cutting-plane protocol at the target 2 delta and reports the run's own
certificate, so every error stays within what it reports, but that certificate (and, on the
adversaries' answers, the error) exceeds the delta the contract asked it to certify.
"""

from __future__ import annotations

from types import SimpleNamespace

from recmech.core.protocols import protocol_for


def adaptive_protocol(design, eps, delta, eta=0.0):
    return protocol_for("adaptive", design, eps, delta=min(0.49, 2.0 * delta), eta=eta)


impl = SimpleNamespace(adaptive_protocol=adaptive_protocol)
