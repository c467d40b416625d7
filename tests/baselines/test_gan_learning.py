"""A GAN row only means something if the GAN learns: at epsilon = inf (its own training
without privacy) it must beat a release that kept the marginals and nothing else."""


import dataclasses

import numpy as np
import pytest

from bench.metrics.downstream import MortalityAUC
from bench.api.registry import registry
from bench.api.synthesizer import Budget
from tests.helpers import shuffled_columns


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dp-gan"])
def test_a_gan_at_epsilon_inf_beats_a_shuffled_columns_baseline(name, mimic_small, mimic_split):
    cls = registry("synthesizers").load(name)
    quick = cls.config_for("quick")
    # As many steps as the quick profile runs on the full cohort (5,400 training rows), on a third of the rows.
    config = dataclasses.replace(quick, epochs=quick.epochs * 5400 / len(mimic_split.train))
    synth = cls.from_cohort(mimic_small, config).fit(mimic_split.train, budget=Budget(float("inf")),
                                                     public=mimic_split.public, seed=0)
    release = synth.sample(len(mimic_split.train))
    baseline = shuffled_columns(mimic_split.train, np.random.default_rng(0))
    auc = MortalityAUC().compute(mimic_split.test, release, mimic_small.schema, seed=0)
    auc_shuffled = MortalityAUC().compute(mimic_split.test, baseline, mimic_small.schema, seed=0)
    assert auc_shuffled < 0.6
    assert auc > 0.7 and auc > auc_shuffled + 0.15, (auc, auc_shuffled)
