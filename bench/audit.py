"""Empirical lower bound on epsilon from a membership attack's ROC.

An (epsilon, delta)-DP training algorithm bounds every membership test:
TPR <= e^eps FPR + delta and TNR <= e^eps FNR + delta. Read backwards, an
attack that reaches (TPR, FPR) proves

    eps >= max( log((TPR - delta) / FPR), log((TNR - delta) / FNR) ).

To make this a statistical claim rather than a point estimate, TPR and TNR
are replaced by their lower and FPR and FNR by their upper Clopper-Pearson
bounds, and the largest value over all thresholds is kept, as TAPAS
(Houssiau et al. 2022) and Jagielski et al. (NeurIPS 2020) do. The maximum
over thresholds is taken on the same candidates, so the bound is slightly
optimistic for the attacker; with 1,000+ candidates per side the largest
provable value is about 6.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import beta


def clopper_pearson(successes: np.ndarray, trials: int, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided exact binomial interval for each count in ``successes``."""
    alpha = 1.0 - confidence
    k = np.asarray(successes, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, beta.ppf(alpha / 2, k, trials - k + 1), 0.0)
        high = np.where(k < trials, beta.ppf(1 - alpha / 2, k + 1, trials - k), 1.0)
    return low, high


def epsilon_lower_bound(scores: np.ndarray, is_member: np.ndarray, *, delta: float, confidence: float = 0.95) -> float:
    scores = np.asarray(scores, dtype=np.float64)
    is_member = np.asarray(is_member, dtype=bool)
    n_members, n_non_members = int(is_member.sum()), int((~is_member).sum())
    if n_members == 0 or n_non_members == 0:
        return 0.0
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_members = scores[order], is_member[order]
    distinct = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]  # cut only between distinct scores
    true_pos = np.cumsum(sorted_members)[distinct]
    false_pos = np.cumsum(~sorted_members)[distinct]
    tpr_low, tpr_high = clopper_pearson(true_pos, n_members, confidence)
    fpr_low, fpr_high = clopper_pearson(false_pos, n_non_members, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        from_positives = np.log((tpr_low - delta) / fpr_high)
        from_negatives = np.log((1.0 - fpr_high - delta) / (1.0 - tpr_low))
    bounds = np.concatenate([from_positives, from_negatives])
    bounds = bounds[np.isfinite(bounds)]
    return float(max(0.0, bounds.max())) if len(bounds) else 0.0
