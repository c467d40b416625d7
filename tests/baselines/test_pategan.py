"""PATE-GAN: fixed disjoint partitions, a student that never sees a private row, a budget never overspent."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from baselines.pategan import PATEGAN
from bench.synthesizer import NO_DP, Budget

QUICK = dataclasses.replace(PATEGAN.config_for("quick"), teachers=40, teacher_warmup_steps=30, max_iterations=40)


class SpyingPATEGAN(PATEGAN):
    """Records, without changing them, the teachers' private batches and the student's inputs."""

    def build_networks(self, width):
        generator, student, teachers = super().build_networks(width)
        self.student_inputs = []
        student.register_forward_pre_hook(lambda module, args: self.student_inputs.append(args[0].detach().clone()))
        return generator, student, teachers

    def _teacher_batch(self, members, size):
        self.partitions_seen = getattr(self, "partitions_seen", [])
        self.partitions_seen.append(self.partition_)
        batch = super()._teacher_batch(members, size)
        self.teacher_batches = getattr(self, "teacher_batches", []) + [batch]
        return batch


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
    partition = fitted.partition_
    assert len(partition) == len(planted) and set(np.unique(partition)) == set(range(QUICK.teachers))
    assert len(fitted.teacher_batches) >= 2, "several teacher updates must have run"
    assert all(seen is partition for seen in fitted.partitions_seen)
    with pytest.raises(ValueError):
        partition[0] = 1  # read-only: nothing can re-partition in place
    for batch in fitted.teacher_batches:
        for teacher, rows in enumerate(batch):
            assert set(partition[rows]) == {teacher}, "a teacher saw a row of another partition"


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


@pytest.mark.parametrize("target", [1.0, 2.0, 4.0])
def test_spent_epsilon_never_exceeds_the_target(target, mimic_small, mimic_split):
    synth = PATEGAN(mimic_small.schema, QUICK).fit(mimic_split.train, budget=Budget(target, 1e-5), seed=0)
    spent = synth.privacy_spent_
    assert 0 < spent.epsilon <= target
    assert spent.accountant == "pate-moments" and not spent.details["overspent"]
    assert spent.details["queries"] > 0 and spent.details["teachers"] == 40
    # the same queries without the data-dependent bound cost at least as much
    assert spent.details["epsilon_data_independent"] >= spent.epsilon


def test_paper_mode_with_overspend_answers_the_whole_schedule(mimic_small, mimic_split):
    config = dataclasses.replace(QUICK, max_iterations=5)
    budget = Budget(0.05, 1e-5, mode="paper", allow_overspend=True)
    spent = PATEGAN(mimic_small.schema, config).fit(mimic_split.train, budget=budget, seed=0).privacy_spent_
    assert spent.details["iterations"] == 5
    assert spent.details["queries"] == 5 * config.student_steps * config.batch_size
    assert spent.epsilon > 0.05 and spent.details["overspent"]


def test_epsilon_inf_uses_exact_votes_and_says_no_dp(mimic_small, mimic_split, monkeypatch):
    import bench.pate

    def no_noise(*args, **kwargs):
        raise AssertionError("a noisy vote was drawn at epsilon = inf")

    monkeypatch.setattr(bench.pate, "noisy_votes", no_noise)
    config = dataclasses.replace(QUICK, max_iterations=4)
    spent = PATEGAN(mimic_small.schema, config).fit(mimic_split.train, budget=Budget(float("inf")), seed=0).privacy_spent_
    assert spent.accountant == NO_DP and spent.details["no_dp"]
    assert spent.details["iterations"] == 4  # no accountant stops it
    assert spent.details["queries"] == 4 * config.student_steps * config.batch_size
