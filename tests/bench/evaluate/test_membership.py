import numpy as np

from bench.evaluate.membership import draw_candidates, evaluate_membership


def test_perfect_separation_scores_one():
    labels = np.r_[np.ones(500, bool), np.zeros(500, bool)]
    scores = labels.astype(float) + np.random.default_rng(0).normal(0, 0.01, 1000)
    result = evaluate_membership(scores, labels, np.random.default_rng(0))
    assert result.success == 1.0 and result.auc == 1.0 and result.tpr_at_1pct_fpr == 1.0


def test_uninformative_scores_sit_at_chance():
    rng = np.random.default_rng(1)
    labels = np.r_[np.ones(2000, bool), np.zeros(2000, bool)]
    result = evaluate_membership(rng.normal(size=4000), labels, rng)
    assert abs(result.success - 0.5) < 0.04
    assert abs(result.auc - 0.5) < 0.04
    assert result.tpr_at_1pct_fpr < 0.05


def test_inverted_scores_do_not_flatter_the_attack():
    labels = np.r_[np.ones(500, bool), np.zeros(500, bool)]
    result = evaluate_membership(-labels.astype(float), labels, np.random.default_rng(0))
    assert result.success <= 0.5 and result.auc == 0.0


def test_candidates_are_balanced(mimic_split):
    candidates = draw_candidates(mimic_split.train, mimic_split.holdout, np.random.default_rng(0))
    n = min(len(mimic_split.train), len(mimic_split.holdout))
    assert candidates.is_member.sum() == n and (~candidates.is_member).sum() == n
    assert len(candidates.table) == 2 * n


def test_candidates_are_distinct_patients_when_the_split_knows_them(mimic_small):
    import dataclasses

    from bench.data.cohort import Cohort
    from bench.evaluate.membership import draw_candidates

    rng = np.random.default_rng(0)
    n = len(mimic_small.table)
    patients = rng.integers(0, n // 3, size=n).astype(str)
    cohort = Cohort("grouped", mimic_small.table.assign(pid=patients),
                    dataclasses.replace(mimic_small.schema, patient="pid"))
    split = cohort.split(0)
    assert split.most_rows_of_one_patient() > 1 and mimic_small.split(0).most_rows_of_one_patient() == 1
    candidates = draw_candidates(split.train, split.holdout, np.random.default_rng(1), split.patients)
    members = candidates.table[candidates.is_member]
    # every member is a different patient: map the rows back to their owners
    owner = dict(zip(map(tuple, split.train.astype(str).to_numpy()), split.patients["train"]))
    owners = [owner[tuple(row)] for row in members.astype(str).to_numpy()]
    assert len(owners) == len(set(owners)) == candidates.is_member.sum()
    assert candidates.is_member.sum() == (~candidates.is_member).sum() <= len(set(split.patients["holdout"]))


def test_candidates_stop_growing_at_the_cap_and_say_so():
    import pandas as pd

    from bench.evaluate.membership import MAX_CANDIDATES_PER_SIDE, draw_candidates

    big = pd.DataFrame({"x": np.arange(3 * MAX_CANDIDATES_PER_SIDE)})
    candidates = draw_candidates(big, big.iloc[: 2 * MAX_CANDIDATES_PER_SIDE], np.random.default_rng(0))
    assert candidates.is_member.sum() == (~candidates.is_member).sum() == MAX_CANDIDATES_PER_SIDE
    assert candidates.available_per_side == 2 * MAX_CANDIDATES_PER_SIDE
    small = draw_candidates(big.iloc[:100], big.iloc[100:180], np.random.default_rng(0))
    assert small.is_member.sum() == small.available_per_side == 80
