"""What the machine gives this process, and what a cell takes of it: the cores, and one thread."""

from __future__ import annotations

import os
from contextlib import contextmanager


def available_cores() -> int:
    """Cores this process may use: its CPU affinity (which containers and ``taskset`` narrow;
    ``os.cpu_count()`` counts the whole machine). The local executor runs this many cells at once
    by default."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# Numerical libraries split their float reductions by thread, so their results depend on the thread
# count: one DP-GAN cell (eicu-sim, seed 0, epsilon inf) released data with JSD mean 0.0036 on one
# thread and 0.0069 on two. A cell runs on this many threads, whatever the machine, so that a record
# is reproduced bit for bit on another machine; speed comes from running cells side by side
# (``bench.run.executors``). Libraries that take a thread count (XGBoost, scikit-learn forests) get it too:
# a count above the cell's share makes OpenMP threads spin-wait on a busy machine.
CELL_THREADS = 1

# Read by OpenMP and the BLAS libraries when they load: a spawned worker gets them before it imports
# numpy or torch, so it never starts thread pools larger than a cell uses.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@contextmanager
def cell_threads():
    """Hold BLAS, OpenMP (threadpoolctl) and torch's intra-op pool at ``CELL_THREADS`` for one cell,
    restoring the caller's counts afterwards."""
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    with threadpool_limits(limits=CELL_THREADS):
        torch.set_num_threads(CELL_THREADS)
        try:
            yield
        finally:
            torch.set_num_threads(previous)


@contextmanager
def worker_environment():
    """Within the block, processes started inherit ``THREAD_VARIABLES`` set to ``CELL_THREADS``; the
    previous values come back afterwards."""
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.update({name: str(CELL_THREADS) for name in THREAD_VARIABLES})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
