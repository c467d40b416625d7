"""The MIMIC-III and eICU loaders on trimmed slices of the open demos (tests/fixtures/*_demo)."""

import shutil

import pandas as pd
import pytest

from bench.data.cohort import CohortOptions
from bench.errors import BenchInputError
from bench.data.real.eicu import eicu_cohort
from bench.data.real.eicu import extract as extract_eicu
from bench.data.real.mimic3 import extract as extract_mimic3
from bench.data.real.mimic3 import mimic3_cohort
from bench.data.real.source import Source
from tests.conftest import FIXTURES, run_cli

MIMIC = FIXTURES / "mimic3_demo"
EICU = FIXTURES / "eicu_demo"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def mimic_stays():
    return extract_mimic3(Source(MIMIC, "mimic3"))


@pytest.fixture(scope="module")
def eicu_stays():
    return extract_eicu(Source(EICU, "eicu"))


def test_mimic3_counts(mimic_stays):
    # 30 demo patients, 50 first ICU stays of adult admissions; 11 in-hospital deaths; 7 stays whose
    # patient is readmitted within 30 days of discharge
    assert len(mimic_stays) == 50
    assert int(mimic_stays["mortality"].sum()) == 11 and int(mimic_stays["readmission"].sum()) == 7


def test_mimic3_hand_checked_stay(mimic_stays):
    # stay 285789 (subject 10056, MICU, admitted 2129-05-02 00:12:39, born 2046-02-27): 38 heart-rate
    # charts in the first 24 h, 82 to 104; creatinine 1.7 and 1.3 in the lab window; ICD-9 0389, 5990,
    # 5845, 2765, 78552, 42831, 4280, 2761, 99592
    stay = mimic_stays.loc[285789]
    assert stay["age"] == pytest.approx(83.17, abs=0.01)
    assert (stay["sex"], stay["ethnicity"], stay["admission_type"], stay["care_unit"]) == ("F", "WHITE", "EMERGENCY", "MICU")
    assert (stay["heart_rate_min"], stay["heart_rate_max"]) == (82.0, 104.0)
    assert stay["heart_rate_mean"] == pytest.approx(94.0263, abs=1e-4)
    assert stay["creatinine_max"] == 1.7 and stay["creatinine_min"] == 1.3
    groups = {c[3:] for c in stay.index if c.startswith("dx_") and stay[c] == 1}
    assert groups == {"sepsis", "urinary_infection", "acute_kidney_injury", "fluid_electrolyte", "heart_failure"}
    assert (stay["mortality"], stay["readmission"]) == (0, 0)


def test_mimic3_readmission_by_hand(mimic_stays):
    # stay 205170: admission 173269 discharged 2199-01-16 15:23; next admission 2199-01-31 22:26
    assert mimic_stays.loc[205170, "readmission"] == 1


def test_eicu_counts_and_hand_checked_stay(eicu_stays):
    # 38 unit stays in the slice; one has no discharge status
    assert len(eicu_stays) == 37
    assert int(eicu_stays["mortality"].sum()) == 8 and int(eicu_stays["readmission"].sum()) == 5
    # stay 1325741: first of two unit visits of hospital stay 1008460 at hospital 226, Neuro ICU, expired;
    # apacheApsVar heart rate 98, mean BP 62, temperature 36.8, creatinine 1.46, bilirubin 1.1;
    # ICD-9 276.8, 401.9, 851.80 (435.9, a TIA, is in no group)
    stay = eicu_stays.loc[1325741]
    assert (stay["age"], stay["sex"], stay["care_unit"], stay["hospital"]) == (79.0, "M", "Neuro ICU", "226")
    assert (stay["heart_rate_worst"], stay["mbp_worst"], stay["temperature_worst"]) == (98.0, 62.0, 36.8)
    assert (stay["creatinine_worst"], stay["bilirubin_worst"]) == (1.46, 1.1)
    assert {c[3:] for c in stay.index if c.startswith("dx_") and stay[c] == 1} == {
        "hypertension", "fluid_electrolyte", "trauma"}
    assert (stay["mortality"], stay["readmission"]) == (1, 1)
    # "> 89" becomes 91
    assert eicu_stays.loc[[1326749, 1338010], "age"].tolist() == [91.0, 91.0]


def test_cohorts_follow_their_schema_and_split_by_hospital():
    mimic = mimic3_cohort(CohortOptions(data_dir=MIMIC))
    assert len(mimic.table) == 50 and "icustay_id" not in mimic.table.columns  # ids never reach the table
    eicu = eicu_cohort(CohortOptions(data_dir=EICU))
    split = eicu.split(0)
    public_hospitals = set(split.public["hospital"])
    assert public_hospitals and public_hospitals.isdisjoint(set(split.train["hospital"]))
    assert all(c.nullable for c in eicu.schema.columns if c.name.endswith("_worst"))


@pytest.mark.parametrize("loader, folder, stays, patients, repeated", [
    (mimic3_cohort, MIMIC, 50, 30, 6),  # 6 demo patients have several admissions (26 stays)
    (eicu_cohort, EICU, 37, 30, 6),  # 6 patients (uniquepid) have several unit stays (13 stays)
])
def test_membership_is_per_patient(loader, folder, stays, patients, repeated):
    cohort = loader(CohortOptions(data_dir=folder))
    counts = pd.Series(cohort.patients).value_counts()
    assert (len(cohort.patients), len(counts), int((counts > 1).sum())) == (stays, patients, repeated)
    assert "patient_id" not in cohort.table.columns
    for seed in range(5):
        rows = cohort.split_rows(seed)
        members = set(cohort.patients[rows["train"]])
        for name in ("holdout", "reference", "test", "public"):
            assert not members & set(cohort.patients[rows[name]]), f"seed {seed}: a patient in train and {name}"


