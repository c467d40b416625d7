"""Every registered synthesizer passes the shipped conformance suite (``bench.testing``), and the
suite itself catches the faults it names."""

import pandas as pd
import pytest

from bench.api.registry import registry
from bench.api.synthesizer import Budget, Synthesizer
from bench.errors import BenchInputError
from bench.testing import check_synthesizer

SYNTHESIZERS = registry("synthesizers")


@pytest.mark.parametrize("name", SYNTHESIZERS.names())
def test_every_registered_synthesizer_conforms(name, mimic_small):
    check_synthesizer(SYNTHESIZERS.load(name), mimic_small)


class _ForgetsTheSeed(Synthesizer):
    name = "forgets-the-seed"
    calls = 0

    def _fit(self, train, *, budget, public):
        self.rows_ = train.reset_index(drop=True)

    def _sample(self, n):
        type(self).calls += 1
        return self.rows_.sample(n, random_state=type(self).calls).reset_index(drop=True)


class _ClaimsNothingButIsTaggedDP(_ForgetsTheSeed):
    name = "claims-nothing"

    def _sample(self, n):
        return self.rows_.head(n)


def test_the_suite_catches_a_method_that_ignores_its_seed(mimic_small):
    with pytest.raises(AssertionError, match="the same seed gave other rows"):
        check_synthesizer(_ForgetsTheSeed, mimic_small)


def test_the_suite_catches_a_dp_method_without_a_privacy_report(mimic_small):
    from dataclasses import replace

    class TaggedDP(_ClaimsNothingButIsTaggedDP):
        tags = replace(_ClaimsNothingButIsTaggedDP.tags, is_dp=True)

    check_synthesizer(_ClaimsNothingButIsTaggedDP, mimic_small)  # honest: no claim, no report
    with pytest.raises(RuntimeError, match="privacy"):
        check_synthesizer(TaggedDP, mimic_small)


def test_sample_before_fit_is_an_error(mimic_small):
    synth = SYNTHESIZERS.load("raw").from_cohort(mimic_small)
    with pytest.raises(RuntimeError, match="call fit before sample"):
        synth.sample(10)


def test_fit_rejects_data_that_disagrees_with_the_schema(mimic_small, mimic_split):
    synth = SYNTHESIZERS.load("raw").from_cohort(mimic_small)
    with pytest.raises(BenchInputError, match="missing column"):
        synth.fit(mimic_split.train.drop(columns=["age"]), budget=Budget(), seed=0)


def test_a_synthesizer_built_without_a_config_gets_its_quick_settings(mimic_small):
    cls = SYNTHESIZERS.load("dp-gan")
    assert cls(mimic_small.schema).config == cls.config_for("quick")
    assert isinstance(cls.config_for("smoke"), type(cls.config_for("quick")))
    assert pd.api.types.is_number(cls.config_for("smoke").epochs) and cls.config_for("smoke").epochs < 1
