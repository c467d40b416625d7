"""Empirical lower bound on epsilon from a membership attack's scores.

An (epsilon, delta)-DP training algorithm bounds every membership test:
TPR <= e^eps FPR + delta and TNR <= e^eps FNR + delta. Read backwards, an
attack that reaches (TPR, FPR) proves

    eps >= log((TPR - delta) / FPR)     or     eps >= log((TNR - delta) / FNR).

To make this a statistical claim rather than a point estimate (Jagielski et
al., NeurIPS 2020; TAPAS, Houssiau et al. 2022), one test is fixed first and
then measured on fresh candidates:

1. on the calibration half of the candidates (the half ``bench.evaluate.membership``
   also fixes the success threshold on), pick the threshold and the side
   (positives or negatives) with the largest bound;
2. on the other half, count true and false positives at that one threshold
   and replace TPR (TNR) by its lower and FPR (FNR) by its upper
   Clopper-Pearson bound. The two-sided intervals at level ``confidence``
   hold together with probability at least ``confidence`` (each misses on
   its side with probability (1 - confidence) / 2), so the bound is valid at
   that level.

Picking the best threshold on the same candidates it then bounds, as a
single pass would, inflates the figure: on an exactly 1-DP mechanism with
1,350 candidates a side such a bound exceeded 1 in 10% of runs against a
nominal 5%. The counts at the chosen threshold are kept (``AuditCounts``) so
the report can recompute the bound at a stricter level: a violation is
flagged only when the largest bound over m seeds x attacks, each at level
1 - 0.05 / m (Bonferroni), exceeds the spent epsilon.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from scipy.stats import beta

NOMINAL_FALSE_FLAG_RATE = 0.05  # the chance that a report wrongly flags a mechanism that keeps its claim


@dataclass(frozen=True)
class AuditCounts:
    """One fixed test on the evaluation half: "member if score >= threshold" (positives) or
    "non-member if score < threshold" (negatives), and its outcome counts."""

    side: Literal["positives", "negatives"]
    threshold: float
    true_positives: int
    false_positives: int
    n_members: int
    n_non_members: int
    delta: float

    def as_dict(self) -> dict:
        return asdict(self)

    def bound(self, confidence: float = 0.95) -> float:
        """The epsilon this test proves with probability at least ``confidence``."""
        tpr_low, tpr_high = clopper_pearson(np.array([self.true_positives]), self.n_members, confidence)
        fpr_low, fpr_high = clopper_pearson(np.array([self.false_positives]), self.n_non_members, confidence)
        return float(_bounds(tpr_low, fpr_high, self.side, self.delta)[0])


def clopper_pearson(successes: np.ndarray, trials: int, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided exact binomial interval for each count in ``successes``."""
    alpha = 1.0 - confidence
    k = np.asarray(successes, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, beta.ppf(alpha / 2, k, trials - k + 1), 0.0)
        high = np.where(k < trials, beta.ppf(1 - alpha / 2, k + 1, trials - k), 1.0)
    return low, high


def audit(scores: np.ndarray, is_member: np.ndarray, calibration: np.ndarray, *, delta: float,
          confidence: float = 0.95) -> AuditCounts | None:
    """Fix the test on the ``calibration`` candidates, count its outcomes on the others.

    None when either half lacks members or non-members (no test can be run).
    """
    scores = np.asarray(scores, dtype=np.float64)
    is_member = np.asarray(is_member, dtype=bool)
    calibration = np.asarray(calibration, dtype=bool)
    evaluation = ~calibration
    halves = (is_member[calibration], is_member[evaluation])
    if any(half.all() or not half.any() for half in halves):
        return None
    side, threshold = _best_test(scores[calibration], is_member[calibration], delta, confidence)
    predicted = scores[evaluation] >= threshold
    truth = is_member[evaluation]
    return AuditCounts(side=side, threshold=threshold, true_positives=int(np.sum(predicted & truth)),
                       false_positives=int(np.sum(predicted & ~truth)), n_members=int(truth.sum()),
                       n_non_members=int((~truth).sum()), delta=delta)


def flagging_confidence(tests: int) -> float:
    """The per-test level at which m simultaneous bounds keep the nominal false-flag rate (Bonferroni)."""
    return 1.0 - NOMINAL_FALSE_FLAG_RATE / max(int(tests), 1)


def _best_test(scores: np.ndarray, is_member: np.ndarray, delta: float, confidence: float) -> tuple[str, float]:
    """The side and threshold with the largest bound on these candidates (cutting only between distinct scores)."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_members = scores[order], is_member[order]
    distinct = np.flatnonzero(np.r_[sorted_scores[1:] != sorted_scores[:-1], True])
    true_pos = np.cumsum(sorted_members)[distinct]
    false_pos = np.cumsum(~sorted_members)[distinct]
    tpr_low, _ = clopper_pearson(true_pos, int(sorted_members.sum()), confidence)
    _, fpr_high = clopper_pearson(false_pos, int((~sorted_members).sum()), confidence)
    best = {side: _bounds(tpr_low, fpr_high, side, delta) for side in ("positives", "negatives")}
    side = max(best, key=lambda s: best[s].max())
    cut = distinct[int(np.argmax(best[side]))]
    # "member if score >= threshold": cut midway to the next lower score, not on a sample
    threshold = 0.5 * (sorted_scores[cut] + sorted_scores[cut + 1]) if cut + 1 < len(sorted_scores) else sorted_scores[cut]
    return side, float(threshold)


def _bounds(tpr_low: np.ndarray, fpr_high: np.ndarray, side: str, delta: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if side == "positives":
            values = np.log((tpr_low - delta) / fpr_high)
        else:  # TNR >= 1 - FPR_high, FNR <= 1 - TPR_low
            values = np.log((1.0 - fpr_high - delta) / (1.0 - tpr_low))
    return np.where(np.isfinite(values), np.maximum(values, 0.0), 0.0)
