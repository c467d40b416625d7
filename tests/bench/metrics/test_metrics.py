"""Every registered metric ranks releases in the right order: real, good, bad, worst."""

import numpy as np
import pytest

from bench.api.registry import registry
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


def test_a_breakdown_gives_what_each_metric_means(releases, mimic_split, mimic_small):
    """Computed independently: the model's scores through scikit-learn, the per-column divergences by hand."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    from bench.metrics.downstream import DownstreamConfig, _mortality_scores
    from bench.metrics.jensen_shannon import per_column_jsd

    schema, release = mimic_small.schema, releases["good"]
    mortality = METRICS.load("mortality_auc")().compute_breakdown(mimic_split.test, release, schema, seed=5)
    truth, predicted = _mortality_scores(mimic_split.test, release, schema, np.random.default_rng([5, 0x3E7]),
                                        DownstreamConfig())
    assert mortality == {"mortality_auc": roc_auc_score(truth, predicted),
                         "mortality_auprc": average_precision_score(truth, predicted)}
    assert mortality["mortality_auc"] != mortality["mortality_auprc"]
    jsd = METRICS.load("jsd_max")().compute_breakdown(mimic_split.train, release, schema, seed=5)
    per_column = per_column_jsd(mimic_split.train, release, schema)
    assert jsd == {"jsd_mean": per_column.mean(), "jsd_max": per_column.max()} and jsd["jsd_mean"] < jsd["jsd_max"]


def test_a_cell_trains_one_model_per_outcome(releases, mimic_split, mimic_small, monkeypatch):
    from bench.run.cell import Suite, _score_metrics
    from bench.metrics import downstream

    fits = []
    original = downstream.train_classifier
    monkeypatch.setattr(downstream, "train_classifier", lambda *a, **k: fits.append(a[3]) or original(*a, **k))
    metrics = {name: METRICS.load(name) for name in METRICS.names()}
    suite = Suite({}, {}, metrics, {}, [])
    values, errors, _ = _score_metrics(suite, mimic_small, mimic_split, releases["good"], seed=0, profile="quick",
                                      timings={})
    assert not errors and all(values[name] is not None for name in metrics)
    assert sorted(fits) == ["mortality", "readmission"]  # AUC and AUPRC share one model
