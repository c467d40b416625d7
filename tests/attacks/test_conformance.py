"""Every registered attack passes the shipped conformance suite (``bench.testing.check_attack``)."""

import numpy as np
import pytest

from bench.api.attack import Attack
from bench.api.registry import registry
from bench.testing import check_attack

ATTACKS = registry("attacks")


@pytest.mark.parametrize("name", ATTACKS.names())
def test_every_registered_attack_conforms(name, mimic_small):
    check_attack(ATTACKS.load(name), mimic_small)


class _RandomScores(Attack):
    name = "random-scores"

    def _fit(self, release, reference):
        pass

    def _score(self, candidates):
        return np.random.default_rng().random(len(candidates))  # not seeded from the attack's rng_


def test_the_suite_catches_an_attack_that_ignores_its_seed(mimic_small):
    with pytest.raises(AssertionError, match="the same seed gave other scores"):
        check_attack(_RandomScores, mimic_small)
