"""The ``mimic3`` cohort: MIMIC-III ICU stays from a CSV export (``--data-dir``).

Cohort definition:

* Stays: the first ICU stay (by ``intime``) of every hospital admission in
  ICUSTAYS, of patients aged 18 or more at ICU admission (age from
  PATIENTS.dob; MIMIC shifts ages over 89 to about 300, which become 91),
  in the adult care units MICU, SICU, CCU, CSRU and TSICU, admitted as
  EMERGENCY, ELECTIVE or URGENT.
* Patient: ``subject_id``. A patient with several admissions has several
  stays; the split keeps them all in one part (``Schema.patient``), so no
  patient is both a member and a non-member.
* Conditions: age group, sex, ethnicity (ADMISSIONS.ethnicity folded to
  WHITE, BLACK, HISPANIC, ASIAN, UNKNOWN or OTHER), admission type, first
  care unit.
* Vital signs, first 24 hours from ``intime`` (CHARTEVENTS, CareVue and
  MetaVision item ids in ``bench.data.real.codes.MIMIC_VITAL_ITEMS``, rows marked
  as errors dropped, implausible values dropped, Fahrenheit converted):
  heart rate, systolic / diastolic / mean blood pressure, respiratory rate,
  temperature, SpO2, glucose, each as min / mean / max.
* Laboratory values (LABEVENTS, ``MIMIC_LAB_ITEMS``), from 6 hours before to
  24 hours after ``intime`` (LABEVENTS has no stay id; the window is the usual
  one for first-day labs): creatinine, BUN, sodium, potassium, bicarbonate,
  WBC, hemoglobin, platelets, lactate, bilirubin, as min / mean / max.
  Every vital and lab may be missing: missingness is kept (a NaN plus the
  encoder's missing indicator).
* Diagnoses: the admission's DIAGNOSES_ICD codes in 25 ICD-9 groups
  (``ICD9_GROUPS``), a multi-label set.
* Medications: PRESCRIPTIONS of the admission active on the first ICU day
  (start date no later than ``intime`` + 24 h, end date not before the day
  of ``intime``), in 10 classes by drug name (``MEDICATION_CLASSES``).
* Outcomes: in-hospital mortality (ADMISSIONS.hospital_expire_flag) and
  30-day readmission: the patient's next admission starts within 30 days of
  this one's discharge; 0 for patients who died in hospital.

Values outside the schema's public bounds are clipped to them.
"""

from __future__ import annotations

import pandas as pd

from bench.data.cohort import Cohort, CohortOptions
from bench.data.real import codes
from bench.data.real.source import Source, Table, connect, extract_cached
from bench.data.real.table import assemble, schema

TABLES = [
    Table("ICUSTAYS", ("subject_id", "hadm_id", "icustay_id", "first_careunit", "intime")),
    Table("ADMISSIONS", ("subject_id", "hadm_id", "admittime", "dischtime", "admission_type", "ethnicity",
                         "hospital_expire_flag")),
    Table("PATIENTS", ("subject_id", "gender", "dob")),
    Table("CHARTEVENTS", ("icustay_id", "itemid", "charttime", "valuenum", "error")),
    Table("LABEVENTS", ("subject_id", "itemid", "charttime", "valuenum")),
    Table("DIAGNOSES_ICD", ("hadm_id", "icd9_code")),
    Table("PRESCRIPTIONS", ("hadm_id", "startdate", "enddate", "drug")),
]


