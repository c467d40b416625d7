"""PATE: the vote guarantee (against Laplace RDP by hand and a second accountant) and PATE-GAN's data-dependent
moments figure (against values worked out by hand from the paper's formula)."""

import math

import numpy as np
import pytest

from bench.privacy.pate import (
    PATEAccountant,
    affordable_queries,
    calibrate_lambda,
    disagreement_bound,
    epsilon_from_log_moments,
    guaranteed_epsilon,
    log_moment_bound,
    noisy_votes,
    vote_event,
)

LOG_INV_DELTA = math.log(1e5)


def test_disagreement_bound_by_hand():
    # lambda 0.5, margin 4: q = (2 + 2) / (4 e^2) = e^-2
    assert disagreement_bound(0.5, 4) == pytest.approx(math.exp(-2))
    # margin 0: an even vote flips half the time
    assert disagreement_bound(0.5, 0) == pytest.approx(0.5)


def test_log_moments_by_hand_data_dependent_term():
    # lambda 0.5, margin 4, q = 0.135335; e^{2 lambda} q = 0.367879; (1 - q) / (1 - e q) = 1.367879
    # l = 1: log(0.864665 * 1.367879 + 0.135335 * e^1)       = log(1.550637) = 0.438666 (< 2 * 0.25 * 1 * 2 = 1)
    # l = 2: log(0.864665 * 1.367879^2 + 0.135335 * e^2)     = log(2.617866) = 0.962361 (< 3)
    # l = 3: log(0.864665 * 1.367879^3 + 0.135335 * e^3)                     = 1.595609 (< 6)
    alpha = log_moment_bound(0.5, [4], orders=(1, 2, 3))[0]
    assert alpha == pytest.approx([0.438666, 0.962361, 1.595609], abs=2e-6)
    # The bound has (l + 1) inside 2 lambda^2 l (l + 1), not exp(2 lambda l + 1): a known
    # implementation error, which would give log(0.864665 * 1.367879 + 0.135335 * e^2) = 0.742 at l = 1.
    assert alpha[0] != pytest.approx(0.742, abs=0.01)


def test_log_moments_by_hand_data_independent_term_wins():
    # lambda 0.05, margin 10: q = 2.5 / (4 e^0.5) = 0.379082 (valid: < 0.475021);
    # data-dependent l = 1: log(0.620918 * 1.068614 + 0.379082 * e^0.1) = 0.079246,
    # data-independent: 2 * 0.05^2 * 1 * 2 = 0.01, which is the smaller.
    assert log_moment_bound(0.05, [10], orders=(1,))[0, 0] == pytest.approx(0.01)


def test_data_dependent_term_not_used_where_it_does_not_hold():
    # margin 0: q = 0.5 >= (e^{2 lambda} - 1) / (e^{4 lambda} - 1), so only 2 lambda^2 l (l + 1) applies
    alpha = log_moment_bound(0.5, [0], orders=(1, 2))[0]
    assert alpha == pytest.approx([1.0, 3.0])


def test_epsilon_by_hand():
    # three queries (lambda 0.5, margin 4): alpha = (1.315998, 2.887083)
    # epsilon = min((1.315998 + 11.512925) / 1, (2.887083 + 11.512925) / 2) = 7.200004
    accountant = PATEAccountant(0.5, 1e-5, orders=(1, 2))
    accountant.record(np.array([4, 4, 4]))
    assert accountant.log_moments == pytest.approx([1.315998, 2.887083], abs=1e-5)
    assert accountant.epsilon() == pytest.approx(7.200004, abs=1e-5)
    assert epsilon_from_log_moments(np.array([1.0, 1.0]), 1e-5, orders=(1, 2)) == pytest.approx((1 + LOG_INV_DELTA) / 2)


