import numpy as np
import pytest

from bench.data.cohort import CohortOptions
from bench.data.simulate import EICU_SIM, MIMIC3_SIM, PopulationModel, eicu_sim, mimic3_sim


@pytest.fixture(scope="module")
def mimic_population():
    return PopulationModel(MIMIC3_SIM).sample(40_000, np.random.default_rng(11))


@pytest.fixture(scope="module")
def eicu_population():
    return PopulationModel(EICU_SIM).sample(40_000, np.random.default_rng(12))


def test_default_presets_have_the_papers_sizes():
    assert len(mimic3_sim(CohortOptions()).table) == 10_000
    cohort = eicu_sim(CohortOptions())
    assert len(cohort.table) == 5_000
    assert cohort.table["hospital"].nunique() == 20


@pytest.mark.parametrize(
    "population, mortality, readmission",
    [("mimic_population", (0.09, 0.13), (0.08, 0.12)), ("eicu_population", (0.07, 0.11), (0.06, 0.10))],
)
def test_outcome_prevalence_in_published_range(request, population, mortality, readmission):
    table = request.getfixturevalue(population)
    assert mortality[0] < table["mortality"].mean() < mortality[1]
    survivors = table[table["mortality"] == 0]
    assert readmission[0] < survivors["readmission"].mean() < readmission[1]
    assert table.loc[table["mortality"] == 1, "readmission"].sum() == 0  # readmission only among survivors


def test_diagnoses_co_occur_as_the_model_says(mimic_population):
    t = mimic_population

    def lift(a, b):
        return t.loc[t[a] == 1, b].mean() / t.loc[t[a] == 0, b].mean()

    assert lift("dx_hypertension", "dx_coronary_disease") > 1.5
    assert lift("dx_diabetes", "dx_kidney_disease") > 1.5
    assert lift("dx_diabetes", "med_insulin") > 3
    assert lift("dx_heart_failure", "med_diuretic") > 2


def test_severity_drives_vitals_labs_and_mortality(mimic_population):
    t = mimic_population
    died, lived = t[t["mortality"] == 1], t[t["mortality"] == 0]
    assert died["heart_rate_mean"].mean() > lived["heart_rate_mean"].mean() + 3
    assert died["lactate_max"].notna().mean() > lived["lactate_max"].notna().mean()  # sicker patients measured more
    assert (t["heart_rate_min"] <= t["heart_rate_mean"]).all() and (t["heart_rate_mean"] <= t["heart_rate_max"]).all()


def test_labs_are_skewed_and_partly_missing(mimic_population):
    creatinine = mimic_population["creatinine_mean"].dropna()
    assert creatinine.skew() > 1.0
    assert 0.3 < mimic_population["lactate_mean"].isna().mean() < 0.7
    assert mimic_population["heart_rate_mean"].notna().all()


def test_same_seed_same_patients():
    model = PopulationModel(MIMIC3_SIM)
    a = model.sample(500, np.random.default_rng(3))
    b = model.sample(500, np.random.default_rng(3))
    assert a.equals(b)
    assert not a.equals(model.sample(500, np.random.default_rng(4)))


def test_hospital_restricted_draws():
    model = PopulationModel(EICU_SIM)
    table = model.sample(2000, np.random.default_rng(0), hospitals=("H01", "H02"))
    assert set(table["hospital"]) <= {"H01", "H02"}
