"""A cell's record is the same bytes whichever executor ran it: one process, local workers, or Ray."""

import pytest

from tests.conftest import run_cli

# 4 cells: a release of the rows and a DP-SGD GAN (torch's thread count must not change its numbers), 2 seeds
GRID = ["run", "--synthesizer", "raw", "--synthesizer", "dp-gan",
        "--cohort", "mimic3-sim", "--patients", "400", "--seeds", "2", "--attack", "dcr",
        "--metric", "mortality_auc", "--metric", "jsd_mean", "--no-progress"]


def _records(folder):
    return {p.name: p.read_bytes() for p in (folder / "records").glob("*.json") if not p.name.endswith(".run.json")}


def _run(tmp_path, name, *extra):
    folder = tmp_path / name
    result = run_cli(*GRID, "--results-dir", str(folder), *extra)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "4 cells, 0 failed, 0 metric errors, 0 attack errors"
    return folder


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("executors"), "serial", "--jobs", "1")


def test_local_workers_write_the_same_records_as_one_process(serial, tmp_path):
    parallel = _run(tmp_path, "parallel", "--jobs", "2")
    assert len(_records(serial)) == 4
    assert _records(parallel) == _records(serial)
    run_info = (parallel / "records").glob("*.run.json")
    assert all('"local, 2 job(s) x 1 thread(s)"' in p.read_text() for p in run_info)


def test_a_two_worker_local_ray_cluster_writes_the_same_records(serial, tmp_path):
    pytest.importorskip("ray")
    on_ray = _run(tmp_path, "ray", "--executor", "ray", "--jobs", "2")
    assert _records(on_ray) == _records(serial)
    assert all("ray (local cluster)" in p.read_text() for p in (on_ray / "records").glob("*.run.json"))


def test_a_worker_with_other_package_versions_records_a_failure_not_a_number(mimic_small):
    from bench.run.cell import Cell, Suite, run_cell
    from bench.run.records import package_versions
    from bench.api.registry import registry

    spec = {"cohort": "m", "synthesizer": "raw", "budget": None, "delta": 1e-5, "profile": "quick", "seed": 0,
            "versions": package_versions() | {"numpy": "0.0.1"}}
    suite = Suite({"m": mimic_small}, {"raw": registry("synthesizers").load("raw")}, {}, {}, [])
    record = run_cell(Cell("m", "raw", 0, spec), suite)
    assert record["status"] == "error" and "packages differ from the run's: numpy" in record["error"]
