"""A MIMIC-III-shaped export with fabricated values (no patient data), for benchmarks and tests
of the real-cohort extraction at sizes the open demo does not reach."""

from __future__ import annotations

from pathlib import Path

FULL_CHARTEVENTS_ROWS = 330_712_483  # MIMIC-III v1.4 CHARTEVENTS


def write_synthetic_mimic3(folder: Path, chartevents_rows: int, stays: int = 50_000) -> None:
    """A MIMIC-III-shaped export with fabricated values (no patient data): CHARTEVENTS.csv.gz
    of ``chartevents_rows`` rows (a quarter of them the loader's vital-sign items, charted
    from a day before to ten days after ICU admission) and small versions of the other tables."""
    import duckdb

    from bench.data.real import codes

    folder.mkdir(parents=True, exist_ok=True)
    vitals = [i for items, _ in codes.MIMIC_VITAL_ITEMS.values() for i in items]
    labs = [i for items in codes.MIMIC_LAB_ITEMS.values() for i in items]
    con = duckdb.connect()  # every value is a deterministic function of the row number
    con.execute(f"""CREATE TABLE stays AS SELECT range AS icustay_id, 100000 + range AS hadm_id, 10000 + range // 2 AS subject_id,
        TIMESTAMP '2150-01-01' + to_minutes(CAST(range * 37 AS BIGINT)) AS intime FROM range({stays})""")
    con.execute(f"""COPY (SELECT icustay_id AS row_id, subject_id, hadm_id, icustay_id, 'carevue' AS dbsource,
        (['MICU','SICU','CCU','CSRU','TSICU'])[1 + icustay_id % 5] AS first_careunit,
        (['MICU','SICU','CCU','CSRU','TSICU'])[1 + icustay_id % 5] AS last_careunit, 1 AS first_wardid,
        1 AS last_wardid, intime, intime + INTERVAL 3 DAY AS outtime, 3.0 AS los FROM stays)
        TO '{folder}/ICUSTAYS.csv' (HEADER)""")
    con.execute(f"""COPY (SELECT hadm_id AS row_id, subject_id, hadm_id, intime - INTERVAL 1 DAY AS admittime,
        intime + INTERVAL 6 DAY AS dischtime, NULL AS deathtime,
        (['EMERGENCY','ELECTIVE','URGENT'])[1 + hadm_id % 3] AS admission_type, 'WHITE' AS ethnicity,
        CAST(hadm_id % 9 = 0 AS INTEGER) AS hospital_expire_flag FROM stays) TO '{folder}/ADMISSIONS.csv' (HEADER)""")
    con.execute(f"""COPY (SELECT subject_id AS row_id, subject_id, (['F','M'])[1 + subject_id % 2] AS gender,
        min(intime) - to_days(CAST(7000 + subject_id % 20000 AS INTEGER)) AS dob FROM stays GROUP BY subject_id)
        TO '{folder}/PATIENTS.csv' (HEADER)""")
    con.execute(f"""COPY (SELECT range AS row_id, 10000 + range % {stays} AS subject_id, 100000 + range % {stays} AS hadm_id,
        1 AS seq_num, (['4019','4280','0389','5849','25000','486'])[1 + range % 6] AS icd9_code FROM range({stays * 9}))
        TO '{folder}/DIAGNOSES_ICD.csv' (HEADER)""")
    con.execute(f"""COPY (SELECT range AS row_id, 100000 + range % {stays} AS hadm_id, s.intime AS startdate,
        s.intime + INTERVAL 2 DAY AS enddate, (['Heparin','Insulin','Vancomycin','Furosemide','Metoprolol'])[1 + range % 5] AS drug
        FROM range({stays * 10}) JOIN stays s ON s.icustay_id = range % {stays}) TO '{folder}/PRESCRIPTIONS.csv' (HEADER)""")
    con.execute(f"""COPY (SELECT range AS row_id, s.subject_id, s.hadm_id,
        ({labs})[1 + range % {len(labs)}] AS itemid, s.intime + to_minutes(CAST(range % 2880 AS BIGINT)) - INTERVAL 12 HOUR AS charttime,
        '1.0' AS value, 1.0 + (range % 7) AS valuenum, 'mg/dL' AS valueuom, NULL AS flag
        FROM range({max(chartevents_rows // 25, 1000)}) JOIN stays s ON s.icustay_id = range % {stays}) TO '{folder}/LABEVENTS.csv' (HEADER)""")
    con.execute(f"""COPY (SELECT range AS row_id, 10000 + range % {stays} AS subject_id, 100000 + range % {stays} AS hadm_id,
        (range // 4) % {stays} AS icustay_id,
        CASE WHEN range % 4 = 0 THEN ({vitals})[1 + (range // 4 // {stays}) % {len(vitals)}] ELSE 1000 + range % 5000 END AS itemid,
        s.intime + to_minutes(CAST(hash(range) % 15840 AS BIGINT)) - INTERVAL 1 DAY AS charttime,
        s.intime AS storetime, 17000 AS cgid, CAST(60 + range % 60 AS VARCHAR) AS value, 60.0 + range % 60 AS valuenum,
        'bpm' AS valueuom, 0 AS warning, 0 AS error, NULL AS resultstatus, 'NotStopd' AS stopped
        FROM range({chartevents_rows}) JOIN stays s ON s.icustay_id = (range // 4) % {stays})
        TO '{folder}/CHARTEVENTS.csv.gz' (HEADER, COMPRESSION gzip)""")
    con.close()


