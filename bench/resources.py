"""What the machine gives this process: the cores it may run on."""

from __future__ import annotations

import os


def available_cores() -> int:
    """Cores this process may use (its CPU affinity, which containers and ``taskset`` narrow;
    ``os.cpu_count()`` counts the whole machine). Libraries that take a thread count get this,
    never a fixed number: a fixed count above it makes OpenMP threads spin-wait on a busy machine."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
