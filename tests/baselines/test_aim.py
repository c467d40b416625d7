"""AIM: a ledger that an independent accountant reproduces and that never passes the target,
exact marginals without privacy, a release inside the public domain, the same release for the
same seed, and a release that learns the outcome."""

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from baselines.aim import AIM
from bench.metrics.downstream import MortalityAUC
from bench.data.schema import Schema
from bench.api.synthesizer import NO_DP, Budget
from tests.bench.privacy.test_zcdp import dp_accounting_epsilon
from tests.helpers import (
    MARGINAL_TEST_COLUMNS, assert_one_way_marginals_close, assert_within_public_schema, column_slice, shuffled_columns,
)

CONFIG = AIM.config_for("quick")


@pytest.fixture(scope="module")
def small(mimic_small, mimic_split):
    return column_slice(mimic_small, mimic_split)


@pytest.fixture(scope="module")
def fit(small):
    """Fits shared by the tests, with the first release each fit drew. The quick profile's
    model spans every candidate from the start, so all of them share one compiled program."""
    schema, train, _ = small
    cache = {}

    def fitted(epsilon: float, seed: int = 0) -> tuple[AIM, pd.DataFrame]:
        if (epsilon, seed) not in cache:
            synth = AIM(schema, CONFIG).fit(train, budget=Budget(epsilon, 1e-5), seed=seed)
            cache[epsilon, seed] = synth, synth.sample(len(train))
        return cache[epsilon, seed]

    return fitted


def recomputed_rho(details: dict) -> float:
    """Closed forms: a Gaussian marginal (L2 sensitivity 1) costs 1/(2 sigma^2), an exponential
    mechanism with parameter e costs e^2/8; zCDP composes by summation."""
    return (sum(1 / (2 * m["sigma"] ** 2) for m in details["measurements"])
            + sum(s["epsilon"] ** 2 / 8 for s in details["selections"]))


@pytest.mark.parametrize("epsilon", [0.3, 1.0, 4.0])
def test_ledger_matches_an_independent_recomputation_and_stays_within_the_target(fit, epsilon):
    spent = fit(epsilon)[0].privacy_spent_
    d = spent.details
    rho = recomputed_rho(d)
    assert rho == pytest.approx(d["rho_spent"], rel=1e-9)
    assert rho <= d["rho"] * (1 + 1e-9) and rho == pytest.approx(d["rho"], rel=1e-6)  # the last round spends the rest
    assert spent.epsilon == pytest.approx(dp_accounting_epsilon(rho, 1e-5), rel=1e-5)
    assert spent.epsilon <= epsilon * (1 + 1e-9) and not d["overspent"]
    assert spent.accountant == "zcdp (opendp)" and d["target_epsilon"] == epsilon and d["target_delta"] == 1e-5
    # one noisy marginal per column first, then one selection and one measurement per round
    assert d["rounds"] >= 1 and len(d["selections"]) == d["rounds"] == len(d["measurements"]) - len(MARGINAL_TEST_COLUMNS)
    assert d["one_model_structure"] and d["bins"] == CONFIG.bins
    json.dumps(spent.to_dict(), allow_nan=False)  # the run record's ledger is plain JSON
    # every selection's sensitivity is the largest candidate weight, as in the reference
    assert len({s["sensitivity"] for s in d["selections"]}) == 1


def test_budget_annealing_halves_sigma_and_doubles_epsilon(fit):
    d = fit(1.0)[0].privacy_spent_.details
    rounds = d["measurements"][len(MARGINAL_TEST_COLUMNS):]
    first_sigma, first_epsilon = rounds[0]["sigma"], d["selections"][0]["epsilon"]
    assert d["measurements"][0]["sigma"] == pytest.approx(first_sigma)  # one-way marginals measured at the first sigma
    for m, s in zip(rounds[:-1], d["selections"][:-1]):  # all but the last round, which spends what is left
        k = math.log2(first_sigma / m["sigma"])
        assert k == pytest.approx(round(k)) and s["epsilon"] == pytest.approx(first_epsilon * 2 ** round(k))


def test_without_privacy_the_marginals_are_exact(fit, small):
    _, train, _ = small
    synth, release = fit(math.inf)
    spent = synth.privacy_spent_
    assert spent.accountant == NO_DP and math.isinf(spent.epsilon) and spent.details["no_dp"]
    json.dumps(spent.to_dict(), allow_nan=False)
    assert all(m["sigma"] == 0.0 and m["exact"] for m in spent.details["measurements"])
    selected = [tuple(m) for m in spent.details["selected"]]
    assert len(selected) == len(set(selected)) <= CONFIG.nonprivate_rounds  # an exact marginal is measured once
    assert_one_way_marginals_close(train, release, ("sex", "dx_sepsis", "mortality", "care_unit"), atol=0.02)


def test_release_follows_the_schema_and_public_bounds(fit, small):
    schema, _, _ = small
    release = fit(1.0)[1]
    assert_within_public_schema(schema, release)


def test_same_seed_same_release(fit, small):
    schema, train, _ = small
    again = AIM(schema, CONFIG).fit(train, budget=Budget(1.0, 1e-5), seed=0)
    pd.testing.assert_frame_equal(fit(1.0)[1], again.sample(len(train)))
    assert not fit(1.0, seed=1)[1].equals(fit(1.0)[1])


def test_learns_the_outcome(fit, small):
    schema, train, test = small
    auc = MortalityAUC().compute(test, fit(4.0)[1], schema, seed=0)
    auc_shuffled = MortalityAUC().compute(test, shuffled_columns(train, np.random.default_rng(0)), schema, seed=0)
    assert auc > auc_shuffled + 0.1 and auc > 0.65, (auc, auc_shuffled)


@pytest.mark.slow
def test_growing_model_of_the_paper_profile(small):
    """The paper profile's path on a tiny table: every pair in the workload, the model grown
    clique by clique within its size limit, mbi's line search."""
    schema, train, _ = small
    columns = ["age", "dx_sepsis", "lactate_max", "mortality"]
    tiny = Schema(columns=tuple(schema.column(n) for n in columns), outcomes={"mortality": "mortality"})
    config = dataclasses.replace(AIM.config_for("paper"), bins=4, rounds=8, iters=50, max_model_size=0.0004)
    synth = AIM(tiny, config).fit(train[columns], budget=Budget(2.0, 1e-5), seed=0)
    d = synth.privacy_spent_.details
    assert not d["one_model_structure"] and d["workload_size"] == 6 and d["rounds"] >= 2
    assert recomputed_rho(d) == pytest.approx(d["rho_spent"], rel=1e-9) and recomputed_rho(d) <= d["rho"] * (1 + 1e-9)
    tiny.validate(synth.sample(200))
