"""LOGAN (black box): a classifier that tells the release from the population."""

from __future__ import annotations

from sklearn.ensemble import RandomForestClassifier

from bench.api.attack import Attack
from bench.data.encoding import TableEncoder
from bench.resources import CELL_THREADS


class LOGAN(Attack):
    """Trains a classifier to separate the release (label 1) from the
    attacker's reference sample (label 0), then scores candidates by the
    predicted probability of "release". Records the generator over-fitted to
    look like the release more than fresh population records do. LOGAN's
    black-box attack trains a local GAN on the release and uses its
    discriminator; here the discriminator is a random forest on the shared
    encoding (fully grown trees, classes balanced), which plays the same role
    without a GAN of its own.

    Reference: Hayes, Melis, Danezis & De Cristofaro, "LOGAN: Membership
    Inference Attacks Against Generative Models", PoPETs 2019.
    """

    name = "logan"
    display_name = "LOGAN (release-vs-population classifier)"

    def _fit(self, release, reference):
        import numpy as np

        self.encoder_ = TableEncoder(self.schema)
        features = np.vstack([self.encoder_.transform(release), self.encoder_.transform(reference)])
        labels = np.r_[np.ones(len(release)), np.zeros(len(reference))]
        self.model_ = RandomForestClassifier(
            n_estimators=150, class_weight="balanced", n_jobs=CELL_THREADS, random_state=self.seed_
        ).fit(features, labels)

    def _score(self, candidates):
        return self.model_.predict_proba(self.encoder_.transform(candidates))[:, 1]
