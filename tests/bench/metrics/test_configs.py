"""A metric's settings are a config per run profile: the metric uses them and the record states them."""

import dataclasses

import numpy as np
import pytest

from bench.api.registry import registry
from bench.metrics.downstream import DownstreamConfig, MortalityAUC, train_classifier
from bench.metrics.mmd import MaximumMeanDiscrepancy, MMDConfig
from bench.run.config import RunConfig
from bench.run.runner import load_suite, plan_cells

METRICS = registry("metrics")


@pytest.mark.parametrize("name", METRICS.names())
def test_a_metric_with_settings_has_frozen_quick_paper_and_smoke_configs(name):
    cls = METRICS.load(name)
    if not cls.profiles:
        assert cls.config_for("quick") is None and cls().config is None
        return
    assert {"quick", "paper", "smoke"} <= set(cls.profiles)
    for config in cls.profiles.values():
        assert dataclasses.is_dataclass(config) and hash(config) is not None  # frozen: recorded and shared
    assert cls().config == cls.config_for("quick")


def test_mmd_reads_its_subsample_from_the_config(mimic_split, mimic_small):
    real = mimic_split.train
    release = mimic_small.population.sample(len(real), np.random.default_rng(1))
    assert len(real) > 300
    quick = MaximumMeanDiscrepancy().compute(real, release, mimic_small.schema, seed=0)
    small = MaximumMeanDiscrepancy(MMDConfig(max_rows=300, bandwidth_rows=300))
    assert small.compute(real, release, mimic_small.schema, seed=0) != quick
    assert small.compute(real, release, mimic_small.schema, seed=0) == small.compute(real, release, mimic_small.schema, seed=0)


def test_the_downstream_model_is_built_from_the_config(mimic_split, mimic_small):
    from bench.metrics.downstream import outcome_features

    train = mimic_split.train
    features = outcome_features(mimic_small.schema).transform(train)
    labels = train[mimic_small.schema.outcomes["mortality"]].to_numpy()
    model = train_classifier(features, labels, 0, "test", DownstreamConfig(n_estimators=7, max_depth=2))
    assert (model.n_estimators, model.max_depth) == (7, 2)
    assert MortalityAUC.config_for("smoke").n_estimators < MortalityAUC.config_for("quick").n_estimators


def test_the_record_states_every_metric_setting(tmp_path):
    config = RunConfig(cohorts=("mimic3-sim",), synthesizers=("raw",), seeds=(0,), n_patients=1500, results_dir=tmp_path)
    suite = load_suite(config, warn=lambda message: None)
    (cell,) = plan_cells(config, suite)
    stated = cell.spec["evaluation"]["metric_configs"]
    assert set(stated) == set(suite.metrics)
    assert stated["mmd"] == dataclasses.asdict(MMDConfig())
    assert stated["mortality_auc"] == dataclasses.asdict(DownstreamConfig())
    assert stated["wasserstein"] is None  # no settings
