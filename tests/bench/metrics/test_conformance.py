"""Every registered metric passes the shipped conformance suite (``bench.testing.check_metric``)."""

import pytest

from bench.api.metric import Metric
from bench.api.registry import registry
from bench.testing import check_metric

METRICS = registry("metrics")


@pytest.mark.parametrize("name", METRICS.names())
def test_every_registered_metric_conforms(name, mimic_small):
    check_metric(METRICS.load(name), mimic_small)


class _OutOfRange(Metric):
    name = "out-of-range"
    display_name = "Out of range"
    max_value = 1.0

    def _compute(self, real, synthetic, schema, rng):
        return 2.0


def test_the_suite_catches_a_value_outside_the_declared_range(mimic_small):
    with pytest.raises(AssertionError, match="outside"):
        check_metric(_OutOfRange, mimic_small)
