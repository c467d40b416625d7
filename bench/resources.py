"""What the machine gives this process: the cores it may run on."""

from __future__ import annotations

import os
from contextlib import contextmanager


def available_cores() -> int:
    """Cores this process may use (its CPU affinity, which containers and ``taskset`` narrow;
    ``os.cpu_count()`` counts the whole machine). Libraries that take a thread count get this,
    never a fixed number: a fixed count above it makes OpenMP threads spin-wait on a busy machine."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# Numerical libraries split their float reductions by thread, so their results depend on the thread
# count: one DP-GAN cell (eicu-sim, seed 0, epsilon inf) released data with JSD mean 0.0036 on one
# thread and 0.0069 on two. A cell runs on this many threads, whatever the machine, so that a record
# is reproduced bit for bit on another machine; speed comes from running cells side by side.
CELL_THREADS = 1


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
