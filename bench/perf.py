"""Speed and memory benchmark: ``python -m bench perf``.

Measures, each in a fresh subprocess so imports and peak memory are those a
user sees:

* ``python -m bench run --all --profile quick`` on the default cohorts into a
  temporary results folder, with the default ``--jobs`` and with ``--jobs 1``
  (targets: under 5 minutes and 2 GB peak RSS on 2 cores with the default);
* ``--frontier``: the frontier run (six budgets; target under 30 minutes), resumed across
  invocations when it outlasts one (``run_frontier_perf``);
* ``python -m bench list`` (target: under 3 s; heavy libraries load lazily).

Figures go to ``results/perf/harness.json`` and ``results/perf/harness.md``.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from tabulate import tabulate

from bench.run.records import RUN_SUFFIX, atomic_write_text, package_versions

TARGETS = {"run_all_quick_wall_s": 300.0, "run_all_quick_peak_rss_mb": 2048.0, "frontier_wall_s": 1800.0,
           "list_wall_s": 3.0}


def timed_subprocess(args: list[str], env: dict | None = None,
                     on_peak: Callable[[float], None] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of a child process and every process it starts,
    summed (worker processes count): sampled from /proc every 0.2 s, and never below the largest
    single process's own peak that the kernel reports. ``on_peak`` gets the peak so far every
    minute (so a run that is killed has said what it used)."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    peak = {"mb": 0.0}
    done = threading.Event()

    def sample() -> None:
        samples = 0
        while not done.wait(0.2):
            peak["mb"] = max(peak["mb"], _tree_rss_mb(proc.pid))
            samples += 1
            if on_peak is not None and samples % 300 == 0:
                on_peak(peak["mb"])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read()  # drain first so a chatty child cannot block on a full pipe
    _, wait_status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    proc.returncode = status = os.waitstatus_to_exitcode(wait_status)
    if status != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {status}: {stderr.strip().splitlines()[-1:]}")
    return wall, max(peak["mb"], usage.ru_maxrss / 1024.0)  # Linux reports KiB


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and its descendants now (MB), from /proc (0 where it is gone)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, pending = 0.0, [root]
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024.0
        except OSError:
            pass
    return total


def _write_figures(results_dir: Path, stem: str, payload: dict, *, title: str, description: list[str],
                   rows: list[dict] | None = None, table: str | None = None, after: tuple[str, ...] = ()) -> dict:
    """``results/perf/STEM.json`` (the figures, with the machine and package versions they were taken
    on) and ``STEM.md`` (title, description, the table of ``rows`` or the given ``table``, ``after``),
    each written atomically; returns the payload."""
    payload = payload | {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
                         "versions": package_versions()}
    if table is None:
        table = tabulate([list(r.values()) for r in rows], headers=list(rows[0]) if rows else [], tablefmt="github")
    text = "\n".join([f"# {title}", "", *description, "", table, "", *after])
    out = Path(results_dir) / "perf"
    atomic_write_text(out / f"{stem}.json", json.dumps(payload, indent=2, sort_keys=True) + "\n")
    atomic_write_text(out / f"{stem}.md", text)
    print(text)
    return payload


FRONTIER_EPSILONS = "0.1,0.3,1,3,10,inf"


def run_perf(results_dir: Path, keep_records: bool = False) -> dict:
    """``run --all --profile quick`` with the default ``--jobs`` and, beside it in the same call, with
    ``--jobs 1`` (so the speed-up is a ratio taken on one machine in one sitting), and ``list``. With
    ``keep_records`` the default run's records join ``results_dir/records`` (and the tables are
    re-rendered) as soon as that run ends. The figures are written after each measurement, so a run
    cut short keeps what it measured."""
    python = sys.executable
    grid = [python, "-m", "bench", "run", "--all", "--profile", "quick", "--no-progress"]
    figures: dict = {}
    figures["list_wall_s"] = round(min(timed_subprocess([python, "-m", "bench", "list"])[0] for _ in range(3)), 2)
    with tempfile.TemporaryDirectory() as scratch:
        wall, rss = timed_subprocess(grid + ["--results-dir", str(Path(scratch) / "default")])
        figures.update(run_all_quick_wall_s=round(wall, 1), run_all_quick_peak_rss_mb=round(rss))
        produced = sorted((Path(scratch) / "default" / "records").glob("*.json"))
        figures["run_all_quick_cells"] = sum(not path.name.endswith(".run.json") for path in produced)
        if keep_records:
            for path in produced:
                atomic_write_text(Path(results_dir) / "records" / path.name, path.read_text())
            from bench.report.tables import render_all

            render_all(results_dir)
        payload = _write_harness(results_dir, figures)
        wall, rss = timed_subprocess(grid + ["--jobs", "1", "--results-dir", str(Path(scratch) / "jobs1")])
        figures.update(run_all_quick_jobs1_wall_s=round(wall, 1), run_all_quick_jobs1_peak_rss_mb=round(rss),
                       speedup_over_jobs1=round(wall / figures["run_all_quick_wall_s"], 2))
        payload = _write_harness(results_dir, figures)
    return payload


FRONTIER_FIGURES = ("frontier_wall_s", "frontier_peak_rss_mb", "frontier_cells", "frontier_invocations")


def _write_harness(results_dir: Path, figures: dict) -> dict:
    """``results/perf/harness.json``: the grid's figures measured so far beside the frontier's (which
    ``run_frontier_perf`` writes, with the code and versions of its own run), then the targets table."""
    path = Path(results_dir) / "perf" / "harness.json"
    held = json.loads(path.read_text()) if path.exists() else {}
    frontier = {k: v for k, v in held.get("figures", {}).items() if k in FRONTIER_FIGURES}
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.machine()}
    payload = {"figures": frontier | figures, "targets": TARGETS, "machine": machine, "versions": package_versions()}
    if "frontier_run" in held:
        payload["frontier_run"] = held["frontier_run"]
    atomic_write_text(path, json.dumps(payload, indent=2, sort_keys=True) + "\n")
    write_targets(results_dir)
    return payload


# Long on purpose: resuming is most of it, and it is one measurement.
def run_frontier_perf(results_dir: Path, keep_records: bool = False) -> dict:
    """The frontier run (``run --all --profile quick`` at six budgets) timed across as many invocations
    as it takes: it runs longer than one sitting on 2 cores, so each invocation resumes the same run in
    ``results/.cache/perf-frontier`` (records of the current code only; a change of code starts over).
    Its wall time is the sum over invocations of the time from its start to its last finished cell (or
    to its end): work lost when an invocation is killed is not counted, and is done again by the next.
    With ``keep_records`` the finished run's records join ``results_dir/records``."""
    scratch = Path(results_dir) / ".cache" / "perf-frontier"
    log_path = scratch / "invocations.json"
    code = _project_source_hash()
    log = json.loads(log_path.read_text()) if log_path.exists() else {}
    if log.get("code") != code:  # another code: its records and times say nothing about this one
        shutil.rmtree(scratch, ignore_errors=True)
        log = {"code": code, "invocations": []}
    started = time.time()
    log["invocations"].append({"started": started, "peak_rss_mb": 0.0})
    atomic_write_text(log_path, json.dumps(log, indent=2) + "\n")

    def remember_peak(peak: float) -> None:
        log["invocations"][-1]["peak_rss_mb"] = round(peak)
        atomic_write_text(log_path, json.dumps(log, indent=2) + "\n")

    grid = [sys.executable, "-m", "bench", "run", "--all", "--profile", "quick", "--no-progress",
            "--epsilon", FRONTIER_EPSILONS, "--results-dir", str(scratch)]
    _, rss = timed_subprocess(grid, on_peak=remember_peak)
    log["invocations"][-1].update(ended=time.time(), peak_rss_mb=round(rss))
    atomic_write_text(log_path, json.dumps(log, indent=2) + "\n")
    finished = _finished_at(scratch / "records")
    spans = invocation_spans(log["invocations"], finished)
    figures = {"frontier_wall_s": round(sum(spans), 1), "frontier_invocations": len(spans),
               "frontier_peak_rss_mb": max(i["peak_rss_mb"] for i in log["invocations"]),
               "frontier_cells": len(finished)}
    if keep_records:
        for path in (scratch / "records").glob("*.json"):
            atomic_write_text(Path(results_dir) / "records" / path.name, path.read_text())
        from bench.report.tables import render_all

        render_all(results_dir)
    path = Path(results_dir) / "perf" / "harness.json"
    held = json.loads(path.read_text()) if path.exists() else {"figures": {}}
    held["figures"] = {k: v for k, v in held["figures"].items() if k not in FRONTIER_FIGURES} | figures
    held["frontier_run"] = {"code": code, "invocation_seconds": [round(s, 1) for s in spans],
                            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
                            "versions": package_versions()}
    atomic_write_text(path, json.dumps(held, indent=2, sort_keys=True) + "\n")
    write_targets(results_dir)
    return held


