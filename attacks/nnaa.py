"""Nearest Neighbour Adversarial Accuracy (the pGAN paper's privacy score)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from bench.api.attack import Attack
from bench.data.encoding import TableEncoder

_TINY = 1e-9


def adversarial_accuracy(schema, release: pd.DataFrame, members: pd.DataFrame, non_members: pd.DataFrame,
                         rng: np.random.Generator) -> dict[str, float]:
    """AA_train, AA_test and their difference on equal-sized random samples of each table."""
    encoder = TableEncoder(schema)
    n = min(len(release), len(members), len(non_members))
    pick = lambda table: encoder.transform(table.iloc[rng.choice(len(table), n, replace=False)])  # noqa: E731
    synthetic, train, test = pick(release), pick(members), pick(non_members)
    aa_train = _adversarial_accuracy(train, synthetic)
    aa_test = _adversarial_accuracy(test, synthetic)
    return {"aa_train": aa_train, "aa_test": aa_test, "privacy_loss": aa_test - aa_train}


def _adversarial_accuracy(real: np.ndarray, synthetic: np.ndarray) -> float:
    real_to_synth = NearestNeighbors(n_neighbors=1).fit(synthetic).kneighbors(real)[0][:, 0]
    synth_to_real = NearestNeighbors(n_neighbors=1).fit(real).kneighbors(synthetic)[0][:, 0]
    real_to_real = NearestNeighbors(n_neighbors=2).fit(real).kneighbors(real)[0][:, 1]  # skip itself
    synth_to_synth = NearestNeighbors(n_neighbors=2).fit(synthetic).kneighbors(synthetic)[0][:, 1]
    return 0.5 * (np.mean(real_to_synth > real_to_real) + np.mean(synth_to_real > synth_to_synth))


class NearestNeighbourAdversarialAccuracy(Attack):
    """Two parts.

    Attack score (what an adversary can compute): log(d_R(x) / d_S(x)), the
    distance from a candidate to its nearest reference record over its
    distance to its nearest synthetic record. A member the generator
    memorised is much closer to the release than to any population record;
    normalising by d_R makes the test local, unlike plain DCR.

    Evaluator summary (``adversarial_accuracy``; needs the labels, so the evaluator computes it,
    never the attack): AA_train = 1/2 [P(d_TS > d_TT) +
    P(d_ST > d_SS)], where d_TS is a training record's distance to its
    nearest synthetic record, d_TT to its nearest other training record, and
    symmetrically for synthetic records; AA_test the same with non-members
    in place of training records; privacy loss = AA_test - AA_train (near 0
    is private, large means the release sits closer to its training rows than
    to other patients). Equal sample sizes on each side, as the score requires.

    Reference: Yale et al., "Generation and evaluation of privacy preserving
    synthetic health data", Neurocomputing 2020; used by pGAN,
    Neural Networks 153 (2022) (shared/papers/pgan-abstract.txt).
    """

    name = "nnaa"
    display_name = "Nearest-neighbour adversarial accuracy"
    evaluator_summary = staticmethod(adversarial_accuracy)

    def _fit(self, release, reference):
        self.encoder_ = TableEncoder(self.schema)
        self.release_index_ = NearestNeighbors(n_neighbors=1).fit(self.encoder_.transform(release))
        self.reference_index_ = NearestNeighbors(n_neighbors=1).fit(self.encoder_.transform(reference))

    def _score(self, candidates):
        points = self.encoder_.transform(candidates)
        to_release = self.release_index_.kneighbors(points)[0][:, 0]
        to_reference = self.reference_index_.kneighbors(points)[0][:, 0]
        return np.log((to_reference + _TINY) / (to_release + _TINY))
