"""Groundhog: a shadow-model attack on chosen target records."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

from bench.api.attack import Attack
from bench.data.encoding import TableEncoder
from bench.errors import BenchInputError
from bench.api.tags import AttackTags

HISTOGRAM_BINS = 10


@dataclass(frozen=True)
class GroundhogConfig:
    """Attributes:
    n_shadow: Shadow datasets (and synthesizer fits); each target is in half of them.
    targets_per_side: Most outlying members and as many non-members attacked.
    """

    n_shadow: int = 16
    targets_per_side: int = 10


class Groundhog(Attack):
    """For each target record, learn what releases look like with and without
    it, by training the attacked synthesizer on shadow datasets, then ask the
    same of the real release.

    Procedure (targets are chosen by the harness: the most outlying members
    and non-members, measured against the attacker's reference sample, since
    outliers are the most exposed records):

    1. Draw ``n_shadow`` (quick profile 16, paper 128) shadow datasets of
       ``m`` rows from the reference sample. Each target is planted in
       exactly half of them (replacing a random row), in a balanced random
       design, so one set of shadow fits serves every target.
    2. Fit a fresh synthesizer of the attacked kind and config on each and
       sample ``m`` rows.
    3. Featurise every release as in the paper: naive (mean, standard
       deviation, median of each encoded column), histogram (10-bin
       frequencies of each continuous column on its public range) and
       correlation (upper triangle of the encoded columns' correlation matrix).
    4. Per target, train a random forest on the shadow features labelled
       "target in" / "target out"; the target's score is the forest's
       probability of "in" for the real release's features.

    Choices the paper leaves open: ``m`` is the training size capped at half
    the reference sample (the attacker cannot draw more disjoint data than it
    has; features are frequencies, so they are comparable across sizes);
    shared shadow fits across targets (a balanced design) instead of separate
    fits per target, which divides the cost by the number of targets.

    Reference: Stadler, Oprisanu & Troncoso, "Synthetic Data - Anonymisation
    Groundhog Day", USENIX Security 2022; target choice after Meeus et al.,
    "Achilles' Heels: Vulnerable Record Identification in Synthetic Data
    Publishing", ESORICS 2023.
    """

    name = "groundhog"
    display_name = "Groundhog (shadow models)"
    tags = AttackTags(needs_shadow=True, expensive=True, per_target=True)
    profiles = {
        "quick": GroundhogConfig(n_shadow=16, targets_per_side=10),
        "paper": GroundhogConfig(n_shadow=128, targets_per_side=25),
    }

    def _fit(self, release, reference):
        self.encoder_ = TableEncoder(self.schema)
        self.release_features_ = self._features(release)
        self.reference_ = reference.reset_index(drop=True)
        self.shadow_size_ = max(10, min(len(release), len(reference) // 2))

    def _score(self, candidates):
        n_targets, m, n_shadow = len(candidates), self.shadow_size_, self.config.n_shadow
        design = np.zeros((n_shadow, n_targets), dtype=bool)  # design[s, t]: target t planted in shadow s
        for t in range(n_targets):
            design[self.rng_.permutation(n_shadow)[: n_shadow // 2], t] = True
        planted_most = int(design.sum(axis=1).max())
        if planted_most > m or m > len(self.reference_):
            raise BenchInputError(
                f"groundhog: the reference split ({len(self.reference_)} rows) is too small for shadow datasets "
                f"holding {planted_most} planted targets"
            )
        features = []
        for s in range(n_shadow):
            rows = self.reference_.iloc[self.rng_.choice(len(self.reference_), m, replace=False)].reset_index(drop=True)
            planted = np.flatnonzero(design[s])
            slots = self.rng_.choice(m, len(planted), replace=False)
            rows.iloc[slots] = candidates.iloc[planted].to_numpy()
            rows = rows.astype(self.reference_.dtypes.to_dict())
            features.append(self._features(self.shadow.release(rows, seed=int(self.rng_.integers(2**31)))))
        features = np.vstack(features)
        scores = np.empty(n_targets)
        for t in range(n_targets):
            forest = RandomForestClassifier(n_estimators=100, random_state=self.seed_ + t, n_jobs=1)  # tiny data
            forest.fit(features, design[:, t])
            scores[t] = forest.predict_proba(self.release_features_[None, :])[0, 1]
        return scores

    def _features(self, table: pd.DataFrame) -> np.ndarray:
        matrix = self.encoder_.transform(table).astype(np.float64)
        naive = np.concatenate([matrix.mean(0), matrix.std(0), np.median(matrix, 0)])
        continuous = [b.start for b in self.encoder_.blocks if b.kind == "continuous"]
        histograms = np.concatenate(
            [np.histogram(matrix[:, c], bins=HISTOGRAM_BINS, range=(0.0, 1.0))[0] / len(matrix) for c in continuous]
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            correlation = np.corrcoef(matrix, rowvar=False)
        correlation = np.nan_to_num(correlation[np.triu_indices_from(correlation, k=1)])
        return np.concatenate([naive, histograms, correlation])