def _stays_sql(source: Source) -> str:
    units = ", ".join(f"'{u}'" for u in codes.CARE_UNITS_MIMIC)
    types = ", ".join(f"'{t}'" for t in codes.ADMISSION_TYPES_MIMIC)
    return f"""
    WITH icu AS (
        SELECT TRY_CAST(icustay_id AS BIGINT) AS icustay_id, TRY_CAST(hadm_id AS BIGINT) AS hadm_id,
               TRY_CAST(subject_id AS BIGINT) AS subject_id, first_careunit AS care_unit,
               TRY_CAST(intime AS TIMESTAMP) AS intime
        FROM {source.scan("ICUSTAYS")}
    ), ranked AS (
        SELECT *, row_number() OVER (PARTITION BY hadm_id ORDER BY intime, icustay_id) AS stay_rank FROM icu
    ), admissions AS (
        SELECT TRY_CAST(hadm_id AS BIGINT) AS hadm_id, TRY_CAST(subject_id AS BIGINT) AS subject_id,
               TRY_CAST(admittime AS TIMESTAMP) AS admittime, TRY_CAST(dischtime AS TIMESTAMP) AS dischtime,
               admission_type, ethnicity, TRY_CAST(hospital_expire_flag AS INTEGER) AS died
        FROM {source.scan("ADMISSIONS")}
    ), next_admission AS (
        SELECT *, lead(admittime) OVER (PARTITION BY subject_id ORDER BY admittime) AS next_admittime
        FROM admissions
    )
    SELECT r.icustay_id, r.hadm_id, r.subject_id, r.care_unit, r.intime, a.admission_type,
           CASE WHEN starts_with(upper(a.ethnicity), 'WHITE') THEN 'WHITE'
                WHEN starts_with(upper(a.ethnicity), 'BLACK') THEN 'BLACK'
                WHEN starts_with(upper(a.ethnicity), 'HISPANIC') THEN 'HISPANIC'
                WHEN starts_with(upper(a.ethnicity), 'ASIAN') THEN 'ASIAN'
                WHEN a.ethnicity IS NULL OR upper(a.ethnicity) IN ('UNKNOWN/NOT SPECIFIED', 'UNABLE TO OBTAIN',
                     'PATIENT DECLINED TO ANSWER') THEN 'UNKNOWN'
                ELSE 'OTHER' END AS ethnicity,
           CASE WHEN upper(p.gender) = 'F' THEN 'F' WHEN upper(p.gender) = 'M' THEN 'M' END AS sex,
           date_diff('second', TRY_CAST(p.dob AS TIMESTAMP), r.intime) / (365.2425 * 86400.0) AS age,
           coalesce(a.died, 0) AS mortality,
           CASE WHEN coalesce(a.died, 0) = 0 AND a.next_admittime IS NOT NULL
                     AND a.next_admittime <= a.dischtime + INTERVAL 30 DAY THEN 1 ELSE 0 END AS readmission
    FROM ranked r
    JOIN next_admission a ON a.hadm_id = r.hadm_id
    JOIN (SELECT TRY_CAST(subject_id AS BIGINT) AS subject_id, gender, dob FROM {source.scan("PATIENTS")}) p
         ON p.subject_id = r.subject_id
    WHERE r.stay_rank = 1 AND r.care_unit IN ({units}) AND a.admission_type IN ({types})
    """


def _vitals_sql(source: Source) -> str:
    cases, ranges, all_items = [], [], []
    for name, (items, (low, high)) in codes.MIMIC_VITAL_ITEMS.items():
        ids = ", ".join(map(str, items))
        cases.append(f"WHEN itemid IN ({ids}) THEN '{name}'")
        upper = "<=" if name == "spo2" else "<"
        ranges.append(f"(name = '{name}' AND value > {low} AND value {upper} {high})")
        all_items += items
    fahrenheit = ", ".join(map(str, codes.FAHRENHEIT_ITEMS))
    return f"""
    WITH events AS (
        SELECT TRY_CAST(icustay_id AS BIGINT) AS icustay_id, TRY_CAST(itemid AS INTEGER) AS itemid,
               TRY_CAST(charttime AS TIMESTAMP) AS charttime, TRY_CAST(valuenum AS DOUBLE) AS valuenum,
               TRY_CAST(error AS INTEGER) AS error
        FROM {source.scan("CHARTEVENTS")}
        WHERE TRY_CAST(itemid AS INTEGER) IN ({", ".join(map(str, all_items))})
    ), named AS (
        SELECT e.icustay_id, CASE {" ".join(cases)} END AS name,
               CASE WHEN e.itemid IN ({fahrenheit}) THEN (e.valuenum - 32) / 1.8 ELSE e.valuenum END AS value
        FROM events e JOIN stays s ON e.icustay_id = s.icustay_id
        WHERE e.charttime >= s.intime AND e.charttime <= s.intime + INTERVAL 24 HOUR
              AND coalesce(e.error, 0) = 0 AND e.valuenum IS NOT NULL
    )
    SELECT icustay_id, name, min(value) AS min, avg(value) AS mean, max(value) AS max
    FROM named WHERE {" OR ".join(ranges)}
    GROUP BY icustay_id, name
    """


