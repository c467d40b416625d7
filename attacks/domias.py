"""DOMIAS: members show up as local over-densities of the release relative to the population."""

from __future__ import annotations

import numpy as np
from scipy.stats import gaussian_kde
from sklearn.decomposition import PCA

from bench.api.attack import Attack
from bench.data.encoding import TableEncoder


class DOMIAS(Attack):
    """Score = log p_release(x) - log p_reference(x), with both densities
    estimated by Gaussian kernel density estimation (Scott's bandwidth, full
    covariance) on a reduced encoding: the shared encoding projected onto the
    first ``components`` principal components of the attacker's reference
    sample. A generator that memorises its training rows raises the release
    density exactly at the members, which the reference density does not.
    The reduction keeps KDE meaningful in 140+ dimensions; 30 components keep
    enough detail to expose a raw release (AUC above 0.98 on both default cohorts).

    Reference: van Breugel, Sun, Qian & van der Schaar, "Membership Inference
    Attacks against Synthetic Data through Overfitting Detection", AISTATS 2023.
    """

    name = "domias"
    display_name = "DOMIAS (density ratio)"
    components = 30

    def _fit(self, release, reference):
        self.encoder_ = TableEncoder(self.schema)
        reference_matrix = self.encoder_.transform(reference)
        n_components = min(self.components, reference_matrix.shape[1], len(reference) - 1)
        self.pca_ = PCA(n_components, random_state=self.seed_).fit(reference_matrix)
        self.release_density_ = _kde(self.pca_.transform(self.encoder_.transform(release)))
        self.reference_density_ = _kde(self.pca_.transform(reference_matrix))

    def _score(self, candidates):
        points = self.pca_.transform(self.encoder_.transform(candidates)).T
        return self.release_density_.logpdf(points) - self.reference_density_.logpdf(points)


def _kde(points: np.ndarray) -> gaussian_kde:
    # A tiny jitter keeps the covariance invertible when a component is constant in one sample.
    jitter = np.random.default_rng(0).normal(0.0, 1e-6, points.shape)
    return gaussian_kde((points + jitter).T)
