"""From attack scores and membership labels to the reported privacy figures.

* success: balanced accuracy on equal numbers of members and non-members,
  with the decision threshold fixed on a disjoint calibration half of the
  candidates (so the figure is not optimistically tuned; 50% is chance);
* ROC-AUC over all candidates;
* TPR at 1% FPR over all candidates (the low-FPR regime that matters when a
  few patients are exposed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score, roc_curve


@dataclass(frozen=True)
class Candidates:
    """Equal numbers of members (from ``train``) and non-members (from ``holdout``)."""

    table: pd.DataFrame
    is_member: np.ndarray


def draw_candidates(train: pd.DataFrame, holdout: pd.DataFrame, rng: np.random.Generator) -> Candidates:
    n = min(len(train), len(holdout))
    members = train.iloc[rng.choice(len(train), n, replace=False)]
    non_members = holdout.iloc[rng.choice(len(holdout), n, replace=False)]
    table = pd.concat([members, non_members], ignore_index=True)
    return Candidates(table, np.r_[np.ones(n, dtype=bool), np.zeros(n, dtype=bool)])


@dataclass(frozen=True)
class MembershipScore:
    success: float
    auc: float
    tpr_at_1pct_fpr: float
    n_members: int
    n_non_members: int

    def as_dict(self) -> dict:
        return asdict(self)


def evaluate_membership(scores: np.ndarray, is_member: np.ndarray, rng: np.random.Generator) -> MembershipScore:
    scores = np.asarray(scores, dtype=np.float64)
    is_member = np.asarray(is_member, dtype=bool)
    calibration = _stratified_half(is_member, rng)
    threshold = _best_threshold(scores[calibration], is_member[calibration])
    evaluation = ~calibration
    predicted = scores[evaluation] >= threshold
    truth = is_member[evaluation]
    success = 0.5 * (predicted[truth].mean() + (~predicted[~truth]).mean())
    fpr, tpr, _ = roc_curve(is_member, scores)
    return MembershipScore(
        success=float(success),
        auc=float(roc_auc_score(is_member, scores)),
        tpr_at_1pct_fpr=float(tpr[fpr <= 0.01].max()),
        n_members=int(is_member.sum()),
        n_non_members=int((~is_member).sum()),
    )


def _stratified_half(is_member: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    mask = np.zeros(len(is_member), dtype=bool)
    for label in (True, False):
        idx = np.flatnonzero(is_member == label)
        mask[rng.choice(idx, len(idx) // 2, replace=False)] = True
    return mask


def _best_threshold(scores: np.ndarray, is_member: np.ndarray) -> float:
    """Threshold t ("member if score >= t") with the highest balanced accuracy."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_members = scores[order], is_member[order]
    true_pos = np.cumsum(sorted_members) / max(sorted_members.sum(), 1)
    false_pos = np.cumsum(~sorted_members) / max((~sorted_members).sum(), 1)
    # Only cut between distinct scores: every tie is on the same side.
    distinct = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    balanced = np.where(distinct, 0.5 * (true_pos + 1 - false_pos), -np.inf)
    best = int(np.argmax(balanced))
    if best + 1 < len(sorted_scores):  # cut midway to the next lower score, not on a sample
        return float(0.5 * (sorted_scores[best] + sorted_scores[best + 1]))
    return float(sorted_scores[best])
