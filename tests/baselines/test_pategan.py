"""PATE-GAN: fixed disjoint partitions, a student that never sees a private row, a guaranteed epsilon that no
training decision reads the private rows to reach."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from baselines.pategan import PATEGAN
from bench.privacy.pate import affordable_queries, guaranteed_epsilon
from bench.api.synthesizer import NO_DP, Budget

QUICK = dataclasses.replace(PATEGAN.config_for("quick"), teachers=40, teacher_warmup_steps=30, max_iterations=40)


class SpyingPATEGAN(PATEGAN):
    """Records, without changing them, what the teachers and the student are fed."""

    def build_networks(self, width):
        generator, student, teachers = super().build_networks(width)
        self.student_inputs, self.teacher_inputs = [], []
        student.register_forward_pre_hook(lambda module, args: self.student_inputs.append(args[0].detach().clone()))
        teachers.register_forward_pre_hook(lambda module, args: self.teacher_inputs.append(args[0].detach().clone()))
        return generator, student, teachers


@pytest.fixture(scope="module")
def planted(mimic_small, mimic_split):
    """The training split with one unmistakable patient: every continuous value at its public upper bound."""
    train = mimic_split.train.copy()
    row = train.iloc[[0]].copy()
    for col in mimic_small.schema.columns:
        if col.kind == "continuous":
            row[col.name] = col.high
    return pd.concat([train, row], ignore_index=True)


@pytest.fixture(scope="module")
def fitted(mimic_small, planted):
    return SpyingPATEGAN(mimic_small.schema, QUICK).fit(planted, budget=Budget(1.0, 1e-5), seed=3)


def test_partitions_are_disjoint_and_fixed_across_iterations(fitted, planted):
    """Every private row a teacher is fed, across all iterations, belongs to that teacher alone: the rows
    are identified from what the teachers' forward pass received, not from the partition attribute."""
    encoded = fitted.encoder_.transform(planted)
    row_of = {}
    for index, row in enumerate(encoded):
        row_of.setdefault(row.tobytes(), set()).add(index)
    owner: dict[int, int] = {}  # private row -> the teacher that saw it
    steps_with_private_rows = 0
    for batch in fitted.teacher_inputs:  # (teachers, rows, width): private batches, generated ones, vote queries
        found = False
        for teacher, rows in enumerate(batch.numpy()):
            for row in rows:
                indices = row_of.get(row.tobytes())
                if indices is None:
                    continue  # a generated record
                found = True
                candidates = {owner.get(i, teacher) for i in indices}
                assert teacher in candidates, "a private row reached two teachers"
                for i in indices:
                    owner.setdefault(i, teacher)
        steps_with_private_rows += found
    assert steps_with_private_rows >= 2, "several teacher updates must have run"
    assert len(set(owner.values())) == QUICK.teachers  # every teacher was trained on rows of its own
    assert len(owner) > 5 * QUICK.teachers


def test_student_never_sees_a_private_row(fitted, mimic_small, planted):
    assert fitted.student_inputs, "the student must have been trained"
    inputs = np.concatenate([x.numpy() for x in fitted.student_inputs])
    encoded = fitted.encoder_.transform(planted)  # the student's own encoding
    assert encoded.shape[1] == inputs.shape[1]
    planted_row = encoded[-1]
    assert not np.any(np.all(inputs == planted_row, axis=1)), "the planted patient reached the student"
    # nor any other private row
    private = {row.tobytes() for row in encoded}
    assert not any(row.tobytes() in private for row in inputs)


