import json

import numpy as np
import pandas as pd
import pytest

from bench.errors import BenchInputError
from bench.data.schema import Column, Schema
from tests.conftest import FIXTURES


@pytest.fixture()
def schema():
    return Schema.load(FIXTURES / "small_cohort.schema.json")


@pytest.fixture()
def table():
    return pd.read_csv(FIXTURES / "small_cohort.csv", dtype={"sex": str, "ethnicity": str, "care_unit": str})


def test_fixture_table_validates(schema, table):
    schema.validate(table)
    schema.validate_outcomes(table)


def test_round_trip_through_dict(schema):
    assert Schema.from_dict(json.loads(json.dumps(schema.to_dict()))) == schema


def test_sdv_accepts_its_part_of_the_schema(schema, table):
    metadata = schema.to_sdv_metadata()
    metadata.validate()
    metadata.validate_data({"cohort": table})
    sdtypes = {name: spec["sdtype"] for name, spec in metadata.to_dict()["tables"]["cohort"]["columns"].items()}
    assert sdtypes["age"] == "numerical"
    assert sdtypes["care_unit"] == "categorical"
    assert sdtypes["dx_sepsis"] == "categorical"


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda t: t.drop(columns=["age"]), "missing column(s) age"),
        (lambda t: t.assign(extra=1), "not in the schema: extra"),
        (lambda t: t.assign(age=t["age"].where(t.index != 3)), "'age' has 1 missing value"),
        (lambda t: t.assign(heart_rate_mean=t["heart_rate_mean"].astype(object).where(t.index != 0, "fast")), "should be numeric"),
        (lambda t: t.assign(age=t["age"] + 500), "outside its public bounds"),
        (lambda t: t.assign(care_unit="ED"), "outside its category list: ED"),
        (lambda t: t.assign(dx_sepsis=2), "binary but 1500 value(s) are not 0 or 1: 2"),
        (lambda t: t.iloc[:0], "has no rows"),
    ],
)
def test_disagreeing_data_is_named_in_one_line(schema, table, corrupt, message):
    with pytest.raises(BenchInputError, match=None) as info:
        schema.validate(corrupt(table))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_one_class_outcome_is_rejected(schema, table):
    with pytest.raises(BenchInputError, match="'mortality'.*only one class"):
        schema.validate_outcomes(table.assign(mortality=0))


def test_nullable_column_accepts_missing_values(schema, table):
    assert table["lactate_max"].isna().any()
    schema.validate(table)


@pytest.mark.parametrize(
    "column",
    [
        lambda: Column("x", "continuous", low=5.0, high=1.0),
        lambda: Column("x", "categorical", categories=()),
        lambda: Column("x", "categorical", categories=("a", "a")),
        lambda: Column("x", "continuous", low=0.0, high=1.0, group="labs"),
    ],
)
def test_malformed_columns_are_rejected(column):
    with pytest.raises(BenchInputError):
        column()


def test_roles_must_name_binary_columns():
    cols = (Column("age", "continuous", low=0.0, high=100.0), Column("died", "binary"))
    with pytest.raises(BenchInputError, match="must be binary"):
        Schema(columns=cols, outcomes={"mortality": "age"})
    with pytest.raises(BenchInputError, match="not a column"):
        Schema(columns=cols, conditions=("sex",))
    with pytest.raises(BenchInputError, match="unknown outcome role 'death'"):
        Schema(columns=cols, outcomes={"death": "died"})
    with pytest.raises(BenchInputError, match="site names 'hospital'"):
        Schema(columns=cols, site="hospital")
    assert Schema(columns=cols, outcomes={"mortality": "died"}).outcomes == {"mortality": "died"}


def test_every_problem_is_reported_at_once_with_values_and_counts(schema, table):
    bad = table.assign(age=table["age"].where(table.index >= 3, 130.0), care_unit="ED")
    bad = bad.drop(columns=["dx_sepsis"])
    with pytest.raises(BenchInputError) as info:
        schema.validate(bad)
    message = str(info.value)
    assert "3 problems" in message and "\n" not in message
    assert "missing column(s) dx_sepsis" in message
    assert "'age' has 3 value(s) outside its public bounds" in message and "130" in message
    assert "care_unit' has %d value(s) outside its category list: ED" % len(table) in message


def test_a_duplicated_column_is_named(schema, table):
    doubled = pd.concat([table, table[["age"]]], axis=1)
    with pytest.raises(BenchInputError, match="duplicated column name"):
        schema.validate(doubled)
