"""The table and schema every real-database loader produces.

The columns are the simulated cohorts' (``bench.data.simulate``): age and its group,
sex, ethnicity, admission type (MIMIC-III), care unit, hospital (eICU),
25 diagnosis groups and 10 medication classes as multi-label binaries,
first-day vital signs and laboratory values as min / mean / max, eICU's APACHE
worst values, and the two outcomes. Every physiological value is nullable
(missingness is kept) and clipped to the public bounds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.data.real import codes
from bench.data.vocabulary import AGE_GROUP_EDGES


PATIENT_ID = "patient_id"  # the patient identifier column a loader hands the cohort (never a data column)


def assemble(stays: pd.DataFrame, parts: dict[str, pd.DataFrame], *, patient: str, vitals=(), labs=(),
             worst=()) -> pd.DataFrame:
    """Stays plus their long-format parts -> the cohort table.

    ``stays``: one row per stay (``icustay_id``, age, sex, ethnicity, ..., mortality,
    readmission). ``parts``: ``diagnoses`` and ``medications`` as (icustay_id, name);
    ``vitals`` and ``labs`` as (icustay_id, name, min, mean, max); ``worst`` as
    (icustay_id, name, value), for eICU's APACHE first-day worst values. ``patient``: the
    stays column identifying the patient (MIMIC-III ``subject_id``, eICU ``uniquepid``); it
    becomes ``patient_id``, which the cohort takes out of the table and splits by.
    """
    index = stays["icustay_id"].to_numpy()
    columns: dict[str, np.ndarray] = {PATIENT_ID: stays[patient].astype(str).to_numpy()}
    age = np.minimum(stays["age"].to_numpy(dtype=float), codes.AGE_HIGH)
    columns["age"] = age
    columns["age_group"] = np.asarray(codes.AGE_GROUPS)[np.searchsorted(AGE_GROUP_EDGES, age, side="right")]
    for column in ("sex", "ethnicity", "admission_type", "care_unit", "hospital"):
        if column in stays:
            columns[column] = stays[column].astype(str).to_numpy()
    for kind, names in (("diagnoses", codes.ICD9_GROUPS), ("medications", codes.MEDICATION_CLASSES)):
        prefix = "dx" if kind == "diagnoses" else "med"
        present = parts[kind]
        for name in names:
            members = present.loc[present["name"] == name, "icustay_id"].to_numpy()
            columns[f"{prefix}_{name}"] = np.isin(index, members).astype(np.int64)
    for kind, names in (("vitals", vitals), ("labs", labs)):
        for name in names:
            rows = parts[kind][parts[kind]["name"] == name].set_index("icustay_id")
            for stat in ("min", "mean", "max"):
                columns[f"{name}_{stat}"] = _clipped(rows[stat], index, name)
    for name in worst:
        rows = parts["worst"][parts["worst"]["name"] == name].set_index("icustay_id")
        columns[f"{name}_worst"] = _clipped(rows["value"], index, name)
    columns["mortality"] = stays["mortality"].to_numpy(dtype=np.int64)
    columns["readmission"] = stays["readmission"].to_numpy(dtype=np.int64)
    table = pd.DataFrame(columns, index=pd.Index(index, name="icustay_id"))
    return table  # indexed by stay id (the Cohort drops it: ids are never released)


def schema(*, vitals=(), labs=(), worst=(), unit_types=codes.CARE_UNITS_MIMIC, ethnicities=codes.ETHNICITY_MIMIC,
           admission_types=codes.ADMISSION_TYPES_MIMIC, hospitals=None):
    """The real cohorts' schema: the simulated cohorts' columns, every physiological value nullable."""
    from bench.data.schema import Column, Schema

    columns = [
        Column("age", "continuous", low=18.0, high=codes.AGE_HIGH),
        Column("age_group", "categorical", categories=codes.AGE_GROUPS),
        Column("sex", "categorical", categories=("F", "M")),
        Column("ethnicity", "categorical", categories=ethnicities),
    ]
    conditions = ["age_group", "sex", "ethnicity"]
    if admission_types:
        columns.append(Column("admission_type", "categorical", categories=admission_types))
        conditions.append("admission_type")
    columns.append(Column("care_unit", "categorical", categories=unit_types))
    conditions.append("care_unit")
    if hospitals:
        columns.append(Column("hospital", "categorical", categories=hospitals))
        conditions.append("hospital")
    columns += [Column(f"dx_{name}", "binary", group="diagnoses") for name in codes.ICD9_GROUPS]
    columns += [Column(f"med_{name}", "binary", group="medications") for name in codes.MEDICATION_CLASSES]
    for name in (*vitals, *labs):
        low, high = _bounds(name)
        columns += [Column(f"{name}_{stat}", "continuous", low=low, high=high, nullable=True)
                    for stat in ("min", "mean", "max")]
    for name in worst:
        low, high = _bounds(name)
        columns.append(Column(f"{name}_worst", "continuous", low=low, high=high, nullable=True))
    columns += [Column("mortality", "binary"), Column("readmission", "binary")]
    return Schema(
        columns=tuple(columns),
        conditions=tuple(conditions),
        outcomes={"mortality": "mortality", "readmission": "readmission"},
        quasi_identifiers=("age", *conditions),
        site="hospital" if hospitals else None,
        patient=PATIENT_ID,
    )




def _clipped(values: pd.Series, index: np.ndarray, name: str) -> np.ndarray:
    """Values per stay (NaN where none), clipped to the public bounds."""
    low, high = _bounds(name)
    column = values.astype(float).reindex(index).to_numpy()
    return np.where(np.isnan(column), np.nan, np.clip(column, low, high))


def _bounds(name: str) -> tuple[float, float]:
    return codes.VITAL_BOUNDS.get(name) or codes.LAB_BOUNDS[name]