@pytest.mark.parametrize("target", [1.0, 4.0])
def test_calibrated_mode_answers_the_schedule_within_a_guaranteed_target(target, mimic_small, mimic_split):
    synth = PATEGAN(mimic_small.schema, QUICK).fit(mimic_split.train, budget=Budget(target, 1e-5), seed=0)
    spent = synth.privacy_spent_
    planned = QUICK.max_iterations * QUICK.student_steps * QUICK.batch_size
    assert spent.accountant == "pate-laplace-rdp" and not spent.details["overspent"]
    assert spent.details["queries"] == spent.details["queries_planned"] == planned
    # the guarantee, recomputed from lambda and the number of queries alone, spends (almost) the whole target
    assert spent.epsilon == pytest.approx(guaranteed_epsilon(spent.details["lambda"], planned, 1e-5))
    assert 0.99 * target <= spent.epsilon <= target
    # the paper's figure stays in the ledger, labelled; it is not what the epsilon column shows
    assert "not a DP guarantee" in spent.details["epsilon_data_dependent_note"]
    assert spent.details["epsilon_data_dependent"] != spent.epsilon


def test_lambda_and_stopping_do_not_read_the_private_rows(mimic_small, mimic_split):
    """Two different training sets, the same budget: the same lambda, the same queries, the same epsilon."""
    config = dataclasses.replace(QUICK, max_iterations=8)
    budget = Budget(0.3, 1e-5, mode="paper")
    paper_lambda = dataclasses.replace(config, lam=0.002)
    first = PATEGAN(mimic_small.schema, paper_lambda).fit(mimic_split.train, budget=budget, seed=0).privacy_spent_
    second = PATEGAN(mimic_small.schema, paper_lambda).fit(mimic_split.holdout, budget=budget, seed=1).privacy_spent_
    assert first.details["queries"] == second.details["queries"] == affordable_queries(0.002, 0.3, 1e-5, 8 * 5 * 64)
    assert 0 < first.details["queries"] < 8 * 5 * 64 and first.details["stopped_at_budget"]
    assert first.epsilon == second.epsilon <= 0.3
    calibrated = [PATEGAN(mimic_small.schema, config).fit(rows, budget=Budget(0.3, 1e-5), seed=s).privacy_spent_
                  for s, rows in enumerate([mimic_split.train, mimic_split.holdout])]
    assert calibrated[0].details["lambda"] == calibrated[1].details["lambda"]
    assert calibrated[0].epsilon == calibrated[1].epsilon


def test_paper_lambda_cannot_answer_at_epsilon_one(mimic_small, mimic_split):
    # one vote at lambda 1 is already (2, 0)-DP: without overspending, the paper's setting answers nothing
    config = dataclasses.replace(QUICK, max_iterations=3, lam=1.0)
    spent = PATEGAN(mimic_small.schema, config).fit(mimic_split.train, budget=Budget(1.0, 1e-5, mode="paper"),
                                                    seed=0).privacy_spent_
    assert spent.details["queries"] == 0 and spent.epsilon == 0.0 and spent.details["stopped_at_budget"]


def test_paper_mode_with_overspend_answers_the_whole_schedule(mimic_small, mimic_split):
    config = dataclasses.replace(QUICK, max_iterations=5)
    budget = Budget(0.05, 1e-5, mode="paper", allow_overspend=True)
    spent = PATEGAN(mimic_small.schema, config).fit(mimic_split.train, budget=budget, seed=0).privacy_spent_
    assert spent.details["iterations"] == 5
    assert spent.details["queries"] == 5 * config.student_steps * config.batch_size
    assert spent.epsilon > 0.05 and spent.details["overspent"]
    assert spent.epsilon == pytest.approx(guaranteed_epsilon(config.lam, spent.details["queries"], 1e-5))


def test_epsilon_inf_uses_exact_votes_and_says_no_dp(mimic_small, mimic_split, monkeypatch):
    import bench.privacy.pate

    def no_noise(*args, **kwargs):
        raise AssertionError("a noisy vote was drawn at epsilon = inf")

    monkeypatch.setattr(bench.privacy.pate, "noisy_votes", no_noise)
    config = dataclasses.replace(QUICK, max_iterations=4)
    spent = PATEGAN(mimic_small.schema, config).fit(mimic_split.train, budget=Budget(float("inf")), seed=0).privacy_spent_
    assert spent.accountant == NO_DP and spent.details["no_dp"]
    assert spent.details["iterations"] == 4  # no accountant stops it
    assert spent.details["queries"] == 4 * config.student_steps * config.batch_size
