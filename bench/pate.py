"""PATE: the noisy teacher vote and its moments accountant (Jordon, Yoon & van der Schaar 2019).

A query asks the k teachers to classify one generated record as real (1) or
generated (0). With vote counts n0 and n1, the answer is

    PATE_lambda(x) = argmax_j (n_j + Y_j),   Y_0, Y_1 i.i.d. Laplace(scale 1 / lambda),

drawn through diffprivlib's Laplace mechanism (epsilon = lambda, sensitivity 1).
One private row sits in one teacher's partition, so it moves one vote: n0 and
n1 each change by at most 1, and the answer is (2 lambda, 0)-DP.

Accounting (PATE-GAN's Algorithm 1, from Papernot et al. 2017, Theorems 2-3).
For every order l = 1..L the log moment alpha(l) gains, per query,

    min( 2 lambda^2 l (l + 1),
         log( (1 - q) ((1 - q) / (1 - e^{2 lambda} q))^l + q e^{2 lambda l} ) )

with q = (2 + lambda |n0 - n1|) / (4 exp(lambda |n0 - n1|)), a bound on the
probability that the noisy answer differs from the plurality. The first term
is the data-independent bound of any (2 lambda)-DP mechanism; the second,
data-dependent one holds only while q < (e^{2 lambda} - 1) / (e^{4 lambda} - 1),
so outside that range only the first term is used. After the queries,

    epsilon = min_l (alpha(l) + log(1 / delta)) / l.

Caveat the ledger repeats: the second term depends on the vote margins,
which depend on the private data, so the reported epsilon is itself a
function of private data (Papernot et al. 2018 release it with smooth
sensitivity; PATE-GAN does not). The ledger therefore also reports the
data-independent epsilon of the same number of queries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

ACCOUNTANT = "pate-moments"  # the accountant name in a PATE ledger

# Integer moments, as in the paper (its released code stops at 20; more orders only tighten the minimum).
DEFAULT_ORDERS = tuple(range(1, 129))


def disagreement_bound(lam: float, margin: np.ndarray | float) -> np.ndarray:
    """q: an upper bound on P[noisy answer != plurality] for a vote margin |n0 - n1|."""
    margin = np.abs(np.asarray(margin, dtype=float))
    return (2.0 + lam * margin) / (4.0 * np.exp(lam * margin))


def data_independent_bound(lam: float, orders=DEFAULT_ORDERS) -> np.ndarray:
    """alpha(l) of any (2 lambda, 0)-DP answer: 2 lambda^2 l (l + 1)."""
    l = np.asarray(orders, dtype=float)
    return 2.0 * lam**2 * l * (l + 1.0)


def log_moment_bound(lam: float, margin: np.ndarray | float, orders=DEFAULT_ORDERS) -> np.ndarray:
    """alpha(l) of one query per margin: shape (len(margin), len(orders))."""
    margin = np.atleast_1d(np.abs(np.asarray(margin, dtype=float)))
    l = np.asarray(orders, dtype=float)[None, :]
    data_independent = data_independent_bound(lam, orders)[None, :]
    q = disagreement_bound(lam, margin)[:, None]
    valid = q < (math.exp(2 * lam) - 1.0) / (math.exp(4 * lam) - 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(valid, (1.0 - q) / (1.0 - math.exp(2 * lam) * q), 1.0)
        data_dependent = np.log((1.0 - q) * ratio**l + q * np.exp(2.0 * lam * l))
    data_dependent = np.where(valid & np.isfinite(data_dependent), data_dependent, np.inf)
    return np.minimum(data_independent, data_dependent)


def epsilon_from_log_moments(log_moments: np.ndarray, delta: float, orders=DEFAULT_ORDERS):
    """The moments accountant's tail bound: min_l (alpha(l) + log(1/delta)) / l (a float; an array
    of them for a 2-D ``log_moments``, one row each)."""
    l = np.asarray(orders, dtype=float)
    epsilon = np.min((np.asarray(log_moments) + math.log(1.0 / delta)) / l, axis=-1)
    return float(epsilon) if np.ndim(epsilon) == 0 else epsilon


@dataclass
class PATEAccountant:
    """Accumulates the log moments of every answered query.

    ``admissible(margins, target)`` says how many of the next queries can be
    answered with the spent epsilon staying within ``target``.
    """

    lam: float
    delta: float
    orders: tuple[int, ...] = DEFAULT_ORDERS
    log_moments: np.ndarray = field(init=False)
    queries: int = 0
    unanimous_queries: int = 0

    def __post_init__(self) -> None:
        if not self.lam > 0:
            raise ValueError(f"lambda must be > 0, got {self.lam}")
        self.log_moments = np.zeros(len(self.orders))

    def epsilon(self) -> float:
        return epsilon_from_log_moments(self.log_moments, self.delta, self.orders) if self.queries else 0.0

    def data_independent_epsilon(self) -> float:
        """What the same queries cost without the data-dependent bound."""
        if not self.queries:
            return 0.0
        return epsilon_from_log_moments(self.queries * data_independent_bound(self.lam, self.orders), self.delta,
                                        self.orders)

    def admissible(self, margins: np.ndarray, target: float) -> int:
        """How many of these queries (in order) can be answered with the spent epsilon
        staying within ``target``; the rest are never answered (their noisy vote is
        never drawn). The gate reads the margins, as PATE-GAN's stopping rule reads
        the accountant: see the module's caveat."""
        costs = log_moment_bound(self.lam, margins, self.orders)
        epsilon_after = epsilon_from_log_moments(self.log_moments + np.cumsum(costs, axis=0), self.delta, self.orders)
        over = np.nonzero(epsilon_after > target)[0]
        return int(over[0]) if len(over) else len(margins)

    def record(self, margins: np.ndarray, teachers: int) -> None:
        margins = np.abs(np.asarray(margins, dtype=float))
        self.log_moments = self.log_moments + log_moment_bound(self.lam, margins, self.orders).sum(axis=0)
        self.queries += len(margins)
        self.unanimous_queries += int(np.sum(margins == teachers))


def noisy_votes(real_votes: np.ndarray, teachers: int, lam: float, rng: np.random.Generator) -> np.ndarray:
    """PATE_lambda answers (1 = real) for vote counts of "real" among ``teachers``.

    The Laplace noise comes from diffprivlib's mechanism (epsilon = lambda,
    sensitivity 1, hence scale 1 / lambda) on each of the two counts.
    """
    from diffprivlib.mechanisms import Laplace

    mechanism = Laplace(epsilon=lam, sensitivity=1.0, random_state=int(rng.integers(2**31 - 1)))
    answers = np.empty(len(real_votes), dtype=np.float32)
    for i, n1 in enumerate(np.asarray(real_votes, dtype=float)):
        noisy_real = mechanism.randomise(n1)
        noisy_generated = mechanism.randomise(teachers - n1)
        answers[i] = 1.0 if noisy_real > noisy_generated else 0.0
    return answers
