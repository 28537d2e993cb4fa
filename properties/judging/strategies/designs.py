"""Design matrices and query-protocol instances for the protocol checks (Cai-Daskalakis EC'22,
Thm. 2 and Prop. 1): every family, small k, z in [0,1]^k, eps, eta and oracle noise.

Plain seeded generators (for the report checks) and a hypothesis strategy (for pytest).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from recmech.core import design as designs
from recmech.core import protocols
from recmech.core.laws import as_generator

__all__ = ["FAMILIES", "SETTING", "build_protocol", "draw_protocol", "protocol_cases",
           "protocol_instances"]

FAMILIES = ("separable", "diagonally_dominant", "gaussian", "weak_dependence", "pivoted")
# protocol family -> (design family, protocol setting); "pivoted" runs on a Gaussian design
_FAMILY = {"separable": ("separable", "deterministic"),
           "diagonally_dominant": ("diagonally_dominant", "deterministic"),
           "gaussian": ("gaussian", "gaussian"),
           "weak_dependence": ("weak_dependence", "weak_dependence"),
           "pivoted": ("gaussian", "pivoted")}
SETTING = {family: setting for family, (_, setting) in _FAMILY.items()}


def build_protocol(family: str, N: int, k: int, eps: float, eta: float, rng, *, c: float = 1.0,
                   size: int | None = None) -> protocols.QueryProtocol:
    """The protocol of ``family`` on a freshly drawn design (``c``: the weakly dependent
    coordinates' range [-c, c]; ``size``: |S| of the pivoted protocol, default its own)."""
    if family not in _FAMILY:
        raise ValueError(f"family must be one of {FAMILIES}; found {family!r}")
    design_family, setting = _FAMILY[family]
    design = designs.design_for(design_family, N, k, as_generator(rng), c=c)
    return protocols.protocol_for(setting, design, eps, eta, size=size)


def draw_protocol(family: str, gen: np.random.Generator, n_max: int = 300
                  ) -> protocols.QueryProtocol:
    """A protocol of ``family`` on a drawn instance: k in 1..3, N up to ``n_max`` (300 k^2 for
    weak dependence, its hypothesis), eps in {1e-3, 0.01, 0.1}, eta = eps or eps / 10."""
    k = int(gen.integers(1, 4))
    N = 300 * k * k if family == "weak_dependence" else int(gen.integers(k, n_max))  # noqa: N806
    eps = float(gen.choice([1e-3, 0.01, 0.1]))
    eta = eps * float(gen.choice([1.0, 0.1]))
    return build_protocol(family, N, k, eps, eta, gen)


def protocol_instances(n: int, rng) -> list[dict]:
    """n instances cycling through the families: protocol, z, oracle noise eta_o."""
    gen = as_generator(rng)
    out = []
    for i in range(n):
        proto = draw_protocol(FAMILIES[i % len(FAMILIES)], gen)
        k, eps = proto.design.k, proto.eps
        out.append({"protocol": proto, "z": gen.uniform(size=k),
                    "eta_o": eps * float(gen.choice([0.0, 0.5, 1.0]))})
    return out


@st.composite
def protocol_cases(draw, families=FAMILIES, k_max: int = 4):
    """A hypothesis strategy: (protocol, z, eta_o) over every family."""
    family = draw(st.sampled_from(families))
    k = draw(st.integers(1, k_max))
    N = 300 * k * k if family == "weak_dependence" else k + draw(st.integers(0, 300))
    eps = draw(st.sampled_from([1e-3, 0.01, 0.1]))
    eta = eps * draw(st.sampled_from([1.0, 0.1]))
    proto = build_protocol(family, N, k, eps, eta, draw(st.integers(0, 2**32 - 1)))
    z = np.array(draw(st.lists(st.floats(0, 1), min_size=k, max_size=k)))
    return proto, z, eps * draw(st.sampled_from([0.0, 0.5, 1.0]))
