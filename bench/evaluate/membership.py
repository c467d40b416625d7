"""From attack scores and membership labels to the reported privacy figures.

For each attack on a cell:

* success: balanced accuracy on equal numbers of members and non-members,
  with the decision threshold fixed on a disjoint calibration half of the
  candidates (so the figure is not tuned on the data it is reported on; 50%
  is chance); advantage is TPR - FPR at that threshold, on the same half;
* ROC-AUC and TPR at 0.1%, 1% and 10% FPR over all candidates;
* a 95% bootstrap interval for each (members and non-members resampled
  separately; the success threshold stays fixed);
* an empirical epsilon lower bound (``bench.privacy.audit``): its test is fixed on the
  same calibration half and measured on the other, whose counts are kept so
  the report can correct for the number of bounds it compares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score, roc_curve

from bench.privacy.audit import audit

FPR_LEVELS = {"tpr_at_0.1pct_fpr": 0.001, "tpr_at_1pct_fpr": 0.01, "tpr_at_10pct_fpr": 0.10}
BOOTSTRAP_RESAMPLES = 200


@dataclass(frozen=True)
class Candidates:
    """Records whose membership an attack must guess, with the truth the harness holds."""

    table: pd.DataFrame
    is_member: np.ndarray
    available_per_side: int = 0  # members (= non-members) that could have been drawn; more than drawn past the cap


# Past this many members (and as many non-members) the candidates are a random subsample: the success
# rate's 95% interval is then about +-1.4 points and every attack's cost stops growing with the cohort.
MAX_CANDIDATES_PER_SIDE = 5_000


def draw_candidates(train: pd.DataFrame, holdout: pd.DataFrame, rng: np.random.Generator,
                    patients: dict[str, np.ndarray] | None = None) -> Candidates:
    """Equal numbers of members (from ``train``) and non-members (from ``holdout``), at most
    ``MAX_CANDIDATES_PER_SIDE`` of each (the record says when it subsampled).

    With patient identifiers (``Split.patients``) each candidate is a different patient,
    represented by one of their stays drawn at random, so the candidates are independent
    trials of the per-patient membership question.
    """
    if patients is not None:
        train = train.iloc[_one_row_per_patient(patients["train"], rng)]
        holdout = holdout.iloc[_one_row_per_patient(patients["holdout"], rng)]
    available = min(len(train), len(holdout))
    n = min(available, MAX_CANDIDATES_PER_SIDE)
    members = train.iloc[rng.choice(len(train), n, replace=False)]
    non_members = holdout.iloc[rng.choice(len(holdout), n, replace=False)]
    table = pd.concat([members, non_members], ignore_index=True)
    return Candidates(table, np.r_[np.ones(n, dtype=bool), np.zeros(n, dtype=bool)], available)


def _one_row_per_patient(patients: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of one randomly chosen row of each patient."""
    order = rng.permutation(len(patients))
    _, first = np.unique(patients[order], return_index=True)
    return np.sort(order[first])


@dataclass(frozen=True)
class MembershipScore:
    success: float
    advantage: float
    auc: float
    tpr_at_0_1pct_fpr: float
    tpr_at_1pct_fpr: float
    tpr_at_10pct_fpr: float
    epsilon_lower_bound: float
    n_members: int
    n_non_members: int
    intervals: dict[str, list[float]] = field(default_factory=dict)
    audit: dict | None = None  # ``bench.privacy.audit.AuditCounts`` of the epsilon bound's test

    def as_dict(self) -> dict:
        return asdict(self)


def evaluate_membership(
    scores: np.ndarray, is_member: np.ndarray, rng: np.random.Generator, *, delta: float = 1e-5
) -> MembershipScore:
    scores = np.asarray(scores, dtype=np.float64)
    is_member = np.asarray(is_member, dtype=bool)
    calibration = _stratified_half(is_member, rng)
    threshold = _best_threshold(scores[calibration], is_member[calibration])
    evaluation = ~calibration
    counts = audit(scores, is_member, calibration, delta=delta)
    point = _figures(scores, is_member, evaluation, threshold)
    draws = [
        _figures(scores[idx], is_member[idx], evaluation[idx], threshold)
        for idx in (_stratified_resample(is_member, rng) for _ in range(BOOTSTRAP_RESAMPLES))
    ]
    intervals = {
        key: [float(np.nanpercentile([d[key] for d in draws], 2.5)), float(np.nanpercentile([d[key] for d in draws], 97.5))]
        for key in point
    }
    return MembershipScore(
        success=point["success"],
        advantage=point["advantage"],
        auc=point["auc"],
        tpr_at_0_1pct_fpr=point["tpr_at_0.1pct_fpr"],
        tpr_at_1pct_fpr=point["tpr_at_1pct_fpr"],
        tpr_at_10pct_fpr=point["tpr_at_10pct_fpr"],
        epsilon_lower_bound=counts.bound() if counts else 0.0,
        n_members=int(is_member.sum()),
        n_non_members=int((~is_member).sum()),
        intervals={key.replace("0.1pct", "0_1pct"): value for key, value in intervals.items()},
        audit=counts.as_dict() if counts else None,
    )


def select_targets(candidates: Candidates, outlyingness: np.ndarray, per_side: int) -> Candidates:
    """The ``per_side`` most outlying members and non-members (for per-target attacks)."""
    chosen = []
    for label in (True, False):
        idx = np.flatnonzero(candidates.is_member == label)
        chosen.append(idx[np.argsort(-outlyingness[idx], kind="stable")[:per_side]])
    rows = np.concatenate(chosen)
    return Candidates(candidates.table.iloc[rows].reset_index(drop=True), candidates.is_member[rows])


def _figures(scores: np.ndarray, is_member: np.ndarray, evaluation: np.ndarray, threshold: float) -> dict[str, float]:
    predicted = scores[evaluation] >= threshold
    truth = is_member[evaluation]
    tpr = predicted[truth].mean() if truth.any() else np.nan  # a tiny resample may lack one side
    fpr = predicted[~truth].mean() if (~truth).any() else np.nan
    roc_fpr, roc_tpr, _ = roc_curve(is_member, scores)
    out = {"success": 0.5 * (tpr + 1 - fpr), "advantage": tpr - fpr, "auc": roc_auc_score(is_member, scores)}
    for key, level in FPR_LEVELS.items():
        out[key] = roc_tpr[roc_fpr <= level].max()
    return {k: float(v) for k, v in out.items()}


def _stratified_half(is_member: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    mask = np.zeros(len(is_member), dtype=bool)
    for label in (True, False):
        idx = np.flatnonzero(is_member == label)
        mask[rng.choice(idx, len(idx) // 2, replace=False)] = True
    return mask


def _stratified_resample(is_member: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    parts = [rng.choice(idx, len(idx), replace=True) for idx in (np.flatnonzero(is_member), np.flatnonzero(~is_member))]
    return np.concatenate(parts)


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
