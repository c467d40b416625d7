import numpy as np
import pytest

from bench.data.cohort import SPLIT_NAMES, CohortOptions
from bench.data.simulate import eicu_sim, mimic3_sim


def _row_keys(frame):
    return set(map(tuple, frame.astype(str).to_numpy()))


@pytest.mark.parametrize("factory", [mimic3_sim, eicu_sim])
def test_default_split_sizes_and_disjointness(factory):
    cohort = factory(CohortOptions())
    split = cohort.split(seed=0)
    sizes = split.sizes()
    assert sum(sizes.values()) == len(cohort.table)
    assert sizes["holdout"] >= 1000
    assert sizes["train"] >= 2000
    parts = [_row_keys(getattr(split, name)) for name in SPLIT_NAMES]
    for i in range(len(parts)):
        for j in range(i + 1, len(parts)):
            assert not parts[i] & parts[j]


def test_mimic_default_sizes_are_documented():
    sizes = mimic3_sim(CohortOptions()).split(seed=0).sizes()
    assert sizes == {"train": 5400, "holdout": 1350, "reference": 1350, "test": 900, "public": 1000}


def test_eicu_public_split_comes_from_disjoint_hospitals():
    cohort = eicu_sim(CohortOptions())
    split = cohort.split(seed=1)
    public_hospitals = set(cohort.split_plan.public_sites)
    assert set(split.public["hospital"]) == public_hospitals
    for name in ("train", "holdout", "reference", "test"):
        assert not set(getattr(split, name)["hospital"]) & public_hospitals


def test_split_is_seeded(mimic_small):
    a, b, c = mimic_small.split(5), mimic_small.split(5), mimic_small.split(6)
    assert a.train.equals(b.train)
    assert not a.train.equals(c.train)


def test_fingerprint_tracks_content(mimic_small):
    other = mimic3_sim(CohortOptions(n_patients=2999))
    assert mimic_small.fingerprint() == mimic3_sim(CohortOptions(n_patients=3000)).fingerprint()
    assert mimic_small.fingerprint() != other.fingerprint()
    assert np.all(mimic_small.table.index == np.arange(len(mimic_small.table)))


def test_a_patient_identifier_keeps_each_patient_in_one_part(mimic_small):
    """Repeated stays of one patient: no patient may be both a member (train) and a non-member."""
    import dataclasses

    from bench.data.cohort import Cohort

    rng = np.random.default_rng(0)
    n = len(mimic_small.table)
    patients = rng.integers(0, n // 3, size=n).astype(str)  # about three stays per patient
    table = mimic_small.table.assign(pid=patients)
    schema = dataclasses.replace(mimic_small.schema, patient="pid")
    cohort = Cohort("grouped", table, schema)
    assert "pid" not in cohort.table.columns  # the identifier never reaches a synthesizer or an attack
    for seed in range(3):
        rows = cohort.split_rows(seed)
        owners = {name: set(patients[idx]) for name, idx in rows.items()}
        for i, a in enumerate(SPLIT_NAMES):
            for b in SPLIT_NAMES[i + 1:]:
                assert not owners[a] & owners[b], f"a patient is in both {a} and {b}"
        assert sum(len(idx) for idx in rows.values()) == n
        # the parts keep their planned sizes up to one patient's stays
        sizes = {name: len(idx) for name, idx in rows.items()}
        plain = mimic_small.split(seed).sizes()
        assert all(abs(sizes[name] - plain[name]) <= 15 for name in ("public", "holdout", "reference", "test"))
    # a row-wise split would have put some patient on both sides
    ungrouped = mimic_small.split_rows(0)
    assert set(patients[ungrouped["train"]]) & set(patients[ungrouped["holdout"]])


def test_one_row_per_patient_splits_as_without_an_identifier(mimic_small):
    import dataclasses

    from bench.data.cohort import Cohort

    n = len(mimic_small.table)
    grouped = Cohort("grouped", mimic_small.table.assign(pid=np.arange(n).astype(str)),
                     dataclasses.replace(mimic_small.schema, patient="pid"))
    for name in SPLIT_NAMES:
        assert np.array_equal(grouped.split_rows(4)[name], mimic_small.split_rows(4)[name])