def _labs_sql(source: Source) -> str:
    cases, all_items = [], []
    for name, items in codes.MIMIC_LAB_ITEMS.items():
        cases.append(f"WHEN itemid IN ({', '.join(map(str, items))}) THEN '{name}'")
        all_items += items
    return f"""
    WITH events AS (
        SELECT TRY_CAST(subject_id AS BIGINT) AS subject_id, TRY_CAST(itemid AS INTEGER) AS itemid,
               TRY_CAST(charttime AS TIMESTAMP) AS charttime, TRY_CAST(valuenum AS DOUBLE) AS value
        FROM {source.scan("LABEVENTS")}
        WHERE TRY_CAST(itemid AS INTEGER) IN ({", ".join(map(str, all_items))})
    )
    SELECT s.icustay_id, CASE {" ".join(cases)} END AS name,
           min(e.value) AS min, avg(e.value) AS mean, max(e.value) AS max
    FROM events e JOIN stays s ON e.subject_id = s.subject_id
    WHERE e.charttime >= s.intime - INTERVAL 6 HOUR AND e.charttime <= s.intime + INTERVAL 24 HOUR
          AND e.value > 0
    GROUP BY s.icustay_id, name
    """


def _diagnoses_sql(source: Source) -> str:
    return f"""
    SELECT DISTINCT s.icustay_id, grp AS name
    FROM (SELECT TRY_CAST(hadm_id AS BIGINT) AS hadm_id, upper(trim(icd9_code)) AS code
          FROM {source.scan("DIAGNOSES_ICD")}) d
    JOIN stays s ON s.hadm_id = d.hadm_id,
    unnest({codes.icd9_group_sql("d.code")}) AS u(grp)
    WHERE grp IS NOT NULL
    """


def _medications_sql(source: Source) -> str:
    return f"""
    SELECT DISTINCT s.icustay_id, klass AS name
    FROM (SELECT TRY_CAST(hadm_id AS BIGINT) AS hadm_id, TRY_CAST(startdate AS TIMESTAMP) AS startdate,
                 TRY_CAST(enddate AS TIMESTAMP) AS enddate, drug
          FROM {source.scan("PRESCRIPTIONS")}) p
    JOIN stays s ON s.hadm_id = p.hadm_id,
    unnest({codes.medication_class_sql("p.drug")}) AS u(klass)
    WHERE klass IS NOT NULL AND p.startdate <= s.intime + INTERVAL 24 HOUR
          AND (p.enddate IS NULL OR p.enddate >= date_trunc('day', s.intime))
    """


def extract(source: Source) -> pd.DataFrame:
    """One row per stay, the columns of ``schema()`` (plus nothing else)."""
    connection = connect()
    source.check(connection, TABLES)
    connection.execute(f"CREATE TEMP TABLE stays AS {_stays_sql(source)}")
    connection.execute("DELETE FROM stays WHERE age IS NULL OR age < 18 OR sex IS NULL")
    stays = connection.execute("SELECT * FROM stays ORDER BY icustay_id").df()
    parts = {kind: connection.execute(sql).df() for kind, sql in (
        ("vitals", _vitals_sql(source)), ("labs", _labs_sql(source)),
        ("diagnoses", _diagnoses_sql(source)), ("medications", _medications_sql(source)),
    )}
    connection.close()
    return assemble(stays, parts, patient="subject_id", vitals=codes.MIMIC_VITAL_ITEMS, labs=codes.MIMIC_LAB_ITEMS)


def mimic3_cohort(options: CohortOptions) -> Cohort:
    """MIMIC-III ICU stays read from ``--data-dir`` (see the module docstring)."""
    source = Source(options.data_dir, "mimic3")
    table = extract_cached(source, TABLES, extract)
    return Cohort(
        name="mimic3",
        table=table,
        schema=schema(vitals=codes.MIMIC_VITAL_ITEMS, labs=codes.MIMIC_LAB_ITEMS),
        description=f"MIMIC-III ICU stays from {source.folder} ({len(table):,} stays)",
    )
