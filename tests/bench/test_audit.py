import numpy as np

from bench.audit import clopper_pearson, epsilon_lower_bound


def test_bound_is_valid_for_a_mechanism_with_known_epsilon():
    # Randomised response with epsilon = 1: the best possible attack sees the released bit.
    rng = np.random.default_rng(0)
    epsilon, n = 1.0, 20_000
    keep = np.exp(epsilon) / (1 + np.exp(epsilon))
    is_member = np.r_[np.ones(n, bool), np.zeros(n, bool)]
    released = np.where(is_member, rng.random(2 * n) < keep, rng.random(2 * n) >= keep).astype(float)
    bound = epsilon_lower_bound(released, is_member, delta=0.0)
    assert 0.85 < bound <= epsilon


def test_perfect_attack_is_limited_by_sample_size():
    is_member = np.r_[np.ones(1000, bool), np.zeros(1000, bool)]
    bound = epsilon_lower_bound(is_member.astype(float), is_member, delta=1e-5)
    assert 5.0 < bound < 6.5


def test_no_signal_gives_no_bound():
    rng = np.random.default_rng(1)
    is_member = np.r_[np.ones(2000, bool), np.zeros(2000, bool)]
    assert epsilon_lower_bound(rng.normal(size=4000), is_member, delta=1e-5) < 0.3


def test_clopper_pearson_edges():
    low, high = clopper_pearson(np.array([0, 10]), 10)
    assert low[0] == 0.0 and high[1] == 1.0
    assert 0.0 < high[0] < 0.35 and 0.65 < low[1] < 1.0