def test_cache_is_reused_and_keyed_by_the_files(tmp_path):
    first = mimic3_cohort(CohortOptions(data_dir=MIMIC))
    cached = list((tmp_path / "cache").glob("mimic3-*.parquet"))
    assert len(cached) == 1
    again = mimic3_cohort(CohortOptions(data_dir=MIMIC))
    pd.testing.assert_frame_equal(first.table, again.table, check_dtype=False)
    assert first.fingerprint() == again.fingerprint()
    copy = tmp_path / "copy"
    shutil.copytree(MIMIC, copy)
    with open(copy / "ADMISSIONS.csv", "a") as handle:
        handle.write("")  # same content, new modification time: a new key
    (copy / "ADMISSIONS.csv").touch()
    mimic3_cohort(CohortOptions(data_dir=copy))
    assert len(list((tmp_path / "cache").glob("mimic3-*.parquet"))) == 2


def test_a_missing_table_or_column_is_one_clear_line(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(MIMIC, folder)
    (folder / "LABEVENTS.csv").unlink()
    with pytest.raises(BenchInputError, match="table LABEVENTS not found"):
        mimic3_cohort(CohortOptions(data_dir=folder))
    shutil.copy(MIMIC / "LABEVENTS.csv", folder / "LABEVENTS.csv")
    table = pd.read_csv(folder / "PATIENTS.csv").drop(columns=["dob"])
    table.to_csv(folder / "PATIENTS.csv", index=False)
    result = run_cli("cohort", "describe", "mimic3", "--data-dir", str(folder))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: mimic3: PATIENTS.csv lacks column(s) dob"


def test_describe_prints_aggregates():
    result = run_cli("cohort", "describe", "eicu", "--data-dir", str(EICU))
    assert result.returncode == 0, result.stderr
    assert "rows: 37" in result.stdout and "mortality (mortality): 8 of 37 (21.6%)" in result.stdout
    assert "bilirubin_worst" in result.stdout  # missingness is listed


@pytest.mark.slow
def test_a_run_on_the_small_demo_records_what_it_cannot_do(tmp_path):
    result = run_cli("run", "--synthesizer", "raw", "--synthesizer", "pate-gan", "--cohort", "mimic3",
                     "--data-dir", str(MIMIC), "--seeds", "1", "--results-dir", str(tmp_path / "results"),
                     "--no-progress")
    assert result.returncode == 0, result.stderr
    full = next((tmp_path / "results").glob("quick/*/full.md")).read_text()
    assert "mimic3 / pate-gan" in full  # too few rows for 50 teachers: a recorded failure, not a crash
    assert "| Raw Data" in next((tmp_path / "results").glob("quick/*/table1_mia.md")).read_text()


def test_the_extraction_benchmark_export_is_read_like_a_real_one(tmp_path):
    from bench.data.real.fabricate import write_synthetic_mimic3

    write_synthetic_mimic3(tmp_path / "export", chartevents_rows=40_000, stays=400)
    cohort = mimic3_cohort(CohortOptions(data_dir=tmp_path / "export"))
    assert len(cohort.table) == 400
    # a quarter of the chart rows are vital-sign items, charted from a day before to ten days after
    # admission; the values are 60 to 119
    heart_rate = cohort.table["heart_rate_mean"].dropna()
    assert len(heart_rate) > 0 and heart_rate.between(60, 119).all()
    # the first stay of each two-stay patient is readmitted unless it died (hadm_id % 9 == 0: 22 of 200)
    assert cohort.table["readmission"].sum() == 178


def test_eicu_uses_vital_periodic_and_lab_when_the_export_has_them(tmp_path):
    # The demo lacks both tables (the full database has them): add a few hand-made rows for stay 1325741.
    folder = tmp_path / "export"
    shutil.copytree(EICU, folder)
    pd.DataFrame({
        "vitalperiodicid": [1, 2, 3, 4], "patientunitstayid": [1325741] * 4,
        "observationoffset": [10, 600, 1500, -30],  # the last two fall outside the first 24 hours
        "heartrate": [80, 100, 150, 40], "systemicsystolic": [120, 130, None, None],
        "systemicdiastolic": [60, 70, None, None], "systemicmean": [80, 90, None, None],
        "respiration": [16, 20, None, None], "temperature": [36.5, 37.5, None, None], "sao2": [97, 99, None, None],
    }).to_csv(folder / "vitalPeriodic.csv", index=False)
    pd.DataFrame({
        "labid": [1, 2, 3], "patientunitstayid": [1325741] * 3, "labresultoffset": [-100, 300, 2000],
        "labname": ["creatinine", "creatinine", "creatinine"], "labresult": [1.2, 1.8, 5.0],
    }).to_csv(folder / "lab.csv", index=False)
    stays = extract_eicu(Source(folder, "eicu"))
    stay = stays.loc[1325741]
    assert (stay["heart_rate_min"], stay["heart_rate_mean"], stay["heart_rate_max"]) == (80.0, 90.0, 100.0)
    assert (stay["sbp_min"], stay["spo2_max"]) == (120.0, 99.0)
    assert (stay["creatinine_min"], stay["creatinine_max"]) == (1.2, 1.8)
    assert stay["creatinine_worst"] == 1.46  # the APACHE value is kept beside them
    assert stays["heart_rate_mean"].notna().sum() == 1  # no other stay has vitalPeriodic rows
    cohort = eicu_cohort(CohortOptions(data_dir=folder))
    assert "heart_rate_mean" in cohort.schema.names and "creatinine_mean" in cohort.schema.names
