"""Monte Carlo in chunks (issue: scale-out): each chunk its own seed, merged exactly (counts,
means and squared deviations in chunk order), so an estimate is the same here, on a process
pool and on a Dask cluster, and a failing chunk is named."""

from __future__ import annotations

import concurrent.futures as cf

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recmech.core.laws import FiniteLaw, UniformBox
from recmech.core.mechanisms import VCG
from recmech.core.montecarlo import _Moments, monte_carlo_incentives, monte_carlo_revenue
from recmech.core.robust import RobustifiedMechanism
from recmech.core.valuations import Additive, UnitDemand


def _instance():
    gen = np.random.default_rng(11)
    A = gen.uniform(0, 1, (6, 2))  # noqa: N806
    vals = [UnitDemand(gen.uniform(-0.1, 0.1, 6)), Additive(np.zeros(6))]
    return VCG(A, vals), [UniformBox(np.zeros(2), np.ones(2))] * 2


@given(st.lists(st.integers(1, 40), min_size=1, max_size=8), st.integers(0, 2**32))
def test_merged_chunk_moments_are_the_one_pass_moments(sizes, seed):
    """Chan's merge of groups = mean and unbiased variance of all the samples at once."""
    x = np.random.default_rng(seed).normal(3.0, 2.0, size=(sum(sizes), 3))
    acc, start = _Moments((3,)), 0
    for n in sizes:
        part = _Moments((3,))
        part.add(x[start:start + n])
        acc.merge(*part.parts())
        start += n
    assert acc.n == x.shape[0]
    np.testing.assert_allclose(acc.mean, x.mean(axis=0), rtol=1e-12, atol=1e-12)
    if x.shape[0] > 1:
        np.testing.assert_allclose(acc.variance, x.var(axis=0, ddof=1), rtol=1e-10, atol=1e-12)


def test_revenue_and_incentives_are_identical_on_a_process_pool():
    mech, laws = _instance()
    here = monte_carlo_revenue(mech, laws, 3001, 4, chunk_samples=500, batch_size=128)
    with cf.ProcessPoolExecutor(2) as pool:
        there = monte_carlo_revenue(mech, laws, 3001, 4, chunk_samples=500, batch_size=128,
                                    executor=pool)
        inc_there = monte_carlo_incentives(mech, laws, 900, 4, misreports=[[0.2, 0.9]],
                                           chunk_samples=200, executor=pool)
    assert here.to_dict() == there.to_dict()
    inc_here = monte_carlo_incentives(mech, laws, 900, 4, misreports=[[0.2, 0.9]],
                                      chunk_samples=200)
    assert inc_here.to_dict() == inc_there.to_dict()
    # the batch size inside a chunk does not change the draws' law, only the grouping
    assert here.n_samples == 3001


def test_revenue_is_identical_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    mech, laws = _instance()
    here = monte_carlo_revenue(mech, laws, 2000, 9, chunk_samples=300)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        there = monte_carlo_revenue(mech, laws, 2000, 9, chunk_samples=300,
                                    executor=client.get_executor(retries=2))
    assert here.to_dict() == there.to_dict()


def test_a_generator_and_its_seed_give_reproducible_chunks():
    mech, laws = _instance()
    a = monte_carlo_revenue(mech, laws, 700, np.random.default_rng(5), chunk_samples=100)
    b = monte_carlo_revenue(mech, laws, 700, np.random.default_rng(5), chunk_samples=100)
    assert a.to_dict() == b.to_dict()
    c = monte_carlo_revenue(mech, laws, 700, 5, chunk_samples=100)
    assert c.mean != a.mean  # an int seed and a generator seeded alike are different streams


def test_a_failing_chunk_is_named_with_its_samples_and_seed():
    A = np.array([[1.0], [0.6]])  # noqa: N806
    laws = [FiniteLaw(np.array([[0.25], [0.8]]), np.array([0.4, 0.6]))] * 2
    mech = VCG(A, [UnitDemand([0.0, 0.1]), Additive([0.0, 0.0])])
    with pytest.raises(ValueError, match=r"payment_range.*Monte Carlo chunk of samples 0\.\.99, "
                                         r"seed entropy 3"):
        monte_carlo_revenue(mech, laws, 250, 3, chunk_samples=100, payment_range=(0.0, 1e-6))


def test_chunk_options_are_checked_before_any_work():
    mech, laws = _instance()
    with pytest.raises(ValueError, match="chunk_samples"):
        monte_carlo_revenue(mech, laws, 100, 0, chunk_samples=0)
    with pytest.raises(TypeError, match="executor must be a concurrent.futures executor"):
        monte_carlo_revenue(mech, laws, 100, 0, executor=object())


def test_a_robustified_mechanism_runs_its_own_randomness_per_chunk():
    A = np.array([[1.0], [0.6]])  # noqa: N806
    laws = [FiniteLaw(np.array([[0.25], [0.8]]), np.array([0.4, 0.6])),
            FiniteLaw(np.array([[0.1], [0.5], [0.7]]), np.array([0.2, 0.5, 0.3]))]
    mt = RobustifiedMechanism(VCG(A, [UnitDemand([0.0, 0.1]), Additive([0.0, 0.0])]), laws, 0.2)
    serial = monte_carlo_revenue(mt, laws, 600, 1, chunk_samples=150)
    with cf.ProcessPoolExecutor(2) as pool:
        pooled = monte_carlo_revenue(mt, laws, 600, 1, chunk_samples=150, executor=pool)
    assert serial.to_dict() == pooled.to_dict()
