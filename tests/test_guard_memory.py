"""The guard's memory stays bounded whatever an outside least squares returns (issue: a correct
``scipy.linalg.lstsq(B, Y)[0]`` returns a view into a buffer of the size of its workspace; a
guard that kept the views of a batch of 4,000 blocks held about 34 GB).

``recmech.properties.subject.outside.pinv_from_least_squares`` copies every answer into one (b, k,
l)
array and reads each block with k + 4 right-hand sides, so the guard holds the batch plus one
call's worth. Here a correct least squares returns views into a 64 MiB buffer per call: holding
the answers of the 64 blocks of the run below would take 4 GiB; the traced peak must stay under
256 MiB (one buffer plus the batch: 64 blocks of 1025 x 2 doubles, about 1 MiB each for B and P).
Deterministic: fixed seeds; no statistical assertion beyond the check's own (1e-9).
"""

from __future__ import annotations

import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import linalg

from recmech.properties.judging.checks.registry import run_check_verdicts
from recmech.properties.judging.profiles import Budget, budget, profile_name
from recmech.properties.subject.outside import pinv_from_least_squares, read_pinv
from recmech.properties.subject.resolved import Subject

BUFFER = (4096, 2048)  # 64 MiB of float64 per call
PEAK_BOUND = 256 * 2**20


def viewing_least_squares(B, Y):  # noqa: N803
    """Correct answers, each a view into a fresh 64 MiB buffer (as LAPACK drivers return)."""
    Y = np.asarray(Y, dtype=float)
    cols = Y.reshape(Y.shape[0], -1)
    buf = np.empty(BUFFER)
    buf[:B.shape[1], :cols.shape[1]] = linalg.lstsq(B, cols)[0]
    view = buf[:B.shape[1], :cols.shape[1]]
    return view[:, 0] if Y.ndim == 1 else view


def _weak_budget(trials: int, k: int = 2) -> Budget:
    base = budget("thorough")
    return Budget(name="memory", hypothesis=base.hypothesis,
                  sizes={**base.sizes, "theorem2.weak_dependence.trials": trials,
                         "theorem2.weak_dependence.k": k})


def test_views_into_large_buffers_do_not_accumulate_in_the_weak_dependence_check():
    impl = SimpleNamespace(least_squares=viewing_least_squares)
    tracemalloc.start()
    try:
        # under the product-support reading: only the draws of A (the repetition law of the
        # positive-probability reading would add its own draws)
        (verdict, *_) = run_check_verdicts(
            "theorem2.weak_dependence", Subject(impl), _weak_budget(64),
            readings={"definition2.null_events": "product-support"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 64 * np.prod(BUFFER) * 8 > 2**30  # holding the buffers would exceed 1 GiB
    assert peak < PEAK_BOUND, f"traced peak {peak / 2**20:.0f} MiB"
    assert verdict.instances == 64 and verdict.counterexample is None  # no failing draw


def test_the_reading_is_the_pseudo_inverse_and_falls_back_for_a_part_that_is_not_least_squares():
    gen = np.random.default_rng(3)
    B = gen.standard_normal((5, 30, 3))
    P = pinv_from_least_squares(viewing_least_squares, B)
    assert np.allclose(P, np.linalg.pinv(B), rtol=0, atol=1e-12)

    def first_rows(b, y):  # exact on range(B), wrong on its complement
        return np.linalg.solve(b[:3], np.asarray(y)[:3])

    got = read_pinv(first_rows, B[0], np.random.default_rng(0))
    want = np.hstack([np.linalg.inv(B[0][:3]), np.zeros((3, 27))])
    assert np.allclose(got, want, atol=1e-12)  # the whole map, read column by column


@pytest.mark.skipif(profile_name() != "thorough", reason="runs with RECMECH_PROFILE=thorough")
def test_the_thorough_weak_dependence_check_passes_a_correct_scipy_least_squares():
    impl = SimpleNamespace(least_squares=lambda B, Y: linalg.lstsq(B, Y)[0])  # noqa: N803
    verdict = run_check_verdicts("theorem2.weak_dependence", Subject(impl), "thorough",
                                 readings={"definition2.null_events": "product-support"})[0]
    assert verdict.verdict == "holds", verdict.to_dict()


def test_a_least_squares_may_refuse_a_rank_deficient_block_but_not_a_full_one():
    def refusing(B, Y):  # noqa: N803 - the paper's names
        if np.linalg.matrix_rank(B) < B.shape[1]:
            raise ValueError("B is rank deficient")
        return np.linalg.lstsq(B, Y, rcond=None)[0]

    gen = np.random.default_rng(5)
    good = gen.standard_normal((30, 2))
    flat = np.column_stack([good[:, 0], good[:, 0]])  # rank 1
    P = pinv_from_least_squares(refusing, np.stack([good, flat]))
    assert np.allclose(P[0], np.linalg.pinv(good), atol=1e-12) and not P[1].any()
    with pytest.raises(ValueError, match="always refuses"):
        pinv_from_least_squares(lambda B, Y: (_ for _ in ()).throw(ValueError("always refuses")),  # noqa: N803
                                good[None])
