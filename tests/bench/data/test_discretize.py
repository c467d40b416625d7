"""The discretiser: codes from the public schema only, values decoded inside their bin."""

import numpy as np
import pandas as pd
import pytest

from bench.data.discretize import Discretizer
from bench.data.schema import Column, Schema

SCHEMA = Schema(columns=(
    Column("age", "continuous", low=18.0, high=91.0),
    Column("lactate", "continuous", low=0.0, high=10.0, nullable=True),
    Column("unit", "categorical", categories=("MICU", "SICU", "CCU")),
    Column("dx", "binary"),
))


def table():
    return pd.DataFrame({
        "age": [18.0, 91.0, 54.5, 30.1, 90.99],
        "lactate": [0.0, np.nan, 10.0, 2.49, 2.5],
        "unit": ["CCU", "MICU", "SICU", "CCU", "MICU"],
        "dx": [0, 1, 1, 0, 1],
    })


def test_sizes_come_from_the_schema():
    d = Discretizer(SCHEMA, bins=4)
    assert d.sizes() == {"age": 4, "lactate": 5, "unit": 3, "dx": 2}
    np.testing.assert_allclose(d.edges("lactate"), [0.0, 2.5, 5.0, 7.5, 10.0])


def test_codes_use_public_bounds_and_a_missing_code():
    codes = Discretizer(SCHEMA, bins=4).encode(table())
    assert codes["age"].tolist() == [0, 3, 2, 0, 3]  # bins of 18.25 years; the upper bound falls in the last bin
    assert codes["lactate"].tolist() == [0, 4, 3, 0, 1]  # NaN -> code 4; 2.5 opens the second bin
    assert codes["unit"].tolist() == [2, 0, 1, 2, 0]
    assert codes["dx"].tolist() == [0, 1, 1, 0, 1]


def test_codes_do_not_depend_on_other_rows():
    d = Discretizer(SCHEMA, bins=4)
    full, one = d.encode(table()), d.encode(table().iloc[[2]])
    assert {k: v[2] for k, v in full.items()} == {k: v[0] for k, v in one.items()}


def test_decoding_stays_in_the_bin_and_the_bounds():
    d = Discretizer(SCHEMA, bins=4)
    codes = d.encode(table())
    out = d.decode(codes, np.random.default_rng(0))
    SCHEMA.validate(out)
    again = d.encode(out)
    assert all((again[k] == v).all() for k, v in codes.items())  # every value decodes into its own bin
    assert np.isnan(out["lactate"][1]) and not np.isnan(out["lactate"].drop(1)).any()
    assert out["unit"].tolist() == table()["unit"].tolist() and out["dx"].tolist() == table()["dx"].tolist()


def test_decoding_is_seeded_and_spreads_over_the_bin():
    d = Discretizer(SCHEMA, bins=2)
    codes = {"age": np.zeros(2000, int), "lactate": np.ones(2000, int), "unit": np.zeros(2000, int),
             "dx": np.zeros(2000, int)}
    a, b = d.decode(codes, np.random.default_rng(1)), d.decode(codes, np.random.default_rng(1))
    pd.testing.assert_frame_equal(a, b)
    assert a["age"].between(18.0, 54.5).all() and a["age"].std() > 5  # uniform over [18, 54.5)
    assert a["lactate"].between(5.0, 10.0).all()


def test_codes_outside_the_domain_are_rejected():
    d = Discretizer(SCHEMA, bins=4)
    codes = d.encode(table())
    codes["unit"] = codes["unit"] + 1
    with pytest.raises(ValueError, match="unit"):
        d.decode(codes, np.random.default_rng(0))


def test_skewed_columns_can_be_binned_on_the_log_scale():
    schema = Schema(columns=(Column("glucose", "continuous", low=30.0, high=800.0),
                             Column("age", "continuous", low=18.0, high=91.0)))
    d = Discretizer(schema, bins=4, log_ratio=20.0)
    assert d.is_log("glucose") and not d.is_log("age")  # 800 / 30 >= 20; 91 / 18 < 20
    np.testing.assert_allclose(d.edges("glucose"), np.geomspace(30.0, 800.0, 5))
    codes = {"glucose": np.full(4000, 1), "age": np.zeros(4000, int)}
    values = d.decode(codes, np.random.default_rng(2))["glucose"]
    low, high = d.edges("glucose")[1:3]
    assert values.between(low, high).all()
    # log-uniform inside the bin: the median is the geometric mean of the edges
    assert np.median(values) == pytest.approx(np.sqrt(low * high), rel=0.03)
    assert (d.encode(pd.DataFrame({"glucose": values, "age": 20.0}))["glucose"] == 1).all()