def invocation_spans(invocations: list[dict], finished: list[float]) -> list[float]:
    """Seconds each invocation of a resumed run worked: from its start to its end or, for one that was
    killed (no ``ended``), to the last cell it finished (``finished``: when each cell ended)."""
    spans = []
    for index, invocation in enumerate(invocations):
        end = invocation.get("ended")
        if end is None:
            following = invocations[index + 1]["started"] if index + 1 < len(invocations) else math.inf
            end = max((t for t in finished if invocation["started"] <= t < following), default=invocation["started"])
        spans.append(end - invocation["started"])
    return spans


def _finished_at(records: Path) -> list[float]:
    """When each cell of a run finished (epoch seconds), from its run file."""
    from datetime import datetime

    return [datetime.fromisoformat(json.loads(p.read_text())["created"]).timestamp()
            for p in records.glob(f"*{RUN_SUFFIX}")]


def _project_source_hash() -> str:
    """Hash of every source file of the project's packages (what a resumed timing must not span)."""
    import hashlib

    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for package in ("bench", "baselines", "attacks"):
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


# Long on purpose: one row per target of the issue, in the order the targets table shows them.
def write_targets(results_dir: Path) -> str:
    """``results/perf/harness.md``: every target of the harness against what the perf commands last
    measured (read from their figure files; "not measured" where a command has not run on this code)."""
    folder = Path(results_dir) / "perf"

    def figures_of(stem: str) -> dict:
        path = folder / f"{stem}.json"
        return json.loads(path.read_text()) if path.exists() else {}

    harness = figures_of("harness").get("figures", {})
    dp_rows = figures_of("dp_training").get("rows", [])
    fit_rows = {row["synthesizer"]: row for row in figures_of("dp_fit_steps").get("rows", [])}
    scaling = figures_of("scaling").get("rows", [])

    def value(found, unit: str = ""):
        return "not measured" if found is None else f"{found}{unit}"

    def at_most(limit):
        return lambda found: found <= limit

    quick_ghost = next((r for r in dp_rows if r["synthesizer"] == "dp-gan" and r["profile"] == "quick"
                        and r["engine"] == "ghost"), None)
    largest = scaling[-1] if scaling else None
    lines = [
        ("`run --all --profile quick`, default `--jobs`: wall time", harness.get("run_all_quick_wall_s"), " s",
         at_most(TARGETS["run_all_quick_wall_s"]), "at most 300 s"),
        ("  its peak memory (all processes)", harness.get("run_all_quick_peak_rss_mb"), " MB",
         at_most(TARGETS["run_all_quick_peak_rss_mb"]), "at most 2,048 MB"),
        ("  the same grid with `--jobs 1`", harness.get("run_all_quick_jobs1_wall_s"), " s", None, "beside it"),
        ("  speed-up of the default `--jobs` over `--jobs 1`", harness.get("speedup_over_jobs1"), "x", None,
         "a ratio taken in one run"),
        ("frontier run (6 budgets): wall time, summed over the invocations that resumed it",
         harness.get("frontier_wall_s"), " s",
         at_most(TARGETS["frontier_wall_s"]), "at most 1,800 s"),
        ("DP-GAN discriminator step, DP over non-DP (quick batch, ghost)",
         quick_ghost and quick_ghost["dp_over_non_dp"], "x", at_most(1.5), "at most 1.5x"),
        ("DP-GAN, a step inside a whole quick fit, ε 1 over ∞", fit_rows.get("dp-gan", {}).get("dp_over_non_dp"), "x",
         at_most(1.5), "at most 1.5x"),
        ("DP-GAN-HD, a step inside a whole quick fit, ε 1 over ∞ (with its public-gradient threshold)",
         fit_rows.get("dp-gan-hd", {}).get("dp_over_non_dp"), "x", at_most(1.5), "at most 1.5x"),
        ("DP-GAN training rows per second (whole quick fit, ε 1)", fit_rows.get("dp-gan", {}).get("rows_per_s_dp"),
         " rows/s", lambda found: found >= 5000, "at least 5,000 rows/s"),
        (f"{largest['rows']:,}-row `raw` cell: attacks and metrics" if largest else "200,000-row `raw` cell: attacks and metrics",
         largest and largest["attacks + metrics s"], " s", at_most(SCALING_TARGET_S), "at most 60 s"),
        ("`list` wall time (best of 3)", harness.get("list_wall_s"), " s", at_most(TARGETS["list_wall_s"]), "at most 3 s"),
    ]
    rows = []
    for what, found, unit, check, wanted in lines:
        verdict = "—" if check is None or found is None else ("met" if check(found) else "**not met**")
        rows.append([what, value(found, unit), wanted, verdict])
    rows += [
        ["a change to `bench/report/tables.py` leaves every record valid", "tested", "a test",
         "met (`tests/bench/run/test_fingerprint.py`)"],
        ["a 2-worker local Ray cluster's records equal the local executor's", "tested", "a test",
         "met (`tests/bench/run/test_executors.py`)"],
    ]
    machine = figures_of("harness").get("machine") or {"cpus": os.cpu_count(), "platform": platform.platform()}
    text = "\n".join([
        "# Harness targets: measured against target",
        "",
        f"Each figure comes from the `python -m bench perf` command that measures it (`perf` for the grid,",
        "`perf --frontier`, `perf --dp`, `perf --scaling`), on this machine "
        f"({machine['cpus']} CPUs, {machine['platform']}); the details are in the other files here.",
        "",
        tabulate(rows, headers=["what", "measured", "target", ""], tablefmt="github"),
        "",
    ])
    atomic_write_text(folder / "harness.md", text)
    print(text)
    return text


