"""The privacy ledger shared by every DP synthesizer.

Accounting is Opacus': its RDP (default) or PRV accountant is replayed over
the (noise multiplier, sampling rate, steps) history that DP-SGD really
used. The RDP orders are widened beyond Opacus' defaults (up to 1024) so
that small-noise, few-step settings are not bounded by the largest order.

Anything a method computes from private rows outside SGD (for example a
condition-vector histogram) is spent through diffprivlib and added to the
total by basic composition: epsilon_total = epsilon_sgd + sum(outside).

Budget modes (``bench.api.synthesizer.Budget``):

* ``calibrated``: the noise multiplier is the smallest (found by bisection
  over the accountant) for which the planned training spends no more than the
  SGD share of the target;
* ``paper``: the papers' fixed noise; training stops at the last step that
  stays within the target, or, with ``allow_overspend``, runs the papers'
  full schedule and the ledger says how far over the target it went.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.api.synthesizer import Budget, PrivacySpent
from bench.privacy.accountant import LedgerTable, spent_total

RDP_ORDERS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)) + [64, 80, 96, 128, 192, 256, 512, 1024]
ACCOUNTANTS = ("rdp", "prv")


def epsilon_for(history: list[tuple[float, float, int]], delta: float, accountant: str = "rdp") -> float:
    """Epsilon of a DP-SGD history [(noise_multiplier, sample_rate, steps), ...]."""
    if not history or all(steps == 0 for _, _, steps in history):
        return 0.0
    if accountant == "rdp":
        from opacus.accountants.analysis.rdp import compute_rdp, get_privacy_spent

        rdp = sum(compute_rdp(q=q, noise_multiplier=sigma, steps=steps, orders=RDP_ORDERS) for sigma, q, steps in history)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "optimal order is the largest alpha": reported below
            epsilon, _ = get_privacy_spent(orders=RDP_ORDERS, rdp=rdp, delta=delta)
        return float(epsilon)
    if accountant == "prv":
        from opacus.accountants import PRVAccountant

        prv = PRVAccountant()
        prv.history = list(history)
        return float(prv.get_epsilon(delta=delta))
    raise ValueError(f"unknown accountant {accountant!r}; expected one of {ACCOUNTANTS}")


def calibrate_noise(epsilon: float, delta: float, sample_rate: float, steps: int, accountant: str = "rdp") -> float:
    """Smallest noise multiplier (to 0.1%) whose ``steps`` steps spend at most ``epsilon``."""
    low, high = 0.05, 1.0
    while epsilon_for([(high, sample_rate, steps)], delta, accountant) > epsilon:
        high *= 2.0
        if high > 1e4:
            raise ValueError(f"no noise multiplier reaches epsilon {epsilon} in {steps} steps")
    while (high - low) / high > 1e-3:
        mid = 0.5 * (low + high)
        if epsilon_for([(mid, sample_rate, steps)], delta, accountant) > epsilon:
            low = mid
        else:
            high = mid
    return high


def max_steps_within(epsilon: float, delta: float, noise_multiplier: float, sample_rate: float, accountant: str = "rdp") -> int:
    """The largest number of steps at this noise that spends at most ``epsilon``."""
    if epsilon_for([(noise_multiplier, sample_rate, 1)], delta, accountant) > epsilon:
        return 0
    low, high = 1, 2
    while epsilon_for([(noise_multiplier, sample_rate, high)], delta, accountant) <= epsilon:
        low, high = high, high * 2
        if high > 10**8:
            return high
    while high - low > 1:
        mid = (low + high) // 2
        if epsilon_for([(noise_multiplier, sample_rate, mid)], delta, accountant) <= epsilon:
            low = mid
        else:
            high = mid
    return low


@dataclass(frozen=True)
class SGDPlan:
    """How much DP-SGD a fit may run, decided before it touches a private row.

    Attributes:
        noise_multiplier: Gaussian noise std / clipping norm.
        sample_rate: Poisson sampling rate (expected batch / training rows).
        steps: Steps to run.
        planned_steps: Steps of the full schedule (epochs x rows / batch).
        epsilon_sgd_target: The SGD share of the target epsilon.
    """

    noise_multiplier: float
    sample_rate: float
    steps: int
    planned_steps: int
    epsilon_sgd_target: float


def plan_sgd(
    budget: Budget,
    *,
    rows: int,
    batch_size: int,
    epochs: float,
    paper_noise_multiplier: float,
    epsilon_outside_sgd: float = 0.0,
    accountant: str = "rdp",
) -> SGDPlan:
    # Opacus' Poisson loader samples each row with probability 1 / len(loader) = 1 / ceil(rows / batch);
    # plan with the rate it will really use.
    batches_per_epoch = math.ceil(rows / batch_size)
    sample_rate = 1.0 / batches_per_epoch
    planned = max(1, int(math.ceil(epochs * batches_per_epoch)))
    if not budget.private:  # epsilon = inf: the same schedule, no noise, no accountant
        return SGDPlan(0.0, sample_rate, planned, planned, math.inf)
    target = budget.epsilon - epsilon_outside_sgd
    if target <= 0:
        raise ValueError(f"the budget outside SGD ({epsilon_outside_sgd}) uses up epsilon {budget.epsilon}")
    if budget.mode == "calibrated":
        sigma = calibrate_noise(target, budget.delta, sample_rate, planned, accountant)
        return SGDPlan(sigma, sample_rate, planned, planned, target)
    steps = planned
    if not budget.allow_overspend:
        steps = min(planned, max_steps_within(target, budget.delta, paper_noise_multiplier, sample_rate, accountant))
    return SGDPlan(paper_noise_multiplier, sample_rate, steps, planned, target)


@dataclass
class Ledger:
    """What one fit spent; becomes ``PrivacySpent`` (and the record's ledger)."""

    budget: Budget
    accountant: str = "rdp"
    sgd_history: list[tuple[float, float, int]] = field(default_factory=list)
    max_grad_norm: float | None = None
    outside_sgd: dict[str, float] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def mechanism(self) -> str:
        return self.accountant

    def get_epsilon(self, delta: float) -> float:
        """DP-SGD's epsilon at ``delta`` (without what was spent outside SGD)."""
        return epsilon_for(self.sgd_history, delta, self.accountant)

    def __len__(self) -> int:
        return sum(steps for _, _, steps in self.sgd_history)

    def spend_outside_sgd(self, what: str, epsilon: float) -> None:
        self.outside_sgd[what] = self.outside_sgd.get(what, 0.0) + epsilon

    def spent(self) -> PrivacySpent:
        epsilon_sgd = self.get_epsilon(self.budget.delta)
        total = epsilon_sgd + sum(self.outside_sgd.values())
        details = {
            "mode": self.budget.mode,
            "target_epsilon": self.budget.epsilon,
            "target_delta": self.budget.delta,
            "epsilon_sgd": epsilon_sgd,
            "epsilon_outside_sgd": dict(self.outside_sgd),
            "sgd_history": [
                {"noise_multiplier": s, "sample_rate": q, "steps": n} for s, q, n in self.sgd_history
            ],
            "max_grad_norm": self.max_grad_norm,
            "overspent": total > self.budget.epsilon * (1 + 1e-9),
        } | self.notes
        return PrivacySpent(epsilon=total, delta=self.budget.delta, accountant=self.accountant, details=details)


def _sgd_row(spent: list[dict]) -> list[str]:
    d = [p["details"] for p in spent]
    outside = sorted({k for x in d for k in x.get("epsilon_outside_sgd", {})})
    outside_text = "; ".join(
        f"{k}: {np.mean([x['epsilon_outside_sgd'].get(k, 0.0) for x in d]):.3f}" for k in outside
    ) or "none"
    mean = lambda key: np.mean([x.get(key, np.nan) for x in d])  # noqa: E731
    return [
        d[0].get("mode", "—"), spent[0]["accountant"], f"{mean('noise_multiplier'):.3f}",
        f"{mean('sample_rate'):.5f}", f"{mean('steps'):.0f} / {mean('planned_steps'):.0f}",
        f"{d[0].get('max_grad_norm')}", f"{mean('epsilon_sgd'):.3f}", outside_text, spent_total(spent),
        f"{spent[0]['delta']:g}",
    ]


LEDGER_TABLE = LedgerTable(
    title="DP-SGD",
    text=("Per DP fit, as its accountant computed it (mean over seeds where values differ by seed).",),
    columns=("mode", "accountant", "noise σ", "sampling rate", "steps run / planned", "clip C", "ε SGD",
             "ε outside SGD", "ε total", "δ"),
    covers=lambda spent: spent["accountant"] in ACCOUNTANTS,
    row=_sgd_row,
)
Ledger.ledger_table = LEDGER_TABLE
