"""DP-GAN-HD: clipping and fitness read public rows only; the ledger is the accountant's."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from baselines.dpganhd import DPGANHD, DPGANHDFixedClip, DPGANHDSingleGenerator
from bench.api.synthesizer import Budget
from tests.bench.privacy.test_privacy import _independent_epsilon

SMALL = dict(epochs=0.5, batch_size=64, generators=4, generation_interval=5, fitness_samples=100)


def _config(cls, **extra):
    return dataclasses.replace(cls.config_for("quick"), **(SMALL | extra))


class SpyingDPGANHD(DPGANHD):
    """Records, without changing them, the rows the fitness classifier is trained on."""

    def _fit_fitness_classifier(self, public):
        self.fitness_training_rows = public.copy()
        super()._fit_fitness_classifier(public)


@pytest.fixture(scope="module")
def planted_train(mimic_small, mimic_split):
    """The training split plus one unmistakable patient (every continuous value at its upper bound)."""
    row = mimic_split.train.iloc[[0]].copy()
    for col in mimic_small.schema.columns:
        if col.kind == "continuous":
            row[col.name] = col.high
    return pd.concat([mimic_split.train, row], ignore_index=True)


@pytest.fixture(scope="module")
def fitted(mimic_small, mimic_split, planted_train):
    return SpyingDPGANHD(mimic_small.schema, _config(DPGANHD)).fit(
        planted_train, budget=Budget(), public=mimic_split.public, seed=0
    )


def test_fitness_is_trained_on_public_rows_only(fitted, mimic_split, planted_train, mimic_small):
    seen = fitted.fitness_training_rows
    pd.testing.assert_frame_equal(seen.reset_index(drop=True), mimic_split.public.reset_index(drop=True))
    planted = planted_train.iloc[-1]
    continuous = [c.name for c in mimic_small.schema.columns if c.kind == "continuous"]
    assert not (seen[continuous] == planted[continuous]).all(axis=1).any(), "the planted private row reached Q"
    assert fitted.fit_info_["generations"] >= 2 and len(fitted.fit_info_["final_fitness"]) == 4


def test_clipping_threshold_adapts_and_costs_nothing(fitted):
    details = fitted.privacy_spent_.details
    assert details["max_grad_norm"].startswith("adaptive") and details["clip_mean"] > 0
    assert details["clipping_threshold_from"] == "public split (costs no privacy)"
    thresholds = [t.value for t in fitted.clip_trace_]
    assert len(thresholds) == details["steps"] and len(set(thresholds)) > 1
    # Besides DP-SGD, only the outcome histogram the generators are conditioned on is charged.
    assert details["epsilon_outside_sgd"] == {
        "condition histograms (diffprivlib)": pytest.approx(fitted.config.condition_budget_share * 1.0)
    }


def test_ledger_matches_an_independent_accountant(fitted):
    spent = fitted.privacy_spent_
    (history,) = spent.details["sgd_history"]
    theirs = _independent_epsilon(history["noise_multiplier"], history["sample_rate"], history["steps"], 1e-5)
    outside = sum(spent.details["epsilon_outside_sgd"].values())  # the outcome histogram
    assert spent.epsilon == pytest.approx(theirs + outside, rel=0.02)
    assert spent.epsilon <= 1.0


def test_paper_mode_uses_the_papers_sigma_and_reports_the_composed_epsilon(mimic_small, mimic_split):
    budget = Budget(epsilon=0.5, delta=1e-5, mode="paper", allow_overspend=True)
    synth = DPGANHD(mimic_small.schema, _config(DPGANHD, epochs=3.0)).fit(
        mimic_split.train, budget=budget, public=mimic_split.public, seed=0
    )
    spent = synth.privacy_spent_
    assert spent.details["noise_multiplier"] == pytest.approx(math.sqrt(2 * math.log(1.25 / 1e-5)) / 0.5)
    (history,) = spent.details["sgd_history"]
    outside = sum(spent.details["epsilon_outside_sgd"].values())
    assert spent.epsilon == pytest.approx(
        _independent_epsilon(history["noise_multiplier"], history["sample_rate"], history["steps"], 1e-5) + outside,
        rel=0.02,
    )
    assert spent.details["overspent"] == (spent.epsilon > 0.5)


def test_ablations(mimic_small, mimic_split):
    fixed = DPGANHDFixedClip(mimic_small.schema, _config(DPGANHDFixedClip)).fit(
        mimic_split.train, budget=Budget(), public=mimic_split.public, seed=0
    )
    assert fixed.privacy_spent_.details["max_grad_norm"] == 1.0 and fixed.clip_trace_ == []
    single = DPGANHDSingleGenerator(mimic_small.schema, _config(DPGANHDSingleGenerator, generators=1)).fit(
        mimic_split.train, budget=Budget(), public=mimic_split.public, seed=0
    )
    assert single.fit_info_["generations"] == 0 and len(single.fit_info_["final_fitness"]) == 1
    mimic_small.schema.validate(single.sample(100))


def test_needs_a_public_split(mimic_small, mimic_split):
    from bench.errors import BenchInputError

    with pytest.raises(BenchInputError, match="public split"):
        DPGANHD(mimic_small.schema, _config(DPGANHD)).fit(mimic_split.train, budget=Budget(), public=None, seed=0)


def test_fitness_does_not_reward_a_generator_that_drops_a_class():
    from baselines.dpganhd import balanced_accuracy

    survivors_only = np.zeros(100, dtype=int)
    assert balanced_accuracy(survivors_only, survivors_only) == 0.5  # perfect agreement, one class: 0.5
    labels = np.array([0] * 90 + [1] * 10)
    predicted = np.array([0] * 85 + [1] * 5 + [1] * 6 + [0] * 4)
    assert balanced_accuracy(labels, predicted) == pytest.approx((85 / 90 + 6 / 10) / 2)
