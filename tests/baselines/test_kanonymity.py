import numpy as np
import pytest
from pycanon import anonymity

from baselines.kanonymity import KAnonymityConfig, MondrianKAnonymity
from bench.api.synthesizer import Budget


@pytest.mark.parametrize("k", [5, 12])
@pytest.mark.parametrize("cohort_fixture", ["mimic_small", "eicu_small"])
def test_output_is_k_anonymous_by_an_independent_checker(request, cohort_fixture, k):
    cohort = request.getfixturevalue(cohort_fixture)
    split = cohort.split(seed=0)
    synth = MondrianKAnonymity(cohort.schema, KAnonymityConfig(k=k)).fit(split.train, budget=Budget(), seed=0)
    release = synth.sample(len(split.train))
    qis = list(cohort.schema.quasi_identifiers)
    assert anonymity.k_anonymity(release, qis) >= k
    assert synth.fit_info_["smallest_class"] >= k
    cohort.schema.validate(release)


def test_only_quasi_identifiers_are_generalised(mimic_small, mimic_split):
    synth = MondrianKAnonymity(mimic_small.schema, KAnonymityConfig(k=5)).fit(mimic_split.train, budget=Budget(), seed=0)
    release = synth.sample(len(mimic_split.train))
    others = [n for n in mimic_small.schema.names if n not in mimic_small.schema.quasi_identifiers]
    assert release[others].equals(mimic_split.train[others])
    assert not release["age"].equals(mimic_split.train["age"])
    assert synth.fit_info_["equivalence_classes"] > 20  # it partitions, not one big class


def test_generalised_age_stays_inside_its_class_range(mimic_small, mimic_split):
    synth = MondrianKAnonymity(mimic_small.schema).fit(mimic_split.train, budget=Budget(), seed=0)
    release = synth.sample(len(mimic_split.train))
    # the release keeps the training rows' order; an equivalence class is a set of rows with the same
    # generalised quasi-identifiers, and its age is the midpoint of its members' true ages
    qis = list(mimic_small.schema.quasi_identifiers)
    true_age = mimic_split.train["age"].to_numpy()
    classes = release.groupby(qis, sort=False).indices
    assert len(classes) > 20
    midpoints = 0
    for rows in classes.values():
        low, high, released = true_age[rows].min(), true_age[rows].max(), release["age"].iloc[rows[0]]
        assert low - 1e-4 <= released <= high + 1e-4, (low, released, high)
        midpoints += abs(released - round((low + high) / 2, 4)) < 1e-6
    assert midpoints >= 0.95 * len(classes)  # (two classes with equal generalised values merge here)
    assert not np.array_equal(release["age"].to_numpy(), true_age)
