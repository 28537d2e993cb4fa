"""VCG and posted prices on latent valuations v_i^A(z, S) = v_i(A z, S) (Sec. 3 (II)): DSIC and IR,
exact over a finite deviation set; the assignment-based welfare maximiser against enumeration."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recmech.core.mechanisms import (
    VCG,
    LatentMechanism,
    Outcome,
    PostedPrices,
    all_allocations,
    max_welfare,
)
from recmech.core.valuations import Additive, CDemand, DownwardClosed, UnitDemand


@st.composite
def instance(draw):
    m, N, k = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))  # noqa: N806
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    A = rng.uniform(-0.5, 1.0, size=(N, k))
    kinds = [draw(st.sampled_from(["unit", "c2", "add", "family"])) for _ in range(m)]
    vals = []
    for kind in kinds:
        mu = rng.uniform(-0.2, 0.3, size=N)
        if kind == "unit":
            vals.append(UnitDemand(mu))
        elif kind == "c2":
            vals.append(CDemand(2, mu))
        elif kind == "add":
            vals.append(Additive(mu))
        else:
            vals.append(DownwardClosed([tuple(range(min(2, N)))], mu))
    types = rng.uniform(0, 1, size=(3, m, k))      # true profiles; deviations = other rows
    return A, vals, types


@settings(max_examples=25)
@given(instance())
def test_vcg_is_dsic_and_ir_over_finite_deviations(inst):
    A, vals, types = inst
    mech = VCG(A, vals)
    for prof in types:
        truth = mech.outcome(prof)
        for i in range(mech.m):
            t_i = A @ prof[i]
            u = truth.utility(i, vals[i], t_i)
            assert u >= -1e-9
            for dev in types[:, i]:
                bids = prof.copy()
                bids[i] = dev
                assert mech.outcome(bids).utility(i, vals[i], t_i) <= u + 1e-9


@settings(max_examples=25)
@given(instance())
def test_welfare_maximiser_matches_enumeration(inst):
    A, vals, types = inst
    t = types[0] @ A.T
    best = max(sum(v.value(t[i], a[i]) for i, v in enumerate(vals))
               for a in all_allocations(len(vals), A.shape[0]))
    assert max_welfare(t, vals).welfare == pytest.approx(best, abs=1e-9)


@settings(max_examples=25)
@given(instance())
def test_posted_prices_are_dsic_and_ir(inst):
    A, vals, types = inst
    mech = PostedPrices(A, vals, prices=np.full(A.shape[0], 0.3))
    for prof in types:
        for i in range(mech.m):
            t_i = A @ prof[i]
            u = mech.outcome(prof).utility(i, vals[i], t_i)
            assert u >= -1e-12
            for dev in types[:, i]:
                bids = prof.copy()
                bids[i] = dev
                assert mech.outcome(bids).utility(i, vals[i], t_i) <= u + 1e-9


def test_single_item_vcg_is_second_price():
    mech = VCG(np.eye(1), [UnitDemand([0.0])] * 3)
    out = mech.outcome(np.array([[0.3], [0.9], [0.6]]))
    assert out.lottery[0][1][:, 0].tolist() == [False, True, False]
    assert out.payments.tolist() == pytest.approx([0.0, 0.6, 0.0])


def test_interface_rejects_wrong_payment_shape_and_bad_bids():
    class Broken(LatentMechanism):
        def _outcome(self, bids):
            return Outcome(lottery=(), payments=np.zeros(self.m + 1))

    mech = Broken(np.eye(2), [UnitDemand([0.0, 0.0])])
    with pytest.raises(ValueError, match="payments of shape"):
        mech.outcome(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="bids must be"):
        VCG(np.eye(2), [UnitDemand([0.0, 0.0])]).outcome(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="two bidders"):
        Outcome(lottery=((1.0, np.ones((2, 1), dtype=bool)),), payments=np.zeros(2))
