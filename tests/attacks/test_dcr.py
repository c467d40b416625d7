import numpy as np
import pytest

from attacks.dcr import DistanceToClosestRecord
from bench.cohort import CohortOptions
from bench.membership import draw_candidates, evaluate_membership
from bench.simulate import mimic3_sim
from tests.helpers import contaminate


@pytest.fixture(scope="module")
def setting():
    cohort = mimic3_sim(CohortOptions())  # the default size: 1,350 members and 1,350 non-members
    split = cohort.split(seed=0)
    candidates = draw_candidates(split.train, split.holdout, np.random.default_rng(0))
    return cohort, split, candidates


def _attack(setting, release, seed=0):
    cohort, split, candidates = setting
    scores = DistanceToClosestRecord(cohort.schema).fit(release, split.reference, seed=seed).score(candidates.table)
    return scores, evaluate_membership(scores, candidates.is_member, np.random.default_rng(seed))


def test_raw_release_is_fully_exposed(setting):
    _, split, _ = setting
    _, result = _attack(setting, split.train)
    assert result.success > 0.95 and result.auc > 0.99


def test_fresh_population_draws_sit_at_chance(setting):
    cohort, split, candidates = setting
    fresh = cohort.population.sample(len(split.train), np.random.default_rng(99))
    _, result = _attack(setting, fresh)
    n1 = n0 = candidates.is_member.sum()
    null_sd = np.sqrt((n1 + n0 + 1) / (12 * n1 * n0))  # sd of AUC under no signal (Mann-Whitney)
    assert abs(result.auc - 0.5) < 2.5 * null_sd
    assert abs(result.success - 0.5) < 0.05


def test_noisy_copy_of_training_rows_is_above_chance(setting):
    cohort, split, _ = setting
    noisy = split.train.copy()
    for col in cohort.schema.of_kind("continuous"):
        noisy[col.name] = (noisy[col.name] + np.random.default_rng(1).normal(0, 0.02 * (col.high - col.low), len(noisy))).clip(col.low, col.high)
    _, result = _attack(setting, noisy)
    assert 0.6 < result.auc < 1.0


def test_scores_are_deterministic(setting):
    cohort, split, _ = setting
    release = contaminate(split.train, cohort.schema, 0.5, np.random.default_rng(2))
    a, _ = _attack(setting, release)
    b, _ = _attack(setting, release)
    assert np.array_equal(a, b)
