"""Test helpers that build releases of known quality from the schema alone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.data.schema import Schema


def uniform_table(schema: Schema, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Rows drawn uniformly over the schema's public domain: the worst possible release."""
    columns = {}
    for col in schema.columns:
        if col.kind == "continuous":
            columns[col.name] = rng.uniform(col.low, col.high, n)
        elif col.kind == "categorical":
            columns[col.name] = rng.choice(np.asarray(col.categories, dtype=object), n)
        else:
            columns[col.name] = rng.integers(0, 2, n)
    return pd.DataFrame(columns)


def contaminate(table: pd.DataFrame, schema: Schema, fraction: float, rng: np.random.Generator) -> pd.DataFrame:
    """Replace a fraction of rows by uniform rows (a release that is partly wrong)."""
    out = table.copy().reset_index(drop=True)
    rows = rng.choice(len(out), int(fraction * len(out)), replace=False)
    out.iloc[rows] = uniform_table(schema, len(rows), rng).to_numpy()
    return out.astype(table.dtypes.to_dict())


def shuffled_columns(table: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Every column permuted on its own: the marginals survive, every dependence (the
    outcome's on the features included) is destroyed. A release that learned nothing
    beyond the marginals scores like this one downstream."""
    return pd.DataFrame({name: table[name].to_numpy()[rng.permutation(len(table))] for name in table.columns})


def assert_within_public_schema(schema: Schema, release: pd.DataFrame) -> None:
    """The release validates and every value lies in the schema's public domain."""
    schema.validate(release)
    for col in schema.columns:
        values = release[col.name]
        if col.kind == "continuous":
            assert values.dropna().between(col.low, col.high).all()
            assert col.nullable or values.notna().all()
        elif col.kind == "categorical":
            assert set(values) <= set(col.categories)
        else:
            assert set(values) <= {0, 1}


def assert_one_way_marginals_close(real: pd.DataFrame, release: pd.DataFrame, names, atol: float) -> None:
    """Each named column's category shares in the release are within ``atol`` of the real ones."""
    for name in names:
        shares = real[name].value_counts(normalize=True)
        fake = release[name].value_counts(normalize=True).reindex(shares.index, fill_value=0)
        np.testing.assert_allclose(fake.to_numpy(), shares.to_numpy(), atol=atol)


# A small slice of the cohort keeps mbi's compilation short: every kind of column, the outcomes.
MARGINAL_TEST_COLUMNS = ("age", "sex", "care_unit", "admission_type", "dx_sepsis", "dx_respiratory_failure",
                         "med_vasopressor", "sbp_min", "resp_rate_max", "spo2_min", "lactate_max", "bun_max",
                         "mortality", "readmission")


def column_slice(cohort, split, columns=MARGINAL_TEST_COLUMNS) -> tuple[Schema, pd.DataFrame, pd.DataFrame]:
    """(schema, train, test) of ``split`` restricted to ``columns``, outcomes kept."""
    schema = Schema(columns=tuple(cohort.schema.column(n) for n in columns), outcomes=dict(cohort.schema.outcomes))
    return schema, split.train[list(columns)], split.test[list(columns)]
