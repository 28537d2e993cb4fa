"""Query protocols of Thm. 2 against Definition 3 (Cai-Daskalakis EC'22).

Definition 3: Q is an (eps, delta)-query protocol if ||t - Az||_inf <= eps implies
||z - Q(t)||_inf <= delta. Types here are the worst case: the vertex of the eps-box that
maximises the least-squares error, answered by an oracle whose noise pushes the same way.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.core import design as designs
from recmech.core import protocols, selection
from recmech.core.oracles import NoisyOracle, TruthfulOracle
from recmech.core.types import LazyType, SparseOffsets, worst_vertex_offsets
from recmech.properties.judging.strategies.designs import FAMILIES, build_protocol

REL = 1e-9


def _build(family: str, N: int, k: int, seed: int, eps: float, eta: float):
    size = min(k + seed % 3, N) if family == "pivoted" else None
    return build_protocol(family, N, k, eps, eta, seed, c=0.5, size=size)


def _worst_type(proto, z, eps):
    values, r, s = worst_vertex_offsets(proto.items, proto.pinv, eps, z)
    return LazyType(proto.design.A, z, SparseOffsets(proto.items, values)), values


def _singular_value_event(proto) -> bool:
    """Lemmas 4-5's event sigma_max(B) <= 2 sqrt(T), sigma_min(B) >= sqrt(T)/4, on which Thm. 2's
    ex-ante bound is proved (T = Tr Sigma_S or sum_S v_i^2)."""
    s = proto.solver.singular_values
    stats = proto.selection.stats
    total = stats.get("trace", stats.get("sum_variances"))
    return s[0] <= 2 * np.sqrt(total) and s[-1] >= np.sqrt(total) / 4


@settings(max_examples=30)
@given(family=st.sampled_from(FAMILIES), k=st.integers(1, 4), extra=st.integers(0, 300),
       seed=st.integers(0, 2**16), eps=st.sampled_from([1e-3, 0.01, 0.05]),
       eta_ratio=st.sampled_from([1.0, 0.1]), oracle_noise=st.sampled_from([0.0, 0.5, 1.0]),
       data=st.data())
def test_definition3_worst_case_error_within_certified_and_a_priori_delta(
        family, k, extra, seed, eps, eta_ratio, oracle_noise, data):
    """definition3 / theorem2.*: ||z - Q(t)||_inf <= certified delta for the worst t and noise."""
    N = k + extra if family not in ("weak_dependence",) else 300 * k * k
    proto = _build(family, N, k, seed, eps, eps * eta_ratio)
    z = np.array(data.draw(st.lists(st.floats(0, 1), min_size=k, max_size=k)))
    t, values = _worst_type(proto, z, eps)
    eta_o = oracle_noise * eps
    push = {int(j): (1 if v > 0 else -1) for j, v in zip(proto.items, values, strict=True)}
    result = proto.run(NoisyOracle(t, eta_o, adversary=push))
    err = float(np.max(np.abs(result.z_hat - z)))
    assert err <= result.certified_delta * (1 + REL), (
        f"{family}: error {err} > certified {result.certified_delta}")
    assert result.certified_delta == pytest.approx(
        proto.solver.pinv_inf_norm * (eps + proto.eta + eta_o), rel=1e-12)
    if result.a_priori_delta is not None:
        if family in ("gaussian", "weak_dependence") and not _singular_value_event(proto):
            return  # the probabilistic bound is only claimed on the event of Lemmas 4-5
        assert err <= result.a_priori_delta * (1 + REL)
        assert result.certified_delta <= result.a_priori_delta * (1 + REL)


@pytest.mark.parametrize("family", ["separable", "diagonally_dominant", "pivoted"])
def test_definition3_certified_delta_is_attained_up_to_eta(family):
    """The worst vertex attains ||P||_inf eps up to the search error: certified delta is tight."""
    eps, eta = 0.01, 1e-5
    proto = _build(family, 500, 4, 7, eps, eta)
    z = np.full(4, 0.5)
    t, _ = _worst_type(proto, z, eps)
    err = np.max(np.abs(proto.run(TruthfulOracle(t)).z_hat - z))
    norm = proto.solver.pinv_inf_norm
    assert norm * (eps - eta) <= err <= norm * (eps + eta) * (1 + REL)


def test_theorem2_deterministic_uses_abs_diagonal():
    """Erratum: with a negative diagonal the paper's 4 max_j C_jj / (alpha beta) eps is < 0;
    with |C_jj| it is a valid bound (checked against the measured worst-case error)."""
    C = np.array([[-1.0, 0.2], [0.1, -1.0]])
    d = designs.diagonally_dominant(C, 50, 0)
    proto = protocols.deterministic_protocol(d, 0.01)
    alpha, beta = 0.8, 0.8
    paper = 4 * np.max(np.diag(C)) / (alpha * beta) * 0.01
    assert paper < 0
    assert proto.a_priori_delta == pytest.approx(4 * 1.0 / (alpha * beta) * 0.01)
    z = np.array([0.3, 0.6])
    t, _ = _worst_type(proto, z, 0.01)
    err = np.max(np.abs(proto.run(TruthfulOracle(t)).z_hat - z))
    assert paper < err <= proto.a_priori_delta


class _Recorder:
    """A type that records how many items each request asked for."""

    def __init__(self, inner):
        self.inner, self.largest = inner, 0

    def items(self, idx):
        self.largest = max(self.largest, int(np.size(idx)))
        return self.inner.items(idx)


@pytest.mark.parametrize("family", ["separable", "pivoted"])
def test_query_count_is_reported_exactly_and_independent_of_N(family):
    """theorem2.noisy_value: the oracle counts |Q| * q queries, the same for N = 10^3 and 10^6,
    and the lazy type is never asked for more than |Q| items at once."""
    counts = []
    for N in (10**3, 10**6):
        if family == "separable":
            proto = protocols.deterministic_protocol(designs.separable(5, N, 1), 0.01)
        else:  # same ||A||_inf = 1: rows are convex combinations of the archetypes
            proto = protocols.pivoted_protocol(designs.separable(5, N, 1), 0.01)
        rec = _Recorder(LazyType(proto.design.A, np.full(5, 0.3)))
        oracle = TruthfulOracle(rec)
        result = proto.run(oracle)
        assert oracle.queries == result.queries == proto.queries
        assert proto.queries == len(proto.items) * proto.queries_per_item
        assert rec.largest <= len(proto.items)
        counts.append(result.queries)
    assert counts[0] == counts[1]


def test_gaussian_and_weak_a_priori_formulas():
    """theorem2.gaussian / weak_dependence: a-priori delta = 64 sqrt(|S| k) / sqrt(T) eps."""
    g = protocols.gaussian_protocol(designs.gaussian(2000, 3, 0), 0.01)
    S, tr = len(g.items), g.selection.stats["trace"]
    assert g.selection.hypothesis_holds and tr / g.selection.stats["rho"] > 64 * 3
    assert g.a_priori_delta == pytest.approx(64 * np.sqrt(S * 3) / np.sqrt(tr) * 0.01)
    assert g.log_failure_probability == pytest.approx(
        np.log(2) - tr / (16 * g.selection.stats["rho"]))
    w = protocols.weak_dependence_protocol(designs.weakly_dependent(3000, 2, 1.0, 0), 0.01)
    S, v = len(w.items), w.selection.stats["sum_variances"]
    assert w.a_priori_delta == pytest.approx(64 * np.sqrt(S * 2) / np.sqrt(v) * 0.01)


def test_weak_dependence_hypothesis_of_a_given_set_is_the_strict_inequality():
    """theorem2.weak_dependence: sum_S v_i^2 > 16 c^2 k sqrt|S| / (1 - ||INF||). With k = 2,
    c = 1, v_i^2 = 1, INF = 0 that is |S| > 32 sqrt|S|: |S| = 1024 sits on the edge (fails),
    1025 holds, and the automatic selection takes 1025 items."""
    design = designs.weakly_dependent(1100, 2, 1.0, 0)
    edge = protocols.weak_dependence_protocol(design, 0.01, S=np.arange(1024))
    past = protocols.weak_dependence_protocol(design, 0.01, S=np.arange(1025))
    assert not edge.selection.hypothesis_holds and edge.a_priori_delta is None
    assert edge.selection.stats["required"] == 1024.0
    assert past.selection.hypothesis_holds and past.a_priori_delta is not None
    assert len(protocols.weak_dependence_protocol(design, 0.01).items) == 1025
    assert selection.weak_dependence_required(1.0, 2, np.array([1024, 4096]), 0.5).tolist() == [
        2048.0, 4096.0]
    assert selection.weak_dependence_required(1.0, 2, 1025, 1.0) == np.inf


def test_hypothesis_failure_gives_no_a_priori_delta():
    """Too few items for Tr/rho > 64k: the Gaussian a-priori delta is None, certified remains."""
    g = protocols.gaussian_protocol(designs.gaussian(100, 3, 0), 0.01)
    assert g.a_priori_delta is None and not g.selection.hypothesis_holds
    assert np.isfinite(g.certified_delta())
    w = protocols.weak_dependence_protocol(designs.weakly_dependent(100, 3, 1.0, 0), 0.01)
    assert w.a_priori_delta is None


@pytest.mark.parametrize("call,name", [
    (lambda: protocols.deterministic_protocol(designs.separable(3, 20, 0), 0.0), "eps"),
    (lambda: protocols.deterministic_protocol(designs.separable(3, 20, 0), -1.0), "eps"),
    (lambda: protocols.gaussian_protocol(designs.gaussian(20, 3, 0), float("nan")), "eps"),
    (lambda: protocols.deterministic_protocol(designs.gaussian(20, 3, 0), 0.1), "design"),
    (lambda: protocols.pivoted_protocol(designs.gaussian(20, 3, 0), 0.1, size=21), "size"),
    (lambda: protocols.deterministic_protocol(designs.separable(3, 20, 0), 0.1, eta=0), "eta"),
])
def test_bad_protocol_input_raises_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
