"""Simulated ICU cohorts: a documented structural model, not independent columns.

Per patient, in this order (each step depends only on the earlier ones):

1. Hospital (``eicu-sim`` only: 20 hospitals of unequal size, each with its
   own care-unit mix and a severity offset).
2. Demographics: age (a mixture of an older medical population and younger
   trauma/surgical patients), sex, ethnicity; care unit (hospital-specific
   mix) and admission type (care-unit specific: cardiac surgery is mostly
   elective).
3. Latents: chronic burden ``b`` (rises with age) and acute infection ``a``.
4. 25 diagnosis groups as a multi-label set, generated in a fixed order as
   logistic functions of age, ``b``, ``a``, the care unit and earlier
   diagnoses, which gives clinical co-occurrence: hypertension raises
   coronary disease, diabetes raises kidney disease, coronary disease raises
   heart failure, infections raise sepsis, and so on (``DIAGNOSES``).
5. Acute severity ``s``: burden, acute organ failures, admission type,
   hospital offset and noise.
6. Ten medication classes that follow the diagnoses (``MEDICATIONS``).
7. First-24-hour vital signs: a patient-level mean driven by ``s`` and the
   diagnoses plus an hourly AR(1) series of 24 values, summarised as
   min/mean/max (``VITALS``).
8. Laboratory values: log-normal (skewed) patient levels, 1-6 draws in the
   first day (more when sicker), summarised as min/mean/max; lactate and
   bilirubin are often not measured, lactate more often measured in sicker
   patients (``LABS``).
9. Outcomes: in-hospital mortality from a logistic severity score, and
   30-day readmission among survivors (0 for patients who died).

Intercepts of the outcome models were set once, offline, from a 200,000
patient draw of each preset so that prevalences match published figures:
in-hospital mortality about 11% for MIMIC-III and 9% for eICU; 30-day
readmission about 10% (MIMIC-III) and ICU readmission about 8% (eICU).
``tests/test_simulate.py`` checks those ranges.

The same model draws fresh patients for the ``oracle`` synthesizer, which
therefore leaks nothing about any training row.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.data.cohort import Cohort, CohortOptions, SplitPlan
from bench.data.schema import Column, Schema
from bench.data.vocabulary import AGE_GROUP_EDGES, AGE_GROUPS, LAB_BOUNDS, VITAL_BOUNDS

ADMISSION_TYPES = ("EMERGENCY", "ELECTIVE", "URGENT")

# name, intercept, weight on standardised age, on burden b, on infection a,
# and weights on earlier diagnoses (the co-occurrence structure).
DIAGNOSES: tuple[tuple[str, float, float, float, float, dict[str, float]], ...] = (
    ("hypertension", -0.4, 0.6, 0.7, 0.0, {}),
    ("hyperlipidemia", -1.3, 0.4, 0.5, 0.0, {"hypertension": 0.8}),
    ("diabetes", -1.5, 0.2, 0.7, 0.0, {"hypertension": 0.6}),
    ("obesity", -2.3, -0.2, 0.4, 0.0, {"diabetes": 0.9}),
    ("coronary_disease", -2.0, 0.6, 0.6, 0.0, {"hypertension": 0.9, "hyperlipidemia": 0.8, "diabetes": 0.5}),
    ("heart_failure", -2.3, 0.6, 0.7, 0.0, {"coronary_disease": 1.1, "hypertension": 0.4}),
    ("atrial_fibrillation", -2.2, 0.9, 0.4, 0.0, {"heart_failure": 0.9}),
    ("kidney_disease", -2.5, 0.5, 0.7, 0.0, {"diabetes": 1.1, "hypertension": 0.8, "heart_failure": 0.5}),
    ("copd", -2.4, 0.5, 0.6, 0.0, {}),
    ("cancer", -2.3, 0.5, 0.4, 0.0, {}),
    ("liver_disease", -3.0, -0.1, 0.5, 0.0, {}),
    ("alcohol_use", -2.9, -0.4, 0.3, 0.0, {"liver_disease": 1.6}),
    ("thyroid_disease", -2.4, 0.3, 0.3, 0.0, {}),
    ("depression", -2.3, -0.1, 0.4, 0.0, {"alcohol_use": 0.8}),
    ("anemia", -1.7, 0.3, 0.5, 0.0, {"kidney_disease": 0.9, "cancer": 0.8}),
    ("pneumonia", -2.0, 0.3, 0.3, 0.9, {"copd": 0.8}),
    ("urinary_infection", -2.4, 0.4, 0.2, 0.7, {}),
    ("sepsis", -2.3, 0.2, 0.3, 1.2, {"pneumonia": 0.9, "urinary_infection": 0.9}),
    ("respiratory_failure", -2.0, 0.1, 0.3, 0.5, {"pneumonia": 1.2, "copd": 0.8, "sepsis": 0.8}),
    ("acute_kidney_injury", -2.2, 0.2, 0.3, 0.3, {"sepsis": 1.2, "kidney_disease": 1.0, "heart_failure": 0.5}),
    ("fluid_electrolyte", -1.3, 0.1, 0.3, 0.3, {"acute_kidney_injury": 0.8, "sepsis": 0.5}),
    ("stroke", -2.9, 0.5, 0.3, 0.0, {"atrial_fibrillation": 0.8, "hypertension": 0.4}),
    ("pulmonary_embolism", -3.6, 0.0, 0.2, 0.0, {"cancer": 0.9}),
    ("gi_bleed", -3.0, 0.2, 0.3, 0.0, {"liver_disease": 1.2, "alcohol_use": 0.6}),
    ("trauma", -2.6, -0.7, -0.3, 0.0, {"alcohol_use": 0.8}),
)

# Care units shift the diagnosis mix (log-odds added to the diagnosis model).
UNIT_DIAGNOSIS_EFFECTS: dict[str, dict[str, float]] = {
    "CCU": {"coronary_disease": 1.3, "heart_failure": 1.0, "atrial_fibrillation": 0.7},
    "CSRU": {"coronary_disease": 1.6, "atrial_fibrillation": 0.5, "sepsis": -0.8},
    "MICU": {"sepsis": 0.7, "pneumonia": 0.6, "respiratory_failure": 0.5, "liver_disease": 0.5, "gi_bleed": 0.5},
    "SICU": {"cancer": 0.5, "gi_bleed": 0.4, "trauma": 0.6},
    "TSICU": {"trauma": 2.2, "stroke": 0.6},
    "Med-Surg ICU": {"sepsis": 0.3, "pneumonia": 0.3},
    "CCU-CTICU": {"coronary_disease": 1.4, "heart_failure": 0.8, "atrial_fibrillation": 0.6},
    "Neuro ICU": {"stroke": 2.2, "trauma": 0.6},
    "Cardiac ICU": {"coronary_disease": 1.2, "heart_failure": 1.1},
}
# Probability of an elective admission by care unit (the rest split 5:1 emergency:urgent).
UNIT_ELECTIVE_RATE = {"CSRU": 0.55, "SICU": 0.25, "CCU-CTICU": 0.3, "Cardiac ICU": 0.2}

# name, intercept, weights on diagnoses and severity ("severity" key).
MEDICATIONS: tuple[tuple[str, float, dict[str, float]], ...] = (
    ("antihypertensive", -1.2, {"hypertension": 2.0, "coronary_disease": 0.8, "heart_failure": 0.6, "severity": -0.3}),
    ("insulin", -2.0, {"diabetes": 3.0, "severity": 0.4}),
    ("anticoagulant", -0.9, {"atrial_fibrillation": 2.2, "pulmonary_embolism": 2.8, "stroke": 0.6}),
    ("antibiotic", -1.6, {"sepsis": 2.6, "pneumonia": 2.3, "urinary_infection": 2.0, "severity": 0.3}),
    ("statin", -1.9, {"coronary_disease": 1.9, "hyperlipidemia": 1.6, "diabetes": 0.5, "stroke": 0.7}),
    ("vasopressor", -3.0, {"sepsis": 1.3, "heart_failure": 0.5, "severity": 1.0}),
    ("diuretic", -2.1, {"heart_failure": 2.3, "kidney_disease": 0.8, "hypertension": 0.4}),
    ("sedative", -2.0, {"respiratory_failure": 2.6, "trauma": 0.7, "severity": 0.4}),
    ("bronchodilator", -2.6, {"copd": 3.0, "pneumonia": 0.8, "respiratory_failure": 0.5}),
    ("proton_pump_inhibitor", -0.8, {"gi_bleed": 1.8, "severity": 0.3}),
)

# name, normal mean, between-patient sd, within-day sd, public bounds, effects on the patient mean.
VITALS: tuple[tuple[str, float, float, float, tuple[float, float], dict[str, float]], ...] = (
    ("heart_rate", 84.0, 11.0, 8.0, VITAL_BOUNDS["heart_rate"], {"severity": 7.0, "atrial_fibrillation": 9.0, "sepsis": 6.0}),
    ("sbp", 121.0, 13.0, 11.0, VITAL_BOUNDS["sbp"], {"severity": -7.0, "hypertension": 8.0, "sepsis": -5.0}),
    ("dbp", 62.0, 8.0, 7.0, VITAL_BOUNDS["dbp"], {"severity": -4.0, "hypertension": 4.0}),
    ("resp_rate", 18.5, 3.0, 3.0, VITAL_BOUNDS["resp_rate"], {"severity": 2.2, "respiratory_failure": 2.5, "copd": 1.5, "pneumonia": 1.5}),
    ("temperature", 36.9, 0.35, 0.35, VITAL_BOUNDS["temperature"], {"severity": 0.1, "sepsis": 0.6, "pneumonia": 0.3}),
    ("spo2", 97.0, 1.4, 1.3, VITAL_BOUNDS["spo2"], {"severity": -0.9, "respiratory_failure": -1.8, "copd": -1.2}),
    ("glucose", 128.0, 22.0, 22.0, VITAL_BOUNDS["glucose"], {"diabetes": 38.0, "severity": 6.0}),
)
MEAN_BP_BOUNDS = VITAL_BOUNDS["mbp"]

# name, median, log-scale between sd, log-scale within sd, public bounds,
# log-scale effects, probability of not being measured (before severity).
LABS: tuple[tuple[str, float, float, float, tuple[float, float], dict[str, float], float], ...] = (
    ("creatinine", 1.0, 0.30, 0.10, LAB_BOUNDS["creatinine"], {"kidney_disease": 0.6, "acute_kidney_injury": 0.6, "severity": 0.10}, 0.02),
    ("bun", 19.0, 0.40, 0.10, LAB_BOUNDS["bun"], {"kidney_disease": 0.5, "acute_kidney_injury": 0.5, "gi_bleed": 0.4, "severity": 0.12}, 0.02),
    ("sodium", 139.0, 0.025, 0.01, LAB_BOUNDS["sodium"], {"fluid_electrolyte": -0.02}, 0.02),
    ("potassium", 4.1, 0.10, 0.06, LAB_BOUNDS["potassium"], {"kidney_disease": 0.07, "acute_kidney_injury": 0.07}, 0.02),
    ("bicarbonate", 24.0, 0.12, 0.06, LAB_BOUNDS["bicarbonate"], {"severity": -0.06, "acute_kidney_injury": -0.08}, 0.03),
    ("wbc", 9.5, 0.35, 0.12, LAB_BOUNDS["wbc"], {"sepsis": 0.35, "pneumonia": 0.2, "severity": 0.08}, 0.03),
    ("hemoglobin", 11.0, 0.15, 0.05, LAB_BOUNDS["hemoglobin"], {"anemia": -0.15, "gi_bleed": -0.2, "severity": -0.03}, 0.03),
    ("platelets", 220.0, 0.40, 0.08, LAB_BOUNDS["platelets"], {"liver_disease": -0.5, "sepsis": -0.25, "severity": -0.08}, 0.04),
    ("lactate", 1.6, 0.35, 0.15, LAB_BOUNDS["lactate"], {"sepsis": 0.35, "severity": 0.22}, 0.55),
    ("bilirubin", 0.7, 0.55, 0.10, LAB_BOUNDS["bilirubin"], {"liver_disease": 1.1, "severity": 0.1}, 0.45),
)


@dataclass(frozen=True)
class Preset:
    """One simulated cohort's settings (all public, fixed in code)."""

    name: str
    n_patients: int
    care_units: tuple[str, ...]
    ethnicities: tuple[str, ...]
    ethnicity_weights: tuple[float, ...]
    n_hospitals: int
    public_hospitals: tuple[str, ...]
    mortality_intercept: float
    readmission_intercept: float
    data_seed: int


