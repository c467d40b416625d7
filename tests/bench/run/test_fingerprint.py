"""A cell's code fingerprint follows what can change its numbers, and nothing else."""

import shutil
import subprocess
import sys

import pytest

from bench.run.fingerprint import module_closure
from bench.api.registry import registry
from tests.conftest import REPO

NOT_A_CELLS_CODE = {"bench.report.tables", "bench.cli", "bench.run.runner", "bench.report.frontier", "bench.perf", "bench.run.config",
                    "bench.api.registry", "bench.__main__", "bench.run.record"}  # record: how records are read back


def _cell_modules(synthesizer_module):
    attacks = sorted({cls.__module__ for cls in registry("attacks").load_all()[0].values()})
    metrics = sorted({cls.__module__ for cls in registry("metrics").load_all()[0].values()})
    return (synthesizer_module, *attacks, *metrics, "bench.run.cell")


def test_report_cli_and_runner_are_outside_every_cells_code():
    for cls in registry("synthesizers").load_all()[0].values():
        names = {name for name, _ in module_closure(_cell_modules(cls.__module__))}
        assert cls.__module__ in names and "bench.run.cell" in names and "bench.data.cohort" in names
        assert not names & NOT_A_CELLS_CODE, (cls.name, names & NOT_A_CELLS_CODE)


def test_lazy_imports_inside_functions_are_followed():
    names = {name for name, _ in module_closure(("baselines.dpgan",))}
    assert "bench.gan.adversarial" in names and "bench.privacy.sgd" in names  # imported inside methods


FINGERPRINT = ("import sys; from bench.run.fingerprint import code_fingerprint; "
               "print(code_fingerprint(*sys.argv[1:]))")


def _fingerprint(root, *modules):
    result = subprocess.run([sys.executable, "-c", FINGERPRINT, *modules], cwd=root, capture_output=True, text=True,
                            check=True)
    return result.stdout.strip()


@pytest.fixture()
def copy_of_the_project(tmp_path):
    for package in ("bench", "baselines", "attacks"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _append(path, text: str) -> None:
    """Append to a module of the copy, which must exist: a moved module must not make this a no-op."""
    assert path.is_file(), f"{path} does not exist"
    with open(path, "a") as handle:
        handle.write(text)


def test_a_change_to_the_report_leaves_every_record_valid(copy_of_the_project):
    root = copy_of_the_project
    cells = {name: _cell_modules(f"baselines.{name}") for name in ("raw", "dpgan")}
    before = {name: _fingerprint(root, *modules) for name, modules in cells.items()}
    _append(root / "bench" / "report" / "tables.py", "\n# a change to how tables look\n")
    assert {name: _fingerprint(root, *modules) for name, modules in cells.items()} == before
    _append(root / "bench" / "gan" / "adversarial.py", "\n# a change to DP-GAN training\n")
    after = {name: _fingerprint(root, *modules) for name, modules in cells.items()}
    assert after["raw"] == before["raw"] and after["dpgan"] != before["dpgan"]
    _append(root / "bench" / "evaluate" / "membership.py", "\n# a change to how attacks are scored\n")
    assert all(_fingerprint(root, *modules) != after[name] for name, modules in cells.items())



def test_the_cohort_code_and_split_plan_are_part_of_a_cells_identity():
    """The oracle draws from the simulation model and a split plan decides the parts: both are in a cell's key."""
    import dataclasses

    from bench.run.config import RunConfig
    from bench.run.fingerprint import code_fingerprint
    from bench.run.runner import load_suite, modules_of, plan_cells

    config = RunConfig(cohorts=("mimic3-sim",), synthesizers=("oracle",), attacks=("dcr",), metrics=("jsd_mean",),
                       seeds=(0,), n_patients=300)
    suite = load_suite(config, warn=lambda message: None)
    cohort = suite.cohorts["mimic3-sim"]
    cell = plan_cells(config, suite)[0]
    evaluated = (*modules_of(suite.attacks), *modules_of(suite.metrics), "bench.run.cell")
    assert cohort.loader == "bench.data.simulate"
    assert cell.spec["code"] == code_fingerprint("baselines.oracle", *evaluated, "bench.data.simulate", "bench.data.simulate")
    assert cell.spec["code"] != code_fingerprint("baselines.oracle", *evaluated)
    cohort.split_plan = dataclasses.replace(cohort.split_plan, test=0.2)
    assert plan_cells(config, suite)[0].key != cell.key
