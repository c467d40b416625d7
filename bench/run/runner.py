"""The grid runner: cohort x synthesizer x budget x seed, one record per cell.

For each cell: split the cohort with the seed, fit the synthesizer on
``train`` (with ``public`` available at no cost), sample a release of
``len(train)`` rows, score every metric against its real split, and run
every attack on equal numbers of members (``train``) and non-members
(``holdout``): ``bench.run.cell``. A cell that already has a record is skipped
(so a killed run resumes where it stopped) unless ``force``; a cell that
raises records its error and the run goes on.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, Callable

from bench.run import records
from bench.run.record import RECORD_FORMAT, Record, read_record
from bench.run.cell import Cell, Suite
from bench.data.cohort import Cohort, CohortOptions
from bench.run.config import RunConfig
from bench.errors import BenchInputError
from bench.run.fingerprint import code_fingerprint
from bench.api.registry import registry
from bench.api.synthesizer import Budget



def load_suite(config: RunConfig, *, warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> Suite:
    skipped: list[str] = []
    synthesizers = _load_selected("synthesizers", config.synthesizers, skipped)
    if not config.synthesizers:  # `--all` leaves ablations out; name them to run them
        synthesizers = {n: cls for n, cls in synthesizers.items() if not cls.tags.ablation_of}
    metrics = _load_selected("metrics", config.metrics, skipped)
    attacks = _load_selected("attacks", config.attacks, skipped)
    for line in skipped:
        warn(f"warning: {line}")
    options = CohortOptions(n_patients=config.n_patients, data_dir=config.data_dir, csv=config.csv, schema=config.schema)
    cohort_registry = registry("cohorts")
    factories = {name: cohort_registry.load(name) for name in config.cohorts}
    cohorts: dict[str, Cohort] = {}
    for factory in factories.values():
        cohort = factory(options)  # labelled by its own name: a CSV cohort by its file, never by "csv"
        if cohort.name in cohorts:
            raise BenchInputError(f"two cohorts are named {cohort.name!r}; rename the CSV file")
        cohort.loader = factory.__module__
        cohorts[cohort.name] = cohort
        for seed in config.seeds:  # parts of a split by patient vary by seed: every seed must fit, before any cell runs
            cohort.split_rows(seed)
    return Suite(cohorts, synthesizers, metrics, attacks, skipped)


def _load_selected(kind: str, names: tuple[str, ...], skipped: list[str]) -> dict[str, type]:
    """The named entries (an unknown or broken one is an input error), or every entry that
    imports when none is named (a broken plugin is then skipped with a warning)."""
    reg = registry(kind)
    if names:
        return {name: reg.load(name) for name in names}
    loaded, failures = reg.load_all()
    skipped += [f"{f.kind[:-1]} {f.name!r} ({f.distribution}) skipped: {f.error}" for f in failures]
    return loaded


def plan_cells(config: RunConfig, suite: Suite) -> list[Cell]:
    """One cell per (cohort, synthesizer, seed) and, for a DP synthesizer, per epsilon.

    A method without a DP claim does not read the budget, so its cell is shared by
    every epsilon (``spec["budget"]`` is None; the report shows it in every table set).
    """
    budgets = [Budget(epsilon, config.delta, config.budget_mode, config.allow_overspend) for epsilon in config.epsilons]
    versions = records.package_versions()
    evaluation = {
        "metrics": sorted(suite.metrics),
        "metric_configs": {name: _config_dict(cls.config_for(config.profile)) for name, cls in sorted(suite.metrics.items())},
        "attacks": {name: _config_dict(cls.config_for(config.profile)) for name, cls in sorted(suite.attacks.items())},
        "format": RECORD_FORMAT,
    }
    cells = []
    for cohort_name, cohort in suite.cohorts.items():
        fingerprint = cohort.fingerprint()
        # the code that built the cohort and that draws fresh patients from its model (the oracle)
        cohort_code = [m for m in (cohort.loader, type(cohort.population).__module__ if cohort.population is not None
                                   else "") if m]
        for synth_name, cls in suite.synthesizers.items():
            if not config.synthesizers and cls.tags.needs_population and cohort.population is None:
                continue  # `--all` on a real cohort: a method that samples the simulation model does not apply
            synth_config = cls.config_for(config.profile)
            for budget in budgets if cls.tags.is_dp else [None]:
                for seed in config.seeds:
                    spec = {
                        "cohort": cohort_name,
                        "cohort_fingerprint": fingerprint,
                        "synthesizer": synth_name,
                        "synthesizer_config": _config_dict(synth_config),
                        "budget": budget.to_dict() if budget else None,
                        "delta": config.delta,
                        "profile": config.profile,
                        "seed": seed,
                        "evaluation": evaluation,
                        "versions": versions,
                        "code": code_fingerprint(cls.__module__, *modules_of(suite.attacks), *modules_of(suite.metrics),
                                                 "bench.run.cell", *cohort_code),
                    }
                    if cls.tags.uses_device:
                        spec["device"] = resolve_device(config.device)
                    cells.append(Cell(cohort_name, synth_name, seed, spec))
    return cells


def run_grid(config: RunConfig, suite: Suite, *, progress: bool = True) -> list[Record]:
    """Run every cell without a record on the configured executor (``bench.run.executors``), writing
    each record as its cell finishes; returns the records of this grid in plan order."""
    from tqdm import tqdm

    from bench.run.executors import make_executor

    cells = plan_cells(config, suite)
    done: dict[str, Record] = {}
    for cell in cells:
        existing = None if config.force else read_record(config.results_dir, cell.key)
        if existing is not None:
            done[cell.key] = existing
    pending = [cell for cell in cells if cell.key not in done]
    executor = make_executor(config.executor, config.jobs, config.address)
    with tqdm(total=len(pending), unit="cell", disable=not progress, file=sys.stderr, dynamic_ncols=True) as bar:
        for cell, record in executor.run(pending, suite):
            record["executor"] = executor.describe()
            records.write_record(config.results_dir, record)
            if record["status"] != "ok":
                bar.write(f"cell failed: {cell.cohort} / {cell.synthesizer} / seed {cell.seed}: {record['error']}")
            done[cell.key] = read_record(config.results_dir, cell.key)  # as a resumed run reads it
            bar.set_description(f"{cell.cohort} {cell.synthesizer} seed {cell.seed}")
            bar.update(1)
    return [done[cell.key] for cell in cells]


def modules_of(classes: dict[str, type]) -> list[str]:
    """The modules defining these classes (what a cell's code fingerprint follows)."""
    return sorted({cls.__module__ for cls in classes.values()})


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _config_dict(config: Any) -> dict[str, Any] | None:
    if config is None:
        return None
    if dataclasses.is_dataclass(config):
        return dataclasses.asdict(config)
    raise TypeError(f"configs must be dataclasses, got {type(config).__name__}")