# Long on purpose: one measurement (engines x profiles) and its table, kept together.
def run_dp_perf(results_dir: Path, steps: int = 20) -> dict:
    """Time per training step and per epoch of each DP-SGD GAN against the same training without DP.

    Every registered DP GAN synthesizer (not its ablations; DP-GAN-HD's cluster is timed by
    ``run_cluster_perf``), quick and paper settings, on the ``mimic3-sim`` training split (5,400
    rows), through the synthesizer's own ``fit`` cut to ``steps`` steps (a fifth as many at paper
    size): at epsilon 1 with each Opacus per-sample-gradient engine (``hooks``, ``functorch``,
    ``ghost``), and at epsilon inf (no engine). A step is the discriminator's and the generator's.
    """
    import dataclasses
    import math

    from bench.api.registry import registry
    from bench.api.synthesizer import Budget
    from bench.data.cohort import CohortOptions
    from bench.data.simulate import mimic3_sim

    cohort = mimic3_sim(CohortOptions())
    split = cohort.split(seed=0)
    real = split.train
    rows = []
    synthesizers = registry("synthesizers")
    for name in synthesizers.names():
        cls = synthesizers.load(name)
        if not (cls.tags.is_dp and cls.tags.uses_device and hasattr(cls.config_for("quick"), "grad_sample_mode")):
            continue  # DP-SGD GANs only
        if cls.tags.ablation_of or cls.tags.generator_cluster:
            continue
        for profile in ("quick", "paper"):
            config = cls.config_for(profile)
            n_steps = steps if profile == "quick" else max(3, steps // 5)
            config = dataclasses.replace(config, epochs=n_steps * config.batch_size / len(real))
            timings = {}
            for mode, epsilon in (("none", math.inf), ("hooks", 1.0), ("functorch", 1.0), ("ghost", 1.0)):
                settings = dataclasses.replace(config, grad_sample_mode=mode if mode != "none" else config.grad_sample_mode)
                try:
                    synth = cls(cohort.schema, settings).fit(real, budget=Budget(epsilon), public=split.public, seed=0)
                except (NotImplementedError, ValueError, RuntimeError):
                    continue  # an engine that does not support this network's layers
                timings[mode] = synth.fit_info_["train_seconds"] / synth.fit_info_["steps"]
            batches_per_epoch = math.ceil(len(real) / config.batch_size)
            for mode in ("hooks", "functorch", "ghost"):
                if mode not in timings:
                    continue
                rows.append({
                    "synthesizer": name, "profile": profile, "engine": mode,
                    "batch_size": config.batch_size,
                    "step_ms_dp": round(1000 * timings[mode], 1),
                    "step_ms_non_dp": round(1000 * timings["none"], 1),
                    "dp_over_non_dp": round(timings[mode] / timings["none"], 2),
                    "epoch_s_dp": round(timings[mode] * batches_per_epoch, 1),
                    "epoch_s_non_dp": round(timings["none"] * batches_per_epoch, 1),
                    "rows_per_s_dp": round(config.batch_size / timings[mode]),
                })
    payload = {"rows": rows, "training_rows": len(real), "targets": {"dp_over_non_dp": 1.5, "dp_gan_rows_per_s": 5000}}
    return _write_figures(results_dir, "dp_training", payload, title="DP-SGD versus the same training without DP", rows=rows, description=[
        f"Measured by `python -m bench perf --dp` on {os.cpu_count()} CPUs: one training step (the discriminator's,",
        "real part through Opacus, and the generator's) inside each synthesizer's own `fit` at epsilon 1, against",
        f"the same fit at epsilon inf (no engine), on the {len(real):,} training rows of `mimic3-sim`, CPU. An",
        "epoch is ceil(rows / batch) steps.",
        "Targets: DP step at most 1.5x the non-DP step; DP-GAN at 5,000 training rows per second or more.",
        "Engines: Opacus' per-sample hooks, functorch, and ghost (fast gradient clipping, the default of the",
        "MLP discriminators; it gives the hooks' update, `tests/bench/gan/test_adversarial.py`).",
    ])


def run_cluster_perf(results_dir: Path, sizes: tuple[int, ...] = (1, 4, 8)) -> dict:
    """DP-GAN-HD's quick-profile fit on ``mimic3-sim`` (seed 0) for each cluster size m:
    fit time, time per DP-SGD step and per generation round (``generation_interval``
    steps plus one fitness evaluation and evolution)."""
    import dataclasses

    from bench.data.cohort import CohortOptions
    from bench.api.registry import registry
    from bench.data.simulate import mimic3_sim
    from bench.api.synthesizer import Budget

    cohort = mimic3_sim(CohortOptions())
    split = cohort.split(seed=0)
    cls = registry("synthesizers").load("dp-gan-hd")
    rows = []
    for m in sizes:
        config = dataclasses.replace(cls.config_for("quick"), generators=m, genetic=m > 1)
        synth = cls(cohort.schema, config).fit(split.train, budget=Budget(), public=split.public, seed=0)
        info = synth.fit_info_
        step_s = info["train_seconds"] / info["steps"]
        rounds = max(info["generations"], 1)
        rows.append({
            "generators": m,
            "fit_s": round(synth.fit_seconds_, 1),
            "steps": info["steps"],
            "step_ms": round(1000 * step_s, 1),
            "generations": info["generations"],
            "round_s": round(step_s * config.generation_interval + info["fitness_seconds"] / (rounds + 1), 2),
        })
    payload = {"rows": rows, "training_rows": len(split.train)}
    return _write_figures(results_dir, "dp_gan_hd_cluster", payload, title="DP-GAN-HD: cost of the generator cluster", rows=rows, description=[
        f"Measured by `python -m bench perf --dp` on {os.cpu_count()} CPUs: the quick-profile fit of `dp-gan-hd`",
        f"on the {len(split.train):,} training rows of `mimic3-sim` (seed 0, epsilon 1) with m generators. A round",
        "is `generation_interval` DP-SGD steps plus one fitness evaluation and evolution; m = 1 has no genetic",
        "algorithm. The generators of one architecture run as one batched network, so the cost grows far",
        "less than m-fold.",
    ])


def run_fit_step_perf(results_dir: Path, names: tuple[str, ...] = ("dp-gan", "dp-gan-hd")) -> dict:
    """One training step inside a whole quick-profile fit (``fit_info_``: training seconds over steps)
    at epsilon 1 against the same fit at epsilon inf (no Opacus engine, no clipping), on
    ``mimic3-sim`` seed 0, through the synthesizer's own ``fit``: DP-GAN-HD's step includes its
    clipping threshold from public gradients, which only the DP fit computes. DP-GAN-HD runs with
    one generator here (its cluster's cost is in ``dp_gan_hd_cluster.md``)."""
    import dataclasses
    import math

    from bench.data.cohort import CohortOptions
    from bench.api.registry import registry
    from bench.data.simulate import mimic3_sim
    from bench.api.synthesizer import Budget

    cohort = mimic3_sim(CohortOptions())
    split = cohort.split(seed=0)
    synthesizers = registry("synthesizers")
    rows = []
    for name in names:
        cls = synthesizers.load(name)
        config = cls.config_for("quick")
        if "generators" in {f.name for f in dataclasses.fields(config)}:
            config = dataclasses.replace(config, generators=1, genetic=False)
        per_step = {}
        for label, epsilon in (("dp", 1.0), ("non_dp", math.inf)):
            synth = cls(cohort.schema, config).fit(split.train, budget=Budget(epsilon), public=split.public, seed=0)
            per_step[label] = synth.fit_info_["train_seconds"] / synth.fit_info_["steps"]
        rows.append({"synthesizer": name, "engine": config.grad_sample_mode, "batch_size": config.batch_size,
                     "step_ms_dp": round(1000 * per_step["dp"], 1), "step_ms_non_dp": round(1000 * per_step["non_dp"], 1),
                     "dp_over_non_dp": round(per_step["dp"] / per_step["non_dp"], 2),
                     "rows_per_s_dp": round(config.batch_size / per_step["dp"])})
    payload = {"rows": rows, "training_rows": len(split.train), "targets": {"dp_over_non_dp": 1.5}}
    payload = _write_figures(results_dir, "dp_fit_steps", payload, rows=rows,
                             title="A training step inside a whole fit: epsilon 1 against epsilon inf", description=[
        f"Measured by `python -m bench perf --dp` on {os.cpu_count()} CPUs: the quick-profile fit of each",
        f"synthesizer on the {len(split.train):,} training rows of `mimic3-sim` (seed 0), training seconds over",
        "steps, at epsilon 1 and at epsilon inf (the same loop with no Opacus engine and no clipping).",
        "DP-GAN-HD runs one generator; its DP step includes the clipping threshold computed from public",
        "gradients. Target: DP step at most 1.5x the non-DP step.",
    ])
    write_targets(results_dir)
    return payload


SCALING_TARGET_S = 60.0  # the 200,000-row raw cell's attacks and metrics, on 2 cores


def run_scaling_perf(results_dir: Path, sizes: tuple[int, ...] = (10_000, 50_000, 200_000)) -> dict:
    """The ``raw`` cell (every attack and metric, seed 0) on a simulated cohort of each size, in a fresh
    subprocess: the time of each attack and of the metrics, from the cell's own timings, and the
    process's wall time and peak memory. What grows faster than the cohort shows as a rising
    time per 10,000 rows."""
    python = sys.executable
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as scratch:
            wall, rss = timed_subprocess([python, "-m", "bench", "run", "--synthesizer", "raw", "--cohort", "mimic3-sim",
                                          "--patients", str(size), "--seeds", "1", "--results-dir", scratch,
                                          "--no-progress"])
            from bench.run.record import load_records

            record = load_records(Path(scratch))[0]
        timings = record.timings
        attacks = {k.removeprefix("attack_").removesuffix("_s"): v for k, v in timings.items() if k.startswith("attack_")}
        evaluated = sum(attacks.values()) + timings.get("metrics_s", 0.0)
        rows.append({"rows": size, "candidates per side": record.candidates["per_side"],
                     **{f"{name} s": round(v, 1) for name, v in sorted(attacks.items())},
                     "metrics s": round(timings.get("metrics_s", 0.0), 1), "attacks + metrics s": round(evaluated, 1),
                     "s per 10k rows": round(10_000 * evaluated / size, 2), "process wall s": round(wall, 1),
                     "peak MB": round(rss)})
    largest = rows[-1]
    payload = _write_figures(results_dir, "scaling", {"rows": rows, "target_s": SCALING_TARGET_S}, rows=rows,
                             title="Cost of the attacks and metrics against the cohort's size", description=[
        f"Measured by `python -m bench perf --scaling` on {os.cpu_count()} CPUs: the `raw` synthesizer (a release",
        "of the training rows, so nearly all the time is evaluation) on `mimic3-sim` drawn at each size, seed 0,",
        "every attack and metric. Membership candidates stop at 5,000 a side; MMD at 3,000 rows a side.",
    ], after=(f"Target: the {largest['rows']:,}-row cell's attacks and metrics within {SCALING_TARGET_S:.0f} s; "
              f"measured {largest['attacks + metrics s']} s.", ""))
    write_targets(results_dir)
    return payload


def run_extraction_perf(results_dir: Path, chartevents_rows: int = 20_000_000) -> dict:
    """Time and peak memory of the ``mimic3`` extraction on a fabricated CHARTEVENTS of
    ``chartevents_rows`` rows (pairs of stays share a patient, so readmissions exist), in a fresh subprocess with an empty cache; extrapolated
    linearly to the full database. Figures into ``results/perf/extraction.{json,md}``."""
    from bench.data.real.fabricate import FULL_CHARTEVENTS_ROWS, write_synthetic_mimic3

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "mimic3"
        start = time.perf_counter()
        write_synthetic_mimic3(folder, chartevents_rows)
        generate_s = time.perf_counter() - start
        size_mb = (folder / "CHARTEVENTS.csv.gz").stat().st_size / 2**20
        env = dict(os.environ, BENCH_CACHE_DIR=str(Path(scratch) / "cache"))
        code = ("from pathlib import Path; from bench.data.cohort import CohortOptions; from bench.data.real.mimic3 import mimic3_cohort; "
                f"c = mimic3_cohort(CohortOptions(data_dir=Path({str(folder)!r}))); print(len(c.table))")
        wall, rss = timed_subprocess([sys.executable, "-c", code], env=env)
    per_million = wall / (chartevents_rows / 1e6)
    full_minutes = per_million * FULL_CHARTEVENTS_ROWS / 1e6 / 60
    figures = {
        "chartevents_rows": chartevents_rows,
        "chartevents_gz_mb": round(size_mb, 1),
        "extraction_wall_s": round(wall, 1),
        "extraction_peak_rss_mb": round(rss, 1),
        "seconds_per_million_rows": round(per_million, 2),
        "full_database_minutes_extrapolated": round(full_minutes, 1),
        "generation_s": round(generate_s, 1),
        "duckdb_memory_limit": os.environ.get("BENCH_DUCKDB_MEMORY", "3GB"),
    }
    payload = {"figures": figures, "targets": {"full_database_minutes": 20.0, "peak_rss_mb": 4096.0}}
    table = tabulate([[k, v] for k, v in figures.items()], headers=["what", "measured"], tablefmt="github")
    return _write_figures(results_dir, "extraction", payload, table=table, title="Real-cohort extraction: speed and memory", description=[
        f"Measured by `python -m bench perf --extraction` on {os.cpu_count()} CPUs: the whole `mimic3` extraction",
        "(DuckDB, out of core) on a fabricated MIMIC-III-shaped export whose CHARTEVENTS.csv.gz has",
        f"{chartevents_rows:,} rows, a quarter of them vital-sign items (50,000 stays). The time is extrapolated",
        f"linearly to the {FULL_CHARTEVENTS_ROWS:,} rows of the real CHARTEVENTS. Targets: the full extraction",
        "in under 20 minutes, in under 4 GB.",
    ])
