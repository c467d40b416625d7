"""Command line: ``python -m bench {run,list,cohort,report,perf}``.

Bad input (an unknown name, data that disagrees with its schema, a bad
option) prints one line starting with ``error:`` and exits with status 2.
Heavy libraries are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.errors import BenchInputError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except BenchInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished cells are recorded; run again to resume", file=sys.stderr)
        return 130


# Long on purpose: the whole command line declared in one place, read top to bottom.
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="train, attack and score a grid of cells, then render the tables")
    run.add_argument("--all", action="store_true", help="every registered synthesizer")
    run.add_argument("--synthesizer", action="append", help="synthesizer name (repeatable)")
    run.add_argument("--attack", action="append", dest="attacks", help="attack name (repeatable; default: all)")
    run.add_argument("--metric", action="append", dest="metrics", help="metric name (repeatable; default: all)")
    run.add_argument("--cohort", action="append", help="cohort name (repeatable; default: mimic3-sim and eicu-sim)")
    run.add_argument("--epsilon", dest="epsilons",
                     help="privacy budget(s): a number or a comma list such as 0.1,0.3,1,3,10,inf "
                          "(inf: the same training without privacy)")
    run.add_argument("--delta", type=float)
    run.add_argument("--seeds", type=_seeds, help="a count N (seeds 0..N-1) or a comma list such as 0,5,7")
    run.add_argument("--profile", choices=("quick", "paper"))
    run.add_argument("--budget-mode", choices=("calibrated", "paper"), dest="budget_mode")
    run.add_argument("--allow-overspend", action="store_true", default=None, dest="allow_overspend")
    run.add_argument("--device", help="auto, cpu or cuda")
    run.add_argument("--config", type=Path, help="TOML run configuration; flags override it")
    run.add_argument("--results-dir", type=Path, dest="results_dir")
    run.add_argument("--force", action="store_true", default=None, help="recompute cells that have a record")
    run.add_argument("--patients", type=int, dest="n_patients", help="size of a simulated cohort")
    run.add_argument("--data-dir", type=Path, dest="data_dir", help="folder of a real database export")
    run.add_argument("--csv", type=Path, help="CSV file for the 'csv' cohort")
    run.add_argument("--schema", type=Path, help="schema JSON for the 'csv' cohort")
    run.add_argument("--jobs", type=int, help="cells run at once (default: the cores available)")
    run.add_argument("--executor", choices=("local", "ray"), help="local processes (default) or Ray tasks")
    run.add_argument("--address", help="Ray cluster to join (with --executor ray); default: start a local one")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)

    listing = sub.add_parser("list", help="registered synthesizers, attacks, metrics and cohorts")
    listing.set_defaults(handler=_list)

    cohort = sub.add_parser("cohort", help="inspect a cohort")
    cohort_sub = cohort.add_subparsers(dest="cohort_command", required=True)
    describe = cohort_sub.add_parser("describe", help="size, outcome prevalence and missingness of a cohort")
    describe.add_argument("name", help="cohort name (see `list`)")
    describe.add_argument("--data-dir", type=Path, dest="data_dir", help="folder of a real database export")
    describe.add_argument("--patients", type=int, dest="n_patients", help="size of a simulated cohort")
    describe.add_argument("--csv", type=Path, help="CSV file for the 'csv' cohort")
    describe.add_argument("--schema", type=Path, help="schema JSON for the 'csv' cohort")
    describe.set_defaults(handler=_describe)

    report = sub.add_parser("report", help="re-render every table from the records (no training)")
    report.add_argument("--results-dir", type=Path, default=Path("results"), dest="results_dir")
    report.set_defaults(handler=_report)

    perf = sub.add_parser("perf", help="time `run --all --profile quick` and `list`; figures into results/")
    perf.add_argument("--results-dir", type=Path, default=Path("results"), dest="results_dir")
    perf.add_argument("--keep-records", action="store_true", help="add the timed run's records to the results")
    perf.add_argument("--dp", action="store_true", help="time DP-SGD steps against the same steps without DP, and DP-GAN-HD per cluster size")
    perf.add_argument("--extraction", action="store_true",
                      help="time the mimic3 extraction on a fabricated CHARTEVENTS (--rows rows)")
    perf.add_argument("--rows", type=int, default=20_000_000, help="CHARTEVENTS rows for --extraction")
    perf.add_argument("--frontier", action="store_true",
                      help="time the frontier run (six budgets); a killed invocation is resumed by the next")
    perf.add_argument("--scaling", action="store_true",
                      help="time the raw cell's attacks and metrics on 10k, 50k and 200k-row cohorts")
    perf.set_defaults(handler=_perf)
    return parser


def _seeds(text: str) -> tuple[int, ...]:
    try:
        if "," in text:
            return tuple(int(s) for s in text.split(",") if s.strip())
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a seed count or list: {text!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError("need at least one seed")
    return tuple(range(count))


def _run(args: argparse.Namespace) -> int:
    from bench.run.config import build_config, load_toml, parse_epsilons
    from bench.report.tables import render_all
    from bench.run.runner import load_suite, run_grid

    if not args.all and not args.synthesizer:
        raise BenchInputError("say which synthesizers to run: --all or --synthesizer NAME")
    file_values = load_toml(args.config) if args.config else {}
    overrides = {
        key: getattr(args, key)
        for key in ("delta", "seeds", "profile", "budget_mode", "allow_overspend", "device",
                    "results_dir", "force", "n_patients", "data_dir", "csv", "schema", "executor", "jobs", "address")
    }
    overrides["epsilons"] = parse_epsilons(args.epsilons) if args.epsilons is not None else None
    overrides["cohorts"] = args.cohort
    overrides["attacks"] = args.attacks
    overrides["metrics"] = args.metrics
    overrides["synthesizers"] = () if args.all else tuple(args.synthesizer)
    if args.all and "synthesizers" in file_values:
        overrides["synthesizers"] = ()
    config = build_config(file_values, overrides)
    _check_writable(config.results_dir)
    suite = load_suite(config)
    grid = run_grid(config, suite, progress=not args.no_progress)
    written = render_all(config.results_dir)
    failed = sum(not r.ok for r in grid)
    metric_errors = sum(len(r.metric_errors) for r in grid)
    attack_errors = sum(len(r.attack_errors) for r in grid)
    print(f"records in {config.results_dir / 'records'}")
    print(f"tables: {config.results_dir / 'index.md'}")
    for path in written:
        if path.name == "table1_mia.md":
            print(f"  {path.parent}")
    print(f"{len(grid)} cells, {failed} failed, {metric_errors} metric errors, {attack_errors} attack errors")
    return 0


def _check_writable(results_dir: Path) -> None:
    """Fail before any training when the results cannot be written."""
    import os

    if results_dir.exists() and not results_dir.is_dir():
        raise BenchInputError(f"--results-dir {results_dir} is a file, not a folder")
    existing = next(p for p in (results_dir, *results_dir.absolute().parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise BenchInputError(f"--results-dir {results_dir}: {existing} is not writable")


def _list(args: argparse.Namespace) -> int:
    from bench.api.registry import GROUPS, registry

    broken = 0
    for kind in GROUPS:
        reg = registry(kind)
        loaded, failures = reg.load_all()
        print(f"{kind}:")
        for name, target in loaded.items():
            doc = (getattr(target, "__doc__", "") or "").strip().splitlines()
            summary = getattr(target, "display_name", "") or (doc[0] if doc else "")
            print(f"  {name:<16} {summary}  [{reg.distribution(name)}]")
        for failure in failures:
            broken += 1
            print(f"  {failure.name:<16} FAILED TO LOAD, skipped: {failure.error}  [{failure.distribution}]")
    if broken:
        print(f"{broken} plugin(s) failed to load and will be skipped")
    return 0


def _describe(args: argparse.Namespace) -> int:
    from bench.data.cohort import CohortOptions
    from bench.api.registry import registry

    options = CohortOptions(n_patients=args.n_patients, data_dir=args.data_dir, csv=args.csv, schema=args.schema)
    cohort = registry("cohorts").load(args.name)(options)
    print(describe_cohort(cohort))
    return 0


def describe_cohort(cohort) -> str:
    """Aggregates only: size, split sizes (seed 0), outcome prevalence, missingness."""
    table, schema = cohort.table, cohort.schema
    lines = [f"{cohort.name}: {cohort.description}", f"rows: {len(table):,}; columns: {len(schema.columns)}"]
    try:
        sizes = cohort.split(0).sizes()
        lines.append("split (seed 0): " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    except BenchInputError as exc:
        lines.append(f"split: not possible ({exc})")
    for role, column in schema.outcomes.items():
        positives = int(table[column].sum())
        lines.append(f"{role} ({column}): {positives:,} of {len(table):,} ({100 * positives / len(table):.1f}%)")
    missing = table.isna().mean()
    missing = missing[missing > 0].sort_values(ascending=False)
    if len(missing):
        lines.append("missing values (share of rows):")
        lines += [f"  {name:<22} {100 * share:5.1f}%" for name, share in missing.items()]
    else:
        lines.append("missing values: none")
    return "\n".join(lines)


def _report(args: argparse.Namespace) -> int:
    from bench.run.record import load_records
    from bench.report.tables import render_all

    if not load_records(args.results_dir):
        raise BenchInputError(f"no run records in {args.results_dir / 'records'}; run `python -m bench run` first")
    for path in render_all(args.results_dir):
        print(path)
    return 0


def _perf(args: argparse.Namespace) -> int:
    from bench.perf import (run_cluster_perf, run_dp_perf, run_extraction_perf, run_fit_step_perf, run_frontier_perf,
                            run_perf, run_scaling_perf)

    if args.frontier:
        run_frontier_perf(args.results_dir, keep_records=args.keep_records)
    elif args.scaling:
        run_scaling_perf(args.results_dir)
    elif args.extraction:
        run_extraction_perf(args.results_dir, args.rows)
    elif args.dp:
        run_dp_perf(args.results_dir)
        run_fit_step_perf(args.results_dir)
        run_cluster_perf(args.results_dir)
    else:
        run_perf(args.results_dir, keep_records=args.keep_records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
