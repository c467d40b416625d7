"""The grid runner: cohort x synthesizer x budget x seed, one record per cell.

For each cell: split the cohort with the seed, fit the synthesizer on
``train`` (with ``public`` available at no cost), sample a release of
``len(train)`` rows, score every metric against its real split, and run
every attack on equal numbers of members (``train``) and non-members
(``holdout``). A cell that already has a record is skipped (so a killed run
resumes where it stopped) unless ``force``; a cell that raises records its
error and the run goes on.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

import numpy as np

from bench import records
from bench.cohort import Cohort, CohortOptions
from bench.config import RunConfig
from bench.errors import BenchInputError
from bench.membership import draw_candidates, evaluate_membership
from bench.registry import registry
from bench.resources import cell_threads
from bench.synthesizer import Budget

RECORD_FORMAT = 1


@dataclass
class Suite:
    """What is loaded once per run: cohorts, synthesizer classes, metrics and attacks."""

    cohorts: dict[str, Cohort]
    synthesizers: dict[str, type]
    metrics: dict[str, type]
    attacks: dict[str, type]
    skipped: list[str]


def load_suite(config: RunConfig, *, warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> Suite:
    skipped: list[str] = []
    synthesizers = _load_selected("synthesizers", config.synthesizers, skipped)
    if not config.synthesizers:  # `--all` leaves ablations out; name them to run them
        synthesizers = {n: cls for n, cls in synthesizers.items() if not getattr(cls, "ablation_of", None)}
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


@dataclass(frozen=True)
class Cell:
    cohort: str
    synthesizer: str
    seed: int
    spec: dict[str, Any]

    @property
    def key(self) -> str:
        return records.cell_key(self.spec)


def plan_cells(config: RunConfig, suite: Suite) -> list[Cell]:
    """One cell per (cohort, synthesizer, seed) and, for a DP synthesizer, per epsilon.

    A method without a DP claim does not read the budget, so its cell is shared by
    every epsilon (``spec["budget"]`` is None; the report shows it in every table set).
    """
    budgets = [Budget(epsilon, config.delta, config.budget_mode, config.allow_overspend) for epsilon in config.epsilons]
    versions = records.package_versions()
    evaluation = {
        "metrics": sorted(suite.metrics),
        "attacks": {name: _config_dict(cls.config_for(config.profile)) for name, cls in sorted(suite.attacks.items())},
        "format": RECORD_FORMAT,
    }
    cells = []
    for cohort_name, cohort in suite.cohorts.items():
        fingerprint = cohort.fingerprint()
        for synth_name, cls in suite.synthesizers.items():
            if not config.synthesizers and getattr(cls, "needs_population", False) and cohort.population is None:
                continue  # `--all` on a real cohort: a method that samples the simulation model does not apply
            synth_config = cls.config_for(config.profile)
            for budget in budgets if cls.is_dp else [None]:
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
                        "code": records.code_fingerprint(cls.__module__),
                    }
                    if getattr(cls, "uses_device", False):
                        spec["device"] = resolve_device(config.device)
                    cells.append(Cell(cohort_name, synth_name, seed, spec))
    return cells


def cell_budget(spec: dict[str, Any]) -> Budget:
    """The budget a cell's synthesizer is given (a method without a DP claim ignores it)."""
    return Budget.from_dict(spec["budget"]) if spec["budget"] else Budget(math.inf, spec["delta"])


def run_cell(cell: Cell, suite: Suite) -> dict[str, Any]:
    """Fit, sample, score; returns the record (also on failure). The cell runs on a fixed number
    of threads (``bench.resources.cell_threads``), so its numbers do not depend on the machine."""
    with cell_threads():
        return _run_cell(cell, suite)


