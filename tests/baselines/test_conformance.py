"""Every registered synthesizer obeys the same contract (generated from the registry)."""

import dataclasses

import pandas as pd
import pytest

from bench.api.registry import registry
from bench.api.synthesizer import Budget, Synthesizer

SYNTHESIZERS = registry("synthesizers")
NAMES = SYNTHESIZERS.names()


def _fit(name, cohort, split, seed=0, budget=Budget()):
    cls = SYNTHESIZERS.load(name)
    config = cls.config_for("quick")
    if hasattr(config, "epochs"):  # the contract, not the quality: a fraction of an epoch will do
        config = dataclasses.replace(config, epochs=0.2)
    if hasattr(config, "max_iterations"):  # likewise a few PATE-GAN iterations
        config = dataclasses.replace(config, max_iterations=10)
    synth = cls.from_cohort(cohort, config)
    return synth, synth.fit(split.train, budget=budget, public=split.public, seed=seed)


@pytest.mark.parametrize("name", NAMES)
def test_fit_returns_self_and_sample_follows_the_schema(name, mimic_small, mimic_split):
    before = {part: getattr(mimic_split, part).copy() for part in ("train", "public")}
    synth, fitted = _fit(name, mimic_small, mimic_split)
    assert fitted is synth and isinstance(synth, Synthesizer)
    release = synth.sample(300)
    for part, frame in before.items():  # a split is shared by every cell of its cohort and seed
        pd.testing.assert_frame_equal(getattr(mimic_split, part), frame, obj=f"{name} changed the {part} split")
    assert list(release.columns) == mimic_small.schema.names
    assert len(release) == 300
    mimic_small.schema.validate(release)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_rows(name, mimic_small, mimic_split):
    a = _fit(name, mimic_small, mimic_split, seed=4)[0].sample(200)
    b = _fit(name, mimic_small, mimic_split, seed=4)[0].sample(200)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_privacy_report_is_honest(name, mimic_small, mimic_split):
    budget = Budget(epsilon=1.0, delta=1e-5)
    synth, _ = _fit(name, mimic_small, mimic_split, budget=budget)
    if synth.tags.is_dp:
        spent = synth.privacy_spent_
        assert spent is not None and spent.accountant
        assert spent.epsilon <= budget.epsilon * (1 + 1e-9)
        assert spent.delta <= budget.delta
    else:
        assert synth.privacy_spent_ is None


def test_sample_before_fit_is_an_error(mimic_small):
    synth = SYNTHESIZERS.load("raw").from_cohort(mimic_small)
    with pytest.raises(RuntimeError, match="call fit before sample"):
        synth.sample(10)


def test_fit_rejects_data_that_disagrees_with_the_schema(mimic_small, mimic_split):
    from bench.errors import BenchInputError

    synth = SYNTHESIZERS.load("raw").from_cohort(mimic_small)
    with pytest.raises(BenchInputError, match="missing column"):
        synth.fit(mimic_split.train.drop(columns=["age"]), budget=Budget(), seed=0)
