"""Thread counts follow the cores the process may use, not a fixed number."""

import os

import pytest

from bench.resources import available_cores


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_available_cores_follows_the_process_affinity():
    original = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(original)})
        assert available_cores() == 1
        from bench.metrics import downstream

        model = downstream.train_classifier(*_tiny_problem(), seed=0, what="test")
        assert model.get_params()["n_jobs"] == 1
    finally:
        os.sched_setaffinity(0, original)
    assert available_cores() == len(original)


def _tiny_problem():
    import numpy as np

    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    return features, (features[:, 0] > 0).astype(int)
