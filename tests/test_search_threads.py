"""A search in a worker thread (a Dask worker runs chunks beside its event loop) does not warn
that its strategy uses ``random`` when another thread draws from ``random``; in the main thread a
strategy that does use ``random`` is still reported."""

from __future__ import annotations

import random
import threading
import warnings

import hypothesis
from hypothesis import strategies as st

from recmech.properties.judging.strategies import worst_case


def _slow_integers():
    def draw_slowly(x: int) -> int:
        for _ in range(2000):  # a draw long enough for the other thread to run
            x = (x * 31 + 7) % 1000
        return x

    return st.integers(0, 1000).map(draw_slowly)


def test_another_threads_random_draws_are_not_blamed_on_the_strategy():
    stop = threading.Event()

    def event_loop() -> None:  # like distributed's scheduling, it draws from random
        while not stop.is_set():
            random.random()

    caught: list = []

    def search() -> None:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            worst_case(_slow_integers(), float, max_examples=30)
        caught.extend(w for w in seen if "random` module" in str(w.message))

    loop = threading.Thread(target=event_loop)
    loop.start()
    try:
        worker = threading.Thread(target=search)
        worker.start()
        worker.join()
    finally:
        stop.set()
        loop.join()
    assert caught == []


def test_a_strategy_that_uses_random_is_still_reported_in_the_main_thread():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        worst_case(st.integers(0, 3).map(lambda x: x + random.random()), float,
                   max_examples=5)
    assert any(isinstance(w.message, hypothesis.errors.HypothesisDeprecationWarning)
               and "random` module" in str(w.message) for w in seen)
