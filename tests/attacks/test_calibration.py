"""Calibration of the attack suite: exposed on a raw release, at chance on fresh draws,
above chance on an overfitting release, deterministic for a seed."""

import numpy as np
import pandas as pd
import pytest

from bench.data.cohort import CohortOptions
from bench.evaluate.membership import draw_candidates, evaluate_membership
from bench.api.registry import registry
from bench.data.simulate import eicu_sim, mimic3_sim

ATTACKS = registry("attacks")
FULL_SET = [n for n in ATTACKS.names() if not getattr(ATTACKS.load(n).config_for("quick"), "targets_per_side", None)]


@pytest.fixture(scope="module", params=[mimic3_sim, eicu_sim], ids=["mimic3-sim", "eicu-sim"])
def setting(request):
    cohort = request.param(CohortOptions())  # default sizes: at least 1,000 members and non-members
    split = cohort.split(seed=0)
    candidates = draw_candidates(split.train, split.holdout, np.random.default_rng(0))
    return cohort, split, candidates


def _attack(name, setting, release, seed=0):
    cohort, split, candidates = setting
    attack = ATTACKS.load(name)(cohort.schema).fit(release, split.reference, seed=seed)
    scores = attack.score(candidates.table)
    return scores, evaluate_membership(scores, candidates.is_member, np.random.default_rng(seed))


def test_full_set_attacks_are_registered():
    assert set(FULL_SET) >= {"dcr", "domias", "logan", "nnaa"}


@pytest.mark.parametrize("name", FULL_SET)
def test_raw_release_is_exposed(name, setting):
    _, split, _ = setting
    _, result = _attack(name, setting, split.train)
    assert result.auc > 0.95, result
    assert result.success > (0.95 if name == "dcr" else 0.85), result


@pytest.mark.parametrize("name", FULL_SET)
def test_fresh_draws_sit_at_chance(name, setting):
    cohort, split, _ = setting
    fresh = cohort.population.sample(len(split.train), np.random.default_rng(99))
    _, result = _attack(name, setting, fresh)
    low, high = result.intervals["auc"]
    assert low <= 0.5 <= high, result
    assert result.tpr_at_1pct_fpr < 0.05


def _noisy_copy(cohort, split, scale=0.03):
    rng = np.random.default_rng(1)
    noisy = split.train.copy()
    for col in cohort.schema.of_kind("continuous"):
        noise = rng.normal(0, scale * (col.high - col.low), len(noisy))
        noisy[col.name] = (noisy[col.name] + noise).clip(col.low, col.high)
    return noisy


def _half_copied(cohort, split):
    """Half the release is training rows copied, half fresh population draws: no global artifact."""
    rng = np.random.default_rng(2)
    copied = split.train.iloc[rng.choice(len(split.train), len(split.train) // 2, replace=False)]
    fresh = cohort.population.sample(len(split.train) - len(copied), rng)
    return pd.concat([copied, fresh], ignore_index=True)


def test_every_attack_catches_copied_rows_and_the_strongest_dominates(setting):
    cohort, split, _ = setting
    results = {name: _attack(name, setting, _half_copied(cohort, split))[1] for name in FULL_SET}
    for name, result in results.items():
        assert result.intervals["auc"][0] > 0.55, (name, result)
    # the report's rule: Table 1 shows the best success among full-candidate-set attacks; a per-target
    # attack scored on a handful of records never enters the maximum, however high its success
    from bench.report.tables import _mia_cell, _strongest
    from bench.run.record import CellSpec, Record

    attacks = {name: r.as_dict() | {"full_candidate_set": True} for name, r in results.items()}
    attacks["per-target"] = results["dcr"].as_dict() | {"success": 0.99, "full_candidate_set": False}
    spec = CellSpec(cohort=cohort.name, synthesizer="half-copied", seed=0, profile="quick", delta=1e-5, code="",
                    evaluation={}, versions={})
    record = Record(key="half-copied", spec=spec, status="ok", error=None, is_dp=False, reference=False,
                    display_name="half copied", attacks=attacks)
    best = max(results, key=lambda name: results[name].success)
    assert _strongest(record)[0] == best and results[best].success > 0.65
    assert _mia_cell([record]) == f"{100 * results[best].success:.1f}"


def test_noisy_copy_of_training_rows_is_caught(setting):
    cohort, split, _ = setting
    results = {name: _attack(name, setting, _noisy_copy(cohort, split))[1] for name in FULL_SET}
    above_chance = [name for name, r in results.items() if r.intervals["auc"][0] > 0.55]
    # The distance and density attacks see it; a release-vs-population classifier (LOGAN) is
    # distracted by the noise itself, which sets every real record apart from the release.
    assert {"dcr", "nnaa", "domias"} <= set(above_chance), results
    assert max(r.success for r in results.values()) > 0.65


@pytest.mark.parametrize("name", FULL_SET)
def test_scores_are_deterministic_for_a_seed(name, setting):
    cohort, split, _ = setting
    noisy = _noisy_copy(cohort, split)
    a, _ = _attack(name, setting, noisy, seed=3)
    b, _ = _attack(name, setting, noisy, seed=3)
    assert np.array_equal(a, b)

