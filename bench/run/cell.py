"""One cell of the grid: split the cohort, fit, sample, score the metrics, run the attacks.

For each cell: split the cohort with the seed, fit the synthesizer on
``train`` (with ``public`` available at no cost), sample a release of
``len(train)`` rows, score every metric against its real split, and run
every attack on equal numbers of members (``train``) and non-members
(``holdout``). What this module and the modules it imports do is part of
every cell's code fingerprint (``bench.run.fingerprint``); the grid around it
(``bench.run.runner``), the report and the command line are not.
"""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np

from bench.run import records
from bench.data.cohort import Cohort
from bench.errors import BenchInputError
from bench.evaluate.membership import draw_candidates, evaluate_membership
from bench.resources import cell_threads
from bench.api.synthesizer import Budget


@dataclass
class Suite:
    """What is loaded once per run: cohorts, synthesizer classes, metrics and attacks."""

    cohorts: dict[str, Cohort]
    synthesizers: dict[str, type]
    metrics: dict[str, type]
    attacks: dict[str, type]
    skipped: list[str]


@dataclass(frozen=True)
class Cell:
    cohort: str
    synthesizer: str
    seed: int
    spec: dict[str, Any]

    @property
    def key(self) -> str:
        return records.cell_key(self.spec)


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
    record: dict[str, Any] = {"key": cell.key, "spec": spec, "status": "ok", "error": None, "is_dp": cls.tags.is_dp,
                              "reference": cls.tags.reference, "display_name": cls.display_name or cls.name}
    timings: dict[str, float] = {}
    try:
        here = records.package_versions()
        if here != spec["versions"]:  # a cluster worker set up differently would compute other numbers
            differ = sorted(name for name in set(here) | set(spec["versions"]) if here.get(name) != spec["versions"].get(name))
            raise BenchInputError(f"this worker's packages differ from the run's: {', '.join(differ)}")
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
            suite, cohort, split, release, seed=cell.seed, profile=spec["profile"], timings=timings)
        record["attacks"], record["attack_errors"], record["attacks_skipped"], record["candidates"] = _run_attacks(
            suite, cohort, split, release, cell=cell, timings=timings
        )
    except Exception as exc:  # one failing cell must not stop the grid
        record["status"] = "error"
        record["error"] = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, BenchInputError):
            record["traceback_tail"] = traceback.format_exc().strip().splitlines()[-3:]
    record["timings"] = timings
    record["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return record


def _score_metrics(suite, cohort, split, release, *, seed, profile, timings):
    values, errors, not_applicable = {}, {}, {}
    given: dict[tuple, float] = {}
    start = time.perf_counter()
    for name, cls in suite.metrics.items():
        reason = cls.not_applicable(cohort.schema)
        if reason:
            not_applicable[name] = reason
            continue
        real = getattr(split, cls.real_split)
        try:
            config = cls.config_for(profile)
            key = (cls.real_split, config, cls.name)
            if key not in given:  # an earlier metric's breakdown on the same split and settings may have given it
                breakdown = cls(config).compute_breakdown(real, release, cohort.schema, seed=seed)
                given.update({(cls.real_split, config, other): value for other, value in breakdown.items()})
            value = given[key]
            values[name] = None if np.isnan(value) else value
        except Exception as exc:
            values[name] = None
            errors[name] = f"{type(exc).__name__}: {exc}"
    timings["metrics_s"] = time.perf_counter() - start
    return values, errors, not_applicable


def _run_attacks(suite, cohort, split, release, *, cell, timings):
    """Every attack on equal numbers of members and non-members; per-target attacks on the
    most outlying of them. Expensive attacks run on cheap synthesizers, or on all in ``paper``."""
    from bench.evaluate.membership import select_targets
    from bench.evaluate.shadow import ShadowTrainer

    seed, spec = cell.seed, cell.spec
    budget = cell_budget(spec)
    synth_cls = suite.synthesizers[cell.synthesizer]
    results, errors, skipped = {}, {}, {}
    candidates = draw_candidates(split.train, split.holdout, np.random.default_rng([seed, 0xCA4D]), split.patients)
    drawn = {"per_side": int(candidates.is_member.sum()), "available_per_side": candidates.available_per_side}
    for name, cls in suite.attacks.items():
        if cls.tags.expensive and not (synth_cls.tags.cheap_to_fit or spec["profile"] == "paper"):
            skipped[name] = "expensive attack: runs on cheap synthesizers, or on all in the paper profile"
            continue
        start = time.perf_counter()
        try:
            shadow = None
            if cls.tags.needs_shadow:
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
                "summary": cls.evaluator_summary(cohort.schema, release, members, non_members,
                                                 np.random.default_rng([seed, 0xA77]))
                if cls.evaluator_summary else {},
            }
        except Exception as exc:
            errors[name] = f"{type(exc).__name__}: {exc}"
        timings[f"attack_{name}_s"] = time.perf_counter() - start
    return results, errors, skipped, drawn


def _outlyingness(cohort, reference, candidates) -> np.ndarray:
    """Distance from each candidate to its 5th nearest reference record (the attacker's view)."""
    from sklearn.neighbors import NearestNeighbors

    from bench.data.encoding import TableEncoder

    encoder = TableEncoder(cohort.schema)
    index = NearestNeighbors(n_neighbors=5).fit(encoder.transform(reference))
    return index.kneighbors(encoder.transform(candidates.table))[0][:, -1]


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
