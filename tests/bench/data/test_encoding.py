import numpy as np

from bench.data.encoding import TableEncoder


def test_encoding_is_bounded_and_round_trips(mimic_split, mimic_small):
    encoder = TableEncoder(mimic_small.schema)
    matrix = encoder.transform(mimic_split.train)
    assert matrix.shape == (len(mimic_split.train), encoder.width)
    assert matrix.min() >= 0.0 and matrix.max() <= 1.0
    decoded = encoder.inverse_transform(matrix)
    original = mimic_split.train
    for col in mimic_small.schema.columns:
        if col.kind == "continuous":
            np.testing.assert_allclose(decoded[col.name], original[col.name], rtol=1e-4, atol=1e-3 * (col.high - col.low))
        else:
            assert (decoded[col.name].astype(str) == original[col.name].astype(str)).all(), col.name


def test_excluded_columns_are_left_out(mimic_small):
    full = TableEncoder(mimic_small.schema)
    without = TableEncoder(mimic_small.schema, exclude=("mortality", "readmission"))
    assert full.width - without.width == 2
    assert "mortality" not in without.feature_names


def _wide_schema_and_table():
    """Three categorical columns of 60 categories each (180 encoded columns, past int8's 127)."""
    import pandas as pd

    from bench.data.schema import Column, Schema

    categories = tuple(f"c{i}" for i in range(60))
    schema = Schema(columns=tuple(Column(f"cat{j}", "categorical", categories=categories) for j in range(3)))
    rng = np.random.default_rng(0)
    table = pd.DataFrame({f"cat{j}": rng.choice(categories, size=500) for j in range(3)})
    table.iloc[0] = ["c59", "c59", "c59"]  # the last category of the last column: encoded column 179
    return schema, table


def test_more_than_127_encoded_columns_land_in_the_right_place():
    schema, table = _wide_schema_and_table()
    encoder = TableEncoder(schema)
    assert encoder.width == 180
    matrix = encoder.transform(table)
    assert matrix[0, 179] == 1.0 and matrix[0, 119] == 1.0 and matrix[0, 59] == 1.0
    assert np.all(matrix.sum(axis=1) == 3)  # one bit per column, none lost to a wrapped offset
    assert encoder.inverse_transform(matrix).equals(table.astype(object))
