"""A cohort (table + public schema) and its seeded split into named parts.

The parts, all disjoint:

=========  ===============================================================
train      private: the members a synthesizer is fitted on
holdout    non-members from the same population, for membership attacks
reference  the attacker's own sample of the population
test       real data for downstream (train-on-synthetic, test-on-real) scores
public     data a method may use at no privacy cost; for multi-hospital
           cohorts it comes from hospitals disjoint from all other parts
=========  ===============================================================

Default sizes (``SplitPlan``): ``public`` is 10% of the cohort, or the rows of
the named public hospitals; of the rest, ``holdout`` and ``reference`` take
15% each but ``holdout`` at least 1,000 rows (so that a 1% false-positive rate
is resolved by 10 rows), ``test`` 10%, and ``train`` what remains. On
``mimic3-sim`` (10,000): train 5,400, holdout 1,350, reference 1,350,
test 900, public 1,000. On ``eicu-sim`` (5,000) ``public`` is the three public
hospitals' patients and the rest split with ``holdout`` = 1,000.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.errors import BenchInputError
from bench.data.schema import Schema

SPLIT_NAMES = ("train", "holdout", "reference", "test", "public")


@dataclass(frozen=True)
class CohortOptions:
    """What a cohort factory may be told on the command line.

    Attributes:
        n_patients: Size override for simulated cohorts (tests use small ones).
        data_dir: Folder holding a real database export.
        csv: Path of a CSV file for the ``csv`` cohort.
        schema: Path of the schema JSON for the ``csv`` cohort.
    """

    n_patients: int | None = None
    data_dir: Path | None = None
    csv: Path | None = None
    schema: Path | None = None


@dataclass(frozen=True)
class SplitPlan:
    """Fractions of the seeded split (see module docstring)."""

    public: float = 0.10
    holdout: float = 0.15
    reference: float = 0.15
    test: float = 0.10
    min_holdout: int = 1_000
    public_sites: tuple[str, ...] = ()


# The least rows per part at which every figure is defined, not at which it is precise (the tables
# print the split sizes). Membership scores are cut in two halves (threshold, bound), each with at
# least 3 members and 3 non-members. The open demos pass: eICU's 37 adult stays give 12, 6, 4, 4;
# MIMIC-III's 50 stays, split by patient, as little as 15, 9, 6, 3.
MIN_PART_ROWS = {"train": 10, "holdout": 6, "reference": 4, "test": 3}


@dataclass(frozen=True)
class Split:
    """The five disjoint parts of one cohort for one seed.

    ``patients``: each part's patient identifiers, row for row, when the schema names
    one (None otherwise: every row is its own patient). They stay with the harness
    (membership candidates, group privacy); no synthesizer or attack sees them.
    """

    train: pd.DataFrame
    holdout: pd.DataFrame
    reference: pd.DataFrame
    test: pd.DataFrame
    public: pd.DataFrame
    patients: dict[str, np.ndarray] | None = None

    def sizes(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in SPLIT_NAMES}

    def most_rows_of_one_patient(self) -> int:
        """The largest number of training rows (stays) that belong to one patient: a patient is
        protected as a group of that many rows (``bench.api.synthesizer.group_privacy``)."""
        if self.patients is None or not len(self.patients["train"]):
            return 1
        return int(pd.Series(self.patients["train"]).value_counts().max())


@dataclass
class Cohort:
    """A cohort table with its public schema.

    Attributes:
        name: Registry name (``mimic3-sim``, ``eicu-sim``, ...).
        table: One row per ICU stay, columns as in ``schema`` (plus the patient
            identifier the schema may name, which is taken out into ``patients``).
        schema: Public description of the columns.
        split_plan: How ``split`` divides the rows.
        population: For simulated cohorts, the model that can draw fresh
            patients (used by the ``oracle`` synthesizer); ``None`` for real data.
        description: One line for ``bench list`` and the tables.
    """

    name: str
    table: pd.DataFrame
    schema: Schema
    split_plan: SplitPlan = field(default_factory=SplitPlan)
    population: Any = None
    description: str = ""
    patients: np.ndarray | None = field(default=None, init=False, repr=False)
    loader: str = field(default="", init=False, repr=False)  # module that built it (``bench.run.runner.load_suite``)
    _splits: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.schema.patient is not None:
            self.patients = _patient_ids(self.table, self.schema.patient, self.name)
            self.table = self.table.drop(columns=[self.schema.patient])
        self.schema.validate(self.table, what=f"cohort {self.name!r}")
        self.table = self.table.reset_index(drop=True)
        self.split_rows(0)  # a cohort too small for its split fails here, before anything is trained
        self.schema.validate_outcomes(self.table, what=f"cohort {self.name!r}")

    def fingerprint(self) -> str:
        """Hash of the table's content and the schema; part of every run record's key."""
        digest = hashlib.sha256()
        digest.update(pd.util.hash_pandas_object(self.table, index=False).to_numpy().tobytes())
        digest.update(json.dumps(self.schema.to_dict(), sort_keys=True).encode())
        if self.patients is not None:  # the grouping decides the split
            digest.update(pd.util.hash_array(pd.factorize(self.patients)[0]).tobytes())
        digest.update(json.dumps(asdict(self.split_plan), sort_keys=True).encode())  # and so does the plan
        return digest.hexdigest()[:16]

    def split(self, seed: int) -> Split:
        """The five parts for this seed (see ``split_rows``), made once per cohort object and seed and
        shared by every cell that uses them: nothing may change them in place (the conformance tests
        check that fitting leaves them unchanged)."""
        if seed not in self._splits:
            self._splits[seed] = self._make_split(seed)
        return self._splits[seed]

    def _make_split(self, seed: int) -> Split:
        rows = self.split_rows(seed)
        patients = None if self.patients is None else {name: self.patients[rows[name]] for name in SPLIT_NAMES}
        return Split(**{name: self.table.iloc[rows[name]].reset_index(drop=True) for name in SPLIT_NAMES},
                     patients=patients)

    def split_rows(self, seed: int) -> dict[str, np.ndarray]:
        """Sorted row positions of each part for this seed; with a patient identifier, all of a
        patient's rows are in one part."""
        plan = self.split_plan
        rng = np.random.default_rng([seed, 0x5EED])
        n = len(self.table)
        # Without an identifier every row is its own patient (and the split is the row-wise one).
        patient = pd.factorize(self.patients)[0] if self.patients is not None else np.arange(n)
        if plan.public_sites:
            if self.schema.site is None:
                raise BenchInputError(f"cohort {self.name!r}: public sites given but the schema names no site column")
            is_public = self.table[self.schema.site].isin(plan.public_sites).to_numpy()
            public_idx = np.flatnonzero(is_public)
            # A patient with a stay in a public hospital is public: their stays elsewhere are left out.
            private = ~is_public & ~np.isin(patient, patient[is_public])
            pool = rng.permutation(pd.unique(patient[private]))
        else:
            order = rng.permutation(pd.unique(patient))
            public_patients, pool = _take_rows(order, patient, int(round(plan.public * n)))
            public_idx = _rows_of(public_patients, patient)
        m = int(np.isin(patient, pool).sum())
        n_holdout = min(max(plan.min_holdout, int(round(plan.holdout * m))), m // 4)
        n_reference = int(round(plan.reference * m))
        n_test = int(round(plan.test * m))
        rows = {"public": public_idx}
        for name, size in (("holdout", n_holdout), ("reference", n_reference), ("test", n_test)):
            taken, pool = _take_rows(pool, patient, size)
            rows[name] = _rows_of(taken, patient)
        rows["train"] = _rows_of(pool, patient)
        sizes = {name: len(rows[name]) for name in MIN_PART_ROWS}
        if any(sizes[name] < least for name, least in MIN_PART_ROWS.items()):
            have = ", ".join(f"{name} {size}" for name, size in sizes.items())
            need = ", ".join(f"{name} {least}" for name, least in MIN_PART_ROWS.items())
            raise BenchInputError(f"cohort {self.name!r} ({n} rows) is too small for its split: it gives {have}; "
                                  f"the least is {need}")
        return rows


def _take_rows(order: np.ndarray, patient: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(the first patients of ``order`` that hold at least ``rows`` rows, the rest)."""
    if rows <= 0:
        return order[:0], order
    counts = np.bincount(patient, minlength=int(patient.max()) + 1)[order]
    cut = int(np.searchsorted(np.cumsum(counts), rows, side="left")) + 1
    return order[:cut], order[cut:]


def _rows_of(patients: np.ndarray, patient: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.isin(patient, patients))  # sorted


def _patient_ids(table: pd.DataFrame, column: str, cohort: str) -> np.ndarray:
    if column not in table.columns:
        raise BenchInputError(f"cohort {cohort!r}: the schema names patient identifier {column!r}, "
                              "which is not a column of the table")
    ids = table[column]
    if ids.isna().any():
        raise BenchInputError(f"cohort {cohort!r}: patient identifier {column!r} is missing in "
                              f"{int(ids.isna().sum())} row(s)")
    return ids.astype(str).to_numpy()
