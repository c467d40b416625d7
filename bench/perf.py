"""Speed and memory benchmark: ``python -m bench perf``.

Measures, each in a fresh subprocess so imports and peak memory are those a
user sees:

* ``python -m bench run --all --profile quick`` on the default cohorts into a
  temporary results folder (targets: under 10 minutes, under 2 GB peak RSS on
  2 cores);
* ``python -m bench list`` (target: under 3 s; heavy libraries load lazily).

Figures go to ``results/perf/harness.json`` and ``results/perf/harness.md``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

from bench.records import atomic_write_text, package_versions

TARGETS = {"run_all_quick_wall_s": 600.0, "run_all_quick_peak_rss_mb": 2048.0, "list_wall_s": 3.0}


def timed_subprocess(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of a child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read()  # drain first so a chatty child cannot block on a full pipe
    _, wait_status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = status = os.waitstatus_to_exitcode(wait_status)
    if status != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {status}: {stderr.strip().splitlines()[-1:]}")
    return wall, usage.ru_maxrss / 1024.0  # Linux reports KiB


def run_perf(results_dir: Path) -> dict:
    python = sys.executable
    list_times = [timed_subprocess([python, "-m", "bench", "list"])[0] for _ in range(3)]
    with tempfile.TemporaryDirectory() as scratch:
        run_wall, run_rss = timed_subprocess(
            [python, "-m", "bench", "run", "--all", "--profile", "quick", "--results-dir", scratch, "--no-progress"]
        )
        cells = len(list((Path(scratch) / "records").glob("*.json")))
    figures = {
        "run_all_quick_wall_s": round(run_wall, 1),
        "run_all_quick_peak_rss_mb": round(run_rss, 0),
        "run_all_quick_cells": cells,
        "list_wall_s": round(min(list_times), 2),
    }
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.machine()}
    payload = {"figures": figures, "targets": TARGETS, "machine": machine, "versions": package_versions()}
    out = Path(results_dir) / "perf"
    atomic_write_text(out / "harness.json", json.dumps(payload, indent=2, sort_keys=True) + "\n")
    rows = [
        ["`run --all --profile quick` wall time (s)", figures["run_all_quick_wall_s"], TARGETS["run_all_quick_wall_s"]],
        ["`run --all --profile quick` peak memory (MB)", figures["run_all_quick_peak_rss_mb"], TARGETS["run_all_quick_peak_rss_mb"]],
        ["`list` wall time (s, best of 3)", figures["list_wall_s"], TARGETS["list_wall_s"]],
    ]
    text = "\n".join(
        [
            "# Harness speed and memory",
            "",
            f"Measured by `python -m bench perf` on {machine['cpus']} CPUs ({machine['platform']});"
            f" {cells} cells in the quick grid.",
            "",
            tabulate(rows, headers=["what", "measured", "target"], tablefmt="github"),
            "",
        ]
    )
    atomic_write_text(out / "harness.md", text)
    print(text)
    return payload