MIMIC3_SIM = Preset(
    name="mimic3-sim",
    n_patients=10_000,
    care_units=("MICU", "SICU", "CCU", "CSRU", "TSICU"),
    ethnicities=("WHITE", "BLACK", "HISPANIC", "ASIAN", "OTHER", "UNKNOWN"),
    ethnicity_weights=(0.70, 0.09, 0.035, 0.025, 0.05, 0.10),
    n_hospitals=1,
    public_hospitals=(),
    mortality_intercept=-3.25,
    readmission_intercept=-2.69,
    data_seed=3_000_001,
)
EICU_SIM = Preset(
    name="eicu-sim",
    n_patients=5_000,
    care_units=("Med-Surg ICU", "MICU", "SICU", "CCU-CTICU", "Neuro ICU", "Cardiac ICU"),
    ethnicities=("Caucasian", "African American", "Hispanic", "Asian", "Native American", "Other/Unknown"),
    ethnicity_weights=(0.77, 0.11, 0.04, 0.02, 0.01, 0.05),
    n_hospitals=20,
    public_hospitals=("H18", "H19", "H20"),
    mortality_intercept=-3.55,
    readmission_intercept=-2.96,
    data_seed=3_000_002,
)


class PopulationModel:
    """Draws patients from one preset's structural model.

    Hospital-level parameters are drawn once from a seed fixed in the preset,
    so the population is the same for every draw; ``sample`` then draws
    independent patients from it.
    """

    def __init__(self, preset: Preset) -> None:
        self.preset = preset
        hospital_rng = np.random.default_rng(preset.data_seed + 17)
        n_units = len(preset.care_units)
        self.hospitals = tuple(f"H{i + 1:02d}" for i in range(preset.n_hospitals))
        self.hospital_size = hospital_rng.dirichlet(np.full(preset.n_hospitals, 3.0))
        base_mix = np.linspace(2.0, 1.0, n_units)
        self.unit_mix = np.stack([hospital_rng.dirichlet(base_mix * 6.0) for _ in self.hospitals])
        self.hospital_severity = hospital_rng.normal(0.0, 0.25, preset.n_hospitals)
        if preset.n_hospitals == 1:
            self.hospital_severity[:] = 0.0

    def schema(self) -> Schema:
        preset = self.preset
        cols: list[Column] = [
            Column("age", "continuous", low=18.0, high=91.0),
            Column("age_group", "categorical", categories=AGE_GROUPS),
            Column("sex", "categorical", categories=("F", "M")),
            Column("ethnicity", "categorical", categories=preset.ethnicities),
            Column("admission_type", "categorical", categories=ADMISSION_TYPES),
            Column("care_unit", "categorical", categories=preset.care_units),
        ]
        if preset.n_hospitals > 1:
            cols.append(Column("hospital", "categorical", categories=self.hospitals))
        cols += [Column(f"dx_{name}", "binary", group="diagnoses") for name, *_ in DIAGNOSES]
        cols += [Column(f"med_{name}", "binary", group="medications") for name, *_ in MEDICATIONS]
        for name, _, _, _, (low, high), _ in VITALS:
            cols += [Column(f"{name}_{stat}", "continuous", low=low, high=high) for stat in ("min", "mean", "max")]
        cols += [Column(f"mbp_{stat}", "continuous", low=MEAN_BP_BOUNDS[0], high=MEAN_BP_BOUNDS[1]) for stat in ("min", "mean", "max")]
        for name, _, _, _, (low, high), _, _ in LABS:
            cols += [
                Column(f"{name}_{stat}", "continuous", low=low, high=high, nullable=True) for stat in ("min", "mean", "max")
            ]
        cols += [Column("mortality", "binary"), Column("readmission", "binary")]
        conditions = ("age_group", "sex", "ethnicity", "admission_type", "care_unit")
        quasi = ("age", "age_group", "sex", "ethnicity", "admission_type", "care_unit")
        if preset.n_hospitals > 1:
            conditions += ("hospital",)
            quasi += ("hospital",)
        return Schema(
            columns=tuple(cols),
            conditions=conditions,
            outcomes={"mortality": "mortality", "readmission": "readmission"},
            quasi_identifiers=quasi,
            site="hospital" if preset.n_hospitals > 1 else None,
        )

    # Long on purpose: one pass of the generative model in the order of its random draws; that order
    # fixes every simulated cohort, so it is kept in one readable sequence.
    def sample(self, n: int, rng: np.random.Generator, hospitals: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Draw ``n`` independent patients (optionally only from ``hospitals``)."""
        p = self.preset
        out: dict[str, np.ndarray] = {}

        # 1-2. hospital, demographics, care unit, admission type
        weights = self.hospital_size.copy()
        if hospitals is not None:
            weights = weights * np.isin(self.hospitals, hospitals)
        hospital = rng.choice(len(self.hospitals), size=n, p=weights / weights.sum())
        older = rng.random(n) < 0.85
        age = np.where(older, rng.normal(67.0, 14.0, n), rng.normal(40.0, 13.0, n))
        age = np.clip(age, 18.0, 91.0)
        age_z = (age - 62.0) / 16.0
        sex = np.where(rng.random(n) < 0.56, "M", "F")
        ethnicity = rng.choice(np.array(p.ethnicities), size=n, p=np.asarray(p.ethnicity_weights) / sum(p.ethnicity_weights))
        unit_idx = _categorical_rows(rng, self.unit_mix[hospital])
        care_unit = np.asarray(p.care_units)[unit_idx]
        elective_rate = np.array([UNIT_ELECTIVE_RATE.get(u, 0.08) for u in p.care_units])[unit_idx]
        u = rng.random(n)
        admission = np.where(u < elective_rate, "ELECTIVE", np.where(u < elective_rate + (1 - elective_rate) / 6, "URGENT", "EMERGENCY"))

        # 3-4. latents and diagnoses
        burden = rng.normal(0.0, 1.0, n) + 0.5 * age_z
        infection = rng.normal(0.0, 1.0, n)
        dx: dict[str, np.ndarray] = {}
        for name, intercept, w_age, w_burden, w_infection, parents in DIAGNOSES:
            logit = intercept + w_age * age_z + w_burden * burden + w_infection * infection
            logit = logit + sum(w * dx[parent] for parent, w in parents.items())
            logit = logit + _unit_effect(care_unit, name)
            if name == "trauma":
                logit = logit + 1.5 * (age < 45)
            dx[name] = (rng.random(n) < _sigmoid(logit)).astype(np.int64)

        # 5. acute severity
        severity = (
            0.35 * burden
            + 0.9 * dx["sepsis"]
            + 0.7 * dx["respiratory_failure"]
            + 0.6 * dx["acute_kidney_injury"]
            + 0.3 * dx["heart_failure"]
            + 0.4 * dx["liver_disease"]
            + 0.3 * (admission == "EMERGENCY")
            - 0.4 * (admission == "ELECTIVE")
            + self.hospital_severity[hospital]
            + rng.normal(0.0, 0.8, n)
            - 0.6
        )
        drivers = dict(dx, severity=severity)

        # 6. medications
        meds = {}
        for name, intercept, weights_ in MEDICATIONS:
            logit = intercept + sum(w * drivers[k] for k, w in weights_.items())
            meds[name] = (rng.random(n) < _sigmoid(logit)).astype(np.int64)

        # 7. vital signs: hourly AR(1) series around a patient-level mean
        hourly: dict[str, np.ndarray] = {}
        for name, normal, between_sd, within_sd, (low, high), effects in VITALS:
            level = normal + rng.normal(0.0, between_sd, n) + sum(w * drivers[k] for k, w in effects.items())
            series = level[:, None] + _ar1(rng, n, 24, phi=0.7, sd=within_sd)
            hourly[name] = np.clip(series, low, high)
        hourly["mbp"] = np.clip((hourly["sbp"] + 2.0 * hourly["dbp"]) / 3.0, *MEAN_BP_BOUNDS)
        for name in [v[0] for v in VITALS] + ["mbp"]:
            out |= _summaries(name, hourly[name])

        # 8. laboratory values: log-normal levels, 1-6 draws, patient-level missingness
        n_draws = 1 + np.minimum(rng.poisson(1.0 + 0.6 * np.maximum(severity, 0.0)), 5)
        drawn = np.arange(6)[None, :] < n_draws[:, None]
        for name, median, between_sd, within_sd, (low, high), effects, p_missing in LABS:
            log_level = np.log(median) + rng.normal(0.0, between_sd, n) + sum(w * drivers[k] for k, w in effects.items())
            values = np.exp(log_level[:, None] + rng.normal(0.0, within_sd, (n, 6)))
            values = np.where(drawn, np.clip(values, low, high), np.nan)
            logit_missing = np.log(p_missing / (1 - p_missing)) - (0.9 * severity if name == "lactate" else 0.0)
            if name == "bilirubin":
                logit_missing = logit_missing - 2.0 * dx["liver_disease"]
            values[rng.random(n) < _sigmoid(logit_missing)] = np.nan
            out |= _summaries(name, values)

        # 9. outcomes
        mortality_logit = (
            p.mortality_intercept + 1.1 * severity + 0.45 * age_z + 0.5 * dx["cancer"] + 0.3 * dx["liver_disease"]
        )
        mortality = (rng.random(n) < _sigmoid(mortality_logit)).astype(np.int64)
        readmission_logit = (
            p.readmission_intercept
            + 0.45 * burden
            + 0.4 * dx["heart_failure"]
            + 0.35 * dx["kidney_disease"]
            + 0.3 * dx["copd"]
            + 0.3 * dx["cancer"]
            + 0.2 * severity
        )
        readmission = ((rng.random(n) < _sigmoid(readmission_logit)) & (mortality == 0)).astype(np.int64)

        table = {
            "age": np.round(age, 1),
            "age_group": np.asarray(AGE_GROUPS)[np.searchsorted(AGE_GROUP_EDGES, age, side="right")],
            "sex": sex,
            "ethnicity": ethnicity,
            "admission_type": admission,
            "care_unit": care_unit,
        }
        if p.n_hospitals > 1:
            table["hospital"] = np.asarray(self.hospitals)[hospital]
        table |= {f"dx_{k}": v for k, v in dx.items()}
        table |= {f"med_{k}": v for k, v in meds.items()}
        table |= out
        table |= {"mortality": mortality, "readmission": readmission}
        frame = pd.DataFrame(table)
        return frame[self.schema().names]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _unit_effect(care_unit: np.ndarray, diagnosis: str) -> np.ndarray:
    effect = np.zeros(len(care_unit))
    for unit, effects in UNIT_DIAGNOSIS_EFFECTS.items():
        if diagnosis in effects:
            effect[care_unit == unit] = effects[diagnosis]
    return effect


def _categorical_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cumulative = probs.cumsum(axis=1)
    return (rng.random(len(probs))[:, None] * cumulative[:, -1:] > cumulative).sum(axis=1)


def _ar1(rng: np.random.Generator, n: int, steps: int, phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) noise with marginal standard deviation ``sd``."""
    noise = rng.normal(0.0, sd * np.sqrt(1 - phi**2), (n, steps))
    series = np.empty((n, steps))
    series[:, 0] = rng.normal(0.0, sd, n)
    for t in range(1, steps):
        series[:, t] = phi * series[:, t - 1] + noise[:, t]
    return series


def _summaries(name: str, values: np.ndarray) -> dict[str, np.ndarray]:
    """min/mean/max over the first day, rounded like charted values; all NaN stays NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN rows: not measured
        return {
            f"{name}_min": np.round(np.nanmin(values, axis=1), 2),
            f"{name}_mean": np.round(np.nanmean(values, axis=1), 2),
            f"{name}_max": np.round(np.nanmax(values, axis=1), 2),
        }


def simulated_cohort(preset: Preset, options: CohortOptions) -> Cohort:
    model = PopulationModel(preset)
    n = options.n_patients or preset.n_patients
    table = model.sample(n, np.random.default_rng(preset.data_seed))
    return Cohort(
        name=preset.name,
        table=table,
        schema=model.schema(),
        split_plan=SplitPlan(public_sites=preset.public_hospitals),
        population=model,
        description=f"simulated ICU cohort, {n:,} patients, structural model in bench/data/simulate.py",
    )


# The tuning cohort: the MIMIC-III-like model drawn with its own seed and size. Every
# quick-profile hyperparameter of the GAN rows was chosen on it (README, "Tuning"); it
# never appears in a results table, and no reported cohort's private rows were used.
MIMIC3_SIM_TUNING = dataclasses.replace(MIMIC3_SIM, name="mimic3-sim-tuning", n_patients=8_000, data_seed=7_000_001)


def mimic3_sim(options: CohortOptions) -> Cohort:
    """Simulated MIMIC-III-like cohort: 10,000 patients, one centre, five care units."""
    return simulated_cohort(MIMIC3_SIM, options)


def mimic3_sim_tuning(options: CohortOptions) -> Cohort:
    """The tuning cohort: the MIMIC-III-like model, 8,000 patients, its own seed (never reported)."""
    return simulated_cohort(MIMIC3_SIM_TUNING, options)


def eicu_sim(options: CohortOptions) -> Cohort:
    """Simulated eICU-like cohort: 5,000 patients from 20 hospitals; ``public`` from 3 of them."""
    return simulated_cohort(EICU_SIM, options)
