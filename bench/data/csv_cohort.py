"""Any CSV file with a schema: ``--cohort csv --csv data.csv --schema schema.json``."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from bench.data.cohort import Cohort, CohortOptions
from bench.errors import BenchInputError
from bench.data.schema import Schema


def load_csv_cohort(options: CohortOptions) -> Cohort:
    """A cohort read from a CSV file and described by a schema JSON (see ``bench.data.schema``).

    Every column must be in the schema and the other way round; values must
    match their declared kind and public bounds; NaN only where the schema
    says ``nullable``; each outcome must have both classes. Only an empty cell
    is missing, unless the schema lists ``na_values``. A ``patient`` column
    named by the schema groups repeated encounters of one patient: it is read
    as text, kept out of the data and used only to split by patient. Every
    problem found is reported in one message. The cohort is named after the
    file (its stem), so two CSV files never share tables.
    """
    if options.csv is None or options.schema is None:
        raise BenchInputError("the csv cohort needs --csv FILE and --schema FILE")
    schema = Schema.load(options.schema)
    path = Path(options.csv)
    what = f"CSV file {path.name}"
    header = _check_shape(path, what)
    text_columns = [c.name for c in schema.of_kind("categorical")] + ([schema.patient] if schema.patient else [])
    try:
        table = pd.read_csv(path, dtype={name: str for name in text_columns if name in header},
                            keep_default_na=False, na_values=["", *schema.na_values], encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise BenchInputError(f"{what} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise BenchInputError(f"{what} cannot be parsed: {str(exc).splitlines()[0]}") from None
    if schema.patient and schema.patient not in table.columns:
        raise BenchInputError(f"{what}: the schema names patient identifier {schema.patient!r}, which is not a column")
    schema.validate(table.drop(columns=[schema.patient]) if schema.patient else table, what=what)
    for col in schema.columns:
        if col.kind == "continuous":
            table[col.name] = table[col.name].astype("float64")
        elif col.kind == "binary":
            table[col.name] = table[col.name].astype("int64")
    return Cohort(name=path.stem, table=table, schema=schema, description=f"CSV file {path}")


def _check_shape(path: Path, what: str) -> list[str]:
    """The header, after checking it names each column once and every row has as many fields.

    pandas would rename a repeated column ("age.1") and fill a short row with
    missing values; both are problems of the file, not of the data.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = csv.reader(handle)
            header = next(rows, None)
            if header is None:
                raise BenchInputError(f"{what} is empty")
            short = [rows.line_num for row in rows if row and len(row) < len(header)]
    except FileNotFoundError:
        raise BenchInputError(f"CSV file not found: {path}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BenchInputError(f"{what} cannot be parsed: {exc}") from None
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise BenchInputError(f"{what}: duplicated column name(s) {', '.join(repeated)}")
    if short:
        lines = ", ".join(map(str, short[:5])) + (f" and {len(short) - 5} more" if len(short) > 5 else "")
        raise BenchInputError(f"{what} is ragged: {len(short)} row(s) have fewer than the header's "
                              f"{len(header)} fields (line(s) {lines})")
    return header
