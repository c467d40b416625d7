"""The cores a process may use, and the one thread a cell runs on."""

import os

import pytest

from bench.resources import CELL_THREADS, available_cores, cell_threads


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_available_cores_follows_the_process_affinity():
    original = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(original)})
        assert available_cores() == 1
    finally:
        os.sched_setaffinity(0, original)
    assert available_cores() == len(original)


def test_a_cell_holds_every_thread_pool_at_its_count_and_gives_the_callers_back():
    import torch
    from threadpoolctl import threadpool_info, threadpool_limits

    from bench.metrics import downstream

    before = torch.get_num_threads()
    with threadpool_limits(limits=2):
        torch.set_num_threads(2)
        try:
            with cell_threads():
                assert torch.get_num_threads() == CELL_THREADS
                assert all(pool["num_threads"] == CELL_THREADS for pool in threadpool_info())
                model = downstream.train_classifier(*_tiny_problem(), seed=0, what="test")
                assert model.get_params()["n_jobs"] == CELL_THREADS
            assert torch.get_num_threads() == 2
        finally:
            torch.set_num_threads(before)


def _tiny_problem():
    import numpy as np

    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    return features, (features[:, 0] > 0).astype(int)
