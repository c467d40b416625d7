"""Tuning the quick-profile schedules of the GAN rows on the tuning cohort only.

No hyperparameter of a reported row is chosen on a reported cohort's private rows.
The quick-profile settings of the GAN synthesizers were chosen with this module on
``mimic3-sim-tuning`` (``bench.data.simulate.MIMIC3_SIM_TUNING``: the MIMIC-III-like
structural model drawn with its own seed and size, never in a results table):

    python -m bench.tuning dp-gan --epsilons 1,inf --seeds 0,1 --jobs 16 --out results/tuning

For each setting of a method's grid (``GRIDS``; one key varied at a time around the
current quick profile, or a full product with ``--product``) it fits the method on the
tuning cohort's ``train`` split at each epsilon and split seed, samples a release and
scores mortality AUC on the tuning cohort's ``test`` split and JSD mean / max against its
``train`` split, with the fit time. The table (``<out>/<method>.md``) ranks settings by
mean mortality AUC at the smallest epsilon, then at inf. The values chosen from it are
frozen in each synthesizer's ``profiles["quick"]`` and listed in the README ("Tuning").
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

TUNING_COHORT = "mimic3-sim-tuning"

# Around the quick profile: one key at a time (a value list per key).
GRIDS: dict[str, dict[str, list]] = {
    "dp-gan": {
        "epochs": [4.0, 8.0, 16.0, 32.0],
        "batch_size": [64, 128, 256, 512],
        "generator_lr": [2e-4, 5e-4, 1e-3, 2e-3],
        "discriminator_lr": [2e-4, 5e-4, 1e-3, 2e-3],
        "bins": [5, 10, 20],
        "tau_end": [0.1, 0.3, 1.0],
        "hidden": [128, 256, 512],
        "encoding": ["binned", "minmax"],
    },
    "dp-medgan": {
        "epochs": [1.5, 4.0, 8.0, 16.0],
        "batch_size": [64, 128, 256, 512],
        "generator_lr": [2e-4, 5e-4, 1e-3, 2e-3],
        "discriminator_lr": [2e-4, 5e-4, 1e-3, 2e-3],
        "encoding": ["binned", "minmax"],
    },
    "dp-gan-hd": {
        "epochs": [4.0, 8.0, 16.0],
        "batch_size": [64, 128, 256, 512],
        "generator_lr": [5e-4, 1e-3, 2e-3],
        "discriminator_lr": [5e-4, 1e-3, 2e-3],
        "encoding": ["binned", "minmax"],
    },
    "pate-gan": {
        "max_iterations": [300, 1000, 3000],
        "batch_size": [64, 256],
        "learning_rate": [2e-4, 1e-3],
        "teacher_learning_rate": [1e-3, 3e-3],
        "lam": [0.5, 1.0, 2.0],
    },
}


def settings(method: str, product: bool) -> list[dict]:
    """The settings to try: the quick profile itself, then variations of it."""
    grid = GRIDS[method]
    if product:
        keys = sorted(grid)
        return [dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]
    out = [{}]
    for key, values in grid.items():
        out += [{key: value} for value in values]
    return out


def evaluate(job: tuple[str, dict, float, int]) -> dict:
    """Fit one setting at one epsilon and split seed on the tuning cohort; scores only."""
    import torch

    torch.set_num_threads(1)
    from bench.data.cohort import CohortOptions
    from bench.metrics.downstream import MortalityAUC
    from bench.metrics.jensen_shannon import per_column_jsd
    from bench.api.registry import registry
    from bench.api.synthesizer import Budget

    method, overrides, epsilon, seed = job
    cohort = registry("cohorts").load(TUNING_COHORT)(CohortOptions())
    split = cohort.split(seed)
    cls = registry("synthesizers").load(method)
    config = dataclasses.replace(cls.config_for("quick"), **overrides)
    result = {"method": method, "overrides": overrides, "epsilon": "inf" if math.isinf(epsilon) else epsilon,
              "seed": seed}
    try:
        start = time.perf_counter()
        synth = cls.from_cohort(cohort, config, device="cpu")
        synth.fit(split.train, budget=Budget(epsilon, 1e-5), public=split.public, seed=seed)
        result["fit_s"] = time.perf_counter() - start
        release = synth.sample(len(split.train))
        jsd = per_column_jsd(split.train, release, cohort.schema)
        result |= {"jsd_mean": float(jsd.mean()), "jsd_max": float(jsd.max())}
        result["auc"] = float(MortalityAUC().compute(split.test, release, cohort.schema, seed=seed))
    except Exception as exc:  # a setting that fails is a result too
        result["error"] = f"{type(exc).__name__}: {exc}"
    return result


def summarise(results: list[dict], epsilons: list[float]) -> str:
    from collections import defaultdict

    import numpy as np
    from tabulate import tabulate

    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        groups[json.dumps(r["overrides"], sort_keys=True)][str(r["epsilon"])].append(r)
    labels = ["inf" if math.isinf(e) else e for e in epsilons]

    def mean(rows, key):
        values = [r[key] for r in rows if key in r]
        return float(np.mean(values)) if values else float("nan")

    rows = []
    for setting, by_eps in groups.items():
        row = [setting]
        for label in labels:
            runs = by_eps.get(str(label), [])
            row += [mean(runs, "auc"), mean(runs, "jsd_mean"), mean(runs, "jsd_max"), mean(runs, "fit_s")]
        errors = sorted({r["error"] for runs in by_eps.values() for r in runs if "error" in r})
        rows.append(row + ["; ".join(errors)[:80]])
    rows.sort(key=lambda row: tuple(-np.nan_to_num(row[1 + 4 * i], nan=-1) for i in range(len(labels))))
    headers = ["setting (change from quick)"]
    for label in labels:
        headers += [f"AUC ε={label}", f"JSD mean ε={label}", f"JSD max ε={label}", f"fit s ε={label}"]
    return tabulate(rows, headers=headers + ["errors"], tablefmt="github", floatfmt=".3f")


def main(argv: list[str] | None = None) -> int:
    from bench.run.config import parse_epsilons
    from bench.run.records import atomic_write_text

    parser = argparse.ArgumentParser(prog="python -m bench.tuning", description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=sorted(GRIDS))
    parser.add_argument("--epsilons", default="1,inf")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--product", action="store_true", help="every combination of the grid")
    parser.add_argument("--set", default="{}", help="JSON overrides applied to every setting (a new centre)")
    parser.add_argument("--out", type=Path, default=Path("results/tuning"))
    args = parser.parse_args(argv)
    epsilons = list(parse_epsilons(args.epsilons))
    seeds = [int(s) for s in args.seeds.split(",")]
    centre = json.loads(args.set)
    jobs = [(args.method, centre | s, e, seed) for s in settings(args.method, args.product) for e in epsilons
            for seed in seeds]
    results = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for result in pool.map(evaluate, jobs):
            results.append(result)
            print(json.dumps(result), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.method + ("-" + "-".join(f"{k}={v}" for k, v in sorted(centre.items())) if centre else "")
    atomic_write_text(args.out / f"{stem}.jsonl", "".join(json.dumps(r) + "\n" for r in results))
    header = (f"# Tuning `{args.method}` on `{TUNING_COHORT}` (quick profile"
              + (f", centre {json.dumps(centre)}" if centre else "") + f"), split seeds {args.seeds}\n\n"
              "Mean over split seeds; ranked by mortality AUC at the first epsilon. Produced by "
              f"`python -m bench.tuning {' '.join(argv if argv is not None else sys.argv[1:])}`.\n\n")
    atomic_write_text(args.out / f"{stem}.md", header + summarise(results, epsilons) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
