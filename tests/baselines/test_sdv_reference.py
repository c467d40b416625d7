"""SDV's GaussianCopula, CTGAN and TVAE as non-private reference rows."""

import copy

import numpy as np
import pandas as pd
import pytest

from baselines.sdv_reference import CTGANConfig, GaussianCopulaConfig, SDVCTGAN, SDVGaussianCopula, SDVTVAE, TVAEConfig
from bench.data.cohort import CohortOptions
from bench.metrics.downstream import MortalityAUC
from bench.api.registry import registry
from bench.data.simulate import mimic3_sim
from bench.api.synthesizer import Budget

# Enough to run the whole path (preprocessing, training steps, sampling), not to learn;
# normal marginals fit faster than SDV's default beta (the quality test uses the default).
SMOKE = {
    "gaussian-copula": (SDVGaussianCopula, GaussianCopulaConfig(default_distribution="norm")),
    "ctgan": (SDVCTGAN, CTGANConfig(epochs=1, batch_size=100, generator_dim=(32,), discriminator_dim=(32,))),
    "tvae": (SDVTVAE, TVAEConfig(epochs=1, batch_size=100, compress_dims=(32,), decompress_dims=(32,))),
}


@pytest.fixture(scope="module")
def tiny():
    cohort = mimic3_sim(CohortOptions(n_patients=600))
    return cohort, cohort.split(seed=0)  # 270 training rows


def _fit(name, cohort, split, seed=0):
    cls, config = SMOKE[name]
    return cls.from_cohort(cohort, config).fit(split.train, budget=Budget(), public=split.public, seed=seed)


@pytest.fixture(scope="module")
def fitted(tiny):
    """One fit per method at seed 3; tests sample from copies, so each starts where the fit left off."""
    cohort, split = tiny
    return {name: _fit(name, cohort, split, seed=3) for name in SMOKE}


@pytest.mark.parametrize("name", list(SMOKE))
def test_release_has_the_schema_columns_and_passes_validation(name, tiny, fitted):
    cohort, split = tiny
    synth = copy.deepcopy(fitted[name])
    release = synth.sample(len(split.train))
    schema = cohort.schema
    assert list(release.columns) == schema.names and len(release) == len(split.train)
    schema.validate(release)
    for col in schema.columns:
        values = release[col.name]
        if col.kind == "binary":
            assert values.dtype == np.int64 and set(values.unique()) <= {0, 1}
        elif col.kind == "categorical":
            assert values.map(type).eq(str).all()
        else:
            assert values.dropna().between(col.low, col.high).all()
            assert col.nullable or values.notna().all()
    assert synth.privacy_spent_ is None and not synth.tags.is_dp


@pytest.mark.parametrize("name", ["gaussian-copula", "ctgan"])
def test_same_seed_same_release(name, tiny, fitted):
    cohort, split = tiny
    first = copy.deepcopy(fitted[name])
    again = _fit(name, cohort, split, seed=3)
    pd.testing.assert_frame_equal(first.sample(200), again.sample(200))
    pd.testing.assert_frame_equal(first.sample(50), again.sample(50))  # later calls too


def test_another_seed_another_release(tiny, fitted):
    cohort, split = tiny
    other = _fit("gaussian-copula", cohort, split, seed=4).sample(200)
    assert not other.equals(copy.deepcopy(fitted["gaussian-copula"]).sample(200))


def test_gaussian_copula_learns_what_predicts_mortality(mimic_small, mimic_split):
    """Against the same release with each column permuted on its own (marginals kept,
    every dependence broken): a copula that learned nothing would tie with it."""
    schema = mimic_small.schema
    release = SDVGaussianCopula(schema).fit(mimic_split.train, budget=Budget(), seed=0).sample(len(mimic_split.train))
    rng = np.random.default_rng(0)
    shuffled = release.apply(lambda column: column.to_numpy()[rng.permutation(len(column))])
    auc = MortalityAUC().compute(mimic_split.test, release, schema, seed=0)
    auc_shuffled = MortalityAUC().compute(mimic_split.test, shuffled, schema, seed=0)
    assert auc > 0.6 and auc > auc_shuffled + 0.1, (auc, auc_shuffled)


def test_registered_as_references():
    synthesizers = registry("synthesizers")
    for name, (cls, _) in SMOKE.items():
        loaded = synthesizers.load(name)
        assert loaded is cls and loaded.name == name
        assert loaded.tags.reference is True and loaded.tags.is_dp is False
        assert "reference, not DP" in loaded.display_name
        assert {"quick", "paper"} <= set(loaded.profiles)  # and the smoke settings of the tests
    assert SDVCTGAN.tags.uses_device and SDVTVAE.tags.uses_device
    assert SDVCTGAN.profiles["paper"].epochs == 300 and SDVTVAE.profiles["paper"].batch_size == 500
