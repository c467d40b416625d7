"""The ``eicu`` cohort: eICU-CRD unit stays from a CSV export (``--data-dir``).

Cohort definition:

* Stays: every unit stay in patient.csv of a patient aged 18 or more
  ("> 89" becomes 91), with sex Male or Female, a known hospital discharge
  status, and one of the eight eICU unit types.
* Patient: ``uniquepid``; all of a patient's stays go to one part of the
  split (``Schema.patient``).
* Conditions: age group, sex, ethnicity (eICU's six groups; empty becomes
  Other/Unknown), unit type, hospital. The hospital categories are the
  hospital ids listed in hospital.csv (public metadata, not counted from stays).
* First-day physiology: the APACHE IV worst values of apacheApsVar (heart
  rate, mean blood pressure, respiratory rate, temperature, glucose, WBC,
  sodium, BUN, creatinine, bilirubin; -1 means not measured) as
  ``NAME_worst``. When the export also has vitalPeriodic (the full database
  does; the demo does not), the vital signs over the first 24 hours of the
  unit stay as min / mean / max; when it has lab, the laboratory values from
  6 hours before to 24 hours after unit admission likewise.
* Diagnoses: diagnosis.icd9code (its first, ICD-9 code; dot removed) in the
  25 ICD-9 groups of ``bench.data.real.codes``; every diagnosis of the unit stay.
* Medications: medication rows not cancelled, active during the first 24
  hours (start offset at most 1,440 minutes, stop offset not negative), in
  the 10 classes by drug name (rows without a drug name are not classified).
* Outcomes: hospital mortality (hospitaldischargestatus = Expired) and ICU
  readmission: a later unit visit within the same hospital stay
  (patienthealthsystemstayid) exists.
* Public split: the stays of the hospitals whose id falls in a fixed hash
  bucket (about one hospital in ten, ``public_hospitals``), chosen without
  looking at any stay, so disjoint from the private hospitals.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from bench.data.cohort import Cohort, CohortOptions, SplitPlan
from bench.data.real import codes
from bench.data.real.source import Source, Table, connect, extract_cached
from bench.data.real.table import assemble, schema

TABLES = [
    Table("patient", ("patientunitstayid", "patienthealthsystemstayid", "gender", "age", "ethnicity", "hospitalid",
                      "hospitaldischargestatus", "unittype", "unitvisitnumber", "uniquepid")),
    Table("hospital", ("hospitalid",)),
    Table("apacheApsVar", ("patientunitstayid", "heartrate", "meanbp", "respiratoryrate", "temperature", "glucose",
                           "wbc", "sodium", "bun", "creatinine", "bilirubin")),
    Table("diagnosis", ("patientunitstayid", "icd9code")),
    Table("medication", ("patientunitstayid", "drugstartoffset", "drugstopoffset", "drugordercancelled", "drugname")),
    Table("vitalPeriodic", ("patientunitstayid", "observationoffset", "heartrate", "systemicsystolic",
                            "systemicdiastolic", "systemicmean", "respiration", "temperature", "sao2"), required=False),
    Table("lab", ("patientunitstayid", "labresultoffset", "labname", "labresult"), required=False),
]

# apacheApsVar column -> cohort name
APACHE_WORST = {"heartrate": "heart_rate", "meanbp": "mbp", "respiratoryrate": "resp_rate",
                "temperature": "temperature", "glucose": "glucose", "wbc": "wbc", "sodium": "sodium", "bun": "bun",
                "creatinine": "creatinine", "bilirubin": "bilirubin"}
# vitalPeriodic column -> cohort name, with the plausible range kept
VITAL_COLUMNS = {"heartrate": ("heart_rate", (0.0, 300.0)), "systemicsystolic": ("sbp", (0.0, 400.0)),
                 "systemicdiastolic": ("dbp", (0.0, 300.0)), "systemicmean": ("mbp", (0.0, 300.0)),
                 "respiration": ("resp_rate", (0.0, 70.0)), "temperature": ("temperature", (10.0, 50.0)),
                 "sao2": ("spo2", (0.0, 100.0))}
# lab.labname -> cohort name
LAB_NAMES = {"creatinine": "creatinine", "BUN": "bun", "sodium": "sodium", "potassium": "potassium",
             "bicarbonate": "bicarbonate", "HCO3": "bicarbonate", "WBC x 1000": "wbc", "Hgb": "hemoglobin",
             "platelets x 1000": "platelets", "lactate": "lactate", "total bilirubin": "bilirubin",
             "glucose": "glucose", "bedside glucose": "glucose"}


def public_hospitals(hospital_ids: list[str]) -> tuple[str, ...]:
    """About one hospital in ten, by a hash of its id alone (no stay is looked at)."""
    return tuple(h for h in hospital_ids if int(hashlib.sha256(f"eicu-public:{h}".encode()).hexdigest(), 16) % 10 == 0)


def _stays_sql(source: Source) -> str:
    units = ", ".join(f"'{u}'" for u in codes.UNIT_TYPES_EICU)
    ethnicities = ", ".join(f"'{e}'" for e in codes.ETHNICITY_EICU)
    return f"""
    WITH p AS (
        SELECT TRY_CAST(patientunitstayid AS BIGINT) AS icustay_id,
               TRY_CAST(patienthealthsystemstayid AS BIGINT) AS hospital_stay,
               TRY_CAST(unitvisitnumber AS INTEGER) AS visit,
               uniquepid,
               CASE WHEN trim(age) = '> 89' THEN {codes.AGE_HIGH} ELSE TRY_CAST(age AS DOUBLE) END AS age,
               CASE WHEN gender = 'Female' THEN 'F' WHEN gender = 'Male' THEN 'M' END AS sex,
               CASE WHEN ethnicity IN ({ethnicities}) THEN ethnicity ELSE 'Other/Unknown' END AS ethnicity,
               CAST(TRY_CAST(hospitalid AS BIGINT) AS VARCHAR) AS hospital,
               unittype AS care_unit,
               CASE WHEN hospitaldischargestatus = 'Expired' THEN 1
                    WHEN hospitaldischargestatus = 'Alive' THEN 0 END AS mortality
        FROM {source.scan("patient")}
    )
    SELECT p.*, CASE WHEN EXISTS (SELECT 1 FROM p later WHERE later.hospital_stay = p.hospital_stay
                                  AND later.visit > p.visit) THEN 1 ELSE 0 END AS readmission
    FROM p
    WHERE p.age >= 18 AND p.sex IS NOT NULL AND p.mortality IS NOT NULL AND p.care_unit IN ({units})
    """


def _worst_sql(source: Source) -> str:
    selects = " UNION ALL ".join(
        f"SELECT TRY_CAST(patientunitstayid AS BIGINT) AS icustay_id, '{name}' AS name, "
        f"TRY_CAST({column} AS DOUBLE) AS value FROM {source.scan('apacheApsVar')}"
        for column, name in APACHE_WORST.items()
    )
    return f"""
    SELECT w.icustay_id, w.name, max(w.value) AS value
    FROM ({selects}) w JOIN stays s ON s.icustay_id = w.icustay_id
    WHERE w.value IS NOT NULL AND w.value <> -1
    GROUP BY w.icustay_id, w.name
    """


def _vitals_sql(source: Source) -> str:
    selects = " UNION ALL ".join(
        f"SELECT TRY_CAST(patientunitstayid AS BIGINT) AS icustay_id, "
        f"TRY_CAST(observationoffset AS DOUBLE) AS offset_minutes, '{name}' AS name, "
        f"TRY_CAST({column} AS DOUBLE) AS value FROM {source.scan('vitalPeriodic')}"
        for column, (name, _) in VITAL_COLUMNS.items()
    )
    ranges = " OR ".join(f"(v.name = '{name}' AND v.value > {low} AND v.value <= {high})"
                         for name, (low, high) in VITAL_COLUMNS.values())
    return f"""
    SELECT v.icustay_id, v.name, min(v.value) AS min, avg(v.value) AS mean, max(v.value) AS max
    FROM ({selects}) v JOIN stays s ON s.icustay_id = v.icustay_id
    WHERE v.offset_minutes BETWEEN 0 AND 1440 AND ({ranges})
    GROUP BY v.icustay_id, v.name
    """


def _labs_sql(source: Source) -> str:
    cases = " ".join(f"WHEN labname = '{raw}' THEN '{name}'" for raw, name in LAB_NAMES.items())
    names = ", ".join(f"'{raw}'" for raw in LAB_NAMES)
    return f"""
    SELECT l.icustay_id, l.name, min(l.value) AS min, avg(l.value) AS mean, max(l.value) AS max
    FROM (SELECT TRY_CAST(patientunitstayid AS BIGINT) AS icustay_id, CASE {cases} END AS name,
                 TRY_CAST(labresultoffset AS DOUBLE) AS offset_minutes, TRY_CAST(labresult AS DOUBLE) AS value
          FROM {source.scan("lab")} WHERE labname IN ({names})) l
    JOIN stays s ON s.icustay_id = l.icustay_id
    WHERE l.offset_minutes BETWEEN -360 AND 1440 AND l.value > 0
    GROUP BY l.icustay_id, l.name
    """


def _diagnoses_sql(source: Source) -> str:
    return f"""
    SELECT DISTINCT d.icustay_id, grp AS name
    FROM (SELECT TRY_CAST(patientunitstayid AS BIGINT) AS icustay_id,
                 replace(trim(split_part(icd9code, ',', 1)), '.', '') AS code
          FROM {source.scan("diagnosis")}) d
    JOIN stays s ON s.icustay_id = d.icustay_id,
    unnest({codes.icd9_group_sql("d.code")}) AS u(grp)
    WHERE grp IS NOT NULL
    """


def _medications_sql(source: Source) -> str:
    return f"""
    SELECT DISTINCT m.icustay_id, klass AS name
    FROM (SELECT TRY_CAST(patientunitstayid AS BIGINT) AS icustay_id,
                 TRY_CAST(drugstartoffset AS DOUBLE) AS start_minutes,
                 TRY_CAST(drugstopoffset AS DOUBLE) AS stop_minutes, drugordercancelled, drugname
          FROM {source.scan("medication")}) m
    JOIN stays s ON s.icustay_id = m.icustay_id,
    unnest({codes.medication_class_sql("m.drugname")}) AS u(klass)
    WHERE klass IS NOT NULL AND coalesce(m.drugordercancelled, 'No') <> 'Yes'
          AND m.start_minutes <= 1440 AND (m.stop_minutes IS NULL OR m.stop_minutes >= 0)
    """


def _hospital_ids(connection, source: Source) -> list[str]:
    rows = connection.execute(
        f"SELECT DISTINCT TRY_CAST(hospitalid AS BIGINT) AS h FROM {source.scan('hospital')} WHERE h IS NOT NULL ORDER BY h"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _layout(source: Source) -> dict:
    """Which physiology the export allows (the demo lacks vitalPeriodic and lab)."""
    return {
        "worst": tuple(dict.fromkeys(APACHE_WORST.values())),
        "vitals": tuple(dict.fromkeys(n for n, _ in VITAL_COLUMNS.values())) if source.has("vitalPeriodic") else (),
        "labs": tuple(dict.fromkeys(LAB_NAMES.values())) if source.has("lab") else (),
    }


def extract(source: Source) -> pd.DataFrame:
    connection = connect()
    source.check(connection, TABLES)
    hospitals = set(_hospital_ids(connection, source))
    connection.execute(f"CREATE TEMP TABLE stays AS {_stays_sql(source)}")
    stays = connection.execute("SELECT * FROM stays ORDER BY icustay_id").df()
    stays = stays[stays["hospital"].isin(hospitals)]  # a stay's hospital must be a listed category
    layout = _layout(source)
    queries = {"worst": _worst_sql(source), "diagnoses": _diagnoses_sql(source), "medications": _medications_sql(source)}
    if layout["vitals"]:
        queries["vitals"] = _vitals_sql(source)
    if layout["labs"]:
        queries["labs"] = _labs_sql(source)
    parts = {kind: connection.execute(sql).df() for kind, sql in queries.items()}
    connection.close()
    return assemble(stays.reset_index(drop=True), parts, patient="uniquepid", **layout)


def eicu_cohort(options: CohortOptions) -> Cohort:
    """eICU-CRD unit stays read from ``--data-dir`` (see the module docstring)."""
    source = Source(options.data_dir, "eicu")
    table = extract_cached(source, TABLES, extract)
    connection = connect()
    hospitals = _hospital_ids(connection, source)
    connection.close()
    layout = _layout(source)
    return Cohort(
        name="eicu",
        table=table,
        schema=schema(**layout, unit_types=codes.UNIT_TYPES_EICU, ethnicities=codes.ETHNICITY_EICU,
                      admission_types=(), hospitals=tuple(hospitals)),
        split_plan=SplitPlan(public_sites=public_hospitals(hospitals)),
        description=f"eICU-CRD unit stays from {source.folder} ({len(table):,} stays)",
    )