def _laplace_rdp_by_hand(lam: float, order: float) -> float:
    """Renyi divergence of order alpha between Laplace(0, 1/lam) and Laplace(1, 1/lam) (Mironov 2017, Table II)."""
    return np.logaddexp(math.log(order / (2 * order - 1)) + (order - 1) * lam,
                        math.log((order - 1) / (2 * order - 1)) - order * lam) / (order - 1)


@pytest.mark.parametrize("lam, queries", [(1.0, 1), (0.1, 10), (0.01, 1000), (0.002, 50_000)])
def test_guarantee_agrees_with_laplace_rdp_by_hand_and_with_the_pld_accountant(lam, queries):
    from dp_accounting import pld

    epsilon = guaranteed_epsilon(lam, queries, 1e-5)
    # by hand: two Laplace counts per query, T queries, the classic conversion
    # eps <= rdp(alpha) + log(1/delta) / (alpha - 1), minimised over a grid of orders
    by_hand = min(2 * queries * _laplace_rdp_by_hand(lam, a) + LOG_INV_DELTA / (a - 1)
                  for a in np.concatenate([np.linspace(1.01, 10, 900), np.arange(10, 2000, 0.5)]))
    assert epsilon <= by_hand * 1.0001  # the library's conversion is at least as tight as the classic one
    assert epsilon >= 0.8 * min(by_hand, 2 * lam * queries)
    # never looser than pure-DP basic composition (each answer is 2 lambda-DP) ...
    assert epsilon <= 2 * lam * queries
    # ... and never tighter than the privacy-loss-distribution accountant of the same events
    accountant = pld.PLDAccountant()
    accountant.compose(vote_event(lam, queries))
    assert epsilon >= accountant.get_epsilon(1e-5) * 0.999


def test_guarantee_grows_with_queries_and_lambda():
    assert guaranteed_epsilon(0.01, 0, 1e-5) == 0.0
    values = [guaranteed_epsilon(0.01, t, 1e-5) for t in (10, 100, 1000)]
    assert values == sorted(values) and values[0] > 0
    assert guaranteed_epsilon(0.02, 100, 1e-5) > guaranteed_epsilon(0.01, 100, 1e-5)


@pytest.mark.parametrize("target, queries", [(0.1, 1000), (1.0, 96_000), (10.0, 96_000)])
def test_calibrated_lambda_is_the_largest_within_the_target(target, queries):
    lam = calibrate_lambda(target, 1e-5, queries)
    assert guaranteed_epsilon(lam, queries, 1e-5) <= target
    assert guaranteed_epsilon(lam * 1.001, queries, 1e-5) > target


@pytest.mark.parametrize("lam, target", [(1.0, 1.0), (0.05, 1.0), (0.01, 3.0)])
def test_affordable_queries_stop_exactly_at_the_target(lam, target):
    cap = 100_000
    affordable = affordable_queries(lam, target, 1e-5, cap)
    assert affordable < cap
    assert guaranteed_epsilon(lam, affordable, 1e-5) <= target < guaranteed_epsilon(lam, affordable + 1, 1e-5)
    assert affordable_queries(lam, target, 1e-5, 10) == min(10, affordable)


def test_lambda_one_affords_no_query_at_epsilon_one():
    # one answer of two Laplace(1) counts is already (2, ~0)-DP: the paper's lambda cannot answer at epsilon 1
    assert affordable_queries(1.0, 1.0, 1e-5, 1000) == 0


def test_noisy_vote_flips_at_the_laplace_rate():
    # Y0 - Y1 for Laplace(scale 1/lambda) exceeds m with probability (2 + lambda m) / (4 e^{lambda m}):
    # the bound q is exact for two classes, so the flip rate checks the noise scale is 1 / lambda.
    rng = np.random.default_rng(0)
    answers = noisy_votes(np.full(6000, 7), teachers=10, lam=0.5, rng=rng)  # margin 4 for "real"
    assert 1 - answers.mean() == pytest.approx(math.exp(-2), abs=0.015)  # 3 standard errors
