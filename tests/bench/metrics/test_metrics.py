"""Every registered metric ranks releases in the right order: real, good, bad, worst."""

import numpy as np
import pytest

from bench.registry import registry
from tests.helpers import contaminate, uniform_table

METRICS = registry("metrics")
FIDELITY = [n for n in METRICS.names() if METRICS.load(n).real_split == "train"]
UTILITY = [n for n in METRICS.names() if METRICS.load(n).real_split == "test"]


@pytest.fixture(scope="module")
def releases(mimic_small, mimic_split):
    rng = np.random.default_rng(0)
    train = mimic_split.train
    fresh = mimic_small.population.sample(len(train), rng)
    return {
        "real": train,
        "good": fresh,
        "bad": contaminate(fresh, mimic_small.schema, 0.3, rng),
        "worst": uniform_table(mimic_small.schema, len(train), rng),
    }


@pytest.mark.parametrize("name", FIDELITY)
def test_fidelity_metric_ranks_releases(name, releases, mimic_split, mimic_small):
    metric = METRICS.load(name)()
    values = {k: metric.compute(mimic_split.train, v, mimic_small.schema, seed=0) for k, v in releases.items()}
    order = ["real", "good", "bad", "worst"]
    if metric.goal == "maximize":
        order.reverse()
    ranked = [values[k] for k in order]
    assert ranked[0] <= ranked[1] + 1e-3, values
    assert ranked[1] < ranked[2] < ranked[3], values


@pytest.mark.parametrize("name", UTILITY)
def test_utility_metric_separates_informative_from_shuffled_labels(name, releases, mimic_split, mimic_small):
    metric = METRICS.load(name)()
    schema = mimic_small.schema
    rng = np.random.default_rng(1)
    shuffled = releases["good"].copy()
    for outcome in schema.outcomes.values():
        shuffled[outcome] = rng.permutation(shuffled[outcome].to_numpy())
    real = metric.compute(mimic_split.test, releases["real"], schema, seed=0)
    good = metric.compute(mimic_split.test, releases["good"], schema, seed=0)
    bad = metric.compute(mimic_split.test, shuffled, schema, seed=0)
    assert metric.goal == "maximize"
    assert real > bad and good > bad, (real, good, bad)
    assert metric.min_value <= min(real, good, bad) and max(real, good, bad) <= metric.max_value


def test_mortality_auc_of_real_training_data_is_clinically_plausible(mimic_split, mimic_small):
    auc = METRICS.load("mortality_auc")().compute(mimic_split.test, mimic_split.train, mimic_small.schema, seed=0)
    assert 0.75 < auc < 0.95


def test_jsd_is_zero_for_identical_tables_and_one_for_disjoint_support(mimic_split, mimic_small):
    metric = METRICS.load("jsd_max")()
    assert metric.compute(mimic_split.train, mimic_split.train, mimic_small.schema, seed=0) == 0.0
    men = mimic_split.train.assign(sex="M")
    women = mimic_split.train.assign(sex="F")
    assert metric.compute(men, women, mimic_small.schema, seed=0) == pytest.approx(1.0)


@pytest.mark.parametrize("name", METRICS.names())
def test_metrics_are_deterministic_for_a_seed(name, releases, mimic_split, mimic_small):
    metric = METRICS.load(name)()
    real = getattr(mimic_split, metric.real_split)
    values = [metric.compute(real, releases["bad"], mimic_small.schema, seed=3) for _ in range(2)]
    assert np.isfinite(values[0]) and values[0] == values[1]
