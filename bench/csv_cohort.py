"""Any CSV file with a schema: ``--cohort csv --csv data.csv --schema schema.json``."""

from __future__ import annotations

import pandas as pd

from bench.cohort import Cohort, CohortOptions
from bench.errors import BenchInputError
from bench.schema import Schema


def load_csv_cohort(options: CohortOptions) -> Cohort:
    """A cohort read from a CSV file and described by a schema JSON (see ``bench.schema``).

    Every column must be in the schema and the other way round; values must
    match their declared kind and public bounds; NaN only where the schema
    says ``nullable``; each outcome must have both classes. A ``patient``
    column named by the schema groups repeated encounters of one patient: it
    is read as text, kept out of the data and used only to split by patient.
    """
    if options.csv is None or options.schema is None:
        raise BenchInputError("the csv cohort needs --csv FILE and --schema FILE")
    schema = Schema.load(options.schema)
    categorical = {c.name: str for c in schema.of_kind("categorical")} | ({schema.patient: str} if schema.patient else {})
    try:
        table = pd.read_csv(options.csv, dtype=categorical)
    except FileNotFoundError:
        raise BenchInputError(f"CSV file not found: {options.csv}") from None
    except pd.errors.EmptyDataError:
        raise BenchInputError(f"CSV file {options.csv} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise BenchInputError(f"CSV file {options.csv} cannot be parsed: {str(exc).splitlines()[0]}") from None
    if schema.patient and schema.patient not in table.columns:
        raise BenchInputError(f"CSV file {options.csv.name}: the schema names patient identifier {schema.patient!r}, "
                              "which is not a column")
    schema.validate(table.drop(columns=[schema.patient]) if schema.patient else table, what=f"CSV file {options.csv.name}")
    for col in schema.columns:
        if col.kind == "continuous":
            table[col.name] = table[col.name].astype("float64")
        elif col.kind == "binary":
            table[col.name] = table[col.name].astype("int64")
    return Cohort(name=options.csv.stem, table=table, schema=schema, description=f"CSV file {options.csv}")
