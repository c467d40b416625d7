"""MST: a ledger that an independent accountant reproduces, exact marginals without privacy,
a release inside the public domain, the same release for the same seed, and a release that learns."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from baselines.mst import MST
from bench.api.synthesizer import NO_DP, Budget
from tests.bench.privacy.test_zcdp import dp_accounting_epsilon
from tests.helpers import (
    MARGINAL_TEST_COLUMNS, assert_one_way_marginals_close, assert_within_public_schema, column_slice, shuffled_columns,
)

CONFIG = MST.config_for("quick")


@pytest.fixture(scope="module")
def small(mimic_small, mimic_split):
    return column_slice(mimic_small, mimic_split)


@pytest.fixture(scope="module")
def fit(small):
    """Fits shared by the tests (each new model structure costs an XLA compilation), with
    the first release each fit drew."""
    schema, train, _ = small
    cache = {}

    def fitted(epsilon: float, seed: int = 0) -> tuple[MST, pd.DataFrame]:
        if (epsilon, seed) not in cache:
            synth = MST(schema, CONFIG).fit(train, budget=Budget(epsilon, 1e-5), seed=seed)
            cache[epsilon, seed] = synth, synth.sample(len(train))
        return cache[epsilon, seed]

    return fitted


def test_ledger_matches_an_independent_recomputation(fit):
    spent = fit(1.0)[0].privacy_spent_
    d = spent.details
    columns = len(MARGINAL_TEST_COLUMNS)
    assert len(d["measurements"]) == columns + columns - 1 and len(d["selections"]) == columns - 1
    # closed forms: Gaussian with L2 sensitivity 1 costs 1/(2 sigma^2); an exponential mechanism e^2/8
    rho = sum(1 / (2 * m["sigma"] ** 2) for m in d["measurements"]) + sum(s["epsilon"] ** 2 / 8 for s in d["selections"])
    assert rho == pytest.approx(d["rho_spent"], rel=1e-9)
    assert rho <= d["rho"] * (1 + 1e-9) and rho == pytest.approx(d["rho"], rel=1e-6)  # MST spends all of it
    for part in (d["measurements"][:columns], d["selections"], d["measurements"][columns:]):
        cost = sum(1 / (2 * x["sigma"] ** 2) if "sigma" in x else x["epsilon"] ** 2 / 8 for x in part)
        assert cost == pytest.approx(d["rho"] / 3, rel=1e-6)  # the reference's thirds
    # zCDP -> (epsilon, delta) by an independent accountant
    assert spent.epsilon == pytest.approx(dp_accounting_epsilon(rho, 1e-5), rel=1e-5)
    assert spent.epsilon <= 1.0 * (1 + 1e-9) and not d["overspent"]
    assert spent.accountant == "zcdp (opendp)" and spent.delta == 1e-5 and d["target_epsilon"] == 1.0
    assert d["bins"] == CONFIG.bins and len(d["tree"]) == columns - 1
    json.dumps(spent.to_dict(), allow_nan=False)  # the run record's ledger is plain JSON


def test_without_privacy_the_marginals_are_exact(fit, small):
    _, train, _ = small
    synth, release = fit(math.inf)
    spent = synth.privacy_spent_
    assert spent.accountant == NO_DP and math.isinf(spent.epsilon) and spent.details["no_dp"]
    json.dumps(spent.to_dict(), allow_nan=False)
    assert all(m["sigma"] == 0.0 and m["exact"] for m in spent.details["measurements"])
    assert all(s["epsilon"] == "inf" for s in spent.details["selections"])
    assert spent.details["compressed_columns"] == []  # no count falls below 3 x 0
    # the model reproduces the one-way marginals
    assert_one_way_marginals_close(train, release, ("sex", "dx_sepsis", "mortality", "care_unit"), atol=0.02)


def test_release_follows_the_schema_and_public_bounds(fit, small):
    schema, _, _ = small
    release = fit(1.0)[1]
    assert_within_public_schema(schema, release)


def test_same_seed_same_release(fit, small):
    schema, train, _ = small
    again = MST(schema, CONFIG).fit(train, budget=Budget(1.0, 1e-5), seed=0)
    pd.testing.assert_frame_equal(fit(1.0)[1], again.sample(len(train)))


@pytest.mark.slow
def test_learns_the_dependences_of_its_tree(fit, small):
    """Each tree edge's two-way distribution is closer to the real one than in a release
    that kept the marginals only (every column shuffled on its own)."""
    _, train, _ = small
    synth, release = fit(4.0)
    shuffled = shuffled_columns(train, np.random.default_rng(0))
    codes = {name: synth.discretizer_.encode(table) for name, table in
             (("real", train), ("release", release), ("shuffled", shuffled))}

    def tv(a, b, edge):
        joint = lambda c: pd.crosstab(c[edge[0]], c[edge[1]], normalize=True)  # noqa: E731
        x, y = joint(codes[a]).stack(), joint(codes[b]).stack()
        return 0.5 * x.sub(y, fill_value=0).abs().sum()

    edges = synth.privacy_spent_.details["tree"]
    learned = np.mean([tv("real", "release", e) for e in edges])
    marginals_only = np.mean([tv("real", "shuffled", e) for e in edges])
    assert learned < 0.8 * marginals_only, (learned, marginals_only)
