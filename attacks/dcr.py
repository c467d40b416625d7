"""Distance to closest record: members sit closer to the release than non-members."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors

from bench.api.attack import Attack
from bench.data.encoding import TableEncoder


class DistanceToClosestRecord(Attack):
    """Score = minus the Euclidean distance from a candidate to its nearest
    synthetic row on the shared encoding. A release that copies training
    rows puts members at distance 0.

    Reference: the DCR privacy test used in synthetic-data evaluation, e.g.
    Zhao et al., "CTAB-GAN", ACML 2021; Chen et al., GAN-Leaks, CCS 2020.
    """

    name = "dcr"
    display_name = "Distance to closest record"

    def _fit(self, release, reference):
        self.encoder_ = TableEncoder(self.schema)
        self.index_ = NearestNeighbors(n_neighbors=1).fit(self.encoder_.transform(release))

    def _score(self, candidates):
        distances, _ = self.index_.kneighbors(self.encoder_.transform(candidates))
        return -distances[:, 0].astype(np.float64)
