import numpy as np

from bench.encoding import TableEncoder


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
