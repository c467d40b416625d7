"""PATE: the noisy teacher vote, its privacy guarantee, and PATE-GAN's data-dependent figure.

A query asks the k teachers to classify one generated record as real (1) or
generated (0). With vote counts n0 and n1, the answer is

    PATE_lambda(x) = argmax_j (n_j + Y_j),   Y_0, Y_1 i.i.d. Laplace(scale 1 / lambda),

drawn through diffprivlib's Laplace mechanism (epsilon = lambda, sensitivity 1).
One private row sits in one teacher's partition, so adding or removing it
changes that teacher's vote only: n0 and n1 each move by at most 1.

The guarantee (``guaranteed_epsilon``). Each answer is post-processing of two
Laplace mechanisms of sensitivity 1 and scale 1 / lambda (noise multiplier
1 / lambda). The Renyi-DP of T such answers is computed by dp-accounting's RDP
accountant (Google's ``dp_accounting``: ``LaplaceDpEvent``, composed twice
per query and T times) and converted to (epsilon, delta) by the same library (or, where smaller, basic
composition of the (2 lambda, 0)-DP answers: 2 lambda T).
The per-order Laplace RDP it uses (Mironov 2017) is tighter at every order
than both textbook bounds for a (2 lambda)-DP answer, 2 lambda^2 l (l + 1) and
2 lambda l. Nothing in it reads the data: the number of queries and lambda
fix it. So the stopping rule and lambda are chosen from it alone
(``affordable_queries``, ``calibrate_lambda``).

The data-dependent figure (``PATEAccountant``, NOT a DP guarantee).
PATE-GAN's Algorithm 1 (Papernot et al. 2017, Theorems 2-3) adds per query,
for every order l = 1..L,

    min( 2 lambda^2 l (l + 1),
         log( (1 - q) ((1 - q) / (1 - e^{2 lambda} q))^l + q e^{2 lambda l} ) )

with q = (2 + lambda |n0 - n1|) / (4 exp(lambda |n0 - n1|)), a bound on the
probability that the noisy answer differs from the plurality (the second term
holds only while q < (e^{2 lambda} - 1) / (e^{4 lambda} - 1)); after the
queries, epsilon = min_l (alpha(l) + log(1 / delta)) / l. It depends on the
vote margins, which depend on the private rows, and releasing it unprotected
(Papernot et al. 2018 release it through smooth sensitivity; PATE-GAN does
not) leaks them. The ledger keeps it, labelled as not a guarantee, for
comparison with the paper's reported figures; nothing in training reads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bench.privacy.accountant import LedgerTable, spent_total

ACCOUNTANT = "pate-laplace-rdp"  # the accountant name in a PATE ledger: the guarantee

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
    """PATE-GAN's data-dependent moments of every answered query: NOT a DP guarantee.

    Kept for the ledger only (see the module's docstring); training never reads it.
    """

    lam: float
    delta: float
    orders: tuple[int, ...] = DEFAULT_ORDERS
    log_moments: np.ndarray = field(init=False)
    queries: int = 0

    def __post_init__(self) -> None:
        if not self.lam > 0:
            raise ValueError(f"lambda must be > 0, got {self.lam}")
        self.log_moments = np.zeros(len(self.orders))

    def epsilon(self) -> float:
        """The data-dependent figure (a function of the private vote margins); infinite at delta = 0,
        where the moments bound gives no finite epsilon."""
        if not self.queries:
            return 0.0
        if self.delta <= 0:
            return math.inf
        return epsilon_from_log_moments(self.log_moments, self.delta, self.orders)

    def record(self, margins: np.ndarray) -> None:
        margins = np.abs(np.asarray(margins, dtype=float))
        self.log_moments = self.log_moments + log_moment_bound(self.lam, margins, self.orders).sum(axis=0)
        self.queries += len(margins)


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


def vote_event(lam: float, queries: int):
    """dp-accounting's event for ``queries`` answers: each two Laplace counts of noise multiplier 1 / lambda."""
    import dp_accounting

    one_answer = dp_accounting.ComposedDpEvent([dp_accounting.LaplaceDpEvent(1.0 / lam)] * 2)
    return dp_accounting.SelfComposedDpEvent(one_answer, int(queries))


def guaranteed_epsilon(lam: float, queries: int, delta: float) -> float:
    """The (epsilon, delta)-DP guarantee of ``queries`` noisy votes at this lambda (data-independent)."""
    from dp_accounting import rdp

    if queries <= 0:
        return 0.0
    accountant = rdp.RdpAccountant()
    accountant.compose(vote_event(lam, queries))
    # A few answers at a large lambda are cheaper as pure DP: basic composition of (2 lambda, 0)-DP answers.
    return float(min(accountant.get_epsilon(delta), 2.0 * lam * queries))


def affordable_queries(lam: float, target_epsilon: float, delta: float, cap: int) -> int:
    """The most queries (at most ``cap``) whose guaranteed epsilon stays within the target."""
    if guaranteed_epsilon(lam, cap, delta) <= target_epsilon:
        return cap
    low, high = 0, cap  # guaranteed_epsilon(low) <= target < guaranteed_epsilon(high)
    while high - low > 1:
        middle = (low + high) // 2
        if guaranteed_epsilon(lam, middle, delta) <= target_epsilon:
            low = middle
        else:
            high = middle
    return low


def calibrate_lambda(target_epsilon: float, delta: float, queries: int) -> float:
    """The largest lambda (least noise) for which ``queries`` votes stay within the target.

    Bisection on log lambda over the guarantee alone, as the DP-SGD methods
    calibrate their noise multiplier; the result is rounded down, never up.
    """
    if not (math.isfinite(target_epsilon) and target_epsilon > 0 and queries > 0):
        raise ValueError(f"cannot calibrate lambda for epsilon {target_epsilon} over {queries} queries")
    low, high = 1e-9, 1e3
    if guaranteed_epsilon(low, queries, delta) > target_epsilon:
        raise ValueError(f"epsilon {target_epsilon} is out of reach for {queries} queries at any lambda")
    for _ in range(100):
        middle = math.sqrt(low * high)
        if guaranteed_epsilon(middle, queries, delta) <= target_epsilon:
            low = middle
        else:
            high = middle
        if high / low < 1 + 1e-9:
            break
    return low


class VoteAccountant:
    """The guarantee of PATE-GAN's answered votes (``guaranteed_epsilon``): a function of the Laplace
    scale and the number of answered votes only, never of the votes themselves."""

    def __init__(self, lam: float) -> None:
        self.lam = lam
        self.queries = 0

    def step(self, answered: int) -> None:
        """``answered`` more votes were released."""
        self.queries += answered

    def mechanism(self) -> str:
        return ACCOUNTANT

    def get_epsilon(self, delta: float) -> float:
        return guaranteed_epsilon(self.lam, self.queries, delta)

    def __len__(self) -> int:
        return self.queries


def _pate_row(spent: list[dict]) -> list[str]:
    d = [p["details"] for p in spent]
    mean = lambda key: float(np.mean([x[key] for x in d]))  # noqa: E731
    return [
        f"{d[0]['teachers']}", f"{mean('lambda'):.4g}",
        f"{mean('queries'):.0f} / {d[0]['queries_planned']}",
        f"{100 * mean('answers_real_share'):.1f}",
        f"{mean('iterations'):.0f} / {d[0]['max_iterations']}",
        f"{sum(bool(x['stopped_at_budget']) for x in d)} of {len(d)} seeds",
        spent_total(spent), f"{mean('epsilon_data_dependent'):.4g}", f"{spent[0]['delta']:g}",
    ]


LEDGER_TABLE = LedgerTable(
    title="PATE accounting",
    text=("Teacher-ensemble methods (`bench/privacy/pate.py`). ε is the guarantee of the answered votes: Rényi DP of two",
          "Laplace counts per vote, composed and converted by dp-accounting; it depends on λ and the number of",
          "votes only, and so do λ (calibrated mode) and where training stops (paper mode). The paper's",
          "moments bound of the vote margins is shown beside it for comparison: it reads the private data and",
          "was released unprotected, so it is **not a DP guarantee**."),
    columns=("teachers", "λ (Laplace scale 1/λ)", "votes answered / planned", "answered 'real' %",
             "iterations run / cap", "stopped at budget", "ε (guarantee)", "ε data-dependent (not a DP guarantee)", "δ"),
    covers=lambda spent: spent["accountant"] == ACCOUNTANT and not spent["details"].get("no_dp"),
    row=_pate_row,
)
VoteAccountant.ledger_table = LEDGER_TABLE
