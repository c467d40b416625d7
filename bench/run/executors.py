"""Where the cells of a grid run: in this process, in local worker processes, or as Ray tasks.

An executor takes the cells still to run and yields ``(cell, record)`` as each
finishes, in whatever order they finish. The driver (``bench.run.runner.run_grid``)
writes every record, so resuming, failure records and the progress bar are the
same whichever executor ran a cell, and so is the record itself: each cell runs
the same code (``bench.run.cell.run_cell``) on one numerical thread
(``bench.resources.CELL_THREADS``), so parallelism comes from running cells side
by side, never from threads inside a cell (``tests/bench/run/test_executors.py``).

* ``local`` with ``jobs`` 1: in this process, one cell at a time.
* ``local`` with ``jobs`` N > 1: N worker processes (spawned, not forked: the
  numerical libraries' thread pools do not survive a fork), each given the
  suite once when it starts.
* ``ray``: each cell a Ray task declaring ``num_cpus`` (its one thread) and
  ``num_gpus`` 1 when it trains a network on CUDA. With an address, the tasks
  join that cluster; without one, a local cluster is started for the run.
  Ray schedules; nothing here does.
"""

from __future__ import annotations

from typing import Iterator

from bench.run.cell import Cell, Suite, run_cell
from bench.errors import BenchInputError
from bench.resources import CELL_THREADS, THREAD_VARIABLES, available_cores, worker_environment

class LocalExecutor:
    """Cells in this process (``jobs`` 1) or in ``jobs`` local worker processes."""

    def __init__(self, jobs: int | None = None) -> None:
        cores = available_cores()
        self.jobs = jobs or cores
        if self.jobs < 1:
            raise BenchInputError(f"--jobs must be at least 1, got {self.jobs}")

    def describe(self) -> str:
        return f"local, {self.jobs} job(s) x {CELL_THREADS} thread(s)"

    def run(self, cells: list[Cell], suite: Suite) -> Iterator[tuple[Cell, dict]]:
        workers = min(self.jobs, len(cells))
        if workers <= 1:
            for cell in cells:
                yield cell, run_cell(cell, suite)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with worker_environment():  # the spawned workers read it before importing numpy or torch
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_start_worker, initargs=(suite,))
            futures = {pool.submit(_run_in_worker, cell): cell for cell in cells}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        except BaseException:
            # Ctrl-C, a worker that died, or a record that could not be written: stop the grid now
            # (finished cells are already written; a rerun resumes) rather than run every queued cell.
            pool.shutdown(wait=False, cancel_futures=True)
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            raise
        pool.shutdown()


class RayExecutor:
    """Each cell a Ray task on an existing cluster (``address``) or on a local one started for the run."""

    def __init__(self, address: str | None = None) -> None:
        try:
            import ray  # noqa: F401
        except ImportError:
            raise BenchInputError("--executor ray needs Ray: pip install '.[ray]'") from None
        self.address = address

    def describe(self) -> str:
        return f"ray ({self.address or 'local cluster'}), {CELL_THREADS} CPU(s) per cell"

    def run(self, cells: list[Cell], suite: Suite) -> Iterator[tuple[Cell, dict]]:
        import ray

        started_here = not ray.is_initialized()
        if started_here:
            # workers read these before importing numpy or torch; a cell holds its own count anyway
            runtime_env = {"env_vars": {name: str(CELL_THREADS) for name in THREAD_VARIABLES}}
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False, runtime_env=runtime_env,
                     **({} if self.address else {"num_cpus": available_cores()}))
        try:
            suite_ref = ray.put(suite)
            task = ray.remote(_run_as_ray_task)
            pending = {}
            for cell in cells:
                gpus = 1 if str(cell.spec.get("device", "cpu")).startswith("cuda") else 0
                ref = task.options(num_cpus=CELL_THREADS, num_gpus=gpus).remote(suite_ref, cell)
                pending[ref] = cell
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                cell = pending.pop(done[0])
                yield cell, ray.get(done[0])
        finally:
            if started_here:
                ray.shutdown()


def make_executor(kind: str, jobs: int | None, address: str | None):
    if kind == "local":
        return LocalExecutor(jobs)
    if kind == "ray":
        return RayExecutor(address)
    raise BenchInputError(f"unknown executor {kind!r}; expected local or ray")


_SUITE: Suite | None = None  # a worker process's copy, given once when it starts


def _start_worker(suite: Suite) -> None:
    global _SUITE
    _SUITE = suite


def _run_in_worker(cell: Cell) -> dict:
    return run_cell(cell, _SUITE)


def _run_as_ray_task(suite: Suite, cell: Cell) -> dict:
    return run_cell(cell, suite)
