"""Downstream utility: train on synthetic, test on real (the ``test`` split), with XGBoost.

* mortality: ROC-AUC and AUPRC of a model trained on all synthetic rows;
* readmission: F1 among survivors (readmission is defined for patients who
  left hospital alive); the decision threshold is the one that maximises F1
  on a 20% validation slice of the (synthetic) training rows, so no real
  test label informs it.

Features are the shared encoding of every column but the two outcomes.
The ``raw`` synthesizer releases the real ``train`` rows, so its row is the
train-on-real reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import train_test_split

from bench.data.encoding import TableEncoder
from bench.errors import BenchInputError
from bench.api.metric import Metric
from bench.resources import CELL_THREADS
from bench.data.schema import Schema

@dataclass(frozen=True)
class DownstreamConfig:
    """The XGBoost classifier trained on a release, and the share of the release that picks
    readmission's decision threshold. Chosen once for the quick grid and never tuned on a
    reported cohort; ``smoke`` trains fewer trees (the tests' contract, not the quality)."""

    n_estimators: int = 200
    max_depth: int = 4
    learning_rate: float = 0.05
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    tree_method: str = "hist"
    validation_share: float = 0.2

    def classifier_params(self) -> dict:
        return dict(n_estimators=self.n_estimators, max_depth=self.max_depth, learning_rate=self.learning_rate,
                    subsample=self.subsample, colsample_bytree=self.colsample_bytree, tree_method=self.tree_method)


DOWNSTREAM_PROFILES = {"quick": DownstreamConfig(), "paper": DownstreamConfig(), "smoke": DownstreamConfig(n_estimators=20)}


class SingleClassError(BenchInputError):
    """Training rows hold only one class of the outcome: no classifier can be trained."""


def outcome_features(schema: Schema) -> TableEncoder:
    return TableEncoder(schema, exclude=tuple(schema.outcomes.values()))


def train_classifier(features: np.ndarray, labels: np.ndarray, seed: int, what: str,
                     config: DownstreamConfig = DownstreamConfig()):
    from xgboost import XGBClassifier  # slow import: only when a model is trained

    if len(np.unique(labels)) < 2:
        raise SingleClassError(f"{what}: training rows hold a single class, no model can be trained")
    model = XGBClassifier(**config.classifier_params(), n_jobs=CELL_THREADS, random_state=seed)
    model.fit(features, labels)
    return model


def _mortality_scores(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, rng,
                      config: DownstreamConfig) -> tuple[np.ndarray, np.ndarray]:
    column = schema.outcomes["mortality"]
    encoder = outcome_features(schema)
    model = train_classifier(
        encoder.transform(synthetic), synthetic[column].to_numpy(), int(rng.integers(2**31)), "mortality", config
    )
    return real[column].to_numpy(), model.predict_proba(encoder.transform(real))[:, 1]


class _MortalityMetric(Metric):
    goal = "maximize"
    max_value = 1.0
    digits = 3
    real_split = "test"
    outcomes = ("mortality",)
    profiles = DOWNSTREAM_PROFILES

    def _compute_breakdown(self, real, synthetic, schema, rng) -> dict[str, float]:
        truth, predicted = _mortality_scores(real, synthetic, schema, rng, self.config)  # one model serves AUC and AUPRC
        return {"mortality_auc": roc_auc_score(truth, predicted), "mortality_auprc": average_precision_score(truth, predicted)}


class MortalityAUC(_MortalityMetric):
    """Mortality ROC-AUC of a model trained on the release, on the real test split."""

    name = "mortality_auc"
    display_name = "Mortality AUC"
    report_rank = 50


class MortalityAUPRC(_MortalityMetric):
    """Mortality average precision (AUPRC) of a model trained on the release, on the real test split."""

    name = "mortality_auprc"
    display_name = "Mortality AUPRC"
    report_rank = 60


class ReadmissionF1(Metric):
    """Readmission F1 among survivors; threshold from a validation slice of the release."""

    name = "readmission_f1"
    display_name = "Readmission F1"
    goal = "maximize"
    max_value = 1.0
    digits = 3
    report_rank = 70
    real_split = "test"
    outcomes = ("readmission",)
    profiles = DOWNSTREAM_PROFILES

    def _compute(self, real, synthetic, schema, rng) -> float:
        readmitted = schema.outcomes["readmission"]
        died = schema.outcomes.get("mortality")
        if died:
            real = real[real[died] == 0]
            synthetic = synthetic[synthetic[died] == 0]
        if real[readmitted].nunique() < 2:
            raise SingleClassError("readmission: the real survivors scored on hold a single class, F1 is undefined")
        encoder = outcome_features(schema)
        labels = synthetic[readmitted].to_numpy()
        if len(np.unique(labels)) < 2 or np.bincount(labels).min() < 2:
            raise SingleClassError("readmission: synthetic survivors hold (almost) a single class, no model can be trained")
        seed = int(rng.integers(2**31))
        fit_rows, val_rows = train_test_split(np.arange(len(labels)), test_size=self.config.validation_share,
                                               stratify=labels, random_state=seed)
        features = encoder.transform(synthetic)
        model = train_classifier(features[fit_rows], labels[fit_rows], seed, "readmission", self.config)
        precision, recall, thresholds = precision_recall_curve(
            labels[val_rows], model.predict_proba(features[val_rows])[:, 1]
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
        threshold = thresholds[int(np.argmax(f1[:-1]))]
        predicted = model.predict_proba(encoder.transform(real))[:, 1] >= threshold
        return f1_score(real[readmitted].to_numpy(), predicted, zero_division=0.0)
