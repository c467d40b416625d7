"""Plugins: lazy loading, broken plugins skipped, unknown names with close matches."""

import pytest

from bench.errors import BenchInputError
from bench.api.registry import registry
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
    assert asked.returncode == 2 and "failed to load: ModuleNotFoundError" in asked.stderr


def _installed(tmp_path, monkeypatch, entry_points: str, module: str = "") -> None:
    """A real installed distribution on sys.path (metadata, and a module when given)."""
    dist = tmp_path / "odd_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: odd-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(entry_points)
    if module:
        (tmp_path / "odd_plugin_module.py").write_text(module)
    monkeypatch.syspath_prepend(str(tmp_path))


def test_an_entry_that_is_not_a_subclass_of_its_groups_base_is_refused(tmp_path, monkeypatch):
    from bench.api.registry import PluginLoadError

    _installed(tmp_path, monkeypatch, "[bench.attacks]\nnot-an-attack = odd_plugin_module:Thing\n"
               "[bench.metrics]\nan-attack-as-metric = attacks.dcr:DistanceToClosestRecord\n",
               module="class Thing:\n    pass\n")
    with pytest.raises(PluginLoadError, match=r"'not-an-attack' from odd-plugin failed to load: .*Thing.* is not a "
                                              r"subclass of bench\.api\.attack\.Attack"):
        registry("attacks").load("not-an-attack")
    loaded, failures = registry("metrics").load_all()
    assert "an-attack-as-metric" not in loaded and "mmd" in loaded
    assert [f.name for f in failures] == ["an-attack-as-metric"] and "bench.api.metric.Metric" in failures[0].error


def test_a_name_registered_twice_is_a_clear_error(tmp_path, monkeypatch):
    _installed(tmp_path, monkeypatch, "[bench.synthesizers]\nraw = odd_plugin_module:Raw\n")
    with pytest.raises(BenchInputError, match=r"synthesizer 'raw' is registered twice: by .*odd-plugin"):
        registry("synthesizers").names()
