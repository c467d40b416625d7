"""The zCDP ledger: OpenDP's privacy maps against closed forms and Google's dp-accounting."""

import math

import numpy as np
import pytest

from bench.api.synthesizer import NO_DP, Budget
from bench.privacy.zcdp import ZCDPLedger, composed_rho, epsilon_for, gaussian_rho, rho_for, selection_rho


def dp_accounting_epsilon(rho: float, delta: float) -> float:
    """Independent conversion: Google's RDP accountant on a zCDP event (RDP(a) = rho * a)."""
    from dp_accounting import dp_event
    from dp_accounting.rdp import rdp_privacy_accountant

    orders = [1 + x / 100 for x in range(1, 2000)] + list(range(21, 5000))
    accountant = rdp_privacy_accountant.RdpAccountant(orders=orders)
    accountant.compose(dp_event.ZCDpEvent(rho))
    return accountant.get_epsilon(delta)


@pytest.mark.parametrize("sigma", [0.5, 3.0, 250.0])
def test_gaussian_cost_is_one_over_two_sigma_squared(sigma):
    assert gaussian_rho(sigma) == pytest.approx(1 / (2 * sigma**2), rel=1e-12)


@pytest.mark.parametrize("epsilon,sensitivity", [(0.1, 1.0), (0.5, 7.0), (2.0, 191.0)])
def test_selection_cost_is_epsilon_squared_over_eight(epsilon, sensitivity):
    assert selection_rho(epsilon, sensitivity) == pytest.approx(epsilon**2 / 8, rel=1e-9)


def test_costs_compose_by_summation():
    assert composed_rho([0.01, 0.002, 0.0005]) == pytest.approx(0.0125, rel=1e-12)
    assert composed_rho([]) == 0.0


@pytest.mark.parametrize("rho", [0.0005, 0.03, 0.4])
def test_conversion_agrees_with_dp_accounting(rho):
    assert epsilon_for(rho, 1e-5) == pytest.approx(dp_accounting_epsilon(rho, 1e-5), rel=1e-5)


@pytest.mark.parametrize("epsilon", [0.3, 1.0, 8.0])
def test_target_rho_is_the_largest_within_the_target(epsilon):
    rho = rho_for(epsilon, 1e-5)
    assert epsilon_for(rho, 1e-5) <= epsilon
    assert epsilon_for(rho * (1 + 1e-6), 1e-5) > epsilon


def test_delta_zero_is_refused():
    from bench.errors import BenchInputError

    with pytest.raises(BenchInputError, match="delta > 0"):
        ZCDPLedger(Budget(1.0, 0.0))


def test_seeded_noise_repeats_and_opendp_noise_costs_the_same():
    counts = np.arange(50, dtype=float)
    a = ZCDPLedger(Budget(1.0, 1e-5)).measure(counts, 5.0, ("x",), np.random.default_rng(3))
    b = ZCDPLedger(Budget(1.0, 1e-5)).measure(counts, 5.0, ("x",), np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - counts).std() == pytest.approx(5.0, rel=0.4)
    secure = ZCDPLedger(Budget(1.0, 1e-5), noise="opendp")
    noisy = secure.measure(counts, 5.0, ("x",), np.random.default_rng(3))
    assert noisy.shape == counts.shape and not np.array_equal(noisy, counts)
    index = secure.select(np.array([0.0, 0.0, 1e6]), 1.0, 1.0, np.random.default_rng(0))
    assert index == 2
    assert secure.rho_spent == pytest.approx(1 / 50 + 1 / 8)


def test_exponential_mechanism_follows_its_scores():
    ledger = ZCDPLedger(Budget(100.0, 1e-5))
    rng = np.random.default_rng(0)
    picks = [ledger.select(np.array([0.0, 1.0, 2.0]), 2.0, 1.0, rng) for _ in range(2000)]
    # P(i) proportional to exp(epsilon * q_i / (2 * sensitivity)) = e^0, e^1, e^2
    expected = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(np.bincount(picks, minlength=3) / 2000, expected, atol=0.035)


def test_without_privacy_nothing_is_noised_or_charged():
    ledger = ZCDPLedger(Budget(math.inf, 1e-5))
    counts = np.array([3.0, 0.0, 7.0])
    np.testing.assert_array_equal(ledger.measure(counts, 0.0, ("x",), np.random.default_rng(0)), counts)
    assert ledger.select(np.array([1.0, 5.0, 2.0]), math.inf, 1.0, np.random.default_rng(0)) == 1
    spent = ledger.privacy_spent(rounds=1)
    assert spent.accountant == NO_DP and math.isinf(spent.epsilon) and spent.details["no_dp"]
    assert spent.details["measurements"] == [{"marginal": ["x"], "sigma": 0.0, "rho": 0.0, "exact": True}]
