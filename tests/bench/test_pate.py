"""The PATE moments accountant, checked against values worked out by hand from the paper's formula."""

import math

import numpy as np
import pytest

from bench.pate import PATEAccountant, disagreement_bound, epsilon_from_log_moments, log_moment_bound, noisy_votes

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
    accountant.record(np.array([4, 4, 4]), teachers=10)
    assert accountant.log_moments == pytest.approx([1.315998, 2.887083], abs=1e-5)
    assert accountant.epsilon() == pytest.approx(7.200004, abs=1e-5)
    assert epsilon_from_log_moments(np.array([1.0, 1.0]), 1e-5, orders=(1, 2)) == pytest.approx((1 + LOG_INV_DELTA) / 2)
    # data-independent: 3 queries x 2 lambda^2 l (l + 1) = (3.0, 9.0); min(14.51, 10.26)
    assert accountant.data_independent_epsilon() == pytest.approx((9.0 + LOG_INV_DELTA) / 2)


@pytest.mark.parametrize("target", [1.0, 2.0, 3.0])
def test_admissible_queries_never_take_epsilon_past_the_target(target):
    accountant = PATEAccountant(0.3, 1e-5)
    rng = np.random.default_rng(0)
    while True:
        margins = rng.choice([50, 50, 50, 48, 46, 40], size=64)
        answered = accountant.admissible(margins, target)
        accountant.record(margins[:answered], teachers=50)
        assert accountant.epsilon() <= target
        if answered < len(margins):
            break
    # and the first refused query really would have overspent
    refused = margins[answered : answered + 1]
    after = accountant.log_moments + log_moment_bound(0.3, refused)[0]
    assert epsilon_from_log_moments(after, 1e-5) > target
    assert accountant.queries > 0


def test_noisy_vote_flips_at_the_laplace_rate():
    # Y0 - Y1 for Laplace(scale 1/lambda) exceeds m with probability (2 + lambda m) / (4 e^{lambda m}):
    # the bound q is exact for two classes, so the flip rate checks the noise scale is 1 / lambda.
    rng = np.random.default_rng(0)
    answers = noisy_votes(np.full(6000, 7), teachers=10, lam=0.5, rng=rng)  # margin 4 for "real"
    assert 1 - answers.mean() == pytest.approx(math.exp(-2), abs=0.015)  # 3 standard errors
