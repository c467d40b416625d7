"""The GANs' binned encoding: public bins, a value decodes into its own bin, nothing read from data."""

import numpy as np
import pytest

from bench.data.binned_encoding import BinnedEncoder, bin_edges


def test_skewed_columns_get_log_bins_from_their_public_bounds_alone(mimic_small):
    schema = mimic_small.schema
    glucose, heart_rate = schema.column("glucose_mean"), schema.column("heart_rate_mean")
    edges, log = bin_edges(glucose, 10, 20.0)
    assert log and edges[0] == glucose.low and edges[-1] == pytest.approx(glucose.high)
    assert np.allclose(np.diff(np.log(edges)), np.log(glucose.high / glucose.low) / 10)
    edges, log = bin_edges(heart_rate, 10, 20.0)
    assert not log and np.allclose(np.diff(edges), (heart_rate.high - heart_rate.low) / 10)


@pytest.mark.parametrize("offsets", ["uniform", "learned"])
def test_every_value_decodes_into_its_own_bin_and_missing_stays_missing(offsets, mimic_small, mimic_split):
    schema, table = mimic_small.schema, mimic_split.train.iloc[:500]
    encoder = BinnedEncoder(schema, bins=10, offsets=offsets, seed=0)
    matrix = encoder.transform(table)
    assert matrix.shape == (len(table), encoder.width)
    decoded = encoder.inverse_transform(matrix)
    schema.validate(decoded, what="decoded table")
    for col in schema.columns:
        original, back = table[col.name].to_numpy(), decoded[col.name].to_numpy()
        if col.kind != "continuous":
            assert (original.astype(str) == back.astype(str)).all(), col.name
            continue
        missing = np.isnan(original.astype(float))
        assert (np.isnan(back) == missing).all(), col.name
        position, _ = encoder._position(col, original.astype(float))
        decoded_position, _ = encoder._position(col, back)
        same_bin = np.minimum(np.floor(position), 9) == np.minimum(np.floor(decoded_position), 9)
        on_an_edge = np.abs(position - decoded_position) < 1e-4  # float32 rounding at a bin edge
        assert (same_bin | on_an_edge)[~missing].all(), col.name
        if offsets == "learned":
            assert np.allclose(back[~missing], original[~missing].astype(float), rtol=1e-4), col.name


def test_the_width_counts_bins_missing_categories_and_offsets(mimic_small):
    schema = mimic_small.schema
    continuous = schema.of_kind("continuous")
    nullable = sum(col.nullable for col in continuous)
    others = sum(len(col.categories) if col.kind == "categorical" else 1 for col in schema.columns
                 if col.kind != "continuous")
    assert BinnedEncoder(schema, bins=7, offsets="uniform").width == 7 * len(continuous) + nullable + others
    assert BinnedEncoder(schema, bins=7, offsets="learned").width == 8 * len(continuous) + nullable + others


def test_uniform_decoding_is_seeded(mimic_small, mimic_split):
    matrix = BinnedEncoder(mimic_small.schema).transform(mimic_split.train.iloc[:50])
    first = BinnedEncoder(mimic_small.schema, seed=3).inverse_transform(matrix)
    again = BinnedEncoder(mimic_small.schema, seed=3).inverse_transform(matrix)
    other = BinnedEncoder(mimic_small.schema, seed=4).inverse_transform(matrix)
    assert first.equals(again) and not first.equals(other)


def test_more_than_127_encoded_columns_land_in_the_right_place():
    from tests.bench.data.test_encoding import _wide_schema_and_table

    schema, table = _wide_schema_and_table()
    encoder = BinnedEncoder(schema)
    matrix = encoder.transform(table)
    assert matrix.shape[1] == 180 and matrix[0, 179] == 1.0
    assert np.all(matrix.sum(axis=1) == 3)
    assert encoder.inverse_transform(matrix).equals(table.astype(object))
