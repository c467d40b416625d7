"""The public description of a cohort table: what each column is and may hold.

A schema is public knowledge. Bounds, category lists and groups are declared
by whoever defines the cohort, never computed from private rows, so every
encoder, synthesizer and metric that uses them spends no privacy budget.

On disk a schema is SDV single-table metadata (``columns`` with their SDV
``sdtype``) plus a ``bench`` section carrying what SDV's format has no place
for: public bounds, category lists, multi-label groups, the condition vector,
the outcomes and the quasi-identifiers. ``to_sdv_metadata`` hands SDV exactly
its own part.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping

import numpy as np
import pandas as pd

from bench.errors import BenchInputError

ColumnKind = Literal["continuous", "categorical", "binary"]
OUTCOME_ROLES = ("mortality", "readmission")
# SDV's "boolean" sdtype rejects 0/1 integers, which is how binary columns are
# stored here (so models and metrics see numbers); SDV reads them as categorical.
_SDV_SDTYPE = {"continuous": "numerical", "categorical": "categorical", "binary": "categorical"}


@dataclass(frozen=True)
class Column:
    """One column of a cohort table.

    Attributes:
        name: Column name in the table.
        kind: ``continuous`` (float within ``[low, high]``), ``categorical``
            (one of ``categories``) or ``binary`` (0 or 1).
        low, high: Public bounds of a continuous column.
        categories: Public category list of a categorical column, in a fixed order.
        nullable: Whether the value may be missing (NaN); missingness is data.
        group: For binary columns, the multi-label group they belong to
            (for example ``diagnoses``): a patient may have any subset.
    """

    name: str
    kind: ColumnKind
    low: float | None = None
    high: float | None = None
    categories: tuple[str, ...] = ()
    nullable: bool = False
    group: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _SDV_SDTYPE:
            raise BenchInputError(f"schema column {self.name!r}: unknown kind {self.kind!r}")
        if self.kind == "continuous":
            if self.low is None or self.high is None or not self.low < self.high:
                raise BenchInputError(
                    f"schema column {self.name!r}: a continuous column needs public bounds low < high"
                )
        if self.kind == "categorical":
            if not self.categories or len(set(self.categories)) != len(self.categories):
                raise BenchInputError(
                    f"schema column {self.name!r}: a categorical column needs a non-empty list of distinct categories"
                )
        if self.group is not None and self.kind != "binary":
            raise BenchInputError(f"schema column {self.name!r}: only binary columns can belong to a group")


@dataclass(frozen=True)
class Schema:
    """Columns of a cohort and the roles some of them play.

    Attributes:
        columns: Every column, in table order.
        conditions: Non-sensitive columns that form a conditional generator's
            condition vector (age group, sex, care unit, ...).
        outcomes: Outcome role (``mortality``, ``readmission``) to binary column.
        quasi_identifiers: Columns an adversary could link on (k-anonymity
            generalises these).
        site: Column naming the hospital, when the cohort has several; the
            ``public`` split is then drawn from hospitals disjoint from the rest.
        na_values: Strings that mean "missing" in a CSV file besides an empty
            cell (none by default: a category named "NA" or "None" stays a
            category).
        patient: Name of an identifier in the input that says which rows
            belong to one patient (several stays or encounters). It is not a
            data column: the cohort takes it out of the table before anything
            sees the rows, and the split keeps all of a patient's rows in one
            part, so membership is decided per patient (``bench.data.cohort``).
    """

    columns: tuple[Column, ...]
    conditions: tuple[str, ...] = ()
    outcomes: Mapping[str, str] = field(default_factory=dict)
    quasi_identifiers: tuple[str, ...] = ()
    site: str | None = None
    patient: str | None = None
    na_values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise BenchInputError("schema: column names must be unique")
        known = set(names)
        for role, cols in (
            ("conditions", self.conditions),
            ("quasi_identifiers", self.quasi_identifiers),
            ("outcomes", tuple(self.outcomes.values())),
            ("site", (self.site,) if self.site else ()),
        ):
            for col in cols:
                if col not in known:
                    raise BenchInputError(f"schema: {role} names {col!r}, which is not a column")
        for role, col in self.outcomes.items():
            if role not in OUTCOME_ROLES:
                raise BenchInputError(f"schema: unknown outcome role {role!r}; expected one of {OUTCOME_ROLES}")
            if self.column(col).kind != "binary":
                raise BenchInputError(f"schema: outcome {role!r} column {col!r} must be binary")
        if self.patient is not None and self.patient in known:
            raise BenchInputError(f"schema: the patient identifier {self.patient!r} must not also be a data column")

    # -- lookup -------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def of_kind(self, kind: ColumnKind) -> list[Column]:
        return [c for c in self.columns if c.kind == kind]

    def groups(self) -> dict[str, list[str]]:
        """Multi-label groups: group name to its binary columns, in table order."""
        out: dict[str, list[str]] = {}
        for col in self.columns:
            if col.group:
                out.setdefault(col.group, []).append(col.name)
        return out

    # -- checking data against the schema ----------------------------------
    def validate(self, table: pd.DataFrame, *, what: str = "table") -> None:
        """Raise one ``BenchInputError`` naming every way ``table`` disagrees with the schema."""
        if len(table) == 0:
            raise BenchInputError(f"{what}: has no rows")
        problems = []
        duplicated = sorted({str(n) for n in table.columns[table.columns.duplicated()]})
        if duplicated:
            problems.append(f"duplicated column name(s) {', '.join(duplicated)}")
        missing = [n for n in self.names if n not in table.columns]
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        extra = [str(n) for n in dict.fromkeys(table.columns) if n not in set(self.names)]
        if extra:
            problems.append(f"column(s) not in the schema: {', '.join(extra)}")
        for col in self.columns:
            if col.name in table.columns and col.name not in duplicated:
                problems += _column_problems(col, table[col.name])
        if problems:
            count = f"{len(problems)} problems: " if len(problems) > 1 else ""
            raise BenchInputError(f"{what}: {count}{'; '.join(problems)}")

    def validate_outcomes(self, table: pd.DataFrame, *, what: str = "table") -> None:
        """Each outcome must take both values, or no model can be trained or scored on it."""
        for role, name in self.outcomes.items():
            values = set(pd.unique(table[name]))
            if len(values) < 2:
                raise BenchInputError(f"{what}: outcome {role!r} (column {name!r}) has only one class ({', '.join(str(v) for v in sorted(values))})")

    # -- serialisation ------------------------------------------------------
    def to_dict(self) -> dict:
        bench_columns = {}
        for col in self.columns:
            spec: dict = {"kind": col.kind}
            if col.kind == "continuous":
                spec.update(low=col.low, high=col.high)
            if col.kind == "categorical":
                spec["categories"] = list(col.categories)
            if col.nullable:
                spec["nullable"] = True
            if col.group:
                spec["group"] = col.group
            bench_columns[col.name] = spec
        return {
            "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
            "columns": {c.name: _sdv_column(c) for c in self.columns},
            "bench": {
                "columns": bench_columns,
                "conditions": list(self.conditions),
                "outcomes": dict(self.outcomes),
                "quasi_identifiers": list(self.quasi_identifiers),
                "site": self.site,
            } | ({"patient": self.patient} if self.patient else {})
              | ({"na_values": list(self.na_values)} if self.na_values else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "Schema":
        if not isinstance(data, Mapping) or "bench" not in data or "columns" not in data.get("bench", {}):
            raise BenchInputError("schema: expected SDV single-table metadata with a 'bench' section holding 'columns'")
        extra = data["bench"]
        columns = []
        for name, spec in extra["columns"].items():
            try:
                columns.append(
                    Column(
                        name=name,
                        kind=spec["kind"],
                        low=spec.get("low"),
                        high=spec.get("high"),
                        categories=tuple(str(c) for c in spec.get("categories", ())),
                        nullable=bool(spec.get("nullable", False)),
                        group=spec.get("group"),
                    )
                )
            except (KeyError, TypeError) as exc:
                raise BenchInputError(f"schema column {name!r}: malformed entry ({exc})") from None
        return cls(
            columns=tuple(columns),
            conditions=tuple(extra.get("conditions", ())),
            outcomes=dict(extra.get("outcomes", {})),
            quasi_identifiers=tuple(extra.get("quasi_identifiers", ())),
            site=extra.get("site"),
            patient=extra.get("patient"),
            na_values=tuple(str(v) for v in extra.get("na_values", ())),
        )

    @classmethod
    def load(cls, path: str | Path) -> "Schema":
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise BenchInputError(f"schema file not found: {path}") from None
        except json.JSONDecodeError as exc:
            raise BenchInputError(f"schema file {path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        return cls.from_dict(data)

    def to_sdv_metadata(self):
        """The schema as an ``sdv.metadata.Metadata`` object (imports SDV, which is slow)."""
        from sdv.metadata import Metadata

        sdv_part = {"columns": self.to_dict()["columns"], "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1"}
        return Metadata.load_from_dict(sdv_part, single_table_name="cohort")


def _sdv_column(col: Column) -> dict:
    return {"sdtype": _SDV_SDTYPE[col.kind]}


def _column_problems(col: Column, values: pd.Series) -> list[str]:
    """Every way one column breaks its schema entry, each with the offending values and their count."""
    where = f"column {col.name!r}"
    if col.kind == "categorical":
        missing = values.isna().to_numpy()
        codes = pd.Categorical(values.astype(str), categories=list(col.categories)).codes
        out_of_range = (codes < 0) & ~missing
        numeric = None
    else:
        numeric = values.to_numpy(dtype=np.float64) if values.dtype.kind in "fiub" else _as_numbers(values)
        if isinstance(numeric, str):
            return [f"{where} should be numeric but holds {numeric}"]
        missing = np.isnan(numeric)
    problems = []
    if missing.any() and not col.nullable:
        problems.append(f"{where} has {int(missing.sum())} missing value(s) but the schema does not allow them")
    if col.kind == "categorical":
        if out_of_range.any():
            problems.append(f"{where} has {int(out_of_range.sum())} value(s) outside its category list: "
                            f"{_examples(values[out_of_range].astype(str))}")
        return problems
    present = ~missing
    if col.kind == "binary":
        bad = present & ~np.isin(numeric, (0, 1))
        if bad.any():
            problems.append(f"{where} is binary but {int(bad.sum())} value(s) are not 0 or 1: {_examples(numeric[bad])}")
    else:
        bad = present & ((numeric < col.low) | (numeric > col.high))
        if bad.any():
            problems.append(f"{where} has {int(bad.sum())} value(s) outside its public bounds [{col.low}, {col.high}]: "
                            f"{_examples(numeric[bad])}")
    return problems


def _examples(values, limit: int = 5) -> str:
    unique = list(dict.fromkeys(pd.Series(values).tolist()))
    shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _as_numbers(values: pd.Series) -> np.ndarray | str:
    """Numbers of a column that is not stored as numbers (e.g. read from a CSV with text in it), or a
    description of the text it holds."""
    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.isna() & values.notna()
    if bad.any():
        return f"{int(bad.sum())} text value(s): {_examples(values[bad].map(repr))}"
    return numeric.to_numpy(dtype=np.float64)
