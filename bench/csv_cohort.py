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
    says ``nullable``; each outcome must have both classes.
    """
    if options.csv is None or options.schema is None:
        raise BenchInputError("the csv cohort needs --csv FILE and --schema FILE")
    schema = Schema.load(options.schema)
    categorical = {c.name: str for c in schema.of_kind("categorical")}
    try:
        table = pd.read_csv(options.csv, dtype=categorical)
    except FileNotFoundError:
        raise BenchInputError(f"CSV file not found: {options.csv}") from None
    except pd.errors.EmptyDataError:
        raise BenchInputError(f"CSV file {options.csv} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise BenchInputError(f"CSV file {options.csv} cannot be parsed: {str(exc).splitlines()[0]}") from None
    schema.validate(table, what=f"CSV file {options.csv.name}")
    for col in schema.columns:
        if col.kind == "continuous":
            table[col.name] = table[col.name].astype("float64")
        elif col.kind == "binary":
            table[col.name] = table[col.name].astype("int64")
    return Cohort(name=options.csv.stem, table=table, schema=schema, description=f"CSV file {options.csv}")
