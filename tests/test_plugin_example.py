"""The example third-party plugin, installed for real, is listed and run by the CLI."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_cli


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory):
    """The example plugin installed for real, into a folder of its own (put it on PYTHONPATH)."""
    target = tmp_path_factory.mktemp("site")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(REPO / "examples" / "bench-example-plugin")],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr
    return target


def test_example_plugin_installs_lists_and_runs(installed_plugin, tmp_path):
    env = {"PYTHONPATH": str(installed_plugin)}
    listing = run_cli("list", env=env)
    assert "independent-marginals" in listing.stdout and "bench-example-plugin" in listing.stdout
    results = tmp_path / "results"
    run = run_cli("run", "--synthesizer", "independent-marginals", "--attack", "dcr", "--cohort", "mimic3-sim",
                  "--patients", "1500",
                  "--seeds", "1", "--results-dir", str(results), "--no-progress", env=env)
    assert run.returncode == 0, run.stderr
    full = next(results.glob("quick/*/full.md")).read_text()
    assert "independent-marginals" in full


def test_example_plugins_own_tests_run_the_shipped_conformance_suite(installed_plugin, tmp_path):
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(installed_plugin), str(REPO)])}
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(REPO / "examples" / "bench-example-plugin" / "tests")],
                           capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert tests.returncode == 0, tests.stdout[-2000:] + tests.stderr[-2000:]
    assert "1 passed" in tests.stdout
