"""The privacy ledger: Opacus' accountant, cross-checked by Google's dp-accounting."""

import math

import dp_accounting
import pytest

from bench.privacy.sgd import Ledger, calibrate_noise, epsilon_for, max_steps_within, plan_sgd
from bench.api.synthesizer import Budget


def _independent_epsilon(noise: float, sample_rate: float, steps: int, delta: float) -> float:
    orders = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)) + [64, 80, 96, 128, 192, 256, 512, 1024]
    accountant = dp_accounting.rdp.RdpAccountant(orders)
    event = dp_accounting.PoissonSampledDpEvent(sample_rate, dp_accounting.GaussianDpEvent(noise))
    accountant.compose(dp_accounting.SelfComposedDpEvent(event, steps))
    return accountant.get_epsilon(delta)


@pytest.mark.parametrize(
    "noise, sample_rate, steps",
    [(1.5, 64 / 10_000, 15_625), (1.1, 0.01, 1_000), (0.8, 0.05, 200), (3.0, 0.001, 50_000)],
)
def test_epsilon_matches_an_independent_accountant(noise, sample_rate, steps):
    ours = epsilon_for([(noise, sample_rate, steps)], 1e-5)
    theirs = _independent_epsilon(noise, sample_rate, steps, 1e-5)
    assert ours == pytest.approx(theirs, rel=0.02)


def test_the_papers_dp_medgan_settings_spend_about_2_7_not_1():
    # sigma 1.5, batch 64, 100 epochs on 10,000 rows, delta 1e-5 (dp-medgan.txt section 3)
    epsilon = epsilon_for([(1.5, 64 / 10_000, 100 * 10_000 // 64)], 1e-5)
    assert 2.6 < epsilon < 2.8


def test_calibrated_noise_spends_the_target_and_no_more():
    sigma = calibrate_noise(1.0, 1e-5, 0.01, 2_000)
    assert epsilon_for([(sigma, 0.01, 2_000)], 1e-5) <= 1.0
    assert epsilon_for([(sigma * 0.99, 0.01, 2_000)], 1e-5) > 1.0


def test_paper_mode_stops_when_the_budget_is_spent():
    budget = Budget(epsilon=1.0, delta=1e-5, mode="paper")
    plan = plan_sgd(budget, rows=10_000, batch_size=64, epochs=100, paper_noise_multiplier=1.5)
    assert plan.noise_multiplier == 1.5
    assert plan.steps < plan.planned_steps == 100 * 157  # 157 Poisson batches per epoch
    assert epsilon_for([(1.5, plan.sample_rate, plan.steps)], 1e-5) <= 1.0
    assert epsilon_for([(1.5, plan.sample_rate, plan.steps + 1)], 1e-5) > 1.0
    assert plan.steps == max_steps_within(1.0, 1e-5, 1.5, plan.sample_rate)


def test_overspend_is_allowed_only_when_asked_and_then_reported():
    budget = Budget(epsilon=1.0, delta=1e-5, mode="paper", allow_overspend=True)
    plan = plan_sgd(budget, rows=10_000, batch_size=64, epochs=100, paper_noise_multiplier=1.5)
    assert plan.steps == plan.planned_steps
    ledger = Ledger(budget, sgd_history=[(plan.noise_multiplier, plan.sample_rate, plan.steps)])
    spent = ledger.spent()
    assert spent.epsilon > 2.6 and spent.details["overspent"]


def test_budget_outside_sgd_is_composed_and_leaves_less_for_sgd():
    budget = Budget(epsilon=1.0, delta=1e-5)
    plan = plan_sgd(budget, rows=5_000, batch_size=64, epochs=5, paper_noise_multiplier=1.5, epsilon_outside_sgd=0.05)
    ledger = Ledger(budget, sgd_history=[(plan.noise_multiplier, plan.sample_rate, plan.steps)])
    ledger.spend_outside_sgd("condition marginals", 0.05)
    spent = ledger.spent()
    assert spent.details["epsilon_sgd"] <= 0.95 + 1e-9
    assert spent.epsilon == pytest.approx(spent.details["epsilon_sgd"] + 0.05)
    assert spent.epsilon <= 1.0


def test_group_privacy_by_hand():
    from bench.api.synthesizer import group_privacy

    assert group_privacy(1.0, 1e-5, 1) == (1.0, 1e-5)
    epsilon, delta = group_privacy(0.5, 1e-6, 3)
    assert epsilon == 1.5 and delta == pytest.approx(3 * math.exp(1.0) * 1e-6)
