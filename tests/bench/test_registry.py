"""Plugins: lazy loading, broken plugins skipped, unknown names with close matches."""

import pytest

from bench.errors import BenchInputError
from bench.registry import registry
from tests.conftest import run_cli


def test_built_ins_come_through_entry_points():
    synthesizers = registry("synthesizers")
    assert {"raw", "k-anonymity", "oracle"} <= set(synthesizers.names())
    assert synthesizers.distribution("raw") == "icu-synthetic-privacy-bench"
    assert synthesizers.load("raw").name == "raw"


def test_unknown_name_suggests_close_matches():
    with pytest.raises(BenchInputError, match="did you mean k-anonymity"):
        registry("synthesizers").load("k-anon")


def test_broken_plugin_is_reported_and_skipped(tmp_path):
    # A real installed distribution (metadata on sys.path) whose target cannot be imported.
    dist = tmp_path / "broken_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[bench.synthesizers]\nbroken = broken_plugin_module:Nothing\n")
    env = {"PYTHONPATH": str(tmp_path)}
    listing = run_cli("list", env=env)
    assert listing.returncode == 0
    assert "broken" in listing.stdout and "FAILED TO LOAD" in listing.stdout and "broken-plugin" in listing.stdout
    assert "  raw " in listing.stdout
    run = run_cli("run", "--all", "--attack", "dcr", "--cohort", "mimic3-sim", "--patients", "300", "--seeds", "1",
                  "--results-dir", str(tmp_path / "results"), "--no-progress", env=env)
    assert run.returncode == 0, run.stderr
    assert "synthesizer 'broken' (broken-plugin) skipped" in run.stderr
    asked = run_cli("run", "--synthesizer", "broken", "--results-dir", str(tmp_path / "r2"), env=env)
    assert asked.returncode == 2 and "failed to import" in asked.stderr