def _run_cell(cell: Cell, suite: Suite) -> dict[str, Any]:
    cohort = suite.cohorts[cell.cohort]
    cls = suite.synthesizers[cell.synthesizer]
    spec = cell.spec
    record: dict[str, Any] = {"key": cell.key, "spec": spec, "status": "ok", "error": None, "is_dp": bool(cls.is_dp),
                              "reference": bool(cls.reference), "display_name": cls.display_name or cls.name}
    timings: dict[str, float] = {}
    try:
        split = cohort.split(cell.seed)
        record["split_sizes"] = split.sizes()
        record["most_rows_of_one_patient"] = split.most_rows_of_one_patient()
        budget = cell_budget(spec)
        synth = cls.from_cohort(cohort, cls.config_for(spec["profile"]), device=spec.get("device", "cpu"))
        synth.fit(split.train, budget=budget, public=split.public, seed=cell.seed)
        timings["fit_s"] = synth.fit_seconds_
        start = time.perf_counter()
        release = synth.sample(len(split.train))
        timings["sample_s"] = time.perf_counter() - start
        spent = synth.privacy_spent_
        record["privacy"] = spent.to_dict() if spent is not None else None
        record["fit_info"] = getattr(synth, "fit_info_", {})
        record["metric_info"] = {
            name: {"goal": cls.goal, "min_value": _finite(cls.min_value), "max_value": _finite(cls.max_value),
                   "real_split": cls.real_split}
            for name, cls in suite.metrics.items()
        }
        record["metrics"], record["metric_errors"], record["metrics_not_applicable"] = _score_metrics(
            suite, cohort, split, release, cell.seed, timings)
        record["attacks"], record["attack_errors"], record["attacks_skipped"] = _run_attacks(
            suite, cohort, split, release, cell, timings
        )
    except Exception as exc:  # one failing cell must not stop the grid
        record["status"] = "error"
        record["error"] = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, BenchInputError):
            record["traceback_tail"] = traceback.format_exc().strip().splitlines()[-3:]
    record["timings"] = timings
    record["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return record


def _score_metrics(suite, cohort, split, release, seed, timings):
    values, errors, not_applicable = {}, {}, {}
    start = time.perf_counter()
    for name, cls in suite.metrics.items():
        reason = cls.not_applicable(cohort.schema)
        if reason:
            not_applicable[name] = reason
            continue
        real = getattr(split, cls.real_split)
        try:
            value = cls().compute(real, release, cohort.schema, seed=seed)
            values[name] = None if np.isnan(value) else value
        except Exception as exc:
            values[name] = None
            errors[name] = f"{type(exc).__name__}: {exc}"
    timings["metrics_s"] = time.perf_counter() - start
    return values, errors, not_applicable


def _run_attacks(suite, cohort, split, release, cell, timings):
    """Every attack on equal numbers of members and non-members; per-target attacks on the
    most outlying of them. Expensive attacks run on cheap synthesizers, or on all in ``paper``."""
    from bench.membership import select_targets
    from bench.shadow import ShadowTrainer

    seed, spec = cell.seed, cell.spec
    budget = cell_budget(spec)
    synth_cls = suite.synthesizers[cell.synthesizer]
    results, errors, skipped = {}, {}, {}
    candidates = draw_candidates(split.train, split.holdout, np.random.default_rng([seed, 0xCA4D]), split.patients)
    for name, cls in suite.attacks.items():
        if cls.expensive and not (getattr(synth_cls, "cheap_to_fit", False) or spec["profile"] == "paper"):
            skipped[name] = "expensive attack: runs on cheap synthesizers, or on all in the paper profile"
            continue
        start = time.perf_counter()
        try:
            shadow = None
            if cls.needs_shadow:
                config = synth_cls.config_for(spec["profile"])
                shadow = ShadowTrainer(
                    factory=lambda: synth_cls.from_cohort(cohort, config, device=spec.get("device", "cpu")),
                    budget=budget,
                    public=split.public,
                )
            attack = cls(cohort.schema, cls.config_for(spec["profile"]))
            targets = candidates
            if attack.targets_per_side:
                outlying = _outlyingness(cohort, split.reference, candidates)
                targets = select_targets(candidates, outlying, attack.targets_per_side)
            attack.fit(release, split.reference, seed=seed, shadow=shadow)
            scores = attack.score(targets.table)
            result = evaluate_membership(scores, targets.is_member, np.random.default_rng([seed, 0xE7A1]), delta=budget.delta)
            members = candidates.table[candidates.is_member]
            non_members = candidates.table[~candidates.is_member]
            results[name] = result.as_dict() | {
                "full_candidate_set": targets is candidates,
                "summary": attack.summarize(release, members, non_members),
            }
        except Exception as exc:
            errors[name] = f"{type(exc).__name__}: {exc}"
        timings[f"attack_{name}_s"] = time.perf_counter() - start
    return results, errors, skipped


def _outlyingness(cohort, reference, candidates) -> np.ndarray:
    """Distance from each candidate to its 5th nearest reference record (the attacker's view)."""
    from sklearn.neighbors import NearestNeighbors

    from bench.encoding import TableEncoder

    encoder = TableEncoder(cohort.schema)
    index = NearestNeighbors(n_neighbors=5).fit(encoder.transform(reference))
    return index.kneighbors(encoder.transform(candidates.table))[0][:, -1]


def run_grid(config: RunConfig, suite: Suite, *, progress: bool = True) -> list[dict[str, Any]]:
    """Run every cell (skipping finished ones); returns the records of this grid."""
    from tqdm import tqdm

    cells = plan_cells(config, suite)
    done: list[dict[str, Any]] = []
    with tqdm(total=len(cells), unit="cell", disable=not progress, file=sys.stderr, dynamic_ncols=True) as bar:
        for cell in cells:
            bar.set_description(f"{cell.cohort} {cell.synthesizer} seed {cell.seed}")
            existing = None if config.force else records.read_record(config.results_dir, cell.key)
            if existing is not None:
                done.append(existing)
                bar.total -= 1  # skipped cells must not distort the time-left estimate
                bar.refresh()
                continue
            record = run_cell(cell, suite)
            records.write_record(config.results_dir, record)
            if record["status"] != "ok":
                bar.write(f"cell failed: {cell.cohort} / {cell.synthesizer} / seed {cell.seed}: {record['error']}")
            done.append(record)
            bar.update(1)
    return done


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


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
    raise TypeError(f"synthesizer configs must be dataclasses, got {type(config).__name__}")

